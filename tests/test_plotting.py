"""utils.plotting: figures are drawn, and bad arguments are refused with clear messages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import landscape as ls  # noqa: E402
from utils import plotting as pl  # noqa: E402

from words import whole_word  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_panel_grid_hides_spare_axes():
    fig, axes = pl.panel_grid(5, ncols=3)
    assert len(axes) == 5
    assert sum(ax.get_visible() for ax in fig.axes) == 5


def test_show_labels_draws_one_legend_entry_per_class():
    land = ls.synthetic_landscape(32, seed=1)
    ax = pl.show_labels(land.classes)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(ls.TERRAIN_CLASSES)


def test_plot_contours_one_legend_entry_per_level():
    land = ls.synthetic_landscape(64, seed=2)
    ax = pl.plot_contours(land.heights, [0.4, 0.6])
    assert len(ax.get_legend().get_texts()) == 2
    assert len(ax.lines) >= 2


def test_show_level_grid_annotates_small_grids():
    grid = ls.quantise(ls.synthetic_landscape(10, seed=3).heights, 4)
    ax = pl.show_level_grid(grid)
    assert len(ax.texts) == 100


def test_use_book_style_sets_colour_blind_cycle():
    pl.use_book_style()
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert colours[: len(pl.OKABE_ITO)] == list(pl.OKABE_ITO)


@pytest.mark.parametrize("call,exc,param", [
    (lambda: pl.panel_grid(0), ValueError, "n"),
    (lambda: pl.panel_grid(3, ncols=1.5), TypeError, "ncols"),
    (lambda: pl.panel_grid(3, size=50), ValueError, "size"),
    (lambda: pl.show_image(np.zeros(5)), ValueError, "image"),
    (lambda: pl.show_image(np.zeros((4, 4, 2))), ValueError, "image"),
    (lambda: pl.show_image(np.zeros((4, 4)), ax="axes"), TypeError, "ax"),
    (lambda: pl.show_labels(np.full((3, 3), 0.5)), TypeError, "labels"),
    (lambda: pl.show_labels(np.full((3, 3), 7)), ValueError, "labels"),
    (lambda: pl.show_labels(np.zeros((3, 3), int), names=[]), ValueError, "names"),
    (lambda: pl.show_labels(np.zeros((3, 3), int), names=["a", "b"], colours=["r"]),
     ValueError, "colours"),
    (lambda: pl.plot_contours(np.zeros((4, 4)), [0.5]), ValueError, "levels"),
    (lambda: pl.plot_contours(np.linspace(0, 1, 16).reshape(4, 4), [0.1] * 9),
     ValueError, "levels"),
    (lambda: pl.show_level_grid(np.full((3, 3), 1.5)), TypeError, "grid"),
    (lambda: pl.show_level_grid(np.full((3, 3), -1)), ValueError, "grid"),
    (lambda: pl.show_level_grid(np.full((3, 3), 9)), ValueError, "grid"),
])
def test_bad_arguments_are_refused(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)


def test_level_probabilities_mix_the_level_colours():
    from matplotlib.colors import to_rgb

    from utils.plotting import LEVEL_COLOURS, level_legend, show_level_probabilities

    p = np.zeros((2, 2, 5))
    p[0, 0, 0] = 1                  # sure: background
    p[0, 1, 2] = 1                  # sure: level 2
    p[1, :, 0] = p[1, :, 1] = 0.5   # unsure: half background, half level 1
    ax = show_level_probabilities(p)
    img = ax.get_images()[0].get_array()
    assert np.allclose(img[0, 0], to_rgb(LEVEL_COLOURS[0]))
    assert np.allclose(img[0, 1], to_rgb(LEVEL_COLOURS[2]))
    assert np.allclose(img[1, 0], (np.array(to_rgb(LEVEL_COLOURS[0]))
                                   + to_rgb(LEVEL_COLOURS[1])) / 2)
    legend = level_legend(ax, 4)
    assert [t.get_text() for t in legend.get_texts()] == [f"level {k}" for k in range(1, 5)]
    with pytest.raises(ValueError, match="sum to 1"):
        show_level_probabilities(np.full((2, 2, 3), 0.5))
    with pytest.raises(TypeError, match=whole_word("target")):
        level_legend("figure")


def _drawn_rgb(ax):
    """The colours actually drawn by the axes' first image, as an (H, W, 3) float array."""
    im = ax.get_images()[0]
    return im.cmap(im.norm(im.get_array()))[..., :3]


def test_level_grid_draws_each_level_in_its_legend_colour():
    from matplotlib.colors import to_rgb

    grid = np.array([[0, 1, 2], [3, 4, 0]])
    fig, ax = plt.subplots()
    pl.show_level_grid(grid, ax=ax, annotate=False)
    legend = pl.level_legend(ax, background=True)
    rgb = _drawn_rgb(ax)
    for level in range(5):
        want = to_rgb(pl.LEVEL_COLOURS[level])
        r, c = np.argwhere(grid == level)[0]
        np.testing.assert_allclose(rgb[r, c], want, atol=1e-6)
        patch = legend.get_patches()[level]
        np.testing.assert_allclose(patch.get_facecolor()[:3], want, atol=1e-6)
    assert [t.get_text() for t in legend.get_texts()] == [f"level {k}" for k in range(5)]


def test_show_labels_paints_each_class_in_its_palette_colour():
    from matplotlib.colors import to_rgb

    labels = np.array([[0, 1], [2, 3]])
    ax = pl.show_labels(labels)
    rgb = _drawn_rgb(ax)
    for cls in range(4):
        r, c = np.argwhere(labels == cls)[0]
        np.testing.assert_allclose(rgb[r, c], to_rgb(pl.TERRAIN_PALETTE[cls]), atol=1e-6)


def test_show_image_draws_the_values_and_an_optional_colour_bar():
    values = np.arange(6.0).reshape(2, 3)
    fig, ax = plt.subplots()
    pl.show_image(values, ax=ax, cmap="viridis", colorbar=True)
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), values)
    assert len(fig.axes) == 2            # the image and its colour bar
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
