"""Beyond k-means: the other clusterers of pixels that chapter 2 compares (mixtures, hierarchies,
density).

- :func:`gmm_segment`: a Gaussian mixture fitted on a sample of pixels, every pixel labelled by
  its most probable component, with the probability kept (an uncertainty map), and the BIC and
  AIC of the fit; :func:`gmm_criteria` sweeps them over k.
- :func:`agglomerative_segment`: Ward clustering restricted to neighbouring pixels (a pixel-grid
  connectivity), so that every cluster is one spatially **contiguous** region; with more
  regions than classes (superpixels), the regions are grouped into classes by k-means on their
  mean features.
- :func:`dbscan_segment`: DBSCAN on the distinct feature rows, weighted by how many pixels share
  each (exactly DBSCAN on every pixel, far faster); pixels in no dense region are labelled -1.

Each returns a label map of the image's shape, scored in chapter 2 like k-means.

Example
-------
>>> from utils import landscape as ls, segmentation as sg
>>> land = ls.synthetic_landscape(32, seed=0)
>>> X, _ = sg.pixel_features(land.rgb, ("colour",))
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

__all__ = ["COVARIANCES", "GMMSegmentation", "gmm_segment", "gmm_criteria",
           "AgglomerativeSegmentation", "agglomerative_segment", "DBSCANSegmentation",
           "dbscan_segment"]

COVARIANCES = ("full", "tied", "diag", "spherical")
"""Covariance types of scikit-learn's ``GaussianMixture``."""


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
        One row per pixel (e.g. from :func:`utils.segmentation.pixel_features`).
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
        Regions found by the connectivity-constrained Ward clustering.
    seconds : float
        Time of the whole pipeline.
    """

    labels: np.ndarray
    regions: np.ndarray
    n_regions: int
    seconds: float


def agglomerative_segment(features: object, shape: tuple[int, int], n_clusters: int, *,
                          n_regions: int | None = None, step: int = 2,
                          seed: int = 0) -> AgglomerativeSegmentation:
    """Ward clustering of pixels restricted to grid neighbours: contiguous regions.

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
        repeated over its ``step`` x ``step`` block: Ward's cost grows fast with the number of
        pixels.
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
    seed = check_seed("seed", seed)
    grid = X.reshape(h, w, -1)[::step, ::step]
    hs, ws = grid.shape[:2]
    if hs * ws > 70_000:
        raise ValueError(f"{hs} x {ws} pixels after step={step} is more than the 70,000 Ward "
                         f"clustering handles in seconds; use a larger step")
    if hs * ws < regions_wanted:
        raise ValueError(f"n_regions ({regions_wanted}) must not exceed the {hs * ws} pixels "
                         f"clustered (step={step})")
    start = time.perf_counter()
    flat = grid.reshape(hs * ws, -1)
    ward = AgglomerativeClustering(regions_wanted, connectivity=grid_to_graph(hs, ws),
                                   linkage="ward").fit(flat)
    region = ward.labels_
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
    """Result of :func:`dbscan_segment`.

    Attributes
    ----------
    labels : (H, W) int array
        Cluster of every pixel, -1 for noise (in no dense region).
    n_clusters : int
        Clusters found (noise not counted).
    noise_share : float
        Share of pixels labelled noise.
    seconds : float
        Time of the fit.
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
    labels = fit.labels_[inverse].reshape(h, w)
    return DBSCANSegmentation(labels=labels, n_clusters=int(fit.labels_.max()) + 1,
                              noise_share=float(np.mean(labels == -1)),
                              seconds=time.perf_counter() - start)
