"""Choosing, without labels, which representation of a trained encoder carries the structure of
a reader's grids: all levels together, or one pair of levels (chapter 6's label-free recipe,
issue 38).

A contrastive encoder trained on all levels (:func:`utils.contrastive.fit_contrastive`) can
embed a grid through all its levels, or through any two of them with the others turned into
background (:func:`utils.objects.keep_levels`).  Which of these groups the grids by what
matters depends on the data: when the classes depend on one pair of levels, the other levels
are distractors and only that pair separates them; when they depend on all levels, no pair
can.  A silhouette alone does not tell which: some representations cluster well on structure
that has nothing to do with relations (how many objects of each level there are, how large).

So every representation is compared with itself on a **null**: the same grids with every
object moved to a random free place (:func:`scatter_objects`), which keeps the levels, counts,
sizes and shapes of the objects and destroys the relations between them.  The **excess
silhouette** of a representation is its silhouette curve on the grids minus its curve on the
scattered grids (:func:`excess_silhouette`); the representation whose excess is largest is the
one whose clusters come from relations, and its own silhouette curve then gives the number of
clusters (:func:`choose_representation`).  Where the classes are made of several independent
relations (levels 1 and 2 side by side, and separately 3 above or below 4), more than one
representation carries structure: every representation whose excess is at least half the
largest is reported, each with its own number of clusters (``Choice.carriers``).

Example
-------
>>> g = np.zeros((1, 12, 12), dtype=np.uint8)
>>> g[0, 1:3, 1:3] = 1; g[0, 8, 6:9] = 2
>>> s = scatter_objects(g, n_levels=2, seed=0)
>>> np.bincount(s.ravel(), minlength=3).tolist()      # same cells of every level
[137, 4, 3]
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ._validation import (
    check_bool,
    check_float,
    check_instance,
    check_int,
    check_ks,
    check_real_array,
    check_seed,
)
from .clustering import silhouette_curve
from .grids import check_grid
from .objects import find_objects, keep_levels

__all__ = ["scatter_objects", "embed_through_levels", "excess_silhouette",
           "choose_representation", "Choice"]

_TRIES = 200


def scatter_objects(grids: object, *, n_levels: int = 4, seed: int = 0) -> np.ndarray:
    """The grids with every object moved, whole, to a random place of its grid: the null of
    :func:`excess_silhouette`, in which the relations between objects are gone.

    An object is a 4-connected component of one level (:func:`utils.objects.find_objects`).
    Objects are placed one by one in random order, each where it touches no object placed
    before (one empty cell between them, so none merges with another); an object that finds
    no such place in 200 tries keeps its own place if that is free, and is left out
    otherwise (rare in grids that are mostly background).

    Parameters
    ----------
    grids : (N, H, W) integer array
        Level grids 0..n_levels.
    n_levels : int
        Highest level, 1..255.
    seed : int
        Seeds the places.

    Returns
    -------
    (N, H, W) uint8 array
        Same levels, object sizes and shapes; places drawn at random.
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    g = check_grid(grids, n_levels, name="grids")
    if g.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {g.shape}")
    rng = np.random.default_rng(check_seed("seed", seed))
    obj = find_objects(g, n_levels=n_levels)
    out = np.zeros(g.shape, dtype=np.uint8)
    _, h, w = g.shape
    for j in rng.permutation(len(obj.levels)):
        i = obj.grid[j]
        cells = np.argwhere(obj.labels[i] == j + 1)
        home = cells.min(axis=0)
        cells -= home
        rows, cols = cells.max(axis=0) + 1
        for _ in range(_TRIES):
            r, c = int(rng.integers(0, h - rows + 1)), int(rng.integers(0, w - cols + 1))
            if _free(out[i], r, c, rows, cols):
                break
        else:
            r, c = home
            if not _free(out[i], r, c, rows, cols):
                continue
        out[i, cells[:, 0] + r, cells[:, 1] + c] = obj.levels[j]
    return out


def _free(grid: np.ndarray, r: int, c: int, rows: int, cols: int) -> bool:
    """Whether the box of ``rows`` x ``cols`` cells at (r, c), and the cells around it, are
    empty."""
    return not grid[max(r - 1, 0):r + rows + 1, max(c - 1, 0):c + cols + 1].any()


def embed_through_levels(model, grids: object, *, pairs: bool = True) -> dict[str, np.ndarray]:
    """Embed grids through all their levels and, with ``pairs``, through every pair of
    levels (the other levels turned into background), each as unit-length vectors.

    Parameters
    ----------
    model : utils.contrastive.ContrastiveLearner
        Trained (:func:`utils.contrastive.fit_contrastive`).
    grids : (N, H, W) integer array
        Level grids 0..model.n_levels, sides multiples of the model's block.
    pairs : bool
        Also every pair of levels.

    Returns
    -------
    dict of str to (N, dim) float32 array
        ``"all levels"``, then ``"levels 1-2"``, ``"levels 1-3"``, ...
    """
    from .contrastive import ContrastiveLearner, embed
    from .grids import one_hot

    check_instance("model", model, ContrastiveLearner, "build_contrastive")
    pairs = check_bool("pairs", pairs)
    g = check_grid(grids, model.n_levels, name="grids")
    if g.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {g.shape}")
    levels = list(range(1, model.n_levels + 1))
    ways = {"all levels": levels}
    if pairs:
        ways.update({f"levels {a}-{b}": [a, b] for a, b in combinations(levels, 2)})
    return {name: embed(model, one_hot(keep_levels(g, kept), model.n_levels, dtype="uint8"),
                        normalise=True)
            for name, kept in ways.items()}


def _check_representations(name: str, reps: object) -> dict[str, np.ndarray]:
    if not isinstance(reps, dict) or not reps:
        raise TypeError(f"{name} must be a non-empty dict name -> (N, D) array, got "
                        f"{type(reps).__name__}")
    return {key: check_real_array(f"{name}[{key!r}]", value, ndim=2).astype(np.float64)
            for key, value in reps.items()}


def excess_silhouette(features: object, null_features: object, ks: object, *,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Silhouette curves of one representation on the grids and on their null (for example
    the same grids scattered by :func:`scatter_objects`); k-means on unscaled features, as
    the unit-length vectors of :func:`embed_through_levels` are meant to be compared.

    Parameters
    ----------
    features, null_features : (N, D) and (M, D) arrays
        The representation of the grids and of the null grids.
    ks : sequence of int
        Numbers of clusters, each 2..min(N, M) - 1.
    seed : int
        Seeds k-means.

    Returns
    -------
    real, null : (len(ks),) float arrays
        Their difference is the excess.
    """
    reps = _check_representations("features", {"features": features,
                                               "null_features": null_features})
    if reps["features"].shape[1] != reps["null_features"].shape[1]:
        raise ValueError(f"features and null_features must have the same columns, got "
                         f"{reps['features'].shape[1]} and {reps['null_features'].shape[1]}")
    return (silhouette_curve(reps["features"], ks, standardise=False, seed=seed),
            silhouette_curve(reps["null_features"], ks, standardise=False, seed=seed))


@dataclass(frozen=True)
class Choice:
    """What :func:`choose_representation` found.

    Attributes
    ----------
    ks : (K,) int array
    real, null : dict of str to (K,) float array
        Every representation's silhouette curve on the grids and on the null.
    carriers : tuple of (str, int)
        Every representation whose excess is at least ``share`` of the largest, largest
        first, each with the k where its own silhouette on the grids is highest.  More than
        one means structure in several places (for example two pairs of levels, each with
        its own relation).
    name : str
        The first carrier: the representation with the largest excess silhouette.
    k : int
        The first carrier's k.
    """

    ks: np.ndarray
    real: dict
    null: dict
    carriers: tuple

    @property
    def name(self) -> str:
        return self.carriers[0][0]

    @property
    def k(self) -> int:
        return self.carriers[0][1]

    def excess(self, name: str) -> float:
        """The largest excess silhouette of one representation over ``ks``."""
        return _excess(self.real[name], self.null[name])


def _excess(real: np.ndarray, null: np.ndarray) -> float:
    return float(np.max(real - null))


def choose_representation(representations: object, null_representations: object, *,
                          ks: object = range(2, 11), share: float = 0.5,
                          seed: int = 0) -> Choice:
    """The representation whose clusters owe most to the relations in the grids, and a
    number of clusters for it, without labels and without being told k.

    Parameters
    ----------
    representations, null_representations : dict of str to (N, D) array
        The same names: each representation of the grids and of their null
        (:func:`embed_through_levels` of the grids and of :func:`scatter_objects` of them).
    ks : sequence of int
        Numbers of clusters to try (default 2..10).
    share : float
        In (0, 1]: a representation whose excess is at least this share of the largest is
        reported too (``Choice.carriers``); 1 reports the largest only.
    seed : int
        Seeds k-means.

    Returns
    -------
    Choice
    """
    reps = _check_representations("representations", representations)
    nulls = _check_representations("null_representations", null_representations)
    if set(reps) != set(nulls):
        raise ValueError(f"representations and null_representations must have the same "
                         f"names, got {sorted(reps)} and {sorted(nulls)}")
    share = check_float("share", share, minimum=0.0, maximum=1.0, min_inclusive=False)
    seed = check_seed("seed", seed)
    rows = min(len(x) for x in (*reps.values(), *nulls.values()))
    k_arr = check_ks(ks, 2, rows - 1, "the silhouette needs at least two clusters and one row "
                     "more than clusters")
    curves = {name: excess_silhouette(reps[name], nulls[name], k_arr, seed=seed)
              for name in reps}
    real = {name: c[0] for name, c in curves.items()}
    null = {name: c[1] for name, c in curves.items()}
    excess = {name: _excess(real[name], null[name]) for name in reps}
    ranked = sorted(reps, key=lambda name: -excess[name])     # stable: ties keep their order
    top = excess[ranked[0]]
    carriers = tuple((name, int(k_arr[np.argmax(real[name])])) for name in ranked
                     if name == ranked[0] or (top > 0 and excess[name] >= share * top))
    return Choice(ks=k_arr, real=real, null=null, carriers=carriers)
