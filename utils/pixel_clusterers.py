"""Beyond k-means: the other clusterers of pixels that chapter 2 compares (mixtures, hierarchies,
density).

- :func:`gmm_segment`: a Gaussian mixture fitted on a sample of pixels, every pixel labelled by
  its most probable component, with the probability kept (an uncertainty map), and the BIC and
  AIC of the fit; :func:`gmm_criteria` sweeps them over k.
- :func:`agglomerative_segment`: agglomerative clustering (Ward's linkage, or another of
  :data:`LINKAGES`) restricted to neighbouring pixels (a pixel-grid connectivity), so that
  every cluster is one spatially **contiguous** region; with more regions than classes
  (superpixels), the regions are grouped into classes by k-means on their mean features.
- :func:`dbscan_segment`: DBSCAN on the distinct feature rows, weighted by how many pixels share
  each (exactly DBSCAN on every pixel, far faster); pixels in no dense region are labelled -1.
- :func:`hdbscan_segment`: HDBSCAN (no ``eps``: clusters are the densest regions that persist
  over every radius) fitted on a sample of pixels, every pixel labelled as its nearest sampled
  pixel, noise (-1) included.

Each returns a label map of the image's shape, scored in chapter 2 like k-means.

Example
-------
>>> from utils import landscape as ls, pixel_features as pf
>>> land = ls.synthetic_landscape(32, seed=0)
>>> X, _ = pf.pixel_features(land.rgb, ("colour",))
>>> gmm_segment(X, (32, 32), 4, sample_size=500).labels.shape
(32, 32)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ._validation import (
    check_choice,
    check_features,
    check_float,
    check_image_shape,
    check_int,
    check_ks,
    check_seed,
)

__all__ = ["COVARIANCES", "LINKAGES", "GMMSegmentation", "gmm_segment", "gmm_criteria",
           "AgglomerativeSegmentation", "agglomerative_segment", "DBSCANSegmentation",
           "dbscan_segment", "hdbscan_segment"]

COVARIANCES = ("full", "tied", "diag", "spherical")
"""Covariance types of scikit-learn's ``GaussianMixture``."""

LINKAGES = ("ward", "complete", "average", "single")
"""Linkages of scikit-learn's ``AgglomerativeClustering``: the merge that grows the
within-cluster variance least, or the clusters whose farthest, average or nearest pixels are
closest."""


def _features_and_shape(features: object, shape: object) -> tuple[np.ndarray, int, int]:
    X = check_features("features", features)
    h, w = check_image_shape("shape", shape, X.shape[0])
    return X, h, w


def _sample(X: np.ndarray, sample_size: object, seed: int) -> np.ndarray:
    if sample_size is None:
        return X
    n = check_int("sample_size", sample_size, minimum=10)
    if n >= len(X):
        return X
    return X[np.random.default_rng(seed).choice(len(X), n, replace=False)]


def _mixture(k: int, covariance: str, seed: int):
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(k, covariance_type=covariance, n_init=3, reg_covar=1e-6,
                           random_state=seed)


@dataclass
class GMMSegmentation:
    """Result of :func:`gmm_segment`.

    Attributes
    ----------
    labels : (H, W) int array
        Most probable component of every pixel.
    confidence : (H, W) float array
        Its probability (1 - confidence is the uncertainty map).
    bic, aic : float
        Information criteria of the fit on the sample (lower is better).
    seconds : float
        Time to fit and label.
    model : sklearn.mixture.GaussianMixture
        The fitted mixture.
    """

    labels: np.ndarray
    confidence: np.ndarray
    bic: float
    aic: float
    seconds: float
    model: object


def gmm_segment(features: object, shape: tuple[int, int], n_components: int, *,
                covariance: str = "tied", sample_size: int | None = 5000,
                seed: int = 0) -> GMMSegmentation:
    """Fit a Gaussian mixture on a sample of pixels and label every pixel.

    Parameters
    ----------
    features : (H * W, F) array
        One row per pixel (e.g. from :func:`utils.pixel_features.pixel_features`).
    shape : (H, W)
        Image shape.
    n_components : int
        Components, 1..64.
    covariance : {"full", "tied", "diag", "spherical"}
        One covariance matrix per component, one shared, diagonal ones, or one variance each.
    sample_size : int or None
        Pixels the mixture is fitted on (at least 10; None: all).
    seed : int
        Seeds the sample and the three initialisations.

    Returns
    -------
    GMMSegmentation
    """
    X, h, w = _features_and_shape(features, shape)
    k = check_int("n_components", n_components, minimum=1, maximum=64)
    covariance = check_choice("covariance", covariance, COVARIANCES)
    seed = check_seed("seed", seed)
    sample = _sample(X, sample_size, seed)
    if len(sample) < k:
        raise ValueError(f"n_components ({k}) must not exceed the {len(sample)} pixels fitted")
    start = time.perf_counter()
    model = _mixture(k, covariance, seed).fit(sample)
    proba = model.predict_proba(X)
    return GMMSegmentation(labels=proba.argmax(axis=1).reshape(h, w),
                           confidence=proba.max(axis=1).reshape(h, w),
                           bic=float(model.bic(sample)), aic=float(model.aic(sample)),
                           seconds=time.perf_counter() - start, model=model)


def gmm_criteria(features: object, ks: object, *, covariance: str = "tied",
                 sample_size: int | None = 5000, seed: int = 0) -> dict[str, np.ndarray]:
    """BIC and AIC of a Gaussian mixture for every k, fitted on one sample of pixels.

    Parameters
    ----------
    features : (N, F) array
        One row per pixel.
    ks : sequence of int
        Numbers of components, each 1..64, strictly increasing.
    covariance : str
        As for :func:`gmm_segment`.
    sample_size : int or None
        Pixels fitted (None: all).
    seed : int
        Seeds the sample and the fits.

    Returns
    -------
    dict with arrays ``k``, ``bic`` and ``aic`` (lower is better)
    """
    X = check_features("features", features)
    k_arr = check_ks(ks, 1, 64, "components of a mixture")
    if np.any(np.diff(k_arr) <= 0):
        raise ValueError(f"ks must be strictly increasing, got {k_arr.tolist()}")
    covariance = check_choice("covariance", covariance, COVARIANCES)
    seed = check_seed("seed", seed)
    sample = _sample(X, sample_size, seed)
    fits = [_mixture(int(k), covariance, seed).fit(sample) for k in k_arr]
    return {"k": k_arr, "bic": np.array([m.bic(sample) for m in fits]),
            "aic": np.array([m.aic(sample) for m in fits])}


@dataclass
class AgglomerativeSegmentation:
    """Result of :func:`agglomerative_segment`.

    Attributes
    ----------
    labels : (H, W) int array
        Class of every pixel.
    regions : (H, W) int array
        The contiguous region (superpixel) of every pixel.
    n_regions : int
        Regions found by the connectivity-constrained agglomerative clustering.
    seconds : float
        Time of the whole pipeline.
    """

    labels: np.ndarray
    regions: np.ndarray
    n_regions: int
    seconds: float


def agglomerative_segment(features: object, shape: tuple[int, int], n_clusters: int, *,
                          n_regions: int | None = None, step: int = 2,
                          linkage: str = "ward", seed: int = 0) -> AgglomerativeSegmentation:
    """Agglomerative clustering of pixels restricted to grid neighbours: contiguous regions.

    With ``n_regions`` None every class is **one** contiguous region.  With ``n_regions``
    larger than ``n_clusters`` the image is first cut into that many contiguous regions
    (superpixels), which k-means then groups into ``n_clusters`` classes by their mean
    features, weighted by their sizes.

    Parameters
    ----------
    features : (H * W, F) array
        One row per pixel, row-major.
    shape : (H, W)
        Image shape.
    n_clusters : int
        Classes, 1..64.
    n_regions : int, optional
        Contiguous regions to cut first, n_clusters..10,000.
    step : int
        Every ``step``-th pixel in each direction is clustered (1..8), and each result is
        repeated over its ``step`` x ``step`` block: its cost grows fast with the number of
        pixels.
    linkage : {"ward", "complete", "average", "single"}
        Which two neighbouring clusters merge next: the pair whose merge increases the
        within-cluster variance least (Ward), or whose farthest, average or nearest pixels are
        closest. Single linkage chains along gradual colour changes into one huge region.
    seed : int
        Seeds the k-means of the regions.

    Returns
    -------
    AgglomerativeSegmentation
    """
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.feature_extraction.image import grid_to_graph

    X, h, w = _features_and_shape(features, shape)
    k = check_int("n_clusters", n_clusters, minimum=1, maximum=64)
    regions_wanted = k if n_regions is None else check_int("n_regions", n_regions, minimum=k,
                                                            maximum=10_000)
    step = check_int("step", step, minimum=1, maximum=8)
    linkage = check_choice("linkage", linkage, LINKAGES)
    seed = check_seed("seed", seed)
    grid = X.reshape(h, w, -1)[::step, ::step]
    hs, ws = grid.shape[:2]
    if hs * ws > 70_000:
        raise ValueError(f"{hs} x {ws} pixels after step={step} is more than the 70,000 "
                         f"agglomerative clustering handles in seconds; use a larger step")
    if hs * ws < regions_wanted:
        raise ValueError(f"n_regions ({regions_wanted}) must not exceed the {hs * ws} pixels "
                         f"clustered (step={step})")
    start = time.perf_counter()
    flat = grid.reshape(hs * ws, -1)
    merged = AgglomerativeClustering(regions_wanted, connectivity=grid_to_graph(hs, ws),
                                     linkage=linkage).fit(flat)
    region = merged.labels_
    if regions_wanted == k:
        label = region
    else:
        sizes = np.bincount(region, minlength=regions_wanted).astype(float)
        means = np.stack([np.bincount(region, weights=flat[:, c], minlength=regions_wanted)
                          for c in range(flat.shape[1])], axis=1) / sizes[:, None]
        km = KMeans(k, n_init=10, random_state=seed).fit(means, sample_weight=sizes)
        label = km.labels_[region]

    def full(a: np.ndarray) -> np.ndarray:
        big = np.repeat(np.repeat(a.reshape(hs, ws), step, axis=0), step, axis=1)
        return big[:h, :w]

    return AgglomerativeSegmentation(labels=full(label), regions=full(region),
                                     n_regions=regions_wanted,
                                     seconds=time.perf_counter() - start)


@dataclass
class DBSCANSegmentation:
    """Result of :func:`dbscan_segment` and :func:`hdbscan_segment`.

    Attributes
    ----------
    labels : (H, W) int array
        Cluster of every pixel, -1 for noise (in no dense region).
    n_clusters : int
        Clusters found (noise not counted).
    noise_share : float
        Share of pixels labelled noise.
    seconds : float
        Time of the fit (and, for HDBSCAN, of labelling every pixel).
    """

    labels: np.ndarray
    n_clusters: int
    noise_share: float
    seconds: float


def dbscan_segment(features: object, shape: tuple[int, int], eps: float, *,
                   min_pixels: int = 50) -> DBSCANSegmentation:
    """DBSCAN on pixels, computed on their distinct feature rows weighted by their counts.

    A pixel is in a dense region when at least ``min_pixels`` pixels (itself included) have
    features within ``eps`` of its own; dense regions that touch are one cluster.

    Parameters
    ----------
    features : (H * W, F) array
        One row per pixel.
    shape : (H, W)
        Image shape.
    eps : float
        Neighbourhood radius in feature units (> 0).
    min_pixels : int
        Pixels a neighbourhood must hold to be dense, 1..10**7.

    Returns
    -------
    DBSCANSegmentation
    """
    from sklearn.cluster import DBSCAN

    from .segmentation import unique_rows

    X, h, w = _features_and_shape(features, shape)
    eps = check_float("eps", eps, minimum=0.0, min_inclusive=False)
    min_pixels = check_int("min_pixels", min_pixels, minimum=1, maximum=10**7)
    start = time.perf_counter()
    rows, inverse, counts = unique_rows(X)
    fit = DBSCAN(eps=eps, min_samples=min_pixels).fit(rows, sample_weight=counts)
    return _density_result(fit.labels_, inverse, (h, w), start)


def _density_result(fitted: np.ndarray, index: np.ndarray, shape: tuple[int, int],
                    start: float) -> DBSCANSegmentation:
    """Every pixel labelled as the fitted row ``index`` points at (-1: noise)."""
    labels = fitted[index].reshape(shape)
    return DBSCANSegmentation(labels=labels, n_clusters=int(fitted.max()) + 1,
                              noise_share=float(np.mean(labels == -1)),
                              seconds=time.perf_counter() - start)


def hdbscan_segment(features: object, shape: tuple[int, int], *, min_pixels: int = 50,
                    sample_size: int | None = 5000, seed: int = 0) -> DBSCANSegmentation:
    """HDBSCAN on a sample of pixels; every pixel takes the label of its nearest sampled pixel.

    HDBSCAN needs no ``eps``: it builds DBSCAN's clusters for every radius at once and keeps
    those that persist longest, each of at least ``min_pixels`` sampled pixels. It takes no
    sample weights, so it is fitted on a random sample (its cost grows faster than linearly).
    As scikit-learn does by default, it never answers with one cluster holding everything: where
    that would be the answer, every pixel is noise.

    Parameters
    ----------
    features : (H * W, F) array
        One row per pixel.
    shape : (H, W)
        Image shape.
    min_pixels : int
        Smallest cluster, in sampled pixels, 2..10**6 (scikit-learn's ``min_cluster_size``).
    sample_size : int or None
        Pixels fitted (at least 10; None: all).
    seed : int
        Seeds the sample.

    Returns
    -------
    DBSCANSegmentation
        Labels -1 where the nearest sampled pixel is noise.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((50, 2)), np.full((50, 2), 5.0)]
    >>> X += np.random.default_rng(0).normal(scale=0.1, size=X.shape)
    >>> hdbscan_segment(X, (10, 10), min_pixels=10).n_clusters
    2
    """
    from scipy.spatial import cKDTree
    from sklearn.cluster import HDBSCAN

    X, h, w = _features_and_shape(features, shape)
    min_pixels = check_int("min_pixels", min_pixels, minimum=2, maximum=10**6)
    seed = check_seed("seed", seed)
    sample = _sample(X, sample_size, seed)
    if len(sample) < min_pixels:
        raise ValueError(f"min_pixels ({min_pixels}) must not exceed the {len(sample)} pixels "
                         f"fitted")
    start = time.perf_counter()
    fit = HDBSCAN(min_cluster_size=min_pixels, copy=True).fit(sample)
    nearest = cKDTree(sample).query(X, k=1)[1]
    return _density_result(fit.labels_, nearest, (h, w), start)
