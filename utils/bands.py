"""Multi-band tiles for chapter 4b: three measured bands with very different value ranges
(height in metres, a moisture index, temperature in degrees Celsius), the biomes each tile
contains, and per-band scaling with training statistics only.

Example
-------
>>> bands, labels = landscape_bands(1, size=64, tile=32)
>>> train, test = standardise_bands(bands[:3], bands[3:])
>>> train.shape, test.dtype
((3, 32, 32, 3), dtype('float32'))
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int, check_real_array, check_seed, check_size
from .landscape import normalise
from .noise import MAX_CELLS, fractal_heightmap

__all__ = ["BAND_NAMES", "BIOMES", "landscape_bands", "minmax_per_tile", "standardise_bands"]


BAND_NAMES: tuple[str, ...] = ("height (m)", "moisture (0-1)", "temperature (deg C)")
"""The bands of :func:`landscape_bands`, in channel order."""

BIOMES: tuple[str, ...] = ("water", "grassland", "forest", "snow")
"""Terrain types that :func:`landscape_bands` labels tiles with."""


def landscape_bands(n_maps: int = 12, *, size: int = 512, tile: int = 32, seed: int = 0,
                    min_cells: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Multi-band tiles with very different value ranges, and which biomes occur in each tile.

    For every map, three independent fractal fields give a height in metres (0..3000), a
    moisture index (0..1) and a temperature in degrees Celsius (about 15 at sea level, falling
    6.5 per 1,000 m, plus regional variation).  A cell is *water* below 600 m, otherwise *snow*
    below -2 deg C, otherwise *forest* where moisture exceeds 0.6, otherwise *grassland*.  The maps
    are cut into ``tile x tile`` tiles; a tile's label says which biomes cover at least
    ``min_cells`` of its cells.

    Parameters
    ----------
    n_maps : int
        Maps generated, 1..1000.
    size : int
        Side of a map, a multiple of ``tile``.
    tile : int
        Side of a tile.
    seed : int
        Seeds every field.
    min_cells : int
        Cells a biome must cover to count as present in a tile.

    Returns
    -------
    bands : (N, tile, tile, 3) float32
    labels : (N, 4) uint8, columns as :data:`BIOMES`

    Examples
    --------
    >>> bands, labels = landscape_bands(1, size=64, tile=32)
    >>> bands.shape, labels.shape
    ((4, 32, 32, 3), (4, 4))
    """
    n_maps = check_int("n_maps", n_maps, minimum=1, maximum=1000)
    size = check_int("size", size, minimum=8, maximum=4096)
    # three float64 bands per map, all maps kept: refuse what cannot fit
    check_size("n_maps * size * size * 3", n_maps * size * size * 3, maximum=MAX_CELLS,
               what="band values")
    tile = check_int("tile", tile, minimum=4, maximum=size)
    if size % tile:
        raise ValueError(f"size must be a multiple of tile, got size={size}, tile={tile}")
    seed = check_seed("seed", seed)
    min_cells = check_int("min_cells", min_cells, minimum=1, maximum=tile * tile)
    base = np.random.default_rng(seed).integers(0, 2**31, size=(n_maps, 3))
    all_bands, all_labels = [], []
    for s_h, s_m, s_t in base:
        height = normalise(fractal_heightmap(size, scale=size / 4, seed=int(s_h))) * 3000.0
        moisture = normalise(fractal_heightmap(size, scale=size / 6, seed=int(s_m)))
        regional = normalise(fractal_heightmap(size, scale=size / 3, octaves=3,
                                               seed=int(s_t))) - 0.5
        temperature = 15.0 - 6.5 * height / 1000.0 + 20.0 * regional
        biome = np.where(height < 600, 0, np.where(temperature < -2, 3,
                                                    np.where(moisture > 0.6, 2, 1)))
        stack = np.stack([height, moisture, temperature], axis=-1).astype(np.float32)
        k = size // tile
        tiles = stack.reshape(k, tile, k, tile, 3).transpose(0, 2, 1, 3, 4)
        all_bands.append(tiles.reshape(-1, tile, tile, 3))
        b = biome.reshape(k, tile, k, tile).transpose(0, 2, 1, 3).reshape(k * k, -1)
        all_labels.append(np.stack([(b == i).sum(axis=1) >= min_cells
                                    for i in range(len(BIOMES))], axis=1))
    return np.concatenate(all_bands), np.concatenate(all_labels).astype(np.uint8)


def standardise_bands(reference: object, *arrays: object) -> list[np.ndarray]:
    """Scale every band (last axis) to zero mean and unit variance using statistics of
    ``reference`` only (the training tiles), and apply the same scaling to ``arrays``.

    Parameters
    ----------
    reference : (N, H, W, bands) array
        The training tiles; their per-band mean and standard deviation are used.
    *arrays : (M, H, W, bands) arrays
        Validation and test tiles, scaled with the reference's statistics.

    Returns
    -------
    list of float32 arrays
        The scaled reference first, then every array in order.
    """
    ref = check_real_array("reference", reference, ndim=4)
    axes = (0, 1, 2)
    with np.errstate(over="ignore", invalid="ignore"):     # overflow is reported below
        mean, std = ref.mean(axis=axes), ref.std(axis=axes)
    if np.any(std == 0):
        raise ValueError(f"reference has a constant band (std {std.tolist()}); "
                         "it cannot be standardised")
    if not np.all(np.isfinite(std)) or not np.all(np.isfinite(mean)):
        raise ValueError(f"reference's band statistics overflow (mean {mean.tolist()}, std "
                         f"{std.tolist()}): rescale the bands (values near 1e300?) first")
    out = [((ref - mean) / std).astype(np.float32)]
    for k, arr in enumerate(arrays):
        a = check_real_array(f"arrays[{k}]", arr, ndim=4)
        if a.shape[-1] != ref.shape[-1]:
            raise ValueError(f"arrays[{k}] has {a.shape[-1]} bands, reference has "
                             f"{ref.shape[-1]}")
        out.append(((a - mean) / std).astype(np.float32))
    return out


def minmax_per_tile(tiles: object) -> np.ndarray:
    """Scale every band of every tile to [0, 1] by that tile's own minimum and maximum (the
    multi-band source article's recipe), for comparison with :func:`standardise_bands`.

    Each tile is scaled by itself, so no statistics are shared between tiles, and the absolute
    level of a band is thrown away: a tile that is all lowland and a tile that is all mountain,
    with the same shape of relief, become the same input. A band that is constant within a
    tile becomes 0 there.

    Parameters
    ----------
    tiles : (N, H, W, bands) array of finite real numbers

    Returns
    -------
    float32 array of the same shape, in [0, 1]

    Example
    -------
    >>> low = np.arange(4.0).reshape(1, 2, 2, 1)
    >>> high = low + 1000
    >>> bool(np.array_equal(minmax_per_tile(low), minmax_per_tile(high)))
    True
    """
    x = check_real_array("tiles", tiles, ndim=4)   # finite numbers only
    low = x.min(axis=(1, 2), keepdims=True)
    span = x.max(axis=(1, 2), keepdims=True) - low
    with np.errstate(over="ignore"):
        out = np.where(span > 0, (x - low) / np.where(span > 0, span, 1.0), 0.0)
    return out.astype(np.float32)
