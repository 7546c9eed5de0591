"""The per-pixel way: reference loops that the vectorised functions are measured against.

These are the approaches many tutorials use (one ``noise.pnoise2`` call per cell, an ``if/elif``
chain per pixel).  They are kept, readable and tested, so that the chapters, the benchmarks and the
tests compare :mod:`utils.landscape` with the same baseline.  Do not use them for real work: they
are slow on purpose.

Example
-------
>>> from utils.naive import heightmap_loop
>>> heightmap_loop(3, scale=10.0).shape
(3, 3)
"""

from __future__ import annotations

import numpy as np

from ._validation import check_float, check_int, check_real_array, check_shape2d, check_som

__all__ = ["heightmap_loop", "colourise_loop", "winner_loop", "directional_loop"]


def heightmap_loop(shape: int | tuple[int, int] = 256, *, scale: float = 100.0,
                   octaves: int = 6, persistence: float = 0.5, lacunarity: float = 2.0,
                   offset: float = 0.0) -> np.ndarray:
    """Fractal Perlin heights with one ``pnoise2`` call per cell (Perlin's reference table).

    Cell ``(r, c)`` holds ``pnoise2((r + offset) / scale, (c + offset) / scale, ...)``; this is
    what :func:`utils.noise.fractal_heightmap` computes with ``seed=None``.

    Parameters
    ----------
    shape : int or (rows, cols)
        Map size.
    scale, octaves, persistence, lacunarity : float
        As for ``landscape.fractal_heightmap``.
    offset : float
        The tutorials' "seed": a shift of the coordinates.

    Returns
    -------
    (rows, cols) float array
    """
    from noise import pnoise2

    rows, cols = check_shape2d("shape", shape)
    scale = check_float("scale", scale, minimum=0.0, min_inclusive=False)
    octaves = check_int("octaves", octaves, minimum=1, maximum=16)
    persistence = check_float("persistence", persistence, minimum=0.0, min_inclusive=False,
                              maximum=1.0)
    lacunarity = check_float("lacunarity", lacunarity, minimum=1.0, maximum=8.0)
    offset = check_float("offset", offset)
    heights = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            heights[r, c] = pnoise2((r + offset) / scale, (c + offset) / scale,
                                    octaves=octaves, persistence=persistence,
                                    lacunarity=lacunarity)
    return heights


def colourise_loop(heights: object, thresholds: object, colours: object,
                   transition_width: float) -> np.ndarray:
    """Soft terrain colouring pixel by pixel: an ``if/elif`` chain and a linear blend per cell.

    Same contract as :func:`utils.landscape.colourise` (which validates more thoroughly).

    Parameters
    ----------
    heights : (H, W) array
        Normalised heights.
    thresholds : three increasing floats
        Class boundaries.
    colours : (4, 3) array
        One RGB colour per class.
    transition_width : float
        Half-width of the colour blends.

    Returns
    -------
    (H, W, 3) uint8 array
    """
    h = check_real_array("heights", heights, ndim=2, low=0.0, high=1.0)
    t = [float(v) for v in check_real_array("thresholds", thresholds, ndim=1)]
    col = check_real_array("colours", colours, ndim=2, low=0, high=255).astype(float)
    if col.shape != (len(t) + 1, 3):
        raise ValueError(f"colours must have shape ({len(t) + 1}, 3) for {len(t)} thresholds, "
                         f"got {col.shape}")
    w = check_float("transition_width", transition_width, minimum=0.0)
    out = np.zeros(h.shape + (3,), dtype=np.uint8)
    for r in range(h.shape[0]):
        for c in range(h.shape[1]):
            value = h[r, c]
            colour = col[-1]
            for k, threshold in enumerate(t):
                if value < threshold - w:
                    colour = col[k]
                    break
                if value < threshold + w:
                    s = (value - (threshold - w)) / (2 * w)
                    colour = (1 - s) * col[k] + s * col[k + 1]
                    break
            for ch in range(3):
                out[r, c, ch] = round(colour[ch])
    return out


def winner_loop(som: object, features: object) -> np.ndarray:
    """The tutorials' SOM winner map: ``som.winner`` called once per pixel, in Python.

    The reference that ``som.winner_map`` must reproduce exactly, far faster.

    Parameters
    ----------
    som : minisom.MiniSom
        A trained map.
    features : (N, F) array
        One row per pixel.

    Returns
    -------
    (N,) int64 array
        The flat index of every row's best-matching node.

    Examples
    --------
    >>> from minisom import MiniSom
    >>> som = MiniSom(2, 2, 3, random_seed=0)
    >>> winner_loop(som, np.zeros((4, 3))).shape
    (4,)
    """
    rows, cols = check_som("som", som).shape[:2]
    X = check_real_array("features", features, ndim=2)
    return np.array([np.ravel_multi_index(som.winner(x), (rows, cols)) for x in X],
                    dtype=np.int64)


def directional_loop(maps: object) -> np.ndarray:
    """What :class:`utils.layers.DirectionalContext` computes, counted cell by cell with slices.

    For every cell and channel: the sums strictly above, below, left, right, in the four
    quadrants (above-left, above-right, below-left, below-right) and elsewhere on its row and
    column, each as ``log(1 + sum)``, after the input itself: the layer's definition, which its
    matrix products must reproduce.

    Parameters
    ----------
    maps : (B, H, W, C) array
        Non-negative feature maps.

    Returns
    -------
    (B, H, W, 11 C) float64 array
        The input, then the ten maps (each C channels wide).

    Examples
    --------
    >>> x = np.zeros((1, 2, 2, 1)); x[0, 0, 0, 0] = 1
    >>> float(directional_loop(x)[0, 1, 0, 1])   # the cell below sees one above: log(2)
    0.6931471805599453
    """
    x = check_real_array("maps", maps, ndim=4).astype(np.float64)
    if (x < 0).any():
        raise ValueError("maps must be non-negative (sums of them are taken in logs), "
                         f"got a minimum of {x.min()}")
    b, h, w, c = x.shape
    out = np.zeros((10, b, h, w, c))
    for i in range(h):
        for j in range(w):
            out[:, :, i, j] = [
                x[:, :i, j].sum(1), x[:, i + 1:, j].sum(1),
                x[:, i, :j].sum(1), x[:, i, j + 1:].sum(1),
                x[:, :i, :j].sum((1, 2)), x[:, :i, j + 1:].sum((1, 2)),
                x[:, i + 1:, :j].sum((1, 2)), x[:, i + 1:, j + 1:].sum((1, 2)),
                x[:, i].sum(1) - x[:, i, j], x[:, :, j].sum(1) - x[:, i, j]]
    return np.concatenate([x, *np.log1p(out)], axis=-1)
