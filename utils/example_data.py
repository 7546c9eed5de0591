"""The example data set of chapter 6: grids like the original question's, objects anywhere.

Every grid is 50 x 50 with levels 0..4 (0 is empty).  It holds one blob of level 1 (the
*anchor*), one blob of level 2 placed relative to it according to the grid's class, and one or
two distractor blobs of each of levels 3 and 4 anywhere else.  Blobs are 3 to 12 connected cells
at **any position** (not on the 5 x 5 lattice of chapters 4 and 5).  The four classes are the
relations the question lists, with stated tolerances (offsets between blob centres, in cells):

=================  ==========================================  ============================
class              rows (level 2 minus level 1)                columns
=================  ==========================================  ============================
``above-right``    -18..-7 (above)                             7..18 (right)
``above-left``     -18..-7 (above)                             -18..-7 (left)
``below``          7..18 (below)                               -3..3 (same column)
``right``          -2..2 (same height)                         7..18 (right)
=================  ==========================================  ============================

Blob sizes and distractors are drawn independently of the class, so counting the cells of each
level says nothing about it.  :func:`write_example_data` writes the files the repository ships
(``data/make_example_data.py`` calls it; a test checks the shipped files against it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._validation import check_int, check_seed, check_size

__all__ = ["CLASSES", "make_example_grids", "write_example_data", "MAX_GRIDS"]

CLASSES = ("above-right", "above-left", "below", "right")
"""Where the level-2 blob lies relative to the level-1 blob, one class each."""

_OFFSETS = {  # (row range, column range) of the level-2 centre minus the level-1 centre
    "above-right": ((-18, -7), (7, 18)),
    "above-left": ((-18, -7), (-18, -7)),
    "below": ((7, 18), (-3, 3)),
    "right": ((-2, 2), (7, 18)),
}

MAX_GRIDS = 100_000
"""Largest number of grids :func:`make_example_grids` makes (250 MB)."""

_STEPS = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)])


def _blob(rng: np.random.Generator) -> np.ndarray:
    """Offsets (k, 2) of a connected blob of 3..12 cells within 2 cells of its centre."""
    size = int(rng.integers(3, 13))
    cells = {(0, 0)}
    while len(cells) < size:
        r, c = list(cells)[int(rng.integers(len(cells)))]
        dr, dc = _STEPS[int(rng.integers(4))]
        if abs(r + dr) <= 2 and abs(c + dc) <= 2:
            cells.add((int(r + dr), int(c + dc)))
    return np.array(sorted(cells))


def _place(grid: np.ndarray, centre: tuple[int, int], level: int,
           rng: np.random.Generator) -> bool:
    """Draw a blob of ``level`` at ``centre`` if every cell is free and inside; say if drawn."""
    cells = _blob(rng) + np.array(centre)
    h, w = grid.shape
    inside = (cells >= 0).all() and (cells[:, 0] < h).all() and (cells[:, 1] < w).all()
    if not inside or grid[cells[:, 0], cells[:, 1]].any():
        return False
    # keep one empty cell between blobs, so that every blob stays a separate object
    r0, c0 = np.maximum(cells.min(0) - 1, 0)
    r1, c1 = cells.max(0) + 2
    if grid[r0:r1, c0:c1].any():
        return False
    grid[cells[:, 0], cells[:, 1]] = level
    return True


def _one_grid(label: int, size: int, rng: np.random.Generator) -> np.ndarray:
    (r_lo, r_hi), (c_lo, c_hi) = _OFFSETS[CLASSES[label]]
    while True:
        grid = np.zeros((size, size), dtype=np.uint8)
        anchor = (int(rng.integers(2, size - 2)), int(rng.integers(2, size - 2)))
        other = (anchor[0] + int(rng.integers(r_lo, r_hi + 1)),
                 anchor[1] + int(rng.integers(c_lo, c_hi + 1)))
        if not (_place(grid, anchor, 1, rng) and _place(grid, other, 2, rng)):
            continue
        for level in (3, 4):
            wanted, tries = int(rng.integers(1, 3)), 0
            while wanted and tries < 200:
                tries += 1
                centre = (int(rng.integers(size)), int(rng.integers(size)))
                wanted -= _place(grid, centre, level, rng)
        return grid


def make_example_grids(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Balanced example grids and their classes (indices into :data:`CLASSES`).

    Parameters
    ----------
    n : int
        Number of grids, 4..:data:`MAX_GRIDS`; the classes take turns, so each has n/4.
    seed : int
        Seeds everything.

    Returns
    -------
    grids : (n, 50, 50) uint8 array
        Levels 0..4.
    labels : (n,) int64 array
        Class indices, shuffled.

    Examples
    --------
    >>> grids, labels = make_example_grids(8, seed=0)
    >>> grids.shape, sorted(set(grids.ravel().tolist())), np.bincount(labels).tolist()
    ((8, 50, 50), [0, 1, 2, 3, 4], [2, 2, 2, 2])
    """
    n = check_int("n", n, minimum=4)
    check_size("n", n, maximum=MAX_GRIDS, what="grids")
    seed = check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(CLASSES))
    grids = np.stack([_one_grid(int(k), 50, rng) for k in labels])
    return grids, labels.astype(np.int64)


def write_example_data(folder: object, *, n: int = 1000, n_new: int = 12, seed: int = 0
                       ) -> list[Path]:
    """Write the example files: ``grids/grids.npz`` with ``grids/labels.csv`` (one label per
    line), and ``new_grids/`` with one CSV file per grid and ``new_grids/labels.csv``
    (``name,label`` lines).

    Parameters
    ----------
    folder : str or Path
        Where to write (created if missing).
    n, n_new : int
        Grids in the labelled set and in the folder of new grids.
    seed : int
        Seeds the labelled set; the new grids use ``seed + 1``.

    Returns
    -------
    list of Path
        The files written.
    """
    if not isinstance(folder, (str, Path)):
        raise TypeError(f"folder must be a path, got {type(folder).__name__}")
    n_new = check_int("n_new", n_new, minimum=4, maximum=1000)
    seed = check_seed("seed", seed)
    root = Path(folder)
    written = []
    grids, labels = make_example_grids(n, seed=seed)
    (root / "grids").mkdir(parents=True, exist_ok=True)
    np.savez_compressed(root / "grids" / "grids.npz", grids=grids)
    lines = ["label"] + [CLASSES[k] for k in labels]
    (root / "grids" / "labels.csv").write_text("\n".join(lines) + "\n")
    written += [root / "grids" / "grids.npz", root / "grids" / "labels.csv"]
    new, new_labels = make_example_grids(n_new, seed=seed + 1)
    (root / "new_grids").mkdir(parents=True, exist_ok=True)
    rows = ["name,label"]
    for i, (g, k) in enumerate(zip(new, new_labels, strict=True)):
        name = f"grid_{i:02d}.csv"
        text = "\n".join(",".join(str(v) for v in row) for row in g.tolist())
        (root / "new_grids" / name).write_text(text + "\n")
        written.append(root / "new_grids" / name)
        rows.append(f"{name},{CLASSES[k]}")
    (root / "new_grids" / "labels.csv").write_text("\n".join(rows) + "\n")
    written.append(root / "new_grids" / "labels.csv")
    return written
