"""Clustering feature vectors of whole grids (chapter 5): k-means or a Gaussian mixture on
standardised features, and two criteria for the number of clusters: the Bayesian information
criterion of a Gaussian mixture, the silhouette of k-means and the stability of k-means under
resampling.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = np.concatenate([rng.normal(0, 1, (50, 2)), rng.normal(8, 1, (50, 2))])
>>> labels = cluster(x, 2, seed=0)
>>> sorted(np.bincount(labels).tolist())
[50, 50]
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    check_bool,
    check_choice,
    check_features,
    check_float,
    check_int,
    check_ks,
    check_seed,
)

__all__ = ["METHODS", "cluster", "bic_curve", "silhouette_curve", "stability_curve"]

METHODS: tuple[str, ...] = ("kmeans", "gmm")


def _features(features: object, standardise: bool = True) -> np.ndarray:
    """Float features (float32 stays float32, to spare memory), standardised if asked."""
    x = check_features("features", features, min_rows=2, keep_float32=True)
    standardise = check_bool("standardise", standardise)
    if not standardise:
        return x
    std = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(std > 0, std, 1).astype(x.dtype)


def _reduce(x: np.ndarray, dims: int | None, seed: int) -> np.ndarray:
    if dims is None or dims >= x.shape[1]:
        return x
    from sklearn.decomposition import PCA

    return PCA(dims, random_state=seed).fit_transform(x)


def cluster(features: object, k: int, *, method: str = "kmeans", pca: int | None = None,
            standardise: bool = True, seed: int = 0) -> np.ndarray:
    """Cluster rows of ``features`` (standardised column by column) into ``k`` groups.

    Parameters
    ----------
    features : (N, D) array
        One feature vector per grid.
    k : int
        Number of clusters, 1..N.
    method : "kmeans" or "gmm"
        k-means (10 restarts) or a Gaussian mixture with full covariances (3 restarts).
    pca : int, optional
        Reduce to at most this many principal components first (a Gaussian mixture in many
        dimensions needs many parameters); features with fewer columns are kept as they are.
    standardise : bool
        Scale every column to zero mean and unit variance first (default).  ``False`` keeps
        raw distances, e.g. for raw one-hot cells.
    seed : int
        Seeds the initialisations.

    Returns
    -------
    (N,) int array of cluster labels 0..k-1
    """
    standardise = check_bool("standardise", standardise)
    x = _features(features, standardise)
    k = check_int("k", k, minimum=1, maximum=x.shape[0])
    method = check_choice("method", method, METHODS)
    if pca is not None:
        pca = check_int("pca", pca, minimum=1, maximum=10_000)
    seed = check_seed("seed", seed)
    x = _reduce(x, pca, seed)
    if method == "kmeans":
        from sklearn.cluster import KMeans

        return KMeans(k, n_init=10, random_state=seed).fit_predict(x).astype(np.int64)
    from sklearn.mixture import GaussianMixture

    gmm = GaussianMixture(k, covariance_type="full", n_init=3, reg_covar=1e-4,
                          random_state=seed)
    return gmm.fit(x).predict(x).astype(np.int64)


def bic_curve(features: object, ks: object, *, pca: int | None = 10,
              seed: int = 0) -> np.ndarray:
    """Bayesian information criterion of a Gaussian mixture for every k in ``ks`` (lower is
    better): the log-likelihood penalised by the number of parameters times log N.

    Parameters
    ----------
    features : (N, D) array
        Standardised (and reduced to ``pca`` components) as in :func:`cluster`.
    ks : sequence of int
        Numbers of components to try, each 1..N.
    pca : int, optional
        At most this many principal components are kept first (default 10).
    seed : int
        Seeds the mixtures.

    Returns
    -------
    (len(ks),) float array
    """
    from sklearn.mixture import GaussianMixture

    x = _features(features)
    k_arr = check_ks(ks, 1, x.shape[0], "the number of rows")
    if pca is not None:
        pca = check_int("pca", pca, minimum=1, maximum=10_000)
    seed = check_seed("seed", seed)
    x = _reduce(x, pca, seed)
    return np.array([GaussianMixture(int(k), covariance_type="full", n_init=2, reg_covar=1e-4,
                                     random_state=seed).fit(x).bic(x) for k in k_arr])


def silhouette_curve(features: object, ks: object, *, standardise: bool = True,
                     seed: int = 0) -> np.ndarray:
    """Mean silhouette of a k-means clustering (standardised features) for every k in ``ks``
    (higher is better): how much closer each row is to its own cluster than to the nearest
    other one, averaged, in [-1, 1].

    Parameters
    ----------
    features : (N, D) array
        One feature vector per item.
    ks : sequence of int
        Numbers of clusters to try, each 2..N-1.
    standardise : bool
        Scale every column first (default), as :func:`cluster` does.
    seed : int
        Seeds k-means.

    Returns
    -------
    (len(ks),) float array
    """
    from sklearn.metrics import silhouette_score

    x = _features(features, standardise)
    k_arr = check_ks(ks, 2, x.shape[0] - 1, "the silhouette needs at least two clusters "
                      "and one row more than clusters")
    seed = check_seed("seed", seed)
    return np.array([silhouette_score(x, cluster(x, int(k), standardise=False, seed=seed))
                     for k in k_arr])


def stability_curve(features: object, ks: object, *, n_resamples: int = 10,
                    fraction: float = 0.8, standardise: bool = True,
                    seed: int = 0) -> np.ndarray:
    """Stability of k-means under resampling for every k in ``ks`` (higher is better).

    For each k, ``n_resamples`` times: two random subsets of ``fraction`` of the rows are
    clustered on their own (standardised features, k-means with 3 restarts), and the
    adjusted Rand index of the two clusterings on the rows the subsets share is taken.  A k
    that matches real groups gives the same partition from different samples (about 1); a k
    that cuts a group in two cuts it in different places each time.  Returns the mean over
    the resamples (Ben-Hur, Elisseeff and Guyon, 2002; Lange et al., 2004).

    Parameters
    ----------
    features : (N, D) array
        One feature vector per item.
    ks : sequence of int
        Numbers of clusters to try, each 2..N/2.
    n_resamples : int
        Pairs of subsets per k, 2..100.
    fraction : float
        Share of the rows in every subset, in [0.5, 0.95] (two subsets then share at least
        a few rows).
    standardise : bool
        Scale every column first (default), as :func:`cluster` does.
    seed : int
        Seeds the subsets and k-means.

    Returns
    -------
    (len(ks),) float array
        Mean adjusted Rand index, 1 for a perfectly stable k.
    """
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    x = _features(features, standardise)
    k_arr = check_ks(ks, 2, x.shape[0] // 2, "every subset must hold at least two rows a "
                     "cluster")
    n_resamples = check_int("n_resamples", n_resamples, minimum=2, maximum=100)
    fraction = check_float("fraction", fraction, minimum=0.5, maximum=0.95)
    rng = np.random.default_rng(check_seed("seed", seed))
    n = x.shape[0]
    size = int(round(fraction * n))
    out = []
    for k in k_arr:
        scores = []
        for _ in range(n_resamples):
            a, b = (np.sort(rng.choice(n, size, replace=False)) for _ in range(2))
            both = np.intersect1d(a, b)
            fits = [KMeans(int(k), n_init=3, random_state=int(rng.integers(2 ** 31)))
                    .fit(x[part]) for part in (a, b)]
            scores.append(adjusted_rand_score(fits[0].predict(x[both]),
                                              fits[1].predict(x[both])))
        out.append(float(np.mean(scores)))
    return np.array(out)
