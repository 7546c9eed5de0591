"""The book's figures: one style, colour-blind-safe palettes, legends and grids of panels.

Categorical colours come from the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); continuous maps use perceptually uniform colormaps.  Functions draw on axes they
are given or create, and return them, so notebooks can add to a figure.

Example
-------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from utils.plotting import panel_grid
>>> fig, axes = panel_grid(3, ncols=2)
>>> len(axes)
3
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ._validation import check_bool, check_float, check_int, check_labels, check_real_array
from .landscape import TERRAIN_CLASSES

__all__ = [
    "OKABE_ITO",
    "TERRAIN_PALETTE",
    "use_book_style",
    "panel_grid",
    "show_image",
    "show_labels",
    "plot_contours",
    "LEVEL_COLOURS",
    "level_legend",
    "show_level_grid",
    "show_level_probabilities",
    "plot_codebook",
]

OKABE_ITO: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                              "#D55E00", "#F0E442", "#000000")
"""Okabe & Ito's eight colours, safe for the common colour-vision deficiencies."""

TERRAIN_PALETTE: tuple[str, ...] = ("#0072B2", "#009E73", "#E69F00", "#DDDDDD")
"""Categorical colours for label maps of water, grass, mountain, snow (Okabe-Ito based)."""


LEVEL_COLOURS: tuple[str, ...] = ("#FFFFFF",) + tuple(OKABE_ITO[i] for i in (0, 2, 1, 5, 3, 4, 6))
"""Colours of levels 0 (background, white), 1, 2, ... in every level-grid figure."""


def use_book_style() -> None:
    """Apply the book's matplotlib style (sizes, fonts, no top/right spines).

    Returns
    -------
    None
    """
    mpl.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.figsize": (6.4, 4.0),
        "font.size": 10,
        "axes.titlesize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
        "image.cmap": "viridis",
        "legend.frameon": False,
    })


def panel_grid(n: int, ncols: int = 4, size: float = 2.6,
               title: str | None = None) -> tuple[Figure, list[Axes]]:
    """A figure with ``n`` square panels on a grid of ``ncols`` columns; spare cells hidden.

    Returns the figure and the list of the ``n`` used axes.

    Parameters
    ----------
    n : int
        Panels, 1..400.
    ncols : int
        Columns, 1..40.
    size : float
        Side of a panel in inches.
    title : str, optional
        Figure title.

    Returns
    -------
    (Figure, list of Axes)
        The figure and its ``n`` visible axes.
    """
    n = check_int("n", n, minimum=1, maximum=400)
    ncols = check_int("ncols", ncols, minimum=1, maximum=40)
    size = check_float("size", size, minimum=0.5, maximum=10.0)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False, layout="constrained")
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig, flat[:n]


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    elif not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def show_image(image: object, ax: Axes | None = None, title: str | None = None,
               cmap: str | None = None, colorbar: bool = False, **imshow_kwargs) -> Axes:
    """Show a 2-D array (with ``cmap``) or an RGB image without ticks.

    Parameters
    ----------
    image : (H, W), (H, W, 3) or (H, W, 4) array
        Values to show (RGB(A) as colours, 2-D through ``cmap``).
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    title : str, optional
        Panel title.
    cmap : str, optional
        Colour map for 2-D arrays.
    colorbar : bool
        Add a colour bar (2-D arrays).
    **imshow_kwargs
        Passed to ``imshow`` (e.g. ``vmin``, ``vmax``).

    Returns
    -------
    Axes
    """
    colorbar = check_bool("colorbar", colorbar)
    img = check_real_array("image", image, ndim=(2, 3), finite=True)
    if img.ndim == 3 and img.shape[2] not in (3, 4):
        raise ValueError(f"image must be (H, W), (H, W, 3) or (H, W, 4), got {img.shape}")
    ax = _axes(ax)
    handle = ax.imshow(img, cmap=cmap, interpolation="nearest", **imshow_kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(handle, ax=ax, shrink=0.8)
    return ax


def show_labels(labels: object, ax: Axes | None = None, names: Sequence[str] = TERRAIN_CLASSES,
                colours: Sequence[str] | None = None, title: str | None = None,
                legend: bool = True) -> Axes:
    """Show an integer label map with one categorical colour per label and a legend.

    ``labels`` holds integers ``0..len(names)-1``.

    Parameters
    ----------
    labels : (H, W) integer array
        Label of every pixel.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    names : sequence of str
        One name per label (the legend).
    colours : sequence of str, optional
        One colour per label; the terrain palette by default.
    title : str, optional
        Panel title.
    legend : bool
        Draw the legend beside the map.

    Returns
    -------
    Axes
    """
    legend = check_bool("legend", legend)
    lab = check_labels("labels", labels, ndim=2)
    k = len(names)
    if k < 1:
        raise ValueError("names must name at least one label, got an empty sequence")
    if lab.min() < 0 or lab.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1} (one per name), "
                         f"got range {lab.min()}..{lab.max()}")
    if colours is None:
        colours = TERRAIN_PALETTE if k <= len(TERRAIN_PALETTE) else OKABE_ITO
    if len(colours) < k:
        raise ValueError(f"colours must have at least {k} entries, got {len(colours)}")
    cmap = ListedColormap(list(colours)[:k])
    norm = BoundaryNorm(np.arange(-0.5, k), k)
    ax = _axes(ax)
    ax.imshow(lab, cmap=cmap, norm=norm, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if legend:
        handles = [Patch(facecolor=cmap(i), edgecolor="0.3", label=str(names[i]))
                   for i in range(k)]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0.0)
    return ax


def plot_contours(heights: object, levels: Sequence[float], ax: Axes | None = None,
                  background: bool = True, title: str | None = None) -> Axes:
    """Draw the isocontours of ``heights`` at each level (``skimage.measure.find_contours``).

    Each level gets one Okabe-Ito colour and one legend entry, however many pieces it has.

    Parameters
    ----------
    heights : (H, W) array
        The height map.
    levels : sequence of float
        Heights to draw a contour at.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    background : bool
        Show the height map in grey underneath.
    title : str, optional
        Panel title.

    Returns
    -------
    Axes
    """
    background = check_bool("background", background)
    from skimage.measure import find_contours

    h = check_real_array("heights", heights, ndim=2)
    lev = check_real_array("levels", levels, ndim=1)
    if lev.size > len(OKABE_ITO):
        raise ValueError(f"levels must have at most {len(OKABE_ITO)} values, got {lev.size}")
    if lev.min() <= h.min() or lev.max() >= h.max():
        raise ValueError(f"levels must lie strictly inside the range of heights "
                         f"({h.min():.3g}, {h.max():.3g}), got {lev.tolist()}")
    ax = _axes(ax)
    if background:
        ax.imshow(h, cmap="gray", interpolation="nearest")
    for colour, level in zip(OKABE_ITO, lev, strict=False):
        for i, line in enumerate(find_contours(h, level=float(level))):
            ax.plot(line[:, 1], line[:, 0], color=colour, linewidth=1.5,
                    label=f"h = {level:g}" if i == 0 else None)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    if title:
        ax.set_title(title)
    return ax


def level_legend(target: Axes | Figure, n_levels: int = 4, *, background: bool = False,
                 **kwargs) -> object:
    """Add a legend of the level colours used by :func:`show_level_grid` to an axes or a figure.

    Parameters
    ----------
    target : Axes or Figure
        Where the legend goes (a figure legend suits a grid of panels).
    n_levels : int
        Levels 1..n_levels are listed (1..7).
    background : bool
        Also list level 0 (white, the background).
    **kwargs
        Passed to ``legend`` (e.g. ``loc``, ``ncols``).

    Returns
    -------
    matplotlib.legend.Legend
    """
    background = check_bool("background", background)
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=len(LEVEL_COLOURS) - 1)
    if not isinstance(target, (Axes, Figure)):
        raise TypeError(f"target must be a matplotlib Axes or Figure, got "
                        f"{type(target).__name__}")
    first = 0 if background else 1
    handles = [Patch(facecolor=LEVEL_COLOURS[k], edgecolor="0.4", label=f"level {k}")
               for k in range(first, n_levels + 1)]
    kwargs.setdefault("title", "levels")
    return target.legend(handles=handles, **kwargs)


def show_level_probabilities(probs: object, ax: Axes | None = None,
                             title: str | None = None) -> Axes:
    """Show per-cell level probabilities (H, W, L + 1), background first, as colours mixed in
    proportion: a cell the model is sure of has its level's colour (white for background), an
    unsure cell a pale mixture.  The colours are those of :func:`show_level_grid`.

    Parameters
    ----------
    probs : (H, W, L + 1) array
        Probabilities in [0, 1] summing to 1 over the last axis (2..8 levels).
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    title : str, optional
        Panel title.

    Returns
    -------
    Axes
    """
    p = check_real_array("probs", probs, ndim=3, low=0.0, high=1.0)
    if p.shape[2] < 2 or p.shape[2] > len(LEVEL_COLOURS):
        raise ValueError(f"probs must have 2..{len(LEVEL_COLOURS)} levels on its last axis, "
                         f"got shape {p.shape}")
    if not np.allclose(p.sum(axis=2), 1.0, atol=1e-3):
        raise ValueError("probs must sum to 1 over the levels (last axis) in every cell")
    rgb = np.array([mpl.colors.to_rgb(c) for c in LEVEL_COLOURS[: p.shape[2]]])
    ax = _axes(ax)
    ax.imshow(np.clip(p @ rgb, 0, 1), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def show_level_grid(grid: object, ax: Axes | None = None, annotate: bool = True,
                    title: str | None = None) -> Axes:
    """Show a small integer grid of levels 1..L, optionally writing each value in its cell.

    Parameters
    ----------
    grid : (H, W) integer array
        Levels 0 (background) to 7.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    annotate : bool
        Write each value in its cell (grids of at most 400 cells).
    title : str, optional
        Panel title.

    Returns
    -------
    Axes
        Add the legend with :func:`level_legend`.
    """
    annotate = check_bool("annotate", annotate)
    g = check_real_array("grid", grid, ndim=2)
    if not np.issubdtype(g.dtype, np.integer):
        raise TypeError(f"grid must hold integers, got dtype {g.dtype}")
    if g.min() < 0:
        raise ValueError(f"grid must hold non-negative levels, got minimum {g.min()}")
    top = int(g.max())
    if top + 1 > len(OKABE_ITO):
        raise ValueError(f"grid may have at most {len(OKABE_ITO) - 1} levels for this palette, "
                         f"got maximum level {top}")
    ax = _axes(ax)
    colours = list(LEVEL_COLOURS[: top + 1])
    cmap = ListedColormap(colours[: top + 1])
    ax.imshow(g, cmap=cmap, norm=BoundaryNorm(np.arange(-0.5, top + 1), top + 1),
              interpolation="nearest")
    if annotate and g.size <= 400:
        for (r, c), v in np.ndenumerate(g):
            ax.text(c, r, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v in (1, 4) else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def plot_codebook(weights: object, ax: Axes | None = None, dims: tuple[int, int] = (0, 1),
                  data: object | None = None, title: str | None = None) -> Axes:
    """Draw a SOM codebook in two feature dimensions: nodes as dots, grid neighbours joined.

    ``weights`` has shape (rows, cols, features); ``data`` (N, features), if given, is drawn
    underneath as a light point cloud.  This is how a SOM is seen "unfolding" over training.

    Parameters
    ----------
    weights : (rows, cols, features) array
        The SOM's codebook.
    ax : Axes, optional
        Where to draw; a new figure otherwise.
    dims : (int, int)
        The two features shown.
    data : (N, features) array, optional
        Samples drawn underneath.
    title : str, optional
        Panel title.

    Returns
    -------
    Axes
    """
    w = check_real_array("weights", weights, ndim=3)
    i, j = (check_int("dims[0]", dims[0], minimum=0, maximum=w.shape[2] - 1),
            check_int("dims[1]", dims[1], minimum=0, maximum=w.shape[2] - 1))
    ax = _axes(ax)
    if data is not None:
        pts = check_real_array("data", data, ndim=2)
        if pts.shape[1] != w.shape[2]:
            raise ValueError(f"data must have {w.shape[2]} columns like weights, "
                             f"got {pts.shape[1]}")
        ax.scatter(pts[:, i], pts[:, j], s=3, c="0.8", zorder=0)
    for r in range(w.shape[0]):
        ax.plot(w[r, :, i], w[r, :, j], color=OKABE_ITO[0], lw=0.8, zorder=1)
    for c in range(w.shape[1]):
        ax.plot(w[:, c, i], w[:, c, j], color=OKABE_ITO[0], lw=0.8, zorder=1)
    ax.scatter(w[..., i].ravel(), w[..., j].ravel(), s=10, color=OKABE_ITO[5], zorder=2)
    if title:
        ax.set_title(title)
    return ax
