"""Perlin gradient noise, vectorised: the noise engine of the book's landscapes.

The noise is the "improved" gradient noise of Perlin (2002) exactly as the C extension
``noise.pnoise2`` computes it (single precision, the same permutation table and gradients),
so :func:`perlin_noise` agrees with ``pnoise2`` to within float32 rounding.  What ``pnoise2``
lacks is a real seed: its ``base`` argument only shifts table look-ups, and the usual trick
of shifting the coordinates by the seed just shows another window of the *same* infinite
landscape.  Here a ``seed`` draws a fresh permutation table, which gives a statistically
independent landscape.  Everything works on whole arrays, in cache-sized blocks; there are no
per-pixel Python loops.

:mod:`utils.landscape` builds terrain on it and re-exports its public names.

Example
-------
>>> fractal_heightmap((2, 3), scale=10.0, seed=0).shape
(2, 3)
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    check_float,
    check_int,
    check_real_array,
    check_seed,
    check_shape2d,
    check_size,
)

__all__ = ["CLASSIC_PERMUTATION", "MAX_CELLS", "permutation_table", "perlin_noise",
           "fractal_heightmap"]

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
