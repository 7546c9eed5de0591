"""utils.metrics: confusion counts, optimal cluster matching, IoU, the combined score."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import metrics as mt

from words import whole_word

labels = st.integers(1, 5).flatmap(lambda k: st.lists(st.integers(0, k - 1), min_size=4,
                                                       max_size=60))


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_confusion_matches_brute_force(data):
    true = np.array(data.draw(labels))
    pred = np.array(data.draw(st.lists(st.integers(0, 4), min_size=len(true),
                                       max_size=len(true))))
    c = mt.confusion(true, pred)
    for i in range(c.shape[0]):
        for j in range(c.shape[1]):
            assert c[i, j] == np.sum((true == i) & (pred == j))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 5))
def test_relabelled_truth_scores_perfectly(seed, k):
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, (6, 7))
    perm = rng.permutation(k)
    score = mt.score_segmentation(true, perm[true], k)
    assert score.mean_iou == 1.0 and score.accuracy == 1.0 and score.ari == 1.0
    np.testing.assert_array_equal(score.mapping[perm], np.arange(k))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_hungarian_matching_is_optimal(seed):
    rng = np.random.default_rng(seed)
    true = rng.integers(0, 4, 80)
    pred = rng.integers(0, 4, 80)
    mapping = mt.match_clusters(true, pred, 4)
    best = max(np.sum(np.array(p)[pred] == true) for p in itertools.permutations(range(4)))
    assert np.sum(mapping[pred] == true) == best


def test_extra_clusters_join_their_majority_class():
    true = np.array([0, 0, 0, 1, 1, 1])
    pred = np.array([0, 0, 2, 1, 1, 3])
    assert mt.match_clusters(true, pred, 2).tolist() == [0, 1, 0, 1]


def test_iou_and_accuracy_values():
    true = np.array([[0, 0], [1, 1]])
    pred = np.array([[0, 1], [1, 1]])
    np.testing.assert_allclose(mt.iou_per_class(true, pred), [0.5, 2 / 3])
    assert mt.pixel_accuracy(true, pred) == 0.75
    assert np.isnan(mt.iou_per_class([0, 0], [0, 0], n_classes=2)[1])


@pytest.mark.parametrize("call,exc,param", [
    (lambda: mt.confusion([0, 1], [0]), ValueError, "same shape"),
    (lambda: mt.confusion([0.5, 1], [0, 1]), TypeError, "true"),
    (lambda: mt.confusion([0, -1], [0, 1]), ValueError, "true"),
    (lambda: mt.confusion([0, 3], [0, 1], n_true=2), ValueError, "n_true"),
    (lambda: mt.match_clusters([0, 1], [0, 1], n_classes=0), ValueError, "n_classes"),
    (lambda: mt.relabel([0, 5], [1, 0]), ValueError, "mapping"),
    (lambda: mt.iou_per_class([0, 4], [0, 1], n_classes=2), ValueError, "n_classes"),
    (lambda: mt.score_segmentation(np.zeros((2, 2), int), np.zeros((2, 3), int)),
     ValueError, "same shape"),
    (lambda: mt.pixel_accuracy([[0]], [[np.nan]]), ValueError, "pred"),
])
def test_bad_input(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)


def test_small_label_dtypes_do_not_wrap_round():
    from utils import landscape as ls

    q = ls.quantise(ls.normalise(ls.fractal_heightmap(64, seed=0)), levels=20)
    assert q.dtype == np.uint8 and q.max() == 20   # levels 1..20: 16 and above wrapped
    s = mt.score_segmentation(q, q)
    assert s.accuracy == 1.0 and s.mean_iou == 1.0
    assert np.isnan(s.iou[0]) and np.all(s.iou[1:] == 1.0)   # level 0 absent: NaN, as documented
    np.testing.assert_array_equal(mt.confusion(q, q), np.diag(np.bincount(q.ravel())))


def test_huge_labels_are_refused_before_allocating():
    with pytest.raises(ValueError, match="pred has label 1000000"):
        mt.confusion([0, 1], [0, 10**6])
    with pytest.raises(ValueError, match=whole_word("n_true")):
        mt.confusion([0, 1], [0, 1], n_true=10**6)


@pytest.mark.parametrize("seed", [2**32, 2**40])
def test_seeds_beyond_what_libraries_accept_are_refused(seed):
    from utils.landscape import permutation_table

    with pytest.raises(ValueError, match=whole_word("seed")):
        permutation_table(seed)


def test_accuracy_interval_is_wilsons_and_covers_the_estimate():
    from utils.metrics import accuracy_interval

    low, high = accuracy_interval(90, 100)
    assert (round(low, 3), round(high, 3)) == (0.826, 0.945)   # Wilson, z = 1.96
    assert accuracy_interval(0, 10)[0] == 0.0 and accuracy_interval(10, 10)[1] == 1.0
    for correct, n in [(1, 3), (500, 1000), (1599, 1600)]:
        lo, hi = accuracy_interval(correct, n)
        assert lo < correct / n < hi
    # more test items, a narrower interval; a higher level, a wider one
    assert np.ptp(accuracy_interval(900, 1000)) < np.ptp(accuracy_interval(90, 100))
    assert np.ptp(accuracy_interval(90, 100, level=0.99)) > np.ptp(accuracy_interval(90, 100))


@pytest.mark.parametrize("args, exc, named", [
    ((-1, 10), ValueError, "correct"), ((11, 10), ValueError, "correct"),
    ((5, 0), ValueError, "n"), ((5.5, 10), TypeError, "correct"),
    ((True, 10), TypeError, "correct"), ((5, "10"), TypeError, "n"),
])
def test_accuracy_interval_refuses_bad_counts(args, exc, named):
    from utils.metrics import accuracy_interval

    with pytest.raises(exc, match=whole_word(named)):
        accuracy_interval(*args)
    with pytest.raises(ValueError, match=whole_word("level")):
        accuracy_interval(5, 10, level=1.0)
