"""The classical tools for relations between levels: grey-level co-occurrence matrices (image
texture analysis) and landscape metrics (landscape ecology).

**Co-occurrence.**  Haralick, Shanmugam and Dinstein (1973) describe the texture of an image by
how often level ``i`` has level ``j`` at a fixed offset: for a distance ``d`` and a direction,
the matrix ``P[i, j]`` counts the cells of level ``i`` whose neighbour ``d`` cells away in that
direction holds level ``j``.  :func:`cooccurrence_features` computes these matrices with
scikit-image's :func:`skimage.feature.graycomatrix` (directed, ``symmetric=False``) for every
grid of a batch, at several distances and the four directions, and flattens them into one
feature vector per grid.

scikit-image names directions by angles.  Which neighbour an angle counts is pinned by a test
(``tests/test_cooccurrence.py``) rather than read off the docstring: with rows numbered from the
top, angle 0 counts the neighbour to the **right**, pi/2 the neighbour **below**, pi the one to
the left and 3 pi/2 the one above.  :data:`DIRECTIONS` maps the book's names to those angles.

**Landscape metrics.**  FRAGSTATS (McGarigal) and its ports PyLandStats (Bosch, 2019) and
landscapemetrics (Hesselbarth et al., 2019) summarise a map of classes by, among others, its
**class adjacency matrix** (how often class ``i`` touches class ``k`` across a cell edge,
counted in both directions: the "double-count" rule) and **contagion** (how clumped the
classes are, from 0 for a maximally interspersed map to 100 for one class everywhere).  Both are
a few lines of NumPy here (:func:`class_adjacency`, :func:`contagion`).  Adjacency is
undirected: a grid and its mirror image have the same matrix, so it cannot tell "A above B"
from "B above A".

Example
-------
>>> import numpy as np
>>> grid = np.array([[1], [2]])            # level 1 above level 2
>>> f = cooccurrence_features(grid[None], n_levels=2, distances=(1,),
...                           directions=("below",), normed=False)
>>> f.reshape(3, 3)[1, 2]                  # a 2 one cell below a 1
np.float32(1.0)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import check_bool, check_int
from .grids import check_grid

__all__ = ["DIRECTIONS", "cooccurrence_features", "cooccurrence_names", "class_adjacency",
           "contagion"]

DIRECTIONS: dict[str, float] = {"right": 0.0, "below": np.pi / 2, "left": np.pi,
                                "above": 3 * np.pi / 2}
"""The book's direction names and the scikit-image angle that counts that neighbour."""

MAX_FEATURES = 1 << 26
"""Largest number of feature values :func:`cooccurrence_features` returns (256 MB of float32)."""


def _batch(grids: object, n_levels: int) -> np.ndarray:
    g = check_grid(grids, n_levels, name="grids")
    if g.ndim == 2:
        g = g[None]
    return g


def _options(distances: object, directions: object) -> tuple[list[int], list[str]]:
    if isinstance(distances, (int, np.integer)) or not isinstance(distances, Sequence):
        raise TypeError(f"distances must be a sequence of integers such as (1, 2, 4), got "
                        f"{type(distances).__name__}")
    if not distances:
        raise ValueError("distances must hold at least one distance")
    dist = [check_int(f"distances[{i}]", d, minimum=1, maximum=64)
            for i, d in enumerate(distances)]
    if isinstance(directions, str) or not isinstance(directions, Sequence) or not directions:
        raise TypeError(f"directions must be a non-empty sequence of names from "
                        f"{list(DIRECTIONS)}, got {directions!r}")
    for d in directions:
        if d not in DIRECTIONS:
            raise ValueError(f"directions holds {d!r}; accepted: {list(DIRECTIONS)}")
    return dist, list(directions)


def cooccurrence_names(n_levels: int = 4, *, distances: Sequence[int] = (1, 2, 4),
                       directions: Sequence[str] = tuple(DIRECTIONS),
                       background: bool = True) -> list[str]:
    """Names of the values of :func:`cooccurrence_features`, in the same order, such as
    ``"2 below 1 at 4"`` (a cell of level 2 four cells below a cell of level 1).

    Parameters
    ----------
    n_levels, distances, directions, background
        As for :func:`cooccurrence_features`.

    Returns
    -------
    list of str
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    dist, dirs = _options(distances, directions)
    background = check_bool("background", background)
    levels = range(0 if background else 1, n_levels + 1)
    return [f"{j} {d} {i} at {k}" for k in dist for d in dirs for i in levels for j in levels]


def cooccurrence_features(grids: object, *, n_levels: int = 4,
                          distances: Sequence[int] = (1, 2, 4),
                          directions: Sequence[str] = tuple(DIRECTIONS),
                          background: bool = True, normed: bool = True) -> np.ndarray:
    """Directed co-occurrence matrices of every grid, flattened into one vector per grid.

    For each distance ``d`` and direction, ``P[i, j]`` counts the cells of level ``i`` whose
    neighbour ``d`` cells away in that direction has level ``j``
    (:func:`skimage.feature.graycomatrix` with ``symmetric=False``).  The four directions are
    redundant in pairs (the "left" matrix is the "right" one transposed), as scikit-image
    computes them; they are kept so that every name of :func:`cooccurrence_names` reads
    directly.

    Parameters
    ----------
    grids : (N, H, W) or (H, W) integer array
        Levels 0 (background) .. n_levels.
    n_levels : int
        Highest level, 1..16.
    distances : sequence of int
        Offsets in cells, each 1..64.
    directions : sequence of str
        Names from :data:`DIRECTIONS`.
    background : bool
        Keep the pairs that involve level 0; without them only pairs of levels 1..n_levels
        remain (normalised among themselves when ``normed``).
    normed : bool
        Divide every matrix by its number of pairs, so that grids of different sizes or with
        different amounts of background compare.  A matrix with no pair (no two levels at that
        offset) stays zero.

    Returns
    -------
    (N, len(distances) * len(directions) * L * L) float32 array
        ``L`` is ``n_levels + 1`` with the background, ``n_levels`` without; ordered as
        :func:`cooccurrence_names`.
    """
    from skimage.feature import graycomatrix

    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    dist, dirs = _options(distances, directions)
    background = check_bool("background", background)
    normed = check_bool("normed", normed)
    g = _batch(grids, n_levels).astype(np.uint8)
    keep = slice(0 if background else 1, n_levels + 1)
    size = n_levels + (1 if background else 0)
    n_values = len(g) * len(dist) * len(dirs) * size * size
    if n_values > MAX_FEATURES:
        raise ValueError(f"grids would give {n_values:,} feature values, more than the "
                         f"{MAX_FEATURES:,} allowed; pass fewer grids at a time")
    angles = [DIRECTIONS[d] for d in dirs]
    out = np.empty((len(g), len(dist), len(dirs), size, size), dtype=np.float32)
    for k, grid in enumerate(g):
        p = graycomatrix(grid, dist, angles, levels=n_levels + 1, symmetric=False)
        out[k] = p[keep, keep].transpose(2, 3, 0, 1)        # (dist, dir, i, j)
    if normed:
        total = out.sum(axis=(3, 4), keepdims=True)
        out = np.divide(out, total, out=np.zeros_like(out), where=total > 0)
    return out.reshape(len(g), -1)


def class_adjacency(grids: object, *, n_levels: int = 4, background: bool = False
                    ) -> np.ndarray:
    """FRAGSTATS' class adjacency matrix of every grid: how often a cell of class ``i`` shares
    an edge with a cell of class ``k`` (4-neighbourhood), every adjacent pair counted once in
    each order, so the matrix is symmetric.

    Parameters
    ----------
    grids : (N, H, W) or (H, W) integer array
        Levels 0..n_levels.
    n_levels : int
        Highest level, 1..16.
    background : bool
        Treat level 0 as a class of its own (landscape metrics usually do: every cell has a
        class); without it, pairs touching level 0 are left out.

    Returns
    -------
    (N, L, L) int64 array
        ``L`` is ``n_levels + 1`` with the background, ``n_levels`` without.
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    background = check_bool("background", background)
    g = _batch(grids, n_levels)
    n, levels = len(g), n_levels + 1
    adj = np.empty((n, levels, levels), dtype=np.int64)
    # about 8 MB of pair codes per batch, whatever the number of grids
    step = max(1, (1 << 20) // max(1, 2 * g[0].size))
    for start in range(0, n, step):
        b = g[start:start + step].astype(np.int64)
        m = len(b)
        code = np.concatenate([(b[:, :, :-1] * levels + b[:, :, 1:]).reshape(m, -1),
                               (b[:, :-1, :] * levels + b[:, 1:, :]).reshape(m, -1)], axis=1)
        code += (np.arange(m) * levels * levels)[:, None]
        adj[start:start + m] = np.bincount(code.ravel(), minlength=m * levels * levels
                                           ).reshape(m, levels, levels)
    adj += adj.transpose(0, 2, 1).copy()
    return adj if background else adj[:, 1:, 1:]


def contagion(grids: object, *, n_levels: int = 4) -> np.ndarray:
    """FRAGSTATS' contagion index (CONTAG) of every grid, in percent, with level 0 as a class:
    ``100 * (1 + sum_ik p_ik ln p_ik / (2 ln m))`` where ``p_ik`` is the share of class ``i``
    times the share of ``i``'s adjacencies that are with ``k`` and ``m`` the number of classes
    present.  100: one clump; near 0: classes maximally interspersed.  Undirected, like the
    adjacency matrix it is computed from.

    Parameters
    ----------
    grids : (N, H, W) or (H, W) integer array
        Levels 0..n_levels, at least two classes present in each grid.
    n_levels : int
        Highest level, 1..16.

    Returns
    -------
    (N,) float64 array

    Examples
    --------
    >>> halves = np.array([[1, 1, 2, 2]] * 4)
    >>> round(float(contagion(halves, n_levels=2)[0]), 1)
    17.5
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    g = _batch(grids, n_levels)
    adj = class_adjacency(g, n_levels=n_levels, background=True).astype(np.float64)
    share = np.stack([np.bincount(x.ravel(), minlength=n_levels + 1) for x in g]) / g[0].size
    present = (share > 0).sum(axis=1)
    if np.any(present < 2):
        bad = int(np.argmax(present < 2))
        raise ValueError(f"grids[{bad}] holds a single class: contagion needs at least two")
    rows = adj.sum(axis=2, keepdims=True)
    p = share[:, :, None] * np.divide(adj, rows, out=np.zeros_like(adj), where=rows > 0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=(1, 2))
    return 100.0 * (1.0 + plogp / (2.0 * np.log(present)))
