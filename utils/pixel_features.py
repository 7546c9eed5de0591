"""Per-pixel features of an image, vectorised over the whole image (chapter 2, then 3 and 5c).

The usual recipe clusters raw RGB values.  :func:`pixel_features` builds richer, standardised
per-pixel descriptors (position, local statistics, gradients, texture, several scales) so that
context can resolve what colour alone cannot; :func:`local_std` is its texture measure.

Example
-------
>>> from utils.landscape import synthetic_landscape
>>> land = synthetic_landscape(48, seed=0)
>>> X, names = pixel_features(land.rgb, ("colour", "position"))
>>> X.shape, names[:3]
((2304, 5), ['R', 'G', 'B'])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._validation import check_bool, check_int, check_real_array, check_rgb

__all__ = ["FEATURES", "pixel_features", "local_std"]

FEATURES: tuple[str, ...] = ("colour", "position", "local_mean", "local_std", "gradient",
                             "lbp", "multiscale")
"""Names of the feature groups :func:`pixel_features` can build."""


def pixel_features(image: object, features: Sequence[str] = ("colour",), *, window: int = 7,
                   sigmas: Sequence[float] = (1.0, 2.0, 4.0),
                   standardise: bool = True) -> tuple[np.ndarray, list[str]]:
    """One row of features per pixel (row-major order), and the name of every column.

    Parameters
    ----------
    image : (H, W, 3) array
        RGB image, ``uint8`` or float (0..1 or 0..255).
    features : sequence of str
        Groups from :data:`FEATURES`:

        - ``colour``: R, G, B in [0, 1];
        - ``position``: row and column, scaled to [0, 1];
        - ``local_mean`` / ``local_std``: mean and standard deviation of each channel in a
          ``window`` x ``window`` neighbourhood (they average away pixel noise);
        - ``gradient``: Sobel gradient magnitude of the grey image (edges, transitions);
        - ``lbp``: texture, as the local histogram of the 10 uniform local binary patterns
          (radius 1, 8 neighbours) in the window;
        - ``multiscale``: each channel Gaussian-smoothed at every scale in ``sigmas``.
    window : int
        Odd neighbourhood size, 3..63.
    sigmas : sequence of float
        Smoothing scales (pixels) for ``multiscale``, each in (0, 64].
    standardise : bool
        Scale every column to zero mean and unit variance (constant columns become 0), so that
        no group dominates k-means distances by its units alone.

    Returns
    -------
    (numpy.ndarray, list of str)
        Array of shape (H * W, n_features) and the column names.
    """
    standardise = check_bool("standardise", standardise)
    from scipy import ndimage

    img = check_rgb("image", image)
    if isinstance(features, str) or not isinstance(features, Sequence) or not features:
        raise TypeError(f"features must be a non-empty sequence of names from {list(FEATURES)}, "
                        f"got {features!r}")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"features has unknown name(s) {unknown}; accepted: {list(FEATURES)}")
    window = check_int("window", window, minimum=3, maximum=63)
    if window % 2 == 0:
        raise ValueError(f"window must be odd, got {window}")
    sig = check_real_array("sigmas", sigmas, ndim=1, low=1e-6, high=64.0)
    if sig.size > 16:
        raise ValueError(f"sigmas may hold at most 16 scales, got {sig.size}")
    h, w, _ = img.shape
    grey = img @ np.array([0.299, 0.587, 0.114])
    columns: list[np.ndarray] = []
    names: list[str] = []

    def add(values: np.ndarray, name: str) -> None:
        columns.append(values.reshape(-1))
        names.append(name)

    for group in dict.fromkeys(features):  # keep order, drop repeats
        if group == "colour":
            for c, ch in enumerate("RGB"):
                add(img[..., c], ch)
        elif group == "position":
            rows, cols = np.mgrid[0:h, 0:w]
            add(rows / max(h - 1, 1), "row")
            add(cols / max(w - 1, 1), "col")
        elif group == "local_mean":
            for c, ch in enumerate("RGB"):
                add(ndimage.uniform_filter(img[..., c], size=window, mode="reflect"),
                    f"mean{window}_{ch}")
        elif group == "local_std":
            stds = local_std(img, window)
            for c, ch in enumerate("RGB"):
                add(stds[..., c], f"std{window}_{ch}")
        elif group == "gradient":
            gx = ndimage.sobel(grey, axis=1, mode="reflect")
            gy = ndimage.sobel(grey, axis=0, mode="reflect")
            add(np.hypot(gx, gy), "gradient")
        elif group == "lbp":
            from skimage.feature import local_binary_pattern

            codes = local_binary_pattern((grey * 255).astype(np.uint8), P=8, R=1,
                                         method="uniform").astype(np.int64)
            for code in range(10):
                add(ndimage.uniform_filter((codes == code).astype(float), size=window,
                                           mode="reflect"), f"lbp{code}")
        elif group == "multiscale":
            for s in sig:
                for c, ch in enumerate("RGB"):
                    add(ndimage.gaussian_filter(img[..., c], sigma=float(s), mode="reflect"),
                        f"gauss{s:g}_{ch}")
    X = np.column_stack(columns)
    if standardise:
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return X, names


def local_std(maps: object, window: int = 7) -> np.ndarray:
    """Standard deviation of every channel of ``maps`` (H, W, C) in a ``window`` x ``window``
    neighbourhood (reflected at the borders): how much a channel varies around each pixel,
    a simple texture measure.

    Parameters
    ----------
    maps : (H, W, C) array
        Image channels or any per-pixel feature maps.
    window : int
        Odd neighbourhood size, 3..63.

    Returns
    -------
    (H, W, C) float array

    Examples
    --------
    >>> stripes = np.tile([0.0, 1.0], (4, 2))[..., None]      # alternating columns
    >>> float(local_std(stripes, 3)[1, 1, 0]) > 0.4
    True
    """
    from scipy import ndimage

    arr = check_real_array("maps", maps, ndim=3).astype(np.float64)
    window = check_int("window", window, minimum=3, maximum=63)
    if window % 2 == 0:
        raise ValueError(f"window must be odd, got {window}")
    size = (window, window, 1)
    mean = ndimage.uniform_filter(arr, size=size, mode="reflect")
    sq = ndimage.uniform_filter(arr ** 2, size=size, mode="reflect")
    return np.sqrt(np.maximum(sq - mean ** 2, 0.0))
