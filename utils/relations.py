"""Grids of discrete levels whose class depends only on the spatial relations between objects.

The data of chapters 4 and 5.  A grid (default 50 x 50) holds a background (0) and objects of
kinds 1..K.  Objects sit on a coarse **object lattice**: the grid is cut into blocks of
``block x block`` cells (default 5 x 5, so a 10 x 10 lattice) and each object occupies one block,
drawn as a random rectangular blob inside it.  Relations are measured on lattice coordinates,
which gives them a crisp, documented tolerance: two objects are on the *same row* when their
lattice rows are equal (centres less than half a block apart), and object A is *above* object B
when A's lattice row is smaller (at least one block higher).

Relation facts are existential: ``above(a, b)`` holds when *some* object of kind ``a`` is above
*some* object of kind ``b``.  A :class:`Rule` asks for one pair of objects that satisfies several
relations at once (e.g. a kind-2 object above *and* to the right of the same kind-1 object).

:func:`make_dataset` generates grids in positive/negative pairs that share their per-kind object
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

__all__ = [
    "RELATIONS",
    "Rule",
    "DEFAULT_RULE",
    "check_grid",
    "one_hot",
    "grid_objects",
    "relation_facts",
    "fact_names",
    "rule_holds",
    "level_counts",
    "Dataset",
    "make_dataset",
]

RELATIONS: tuple[str, ...] = ("above", "below", "left_of", "right_of", "same_row",
                              "same_column")
"""The relations measured between two objects (on lattice coordinates)."""


@dataclass(frozen=True)
class Rule:
    """A class rule: some object of ``kind_a`` stands in *all* ``relations`` to the same object
    of ``kind_b``.  ``Rule("blue above-right of red", 2, 1, ("above", "right_of"))``."""

    name: str
    kind_a: int
    kind_b: int
    relations: tuple[str, ...]

    def __post_init__(self):
        check_int("kind_a", self.kind_a, minimum=1, maximum=255)
        check_int("kind_b", self.kind_b, minimum=1, maximum=255)
        if self.kind_a == self.kind_b:
            raise ValueError(f"kind_a and kind_b must differ, got {self.kind_a} for both")
        if not self.relations:
            raise ValueError("relations must name at least one relation")
        for rel in self.relations:
            check_choice("relations", rel, RELATIONS)


DEFAULT_RULE = Rule("level 2 above and to the right of level 1", 2, 1, ("above", "right_of"))
"""The two-class task of chapter 4: is some 2 above and to the right of some 1?"""


def check_grid(grid: object, n_kinds: int | None = None, name: str = "grid") -> np.ndarray:
    """Validate one grid (H, W) or a batch (N, H, W) of integer levels 0..n_kinds.

    Parameters
    ----------
    grid : array
        One grid (H, W) or a batch (N, H, W); float arrays of whole numbers are accepted.
    n_kinds : int, optional
        Highest level allowed (255 when None).
    name : str
        The caller's parameter name, for messages.

    Returns
    -------
    integer array
    """
    arr = check_real_array(name, grid, ndim=(2, 3))
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer levels, got non-integer values "
                            f"(dtype {arr.dtype})")
    top = 255 if n_kinds is None else check_int("n_kinds", n_kinds, minimum=1, maximum=255)
    if arr.min() < 0 or arr.max() > top:
        raise ValueError(f"{name} must hold levels in 0..{top}, got range "
                         f"{arr.min()}..{arr.max()}")
    return arr


def one_hot(grids: object, n_kinds: int = 4, dtype: str = "float32") -> np.ndarray:
    """One channel per level 1..n_kinds (the background gets none): (..., H, W, n_kinds).

    Parameters
    ----------
    grids : (H, W) or (N, H, W) integer array
        Levels 0..n_kinds.
    n_kinds : int
        Number of channels.
    dtype : str
        A real dtype (``"uint8"`` uses a quarter of float32's memory).

    Returns
    -------
    (..., H, W, n_kinds) array

    Examples
    --------
    >>> one_hot([[0, 2], [1, 0]], n_kinds=2)[..., 1].tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    n_kinds = check_int("n_kinds", n_kinds, minimum=1, maximum=255)
    try:
        kind = np.dtype(dtype).kind
    except TypeError as exc:
        raise TypeError(f"dtype must be a real NumPy dtype, got {dtype!r}") from exc
    if kind not in "uif":
        raise TypeError(f"dtype must be an unsigned, signed integer or float dtype (uint8 "
                        f"saves memory), got {np.dtype(dtype)}")
    g = check_grid(grids, n_kinds, name="grids")
    return (g[..., None] == np.arange(1, n_kinds + 1)).astype(dtype)


def level_counts(grids: object, n_kinds: int = 4) -> np.ndarray:
    """Cells of every level 1..n_kinds in each grid: (N, n_kinds) (or (n_kinds,) for one grid).

    Parameters
    ----------
    grids : (H, W) or (N, H, W) integer array
        Levels 0..n_kinds.
    n_kinds : int
        Levels counted.

    Returns
    -------
    (N, n_kinds) or (n_kinds,) integer array
    """
    g = check_grid(grids, n_kinds, name="grids")
    flat = g.reshape(g.shape[0], -1) if g.ndim == 3 else g.reshape(1, -1)
    counts = np.stack([(flat == k).sum(axis=1) for k in range(1, n_kinds + 1)], axis=1)
    return counts if g.ndim == 3 else counts[0]


def grid_objects(grid: object, block: int = 5) -> list[tuple[int, int, int]]:
    """The objects of one grid as ``(kind, lattice_row, lattice_col)``, one per occupied block.

    Raises ``ValueError`` if a block holds two kinds (not a grid of this module's format).

    Parameters
    ----------
    grid : (H, W) integer array
        One grid whose objects fill lattice blocks.
    block : int
        Side of a lattice block.

    Returns
    -------
    list of (kind, lattice_row, lattice_col)
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
        kinds = np.unique(blocks[r, c][blocks[r, c] > 0])
        if kinds.size > 1:
            raise ValueError(f"grid has block ({r}, {c}) with several kinds {kinds.tolist()}")
        objects.append((int(kinds[0]), int(r), int(c)))
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


def fact_names(n_kinds: int = 4) -> list[str]:
    """Names of the facts returned by :func:`relation_facts`, e.g. ``"1 above 2"``.

    Parameters
    ----------
    n_kinds : int
        Levels 2..16.

    Returns
    -------
    list of str
    """
    n_kinds = check_int("n_kinds", n_kinds, minimum=2, maximum=16)
    return [f"{a} {rel} {b}" for a in range(1, n_kinds + 1) for b in range(a + 1, n_kinds + 1)
            for rel in RELATIONS]


def relation_facts(grid: object, n_kinds: int = 4, block: int = 5) -> np.ndarray:
    """Every relation fact of a grid as a 0/1 vector ordered as :func:`fact_names`.

    For each pair of kinds ``a < b`` and each relation, the fact holds when some object of
    kind ``a`` stands in that relation to some object of kind ``b``.

    Parameters
    ----------
    grid : (H, W) integer array
        Levels 0..n_kinds, objects filling lattice blocks.
    n_kinds : int
        Levels 2..16.
    block : int
        Side of a lattice block.

    Returns
    -------
    uint8 array of ``len(fact_names(n_kinds))`` values
    """
    n_kinds = check_int("n_kinds", n_kinds, minimum=2, maximum=16)
    check_grid(grid, n_kinds)           # a level above n_kinds is an error, not dropped
    objects = np.array(grid_objects(grid, block), dtype=np.int64).reshape(-1, 3)
    facts = []
    for a in range(1, n_kinds + 1):
        for b in range(a + 1, n_kinds + 1):
            oa, ob = objects[objects[:, 0] == a], objects[objects[:, 0] == b]
            rel = _pair_relations(oa[:, 1], oa[:, 2], ob[:, 1], ob[:, 2])
            facts.extend(bool(rel[name].any()) for name in RELATIONS)
    return np.array(facts, dtype=np.uint8)


def _rule_batch(kinds: np.ndarray, rows: np.ndarray, cols: np.ndarray, rule: Rule) -> np.ndarray:
    """``rule`` evaluated for a batch of placements of the same objects: rows, cols (B, m)."""
    ia, ib = np.nonzero(kinds == rule.kind_a)[0], np.nonzero(kinds == rule.kind_b)[0]
    tests = _relation_tests(rows[:, ia][:, :, None] - rows[:, ib][:, None, :],
                            cols[:, ia][:, :, None] - cols[:, ib][:, None, :])
    both = np.ones(tests["above"].shape, dtype=bool)
    for name in rule.relations:
        both &= tests[name]
    return both.any(axis=(1, 2)).astype(np.int64)


def _facts_batch(objects: np.ndarray, n_kinds: int) -> np.ndarray:
    """Relation facts of many grids at once from padded object arrays (N, M, 3)."""
    kind, row, col = objects[..., 0], objects[..., 1], objects[..., 2]
    tests = _relation_tests(row[:, :, None] - row[:, None, :], col[:, :, None] - col[:, None, :])
    out = []
    for a in range(1, n_kinds + 1):
        for b in range(a + 1, n_kinds + 1):
            pair = (kind == a)[:, :, None] & (kind == b)[:, None, :]
            out.extend((tests[name] & pair).any(axis=(1, 2)) for name in RELATIONS)
    return np.stack(out, axis=1).astype(np.uint8)


def rule_holds(objects: np.ndarray, rule: Rule) -> bool:
    """Does some (kind_a, kind_b) object pair satisfy every relation of ``rule``?

    Parameters
    ----------
    objects : (M, 3) integer array
        One row ``(kind, lattice_row, lattice_col)`` per object, as :func:`grid_objects` gives.
    rule : Rule
        The rule to test.

    Returns
    -------
    bool
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"rule must be a Rule, got {type(rule).__name__}")
    objects = check_real_array("objects", objects, ndim=2, min_size=0)
    if objects.shape[1] != 3:
        raise ValueError(f"objects must have shape (M, 3) (kind, row, col), got "
                         f"{objects.shape}")
    if not np.issubdtype(objects.dtype, np.integer) and objects.size:
        if not np.all(objects == np.round(objects)):
            raise TypeError("objects must hold integers (kind, lattice row, lattice column)")
    if objects.size and objects.min() < 0:
        raise ValueError(f"objects must be non-negative, got minimum {objects.min()}")
    objects = objects.astype(np.int64)
    oa = objects[objects[:, 0] == rule.kind_a]
    ob = objects[objects[:, 0] == rule.kind_b]
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
    counts: np.ndarray         # (N, n_kinds) objects of each kind
    facts: np.ndarray          # (N, n_facts) relation facts (see fact_names)
    train: np.ndarray          # indices
    val: np.ndarray
    test: np.ndarray
    rule: Rule
    n_kinds: int
    block: int


def _render(objects: np.ndarray, size: int, block: int,
            rng: np.random.Generator) -> np.ndarray:
    """Draw padded objects (N, M, 3) as grids: each a random blob inside its lattice block."""
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


def make_dataset(n: int, *, size: int = 50, block: int = 5, n_kinds: int = 4,
                 max_per_kind: int = 3, rule: Rule = DEFAULT_RULE, seed: int = 0,
                 split: Sequence[float] = (0.6, 0.15, 0.25)) -> Dataset:
    """Generate ``n`` grids (``n`` even) with balanced classes inside every count combination.

    Grids come in pairs: both members get the same number of objects of every kind (each count
    drawn uniformly from 1..max_per_kind), one satisfies ``rule`` and the other does not.  The
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
    n_kinds : int
        Object kinds 1..n_kinds (2..8).
    max_per_kind : int
        Largest number of objects of one kind in a grid.
    rule : Rule
        Defines the class; its kinds must be within 1..n_kinds.
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
    n_kinds = check_int("n_kinds", n_kinds, minimum=2, maximum=8)
    max_per_kind = check_int("max_per_kind", max_per_kind, minimum=1, maximum=10)
    if not isinstance(rule, Rule):
        raise TypeError(f"rule must be a Rule, got {type(rule).__name__}")
    if max(rule.kind_a, rule.kind_b) > n_kinds:
        raise ValueError(f"rule uses kinds {rule.kind_a} and {rule.kind_b} but n_kinds is "
                         f"{n_kinds}")
    seed = check_seed("seed", seed)
    fractions = check_real_array("split", split, ndim=1, low=0.0, high=1.0)
    if fractions.size != 3 or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"split must be three fractions summing to 1, got {fractions.tolist()}")
    lattice = (size // block, size // block)
    cells = lattice[0] * lattice[1]
    if n_kinds * max_per_kind > cells:
        raise ValueError(f"{n_kinds} kinds x {max_per_kind} objects do not fit on a "
                         f"{lattice[0]} x {lattice[1]} lattice")
    n_pairs = n // 2
    shares = [int(round(f * n_pairs)) for f in fractions[:2]]
    shares.append(n_pairs - sum(shares))
    if any(f > 0 and k < 1 for f, k in zip(fractions, shares, strict=True)):
        raise ValueError(f"n={n} gives {n_pairs} pair(s), split {fractions.tolist()} into "
                         f"{shares} pairs: every part needs at least one pair; use a larger n")
    check_size("n * size * size", n * size * size, maximum=10**9, what="grid cells")

    rng = np.random.default_rng(seed)
    width = n_kinds * max_per_kind
    objects = np.zeros((n, width, 3), dtype=np.int64)        # (kind, row, col); kind 0 = none
    labels = np.tile(np.array([1, 0]), n // 2)
    counts = np.empty((n, n_kinds), dtype=np.int64)
    for pair in range(n // 2):
        per_kind = rng.integers(1, max_per_kind + 1, size=n_kinds)
        kinds = np.repeat(np.arange(1, n_kinds + 1), per_kind)
        found: dict[int, np.ndarray] = {}
        for _ in range(10_000):
            # 32 random placements at once; keep the first positive and the first negative
            pos = np.argpartition(rng.random((32, cells)), kinds.size, axis=1)[:, :kinds.size]
            rows, cols = pos // lattice[1], pos % lattice[1]
            holds = _rule_batch(kinds, rows, cols, rule)
            for wanted in (1, 0):
                if wanted not in found and np.any(holds == wanted):
                    j = int(np.argmax(holds == wanted))
                    found[wanted] = np.column_stack([kinds, rows[j], cols[j]])
            if len(found) == 2:
                break
        else:  # pragma: no cover - only for rules that (almost) never or always hold
            raise ValueError(f"could not draw both labels for rule {rule.name!r} with counts "
                             f"{per_kind.tolist()}")
        for member, wanted in enumerate((1, 0)):
            objects[2 * pair + member, :kinds.size] = found[wanted]
            counts[2 * pair + member] = per_kind
    grids = _render(objects, size, block, rng)
    facts = _facts_batch(objects, n_kinds)
    pairs = rng.permutation(n // 2)
    n_train = int(round(fractions[0] * len(pairs)))
    n_val = int(round(fractions[1] * len(pairs)))

    def members(p):
        return np.sort(np.concatenate([2 * p, 2 * p + 1]))

    return Dataset(grids=grids, labels=labels, counts=counts, facts=facts,
                   train=members(pairs[:n_train]), val=members(pairs[n_train:n_train + n_val]),
                   test=members(pairs[n_train + n_val:]), rule=rule, n_kinds=n_kinds,
                   block=block)
