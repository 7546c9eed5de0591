"""Synthetic landscapes: fractal Perlin height maps, terrain classes, colouring, discrete levels.

Everything here works on whole NumPy arrays at once; there are no per-pixel Python loops.

The height maps come from the noise engine in :mod:`utils.noise` (Perlin's gradient noise,
bit-exact with ``noise.pnoise2`` and truly seeded); its public names are re-exported here, so
``landscape.fractal_heightmap`` and ``noise.fractal_heightmap`` are the same function.

Example
-------
>>> from utils.landscape import synthetic_landscape
>>> land = synthetic_landscape(64, seed=3)
>>> land.heights.shape, int(land.classes.max()) <= 3, land.rgb.dtype
((64, 64), True, dtype('uint8'))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import (
    check_choice,
    check_float,
    check_increasing,
    check_int,
    check_real_array,
    check_seed,
)
from .noise import (
    CLASSIC_PERMUTATION,
    MAX_CELLS,
    fractal_heightmap,
    perlin_noise,
    permutation_table,
)

__all__ = [
    "MAX_CELLS",
    "CLASSIC_PERMUTATION",
    "TERRAIN_CLASSES",
    "TERRAIN_COLOURS",
    "DEFAULT_THRESHOLDS",
    "Landscape",
    "permutation_table",
    "perlin_noise",
    "fractal_heightmap",
    "normalise",
    "terrain_classes",
    "colourise",
    "level_thresholds",
    "quantise",
    "synthetic_landscape",
    "noisy_image",
    "texture_landscape",
    "SpectrumFit",
    "spectral_slope",
]

TERRAIN_CLASSES: tuple[str, ...] = ("water", "grass", "mountain", "snow")
"""Names of the ground-truth terrain classes, in order of increasing height (labels 0..3)."""

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.4, 0.6, 0.8)
"""Normalised heights separating water | grass | mountain | snow."""

TERRAIN_COLOURS = np.array([
    [28, 78, 196],    # water: deep blue
    [58, 164, 72],    # grass: mid green
    [132, 92, 54],    # mountain: earth brown
    [236, 236, 240],  # snow: off-white
], dtype=np.uint8)
"""RGB colour of each terrain class (rows follow :data:`TERRAIN_CLASSES`)."""
TERRAIN_COLOURS.setflags(write=False)


def normalise(heights: object) -> np.ndarray:
    """Stretch an array linearly so that its minimum is 0 and its maximum 1.

    Raises ``ValueError`` for a constant array (there is no range to stretch) and for NaN.

    Parameters
    ----------
    heights : array
        Finite values, not all equal.

    Returns
    -------
    float array of the same shape, minimum 0, maximum 1

    Examples
    --------
    >>> normalise([[2.0, 4.0], [3.0, 6.0]]).tolist()
    [[0.0, 0.5], [0.25, 1.0]]
    """
    arr = check_real_array("heights", heights, ndim=(1, 2, 3)).astype(np.float64)
    lo, hi = arr.min(), arr.max()
    if hi == lo:
        raise ValueError(f"heights is constant (every value is {lo}); it cannot be stretched "
                         "to [0, 1]")
    with np.errstate(over="ignore"):
        overflows = not np.isfinite(hi - lo)
    if overflows:  # the range exceeds float64: shrink first (dividing by 4 is exact)
        arr, lo, hi = arr / 4.0, lo / 4.0, hi / 4.0
    return np.clip((arr - lo) / (hi - lo), 0.0, 1.0)


def _check_heights(heights: object) -> np.ndarray:
    return check_real_array("heights", heights, ndim=2, low=0.0, high=1.0).astype(np.float64,
                                                                             copy=False)


def _check_thresholds(thresholds: object, n: int | None = None) -> np.ndarray:
    return check_increasing("thresholds", thresholds, low=0.0, high=1.0, length=n)


def terrain_classes(heights: object, thresholds: object = DEFAULT_THRESHOLDS) -> np.ndarray:
    """Ground-truth terrain label of every cell: 0 water, 1 grass, 2 mountain, 3 snow.

    A cell with height ``h`` gets the number of thresholds ``<= h``.

    Parameters
    ----------
    heights : (H, W) array
        Normalised heights in [0, 1].
    thresholds : three increasing floats in (0, 1)
        Boundaries water|grass, grass|mountain, mountain|snow.

    Returns
    -------
    (H, W) int64 array

    Examples
    --------
    >>> terrain_classes([[0.1, 0.5], [0.7, 0.95]]).tolist()
    [[0, 1], [2, 3]]
    """
    h = _check_heights(heights)
    t = _check_thresholds(thresholds, len(TERRAIN_CLASSES) - 1)
    return np.digitize(h, t).astype(np.int64)


def colourise(heights: object, thresholds: object = DEFAULT_THRESHOLDS,
              colours: object = TERRAIN_COLOURS, transition_width: float = 0.05
              ) -> np.ndarray:
    """Paint a height map as an RGB image with soft transitions between terrain colours.

    Inside ``[t - w, t + w]`` around each threshold ``t`` the colour blends linearly from the
    class below to the class above; elsewhere it is the flat class colour.  The whole map is
    computed with one ``np.interp`` per channel (the colour is piecewise linear in height).

    Parameters
    ----------
    heights : (H, W) array
        Normalised heights in [0, 1].
    thresholds : increasing floats in (0, 1)
        One fewer than the number of colours.
    colours : (K, 3) array
        RGB colours 0..255, one per class, in order of increasing height.
    transition_width : float
        Half-width ``w`` of each blend band, >= 0; bands may not overlap or leave [0, 1].

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape (H, W, 3).

    Examples
    --------
    >>> colourise([[0.0, 1.0]]).tolist() == [[TERRAIN_COLOURS[0].tolist(),
    ...                                       TERRAIN_COLOURS[3].tolist()]]
    True
    """
    h = _check_heights(heights)
    col = check_real_array("colours", colours, ndim=2, low=0, high=255).astype(np.float64)
    if col.shape[1] != 3 or col.shape[0] < 2:
        raise ValueError(f"colours must have shape (K, 3) with K >= 2, got {col.shape}")
    t = _check_thresholds(thresholds, col.shape[0] - 1)
    w = check_float("transition_width", transition_width, minimum=0.0)
    gaps = np.diff(np.concatenate([[0.0], t, [1.0]]))
    # Interior gaps hold two half-bands, the outer ones one.
    limit = min(gaps[0], gaps[-1], *(gaps[1:-1] / 2)) if gaps.size > 2 else min(gaps)
    if w >= limit:
        raise ValueError(f"transition_width must be < {limit:.4g} for thresholds "
                         f"{t.tolist()} (bands would overlap), got {w}")
    if w == 0:
        out = col[np.digitize(h, t)]
    else:
        knots = np.column_stack([t - w, t + w]).ravel()
        values = np.repeat(col, 2, axis=0)[1:-1]  # c0, c1, c1, c2, c2, ...
        out = np.stack([np.interp(h, knots, values[:, ch]) for ch in range(3)], axis=-1)
    return np.rint(out).astype(np.uint8)


def level_thresholds(heights: object, levels: int = 4, method: str = "quantile") -> np.ndarray:
    """Cut points that split ``heights`` into ``levels`` discrete levels.

    ``method="uniform"`` cuts [0, 1] into equal widths; ``"quantile"`` puts (about) the same
    number of cells in every level, whatever the distribution of heights.

    Parameters
    ----------
    heights : array
        Normalised heights in [0, 1].
    levels : int
        Number of levels, 2..255.
    method : {"quantile", "uniform"}
        Equal counts per level, or equal height ranges.

    Returns
    -------
    (levels - 1,) float array of increasing thresholds

    Examples
    --------
    >>> level_thresholds([[0.0, 1.0]], levels=4, method="uniform").tolist()
    [0.25, 0.5, 0.75]
    """
    h = _check_heights(heights)
    levels = check_int("levels", levels, minimum=2, maximum=255)
    method = check_choice("method", method, ("quantile", "uniform"))
    qs = np.arange(1, levels) / levels
    if method == "uniform":
        return qs
    cuts = np.quantile(h, qs)
    if np.any(np.diff(cuts) <= 0):
        raise ValueError(f"heights has too few distinct values for {levels} quantile levels; "
                         "use method='uniform' or fewer levels")
    return cuts


def quantise(heights: object, levels: int = 4, method: str = "quantile",
             thresholds: object | None = None) -> np.ndarray:
    """Turn a height map into an integer grid of levels ``1..levels``.

    These small integer grids (for example 50x50 with levels 1..4) are the data of the later
    chapters: what matters there is where the levels sit relative to each other.

    Parameters
    ----------
    heights : (H, W) array in [0, 1]
    levels : int
        Number of levels, 2..255.
    method : {"quantile", "uniform"}
        How the cut points are chosen when ``thresholds`` is not given.
    thresholds : optional increasing floats in (0, 1), ``levels - 1`` of them
        Explicit cut points; overrides ``method``.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array with values in ``1..levels``.

    Examples
    --------
    >>> quantise([[0.1, 0.4], [0.6, 0.9]], levels=4, method="uniform").tolist()
    [[1, 2], [3, 4]]
    """
    h = _check_heights(heights)
    levels = check_int("levels", levels, minimum=2, maximum=255)
    if thresholds is None:
        cuts = level_thresholds(h, levels, method)
    else:
        check_choice("method", method, ("quantile", "uniform"))
        cuts = _check_thresholds(thresholds, levels - 1)
    return (np.digitize(h, cuts) + 1).astype(np.uint8)


@dataclass(frozen=True)
class Landscape:
    """A synthetic landscape and its ground truth.

    Attributes
    ----------
    heights : (H, W) float array in [0, 1]
    classes : (H, W) int array, the terrain label of every cell (see :data:`TERRAIN_CLASSES`)
    rgb : (H, W, 3) uint8 image with soft colour transitions
    thresholds : the height thresholds that define ``classes``
    """

    heights: np.ndarray
    classes: np.ndarray
    rgb: np.ndarray
    thresholds: tuple[float, ...]


def synthetic_landscape(shape: int | tuple[int, int] = 256, *, seed: int | None = 0,
                        scale: float = 100.0, octaves: int = 6, persistence: float = 0.5,
                        lacunarity: float = 2.0, thresholds: object = DEFAULT_THRESHOLDS,
                        transition_width: float = 0.05) -> Landscape:
    """Height map, ground-truth classes and RGB image in one call (the book's standard data).

    Parameters
    ----------
    shape : int or (rows, cols)
        Image size.
    seed : int or None
        Seeds the height map (None: Perlin's reference table).
    scale, octaves, persistence, lacunarity
        As for :func:`fractal_heightmap`.
    thresholds : three increasing floats in (0, 1)
        Heights separating water, grass, mountain and snow.
    transition_width : float
        Half-width of the colour blends at the thresholds.

    Returns
    -------
    Landscape
        ``heights``, ``classes`` (the ground truth), ``rgb`` and ``thresholds``.

    Examples
    --------
    >>> land = synthetic_landscape((32, 48), seed=1)
    >>> land.rgb.shape
    (32, 48, 3)
    """
    heights = normalise(fractal_heightmap(shape, scale=scale, octaves=octaves,
                                          persistence=persistence, lacunarity=lacunarity,
                                          seed=seed))
    t = _check_thresholds(thresholds, len(TERRAIN_CLASSES) - 1)
    return Landscape(heights=heights, classes=terrain_classes(heights, t),
                     rgb=colourise(heights, t, TERRAIN_COLOURS, transition_width),
                     thresholds=tuple(float(v) for v in t))


def noisy_image(rgb: object, sigma: float, seed: int = 0) -> np.ndarray:
    """Add Gaussian noise of standard deviation ``sigma`` (in 0..255 units) to an RGB image.

    The result is clipped to 0..255 and returned as ``uint8``: a landscape whose pixel colours
    no longer identify the terrain on their own, while their neighbourhoods still do.

    Parameters
    ----------
    rgb : (H, W, 3) array
        Image, 0..255.
    sigma : float
        Standard deviation of the noise, 0..255.
    seed : int
        Seeds the noise.

    Returns
    -------
    (H, W, 3) uint8 array

    Examples
    --------
    >>> land = synthetic_landscape(16, seed=0)
    >>> noisy_image(land.rgb, 30.0, seed=1).dtype
    dtype('uint8')
    """
    img = check_real_array("rgb", rgb, ndim=3, low=0, high=255)
    if img.shape[2] != 3:
        raise ValueError(f"rgb must have shape (H, W, 3), got {img.shape}")
    sigma = check_float("sigma", sigma, minimum=0.0, maximum=255.0)
    seed = check_seed("seed", seed)
    noise = np.random.default_rng(seed).normal(0.0, sigma, img.shape)
    return np.clip(np.rint(img + noise), 0, 255).astype(np.uint8)


def texture_landscape(shape: int | tuple[int, int] = 256, *, seed: int | None = 0,
                      amplitude: float = 60.0, grain: float = 1.5) -> Landscape:
    """A landscape where **colour cannot separate** grass from mountain, but texture can.

    The mountain is painted in the grass colour, and a fine-grained texture (fractal noise at a
    scale of ``grain`` pixels, rescaled to zero mean and ``amplitude`` standard deviation in
    0..255 units, the same on every channel) is added on the mountain only.  Both classes have
    the same mean colour; only the mountain's pixels vary from neighbour to neighbour.

    Parameters
    ----------
    shape : int or (rows, cols)
        Image size.
    seed : int or None
        Seeds the height map (as :func:`synthetic_landscape`) and the texture.
    amplitude : float
        Standard deviation of the texture, in (0, 127].
    grain : float
        Scale of the texture noise in pixels, in [0.5, 16].

    Returns
    -------
    Landscape
        ``classes`` are the ground truth as in :func:`synthetic_landscape`; ``rgb`` is the
        textured image.

    Examples
    --------
    >>> land = texture_landscape(64, seed=0)
    >>> m, g = land.classes == 2, land.classes == 1
    >>> bool(abs(land.rgb[m].mean() - land.rgb[g].mean()) < 20)   # other classes: ~100 apart
    True
    """
    amplitude = check_float("amplitude", amplitude, minimum=0.0, min_inclusive=False,
                            maximum=127.0)
    grain = check_float("grain", grain, minimum=0.5, maximum=16.0)
    base = synthetic_landscape(shape, seed=seed)
    colours = TERRAIN_COLOURS.copy()
    colours[2] = colours[1]                     # mountain painted like grass
    rgb = colourise(base.heights, base.thresholds, colours, 0.05).astype(np.float64)
    tex_seed = None if seed is None else seed + 1
    texture = fractal_heightmap(base.heights.shape, scale=grain, octaves=1, seed=tex_seed)
    texture = (texture - texture.mean()) / max(float(texture.std()), 1e-12) * amplitude
    mountain = base.classes == 2
    rgb[mountain] += texture[mountain][:, None]
    return Landscape(heights=base.heights, classes=base.classes,
                     rgb=np.clip(np.rint(rgb), 0, 255).astype(np.uint8),
                     thresholds=base.thresholds)


@dataclass(frozen=True)
class SpectrumFit:
    """The radially averaged power spectrum of a height map and its power-law fit.

    Attributes
    ----------
    frequency : (K,) float array
        Spatial frequencies in cycles per cell (the bins' centres).
    power : (K,) float array
        Mean squared Fourier amplitude in each frequency bin.
    slope : float
        Slope of log(power) against log(frequency), fitted over ``fit_range``: a height map
        whose power falls as ``frequency ** -beta`` has slope ``-beta``.
    fit_range : (float, float)
        The frequencies the fit used.
    """

    frequency: np.ndarray
    power: np.ndarray
    slope: float
    fit_range: tuple[float, float]


def spectral_slope(heights: object, *, low: float = 0.01, high: float = 0.25) -> SpectrumFit:
    """How fast the roughness of a height map falls with scale: the slope of its radially
    averaged power spectrum on log-log axes.

    The map's mean is removed and a Hann window applied (so that the edges, which the Fourier
    transform joins periodically, add no false high frequencies); frequencies are binned in
    rings of width 1 / min(H, W).  Natural terrain is often described by a power law with
    ``beta`` between about 2 and 3 (slopes -2 to -3); a sum of Perlin octaves has the slope
    its persistence and lacunarity give.

    Parameters
    ----------
    heights : (H, W) array
        Heights (any units), both sides at least 16.
    low, high : float
        The frequency range (cycles per cell, 0 < low < high <= 0.5) of the fit.

    Returns
    -------
    SpectrumFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> white = spectral_slope(rng.normal(size=(256, 256)))
    >>> abs(white.slope) < 0.2          # white noise: the same power at every scale
    True
    """
    h = check_real_array("heights", heights, ndim=2).astype(np.float64)
    if min(h.shape) < 16:
        raise ValueError(f"heights must be at least 16 x 16 cells, got shape {h.shape}")
    low = check_float("low", low, minimum=0.0, min_inclusive=False, maximum=0.5)
    high = check_float("high", high, minimum=low, min_inclusive=False, maximum=0.5)
    rows, cols = h.shape
    window = np.outer(np.hanning(rows), np.hanning(cols))
    amplitude = np.fft.fft2((h - h.mean()) * window)
    power = np.abs(amplitude) ** 2
    fr = np.fft.fftfreq(rows)[:, None]
    fc = np.fft.fftfreq(cols)[None, :]
    radius = np.hypot(fr, fc)
    step = 1.0 / min(rows, cols)
    ring = np.floor(radius / step).astype(np.int64)
    keep = (ring >= 1) & (radius <= 0.5)
    totals = np.bincount(ring[keep], weights=power[keep])
    counts = np.bincount(ring[keep])
    used = np.flatnonzero(counts)
    used = used[used >= 1]
    freq = (used + 0.5) * step
    mean_power = totals[used] / counts[used]
    fit = (freq >= low) & (freq <= high) & (mean_power > 0)
    if fit.sum() < 3:
        raise ValueError(f"fewer than 3 frequency bins between low={low} and high={high} for "
                         f"a map of shape {h.shape}; widen the range")
    slope = float(np.polyfit(np.log(freq[fit]), np.log(mean_power[fit]), 1)[0])
    return SpectrumFit(frequency=freq, power=mean_power, slope=slope,
                       fit_range=(float(freq[fit].min()), float(freq[fit].max())))

