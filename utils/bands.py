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

__all__ = ["BAND_NAMES", "BIOMES", "landscape_bands", "minmax_per_tile", "standardise_bands",
           "biome_map", "biome_labels", "side_by_side", "seam_probes"]


BAND_NAMES: tuple[str, ...] = ("height (m)", "moisture (0-1)", "temperature (deg C)")
"""The bands of :func:`landscape_bands`, in channel order."""

BIOMES: tuple[str, ...] = ("water", "grassland", "forest", "snow")
"""Terrain types that :func:`landscape_bands` labels tiles with."""


def _biome(height: np.ndarray, moisture: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """The biome rule, cell by cell (indices into :data:`BIOMES`): the one place it is written."""
    return np.where(height < 600, 0, np.where(temperature < -2, 3,
                                              np.where(moisture > 0.6, 2, 1)))


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
        biome = _biome(height, moisture, temperature)
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


def _check_tiles(tiles: object) -> np.ndarray:
    x = check_real_array("tiles", tiles, ndim=4)
    if x.shape[-1] != len(BAND_NAMES):
        raise ValueError(f"tiles must have the {len(BAND_NAMES)} bands {BAND_NAMES} on the last "
                         f"axis (unscaled, as landscape_bands returns them), got shape {x.shape}")
    return x


def biome_map(tiles: object) -> np.ndarray:
    """The biome of every cell of unscaled band tiles, by the rule of :func:`landscape_bands`.

    Parameters
    ----------
    tiles : (N, H, W, 3) array
        Height (m), moisture and temperature (deg C), as :func:`landscape_bands` gives them.

    Returns
    -------
    (N, H, W) uint8 array of indices into :data:`BIOMES`

    Example
    -------
    >>> cells = np.array([[[[100, 0.9, 14], [2000, 0.9, 1], [2000, 0.1, 1], [2900, 0.5, -9]]]])
    >>> [BIOMES[k] for k in biome_map(cells)[0, 0]]
    ['water', 'forest', 'grassland', 'snow']
    """
    x = _check_tiles(tiles)
    return _biome(x[..., 0], x[..., 1], x[..., 2]).astype(np.uint8)


def biome_labels(tiles: object, min_cells: int = 8) -> np.ndarray:
    """Which biomes cover at least ``min_cells`` cells of each tile (the labels of
    :func:`landscape_bands`, recomputed for tiles made or edited afterwards).

    Parameters
    ----------
    tiles : (N, H, W, 3) array
        Unscaled bands.
    min_cells : int
        Cells a biome must cover to count as present, 1..H*W.

    Returns
    -------
    (N, 4) uint8 array, columns as :data:`BIOMES`
    """
    x = _check_tiles(tiles)
    min_cells = check_int("min_cells", min_cells, minimum=1, maximum=x.shape[1] * x.shape[2])
    biome = _biome(x[..., 0], x[..., 1], x[..., 2])
    counts = np.stack([(biome == k).sum(axis=(1, 2)) for k in range(len(BIOMES))], axis=1)
    return (counts >= min_cells).astype(np.uint8)


def side_by_side(tiles: object) -> np.ndarray:
    """The bands of every tile placed next to each other as one single-channel image, the
    "concatenated images" of the multi-label source article: (N, H, W, B) -> (N, H, B * W, 1).

    Column ``j`` of band ``b`` lands in column ``b * W + j``, so the last column of one band
    touches the first column of the next (the *seam*).

    Parameters
    ----------
    tiles : (N, H, W, B) array

    Returns
    -------
    float32 array (N, H, B * W, 1)

    Example
    -------
    >>> side_by_side(np.arange(8.0).reshape(1, 2, 2, 2))[0, ..., 0]
    array([[0., 2., 1., 3.],
           [4., 6., 5., 7.]], dtype=float32)
    """
    x = check_real_array("tiles", tiles, ndim=4)
    n, h, w, b = x.shape
    return x.transpose(0, 1, 3, 2).reshape(n, h, b * w, 1).astype(np.float32)


def seam_probes(tiles: object, width: int = 4, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Test tiles whose outer columns come from other tiles: biomes that live only at the
    left and right edges, where side-by-side bands meet at a seam.

    Every probe is a tile whose ``width`` leftmost columns are those of a randomly chosen tile
    and whose ``width`` rightmost columns are those of another (all bands together, so every
    cell stays a real cell).  The second result marks, per probe and biome, labels that are
    present **only because of the edge strips**: the biome covers enough cells of the probe
    (:func:`biome_labels`) but none of its inner columns.

    Parameters
    ----------
    tiles : (N, H, W, 3) array
        Unscaled test tiles, W > 2 * width.
    width : int
        Columns replaced on each side, 1..W // 2 - 1.
    seed : int
        Seeds the choice of donor tiles.

    Returns
    -------
    probes : (N, H, W, 3) float32 array
    edge_only : (N, 4) bool array, columns as :data:`BIOMES`
    """
    x = _check_tiles(tiles)
    width = check_int("width", width, minimum=1, maximum=max(1, x.shape[2] // 2 - 1))
    if x.shape[2] <= 2 * width:
        raise ValueError(f"tiles are {x.shape[2]} columns wide: too narrow for two edge strips "
                         f"of width={width}")
    rng = np.random.default_rng(check_seed("seed", seed))
    probes = x.astype(np.float32)
    probes[:, :, :width] = x[rng.permutation(len(x)), :, :width]
    probes[:, :, -width:] = x[rng.permutation(len(x)), :, -width:]
    inner = biome_map(probes[:, :, width:-width])
    in_inner = np.stack([(inner == k).any(axis=(1, 2)) for k in range(len(BIOMES))], axis=1)
    return probes, biome_labels(probes).astype(bool) & ~in_inner
