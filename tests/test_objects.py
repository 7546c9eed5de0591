"""Views of grids whose objects sit anywhere (utils.objects)."""

from __future__ import annotations

import numpy as np
import pytest

from utils import arrangements as ar
from utils import example_data as ex
from utils import objects as ob

from words import whole_word


@pytest.fixture(scope="module")
def grids():
    return ex.make_example_grids(200, seed=0)[0]


def _cells(o, j):
    """The cells of object j, relative to its grid's other objects' frame."""
    return {tuple(rc) for rc in np.argwhere(o.labels[o.grid[j]] == j + 1)}


def test_find_objects_counts_components_of_one_level():
    g = np.zeros((1, 8, 8), dtype=np.uint8)
    g[0, 0, 0:2] = 1          # one object of two cells
    g[0, 1, 2] = 1            # touches the first only diagonally: a second object
    g[0, 5:7, 5:7] = 3
    g[0, 0, 2] = 2            # next to the first level-1 object, but another level
    o = ob.find_objects(g, n_levels=3)
    assert o.levels.tolist() == [1, 1, 2, 3]
    assert o.sizes.tolist() == [2, 1, 1, 4]
    assert o.centres[3].tolist() == [5.5, 5.5]
    assert (o.grid == 0).all()


def test_views_keep_objects_and_relations_and_no_blob_shape(grids):
    before = ob.find_objects(grids, n_levels=4)
    views = ob.augment_objects(grids, drop=0, add=0, move=0, seed=1)
    after = ob.find_objects(views, n_levels=4)
    # the same objects (level by level, grid by grid)
    key = before.grid * 10 + before.levels
    assert np.array_equal(np.sort(key), np.sort(after.grid * 10 + after.levels))
    # levels 1 and 2 appear once per grid: their offset (the class) is kept to two cells
    def offset(o):
        one = o.centres[o.levels == 1][np.argsort(o.grid[o.levels == 1])]
        two = o.centres[o.levels == 2][np.argsort(o.grid[o.levels == 2])]
        return two - one
    error = np.abs(offset(before) - offset(after))
    assert error.max() <= 2.0 and error.mean() < 0.5   # redrawn around the same centre
    # sizes are similar, shapes new: the fingerprint trap is closed
    assert abs(after.sizes.mean() / before.sizes.mean() - 1) < 0.25
    order_b = np.lexsort((before.levels, before.grid))
    order_a = np.lexsort((after.levels, after.grid))
    ones = [j for j in order_b if before.levels[j] in (1, 2)]
    ones_a = [j for j in order_a if after.levels[j] in (1, 2)]
    kept = 0
    for jb, ja in zip(ones, ones_a, strict=True):
        shift = np.round(after.centres[ja] - before.centres[jb]).astype(int)
        moved = {(r + shift[0], c + shift[1]) for r, c in _cells(before, jb)}
        kept += moved == _cells(after, ja)
    assert kept == 0, f"{kept} blobs kept their exact cells"


def test_shift_moves_by_any_cells_and_keeps_everything_inside(grids):
    moved = ob.augment_objects(grids, redraw=False, drop=0, add=0, seed=3)
    assert np.array_equal(np.sort(moved.reshape(len(grids), -1), axis=1),
                          np.sort(grids.reshape(len(grids), -1), axis=1))
    rows = [np.argwhere(g)[:, 0].min() - np.argwhere(m)[:, 0].min()
            for g, m in zip(grids, moved, strict=True)]
    assert any(r % 5 for r in rows), "shifts should not be whole 5-cell blocks"


def test_drop_and_add_change_one_object(grids):
    n_before = np.bincount(ob.find_objects(grids, n_levels=4).grid, minlength=len(grids))
    dropped = ob.augment_objects(grids, shift=False, redraw=False, drop=1.0, add=0, seed=0)
    n_dropped = np.bincount(ob.find_objects(dropped, n_levels=4).grid, minlength=len(grids))
    assert np.array_equal(n_dropped, n_before - 1)
    added = ob.augment_objects(grids, shift=False, redraw=False, drop=0, add=1.0, seed=0)
    n_added = np.bincount(ob.find_objects(added, n_levels=4).grid, minlength=len(grids))
    assert np.mean(n_added == n_before + 1) > 0.95
    assert np.all(added[grids > 0] == grids[grids > 0])


@pytest.mark.parametrize("n_levels", [3, 9])
def test_views_of_grids_with_other_numbers_of_levels(n_levels):
    rng = np.random.default_rng(n_levels)
    g = np.zeros((50, 30, 30), dtype=np.uint8)
    for i in range(50):
        for level in rng.choice(np.arange(1, n_levels + 1), size=3, replace=False):
            r, c = rng.integers(0, 27, size=2)
            g[i, r:r + 3, c:c + 2] = level
    views = ob.augment_objects(g, n_levels=n_levels, drop=0, add=1.0, seed=0)
    assert views.max() <= n_levels
    assert set(np.unique(views)) - {0} > set()
    assert len(ob.find_objects(views, n_levels=n_levels).sizes) > len(
        ob.find_objects(g, n_levels=n_levels).sizes)


def test_move_moves_each_centre_by_at_most_move_cells():
    g = np.zeros((1, 20, 20), dtype=np.uint8)
    g[0, 5, 5] = 1
    g[0, 14, 14] = 2
    centres = []
    for seed in range(30):
        v = ob.augment_objects(g, shift=False, drop=0, add=0, move=2, seed=seed)
        centres.append(ob.find_objects(v, n_levels=2).centres)
    offsets = np.array(centres) - ob.find_objects(g, n_levels=2).centres
    assert np.abs(offsets).max() <= 2 + 1.0      # the move, plus the new blob's own centre
    assert np.abs(offsets).max() > 1.0           # and they do move


def test_keep_levels():
    g = np.array([[[0, 1, 2], [3, 4, 1]]])
    assert ob.keep_levels(g, [1, 4]).tolist() == [[[0, 1, 0], [0, 4, 1]]]
    with pytest.raises(TypeError, match=whole_word("levels")):
        ob.keep_levels(g, 1)
    with pytest.raises(ValueError, match=whole_word("levels[0]")):
        ob.keep_levels(g, [0])


def test_grid_quarter_finds_the_quarter_of_the_centre():
    g = np.zeros((4, 10, 10), dtype=np.uint8)
    g[0, 1, 1] = 1                     # top-left
    g[1, 2, 8] = 3                     # top-right
    g[2, 9, 0] = 2                     # bottom-left
    g[3, 6, 2:10] = 4                  # bottom-right: centre at column 5.5
    assert ob.grid_quarter(g).tolist() == [0, 1, 2, 3]
    # the centre of all non-empty cells, not of one object
    g2 = np.zeros((1, 10, 10), dtype=np.uint8)
    g2[0, 0, 0] = 1
    g2[0, 9, 9] = 2
    assert ob.grid_quarter(g2).tolist() == [0]   # centre (4.5, 4.5): above and left of 5
    g2[0, 9, 0] = 3
    assert ob.grid_quarter(g2).tolist() == [2]   # centre (6, 3): bottom-left
    with pytest.raises(ValueError, match=whole_word("grids")):
        ob.grid_quarter(np.zeros((2, 4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match=whole_word("grids")):
        ob.grid_quarter(np.ones((4, 4), dtype=np.uint8))


def test_same_seed_same_views(grids):
    a = ob.augment_objects(grids, seed=4)
    assert np.array_equal(a, ob.augment_objects(grids, seed=4))
    assert not np.array_equal(a, ob.augment_objects(grids, seed=5))


def test_lattice_views_accept_other_numbers_of_levels():
    g = ar.make_arrangements(20, seed=0).grids
    g6 = np.where(g == 4, 6, g)
    views = ar.augment(g6, n_levels=6, add=1.0, seed=0)
    assert views.max() <= 6
    with pytest.raises(ValueError, match=whole_word("grids")):
        ar.augment(g6)                 # levels above 4 without n_levels=6


BAD = [
    (ob.find_objects, (np.zeros((2, 5, 5), int),), {"n_levels": 0}, ValueError, "n_levels"),
    (ob.find_objects, (np.full((2, 5, 5), 5),), {"n_levels": 4}, ValueError, "grids"),
    (ob.find_objects, (np.zeros((2, 2, 5, 5), int),), {"n_levels": 4}, ValueError, "grids"),
    (ob.augment_objects, (np.zeros((5, 5), int),), {}, ValueError, "grids"),
    (ob.augment_objects, (np.zeros((2, 5, 5), int),), {"drop": 2}, ValueError, "drop"),
    (ob.augment_objects, (np.zeros((2, 5, 5), int),), {"shift": "no"}, TypeError, "shift"),
    (ob.augment_objects, (np.zeros((2, 5, 5), int),), {"seed": -1}, ValueError, "seed"),
    (ob.augment_objects, (np.full((2, 5, 5), 1.5),), {}, (TypeError, ValueError), "grids"),
    (ob.augment_objects, (np.zeros((2, 5, 5), int),), {"move": 11}, ValueError, "move"),
    (ob.keep_levels, (np.zeros((2, 5, 5), int), []), {}, TypeError, "levels"),
]


@pytest.mark.parametrize(("call", "args", "kwargs", "exc", "named"), BAD)
def test_bad_arguments_are_named(call, args, kwargs, exc, named):
    with pytest.raises(exc, match=whole_word(named)):
        call(*args, **kwargs)
