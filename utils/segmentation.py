"""k-means segmentation of images, vectorised over the whole image, and the helpers that read its
label maps.

:func:`kmeans_segment` fits k-means on a random sample of pixels (their features come from
:func:`utils.pixel_features.pixel_features`) and labels every pixel with the fitted centroids,
which is far cheaper than a full fit and, measured in chapter 2, just as good;
:func:`kmeans_sweep` and :func:`find_elbow` choose k; :func:`cluster_mean_colours`,
:func:`name_clusters`, :func:`segment_boundaries` and :func:`class_markers` turn a label map into
something to look at.

Example
-------
>>> from utils.landscape import synthetic_landscape
>>> from utils.pixel_features import pixel_features
>>> land = synthetic_landscape(48, seed=0)
>>> X, _ = pixel_features(land.rgb, ("colour",))
>>> kmeans_segment(X, land.rgb.shape[:2], 4, seed=0).labels.shape
(48, 48)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import (
    check_bool,
    check_features,
    check_int,
    check_labels,
    check_real_array,
    check_rgb,
    check_seed,
)

__all__ = [
    "KMeansSegmentation",
    "kmeans_segment",
    "kmeans_sweep",
    "find_elbow",
    "cluster_mean_colours",
    "name_clusters",
    "segment_boundaries",
    "class_markers",
    "unique_rows",
]

MAX_CLUSTERS = 65_536
"""Largest number of clusters (labels) :func:`cluster_mean_colours` accepts."""

@dataclass(frozen=True)
class KMeansSegmentation:
    """Result of :func:`kmeans_segment`."""

    labels: np.ndarray        # (H, W) cluster of every pixel
    centers: np.ndarray       # (k, n_features) centroids in feature space
    inertia: float            # within-cluster sum of squares over *all* pixels
    fit_rows: int             # rows the model was fitted on (unique rows or a sample)
    exact: bool               # True when the fit used every pixel (as weighted unique rows)
    fit_seconds: float        # time of the fit
    predict_seconds: float    # time to label all pixels
    model: object             # the fitted scikit-learn estimator


@dataclass(frozen=True)
class _FitData:
    rows: np.ndarray              # what k-means is fitted on
    weights: np.ndarray | None    # multiplicity of every row (exact mode)
    inverse: np.ndarray | None    # pixel -> row of `rows` (exact mode)


def unique_rows(X: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of a 2-D array, the row each original row maps to, and their counts.

    Rows are compared byte for byte (much faster than ``np.unique(X, axis=0)``), so
    ``rows[inverse]`` reproduces ``X`` exactly.

    Parameters
    ----------
    X : (N, F) array
        Rows to deduplicate.

    Returns
    -------
    (rows, inverse, counts)
        The distinct rows, the index of every input row among them, and how often each occurs.

    Examples
    --------
    >>> rows, inverse, counts = unique_rows([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]])
    >>> rows[inverse].tolist(), sorted(counts.tolist())
    ([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0]], [1, 2])
    """
    arr = np.ascontiguousarray(check_real_array("X", X, ndim=2))
    keys = arr.view(np.dtype((np.void, arr.itemsize * arr.shape[1]))).ravel()
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True,
                                          return_counts=True)
    return arr[first], inverse.ravel(), counts


def _fit_data(X: np.ndarray, sample_size: int | None, rng: np.random.Generator,
              dedupe: bool) -> _FitData:
    """Rows to fit on: the distinct rows with their counts when there are few of them
    (k-means on them minimises exactly the all-pixel objective), otherwise a random sample."""
    limit = X.shape[0] if sample_size is None else sample_size
    if dedupe:
        rows, inverse, counts = unique_rows(X)
        if rows.shape[0] <= max(limit, 1) or rows.shape[0] <= X.shape[0] // 4:
            return _FitData(rows=rows, weights=counts.astype(np.float64), inverse=inverse)
    if sample_size is None or sample_size >= X.shape[0]:
        return _FitData(rows=X, weights=None, inverse=None)
    return _FitData(rows=X[rng.choice(X.shape[0], size=sample_size, replace=False)],
                    weights=None, inverse=None)


def _fit_predict(X: np.ndarray, data: _FitData, k: int, seed: int, n_init: int,
                 minibatch: bool) -> tuple[object, np.ndarray, float, float, float]:
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if k > data.rows.shape[0]:
        raise ValueError(f"n_clusters ({k}) must not exceed the number of distinct rows "
                         f"({data.rows.shape[0]})")
    start = time.perf_counter()
    if minibatch:
        model = MiniBatchKMeans(n_clusters=k, n_init=n_init, random_state=seed,
                                batch_size=2048)
    else:
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    model.fit(data.rows, sample_weight=data.weights)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    if data.inverse is not None:
        labels = model.predict(data.rows)[data.inverse]
        inertia = float(-model.score(data.rows, sample_weight=data.weights))
    else:
        labels = model.predict(X)
        inertia = float(-model.score(X))
    return model, labels, inertia, fit_seconds, time.perf_counter() - start


def _check_kmeans_args(features: object, n_init: int, seed: int) -> tuple[np.ndarray, int, int]:
    X = check_features("features", features)
    return X, check_int("n_init", n_init, minimum=1, maximum=100), check_seed("seed", seed)


def _check_sample_size(sample_size: object) -> int | None:
    if sample_size is None:
        return None
    return check_int("sample_size", sample_size, minimum=10)


def kmeans_segment(features: object, shape: tuple[int, int], n_clusters: int, *,
                   seed: int = 0, sample_size: int | None = 20000, n_init: int = 4,
                   minibatch: bool = False, dedupe: bool = True) -> KMeansSegmentation:
    """Cluster pixels with k-means (k-means++ start) and label every pixel.

    Parameters
    ----------
    features : (N, F) array
        One row per pixel, e.g. from :func:`pixel_features`.
    shape : (int, int)
        Image shape with ``H * W == N``.
    n_clusters : int
        k, from 1 to 64.
    seed : int
        Seeds both the pixel sample and k-means.
    sample_size : int or None
        When the rows are not few enough to deduplicate, fit on this many random pixels
        (``None``: all).  All pixels are labelled either way.
    n_init : int
        Independent k-means++ starts; the best (lowest inertia) is kept.
    minibatch : bool
        Use :class:`~sklearn.cluster.MiniBatchKMeans` instead of full Lloyd iterations.
    dedupe : bool
        Fit on the distinct feature rows weighted by their counts when there are at most
        ``sample_size`` (or a quarter of N) of them.  That is the same objective as fitting on
        every pixel, at a fraction of the cost (colour images have few distinct colours).

    Returns
    -------
    KMeansSegmentation
    """
    minibatch = check_bool("minibatch", minibatch)
    dedupe = check_bool("dedupe", dedupe)
    X, n_init, seed = _check_kmeans_args(features, n_init, seed)
    if (not isinstance(shape, tuple) or len(shape) != 2
            or int(np.prod(shape)) != X.shape[0]):
        raise ValueError(f"shape must be a pair (H, W) with H * W equal to the {X.shape[0]} "
                         f"rows of features, got {shape!r}")
    k = check_int("n_clusters", n_clusters, minimum=1, maximum=64)
    data = _fit_data(X, _check_sample_size(sample_size), np.random.default_rng(seed), dedupe)
    model, labels, inertia, fit_s, predict_s = _fit_predict(X, data, k, seed, n_init,
                                                           minibatch)
    return KMeansSegmentation(labels=labels.reshape(shape), centers=model.cluster_centers_,
                              inertia=inertia, fit_rows=int(data.rows.shape[0]),
                              exact=data.inverse is not None or data.rows is X,
                              fit_seconds=fit_s, predict_seconds=predict_s, model=model)


def kmeans_sweep(features: object, ks: Sequence[int], *, seed: int = 0,
                 sample_size: int | None = 20000, score_size: int = 2000, n_init: int = 1,
                 criteria: bool = True, dedupe: bool = True) -> dict[str, np.ndarray]:
    """Fit k-means for every k (sharing one deduplication or sample) and collect the criteria.

    Returns a dict of equal-length arrays: ``k``; ``wcss`` (inertia over all pixels, lower is
    tighter); ``seconds``; and with ``criteria=True`` also ``silhouette`` (higher is better,
    NaN for k=1), ``calinski_harabasz`` (higher is better) and ``davies_bouldin`` (lower is
    better), all three computed on the same ``score_size`` random pixels (silhouette costs
    O(n^2)).

    Parameters
    ----------
    features : (N, F) array
        One row per pixel.
    ks : sequence of int
        The k to fit, each 1..64.
    seed : int
        Seeds the sample and k-means.
    sample_size : int or None
        Pixels to fit on when the rows are not few enough to deduplicate.
    score_size : int
        Pixels the three criteria are computed on.
    n_init : int
        k-means restarts per k.
    criteria : bool
        Also compute the silhouette, Calinski-Harabasz and Davies-Bouldin scores.
    dedupe : bool
        Fit on distinct rows weighted by their counts when they are few.

    Returns
    -------
    dict of str to array
        As described above.
    """
    criteria = check_bool("criteria", criteria)
    dedupe = check_bool("dedupe", dedupe)
    from sklearn.metrics import (
        calinski_harabasz_score,
        davies_bouldin_score,
        silhouette_score,
    )

    X, n_init, seed = _check_kmeans_args(features, n_init, seed)
    ks_arr = check_real_array("ks", ks, ndim=1)
    if not np.issubdtype(ks_arr.dtype, np.integer) or ks_arr.min() < 1 or ks_arr.max() > 64:
        raise ValueError(f"ks must be integers in 1..64, got {ks_arr.tolist()}")
    score_size = check_int("score_size", score_size, minimum=10)
    rng = np.random.default_rng(seed)
    data = _fit_data(X, _check_sample_size(sample_size), rng, dedupe)
    scored = rng.choice(X.shape[0], size=min(score_size, X.shape[0]), replace=False)
    keys = ["k", "wcss", "seconds"]
    if criteria:
        keys += ["silhouette", "calinski_harabasz", "davies_bouldin"]
    out: dict[str, list[float]] = {key: [] for key in keys}
    for k in ks_arr.tolist():
        start = time.perf_counter()
        _, labels, inertia, _, _ = _fit_predict(X, data, k, seed, n_init, False)
        out["k"].append(k)
        out["wcss"].append(inertia)
        if criteria:
            sample_labels = labels[scored]
            several = len(np.unique(sample_labels)) > 1
            for key, fn in (("silhouette", silhouette_score),
                            ("calinski_harabasz", calinski_harabasz_score),
                            ("davies_bouldin", davies_bouldin_score)):
                out[key].append(float(fn(X[scored], sample_labels)) if several else np.nan)
        out["seconds"].append(time.perf_counter() - start)
    return {key: np.asarray(values) for key, values in out.items()}


def find_elbow(ks: object, wcss: object, curve: str = "convex",
               direction: str = "decreasing") -> int | None:
    """The elbow of a WCSS curve found by ``kneed.KneeLocator`` (``None`` if there is none).

    An inertia curve falls and flattens: it is ``convex`` and ``decreasing``.  ``kneed``'s own
    defaults (``concave``, ``increasing``) describe the opposite shape; chapter 2 shows what
    they return on an inertia curve.

    Parameters
    ----------
    ks : 1-D array
        Strictly increasing whole numbers of clusters (at least 3).
    wcss : 1-D array
        The within-cluster sum of squares for each k.
    curve : {"convex", "concave"}
    direction : {"decreasing", "increasing"}
        The shape of the curve, passed to ``kneed``.

    Returns
    -------
    int or None
    """
    from kneed import KneeLocator

    k = check_real_array("ks", ks, ndim=1)
    y = check_real_array("wcss", wcss, ndim=1)
    if not np.all(k == np.round(k)):
        raise ValueError(f"ks must be whole numbers of clusters, got {k.tolist()}")
    if np.any(np.diff(k) <= 0):
        raise ValueError(f"ks must be strictly increasing (no repeats), got {k.tolist()}")
    if k.size != y.size or k.size < 3:
        raise ValueError(f"ks and wcss must have the same length >= 3, got {k.size} and "
                         f"{y.size}")
    if curve not in ("convex", "concave"):
        raise ValueError(f"curve must be 'convex' or 'concave', got {curve!r}")
    if direction not in ("decreasing", "increasing"):
        raise ValueError(f"direction must be 'decreasing' or 'increasing', got {direction!r}")
    elbow = KneeLocator(k, y, curve=curve, direction=direction).elbow
    return None if elbow is None else int(elbow)


def cluster_mean_colours(image: object, labels: object, n_clusters: int | None = None
                         ) -> np.ndarray:
    """Mean RGB colour (0..255) of the pixels in each cluster; NaN rows for empty clusters.

    Parameters
    ----------
    image : (H, W, 3) array
        RGB image.
    labels : (H, W) integer array
        Cluster of every pixel.
    n_clusters : int, optional
        Rows of the result (more than the largest label gives NaN rows).

    Returns
    -------
    (n_clusters, 3) float array
    """
    img = check_rgb("image", image) * 255.0
    lab = check_labels("labels", labels, ndim=2)
    if lab.shape != img.shape[:2]:
        raise ValueError(f"labels must have the image's shape {img.shape[:2]}, got {lab.shape}")
    k = int(lab.max()) + 1 if n_clusters is None else check_int(
        "n_clusters", n_clusters, minimum=int(lab.max()) + 1, maximum=MAX_CLUSTERS)
    if k > MAX_CLUSTERS:
        raise ValueError(f"labels must be below {MAX_CLUSTERS}, got maximum {k - 1}")
    counts = np.bincount(lab.ravel(), minlength=k).astype(float)
    sums = np.stack([np.bincount(lab.ravel(), weights=img[..., c].ravel(), minlength=k)
                     for c in range(3)], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]


def name_clusters(colours: object, reference: object) -> np.ndarray:
    """Index of the nearest reference colour (Euclidean in RGB) for every cluster colour.

    This names clusters without looking at the ground truth, as one would with real images.
    A NaN row (the mean colour of an empty cluster) has no nearest colour: it is an error, not
    silently the first reference colour.

    Parameters
    ----------
    colours : (K, 3) array
        Mean colour of every cluster, 0..255.
    reference : (C, 3) array
        One reference colour per class, 0..255.

    Returns
    -------
    (K,) int array
        The nearest reference (class) of every cluster.
    """
    col = check_real_array("colours", colours, ndim=2, finite=False)
    if np.isnan(col).any():
        rows = np.flatnonzero(np.isnan(col).any(axis=1)).tolist()
        raise ValueError(f"colours has NaN in row(s) {rows[:10]} (empty clusters?): drop them "
                         f"or give them a colour before naming")
    ref = check_real_array("reference", reference, ndim=2, low=0, high=255).astype(float)
    if col.shape[1] != 3 or ref.shape[1] != 3:
        raise ValueError(f"colours and reference must have 3 columns (RGB), got {col.shape} "
                         f"and {ref.shape}")
    d = ((col[:, None, :] - ref[None, :, :]) ** 2).sum(axis=2)
    d = np.where(np.isnan(d), np.inf, d)
    return d.argmin(axis=1)


def segment_boundaries(labels: object) -> np.ndarray:
    """Boolean map of the pixels on a border between two labels (``find_boundaries``, thick).

    Parameters
    ----------
    labels : (H, W) integer array

    Returns
    -------
    (H, W) bool array
    """
    from skimage.segmentation import find_boundaries

    lab = check_labels("labels", labels, ndim=2)
    return find_boundaries(lab, mode="thick")


def class_markers(class_map: object) -> dict[int, tuple[float, float]]:
    """One marker position (row, col) per class present: inside its largest connected region.

    The point is the region's pixel farthest from the region's border, so unlike a centroid it
    always lies inside the region, even for a ring-shaped or C-shaped region.

    Parameters
    ----------
    class_map : (H, W) integer array

    Returns
    -------
    dict of class -> (row, col)
    """
    from scipy import ndimage
    from skimage.measure import label, regionprops

    lab = check_labels("class_map", class_map, ndim=2)
    markers: dict[int, tuple[float, float]] = {}
    for cls in np.unique(lab).tolist():
        regions = label(lab == cls, connectivity=1)
        largest = max(regionprops(regions), key=lambda r: r.area)
        mask = np.pad(regions == largest.label, 1)
        depth = ndimage.distance_transform_edt(mask)[1:-1, 1:-1]
        r, c = np.unravel_index(int(depth.argmax()), depth.shape)
        markers[int(cls)] = (float(r), float(c))
    return markers
