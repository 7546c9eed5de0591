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

:func:`make_family_grids` draws a second kind of example: **families that involve all four
levels**, placed anywhere.  A family is a template of :mod:`utils.arrangements` (one object of
each level 1..4 at fixed relative places, :data:`utils.arrangements.TEMPLATES` by default), but
here every object is a blob centred on a cell, the template's places are ``spacing`` cells
apart, every object moves on its own by up to ``jitter`` cells, and the whole arrangement sits
at any cell: nothing is on a lattice, and nothing is made by moving lattice grids (the
transform that makes a contrastive encoder's training views), so grouping these grids by family
is evidence from outside that transform.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._validation import check_bool, check_int, check_seed, check_size
from .arrangements import TEMPLATES, FamilyGrids, check_templates
from .grids import level_counts

__all__ = ["CLASSES", "make_example_grids", "write_example_data", "MAX_GRIDS",
           "make_family_grids", "place_blob"]

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


def place_blob(grid: np.ndarray, centre: tuple[int, int], level: int,
               rng: np.random.Generator) -> bool:
    """Draw a random blob of ``level`` (3 to 12 connected cells within 2 cells of ``centre``)
    into ``grid`` if it fits: every cell inside and free, and one empty cell between it and
    any other blob, so that every blob stays an object of its own.

    Parameters
    ----------
    grid : (H, W) uint8 array
        Changed in place.
    centre : (row, column)
    level : int
        1..255.
    rng : numpy.random.Generator

    Returns
    -------
    bool
        Whether the blob was drawn (nothing is changed when it does not fit).
    """
    if not isinstance(grid, np.ndarray) or grid.ndim != 2 or grid.dtype != np.uint8:
        raise TypeError(f"grid must be a 2-D uint8 array, got {type(grid).__name__} "
                        f"{getattr(grid, 'shape', '')}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    level = check_int("level", level, minimum=1, maximum=255)
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
        if not (place_blob(grid, anchor, 1, rng) and place_blob(grid, other, 2, rng)):
            continue
        for level in (3, 4):
            wanted, tries = int(rng.integers(1, 3)), 0
            while wanted and tries < 200:
                tries += 1
                centre = (int(rng.integers(size)), int(rng.integers(size)))
                wanted -= place_blob(grid, centre, level, rng)
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


def make_family_grids(n: int, *, templates: dict | None = None, spacing: int = 5,
                      jitter: int = 1, max_distractors: int = 3, translate: bool = True,
                      size: int = 50, seed: int = 0) -> FamilyGrids:
    """Grids of arrangement families whose objects sit anywhere, as evenly as ``n`` allows.

    Every grid holds one blob of each level 1..4 where its family's template puts it, then
    0..``max_distractors`` blobs of random levels wherever they fit.  Blob sizes and
    distractors are drawn independently of the family, so counting cells says nothing about
    it.

    Parameters
    ----------
    n : int
        Number of grids, 1..:data:`MAX_GRIDS`.
    templates : dict, optional
        ``{name: ((level, row, col), ...)}`` as in :mod:`utils.arrangements` (levels 1..4 once
        each, places 0..4); default :data:`utils.arrangements.TEMPLATES` (six families; two
        pairs of them differ only in which level sits where).
    spacing : int
        Cells between neighbouring template places (3..10): 5 makes the template span 20
        cells.
    jitter : int
        Largest move of every object on its own, in cells in each direction (0..3).
    max_distractors : int
        Extra blobs per grid, drawn uniformly from 0..max_distractors (0..10).
    translate : bool
        The arrangement at a random cell (True) or in the centre of the grid (False).
    size : int
        Grid side, large enough for the template (up to 500).
    seed : int
        Seeds everything.

    Returns
    -------
    utils.arrangements.FamilyGrids
        Positions in cells.

    Examples
    --------
    >>> data = make_family_grids(12, seed=0)
    >>> data.grids.shape, np.bincount(data.families).tolist()
    ((12, 50, 50), [2, 2, 2, 2, 2, 2])
    >>> sorted(set(data.grids[0].ravel().tolist()))[:5]
    [0, 1, 2, 3, 4]
    """
    n = check_int("n", n, minimum=1, maximum=MAX_GRIDS)
    fams = check_templates(dict(TEMPLATES) if templates is None else templates)
    spacing = check_int("spacing", spacing, minimum=3, maximum=10)
    jitter = check_int("jitter", jitter, minimum=0, maximum=3)
    max_distractors = check_int("max_distractors", max_distractors, minimum=0, maximum=10)
    translate = check_bool("translate", translate)
    span = 4 * spacing + 2 * jitter + 5          # a blob reaches 2 cells past its centre
    size = check_int("size", size, minimum=span + 2, maximum=500)
    rng = np.random.default_rng(check_seed("seed", seed))
    names = list(fams)
    families = rng.permutation(np.arange(n) % len(names))
    low, high = jitter + 2, size - 3 - jitter - 4 * spacing   # top-left place, inclusive
    positions = np.zeros((n, 2), dtype=np.int64)
    grids = np.zeros((n, size, size), dtype=np.uint8)
    for i, f in enumerate(families):
        template = fams[names[f]]                    # (4, 3): level, row place, column place
        while True:
            grid = grids[i]
            grid[:] = 0
            corner = (rng.integers(low, high + 1, size=2) if translate
                      else np.full(2, (low + high) // 2))
            centres = corner + template[:, 1:] * spacing + rng.integers(
                -jitter, jitter + 1, size=(len(template), 2))
            if all(place_blob(grid, tuple(c), int(level), rng)
                   for level, c in zip(template[:, 0], centres, strict=True)):
                break
        positions[i] = corner
        for _ in range(int(rng.integers(0, max_distractors + 1))):
            for _try in range(200):
                where = (int(rng.integers(size)), int(rng.integers(size)))
                if place_blob(grid, where, int(rng.integers(1, 5)), rng):
                    break
    mid = (low + high) / 2
    regions = ((positions[:, 0] > mid).astype(np.int64) * 2 + (positions[:, 1] > mid)
               if translate else np.zeros(n, dtype=np.int64))
    return FamilyGrids(grids=grids, families=families.astype(np.int64), family_names=names,
                       positions=positions, regions=regions, counts=level_counts(grids, 4))
