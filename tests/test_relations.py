"""utils.relations: grids, relation facts, rules, one-hot encoding, balanced datasets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from utils import grids as gr
from utils import relations as rl

from words import whole_word


@pytest.fixture(scope="module")
def data():
    return rl.make_dataset(3000, seed=1)


def test_shapes_splits_and_balance(data):
    assert data.grids.shape == (3000, 50, 50) and data.grids.dtype == np.uint8
    assert data.labels.mean() == 0.5
    together = np.concatenate([data.train, data.val, data.test])
    assert sorted(together.tolist()) == list(range(3000))
    for part in (data.train, data.val, data.test):
        assert data.labels[part].mean() == 0.5  # pairs are never split


def test_classes_are_balanced_within_every_count_combination(data):
    combos = {}
    for counts, label in zip(map(tuple, data.counts), data.labels, strict=True):
        combos.setdefault(counts, []).append(label)
    assert all(np.mean(v) == 0.5 for v in combos.values())


def test_count_only_classifier_stays_at_chance(data):
    for features in (data.counts, gr.level_counts(data.grids)):
        model = LogisticRegression(max_iter=2000).fit(features[data.train],
                                                      data.labels[data.train])
        assert model.score(features[data.test], data.labels[data.test]) <= 0.55


def test_labels_and_facts_agree_with_the_drawn_grids(data):
    for i in range(0, 3000, 37):
        objects = np.array(rl.grid_objects(data.grids[i]))
        assert rl.rule_holds(objects, data.rule) == bool(data.labels[i])
        np.testing.assert_array_equal(rl.relation_facts(data.grids[i]), data.facts[i])
        np.testing.assert_array_equal(np.bincount(objects[:, 0], minlength=5)[1:],
                                      data.counts[i])


def test_same_seed_same_dataset():
    a, b = rl.make_dataset(20, seed=5), rl.make_dataset(20, seed=5)
    np.testing.assert_array_equal(a.grids, b.grids)
    np.testing.assert_array_equal(a.test, b.test)
    assert not np.array_equal(a.grids, rl.make_dataset(20, seed=6).grids)


def test_relation_facts_on_a_hand_made_grid():
    grid = np.zeros((15, 15), dtype=np.uint8)
    grid[0:2, 10:12] = 2      # level 2 at lattice (0, 2)
    grid[10:12, 0:3] = 1      # level 1 at lattice (2, 0)
    grid[5:7, 11:14] = 3      # level 3 at lattice (1, 2)
    facts = dict(zip(rl.fact_names(3), rl.relation_facts(grid, n_levels=3, block=5),
                     strict=True))
    assert facts["1 below 2"] and facts["1 left_of 2"] and not facts["1 same_row 2"]
    assert facts["2 same_column 3"] and facts["2 above 3"] and not facts["2 below 3"]
    objects = np.array(rl.grid_objects(grid))
    assert rl.rule_holds(objects, rl.Rule("2 above-right of 1", 2, 1, ("above", "right_of")))
    assert not rl.rule_holds(objects, rl.Rule("2 left of 1", 2, 1, ("left_of",)))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_one_hot_round_trip(seed):
    grid = np.random.default_rng(seed).integers(0, 5, (7, 9))
    encoded = gr.one_hot(grid, 4)
    assert encoded.shape == (7, 9, 4)
    decoded = (encoded * np.arange(1, 5)).sum(axis=-1)
    np.testing.assert_array_equal(decoded, grid)


@pytest.mark.parametrize("call,exc,param", [
    (lambda: gr.one_hot(np.zeros(5, int)), ValueError, "grid"),
    (lambda: gr.one_hot(np.zeros((2, 2, 2, 2), int)), ValueError, "grid"),
    (lambda: gr.one_hot(np.full((3, 3), 5)), ValueError, "0..4"),
    (lambda: gr.one_hot(np.full((3, 3), -1)), ValueError, "grid"),
    (lambda: gr.one_hot(np.full((3, 3), 1.5)), TypeError, "grid"),
    (lambda: gr.one_hot(np.full((3, 3), np.nan)), ValueError, "grid"),
    (lambda: rl.grid_objects(np.zeros((7, 10), int)), ValueError, "block"),
    (lambda: rl.make_dataset(3), ValueError, "n"),
    (lambda: rl.make_dataset(4, size=52), ValueError, "size"),
    (lambda: rl.make_dataset(4, n_levels=1), ValueError, "n_levels"),
    (lambda: rl.make_dataset(4, split=(0.5, 0.5, 0.5)), ValueError, "split"),
    (lambda: rl.make_dataset(4, rule="blue above red"), TypeError, "rule"),
    (lambda: rl.make_dataset(4, n_levels=2, rule=rl.Rule("x", 3, 1, ("above",))), ValueError,
     "rule"),
    (lambda: rl.make_dataset(4, size=10, max_per_level=2), ValueError, "lattice"),
    (lambda: rl.Rule("x", 1, 1, ("above",)), ValueError, "level_a"),
    (lambda: rl.Rule("x", 1, 2, ("upwards",)), ValueError, "relations"),
])
def test_bad_input(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)


def test_a_block_with_two_levels_is_rejected():
    grid = np.zeros((10, 10), int)
    grid[0, 0], grid[1, 1] = 1, 2
    with pytest.raises(ValueError, match="several levels"):
        rl.grid_objects(grid)


def test_no_silent_wrong_answers():
    # a level above n_levels is an error, not an object quietly dropped
    grid = np.zeros((10, 10), dtype=np.uint8)
    grid[0, 0], grid[5, 5] = 1, 5
    with pytest.raises(ValueError, match="0..4"):
        rl.relation_facts(grid, n_levels=4)
    # every split gets at least one pair, or a clear error
    with pytest.raises(ValueError, match="at least one pair"):
        rl.make_dataset(2)
    d = rl.make_dataset(8, seed=0)
    assert len(d.train) and len(d.val) and len(d.test)
    # messages name the parameter the caller used
    with pytest.raises(ValueError, match=whole_word("grids")):
        gr.one_hot(np.full((2, 2), 9))
    with pytest.raises(TypeError, match=whole_word("dtype")):
        gr.one_hot(np.zeros((2, 2), int), dtype="complex64")


@pytest.mark.parametrize("objects, rule, exc, named", [
    (None, rl.DEFAULT_RULE, TypeError, "objects"),
    ("2 above 1", rl.DEFAULT_RULE, TypeError, "objects"),
    (np.zeros((2, 2)), rl.DEFAULT_RULE, ValueError, "objects"),
    (np.array([[1.0, np.nan, 0.0]]), rl.DEFAULT_RULE, ValueError, "objects"),
    (np.array([[1, -1, 0]]), rl.DEFAULT_RULE, ValueError, "objects"),
    (np.zeros((1, 3), int), "above", TypeError, "rule"),
])
def test_rule_holds_checks_its_arguments(objects, rule, exc, named):
    with pytest.raises(exc, match=whole_word(named)):
        rl.rule_holds(objects, rule)


def test_rule_holds_answers():
    two_above_right_of_one = np.array([[1, 3, 0], [2, 1, 2]])
    assert rl.rule_holds(two_above_right_of_one, rl.DEFAULT_RULE)
    assert not rl.rule_holds(np.array([[1, 1, 0], [2, 3, 2]]), rl.DEFAULT_RULE)
    assert not rl.rule_holds(np.zeros((0, 3), int), rl.DEFAULT_RULE)


def test_lattice_facts_are_the_facts_found_in_the_drawn_grids(data):
    """make_dataset computes its facts from the objects it draws: the same facts as
    relation_facts finds by looking at the grids."""
    some = np.arange(40)
    from_grids = np.array([rl.relation_facts(g) for g in data.grids[some]])
    assert np.array_equal(rl.lattice_facts(data_objects(data)[some]), from_grids)


def data_objects(data):
    """The objects of every grid of ``data``, padded with rows of level 0."""
    found = [rl.grid_objects(g) for g in data.grids]
    out = np.zeros((len(found), max(map(len, found)), 3), dtype=np.int64)
    for i, objs in enumerate(found):
        out[i, :len(objs)] = objs
    return out


def test_draw_objects_puts_each_object_in_its_block_and_is_seeded():
    objects = np.array([[[1, 0, 0], [2, 3, 4], [0, 9, 9]], [[4, 9, 9], [0, 0, 0], [0, 0, 0]]])
    grids = rl.draw_objects(objects, size=50, block=5, seed=7)
    assert grids.shape == (2, 50, 50) and grids.dtype == np.uint8
    assert set(np.unique(grids[0][0:5, 0:5])) == {0, 1}
    assert set(np.unique(grids[0][15:20, 20:25])) == {0, 2}
    assert set(np.unique(grids[0])) == {0, 1, 2}              # level 0 rows draw nothing
    assert set(np.unique(grids[1][45:, 45:])) == {0, 4}
    assert np.array_equal(grids, rl.draw_objects(objects, seed=7))
    rng = np.random.default_rng(7)                            # a generator is advanced
    first, second = rl.draw_objects(objects, seed=rng), rl.draw_objects(objects, seed=rng)
    assert np.array_equal(first, grids) and not np.array_equal(first, second)


@pytest.mark.parametrize("call, exc, named", [
    (lambda: rl.draw_objects([[[1, 10, 0]]]), ValueError, "objects"),     # outside the lattice
    (lambda: rl.draw_objects([[[1, 0, 0]]], size=12), ValueError, "size"),
    (lambda: rl.draw_objects([[[1.5, 0, 0]]]), TypeError, "objects"),
    (lambda: rl.draw_objects([[[-1, 0, 0]]]), ValueError, "objects"),
    (lambda: rl.draw_objects([[[1, 0, 0]]], seed="x"), TypeError, "seed"),
    (lambda: rl.lattice_facts(np.zeros((2, 3, 2))), ValueError, "objects"),
    (lambda: rl.lattice_facts(np.zeros((2, 3, 3)), n_levels=1), ValueError, "n_levels"),
])
def test_lattice_helpers_check_their_arguments(call, exc, named):
    with pytest.raises(exc, match=whole_word(named)):
        call()
