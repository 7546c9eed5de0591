"""Scoring segmentations and clusterings against known labels.

Unsupervised labels are arbitrary integers: cluster 2 may be "water" in one run and "snow" in the
next.  To score them against ground truth, clusters are first matched to classes.  The matching
here is the Hungarian (optimal one-to-one) assignment that maximises the number of agreeing
pixels; when there are more clusters than classes, each leftover cluster joins the class it
overlaps most (many-to-one), so that over-segmentations can still be scored.

Example
-------
>>> import numpy as np
>>> truth = np.array([[0, 0, 1], [1, 2, 2]])
>>> clusters = np.array([[5, 5, 3], [3, 0, 0]])
>>> score_segmentation(truth, clusters).mean_iou
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_int, check_labels, check_real_array

__all__ = [
    "confusion",
    "match_clusters",
    "relabel",
    "pixel_accuracy",
    "iou_per_class",
    "SegmentationScore",
    "score_segmentation",
    "ClusteringScore",
    "score_clustering",
    "AdjustedScore",
    "score_adjusted",
    "accuracy_interval",
]


MAX_LABELS = 65_536
"""Labels must be below this: a confusion matrix of two label sets has up to its square cells."""


def _labels(name: str, value: object) -> np.ndarray:
    """Integer labels as int64 (arithmetic on them, such as ``t * n_pred + p``, must not wrap
    round in a small dtype like uint8), non-negative and below :data:`MAX_LABELS`."""
    arr = check_labels(name, value, ndim=(1, 2))
    if arr.max() >= MAX_LABELS:
        raise ValueError(f"{name} has label {arr.max()}; labels must be below {MAX_LABELS} "
                         f"(relabel them 0..n-1 first: a confusion matrix grows with the "
                         f"largest label squared)")
    return arr.astype(np.int64, copy=False)


def _pair(true: object, pred: object) -> tuple[np.ndarray, np.ndarray]:
    t = _labels("true", true)
    p = _labels("pred", pred)
    if t.shape != p.shape:
        raise ValueError(f"true and pred must have the same shape, got {t.shape} and {p.shape}")
    return t.ravel(), p.ravel()


def confusion(true: object, pred: object, n_true: int | None = None,
              n_pred: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of cells with true label ``i`` and predicted label ``j``.

    Parameters
    ----------
    true, pred : integer arrays of the same shape
        Labels, non-negative.
    n_true, n_pred : int, optional
        Rows and columns (default: largest label + 1).

    Returns
    -------
    (n_true, n_pred) int64 array
        ``out[t, p]`` counts the items of class ``t`` predicted as ``p``.

    Examples
    --------
    >>> confusion([0, 0, 1], [1, 1, 1]).tolist()
    [[0, 2], [0, 1]]
    """
    t, p = _pair(true, pred)
    n_true = int(t.max()) + 1 if n_true is None else check_int("n_true", n_true, minimum=1,
                                                                maximum=MAX_LABELS)
    n_pred = int(p.max()) + 1 if n_pred is None else check_int("n_pred", n_pred, minimum=1,
                                                                maximum=MAX_LABELS)
    if t.max() >= n_true:
        raise ValueError(f"true has label {t.max()} but n_true is {n_true}")
    if p.max() >= n_pred:
        raise ValueError(f"pred has label {p.max()} but n_pred is {n_pred}")
    return np.bincount(t * n_pred + p, minlength=n_true * n_pred).reshape(n_true, n_pred)


def match_clusters(true: object, pred: object, n_classes: int | None = None) -> np.ndarray:
    """Class assigned to each cluster: Hungarian one-to-one, then leftovers by majority.

    Returns an integer array ``mapping`` with ``mapping[cluster] = class``.

    Parameters
    ----------
    true, pred : integer arrays of the same shape
        Classes and clusters.
    n_classes : int, optional
        Number of classes (default: largest class + 1).

    Returns
    -------
    (n_clusters,) int64 array
        ``mapping[cluster] = class``.

    Examples
    --------
    >>> match_clusters([0, 0, 1, 1], [1, 1, 0, 2]).tolist()
    [1, 0, 1]
    """
    from scipy.optimize import linear_sum_assignment

    t, p = _pair(true, pred)
    n_classes = int(t.max()) + 1 if n_classes is None else check_int("n_classes", n_classes,
                                                                      minimum=1)
    counts = confusion(t, p, n_true=n_classes)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    mapping = counts.argmax(axis=0)          # majority class of every cluster
    mapping[cols] = rows                      # the optimal one-to-one part
    return mapping.astype(np.int64)


def relabel(pred: object, mapping: object) -> np.ndarray:
    """Replace every cluster label by its class, ``mapping[pred]``.

    Parameters
    ----------
    pred : integer array
        Cluster labels.
    mapping : 1-D integer array
        ``mapping[cluster] = class``, non-negative.

    Returns
    -------
    int64 array of ``pred``'s shape
    """
    p = _labels("pred", pred)
    m = check_real_array("mapping", mapping, ndim=1)
    if not np.issubdtype(m.dtype, np.integer):
        raise TypeError(f"mapping must hold integers, got dtype {m.dtype}")
    if p.max() >= m.size:
        raise ValueError(f"pred has label {p.max()} but mapping covers only {m.size} clusters")
    return m[p]


def pixel_accuracy(true: object, pred: object) -> float:
    """Fraction of cells whose predicted class equals the true class.

    Parameters
    ----------
    true, pred : integer arrays of the same shape

    Returns
    -------
    float
    """
    t, p = _pair(true, pred)
    return float(np.mean(t == p))


def iou_per_class(true: object, pred: object, n_classes: int | None = None) -> np.ndarray:
    """Intersection over union of every class; NaN for a class absent from both maps.

    Parameters
    ----------
    true, pred : integer arrays of the same shape
        Classes (already matched).
    n_classes : int, optional
        Number of classes (default: largest label + 1).

    Returns
    -------
    (n_classes,) float array
        NaN for a class absent from both.

    Examples
    --------
    >>> iou_per_class([0, 0, 1, 1], [0, 1, 1, 1]).tolist()
    [0.5, 0.6666666666666666]
    """
    t, p = _pair(true, pred)
    n = max(int(t.max()), int(p.max())) + 1
    if n_classes is not None:
        n_classes = check_int("n_classes", n_classes, minimum=1)
        if n_classes < n:
            raise ValueError(f"n_classes is {n_classes} but the labels go up to {n - 1}")
        n = n_classes
    c = confusion(t, p, n, n).astype(float)
    inter = np.diag(c)
    union = c.sum(axis=0) + c.sum(axis=1) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), np.nan)


@dataclass(frozen=True)
class SegmentationScore:
    """How a clustering compares with the ground truth after matching clusters to classes."""

    mapping: np.ndarray      # class of every cluster
    predicted: np.ndarray    # class map (same shape as the input)
    accuracy: float          # pixel accuracy
    iou: np.ndarray          # IoU of every class
    mean_iou: float          # mean over classes present in the truth or the prediction
    confusion: np.ndarray    # classes x classes counts after matching
    ari: float               # adjusted Rand index of the raw clusters (matching-free)
    nmi: float               # normalised mutual information of the raw clusters


def score_segmentation(true: object, clusters: object,
                       n_classes: int | None = None) -> SegmentationScore:
    """Match clusters to classes and compute accuracy, per-class IoU, mean IoU, confusion,
    plus the matching-free adjusted Rand index and normalised mutual information.

    Parameters
    ----------
    true : (H, W) integer array
        Ground-truth classes.
    clusters : (H, W) integer array
        Cluster labels, matched to classes here.
    n_classes : int, optional
        Number of classes (default: largest class + 1).

    Returns
    -------
    SegmentationScore
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    t_arr = _labels("true", true)
    c_arr = _labels("clusters", clusters)
    if t_arr.shape != c_arr.shape:
        raise ValueError(f"true and clusters must have the same shape, got {t_arr.shape} "
                         f"and {c_arr.shape}")
    n = int(t_arr.max()) + 1 if n_classes is None else check_int("n_classes", n_classes,
                                                                 minimum=1)
    mapping = match_clusters(t_arr, c_arr, n)
    predicted = mapping[c_arr]
    ious = iou_per_class(t_arr, predicted, n)
    t, c = t_arr.ravel(), c_arr.ravel()
    return SegmentationScore(
        mapping=mapping, predicted=predicted, accuracy=pixel_accuracy(t_arr, predicted),
        iou=ious, mean_iou=float(np.nanmean(ious)),
        confusion=confusion(t_arr, predicted, n, n),
        ari=float(adjusted_rand_score(t, c)), nmi=float(normalized_mutual_info_score(t, c)))


def _clustering_pair(true: object, clusters: object) -> tuple[np.ndarray, np.ndarray]:
    """Known groups and cluster labels: 1-D integer arrays of the same length."""
    t = _labels("true", true)
    c = _labels("clusters", clusters)
    if t.ndim != 1 or t.shape != c.shape:
        raise ValueError(f"true and clusters must be 1-D of the same length, got shapes "
                         f"{t.shape} and {c.shape}")
    return t, c


@dataclass(frozen=True)
class ClusteringScore:
    """A clustering of items (grids) scored against known labels.

    Attributes
    ----------
    nmi : float
        Normalised mutual information (0: independent of the labels, 1: the same partition).
    ari : float
        Adjusted Rand index (0: chance, 1: the same partition).
    accuracy : float
        Share of items whose cluster maps to their label (Hungarian matching, leftovers by
        majority).
    nmi_low, nmi_high : float
        95 % normal bootstrap interval of the NMI over the items (NaN when ``n_boot`` is 0).
    """

    nmi: float
    ari: float
    accuracy: float
    nmi_low: float
    nmi_high: float


def score_clustering(true: object, clusters: object, *, n_boot: int = 200,
                     seed: int = 0) -> ClusteringScore:
    """NMI, ARI and matched accuracy of ``clusters`` against ``true`` labels, with a
    bootstrap interval of the NMI (items resampled with replacement ``n_boot`` times).

    The interval is ``nmi +- 1.96 sd`` (clipped to [0, 1]), with ``sd`` the standard deviation
    of the NMI over the resamples: the bootstrap gives the spread, not the centre.  A resample
    repeats items, repeats inflate mutual information, so resampled NMIs sit above the estimate;
    near NMI = 0 every resample does, and percentile intervals then exclude the estimate.

    Parameters
    ----------
    true, clusters : 1-D integer arrays of the same length
        Known groups and cluster labels.
    n_boot : int
        Bootstrap resamples for the NMI interval (0: none, NaN bounds).
    seed : int
        Seeds the resamples.

    Returns
    -------
    ClusteringScore

    Examples
    --------
    >>> s = score_clustering([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2], n_boot=0)
    >>> s.nmi, s.ari, s.accuracy
    (1.0, 1.0, 1.0)
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from ._validation import check_seed

    t, c = _clustering_pair(true, clusters)
    n_boot = check_int("n_boot", n_boot, minimum=0, maximum=10_000)
    rng = np.random.default_rng(check_seed("seed", seed))
    nmi = float(normalized_mutual_info_score(t, c))
    low = high = float("nan")
    if n_boot:
        idx = rng.integers(0, t.size, size=(n_boot, t.size))
        boots = [normalized_mutual_info_score(t[i], c[i]) for i in idx]
        half = 1.96 * float(np.std(boots))
        low, high = max(0.0, nmi - half), min(1.0, nmi + half)
    mapping = match_clusters(t, c, int(max(t.max(), 0)) + 1)
    return ClusteringScore(nmi=nmi, ari=float(adjusted_rand_score(t, c)),
                           accuracy=float(np.mean(mapping[c] == t)), nmi_low=low,
                           nmi_high=high)


@dataclass(frozen=True)
class AdjustedScore:
    """A clustering scored with chance-adjusted measures, and what chance scores.

    With many small groups (tasks of a few grids each), even a random clustering shares much
    information with the groups: the NMI of a clustering against randomly permuted labels is
    far above 0.  The adjusted mutual information (AMI) and the adjusted Rand index (ARI)
    subtract what chance gives, so 0 means "no better than chance" whatever the group sizes.

    Attributes
    ----------
    ami, ami_low, ami_high : float
        Adjusted mutual information and its 95 % bootstrap interval.
    ari, ari_low, ari_high : float
        Adjusted Rand index and its 95 % bootstrap interval.
    nmi : float
        Normalised mutual information (not adjusted).
    chance_nmi, chance_ami : float
        Mean NMI and AMI of the same clustering against permuted labels.
    chance_ami_high : float
        The 95th percentile of those AMIs: an AMI above it is not chance.
    """

    ami: float
    ami_low: float
    ami_high: float
    ari: float
    ari_low: float
    ari_high: float
    nmi: float
    chance_nmi: float
    chance_ami: float
    chance_ami_high: float


def score_adjusted(true: object, clusters: object, *, n_boot: int = 100,
                   n_permutations: int = 100, seed: int = 0) -> AdjustedScore:
    """AMI and ARI of ``clusters`` against ``true`` groups with bootstrap intervals, and the
    NMI and AMI that the same clustering reaches against permuted groups (chance).

    The bootstrap resamples whole groups (all the items of a group together, as a new sample
    of groups would bring them), so that its intervals reflect how many groups were scored.
    Intervals are ``score +- 1.96 sd`` over the resamples, as in :func:`score_clustering`.

    Parameters
    ----------
    true, clusters : 1-D integer arrays of the same length
        Known groups and cluster labels.
    n_boot : int
        Bootstrap resamples of the groups (1..2,000).
    n_permutations : int
        Permutations of ``true`` for the chance level (1..2,000).
    seed : int
        Seeds the resamples and the permutations.

    Returns
    -------
    AdjustedScore

    Examples
    --------
    >>> s = score_adjusted([0, 0, 1, 1, 2, 2], [1, 1, 0, 0, 2, 2], n_boot=5,
    ...                    n_permutations=5)
    >>> s.ami, s.ari
    (1.0, 1.0)
    """
    from sklearn.metrics import (
        adjusted_mutual_info_score,
        adjusted_rand_score,
        normalized_mutual_info_score,
    )

    from ._validation import check_seed

    t, c = _clustering_pair(true, clusters)
    n_boot = check_int("n_boot", n_boot, minimum=1, maximum=2000)
    n_permutations = check_int("n_permutations", n_permutations, minimum=1, maximum=2000)
    rng = np.random.default_rng(check_seed("seed", seed))
    groups = np.unique(t)
    if groups.size < 2:
        raise ValueError(f"true must hold at least two groups, got {groups.size}")
    members = [np.flatnonzero(t == g) for g in groups]
    ami = float(adjusted_mutual_info_score(t, c))
    ari = float(adjusted_rand_score(t, c))
    boots = []
    for _ in range(n_boot):
        pick = rng.integers(0, groups.size, groups.size)
        idx = np.concatenate([members[g] for g in pick])
        # a group drawn twice is two groups of the resample, not one twice as large
        new = np.concatenate([np.full(members[g].size, i) for i, g in enumerate(pick)])
        boots.append((adjusted_mutual_info_score(new, c[idx]),
                      adjusted_rand_score(new, c[idx])))
    sd_ami, sd_ari = np.std(np.array(boots), axis=0)
    chance = np.array([(normalized_mutual_info_score(p, c), adjusted_mutual_info_score(p, c))
                       for p in (rng.permutation(t) for _ in range(n_permutations))])
    return AdjustedScore(
        ami=ami, ami_low=max(-1.0, ami - 1.96 * float(sd_ami)),
        ami_high=min(1.0, ami + 1.96 * float(sd_ami)),
        ari=ari, ari_low=max(-1.0, ari - 1.96 * float(sd_ari)),
        ari_high=min(1.0, ari + 1.96 * float(sd_ari)),
        nmi=float(normalized_mutual_info_score(t, c)),
        chance_nmi=float(chance[:, 0].mean()), chance_ami=float(chance[:, 1].mean()),
        chance_ami_high=float(np.quantile(chance[:, 1], 0.95)))


def accuracy_interval(correct: object, n: object, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of an accuracy of ``correct`` right answers out of ``n`` test
    items: the range of true accuracies the test set cannot rule out at the given ``level``.

    Two models whose intervals overlap are not separated by this test set.  The interval only
    covers the test set's sampling; the spread between training seeds comes on top.

    Parameters
    ----------
    correct : int
        Right answers, 0..n.
    n : int
        Test items, 1..10**9.
    level : float
        Confidence level, in [0.5, 0.999].

    Returns
    -------
    (low, high) : tuple of float

    Examples
    --------
    >>> low, high = accuracy_interval(90, 100)
    >>> round(low, 3), round(high, 3)
    (0.826, 0.945)
    """
    from scipy.stats import norm

    from ._validation import check_float

    n = check_int("n", n, minimum=1, maximum=10**9)
    correct = check_int("correct", correct, minimum=0, maximum=n)
    level = check_float("level", level, minimum=0.5, maximum=0.999)
    z = float(norm.ppf(0.5 + level / 2))
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if correct == 0 else max(0.0, float(centre - half))
    high = 1.0 if correct == n else min(1.0, float(centre + half))
    return low, high
