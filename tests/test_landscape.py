"""Unit and property tests of utils.landscape (and of the naive reference loops it replaces)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from noise import pnoise2

from utils import bands as bd
from utils import landscape as ls
from utils import naive

from words import whole_word

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

octave_params = st.fixed_dictionaries({
    "octaves": st.integers(1, 8),
    "persistence": st.floats(0.05, 1.0),
    "lacunarity": st.floats(1.0, 4.0),
})


# --- equality with noise.pnoise2 -------------------------------------------------------------

@SETTINGS
@given(params=octave_params, base=st.integers(0, 1), seed=st.integers(0, 2**32 - 1))
def test_perlin_noise_equals_pnoise2_on_random_coordinates(params, base, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-500, 500, 200)
    y = rng.uniform(-500, 500, 200)
    expected = np.array([pnoise2(float(a), float(b), base=base, **params)
                         for a, b in zip(x, y, strict=True)])
    got = ls.perlin_noise(x, y, base=base, **params)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@SETTINGS
@given(params=octave_params, repeat=st.sampled_from([4.0, 16.0, 1024.0]))
def test_perlin_noise_equals_pnoise2_with_periods(params, repeat):
    coords = np.linspace(-40, 40, 97)
    expected = np.array([pnoise2(float(a), float(a) * 0.7, repeatx=repeat, repeaty=repeat,
                                 **params) for a in coords])
    got = ls.perlin_noise(coords, coords * 0.7, repeatx=repeat, repeaty=repeat, **params)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("shape,scale,offset", [((16, 24), 7.5, (0.0, 0.0)),
                                                ((33, 17), 100.0, (12.0, -40.0)),
                                                (40, 3.0, (-5.5, 2.25))])
def test_fractal_heightmap_equals_pnoise2_grid(shape, scale, offset):
    rows, cols = (shape, shape) if isinstance(shape, int) else shape
    expected = np.array([[pnoise2((r + offset[0]) / scale, (c + offset[1]) / scale, octaves=5,
                                  persistence=0.6, lacunarity=2.1) for c in range(cols)]
                         for r in range(rows)])
    got = ls.fractal_heightmap(shape, scale=scale, octaves=5, persistence=0.6,
                               lacunarity=2.1, seed=None, offset=offset)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_naive_heightmap_loop_matches_vectorised():
    np.testing.assert_allclose(naive.heightmap_loop((12, 9), scale=5.0),
                               ls.fractal_heightmap((12, 9), scale=5.0, seed=None),
                               rtol=0, atol=1e-6)


def test_scalar_and_broadcast_inputs():
    assert ls.perlin_noise(0.3, 0.7).shape == ()
    assert ls.perlin_noise(np.zeros((3, 1)), np.zeros((1, 5))).shape == (3, 5)
    assert ls.perlin_noise(np.array([]), np.array([])).shape == (0,)
    # a big array goes through several blocks and must equal the element-wise result
    x = np.linspace(0, 50, 40000)
    np.testing.assert_array_equal(ls.perlin_noise(x, x[::-1]),
                                  np.concatenate([ls.perlin_noise(x[:7], x[::-1][:7]),
                                                  ls.perlin_noise(x[7:], x[::-1][7:])]))


# --- seeds -----------------------------------------------------------------------------------

def test_same_seed_same_map_and_different_seeds_independent():
    a = ls.fractal_heightmap(64, scale=10.0, seed=4)
    np.testing.assert_array_equal(a, ls.fractal_heightmap(64, scale=10.0, seed=4))
    b = ls.fractal_heightmap(64, scale=10.0, seed=5)
    assert abs(np.corrcoef(a.ravel(), b.ravel())[0, 1]) < 0.3


def test_permutation_table_is_a_doubled_permutation():
    for seed in (None, 0, 123):
        table = ls.permutation_table(seed)
        assert table.shape == (512,)
        assert sorted(table[:256].tolist()) == list(range(256))
        np.testing.assert_array_equal(table[:256], table[256:])
    np.testing.assert_array_equal(ls.permutation_table(None)[:256], ls.CLASSIC_PERMUTATION)


@SETTINGS
@given(seed=st.integers(0, 10_000), octaves=st.integers(1, 6))
def test_noise_is_zero_on_integer_lattice_points(seed, octaves):
    pts = np.arange(-3, 4, dtype=float)
    assert np.all(ls.perlin_noise(pts[:, None], pts[None, :], octaves=octaves,
                                  seed=seed) == 0.0)


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_noise_values_are_bounded(seed):
    rng = np.random.default_rng(seed)
    values = ls.perlin_noise(rng.uniform(-100, 100, 500), rng.uniform(-100, 100, 500),
                             octaves=4, seed=seed)
    assert np.all(np.abs(values) <= 1.0)


# --- normalise, classes, colours, levels ------------------------------------------------------

def test_normalise_survives_ranges_beyond_float64():
    out = ls.normalise(np.array([2.9937604643020797e292, -1.7976931348623155e308]))
    assert out.tolist() == [1.0, 0.0]


@SETTINGS
@given(seed=st.integers(0, 2**31), rows=st.integers(1, 30), cols=st.integers(2, 30))
def test_normalise_spans_unit_interval(seed, rows, cols):
    arr = np.random.default_rng(seed).normal(size=(rows, cols)) * 7 + 3
    out = ls.normalise(arr)
    assert out.min() == 0.0 and out.max() == 1.0
    np.testing.assert_allclose(ls.normalise(out), out)


def test_terrain_classes_follow_thresholds():
    h = np.array([[0.0, 0.39, 0.4, 0.59], [0.6, 0.79, 0.8, 1.0]])
    assert ls.terrain_classes(h).tolist() == [[0, 0, 1, 1], [2, 2, 3, 3]]
    assert ls.terrain_classes(h, (0.1, 0.2, 0.3)).tolist() == [[0, 3, 3, 3], [3, 3, 3, 3]]


@SETTINGS
@given(seed=st.integers(0, 2**31), width=st.floats(0.0, 0.099))
def test_colourise_matches_the_per_pixel_loop(seed, width):
    h = np.random.default_rng(seed).uniform(0, 1, (9, 11))
    fast = ls.colourise(h, transition_width=width)
    slow = naive.colourise_loop(h, ls.DEFAULT_THRESHOLDS, ls.TERRAIN_COLOURS, width)
    assert fast.dtype == np.uint8 and fast.shape == (9, 11, 3)
    assert np.abs(fast.astype(int) - slow.astype(int)).max() <= 1


def test_colourise_flat_colours_outside_bands_and_blend_inside():
    h = np.array([[0.1, 0.5, 0.7, 0.95, 0.4]])
    rgb = ls.colourise(h, transition_width=0.05)
    for k in range(4):
        np.testing.assert_array_equal(rgb[0, k], ls.TERRAIN_COLOURS[k])
    midpoint = (ls.TERRAIN_COLOURS[0].astype(float) + ls.TERRAIN_COLOURS[1]) / 2
    assert np.abs(rgb[0, 4] - midpoint).max() <= 0.5


def test_quantise_levels_and_quantile_balance():
    land = ls.synthetic_landscape(50, seed=2, scale=20.0)
    grid = ls.quantise(land.heights, levels=4)
    assert grid.shape == (50, 50) and grid.dtype == np.uint8
    assert set(np.unique(grid)) == {1, 2, 3, 4}
    counts = np.bincount(grid.ravel())[1:]
    assert counts.max() - counts.min() <= 4  # quantiles: (almost) equal counts
    uniform = ls.quantise(np.array([[0.1, 0.3], [0.6, 0.9]]), levels=4, method="uniform")
    assert uniform.tolist() == [[1, 2], [3, 4]]
    explicit = ls.quantise(np.array([[0.1, 0.3]]), levels=2, thresholds=[0.2])
    assert explicit.tolist() == [[1, 2]]


def test_synthetic_landscape_is_consistent_and_reproducible():
    a = ls.synthetic_landscape((40, 60), seed=9)
    b = ls.synthetic_landscape((40, 60), seed=9)
    np.testing.assert_array_equal(a.rgb, b.rgb)
    np.testing.assert_array_equal(a.classes, ls.terrain_classes(a.heights))
    assert a.heights.min() == 0 and a.heights.max() == 1
    assert a.rgb.shape == (40, 60, 3)


# --- bad input: every public function names the parameter -------------------------------------

GOOD = np.linspace(0, 1, 12).reshape(3, 4)
NAN = GOOD.copy()
NAN[1, 1] = np.nan


@pytest.mark.parametrize("call,exc,param", [
    (lambda: ls.fractal_heightmap(0), ValueError, "shape"),
    (lambda: ls.fractal_heightmap((4, -1)), ValueError, "shape[1]"),
    (lambda: ls.fractal_heightmap("big"), TypeError, "shape"),
    (lambda: ls.fractal_heightmap(8, scale=0), ValueError, "scale"),
    (lambda: ls.fractal_heightmap(8, scale=float("nan")), ValueError, "scale"),
    (lambda: ls.fractal_heightmap(8, octaves=0), ValueError, "octaves"),
    (lambda: ls.fractal_heightmap(8, octaves=2.5), TypeError, "octaves"),
    (lambda: ls.fractal_heightmap(8, persistence=0), ValueError, "persistence"),
    (lambda: ls.fractal_heightmap(8, lacunarity=0.5), ValueError, "lacunarity"),
    (lambda: ls.fractal_heightmap(8, seed=-1), ValueError, "seed"),
    (lambda: ls.fractal_heightmap(8, seed=1.5), TypeError, "seed"),
    (lambda: ls.fractal_heightmap(8, offset=(1, 2, 3)), ValueError, "offset"),
    (lambda: ls.perlin_noise([0.1, np.nan], 0.2), ValueError, "x"),
    (lambda: ls.perlin_noise(0.1, "y"), TypeError, "y"),
    (lambda: ls.perlin_noise(np.zeros(3), np.zeros(4)), ValueError, "broadcast"),
    (lambda: ls.perlin_noise(1e9, 0.0), ValueError, "x"),
    (lambda: ls.perlin_noise(0.0, 0.0, repeatx=0), ValueError, "repeatx"),
    (lambda: ls.perlin_noise(0.0, 0.0, base=300), ValueError, "base"),
    (lambda: ls.permutation_table("a"), TypeError, "seed"),
    (lambda: ls.normalise(np.ones((3, 3))), ValueError, "constant"),
    (lambda: ls.normalise(NAN), ValueError, "heights"),
    (lambda: ls.normalise(np.zeros((2, 2, 2, 2))), ValueError, "heights"),
    (lambda: ls.terrain_classes(GOOD[0]), ValueError, "heights"),
    (lambda: ls.terrain_classes(GOOD * 2), ValueError, "heights"),
    (lambda: ls.terrain_classes(NAN), ValueError, "heights"),
    (lambda: ls.terrain_classes(GOOD, (0.6, 0.4, 0.8)), ValueError, "thresholds"),
    (lambda: ls.terrain_classes(GOOD, (0.0, 0.4, 0.8)), ValueError, "thresholds"),
    (lambda: ls.terrain_classes(GOOD, (0.4, 0.8)), ValueError, "thresholds"),
    (lambda: ls.colourise(GOOD, transition_width=0.1), ValueError, "transition_width"),
    (lambda: ls.colourise(GOOD, transition_width=-0.01), ValueError, "transition_width"),
    (lambda: ls.colourise(GOOD, colours=np.zeros((4, 2))), ValueError, "colours"),
    (lambda: ls.colourise(GOOD, colours=np.full((4, 3), 300)), ValueError, "colours"),
    (lambda: ls.colourise(GOOD[None]), ValueError, "heights"),
    (lambda: ls.quantise(GOOD, levels=1), ValueError, "levels"),
    (lambda: ls.quantise(GOOD, method="median"), ValueError, "method"),
    (lambda: ls.quantise(GOOD, levels=3, thresholds=[0.5]), ValueError, "thresholds"),
    (lambda: ls.quantise(np.zeros((4, 4)), levels=4), ValueError, "heights"),
    (lambda: ls.synthetic_landscape(8, transition_width=0.5), ValueError, "transition_width"),
    (lambda: naive.heightmap_loop(0), ValueError, "shape"),
    (lambda: naive.colourise_loop(GOOD, [0.5], np.zeros((3, 3)), 0.0), ValueError, "colours"),
])
def test_bad_input_raises_clear_error(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)


def test_error_message_shows_value_and_accepted_range():
    with pytest.raises(ValueError, match=r"octaves must be >= 1, got 0"):
        ls.fractal_heightmap(8, octaves=0)
    with pytest.raises(ValueError, match=r"transition_width must be < 0\.1 .* got 0\.2"):
        ls.colourise(GOOD, transition_width=0.2)


@SETTINGS
@given(arr=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=2, max_size=20))
def test_normalise_never_returns_garbage(arr):
    values = np.array(arr)     # NaN, inf, constant and ordinary arrays all get through
    try:
        out = ls.normalise(values)
    except ValueError as err:
        assert "heights" in str(err)
    else:
        assert np.all(np.isfinite(out)) and out.min() == 0 and out.max() == 1


def test_landscape_bands_ranges_and_labels():
    bands, labels = bd.landscape_bands(2, size=128, tile=32, seed=3)
    assert bands.shape == (32, 32, 32, 3) and bands.dtype == np.float32
    assert labels.shape == (32, 4) and set(np.unique(labels)) <= {0, 1}
    assert 0 <= bands[..., 0].min() and bands[..., 0].max() <= 3000
    assert 0 <= bands[..., 1].min() and bands[..., 1].max() <= 1
    again = bd.landscape_bands(2, size=128, tile=32, seed=3)
    np.testing.assert_array_equal(bands, again[0])
    # every tile is labelled water exactly when enough of its cells lie below 600 m
    water = (bands[..., 0] < 600).reshape(len(bands), -1).sum(axis=1) >= 8
    np.testing.assert_array_equal(labels[:, 0], water)
    with pytest.raises(ValueError, match=whole_word("tile")):
        bd.landscape_bands(1, size=100, tile=32)
