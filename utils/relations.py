"""Grids of discrete levels whose class depends only on the spatial relations between objects.

The data of chapters 4 and 5.  A grid (default 50 x 50) holds a background (0) and objects of
levels 1..K.  Objects sit on a coarse **object lattice**: the grid is cut into blocks of
``block x block`` cells (default 5 x 5, so a 10 x 10 lattice) and each object occupies one block,
drawn as a random rectangular blob inside it.  Relations are measured on lattice coordinates,
which gives them a crisp, documented tolerance: two objects are on the *same row* when their
lattice rows are equal (centres less than half a block apart), and object A is *above* object B
when A's lattice row is smaller (at least one block higher).

Relation facts are existential: ``above(a, b)`` holds when *some* object of level ``a`` is above
*some* object of level ``b``.  A :class:`Rule` asks for one pair of objects that satisfies several
relations at once (e.g. a level-2 object above *and* to the right of the same level-1 object).

:func:`make_dataset` generates grids in positive/negative pairs that share their per-level object
counts, so within every combination of counts the classes are exactly balanced and counting
levels carries no information about the class.

Example
-------
>>> data = make_dataset(40, seed=0)
>>> data.grids.shape, data.labels.mean()
((40, 50, 50), np.float64(0.5))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import check_choice, check_int, check_real_array, check_seed, check_size
from .grids import check_grid

__all__ = [
    "RELATIONS",
    "Rule",
    "DEFAULT_RULE",
    "grid_objects",
    "relation_facts",
    "fact_names",
    "rule_holds",
    "lattice_facts",
    "draw_objects",
    "Dataset",
    "make_dataset",
]

RELATIONS: tuple[str, ...] = ("above", "below", "left_of", "right_of", "same_row",
                              "same_column")
"""The relations measured between two objects (on lattice coordinates)."""


@dataclass(frozen=True)
class Rule:
    """A class rule: some object of ``level_a`` stands in *all* ``relations`` to the same object
    of ``level_b``.  ``Rule("blue above-right of red", 2, 1, ("above", "right_of"))``."""

    name: str
    level_a: int
    level_b: int
    relations: tuple[str, ...]

    def __post_init__(self):
        check_int("level_a", self.level_a, minimum=1, maximum=255)
        check_int("level_b", self.level_b, minimum=1, maximum=255)
        if self.level_a == self.level_b:
            raise ValueError(f"level_a and level_b must differ, got {self.level_a} for both")
        if not self.relations:
            raise ValueError("relations must name at least one relation")
        for rel in self.relations:
            check_choice("relations", rel, RELATIONS)


DEFAULT_RULE = Rule("level 2 above and to the right of level 1", 2, 1, ("above", "right_of"))
"""The two-class task of chapter 4: is some 2 above and to the right of some 1?"""


def grid_objects(grid: object, block: int = 5) -> list[tuple[int, int, int]]:
    """The objects of one grid as ``(level, lattice_row, lattice_col)``, one per occupied block.

    Raises ``ValueError`` if a block holds two levels (not a grid of this module's format).

    Parameters
    ----------
    grid : (H, W) integer array
        One grid whose objects fill lattice blocks.
    block : int
        Side of a lattice block.

    Returns
    -------
    list of (level, lattice_row, lattice_col)
    """
    g = check_grid(grid)
    if g.ndim != 2:
        raise ValueError(f"grid must be a single 2-D grid, got shape {g.shape}")
    block = check_int("block", block, minimum=1, maximum=64)
    h, w = g.shape
    if h % block or w % block:
        raise ValueError(f"grid shape {g.shape} must be a multiple of block={block}")
    blocks = g.reshape(h // block, block, w // block, block).transpose(0, 2, 1, 3)
    blocks = blocks.reshape(h // block, w // block, -1)
    top = blocks.max(axis=2)
    objects = []
    for r, c in zip(*np.nonzero(top), strict=True):
        levels = np.unique(blocks[r, c][blocks[r, c] > 0])
        if levels.size > 1:
            raise ValueError(f"grid has block ({r}, {c}) with several levels {levels.tolist()}")
        objects.append((int(levels[0]), int(r), int(c)))
    return objects


def _relation_tests(dr: np.ndarray, dc: np.ndarray) -> dict[str, np.ndarray]:
    """Every relation of :data:`RELATIONS` from lattice row and column differences (a - b).

    The one place where the relations are defined; everything else calls it.
    """
    return {"above": dr < 0, "below": dr > 0, "left_of": dc < 0, "right_of": dc > 0,
            "same_row": dr == 0, "same_column": dc == 0}


def _pair_relations(ra: np.ndarray, ca: np.ndarray, rb: np.ndarray, cb: np.ndarray) -> dict:
    """Boolean matrices (objects of a) x (objects of b) for every relation."""
    return _relation_tests(ra[:, None] - rb[None, :], ca[:, None] - cb[None, :])


def fact_names(n_levels: int = 4) -> list[str]:
    """Names of the facts returned by :func:`relation_facts`, e.g. ``"1 above 2"``.

    Parameters
    ----------
    n_levels : int
        Levels 2..16.

    Returns
    -------
    list of str
    """
    n_levels = check_int("n_levels", n_levels, minimum=2, maximum=16)
    return [f"{a} {rel} {b}" for a in range(1, n_levels + 1) for b in range(a + 1, n_levels + 1)
            for rel in RELATIONS]


def relation_facts(grid: object, n_levels: int = 4, block: int = 5) -> np.ndarray:
    """Every relation fact of a grid as a 0/1 vector ordered as :func:`fact_names`.

    For each pair of levels ``a < b`` and each relation, the fact holds when some object of
    level ``a`` stands in that relation to some object of level ``b``.

    Parameters
    ----------
    grid : (H, W) integer array
        Levels 0..n_levels, objects filling lattice blocks.
    n_levels : int
        Levels 2..16.
    block : int
        Side of a lattice block.

    Returns
    -------
    uint8 array of ``len(fact_names(n_levels))`` values
    """
    n_levels = check_int("n_levels", n_levels, minimum=2, maximum=16)
    check_grid(grid, n_levels)           # a level above n_levels is an error, not dropped
    objects = np.array(grid_objects(grid, block), dtype=np.int64).reshape(-1, 3)
    facts = []
    for a in range(1, n_levels + 1):
        for b in range(a + 1, n_levels + 1):
            oa, ob = objects[objects[:, 0] == a], objects[objects[:, 0] == b]
            rel = _pair_relations(oa[:, 1], oa[:, 2], ob[:, 1], ob[:, 2])
            facts.extend(bool(rel[name].any()) for name in RELATIONS)
    return np.array(facts, dtype=np.uint8)


def _rule_batch(levels: np.ndarray, rows: np.ndarray, cols: np.ndarray, rule: Rule) -> np.ndarray:
    """``rule`` evaluated for a batch of placements of the same objects: rows, cols (B, m)."""
    ia, ib = np.nonzero(levels == rule.level_a)[0], np.nonzero(levels == rule.level_b)[0]
    tests = _relation_tests(rows[:, ia][:, :, None] - rows[:, ib][:, None, :],
                            cols[:, ia][:, :, None] - cols[:, ib][:, None, :])
    both = np.ones(tests["above"].shape, dtype=bool)
    for name in rule.relations:
        both &= tests[name]
    return both.any(axis=(1, 2)).astype(np.int64)


def _check_objects(objects: object, ndim: int) -> np.ndarray:
    """Padded object rows ``(level, lattice_row, lattice_col)`` as a non-negative int64 array."""
    arr = check_real_array("objects", objects, ndim=ndim, min_size=0)
    if arr.shape[-1] != 3:
        raise ValueError(f"objects must have rows (level, row, col), shape (..., 3), got "
                         f"{arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer) and arr.size:
        if not np.all(arr == np.round(arr)):
            raise TypeError("objects must hold integers (level, lattice row, lattice column)")
    if arr.size and arr.min() < 0:
        raise ValueError(f"objects must be non-negative, got minimum {arr.min()}")
    return arr.astype(np.int64)


def lattice_facts(objects: object, n_levels: int = 4) -> np.ndarray:
    """Relation facts of many grids at once, from their objects rather than their cells.

    The same facts as :func:`relation_facts`, for grids whose objects are known (as
    :func:`make_dataset` and :func:`utils.arrangements.make_arrangements` know them): no
    objects need to be found, and a whole batch is computed with array operations.

    Parameters
    ----------
    objects : (N, M, 3) integer array
        For every grid, up to M rows ``(level, lattice_row, lattice_col)``; rows of level 0
        pad grids with fewer objects.
    n_levels : int
        Levels 1..n_levels (2..16).

    Returns
    -------
    (N, len(fact_names(n_levels))) uint8 array

    Examples
    --------
    >>> lattice_facts([[[1, 0, 0], [2, 3, 0]]], n_levels=2).tolist()
    [[1, 0, 0, 0, 0, 1]]
    """
    n_levels = check_int("n_levels", n_levels, minimum=2, maximum=16)
    objects = _check_objects(objects, 3)
    level, row, col = objects[..., 0], objects[..., 1], objects[..., 2]
    tests = _relation_tests(row[:, :, None] - row[:, None, :], col[:, :, None] - col[:, None, :])
    out = []
    for a in range(1, n_levels + 1):
        for b in range(a + 1, n_levels + 1):
            pair = (level == a)[:, :, None] & (level == b)[:, None, :]
            out.extend((tests[name] & pair).any(axis=(1, 2)) for name in RELATIONS)
    return np.stack(out, axis=1).astype(np.uint8)


def rule_holds(objects: np.ndarray, rule: Rule) -> bool:
    """Does some (level_a, level_b) object pair satisfy every relation of ``rule``?

    Parameters
    ----------
    objects : (M, 3) integer array
        One row ``(level, lattice_row, lattice_col)`` per object, as :func:`grid_objects` gives.
    rule : Rule
        The rule to test.

    Returns
    -------
    bool
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"rule must be a Rule, got {type(rule).__name__}")
    objects = _check_objects(objects, 2)
    oa = objects[objects[:, 0] == rule.level_a]
    ob = objects[objects[:, 0] == rule.level_b]
    rel = _pair_relations(oa[:, 1], oa[:, 2], ob[:, 1], ob[:, 2])
    both = np.ones((len(oa), len(ob)), dtype=bool)
    for name in rule.relations:
        both &= rel[name]
    return bool(both.any())


@dataclass(frozen=True)
class Dataset:
    """Grids, their class labels, their objects and relation facts, and the split indices."""

    grids: np.ndarray          # (N, H, W) uint8 levels
    labels: np.ndarray         # (N,) 0/1 class of the rule
    counts: np.ndarray         # (N, n_levels) objects of each level
    facts: np.ndarray          # (N, n_facts) relation facts (see fact_names)
    train: np.ndarray          # indices
    val: np.ndarray
    test: np.ndarray
    rule: Rule
    n_levels: int
    block: int


def draw_objects(objects: object, *, size: int = 50, block: int = 5,
                 seed: int | np.random.Generator = 0) -> np.ndarray:
    """Draw objects on the lattice as grids: each object a random blob inside its block.

    Parameters
    ----------
    objects : (N, M, 3) integer array
        For every grid, up to M rows ``(level, lattice_row, lattice_col)``; rows of level 0
        draw nothing.  Levels up to 255; every block inside the grid.
    size : int
        Grid side, a multiple of ``block``.
    block : int
        Side of a lattice block; a blob is 1..block-1 cells high and wide (one cell when
        ``block`` is 1).
    seed : int or numpy.random.Generator
        Seeds the blobs.  A generator is used as it is and advanced: :func:`make_dataset` and
        :func:`utils.arrangements.make_arrangements` draw objects and blobs from one stream.

    Returns
    -------
    (N, size, size) uint8 array of levels

    Examples
    --------
    >>> draw_objects([[[3, 1, 1]]], size=10, block=5)[0, 5:, 5:].max()
    np.uint8(3)
    """
    size = check_int("size", size, minimum=1, maximum=4096)
    block = check_int("block", block, minimum=1, maximum=size)
    if size % block:
        raise ValueError(f"size must be a multiple of block, got size={size}, block={block}")
    objects = _check_objects(objects, 3)
    if objects.size and (objects[..., 0].max() > 255 or objects[..., 1:].max() >= size // block):
        raise ValueError(f"objects must hold levels up to 255 and lattice positions below "
                         f"{size // block}, got maxima {objects.reshape(-1, 3).max(0).tolist()}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(
        check_seed("seed", seed))
    n, width, _ = objects.shape
    hi = max(block, 2)
    hw = rng.integers(1, hi, size=(n, width, 2)) if block > 1 else np.ones((n, width, 2), int)
    offset = rng.integers(0, np.iinfo(np.int64).max, size=(n, width, 2)) % (block - hw + 1)
    top = objects[..., 1:] * block + offset
    grids = np.zeros((n, size, size), dtype=np.uint8)
    for i, m in zip(*np.nonzero(objects[..., 0]), strict=True):
        (r, c), (h, w) = top[i, m], hw[i, m]
        grids[i, r:r + h, c:c + w] = objects[i, m, 0]
    return grids


def make_dataset(n: int, *, size: int = 50, block: int = 5, n_levels: int = 4,
                 max_per_level: int = 3, rule: Rule = DEFAULT_RULE, seed: int = 0,
                 split: Sequence[float] = (0.6, 0.15, 0.25)) -> Dataset:
    """Generate ``n`` grids (``n`` even) with balanced classes inside every count combination.

    Grids come in pairs: both members get the same number of objects of every level (each count
    drawn uniformly from 1..max_per_level), one satisfies ``rule`` and the other does not.  The
    positions are drawn at random over the object lattice (rejection sampling until the wanted
    label comes up); each object is a random blob inside its lattice block.

    Parameters
    ----------
    n : int
        Number of grids, even, up to 200,000 (200,000 grids of 50 x 50 take 0.5 GB), and
        large enough that every part of ``split`` gets a pair (8 with the default split).
    size : int
        Grid side; a multiple of ``block``.
    block : int
        Side of a lattice block (objects are at least one block apart).
    n_levels : int
        Object levels 1..n_levels (2..8).
    max_per_level : int
        Largest number of objects of one level in a grid.
    rule : Rule
        Defines the class; its levels must be within 1..n_levels.
    seed : int
        Seeds everything, including the split.
    split : three fractions
        Train, validation and test shares (summing to 1); pairs are never split.

    Returns
    -------
    Dataset
        Grids, labels, counts, facts and the train/val/test indices.
    """
    n = check_int("n", n, minimum=2, maximum=200_000)
    if n % 2:
        raise ValueError(f"n must be even (grids come in balanced pairs), got {n}")
    size = check_int("size", size, minimum=2, maximum=1024)
    block = check_int("block", block, minimum=1, maximum=size)
    if size % block:
        raise ValueError(f"size must be a multiple of block, got size={size}, block={block}")
    n_levels = check_int("n_levels", n_levels, minimum=2, maximum=8)
    max_per_level = check_int("max_per_level", max_per_level, minimum=1, maximum=10)
    if not isinstance(rule, Rule):
        raise TypeError(f"rule must be a Rule, got {type(rule).__name__}")
    if max(rule.level_a, rule.level_b) > n_levels:
        raise ValueError(f"rule uses levels {rule.level_a} and {rule.level_b} but n_levels is "
                         f"{n_levels}")
    seed = check_seed("seed", seed)
    fractions = check_real_array("split", split, ndim=1, low=0.0, high=1.0)
    if fractions.size != 3 or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"split must be three fractions summing to 1, got {fractions.tolist()}")
    lattice = (size // block, size // block)
    cells = lattice[0] * lattice[1]
    if n_levels * max_per_level > cells:
        raise ValueError(f"{n_levels} levels x {max_per_level} objects do not fit on a "
                         f"{lattice[0]} x {lattice[1]} lattice")
    n_pairs = n // 2
    shares = [int(round(f * n_pairs)) for f in fractions[:2]]
    shares.append(n_pairs - sum(shares))
    if any(f > 0 and k < 1 for f, k in zip(fractions, shares, strict=True)):
        raise ValueError(f"n={n} gives {n_pairs} pair(s), split {fractions.tolist()} into "
                         f"{shares} pairs: every part needs at least one pair; use a larger n")
    check_size("n * size * size", n * size * size, maximum=10**9, what="grid cells")

    rng = np.random.default_rng(seed)
    width = n_levels * max_per_level
    objects = np.zeros((n, width, 3), dtype=np.int64)        # (level, row, col); level 0 = none
    labels = np.tile(np.array([1, 0]), n // 2)
    counts = np.empty((n, n_levels), dtype=np.int64)
    for pair in range(n // 2):
        per_level = rng.integers(1, max_per_level + 1, size=n_levels)
        levels = np.repeat(np.arange(1, n_levels + 1), per_level)
        found: dict[int, np.ndarray] = {}
        for _ in range(10_000):
            # 32 random placements at once; keep the first positive and the first negative
            pos = np.argpartition(rng.random((32, cells)), levels.size, axis=1)[:, :levels.size]
            rows, cols = pos // lattice[1], pos % lattice[1]
            holds = _rule_batch(levels, rows, cols, rule)
            for wanted in (1, 0):
                if wanted not in found and np.any(holds == wanted):
                    j = int(np.argmax(holds == wanted))
                    found[wanted] = np.column_stack([levels, rows[j], cols[j]])
            if len(found) == 2:
                break
        else:  # pragma: no cover - only for rules that (almost) never or always hold
            raise ValueError(f"could not draw both labels for rule {rule.name!r} with counts "
                             f"{per_level.tolist()}")
        for member, wanted in enumerate((1, 0)):
            objects[2 * pair + member, :levels.size] = found[wanted]
            counts[2 * pair + member] = per_level
    grids = draw_objects(objects, size=size, block=block, seed=rng)
    facts = lattice_facts(objects, n_levels)
    pairs = rng.permutation(n // 2)
    n_train = int(round(fractions[0] * len(pairs)))
    n_val = int(round(fractions[1] * len(pairs)))

    def members(p):
        return np.sort(np.concatenate([2 * p, 2 * p + 1]))

    return Dataset(grids=grids, labels=labels, counts=counts, facts=facts,
                   train=members(pairs[:n_train]), val=members(pairs[n_train:n_train + n_val]),
                   test=members(pairs[n_train + n_val:]), rule=rule, n_levels=n_levels,
                   block=block)
