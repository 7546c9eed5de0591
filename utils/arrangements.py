"""Arrangement families: grids whose hidden label is *how* the levels are arranged.

The data of chapter 5.  Every family is a **template**: one object of each level 1..4 at fixed
relative positions on a 3 x 3 set of slots of the object lattice of :mod:`utils.relations`
(slots two lattice blocks apart, so a template spans 5 x 5 blocks).  A grid of a family is its
template with

- **jitter**: every object moved independently by up to ``jitter`` lattice blocks in each
  direction (two objects never share a block);
- **distractors**: 0..``max_distractors`` extra objects of random levels in random free blocks;
- **translation** (``translate=True``): the whole arrangement placed at a random position, or
  else in the centre of the grid;

and every object drawn as a random blob inside its block, as in chapter 4.  Every family has
one object of each level, and blob sizes and distractors are drawn independently of the family,
so **counting cells of each level says nothing about the family**: a clustering of the counts
stays at chance.  The position of every arrangement is recorded too, so a clustering can be
scored against the family (what we want) and against the position (what we do not want).

:func:`augment` makes label-free variations of grids (translation, a dropped object, an added
object) for contrastive learning.

Example
-------
>>> data = make_arrangements(60, seed=0)
>>> data.grids.shape, data.family_names[:2]
((60, 50, 50), ['diamond', 'inverted diamond'])
>>> np.bincount(data.families).tolist()
[10, 10, 10, 10, 10, 10]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_bool, check_float, check_int, check_seed
from .grids import check_grid, level_counts
from .objects import random_shift, shift_grids
from .relations import draw_objects, lattice_facts

__all__ = ["TEMPLATES", "SPAN", "FamilyGrids", "Arrangements", "make_arrangements",
           "random_templates", "augment", "check_lattice_grids", "check_templates", "MAX_GRIDS"]

SPAN = 5
"""Lattice blocks a template spans in each direction (slots at 0, 2 and 4)."""

TEMPLATES: dict[str, tuple[tuple[int, int, int], ...]] = {
    # name: (level, slot row, slot column) for levels 1..4; slots are lattice offsets 0, 2, 4
    "diamond": ((1, 0, 2), (2, 2, 0), (3, 2, 4), (4, 4, 2)),
    "inverted diamond": ((1, 4, 2), (2, 2, 4), (3, 2, 0), (4, 0, 2)),
    "square": ((1, 0, 0), (2, 0, 4), (3, 4, 0), (4, 4, 4)),
    "crossed square": ((1, 0, 0), (2, 4, 4), (3, 0, 4), (4, 4, 0)),
    "L": ((1, 0, 0), (2, 2, 0), (3, 4, 0), (4, 4, 4)),
    "T": ((1, 0, 0), (2, 0, 2), (3, 0, 4), (4, 4, 2)),
}
"""The six named families of chapter 5.  The two diamonds share a shape and differ only in
which level is where, as do the two squares: shape alone cannot tell them apart."""

MAX_GRIDS = 100_000
"""Largest number of grids :func:`make_arrangements` makes (a 50 x 50 grid is 2.5 kB)."""

_SLOTS = np.array([(r, c) for r in (0, 2, 4) for c in (0, 2, 4)])


def random_templates(n: int, seed: int = 0) -> dict[str, tuple[tuple[int, int, int], ...]]:
    """``n`` distinct random templates: levels 1..4 put in 4 of the 9 slots.

    Parameters
    ----------
    n : int
        Templates to draw.
    seed : int
        Seeds the draw.

    Returns
    -------
    dict of name -> tuple of (level, lattice_row, lattice_col)

    Examples
    --------
    >>> t = random_templates(3, seed=1)
    >>> len(t), len(t["random 0"])
    (3, 4)
    """
    n = check_int("n", n, minimum=1, maximum=3024)   # 9 * 8 * 7 * 6 placements exist
    rng = np.random.default_rng(check_seed("seed", seed))
    out: dict[str, tuple[tuple[int, int, int], ...]] = {}
    seen: set[tuple] = set()
    while len(out) < n:
        slots = _SLOTS[rng.permutation(9)[:4]]
        template = tuple((k + 1, int(r), int(c)) for k, (r, c) in enumerate(slots))
        if template not in seen:
            seen.add(template)
            out[f"random {len(out)}"] = template
    return out


@dataclass(frozen=True)
class FamilyGrids:
    """Grids of arrangement families, with their families and positions.

    Attributes
    ----------
    grids : (N, H, W) uint8
        Levels 0 (background) .. 4.
    families : (N,) int
        The family of every grid (index into ``family_names``): the label to recover.
    family_names : list of str
        Names of the families, in label order.
    positions : (N, 2) int
        Row and column of the template's top-left place before jitter: in lattice blocks for
        :class:`Arrangements`, in cells for :func:`utils.example_data.make_family_grids`.
    regions : (N,) int
        Which quarter of the possible positions the arrangement sits in (0..3; all 0 when the
        arrangements are centred): a position label to score clusterings against.
    counts : (N, 4) int
        Cells of every level 1..4.
    """

    grids: np.ndarray
    families: np.ndarray
    family_names: list[str]
    positions: np.ndarray
    regions: np.ndarray
    counts: np.ndarray


@dataclass(frozen=True)
class Arrangements(FamilyGrids):
    """Grids of arrangement families on the object lattice, with everything known about them:
    the attributes of :class:`FamilyGrids`, and

    Attributes
    ----------
    facts : (N, n_facts) uint8
        Relation facts of every grid, distractors included (see :func:`relations.fact_names`).
    objects : (N, M, 3) int
        (level, lattice row, lattice column) of every object; level 0 pads.
    n_levels, block : int
        Levels and lattice block size.
    """

    facts: np.ndarray
    objects: np.ndarray
    n_levels: int
    block: int


def check_templates(templates: object) -> dict[str, np.ndarray]:
    """Check arrangement templates (levels 1..4 once each, distinct places in 0..SPAN - 1).

    Parameters
    ----------
    templates : dict
        ``{name: ((level, row, col), ...)}``, as :data:`TEMPLATES`.

    Returns
    -------
    dict of str to (4, 3) int array
        Every template's triples, sorted by level.
    """
    if not isinstance(templates, dict) or not templates:
        raise TypeError(f"templates must be a non-empty dict name -> ((level, row, col), ...), "
                        f"got {type(templates).__name__}")
    out = {}
    for name, objs in templates.items():
        arr = np.asarray(objs)
        if arr.shape != (4, 3) or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(f"templates[{name!r}] must be 4 integer triples (level, row, col), "
                             f"got {objs!r}")
        if sorted(arr[:, 0].tolist()) != [1, 2, 3, 4]:
            raise ValueError(f"templates[{name!r}] must hold levels 1, 2, 3, 4 once each (so "
                             f"level counts do not depend on the family), got {arr[:, 0].tolist()}")
        if arr[:, 1:].min() < 0 or arr[:, 1:].max() >= SPAN:
            raise ValueError(f"templates[{name!r}] positions must be in 0..{SPAN - 1}, got "
                             f"{arr[:, 1:].tolist()}")
        if len({(r, c) for r, c in arr[:, 1:].tolist()}) < 4:
            raise ValueError(f"templates[{name!r}] puts two objects in one place: "
                             f"{arr[:, 1:].tolist()}")
        out[str(name)] = arr[np.argsort(arr[:, 0])]
    return out


def make_arrangements(n: int, *, n_families: int | None = None, templates: dict | None = None,
                      jitter: int = 0, max_distractors: int = 3, translate: bool = True,
                      size: int = 50, block: int = 5, seed: int = 0) -> Arrangements:
    """Generate ``n`` grids from arrangement families, as evenly as ``n`` allows.

    Parameters
    ----------
    n : int
        Number of grids, 1..:data:`MAX_GRIDS`.
    n_families : int, optional
        Use the first ``n_families`` of :data:`TEMPLATES` (1..6), followed by random templates
        (:func:`random_templates`, seeded by ``seed``) when more than 6 are asked for (up to
        60).  Default: all of ``templates``.
    templates : dict, optional
        Families as ``{name: ((level, row, col), ...)}`` with levels 1..4 once each and
        positions in 0..4; default :data:`TEMPLATES`.  Not together with ``n_families``.
    jitter : int
        Largest independent move of every object, in lattice blocks (0..2).
    max_distractors : int
        Each grid gets a uniform 0..max_distractors extra objects of random levels (0..10).
    translate : bool
        Random position (True) or the centre of the grid (False).
    size, block : int
        Grid side and lattice block (``size`` a multiple of ``block``; the lattice must have
        room for a template and its jitter).
    seed : int
        Seeds everything.

    Returns
    -------
    Arrangements
    """
    translate = check_bool("translate", translate)
    n = check_int("n", n, minimum=1, maximum=MAX_GRIDS)
    if templates is not None and n_families is not None:
        raise ValueError("give templates or n_families, not both")
    if templates is None:
        templates = dict(TEMPLATES)
        if n_families is not None:
            n_families = check_int("n_families", n_families, minimum=1, maximum=60)
            wanted = n_families - len(TEMPLATES)
            if wanted > 0:
                # draw enough that dropping any equal to a named template still leaves `wanted`
                drawn = random_templates(wanted + len(TEMPLATES), seed=seed)
                named = set(TEMPLATES.values())
                new = [(k, v) for k, v in drawn.items() if v not in named][:wanted]
                templates.update(new)
            else:
                templates = dict(list(templates.items())[:n_families])
    fams = check_templates(templates)
    jitter = check_int("jitter", jitter, minimum=0, maximum=2)
    max_distractors = check_int("max_distractors", max_distractors, minimum=0, maximum=10)
    size = check_int("size", size, minimum=5, maximum=500)
    block = check_int("block", block, minimum=1, maximum=size)
    if size % block:
        raise ValueError(f"size must be a multiple of block, got size={size}, block={block}")
    lattice = size // block
    if lattice < SPAN + 2 * jitter:
        raise ValueError(f"a {lattice} x {lattice} lattice (size={size}, block={block}) has no "
                         f"room for a {SPAN}-block template with jitter={jitter}: it needs at "
                         f"least {SPAN + 2 * jitter} blocks a side")
    rng = np.random.default_rng(check_seed("seed", seed))

    names = list(fams)
    template_arr = np.stack([fams[k] for k in names])            # (F, 4, 3)
    families = rng.permutation(np.arange(n) % len(names))
    objs = template_arr[families].copy()                         # (n, 4, 3)
    low, high = jitter, lattice - SPAN - jitter                  # anchor range, inclusive
    if translate:
        anchor = rng.integers(low, high + 1, size=(n, 2))
    else:
        anchor = np.full((n, 2), (low + high) // 2)
    moves = np.zeros((n, 4, 2), dtype=np.int64)
    todo = np.arange(n)
    while todo.size:   # redraw the jitter of grids where two objects landed in one block
        moves[todo] = rng.integers(-jitter, jitter + 1, size=(todo.size, 4, 2))
        pos = objs[todo, :, 1:] + moves[todo]
        key = pos[:, :, 0] * SPAN * 4 + pos[:, :, 1]
        clash = (key[:, :, None] == key[:, None, :]).sum(axis=(1, 2)) > 4
        todo = todo[clash]
    objs[:, :, 1:] += moves + anchor[:, None, :]

    width = 4 + max_distractors
    objects = np.zeros((n, width, 3), dtype=np.int64)
    objects[:, :4] = objs
    if max_distractors:
        occupied = np.zeros((n, lattice * lattice), dtype=bool)
        np.put_along_axis(occupied, objs[:, :, 1] * lattice + objs[:, :, 2], True, axis=1)
        score = np.where(occupied, 2.0, rng.random((n, lattice * lattice)))
        free = np.argsort(score, axis=1)[:, :max_distractors]
        how_many = rng.integers(0, max_distractors + 1, size=n)
        levels = rng.integers(1, 5, size=(n, max_distractors))
        levels[np.arange(max_distractors)[None, :] >= how_many[:, None]] = 0
        objects[:, 4:] = np.stack([levels, free // lattice, free % lattice], axis=2)
    grids = draw_objects(objects, size=size, block=block, seed=rng)
    mid = (low + high) / 2
    regions = ((anchor[:, 0] > mid).astype(np.int64) * 2 + (anchor[:, 1] > mid)
               if translate else np.zeros(n, dtype=np.int64))
    return Arrangements(grids=grids, families=families.astype(np.int64), family_names=names,
                        positions=anchor, regions=regions, counts=level_counts(grids, 4),
                        facts=lattice_facts(objects, 4), objects=objects, n_levels=4,
                        block=block)


def check_lattice_grids(grids: object, block: int, n_levels: int = 4
                        ) -> tuple[np.ndarray, int]:
    """Validate a batch (N, H, W) of level grids 0..n_levels whose sides are multiples of
    ``block``; return the grids and the block.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Level grids 0..n_levels.
    block : int
        Side of a lattice block, 1..64.
    n_levels : int
        Highest level.

    Returns
    -------
    (grids, block)
    """
    g = check_grid(grids, n_levels, name="grids")
    if g.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {g.shape}")
    block = check_int("block", block, minimum=1, maximum=64)
    if g.shape[1] % block or g.shape[2] % block:
        raise ValueError(f"grids of shape {g.shape[1:]} are not a multiple of block={block}")
    return g, block


def augment(grids: object, *, block: int = 5, n_levels: int = 4, shift: bool = True,
            redraw: bool = True, drop: float = 0.5, add: float = 0.5,
            seed: int = 0) -> np.ndarray:
    """Label-free variations of lattice grids, for contrastive learning.

    Every grid is, independently:

    - with ``shift``: moved by a random whole number of lattice blocks, so that no object
      leaves the grid (relations between objects are unchanged);
    - with ``redraw``: every object drawn again as a new random blob inside its block (without
      it, the exact cells of each blob identify a grid through every other variation, and a
      contrastive encoder learns those fingerprints instead of the arrangement);
    - with probability ``drop``: one random object removed (if it has more than one);
    - with probability ``add``: one object of a random level drawn into a random free block.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Grids of levels 0..n_levels whose sides are multiples of ``block``.
    block : int
        Lattice block size.
    n_levels : int
        Highest level, 1..255 (added objects get a level 1..n_levels).  For grids whose
        objects are not one per block, use :func:`utils.objects.augment_objects`.
    shift : bool
        Translate the grids.
    redraw : bool
        Draw every object as a new blob (grids must hold one level per block).
    drop, add : float
        Probabilities in [0, 1].
    seed : int
        Seeds the variations.

    Returns
    -------
    (N, H, W) uint8 array

    Examples
    --------
    >>> g = make_arrangements(4, seed=0).grids
    >>> a = augment(g, redraw=False, drop=0, add=0, seed=1)
    >>> bool(np.all(np.sort(a.reshape(4, -1)) == np.sort(g.reshape(4, -1))))
    True
    """
    shift = check_bool("shift", shift)
    redraw = check_bool("redraw", redraw)
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    g, block = check_lattice_grids(grids, block, n_levels)
    n, h, w = g.shape
    drop = check_float("drop", drop, minimum=0.0, maximum=1.0)
    add = check_float("add", add, minimum=0.0, maximum=1.0)
    if (add > 0 or redraw) and h != w:
        raise ValueError(f"add > 0 and redraw need square grids, got grids of shape "
                         f"{g.shape[1:]}")
    rng = np.random.default_rng(check_seed("seed", seed))
    lr, lc = h // block, w // block
    g = g.astype(np.uint8)
    occ = g.reshape(n, lr, block, lc, block).max(axis=(2, 4)) > 0          # (n, lr, lc)
    if shift:
        dr, dc = random_shift(occ, rng)
        g = shift_grids(g, dr * block, dc * block)
        occ = g.reshape(n, lr, block, lc, block).max(axis=(2, 4)) > 0
    if redraw:
        blocks = g.reshape(n, lr, block, lc, block)
        top = blocks.max(axis=(2, 4))
        if np.any((blocks > 0).sum(axis=(2, 4)) > (blocks == top[:, :, None, :, None]).sum(
                axis=(2, 4))):
            raise ValueError("redraw needs grids with one level per lattice block (as "
                             "make_arrangements and make_dataset draw them); for objects "
                             "anywhere use utils.objects.augment_objects (fit_contrastive: "
                             "views='objects')")
        width = max(int(occ.reshape(n, -1).sum(axis=1).max()), 1)
        order = np.argsort(~occ.reshape(n, -1), axis=1, kind="stable")[:, :width]
        levels = np.take_along_axis(top.reshape(n, -1), order, axis=1).astype(np.int64)
        g = draw_objects(np.stack([levels, order // lc, order % lc], axis=2), size=h,
                         block=block, seed=rng)
    flat = occ.reshape(n, -1)
    block_r = (np.arange(h) // block)[None, :, None]
    block_c = (np.arange(w) // block)[None, None, :]
    if drop > 0:
        chosen = np.argmax(np.where(flat, rng.random(flat.shape), -1.0), axis=1)
        do = (rng.random(n) < drop) & (flat.sum(axis=1) > 1)
        hit = ((block_r == (chosen // lc)[:, None, None]) &
               (block_c == (chosen % lc)[:, None, None]) & do[:, None, None])
        g[hit] = 0
        flat[do, chosen[do]] = False
    if add > 0:
        chosen = np.argmax(np.where(flat, -1.0, rng.random(flat.shape)), axis=1)
        do = (rng.random(n) < add) & ~flat.all(axis=1)
        levels = np.where(do, rng.integers(1, n_levels + 1, size=n), 0)
        new = draw_objects(np.stack([levels, chosen // lc, chosen % lc], axis=1)[:, None, :],
                           size=h, block=block, seed=rng)
        g = np.where(new > 0, new, g)
    return g
