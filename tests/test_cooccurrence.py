"""Co-occurrence features and landscape metrics (issue 23): scikit-image's angle convention
pinned on two-cell grids, mirror images that undirected adjacency cannot tell apart, contagion
against hand-computed values, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.feature import graycomatrix

from utils import cooccurrence as co
from utils.directional import directional_features

ONE_ABOVE_TWO = np.array([[1], [2]], dtype=np.uint8)
ONE_LEFT_OF_TWO = np.array([[1, 2]], dtype=np.uint8)


def test_scikit_image_angle_convention():
    """Read off the library, not its docstring: P[i, j] at angle pi/2 counts a j one row
    *below* an i (rows numbered from the top); 0 counts the neighbour to the right."""
    def p(grid, angle):
        return graycomatrix(grid, [1], [angle], levels=3, symmetric=False)[:, :, 0, 0]

    assert p(ONE_ABOVE_TWO, np.pi / 2)[1, 2] == 1 and p(ONE_ABOVE_TWO, np.pi / 2)[2, 1] == 0
    assert p(ONE_ABOVE_TWO, 3 * np.pi / 2)[2, 1] == 1
    assert p(ONE_LEFT_OF_TWO, 0)[1, 2] == 1 and p(ONE_LEFT_OF_TWO, np.pi)[2, 1] == 1
    assert p(ONE_ABOVE_TWO, 0).sum() == 0            # no neighbour to the right in a column


@pytest.mark.parametrize("grid, direction, i, j", [
    (ONE_ABOVE_TWO, "below", 1, 2), (ONE_ABOVE_TWO, "above", 2, 1),
    (ONE_LEFT_OF_TWO, "right", 1, 2), (ONE_LEFT_OF_TWO, "left", 2, 1)])
def test_the_book_names_match_the_angles(grid, direction, i, j):
    f = co.cooccurrence_features(grid, n_levels=2, distances=(1,), directions=(direction,),
                                 normed=False).reshape(3, 3)
    assert f[i, j] == 1 and f.sum() == 1
    name = co.cooccurrence_names(2, distances=(1,), directions=(direction,))
    assert name[i * 3 + j] == f"{j} {direction} {i} at 1"


def test_features_shape_order_normalisation_and_background():
    rng = np.random.default_rng(0)
    g = rng.integers(0, 5, size=(6, 12, 12))
    f = co.cooccurrence_features(g, n_levels=4, distances=(1, 3))
    assert f.shape == (6, 2 * 4 * 25) and f.dtype == np.float32
    assert np.allclose(f.reshape(6, 8, 25).sum(axis=2), 1.0)         # each matrix sums to 1
    assert len(co.cooccurrence_names(4, distances=(1, 3))) == f.shape[1]
    # left is right transposed
    m = f.reshape(6, 2, 4, 5, 5)
    assert np.allclose(m[:, :, 2], m[:, :, 0].transpose(0, 1, 3, 2))
    fg = co.cooccurrence_features(g, n_levels=4, distances=(1, 3), background=False)
    assert fg.shape == (6, 2 * 4 * 16)
    assert np.allclose(fg.reshape(6, 8, 16).sum(axis=2), 1.0)
    # translation: the same counts when an isolated pattern moves inside an empty grid
    a = np.zeros((10, 10), dtype=np.uint8)
    a[2:4, 2:5] = [[1, 2, 3], [4, 1, 2]]
    b = np.roll(a, (4, 3), axis=(0, 1))
    fa, fb = co.cooccurrence_features(np.stack([a, b]), background=False)
    assert np.array_equal(fa, fb)


def test_mirror_images_have_equal_adjacency_and_different_directions():
    """Undirected adjacency cannot tell "A above B" from "B above A"; directional features and
    directed co-occurrence can."""
    grid = np.zeros((10, 10), dtype=np.uint8)
    grid[1:3, 2:6] = 1
    grid[3:5, 3:7] = 2          # the 2 is below the 1, and touches it
    mirror = grid[::-1].copy()  # now the 2 is above the 1
    pair = np.stack([grid, mirror])
    adj = co.class_adjacency(pair, n_levels=2)
    assert np.array_equal(adj[0], adj[1]) and adj[0, 0, 1] > 0
    assert np.array_equal(adj[0], adj[0].T)
    assert co.contagion(pair, n_levels=2)[0] == pytest.approx(co.contagion(pair, n_levels=2)[1])
    d = directional_features(pair, n_levels=2, block=1).reshape(2, 2, 10, 2)
    assert not np.array_equal(d[0], d[1])
    assert d[0, 0, 1, 1] > 0 and d[1, 0, 1, 1] == 0      # "a 2 below a 1" only in the first
    c = co.cooccurrence_features(pair, n_levels=2, distances=(1,), directions=("below",),
                                 background=False)
    assert not np.array_equal(c[0], c[1])


def test_class_adjacency_counts_every_edge_twice():
    halves = np.array([[1, 1, 2, 2]] * 4)
    adj = co.class_adjacency(halves, n_levels=2)[0]
    assert adj.tolist() == [[20, 4], [4, 20]]
    with_bg = co.class_adjacency(np.array([[0, 1]]), n_levels=1, background=True)[0]
    assert with_bg.tolist() == [[0, 1], [1, 0]]
    assert co.class_adjacency(np.array([[0, 1]]), n_levels=1)[0].tolist() == [[0]]


def test_contagion_hand_computed():
    halves = np.array([[1, 1, 2, 2]] * 4)
    # shares 1/2; adjacencies 20 like, 4 unlike of 24 per class
    p = np.array([0.5 * 20 / 24, 0.5 * 4 / 24] * 2)
    expected = 100 * (1 + np.sum(p * np.log(p)) / (2 * np.log(2)))
    assert co.contagion(halves, n_levels=2)[0] == pytest.approx(expected)
    checker = np.indices((4, 4)).sum(axis=0) % 2 + 1
    assert co.contagion(checker, n_levels=2)[0] == pytest.approx(50.0)


@pytest.mark.parametrize("call, message", [
    (lambda: co.cooccurrence_features(np.ones((4, 4)), distances=2), "distances"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), distances=()), "distances"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), distances=(0,)), "distances[0]"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), directions=("up",)), "directions"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), directions="above"), "directions"),
    (lambda: co.cooccurrence_features(np.full((4, 4), 5)), "grids"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), n_levels=0), "n_levels"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), background="no"), "background"),
    (lambda: co.cooccurrence_features(np.ones((4, 4)), normed=1), "normed"),
    (lambda: co.cooccurrence_features(np.zeros((300_000, 4, 4), dtype=np.uint8)), "fewer grids"),
    (lambda: co.class_adjacency(np.ones((2, 2, 2, 2))), "grids"),
    (lambda: co.class_adjacency(np.ones((4, 4)), n_levels=17), "n_levels"),
    (lambda: co.contagion(np.ones((4, 4)), n_levels=2), "single class"),
    (lambda: co.cooccurrence_names(2, directions=("north",)), "directions"),
])
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert message in str(info.value)
