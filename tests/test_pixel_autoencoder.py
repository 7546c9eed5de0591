"""utils.pixel_autoencoder and landscape.texture_landscape: per-pixel codes at full resolution,
denoising training that learns and repeats itself, and clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest

from utils import landscape as ls
from utils import pixel_autoencoder as pa
from utils import pixel_features as pf
from utils import segmentation as sg
from utils.metrics import score_segmentation

from words import whole_word


def test_texture_landscape_hides_the_mountain_from_colour_but_not_from_texture():
    land = ls.texture_landscape(128, seed=3)
    grass, mountain = land.classes == 1, land.classes == 2
    # the same mean colour up to clipping and the soft borders (class colours differ by ~100)
    assert abs(land.rgb[grass].mean(0) - land.rgb[mountain].mean(0)).max() < 20
    X, _ = pf.pixel_features(land.rgb, ("local_std",))
    std = X[:, 0].reshape(land.classes.shape)
    assert std[mountain].mean() > std[grass].mean() + 1.0   # standardised units
    colour = sg.kmeans_segment(pf.pixel_features(land.rgb, ("colour",))[0],
                               land.classes.shape, 4, seed=0).labels
    assert score_segmentation(land.classes, colour, 4).iou[2] < 0.5
    again = ls.texture_landscape(128, seed=3)
    assert np.array_equal(again.rgb, land.rgb)


def test_receptive_field_grows_with_levels():
    assert [pa.receptive_field(k) for k in range(4)] == [3, 9, 21, 45]


@pytest.mark.parametrize("levels", [0, 1, 2])
def test_codes_cover_every_pixel_of_any_size(levels):
    model = pa.build_pixel_autoencoder(features=5, width=4, levels=levels, seed=0)
    img = np.random.default_rng(0).integers(0, 256, (37, 50, 3)).astype(np.uint8)
    codes = pa.pixel_codes(model, img)
    assert codes.shape == (37 * 50, 5) and np.all(np.isfinite(codes))
    out = pa.reconstruct_image(model, img)
    assert out.shape == (37, 50, 3) and 0 <= out.min() and out.max() <= 1


def test_patches_come_from_the_images():
    imgs = np.stack([np.full((40, 40, 3), v, dtype=np.uint8) for v in (0, 255)])
    p = pa.training_patches(imgs, patch=16, n=10, seed=0)
    assert p.shape == (10, 16, 16, 3) and p.dtype == np.float32
    assert set(np.unique(p)) == {0.0, 1.0}
    assert np.array_equal(p, pa.training_patches(imgs, patch=16, n=10, seed=0))


def test_denoising_training_learns_and_is_reproducible():
    imgs = np.stack([ls.synthetic_landscape(64, seed=s).rgb for s in (1, 2)])
    patches = pa.training_patches(imgs, patch=16, n=400, seed=0)
    runs = []
    for _ in range(2):
        model = pa.build_pixel_autoencoder(features=4, width=8, seed=1)
        hist = pa.fit_pixel_autoencoder(model, patches, epochs=3, seed=1)
        runs.append((hist.val_loss, pa.pixel_codes(model, imgs[0])))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    assert hist.val_loss[-1] < hist.val_loss[0]


IMG = np.zeros((16, 16, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def model():
    return pa.build_pixel_autoencoder(features=2, width=4, levels=1, seed=0)


@pytest.mark.parametrize(("call", "exc", "named"), [
    (lambda m: pa.build_pixel_autoencoder(features=0), ValueError, "features"),
    (lambda m: pa.build_pixel_autoencoder(levels=4), ValueError, "levels"),
    (lambda m: pa.receptive_field(-1), ValueError, "levels"),
    (lambda m: pa.training_patches(IMG, patch=8), ValueError, "images"),
    (lambda m: pa.training_patches(IMG[None], patch=12), ValueError, "patch"),
    (lambda m: pa.training_patches(IMG[None], patch=32), ValueError, "patch"),
    (lambda m: pa.training_patches(IMG[None] - 1.0, patch=8), ValueError, "images"),
    (lambda m: pa.fit_pixel_autoencoder("m", np.zeros((20, 8, 8, 3))), TypeError, "model"),
    (lambda m: pa.fit_pixel_autoencoder(m, np.zeros((20, 8, 8, 1))), ValueError, "patches"),
    (lambda m: pa.fit_pixel_autoencoder(m, np.zeros((20, 7, 7, 3))), ValueError, "patch"),
    (lambda m: pa.fit_pixel_autoencoder(m, np.zeros((20, 8, 8, 3)), noise=(5, 1)),
     ValueError, "noise"),
    (lambda m: pa.fit_pixel_autoencoder(m, np.zeros((20, 8, 8, 3)), noise=5), TypeError,
     "noise"),
    (lambda m: pa.pixel_codes(m, np.zeros((16, 16))), ValueError, "image"),
    (lambda m: pa.pixel_codes(None, IMG), TypeError, "model"),
    (lambda m: ls.texture_landscape(32, amplitude=0), ValueError, "amplitude"),
    (lambda m: ls.texture_landscape(32, grain=100), ValueError, "grain"),
])
def test_bad_input_gets_a_clear_error(model, call, exc, named):
    with pytest.raises(exc, match=whole_word(named)):
        call(model)
