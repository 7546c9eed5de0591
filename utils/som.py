"""Self-organising maps with minisom: training with a learning curve, a vectorised winner map,
and clustering the codebook into a few classes.

MiniSom does the learning; this module adds what a segmentation needs around it:

- :func:`train_som` runs MiniSom's own update rule on a random sample of pixels, exactly as
  ``MiniSom.train(random_order=True)`` does, but records the quantisation and topographic error
  (and optionally the codebook) at checkpoints, so the learning can be plotted;
- :func:`winner_map` finds every pixel's best-matching unit in chunks: identical to calling
  ``som.winner`` pixel by pixel, many times faster, with bounded memory;
- :func:`cluster_codebook` groups the nodes into classes (k-means or Ward on the node weights);
- :func:`som_segment` chains the four (train, winner map, hit counts, hit-weighted k-means on
  the codebook) into one call that returns a label map, as ``kmeans_segment`` does for k-means.

Example
-------
>>> import numpy as np
>>> X = np.random.default_rng(0).normal(size=(500, 3))
>>> run = train_som(X, (4, 4), iterations=300, seed=0)
>>> winner_map(run.som, X).shape
(500,)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ._validation import (
    check_bool,
    check_choice,
    check_features,
    check_float,
    check_image_shape,
    check_int,
    check_labels,
    check_real_array,
    check_seed,
    check_som,
)

__all__ = ["SOMRun", "train_som", "winner_map", "cluster_codebook", "hit_counts",
           "SOMSegmentation", "som_segment"]


@dataclass
class SOMRun:
    """A trained SOM and its learning curve."""

    som: object                       # the trained minisom.MiniSom
    checkpoints: np.ndarray           # iteration numbers where errors were recorded
    quantization_error: np.ndarray    # mean distance of the sample to its BMU, per checkpoint
    topographic_error: np.ndarray     # share of samples whose two best units are not adjacent
    snapshots: dict[int, np.ndarray] = field(default_factory=dict)  # iteration -> codebook
    seconds: float = 0.0              # training time (without the error evaluations)


def _check_map_size(map_size: object) -> tuple[int, int]:
    if not isinstance(map_size, tuple) or len(map_size) != 2:
        raise TypeError(f"map_size must be a pair (rows, cols) of map nodes, got {map_size!r}")
    return (check_int("map_size[0]", map_size[0], minimum=1, maximum=100),
            check_int("map_size[1]", map_size[1], minimum=1, maximum=100))


MAX_NODE_UPDATES = 200_000_000
"""Largest ``iterations * rows * cols`` that :func:`train_som` accepts (about a minute here)."""


def train_som(features: object, map_size: tuple[int, int], *, iterations: int = 5000,
              sigma: float | None = None, learning_rate: float = 0.5, seed: int = 0,
              sample_size: int | None = 10000, n_checkpoints: int = 10,
              snapshot_at: tuple[int, ...] = (), topology: str = "rectangular") -> SOMRun:
    """Train a MiniSom on (a sample of) the rows of ``features``, recording the learning curve.

    Parameters
    ----------
    features : (N, F) array
        One row per pixel, preferably standardised.
    map_size : (rows, cols)
        Nodes of the map in each direction, each 1..100 (named so as not to be confused with the
        level grids of chapters 4 to 6).
    iterations : int
        Single-sample updates; learning rate and sigma decay over them (MiniSom's
        ``asymptotic_decay``).
    sigma : float or None
        Initial neighbourhood radius in map nodes, 0.1..100 (below 0.1 MiniSom's Gaussian
        underflows to NaN weights); ``None`` uses ``max(rows, cols) / 2``.
    learning_rate : float
        Initial learning rate in (0, 1].
    seed : int
        Seeds the weight initialisation, the sample and the presentation order.
    sample_size : int or None
        Rows drawn to train and to evaluate the errors on (``None``: all).
    n_checkpoints : int
        How many times (evenly spaced, including the end) the errors are recorded.
    snapshot_at : tuple of int
        Iterations after which a copy of the codebook is kept (0 = the initial codebook).
    topology : {"rectangular", "hexagonal"}

    Returns
    -------
    SOMRun
    """
    from minisom import MiniSom

    X = check_features("features", features, min_rows=2)
    rows, cols = _check_map_size(map_size)
    iterations = check_int("iterations", iterations, minimum=1, maximum=1_000_000)
    if iterations * rows * cols > MAX_NODE_UPDATES:
        raise ValueError(f"iterations x nodes = {iterations:,} x {rows * cols:,} node updates is "
                         f"more than the {MAX_NODE_UPDATES:,} this function allows (minutes "
                         f"of single-sample training); use fewer iterations or a smaller map")
    sigma = (max(rows, cols) / 2.0 if sigma is None
             else check_float("sigma", sigma, minimum=0.1, maximum=100.0))
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0,
                                min_inclusive=False, maximum=1.0)
    seed = check_seed("seed", seed)
    n_checkpoints = check_int("n_checkpoints", n_checkpoints, minimum=1, maximum=1000)
    topology = check_choice("topology", topology, ("rectangular", "hexagonal"))
    snaps = sorted({check_int("snapshot_at", s, minimum=0, maximum=iterations)
                    for s in snapshot_at})
    rng = np.random.default_rng(seed)
    if sample_size is not None:
        sample_size = check_int("sample_size", sample_size, minimum=2)
        if sample_size < X.shape[0]:
            X = X[rng.choice(X.shape[0], size=sample_size, replace=False)]
    som = MiniSom(rows, cols, X.shape[1], sigma=sigma, learning_rate=learning_rate,
                  topology=topology, random_seed=seed)
    som.random_weights_init(X)
    order = rng.integers(0, X.shape[0], size=iterations)
    marks = np.unique(np.linspace(0, iterations, n_checkpoints + 1).astype(int)[1:])
    run = SOMRun(som=som, checkpoints=marks, quantization_error=np.empty(marks.size),
                 topographic_error=np.empty(marks.size))
    if 0 in snaps:
        run.snapshots[0] = som.get_weights().copy()
    seconds, done = 0.0, 0
    for i, stop in enumerate(marks):
        start = time.perf_counter()
        for t in range(done, stop):  # MiniSom's own update rule, one sample at a time
            x = X[order[t]]
            som.update(x, som.winner(x), t, iterations)
            if t + 1 in snaps:
                run.snapshots[t + 1] = som.get_weights().copy()
        seconds += time.perf_counter() - start
        done = stop
        run.quantization_error[i] = som.quantization_error(X)
        run.topographic_error[i] = som.topographic_error(X)
    run.seconds = seconds
    return run


def winner_map(som: object, features: object, chunk_size: int = 4096,
               dedupe: bool = True) -> np.ndarray:
    """Flat index (``row * cols + col``) of the best-matching unit of every row of ``features``.

    The result is identical to calling ``som.winner`` row by row, many times faster:

    1. with ``dedupe``, rows that occur many times (colour images) are resolved once each;
    2. squared distances are computed for ``chunk_size`` rows at a time in the expanded form
       ``|x|^2 - 2 x.w + |w|^2`` (one matrix product), keeping memory near
       ``chunk_size * nodes * 8`` bytes;
    3. rows whose two nearest nodes are closer than the expanded form's rounding error are
       re-decided with MiniSom's own formula (the norm of the difference), so ties break
       exactly as in ``som.winner``.

    Parameters
    ----------
    som : minisom.MiniSom
        A trained map.
    features : (N, F) array
        Rows to map (same features as the map was trained on).
    chunk_size : int
        Rows per matrix product.
    dedupe : bool
        Resolve repeated rows once.

    Returns
    -------
    (N,) int64 array
    """
    dedupe = check_bool("dedupe", dedupe)
    from .segmentation import unique_rows

    W = check_som("som", som)
    X = check_features("features", features)
    if X.shape[1] != W.shape[2]:
        raise ValueError(f"features must have {W.shape[2]} columns like the SOM's weights, "
                         f"got {X.shape[1]}")
    chunk_size = check_int("chunk_size", chunk_size, minimum=1, maximum=1_000_000)
    if dedupe and _probably_repetitive(X):
        rows, inverse, _ = unique_rows(X)
        if rows.shape[0] <= X.shape[0] // 4:
            return winner_map(som, rows, chunk_size, dedupe=False)[inverse]
    flat = W.reshape(-1, W.shape[2])
    minus_2wt = -2.0 * flat.T
    w_sq = (flat**2).sum(axis=1)
    out = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], chunk_size):
        block = X[start:start + chunk_size]
        # |x - w|^2 = |x|^2 - 2 x.w + |w|^2; |x|^2 is the same for every node, so it is left out
        e = block @ minus_2wt
        e += w_sq
        best = e.argmin(axis=1)
        if flat.shape[0] > 1:
            # the expanded form's rounding error is far below 1e-9 of the magnitudes involved;
            # rows with another node that close to the best are re-decided exactly
            tol = 1e-9 * ((block**2).sum(axis=1) + w_sq.max()) + 1e-12
            near = (e <= (e[np.arange(e.shape[0]), best] + tol)[:, None]).sum(axis=1)
            close = np.nonzero(near > 1)[0]
            if close.size:
                exact = np.linalg.norm(block[close, None, :] - flat[None, :, :], axis=-1)
                best[close] = exact.argmin(axis=1)
        out[start:start + chunk_size] = best
    return out


def _probably_repetitive(X: np.ndarray, probe: int = 2000) -> bool:
    """Cheap test on a few rows: is deduplicating likely to shrink ``X`` at least four-fold?"""
    from .segmentation import unique_rows

    if X.shape[0] <= probe:
        return True
    step = X.shape[0] // probe
    rows, _, _ = unique_rows(X[::step][:probe])
    return rows.shape[0] <= probe // 2


def hit_counts(som: object, nodes: object) -> np.ndarray:
    """How many pixels each node wins, as a (rows, cols) array.

    Parameters
    ----------
    som : minisom.MiniSom
        A trained map.
    nodes : (N,) integer array
        Flat winning-node indices (:func:`winner_map`).

    Returns
    -------
    (rows, cols) int array
    """
    W = check_som("som", som)
    n_nodes = W.shape[0] * W.shape[1]
    idx = check_labels("nodes", nodes, ndim=1, below=n_nodes)
    return np.bincount(idx, minlength=W.shape[0] * W.shape[1]).reshape(W.shape[:2])


def cluster_codebook(som: object, n_clusters: int, *, method: str = "kmeans",
                     weights: object | None = None, seed: int = 0) -> np.ndarray:
    """Group the SOM's nodes into ``n_clusters`` classes; returns the class of every node (flat).

    ``method="kmeans"`` clusters the node weight vectors with k-means, optionally weighting each
    node by ``weights`` (e.g. its hit count, so that empty nodes between clusters do not pull
    centres); ``method="ward"`` uses agglomerative clustering restricted to map neighbours, so
    every class is a connected patch of the map.

    Parameters
    ----------
    som : minisom.MiniSom
        A trained map.
    n_clusters : int
        Classes, 1..nodes.
    method : {"kmeans", "ward"}
        k-means on the node weights, or Ward restricted to map neighbours.
    weights : (rows, cols) array, optional
        Node weights for k-means (e.g. hit counts); not accepted with Ward.
    seed : int
        Seeds k-means.

    Returns
    -------
    (rows * cols,) int64 array
        The class of every node, in flat order.
    """
    from sklearn.cluster import AgglomerativeClustering, KMeans

    W = check_som("som", som)
    rows, cols, n_feat = W.shape
    flat = W.reshape(-1, n_feat)
    k = check_int("n_clusters", n_clusters, minimum=1, maximum=rows * cols)
    method = check_choice("method", method, ("kmeans", "ward"))
    seed = check_seed("seed", seed)
    w = None
    if weights is not None:
        if method == "ward":
            raise ValueError("weights apply to method='kmeans' only: Ward clustering of the "
                             "codebook cannot weight nodes (pass weights=None)")
        w = check_real_array("weights", weights, low=0).astype(float).ravel()
        if w.size != rows * cols:
            raise ValueError(f"weights must have one value per node ({rows * cols}), got {w.size}")
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(
            flat, sample_weight=w).labels_.astype(np.int64)
    return AgglomerativeClustering(n_clusters=k, linkage="ward",
                                   connectivity=_map_connectivity(rows, cols)
                                   ).fit(flat).labels_.astype(np.int64)


def _map_connectivity(rows: int, cols: int):
    """Sparse adjacency of a rows x cols map (4-neighbours), in row-major node order."""
    from scipy.sparse import diags, identity, kron

    def path(n):
        return diags([np.ones(n - 1), np.ones(n - 1)], [-1, 1], shape=(n, n))

    return (kron(path(rows), identity(cols)) + kron(identity(rows), path(cols))).tocsr()


@dataclass
class SOMSegmentation:
    """What :func:`som_segment` did.

    Attributes
    ----------
    labels : (H, W) int64 array
        The class of every pixel (the class of its winning node).
    nodes : (H * W,) int64 array
        The winning node of every pixel (flat node index).
    node_class : (rows * cols,) int64 array
        The class of every node.
    hits : (rows, cols) int64 array
        Pixels won by each node.
    run : SOMRun
        The training run (the map, its learning curve).
    seconds : float
        Wall time of the whole pipeline.
    """

    labels: np.ndarray
    nodes: np.ndarray
    node_class: np.ndarray
    hits: np.ndarray
    run: SOMRun
    seconds: float


def som_segment(features: object, shape: tuple[int, int], map_size: tuple[int, int],
                n_classes: int, *, iterations: int = 10_000, sigma: float | None = None,
                learning_rate: float = 0.5, topology: str = "rectangular",
                weight_by_hits: bool = True, seed: int = 0) -> SOMSegmentation:
    """Segment an image with a SOM: train it on the pixels' features, give every pixel its
    winning node, and group the nodes into ``n_classes`` by k-means on the codebook.

    Parameters
    ----------
    features : (H * W, F) array
        One row per pixel, row-major (e.g. from ``pixel_features.pixel_features``).
    shape : (H, W)
        Image shape, ``H * W`` rows.
    map_size : (rows, cols)
        Nodes of the map, as for :func:`train_som`.
    n_classes : int
        Classes the nodes are grouped into.
    iterations, sigma, learning_rate, topology
        As for :func:`train_som` (one checkpoint, at the end).
    weight_by_hits : bool
        Weight every node by the pixels it wins when clustering the codebook.
    seed : int
        Seeds the map; the codebook clustering uses seed 0, as chapter 3 does.

    Returns
    -------
    SOMSegmentation

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(64, 3))
    >>> som_segment(X, (8, 8), (3, 3), 2, iterations=200).labels.shape
    (8, 8)
    """
    X = check_features("features", features, min_rows=2)
    h, w = check_image_shape("shape", shape, X.shape[0])
    weight_by_hits = check_bool("weight_by_hits", weight_by_hits)
    start = time.perf_counter()
    run = train_som(X, map_size, iterations=iterations, sigma=sigma,
                    learning_rate=learning_rate, seed=seed, n_checkpoints=1,
                    topology=topology)
    nodes = winner_map(run.som, X)
    hits = hit_counts(run.som, nodes)
    node_class = cluster_codebook(run.som, n_classes,
                                  weights=hits if weight_by_hits else None, seed=0)
    return SOMSegmentation(labels=node_class[nodes].reshape(h, w), nodes=nodes,
                           node_class=node_class, hits=hits, run=run,
                           seconds=time.perf_counter() - start)
