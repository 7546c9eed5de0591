"""utils.segmentation: features, k-means (exact weighted and sampled), criteria, helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import landscape as ls
from utils import pixel_features as pf
from utils import segmentation as sg
from utils.metrics import score_segmentation


@pytest.fixture(scope="module")
def land():
    return ls.synthetic_landscape(128, seed=0)


def test_kmeans_on_colour_recovers_terrain(land):
    """Chapter 2's claim, on a smaller landscape: k = 4 on colour, mean IoU >= 0.95."""
    X, _ = pf.pixel_features(land.rgb, ("colour",), standardise=False)
    seg = sg.kmeans_segment(X, land.classes.shape, 4, seed=0)
    assert seg.exact and seg.fit_rows < X.shape[0] // 4
    assert score_segmentation(land.classes, seg.labels, 4).mean_iou >= 0.95


def test_weighted_unique_fit_minimises_the_all_pixel_objective(land):
    X, _ = pf.pixel_features(land.rgb, ("colour",), standardise=False)
    exact = sg.kmeans_segment(X, land.classes.shape, 5, seed=1)
    full = sg.kmeans_segment(X, land.classes.shape, 5, seed=1, dedupe=False, sample_size=None)
    # the inertia reported for the weighted fit is the inertia over every pixel...
    np.testing.assert_allclose(exact.inertia, -exact.model.score(X), rtol=1e-9)
    # ...and it reaches the same optimum as fitting every pixel directly
    assert abs(exact.inertia - full.inertia) <= 1e-3 * full.inertia


def test_same_seed_same_labels(land):
    X, _ = pf.pixel_features(ls.noisy_image(land.rgb, 40, seed=2), ("colour", "local_mean"))
    a = sg.kmeans_segment(X, land.classes.shape, 4, seed=3, sample_size=3000)
    b = sg.kmeans_segment(X, land.classes.shape, 4, seed=3, sample_size=3000)
    assert not a.exact and a.fit_rows == 3000
    np.testing.assert_array_equal(a.labels, b.labels)


def test_context_features_beat_colour_on_a_noisy_landscape(land):
    noisy = ls.noisy_image(land.rgb, 45, seed=1)
    scores = {}
    for feats in (("colour",), ("multiscale",)):
        X, _ = pf.pixel_features(noisy, feats)
        seg = sg.kmeans_segment(X, land.classes.shape, 4, seed=0)
        scores[feats] = score_segmentation(land.classes, seg.labels, 4).mean_iou
    assert scores[("multiscale",)] >= scores[("colour",)] + 0.10, scores


def test_pixel_features_shapes_names_and_scaling(land):
    X, names = pf.pixel_features(land.rgb, pf.FEATURES, window=5, sigmas=(1, 3))
    assert X.shape == (128 * 128, len(names))
    assert names[:5] == ["R", "G", "B", "row", "col"]
    assert sum(n.startswith("lbp") for n in names) == 10
    assert sum(n.startswith("gauss") for n in names) == 6
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-9)
    assert np.all((np.abs(X.std(axis=0) - 1) < 1e-9) | (X.std(axis=0) == 0))


def test_local_statistics_of_a_flat_image():
    flat = np.full((9, 9, 3), 0.25)
    X, names = pf.pixel_features(flat, ("local_mean", "local_std"), standardise=False)
    np.testing.assert_allclose(X[:, :3], 0.25)
    np.testing.assert_allclose(X[:, 3:], 0.0, atol=1e-7)


def test_sweep_criteria_and_elbow(land):
    X, _ = pf.pixel_features(land.rgb, ("colour",), standardise=False)
    sweep = sg.kmeans_sweep(X, range(1, 9), seed=0)
    assert np.all(np.diff(sweep["wcss"]) < 0)
    assert np.isnan(sweep["silhouette"][0]) and np.all(sweep["silhouette"][1:] > 0)
    assert sg.find_elbow(sweep["k"], sweep["wcss"]) in (3, 4, 5)
    only = sg.kmeans_sweep(X, [2, 3], seed=0, criteria=False)
    assert set(only) == {"k", "wcss", "seconds"}


def test_find_elbow_on_a_known_curve():
    ks = np.arange(1, 11)
    wcss = np.where(ks <= 4, 100 - 22 * (ks - 1), 34 - (ks - 4))
    assert sg.find_elbow(ks, wcss) == 4


def test_naming_boundaries_and_markers():
    ref = np.array([[0, 0, 255], [0, 255, 0]])
    assert sg.name_clusters([[10, 10, 200], [20, 230, 20]], ref).tolist() == [0, 1]
    labels = np.zeros((7, 7), int)
    labels[2:5, 2:5] = 1
    # a pixel is on a boundary when one of its 4 neighbours has another label
    expected = np.zeros((7, 7), bool)
    for r in range(7):
        for c in range(7):
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < 7 and 0 <= cc < 7 and labels[rr, cc] != labels[r, c]:
                    expected[r, c] = True
    assert np.array_equal(sg.segment_boundaries(labels), expected)
    assert expected.sum() == 20            # the square's 8 edge pixels and 12 outside
    ring = np.zeros((11, 11), int)
    ring[1:10, 1:10] = 1
    ring[3:8, 3:8] = 0
    markers = sg.class_markers(ring)
    for cls, (r, c) in markers.items():
        assert ring[int(r), int(c)] == cls


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), k=st.integers(1, 6))
def test_cluster_mean_colours_are_means(seed, k):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, (6, 5, 3)).astype(np.uint8)
    labels = rng.integers(0, k, (6, 5))
    means = sg.cluster_mean_colours(img, labels, k)
    for c in range(k):
        if np.any(labels == c):
            np.testing.assert_allclose(means[c], img[labels == c].mean(axis=0))
        else:
            assert np.all(np.isnan(means[c]))


GOOD = np.zeros((4, 4, 3), np.uint8)


@pytest.mark.parametrize("call,exc,param", [
    (lambda: pf.pixel_features(np.zeros((4, 4))), ValueError, "image"),
    (lambda: pf.pixel_features(np.zeros((4, 4, 2))), ValueError, "image"),
    (lambda: pf.pixel_features(np.full((4, 4, 3), 300.0)), ValueError, "image"),
    (lambda: pf.pixel_features(GOOD, "colour"), TypeError, "features"),
    (lambda: pf.pixel_features(GOOD, ("hue",)), ValueError, "features"),
    (lambda: pf.pixel_features(GOOD, window=4), ValueError, "window"),
    (lambda: pf.pixel_features(GOOD, ("multiscale",), sigmas=(0,)), ValueError, "sigmas"),
    (lambda: sg.kmeans_segment(np.zeros((16, 2)), (4, 5), 2), ValueError, "shape"),
    (lambda: sg.kmeans_segment(np.zeros((16, 2)), (4, 4), 0), ValueError, "n_clusters"),
    (lambda: sg.kmeans_segment(np.zeros((16, 2)), (4, 4), 2), ValueError, "n_clusters"),
    (lambda: sg.kmeans_segment(np.zeros((16, 2)), (4, 4), 1, seed=-2), ValueError, "seed"),
    (lambda: sg.kmeans_segment(np.zeros(16), (4, 4), 1), ValueError, "features"),
    (lambda: sg.kmeans_sweep(np.zeros((16, 2)), [0, 2]), ValueError, "ks"),
    (lambda: sg.find_elbow([1, 2], [3, 2]), ValueError, "ks"),
    (lambda: sg.find_elbow([1, 2, 3], [3, 2, 1], curve="wavy"), ValueError, "curve"),
    (lambda: sg.name_clusters([[1, 2]], [[1, 2, 3]]), ValueError, "colours"),
    (lambda: sg.cluster_mean_colours(GOOD, np.zeros((3, 3), int)), ValueError, "labels"),
    (lambda: sg.segment_boundaries(np.zeros((3, 3))), TypeError, "labels"),
    (lambda: sg.class_markers(np.zeros(5, int)), ValueError, "class_map"),
    (lambda: ls.noisy_image(GOOD, -1), ValueError, "sigma"),
])
def test_bad_input(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)
