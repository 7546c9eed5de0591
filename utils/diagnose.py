"""Checks to run on grids before any model (chapter 6): leaks, lattices, and shift.

- :func:`leak_check`: can the **counts** of each level predict the labels?  If they can, a
  classifier may score well without looking at any spatial relation, and its score says
  nothing about relations.
- :func:`lattice_fraction`: do the objects sit on a lattice of ``block`` x ``block`` cells (as
  in chapters 4 and 5), so that a stride-``block`` first layer loses nothing?
- :func:`shift_check`: are new grids like the ones a model was trained on (shape, levels,
  level counts)?

Example
-------
>>> from utils.relations import make_dataset
>>> data = make_dataset(40, seed=0)
>>> float(lattice_fraction(data.grids, 5)), float(lattice_fraction(data.grids, 7))
(0.975, 0.025)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_float, check_int, check_labels, check_seed
from .grids import check_grid, level_counts

__all__ = ["LeakCheck", "leak_check", "lattice_fraction", "ShiftReport", "shift_check"]


def _grids(name: str, grids: object, n_levels: int) -> np.ndarray:
    g = check_grid(grids, n_levels, name=name)
    if g.ndim != 3:
        raise ValueError(f"{name} must be a batch (N, H, W), got shape {g.shape}")
    return g


@dataclass
class LeakCheck:
    """What the level counts alone know about the labels.

    Attributes
    ----------
    accuracy : float
        Cross-validated accuracy of a random forest given only the cells of each level.
    low, high : float
        Its 95 % Wilson interval.
    majority : float
        Accuracy of always answering the most common class (the baseline).
    chance : float
        Accuracy of guessing in proportion to the classes (sum of squared class shares).
    """

    accuracy: float
    low: float
    high: float
    majority: float
    chance: float


def leak_check(grids: object, labels: object, *, n_levels: int = 4, folds: int = 5,
               seed: int = 0) -> LeakCheck:
    """Cross-validated accuracy of predicting the labels from level counts alone.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Levels 0..n_levels.
    labels : (N,) integer array
        Class indices, at least two classes, each at least ``folds`` times.
    n_levels : int
        Highest level, 1..255.
    folds : int
        Cross-validation folds, 2..20.
    seed : int
        Seeds the folds and the forest.

    Returns
    -------
    LeakCheck
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from .metrics import accuracy_interval

    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    g = _grids("grids", grids, n_levels)
    y = check_labels("labels", labels, ndim=1)
    if len(y) != len(g):
        raise ValueError(f"labels must have one label per grid: {len(y)} labels for "
                         f"{len(g)} grids")
    folds = check_int("folds", folds, minimum=2, maximum=20)
    seed = check_seed("seed", seed)
    counts = np.bincount(y)
    present = counts[counts > 0]
    if present.size < 2 or present.min() < folds:
        raise ValueError(f"labels must hold at least two classes with at least folds={folds} "
                         f"grids each, got class counts {counts.tolist()}")
    x = np.log1p(level_counts(g, n_levels))
    forest = RandomForestClassifier(n_estimators=200, min_samples_leaf=5, random_state=seed,
                                    n_jobs=1)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    pred = cross_val_predict(forest, x, y, cv=cv)
    correct = int(np.sum(pred == y))
    low, high = accuracy_interval(correct, len(y))
    shares = present / len(y)
    return LeakCheck(accuracy=correct / len(y), low=low, high=high,
                     majority=float(shares.max()), chance=float(np.sum(shares ** 2)))


def lattice_fraction(grids: object, block: int, *, n_levels: int = 255) -> float:
    """Share of grids whose objects sit on the lattice of ``block`` x ``block`` cells.

    A grid sits on the lattice when no object crosses a block boundary (no two side-by-side
    cells of the same level lie in different blocks) and no block holds two levels.  Grids
    of chapters 4 and 5 give nearly 1 for ``block=5`` (not quite: two blobs of one level in
    neighbouring blocks sometimes touch, and look like one object crossing the boundary);
    objects drawn anywhere give much less.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Levels 0..n_levels; H and W need not be multiples of ``block`` (the last partial
        blocks count as blocks).
    block : int
        Side of a lattice block, 2..64.
    n_levels : int
        Highest level allowed.

    Returns
    -------
    float in [0, 1]
    """
    block = check_int("block", block, minimum=2, maximum=64)
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    g = _grids("grids", grids, n_levels).astype(np.int16)
    n, h, w = g.shape
    ok = np.ones(n, dtype=bool)
    for axis, size in ((1, h), (2, w)):
        cut = np.arange(block, size, block)            # first index of each new block
        a, b = np.take(g, cut - 1, axis=axis), np.take(g, cut, axis=axis)
        ok &= ~np.any((a == b) & (a > 0), axis=(1, 2))
    hb, wb = -(-h // block) * block, -(-w // block) * block
    padded = np.zeros((n, hb, wb), dtype=np.int16)
    padded[:, :h, :w] = g
    blocks = padded.reshape(n, hb // block, block, wb // block, block)
    top = blocks.max(axis=(2, 4))
    low = np.where(blocks > 0, blocks, 256).min(axis=(2, 4))
    ok &= ~np.any((top > 0) & (low != top), axis=(1, 2))
    return float(ok.mean())


@dataclass
class ShiftReport:
    """How new grids' level counts compare with the reference grids'.

    Attributes
    ----------
    reference_mean, new_mean : (n_levels,) float arrays
        Mean cells of each level 1..n_levels per grid.
    p_values : (n_levels,) float array
        Two-sample Kolmogorov-Smirnov test of each level's counts (small: the new grids'
        counts are unlike the reference's).
    shifted : list of int
        Levels whose p-value is below ``alpha``.
    """

    reference_mean: np.ndarray
    new_mean: np.ndarray
    p_values: np.ndarray
    shifted: list[int]


def shift_check(reference: object, new: object, *, n_levels: int = 4,
                alpha: float = 0.01) -> ShiftReport:
    """Refuse new grids a model cannot read; compare the level counts of those it can.

    Parameters
    ----------
    reference : (N, H, W) integer array
        The grids the model was trained on.
    new : (M, H, W) integer array
        Grids to predict; must have the reference's grid shape and levels 0..n_levels
        (``ValueError`` otherwise: a model would give answers for them, but meaningless ones).
    n_levels : int
        Highest level the model knows.
    alpha : float
        Significance level for flagging a level, in (0, 0.5].

    Returns
    -------
    ShiftReport
    """
    from scipy.stats import ks_2samp

    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    ref = _grids("reference", reference, 255)
    new_g = _grids("new", new, 255)
    if new_g.shape[1:] != ref.shape[1:]:
        raise ValueError(f"new grids are {new_g.shape[1]} x {new_g.shape[2]}, the model was "
                         f"trained on {ref.shape[1]} x {ref.shape[2]}: crop, pad or retrain")
    for name, g in (("reference", ref), ("new", new_g)):
        if g.max() > n_levels:
            raise ValueError(f"{name} grids hold level {int(g.max())}, the model knows "
                             f"levels 0..{n_levels}")
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=0.5, min_inclusive=False)
    a, b = level_counts(ref, n_levels), level_counts(new_g, n_levels)
    p = np.array([ks_2samp(a[:, k], b[:, k]).pvalue for k in range(n_levels)])
    return ShiftReport(reference_mean=a.mean(0), new_mean=b.mean(0), p_values=p,
                       shifted=[k + 1 for k in range(n_levels) if p[k] < alpha])
