"""Synthetic landscapes: fractal Perlin height maps, terrain classes, colouring, discrete levels.

Everything here works on whole NumPy arrays at once; there are no per-pixel Python loops.

The noise is the "improved" gradient noise of Perlin (2002) exactly as the C extension
``noise.pnoise2`` computes it (single precision, the same permutation table and gradients),
so :func:`perlin_noise` agrees with ``pnoise2`` to within float32 rounding.  What ``pnoise2``
lacks is a real seed: its ``base`` argument only shifts table look-ups, and the usual trick
of shifting the coordinates by the seed just shows another window of the *same* infinite
landscape.  Here a ``seed`` draws a fresh permutation table, which gives a statistically
independent landscape.

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
    check_shape2d,
    check_size,
)

__all__ = [
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
]

# Ken Perlin's reference permutation of 0..255, the table ``noise.pnoise2`` uses.
CLASSIC_PERMUTATION = np.array([
    151, 160, 137, 91, 90, 15, 131, 13, 201, 95, 96, 53, 194, 233, 7, 225, 140, 36, 103, 30,
    69, 142, 8, 99, 37, 240, 21, 10, 23, 190, 6, 148, 247, 120, 234, 75, 0, 26, 197, 62, 94,
    252, 219, 203, 117, 35, 11, 32, 57, 177, 33, 88, 237, 149, 56, 87, 174, 20, 125, 136, 171,
    168, 68, 175, 74, 165, 71, 134, 139, 48, 27, 166, 77, 146, 158, 231, 83, 111, 229, 122, 60,
    211, 133, 230, 220, 105, 92, 41, 55, 46, 245, 40, 244, 102, 143, 54, 65, 25, 63, 161, 1,
    216, 80, 73, 209, 76, 132, 187, 208, 89, 18, 169, 200, 196, 135, 130, 116, 188, 159, 86,
    164, 100, 109, 198, 173, 186, 3, 64, 52, 217, 226, 250, 124, 123, 5, 202, 38, 147, 118,
    126, 255, 82, 85, 212, 207, 206, 59, 227, 47, 16, 58, 17, 182, 189, 28, 42, 223, 183, 170,
    213, 119, 248, 152, 2, 44, 154, 163, 70, 221, 153, 101, 155, 167, 43, 172, 9, 129, 22, 39,
    253, 19, 98, 108, 110, 79, 113, 224, 232, 178, 185, 112, 104, 218, 246, 97, 228, 251, 34,
    242, 193, 238, 210, 144, 12, 191, 179, 162, 241, 81, 51, 145, 235, 249, 14, 239, 107, 49,
    192, 214, 31, 181, 199, 106, 157, 184, 84, 204, 176, 115, 121, 50, 45, 127, 4, 150, 254,
    138, 236, 205, 93, 222, 114, 67, 29, 24, 72, 243, 141, 128, 195, 78, 66, 215, 61, 156, 180,
], dtype=np.int32)
CLASSIC_PERMUTATION.setflags(write=False)

# x and y components of the 16 gradient directions ``pnoise2`` picks from (hash & 15).
_GRAD_X = np.array([1, -1, 1, -1, 1, -1, 1, -1, 0, 0, 0, 0, 1, -1, 0, 0], dtype=np.float32)
_GRAD_Y = np.array([1, 1, -1, -1, 0, 0, 0, 0, 1, -1, 1, -1, 0, 0, -1, 1], dtype=np.float32)

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


def permutation_table(seed: int | None = None) -> np.ndarray:
    """The 512-entry hash table that drives the noise.

    Parameters
    ----------
    seed : int or None
        ``None`` gives Perlin's reference table (the one ``noise.pnoise2`` uses); a non-negative
        integer gives an independent random permutation of 0..255 drawn with
        ``np.random.default_rng(seed)``.

    Returns
    -------
    numpy.ndarray
        ``int32`` array of length 512: the permutation written out twice, so that look-ups of
        ``perm[a + b]`` with ``a, b < 256`` never wrap.

    Examples
    --------
    >>> permutation_table(None)[:3].tolist()
    [151, 160, 137]
    >>> sorted(permutation_table(7)[:256].tolist()) == list(range(256))
    True
    """
    seed = check_seed("seed", seed, allow_none=True)
    if seed is None:
        base = CLASSIC_PERMUTATION
    else:
        base = np.random.default_rng(seed).permutation(256).astype(np.int32)
    return np.concatenate([base, base])


def _check_permutation(perm: object) -> np.ndarray:
    arr = check_real_array("permutation", perm, ndim=1)
    if arr.size != 512 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError("permutation must be an integer array of length 512 as returned by "
                         f"permutation_table(), got dtype {arr.dtype} and length {arr.size}")
    if arr.min() < 0 or arr.max() > 255:
        raise ValueError("permutation must hold values in 0..255, "
                         f"got range {arr.min()}..{arr.max()}")
    return arr.astype(np.int32, copy=False)


def _gradient_tables(perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Look-up tables from ``a + j`` straight to the gradient's x and y components.

    ``pnoise2`` hashes a lattice corner as ``perm[perm[a + j]] & 15`` and then reads the gradient
    of that hash; composing the three look-ups once per table turns them into a single
    ``np.take`` per component on the full grid.  ``a + j`` can reach 255 + 255 + base, so the
    tables cover 768 entries (indices wrap at 512, see :func:`perlin_noise`).
    """
    hashes = perm[perm[np.arange(768) & 511]] & 15
    return _GRAD_X[hashes], _GRAD_Y[hashes]


def _noise2(x: np.ndarray, y: np.ndarray, repeatx: np.float32, repeaty: np.float32,
            base: int, perm: np.ndarray, tables: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """One octave of gradient noise on float32 arrays (broadcast together), as ``pnoise2`` does.

    Each step mirrors the C code in float32 and in the same order of operations, so the values
    agree bit for bit.  Quantities that depend on one coordinate only stay 1-D when ``x`` and
    ``y`` are a column and a row (a grid), and only the corner hashes are gathered in 2-D.
    """
    i = np.floor(np.fmod(x, repeatx)).astype(np.intp)
    j = np.floor(np.fmod(y, repeaty)).astype(np.intp)
    ii = np.fmod((i + 1).astype(np.float32), repeatx).astype(np.intp)
    jj = np.fmod((j + 1).astype(np.float32), repeaty).astype(np.intp)
    j = (j & 255) + base
    jj = (jj & 255) + base
    # pnoise2 would read past its 512-entry table for large base; we wrap instead.
    a = np.take(perm, ((i & 255) + base) & 511)
    b = np.take(perm, ((ii & 255) + base) & 511)
    x = x - np.floor(x)
    y = y - np.floor(y)
    fx = x * x * x * (x * (x * np.float32(6) - np.float32(15)) + np.float32(10))
    fy = y * y * y * (y * (y * np.float32(6) - np.float32(15)) + np.float32(10))
    x1 = x - np.float32(1)
    y1 = y - np.float32(1)
    grad_x, grad_y = tables

    def corner(row_hash: np.ndarray, col: np.ndarray, dx: np.ndarray, dy: np.ndarray):
        idx = row_hash + col
        return dx * np.take(grad_x, idx) + dy * np.take(grad_y, idx)

    g_aa = corner(a, j, x, y)
    g_ba = corner(b, j, x1, y)
    g_ab = corner(a, jj, x, y1)
    g_bb = corner(b, jj, x1, y1)
    lower = g_aa + fx * (g_ba - g_aa)
    upper = g_ab + fx * (g_bb - g_ab)
    return lower + fy * (upper - lower)


def _check_octave_params(octaves: object, persistence: object,
                         lacunarity: object) -> tuple[int, float, float]:
    octaves = check_int("octaves", octaves, minimum=1, maximum=16)
    persistence = check_float("persistence", persistence, minimum=0.0, min_inclusive=False,
                              maximum=1.0)
    lacunarity = check_float("lacunarity", lacunarity, minimum=1.0, maximum=8.0)
    return octaves, persistence, lacunarity


_BLOCK_CELLS = 16384  # cells per block: keeps a block's temporaries inside the CPU cache


def _fractal(x: np.ndarray, y: np.ndarray, octaves: int, persistence: float,
             lacunarity: float, repeatx: float, repeaty: float, base: int,
             perm: np.ndarray) -> np.ndarray:
    """Sum of octaves normalised by the sum of amplitudes, float32 throughout like ``pnoise2``.

    The broadcast grid is processed in blocks of rows so that the two dozen temporaries of an
    octave stay in cache; this is about twice as fast as whole-array operations at 512x512.
    """
    shape = np.broadcast_shapes(x.shape, y.shape)
    out = np.empty(shape, dtype=np.float64)
    if out.size == 0:
        return out
    if not shape:  # scalars: treat as 1-element arrays
        return _fractal(x.reshape(1), y.reshape(1), octaves, persistence, lacunarity,
                        repeatx, repeaty, base, perm).reshape(())
    x = x.reshape((1,) * (len(shape) - x.ndim) + x.shape)
    y = y.reshape((1,) * (len(shape) - y.ndim) + y.shape)
    rx, ry = np.float32(repeatx), np.float32(repeaty)
    pers, lac = np.float32(persistence), np.float32(lacunarity)
    tables = _gradient_tables(perm)
    step = max(1, _BLOCK_CELLS // max(1, out[0].size))
    for start in range(0, shape[0], step):
        xb = x[start:start + step] if x.shape[0] > 1 else x
        yb = y[start:start + step] if y.shape[0] > 1 else y
        if octaves == 1:
            block = _noise2(xb, yb, rx, ry, base, perm, tables)
        else:
            freq, amp, amp_sum = np.float32(1), np.float32(1), np.float32(0)
            block = np.float32(0)
            for _ in range(octaves):
                block = block + _noise2(xb * freq, yb * freq, rx * freq, ry * freq, base, perm,
                                        tables) * amp
                amp_sum += amp
                freq *= lac
                amp *= pers
            block = block / amp_sum
        out[start:start + step] = block
    return out


MAX_CELLS = 2**26
"""Largest number of points (cells, pixels) one call computes: 8192 x 8192, about 0.5 GB per
float64 copy; bigger requests are refused before anything is allocated."""


def perlin_noise(x: object, y: object, *, octaves: int = 1, persistence: float = 0.5,
                 lacunarity: float = 2.0, repeatx: float = 1024.0, repeaty: float = 1024.0,
                 base: int = 0, seed: int | None = None) -> np.ndarray:
    """Fractal Perlin noise at arbitrary coordinates, vectorised; a drop-in for ``pnoise2``.

    With ``seed=None`` the values equal ``noise.pnoise2(x, y, octaves, persistence, lacunarity,
    repeatx, repeaty, base)`` element by element (both work in float32; ``base`` in {0, 1},
    beyond which ``pnoise2`` reads outside its table while this function wraps around it).

    Parameters
    ----------
    x, y : array_like
        Coordinates; any shapes that broadcast together.  Finite, with ``|x|, |y| < 2**24``.
    octaves : int
        Number of noise layers summed, 1..16.
    persistence : float
        Amplitude factor from one octave to the next, in (0, 1].
    lacunarity : float
        Frequency factor from one octave to the next, in [1, 8].
    repeatx, repeaty : float
        Period of the noise along each axis (``pnoise2``'s tiling), > 0.
    base : int
        ``pnoise2``'s offset into the permutation table, 0..255.
    seed : int or None
        Which permutation table to use (see :func:`permutation_table`).

    Returns
    -------
    numpy.ndarray
        float64 array of the broadcast shape, values roughly in [-1, 1].

    Examples
    --------
    >>> float(perlin_noise(0.5, 0.25))  # noise.pnoise2(0.5, 0.25) gives the same
    -0.038818359375
    >>> perlin_noise([[0.0, 1.0]], [[2.0], [3.0]]).tolist()  # lattice points: exactly zero
    [[0.0, 0.0], [0.0, 0.0]]
    """
    octaves, persistence, lacunarity = _check_octave_params(octaves, persistence, lacunarity)
    xa = check_real_array("x", x, ndim=None, min_size=0)
    ya = check_real_array("y", y, ndim=None, min_size=0)
    for name, arr in (("x", xa), ("y", ya)):
        if arr.size and np.abs(arr).max() >= 2.0**24:
            raise ValueError(f"{name} must have |values| < 2**24 (float32 precision), "
                             f"got maximum |{name}| = {np.abs(arr).max()}")
    try:
        out_shape = np.broadcast_shapes(xa.shape, ya.shape)
    except ValueError as exc:
        raise ValueError(f"x and y must broadcast together, got shapes {xa.shape} and "
                         f"{ya.shape}") from exc
    check_size("x and y broadcast", int(np.prod(out_shape, dtype=np.int64)),
               maximum=MAX_CELLS, what="points")
    repeatx = check_float("repeatx", repeatx, minimum=0.0, min_inclusive=False)
    repeaty = check_float("repeaty", repeaty, minimum=0.0, min_inclusive=False)
    base = check_int("base", base, minimum=0, maximum=255)
    perm = permutation_table(seed)
    return _fractal(xa.astype(np.float32), ya.astype(np.float32), octaves, persistence,
                    lacunarity, repeatx, repeaty, base, perm)


def fractal_heightmap(shape: int | tuple[int, int] = 256, *, scale: float = 100.0,
                      octaves: int = 6, persistence: float = 0.5, lacunarity: float = 2.0,
                      seed: int | None = 0, offset: tuple[float, float] = (0.0, 0.0)
                      ) -> np.ndarray:
    """A raw (un-normalised) fractal Perlin height map on a regular grid.

    Cell ``(r, c)`` holds the noise at ``((r + offset[0]) / scale, (c + offset[1]) / scale)``.

    Parameters
    ----------
    shape : int or (int, int)
        Grid size; an int ``n`` means ``(n, n)``.
    scale : float
        Cells per unit of noise: larger values give broader, smoother features. > 0.
    octaves, persistence, lacunarity
        As in :func:`perlin_noise`: how many layers of detail, how fast their amplitude
        shrinks and how fast their frequency grows.
    seed : int or None
        Draws the permutation table (an independent landscape per seed); ``None`` uses Perlin's
        reference table, reproducing ``noise.pnoise2`` exactly.
    offset : (float, float)
        Shift of the window in grid cells (pans over the same landscape).

    Returns
    -------
    numpy.ndarray
        float64 array of the given shape.

    Examples
    --------
    >>> h = fractal_heightmap((4, 6), scale=10.0, seed=1)
    >>> h.shape
    (4, 6)
    """
    rows, cols = check_shape2d("shape", shape)
    check_size("shape", rows * cols, maximum=MAX_CELLS, what="pixels")
    scale = check_float("scale", scale, minimum=0.0, min_inclusive=False)
    octaves, persistence, lacunarity = _check_octave_params(octaves, persistence, lacunarity)
    seed = check_seed("seed", seed, allow_none=True)
    off = check_real_array("offset", offset, ndim=1)
    if off.size != 2:
        raise ValueError(f"offset must be a pair (row_offset, col_offset), got {off.tolist()}")
    # Coordinates are formed in double precision, then rounded to float32 like pnoise2's
    # argument parsing does.
    xs = ((np.arange(rows) + off[0]) / scale).astype(np.float32)[:, None]
    ys = ((np.arange(cols) + off[1]) / scale).astype(np.float32)[None, :]
    if max(np.abs(xs).max(), np.abs(ys).max()) >= 2.0**24:
        raise ValueError("offset is too large for float32 noise coordinates, "
                         f"got offset={off.tolist()} with scale={scale}")
    return _fractal(xs, ys, octaves, persistence, lacunarity, 1024.0, 1024.0, 0,
                    permutation_table(seed))


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
