"""utils.arrangements and utils.clustering: known families, counts at chance, label-free
views that keep relations, clustering helpers, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

from utils import arrangements as ar
from utils import clustering as cl
from utils import relations as rl
from utils.metrics import score_clustering

from words import whole_word


@pytest.mark.parametrize(("translate", "n_families", "jitter"), [
    (False, None, 0), (True, None, 0), (True, 12, 0), (False, None, 1)],
    ids=["centred", "translated", "12-families", "jitter-1"])
def test_counts_alone_cluster_at_chance(translate, n_families, jitter):
    # every variant chapter 5 uses: counting levels must say nothing about the family
    d = ar.make_arrangements(1200, translate=translate, n_families=n_families, jitter=jitter,
                             seed=0)
    k = len(d.family_names)
    for method in cl.METHODS:
        labels = cl.cluster(d.counts, k, method=method, seed=0)
        assert score_clustering(d.families, labels, n_boot=0).nmi <= 0.05


def test_families_are_balanced_and_facts_match_the_grids():
    d = ar.make_arrangements(120, seed=1)
    assert np.bincount(d.families).tolist() == [20] * 6
    facts = np.array([rl.relation_facts(g) for g in d.grids])
    assert np.array_equal(facts, d.facts)
    # every grid holds the four template objects, one of each level
    core = d.objects[:, :4, 0]
    assert np.all(np.sort(core, axis=1) == [1, 2, 3, 4])


def test_templates_are_placed_where_recorded():
    d = ar.make_arrangements(60, translate=True, seed=2)
    for i in range(60):
        template = np.array(ar.TEMPLATES[d.family_names[d.families[i]]])
        template = template[np.argsort(template[:, 0])]
        placed = d.objects[i, :4]
        assert np.array_equal(placed[:, 1:] - d.positions[i], template[:, 1:])


def test_centred_arrangements_share_one_position_and_translated_ones_vary():
    c = ar.make_arrangements(50, translate=False, seed=0)
    t = ar.make_arrangements(400, translate=True, seed=0)
    assert len(np.unique(c.positions, axis=0)) == 1 and np.all(c.regions == 0)
    assert len(np.unique(t.positions, axis=0)) == 36
    assert set(np.unique(t.regions)) == {0, 1, 2, 3}


def test_same_seed_same_arrays_other_seed_other_arrays():
    a, b = ar.make_arrangements(30, seed=5), ar.make_arrangements(30, seed=5)
    assert np.array_equal(a.grids, b.grids) and np.array_equal(a.families, b.families)
    assert not np.array_equal(a.grids, ar.make_arrangements(30, seed=6).grids)


def test_more_families_than_the_named_six():
    d = ar.make_arrangements(120, n_families=12, seed=0)
    assert len(d.family_names) == 12 and d.family_names[:6] == list(ar.TEMPLATES)
    assert len(set(map(tuple, (tuple(map(tuple, v)) for v in ar.random_templates(
        20, seed=0).values())))) == 20


@pytest.mark.parametrize("seed", [2, 26, 31, 47])   # seeds whose random draw hits a named one
def test_n_families_is_exactly_what_was_asked(seed):
    for n in (1, 6, 12, 30, 60):
        d = ar.make_arrangements(n, n_families=n, seed=seed)
        assert len(d.family_names) == n and sorted(set(d.families)) == list(range(n))
        # the template of every family, read back from its first grid: n distinct ones
        first = [int(np.flatnonzero(d.families == f)[0]) for f in range(n)]
        used = {tuple(map(tuple, d.objects[i, :4, 1:] - d.positions[i])) for i in first}
        assert len(used) == n


def test_jitter_moves_objects_but_never_stacks_two_in_a_block():
    d = ar.make_arrangements(500, jitter=1, translate=False, seed=0)
    pos = d.objects[:, :4, 1] * 100 + d.objects[:, :4, 2]
    assert all(len(set(p)) == 4 for p in pos)
    assert not np.all(d.objects[:, :4, 1:] == d.objects[:1, :4, 1:])


def test_augment_keeps_relations_under_shift_and_redraw():
    d = ar.make_arrangements(200, seed=3)
    views = ar.augment(d.grids, drop=0, add=0, seed=0)
    assert views.shape == d.grids.shape and views.dtype == np.uint8
    facts = np.array([rl.relation_facts(g) for g in views])
    assert np.array_equal(facts, d.facts)          # shifted and redrawn: same relations
    assert not np.array_equal(views, d.grids)
    # a pure shift keeps every blob's cells
    shifted = ar.augment(d.grids, redraw=False, drop=0, add=0, seed=0)
    assert np.array_equal(np.sort(shifted.reshape(200, -1)), np.sort(d.grids.reshape(200, -1)))


def test_augment_drops_and_adds_exactly_one_object():
    d = ar.make_arrangements(100, max_distractors=0, seed=4)
    dropped = ar.augment(d.grids, shift=False, redraw=False, drop=1.0, add=0, seed=0)
    added = ar.augment(d.grids, shift=False, redraw=False, drop=0, add=1.0, seed=0)
    assert all(len(rl.grid_objects(g)) == 3 for g in dropped)
    assert all(len(rl.grid_objects(g)) == 5 for g in added)


def test_bic_prefers_the_true_number_of_blobs():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(c, 0.3, (100, 2)) for c in (0, 4, 8)])
    bic = cl.bic_curve(x, [1, 2, 3, 4, 5], pca=None)
    assert int(np.argmin(bic)) + 1 == 3


def test_silhouette_peaks_at_the_true_number_of_blobs():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(c, 0.3, (60, 2)) for c in (0, 4, 8, 12)])
    sil = cl.silhouette_curve(x, [2, 3, 4, 5, 6])
    assert int(np.argmax(sil)) + 2 == 4 and np.all((-1 <= sil) & (sil <= 1))


def test_stability_is_highest_at_the_true_number_of_blobs_and_reproducible():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(c, 0.5, (60, 2)) for c in ((0, 0), (4, 0), (0, 4), (4, 4),
                                                             (8, 8))])
    ks = [2, 3, 4, 5, 6, 7]
    stab = cl.stability_curve(x, ks, n_resamples=5, seed=0)
    assert ks[int(np.argmax(stab))] == 5 and stab.max() > 0.95
    assert np.array_equal(stab, cl.stability_curve(x, ks, n_resamples=5, seed=0))
    assert stab[ks.index(7)] < stab.max() - 0.05   # splitting a blob is unstable


def test_gmm_and_kmeans_recover_separated_groups():
    rng = np.random.default_rng(1)
    truth = np.repeat(np.arange(3), 60)
    x = rng.normal(0, 0.2, (180, 5)) + truth[:, None] * 3
    for method in cl.METHODS:
        assert score_clustering(truth, cl.cluster(x, 3, method=method, seed=0),
                                n_boot=0).nmi == pytest.approx(1.0)


def test_score_clustering_interval_contains_the_estimate_near_zero():
    rng = np.random.default_rng(3)
    truth, unrelated = rng.integers(0, 6, 1500), rng.integers(0, 6, 1500)
    s = score_clustering(truth, unrelated, n_boot=200, seed=0)
    assert s.nmi_low <= s.nmi <= s.nmi_high and s.nmi_low >= 0


def test_score_clustering_interval_brackets_the_estimate():
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 4, 400)
    noisy = np.where(rng.random(400) < 0.7, truth, rng.integers(0, 4, 400))
    s = score_clustering(truth, noisy, n_boot=100, seed=0)
    assert s.nmi_low <= s.nmi <= s.nmi_high and 0 < s.nmi < 1
    assert 0.6 < s.accuracy < 0.9


BAD_CALLS = [
    (ar.make_arrangements, (0,), {}, ValueError, "n"),
    (ar.make_arrangements, (10**6,), {}, ValueError, "n"),
    (ar.make_arrangements, (10,), {"jitter": 3}, ValueError, "jitter"),
    (ar.make_arrangements, (10,), {"translate": "yes"}, TypeError, "translate"),
    (ar.make_arrangements, (10,), {"size": 20}, ValueError, "lattice"),
    (ar.make_arrangements, (10,), {"size": 52}, ValueError, "size"),
    (ar.make_arrangements, (10,), {"n_families": 0}, ValueError, "n_families"),
    (ar.make_arrangements, (10,), {"n_families": 3, "templates": ar.TEMPLATES}, ValueError,
     "templates or n_families"),
    (ar.make_arrangements, (10,), {"templates": {"x": ((1, 0, 0), (1, 0, 2), (3, 2, 0),
                                                       (4, 4, 4))}}, ValueError, "templates"),
    (ar.make_arrangements, (10,), {"templates": {"x": ((1, 0, 0), (2, 0, 0), (3, 2, 0),
                                                       (4, 4, 4))}}, ValueError, "templates"),
    (ar.make_arrangements, (10,), {"templates": []}, TypeError, "templates"),
    (ar.make_arrangements, (10,), {"seed": -1}, ValueError, "seed"),
    (ar.random_templates, (0,), {}, ValueError, "n"),
    (ar.augment, (np.zeros((2, 50, 50), int),), {"drop": 2.0}, ValueError, "drop"),
    (ar.augment, (np.zeros((2, 50, 50), int),), {"shift": 1}, TypeError, "shift"),
    (ar.augment, (np.zeros((50, 50), int),), {}, ValueError, "grids"),
    (ar.augment, (np.full((2, 50, 50), 7),), {}, ValueError, "grids"),
    (ar.augment, (np.zeros((2, 48, 48), int),), {}, ValueError, "block"),
    (cl.cluster, (np.zeros((10, 2)), 0), {}, ValueError, "k"),
    (cl.cluster, (np.zeros((10, 2)), 11), {}, ValueError, "k"),
    (cl.cluster, (np.zeros((10, 2)), 2), {"method": "dbscan"}, ValueError, "method"),
    (cl.cluster, (np.zeros(10), 2), {}, ValueError, "features"),
    (cl.cluster, (np.full((10, 2), np.nan), 2), {}, ValueError, "features"),
    (cl.cluster, (np.zeros((10, 2)), 2), {"standardise": "no"}, TypeError, "standardise"),
    (cl.bic_curve, (np.zeros((10, 2)), [0, 2]), {}, ValueError, "ks"),
    (cl.bic_curve, (np.zeros((10, 2)), [1.5]), {}, TypeError, "ks"),
    (cl.silhouette_curve, (np.zeros((10, 2)), [1, 2]), {}, ValueError, "ks"),
    (cl.silhouette_curve, (np.zeros((10, 2)), [2, 10]), {}, ValueError, "ks"),
    (cl.stability_curve, (np.zeros((10, 2)), [2, 6]), {}, ValueError, "ks"),
    (cl.stability_curve, (np.zeros((10, 2)), [2]), {"n_resamples": 1}, ValueError,
     "n_resamples"),
    (cl.stability_curve, (np.zeros((10, 2)), [2]), {"fraction": 0.2}, ValueError, "fraction"),
    (score_clustering, ([0, 1], [0, 1, 2]), {}, ValueError, "true and clusters"),
    (score_clustering, ([0, 1], [0, -1]), {}, ValueError, "clusters"),
    (score_clustering, ([0, 1], [0, 1]), {"n_boot": -1}, ValueError, "n_boot"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "exc", "named"), BAD_CALLS,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_bad_input_gets_a_clear_error(func, args, kwargs, exc, named):
    with pytest.raises(exc, match=whole_word(named)):
        func(*args, **kwargs)
