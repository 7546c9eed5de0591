"""Objects anywhere: connected components of one level, and label-free views of grids.

The lattice views of :func:`utils.arrangements.augment` need grids whose objects sit one per
lattice block.  The grids of chapter 6, and most grids a reader brings, have objects at any
cell.  Here an **object** is a 4-connected component of cells of one level (level 0 is the
background), and a view of a grid is made object by object:

- **shift**: the whole grid moves by any number of cells that keeps every object inside;
- **redraw**: every object becomes a new random blob of its level, of similar size (2/3 to 3/2
  of its cells), around the same centre, not touching any other object, and never with its
  old shape (so no blob's exact cells survive to identify the grid);
- **drop**: one random object is removed (if the grid has more than one);
- **add**: one blob of a random level, as large as one of the grid's objects, is drawn where it
  touches nothing.

The relations between objects (which level lies above, left of, ... which) are kept: a shift
moves everything alike, and a redrawn blob keeps its centre.

Example
-------
>>> g = np.zeros((1, 12, 12), dtype=np.uint8)
>>> g[0, 2:4, 2:4] = 1; g[0, 8, 5:8] = 2
>>> find_objects(g, n_levels=2).levels.tolist()
[1, 2]
>>> v = augment_objects(g, n_levels=2, drop=0, add=0, seed=0)
>>> np.bincount(v.ravel(), minlength=3)[1:].tolist() != [4, 3]   # new blob sizes
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import ndimage

from ._validation import check_bool, check_float, check_int, check_seed
from .grids import check_grid

__all__ = ["Objects", "find_objects", "augment_objects", "keep_levels", "grid_quarter",
           "MAX_BLOB"]

MAX_BLOB = 64
"""Largest object :func:`augment_objects` redraws; larger ones keep their cells."""

_SHAPES_PER_SIZE = 48
_TRIES = 12
_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=bool)


@dataclass(frozen=True)
class Objects:
    """The objects of a batch of grids, one row per object.

    Attributes
    ----------
    labels : (N, H, W) int32
        Object number of every cell (1..M; 0 for the background).
    grid, levels, sizes : (M,) int
        Grid index, level and number of cells of every object (object ``j`` is label
        ``j + 1``).
    centres : (M, 2) float
        Mean row and column of every object's cells.
    """

    labels: np.ndarray
    grid: np.ndarray
    levels: np.ndarray
    sizes: np.ndarray
    centres: np.ndarray


def _components(g: np.ndarray, n_levels: int) -> Objects:
    n, h, w = g.shape
    labels = np.zeros(g.shape, dtype=np.int32)
    structure = np.zeros((3, 3, 3), dtype=bool)
    structure[1] = _CROSS          # 4-connected within a grid, never across grids
    total = 0
    for level in range(1, n_levels + 1):
        mask = g == level
        if not mask.any():
            continue
        found, m = ndimage.label(mask, structure=structure)
        labels[mask] = found[mask] + total
        total += m
    cells = np.flatnonzero(labels)
    ids = labels.ravel()[cells] - 1
    where, rows, cols = np.unravel_index(cells, g.shape)
    sizes = np.bincount(ids, minlength=total)
    grid = np.zeros(total, dtype=np.int64)
    grid[ids] = where
    levels = np.zeros(total, dtype=np.int64)
    levels[ids] = g.ravel()[cells]
    safe = np.maximum(sizes, 1)
    centres = np.stack([np.bincount(ids, rows, total) / safe,
                        np.bincount(ids, cols, total) / safe], axis=1)
    return Objects(labels=labels, grid=grid, levels=levels, sizes=sizes, centres=centres)


def find_objects(grids: object, *, n_levels: int) -> Objects:
    """Connected components (4-neighbours) of every level 1..n_levels of every grid.

    Parameters
    ----------
    grids : (N, H, W) or (H, W) integer array
        Level grids 0..n_levels.
    n_levels : int
        Highest level, 1..255.

    Returns
    -------
    Objects
        Ordered by level, then as :func:`scipy.ndimage.label` numbers them.
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    g = check_grid(grids, n_levels, name="grids")
    if g.ndim == 2:
        g = g[None]
    if g.ndim != 3:
        raise ValueError(f"grids must be (H, W) or a batch (N, H, W), got shape {g.shape}")
    return _components(g, n_levels)


@lru_cache(maxsize=1)
def _blob_library() -> tuple[np.ndarray, np.ndarray]:
    """Random connected blobs of 1..MAX_BLOB cells, grown from one cell by adding a random
    4-neighbour of a random cell: offsets (MAX_BLOB + 1, S, MAX_BLOB, 2) from the rounded
    centre, padded by repeating the first cell, and a canonical code of every shape."""
    rng = np.random.default_rng(20261204)
    steps = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)])
    offsets = np.zeros((MAX_BLOB + 1, _SHAPES_PER_SIZE, MAX_BLOB, 2), dtype=np.int64)
    for s in range(1, MAX_BLOB + 1):
        for k in range(_SHAPES_PER_SIZE):
            cells = [(0, 0)]
            seen = {(0, 0)}
            while len(cells) < s:
                r, c = cells[int(rng.integers(len(cells)))]
                dr, dc = steps[int(rng.integers(4))]
                if (r + dr, c + dc) not in seen:
                    seen.add((r + dr, c + dc))
                    cells.append((r + dr, c + dc))
            arr = np.array(cells)
            arr -= np.round(arr.mean(axis=0)).astype(np.int64)
            offsets[s, k, :s] = arr
            offsets[s, k, s:] = arr[0]
    return offsets


def _dilate(mask: np.ndarray) -> np.ndarray:
    """3 x 3 dilation of a batch of masks (N, H, W): a cell next to an object is taken."""
    out = mask.copy()
    out[:, 1:] |= mask[:, :-1]
    out[:, :-1] |= mask[:, 1:]
    wide = out.copy()
    wide[:, :, 1:] |= out[:, :, :-1]
    wide[:, :, :-1] |= out[:, :, 1:]
    return wide


def random_shift(occupied: np.ndarray, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Random whole-step moves (rows, columns) of every map of a batch (N, R, C) of
    occupancy maps that keep every occupied place inside (no move for an empty map)."""
    n, r, c = occupied.shape
    any_r, any_c = occupied.any(axis=2), occupied.any(axis=1)
    empty = ~any_r.any(axis=1)
    rmin = np.where(empty, 0, any_r.argmax(axis=1))
    rmax = np.where(empty, r - 1, r - 1 - any_r[:, ::-1].argmax(axis=1))
    cmin = np.where(empty, 0, any_c.argmax(axis=1))
    cmax = np.where(empty, c - 1, c - 1 - any_c[:, ::-1].argmax(axis=1))
    return rng.integers(-rmin, r - rmax), rng.integers(-cmin, c - cmax)


def shift_grids(grids: np.ndarray, dr: np.ndarray, dc: np.ndarray) -> np.ndarray:
    """Move every grid of a batch (N, H, W) by its own (dr, dc) cells, filling with 0."""
    n, h, w = grids.shape
    src_r = np.arange(h)[None, :] - dr[:, None]
    src_c = np.arange(w)[None, :] - dc[:, None]
    ok = ((src_r >= 0) & (src_r < h))[:, :, None] & ((src_c >= 0) & (src_c < w))[:, None, :]
    moved = grids[np.arange(n)[:, None, None], np.clip(src_r, 0, h - 1)[:, :, None],
                  np.clip(src_c, 0, w - 1)[:, None, :]]
    return np.where(ok, moved, 0).astype(grids.dtype)


def augment_objects(grids: object, *, n_levels: int = 4, shift: bool = True,
                    redraw: bool = True, drop: float = 0.5, add: float = 0.5,
                    move: int = 1, seed: int = 0) -> np.ndarray:
    """Label-free views of grids whose objects sit anywhere, for contrastive learning.

    See the module's description of ``shift``, ``redraw``, ``drop`` and ``add``.  An object
    whose new blob cannot be placed in 12 tries (it would touch another object or leave the
    grid) keeps its cells but the one farthest from its centre; an object larger than
    :data:`MAX_BLOB` cells keeps all of its cells; an added object that finds no place in 12
    tries is not added.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Level grids 0..n_levels, of any size.
    n_levels : int
        Highest level, 1..255 (added objects get a level 1..n_levels).
    shift, redraw : bool
        Move the grids; draw every object as a new blob.
    drop, add : float
        Probabilities in [0, 1] of removing one object and of adding one.
    move : int
        With ``redraw``, every object's centre also moves by up to ``move`` cells in each
        direction, each object on its own (0..10; 0 keeps the centres).  The default is
        :func:`utils.contrastive.fit_contrastive`'s, whose views this makes.
    seed : int
        Seeds the views.

    Returns
    -------
    (N, H, W) uint8 array
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    shift = check_bool("shift", shift)
    redraw = check_bool("redraw", redraw)
    drop = check_float("drop", drop, minimum=0.0, maximum=1.0)
    add = check_float("add", add, minimum=0.0, maximum=1.0)
    move = check_int("move", move, minimum=0, maximum=10)
    g = check_grid(grids, n_levels, name="grids")
    if g.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {g.shape}")
    rng = np.random.default_rng(check_seed("seed", seed))
    # about 25 MB of working arrays per 500 grids of 50 x 50, whatever the batch
    step = max(1, (500 * 2500) // max(g.shape[1] * g.shape[2], 1))
    return np.concatenate([_views(g[i:i + step], n_levels, shift, redraw, drop, add, move,
                                  rng) for i in range(0, len(g), step)] or [g.astype(np.uint8)])


def _views(g: np.ndarray, n_levels: int, shift: bool, redraw: bool, drop: float, add: float,
           move: int, rng: np.random.Generator) -> np.ndarray:
    """The views of one chunk of grids (see :func:`augment_objects`)."""
    n, h, w = g.shape
    obj = _components(g, n_levels)
    m = len(obj.sizes)
    per_grid = np.bincount(obj.grid, minlength=n)
    labels = obj.labels

    kept = np.ones(m, dtype=bool)
    if drop > 0 and m:
        # one random object of every grid that has more than one, with probability drop
        order = np.argsort(obj.grid + rng.random(m), kind="stable")
        start = np.concatenate([[0], np.cumsum(per_grid)[:-1]])
        chosen = order[start[per_grid > 0]]
        do = (rng.random(len(chosen)) < drop) & (per_grid[obj.grid[chosen]] > 1)
        kept[chosen[do]] = False
        labels = np.where(np.isin(labels, chosen[do] + 1), 0, labels)

    dr = np.zeros(n, dtype=np.int64)
    dc = np.zeros(n, dtype=np.int64)
    if shift:
        dr, dc = random_shift(labels > 0, rng)
        labels = shift_grids(labels, dr, dc)
    centres = obj.centres + np.stack([dr, dc], axis=1)[obj.grid]
    if move and redraw:
        centres = centres + rng.integers(-move, move + 1, size=centres.shape)
    level_of = np.concatenate([[0], obj.levels]).astype(np.uint8)
    if not redraw:
        out = level_of[labels]
    else:
        out = _redraw(labels, obj, kept, centres, level_of, rng)
    if add > 0:
        _add_objects(out, obj, kept, add, n_levels, rng)
    return out


def _redraw(labels: np.ndarray, obj: Objects, kept: np.ndarray, centres: np.ndarray,
            level_of: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw every kept object as a new blob, one rank of objects per grid at a time: the
    blob avoids the cells next to the objects already drawn and to the original cells of the
    objects still to come, so an object that falls back to its own cells touches nothing
    new."""
    n, h, w = labels.shape
    library = _blob_library()
    out = np.zeros(labels.shape, dtype=np.uint8)
    ids = np.flatnonzero(kept)
    if not ids.size:
        return out
    # rank of every kept object within its grid, in random order
    order = ids[np.lexsort((rng.random(ids.size), obj.grid[ids]))]
    grid_of = obj.grid[order]
    start = np.searchsorted(grid_of, grid_of)
    rank = np.zeros(len(obj.sizes), dtype=np.int64)
    rank[order] = np.arange(order.size) - start
    rank_map = np.concatenate([[-1], rank]).astype(np.int32)
    rank_map[1:][~kept] = -1
    cell_rank = rank_map[labels]                     # (n, h, w), -1 where empty
    placed = np.zeros(labels.shape, dtype=bool)
    for r in range(int(rank[order].max()) + 1):
        these = order[rank[order] == r]
        later = cell_rank > r
        blocked = _dilate(placed | later)
        centre = np.round(centres[these]).astype(np.int64)
        size = obj.sizes[these]
        gi = obj.grid[these]
        done = size > MAX_BLOB
        for _ in range(_TRIES):
            todo = np.flatnonzero(~done)
            if not todo.size:
                break
            s = size[todo]
            low = np.maximum(1, np.round(s * 2 / 3)).astype(np.int64)
            high = np.minimum(MAX_BLOB, np.round(s * 3 / 2)).astype(np.int64)
            new = rng.integers(low, high + 1)
            shape = rng.integers(0, _SHAPES_PER_SIZE, size=todo.size)
            cells = centre[todo, None, :] + library[new, shape]       # (T, MAX_BLOB, 2)
            inside = ((cells >= 0) & (cells < (h, w))).all(axis=(1, 2))
            rr = np.clip(cells[..., 0], 0, h - 1)
            cc = np.clip(cells[..., 1], 0, w - 1)
            g = gi[todo, None]
            free = ~blocked[g, rr, cc].any(axis=1)
            same = (new == s) & (labels[g, rr, cc] == these[todo, None] + 1).all(axis=1)
            good = inside & free & ~same
            ok = todo[good]
            out[g[good], rr[good], cc[good]] = level_of[these[ok] + 1][:, None]
            placed[g[good], rr[good], cc[good]] = True
            done[ok] = True
        for j in np.flatnonzero(~done):
            # no room for a new blob: keep its cells but the one farthest from
            # its centre (a changed shape, and nothing that touches another object)
            mine = labels[gi[j]] == these[j] + 1
            cells = np.argwhere(mine)
            if len(cells) > 1:
                far = np.argmax(((cells - centres[these[j]]) ** 2).sum(axis=1))
                mine[tuple(cells[far])] = False
            out[gi[j]][mine] = level_of[these[j] + 1]
            placed[gi[j]] |= mine
    return out


def _add_objects(out: np.ndarray, obj: Objects, kept: np.ndarray, add: float,
                 n_levels: int, rng: np.random.Generator) -> None:
    """Draw one blob of a random level into every grid with probability ``add``, as large
    as a random object of the grid (3..12 cells in an empty grid), touching nothing."""
    n, h, w = out.shape
    library = _blob_library()
    which = np.flatnonzero(rng.random(n) < add)
    if not which.size:
        return
    sizes = rng.integers(3, 13, size=which.size)
    ids = np.flatnonzero(kept)
    if ids.size:
        pick = ids[np.argsort(obj.grid[ids] + rng.random(ids.size), kind="stable")]
        counts = np.bincount(obj.grid[ids], minlength=n)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        has = counts[which] > 0
        offset = (rng.random(which.size) * np.maximum(counts[which], 1)).astype(np.int64)
        chosen = pick[np.minimum(first[which] + offset, ids.size - 1)]
        sizes = np.where(has, np.minimum(obj.sizes[chosen], MAX_BLOB), sizes)
    levels = rng.integers(1, n_levels + 1, size=which.size).astype(np.uint8)
    blocked = _dilate(out[which] > 0)
    done = np.zeros(which.size, dtype=bool)
    for _ in range(_TRIES):
        todo = np.flatnonzero(~done)
        if not todo.size:
            break
        centre = np.stack([rng.integers(0, h, todo.size), rng.integers(0, w, todo.size)], 1)
        shape = rng.integers(0, _SHAPES_PER_SIZE, size=todo.size)
        cells = centre[:, None, :] + library[sizes[todo], shape]
        inside = ((cells >= 0) & (cells < (h, w))).all(axis=(1, 2))
        rr = np.clip(cells[..., 0], 0, h - 1)
        cc = np.clip(cells[..., 1], 0, w - 1)
        free = ~blocked[todo[:, None], rr, cc].any(axis=1)
        good = inside & free
        ok = todo[good]
        out[which[ok][:, None], rr[good], cc[good]] = levels[ok][:, None]
        done[ok] = True



def keep_levels(grids: object, levels: object) -> np.ndarray:
    """The grids with every level not in ``levels`` turned into background (0).

    Parameters
    ----------
    grids : integer array
        Level grids (any shape), levels 0..255.
    levels : sequence of int
        Levels to keep, each 1..255, at least one.

    Returns
    -------
    uint8 array of the grids' shape

    Examples
    --------
    >>> keep_levels(np.array([[0, 1, 2, 3]]), [1, 3]).tolist()
    [[0, 1, 0, 3]]
    """
    g = check_grid(grids, name="grids")
    if isinstance(levels, (str, bytes)) or not hasattr(levels, "__len__") or not len(levels):
        raise TypeError(f"levels must be a non-empty sequence of levels 1..255, got "
                        f"{levels!r}")
    keep = [check_int(f"levels[{i}]", v, minimum=1, maximum=255) for i, v in enumerate(levels)]
    return np.where(np.isin(g, keep), g, 0).astype(np.uint8)


def grid_quarter(grids: object) -> np.ndarray:
    """Which quarter of each grid holds the centre of its non-empty cells.

    The position a clustering should *not* follow: chapters 5b and 6 score clusters of
    grids whose objects sit anywhere against it (an NMI near 0 means the clusters ignore
    where the objects are).

    Parameters
    ----------
    grids : (N, H, W) integer array
        Level grids, each with at least one non-empty cell.

    Returns
    -------
    (N,) int64 array
        0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right; a centre on the middle row
        (column) counts as bottom (right).

    Examples
    --------
    >>> g = np.zeros((2, 4, 4), dtype=np.uint8)
    >>> g[0, 0, 3] = 1; g[1, 3, 0] = 2
    >>> grid_quarter(g).tolist()
    [1, 2]
    """
    g = check_grid(grids, name="grids")
    if g.ndim != 3:
        raise ValueError(f"grids must be a stack (N, H, W), got shape {g.shape}")
    full = g > 0
    n = full.sum(axis=(1, 2))
    if not n.all():
        raise ValueError(f"grids must each hold a non-empty cell; grid {int(np.argmin(n))} "
                         f"is all background (0)")
    rows, cols = np.indices(g.shape[1:])
    down = (full * rows).sum(axis=(1, 2)) / n >= g.shape[1] / 2
    right = (full * cols).sum(axis=(1, 2)) / n >= g.shape[2] / 2
    return down.astype(np.int64) * 2 + right
