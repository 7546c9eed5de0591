"""utils.pixel_clusterers: Gaussian mixtures, agglomerative regions, DBSCAN and HDBSCAN on
pixels."""

from __future__ import annotations

import numpy as np
import pytest

from utils import landscape as ls
from utils import pixel_clusterers as pc
from utils import pixel_features as pf
from utils.metrics import score_segmentation

from words import whole_word


@pytest.fixture(scope="module")
def clean():
    land = ls.synthetic_landscape(64, seed=0)
    X, _ = pf.pixel_features(land.rgb, ("colour",))
    return land, X


def blobs(n=600, seed=0):
    """Two well separated colour blobs in a 30 x 20 'image': left half and right half."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=0.05, size=(n, 3))
    right = (np.arange(n) % 20) >= 10
    X[right] += 3.0
    return X, right.reshape(30, 20).astype(int)


def test_gmm_separates_two_blobs_and_is_sure_of_it():
    X, truth = blobs()
    seg = pc.gmm_segment(X, (30, 20), 2, covariance="full", sample_size=None)
    assert score_segmentation(truth, seg.labels, 2).mean_iou == 1.0
    assert seg.confidence.min() > 0.999 and seg.labels.shape == (30, 20)
    assert np.isfinite(seg.bic) and seg.bic > seg.aic - 1e9


def test_gmm_is_reproducible_and_criteria_prefer_the_true_k():
    X, _ = blobs()
    a = pc.gmm_segment(X, (30, 20), 2, seed=3)
    b = pc.gmm_segment(X, (30, 20), 2, seed=3)
    np.testing.assert_array_equal(a.labels, b.labels)
    crit = pc.gmm_criteria(X, [1, 2, 3], covariance="full", sample_size=None)
    assert crit["k"].tolist() == [1, 2, 3] and int(np.argmin(crit["bic"])) == 1


def test_contiguous_clusters_are_contiguous(clean):
    from scipy import ndimage

    land, X = clean
    seg = pc.agglomerative_segment(X, land.classes.shape, 4, step=1)
    assert seg.n_regions == 4 and seg.labels.shape == land.classes.shape
    for c in range(4):
        assert ndimage.label(seg.labels == c)[1] == 1      # one connected region each


def test_superpixels_then_kmeans_beat_four_regions(clean):
    land, X = clean
    four = pc.agglomerative_segment(X, land.classes.shape, 4, step=1)
    many = pc.agglomerative_segment(X, land.classes.shape, 4, n_regions=100, step=1)
    assert len(np.unique(many.regions)) == 100 and set(np.unique(many.labels)) <= set(range(4))
    score = {name: score_segmentation(land.classes, s.labels, 4).mean_iou
             for name, s in (("four", four), ("many", many))}
    assert score["many"] > score["four"] + 0.2


def test_step_repeats_labels_over_blocks(clean):
    land, X = clean
    seg = pc.agglomerative_segment(X, land.classes.shape, 4, n_regions=20, step=2)
    assert seg.labels.shape == (64, 64)
    np.testing.assert_array_equal(seg.labels[::2, ::2], seg.labels[1::2, 1::2])


def test_dbscan_on_distinct_rows_equals_dbscan_on_every_pixel():
    from sklearn.cluster import DBSCAN

    rng = np.random.default_rng(1)
    X = np.round(rng.normal(size=(400, 2)), 1)        # many repeated rows
    seg = pc.dbscan_segment(X, (20, 20), 0.25, min_pixels=8)
    direct = DBSCAN(eps=0.25, min_samples=8).fit(X).labels_
    np.testing.assert_array_equal(seg.labels.ravel() == -1, direct == -1)
    assert seg.n_clusters == direct.max() + 1
    assert seg.noise_share == pytest.approx(np.mean(direct == -1))


def test_dbscan_chains_the_clean_landscape_into_one_cluster(clean):
    land, X = clean
    seg = pc.dbscan_segment(X, land.classes.shape, 0.2, min_pixels=5)
    assert seg.n_clusters == 1 and seg.noise_share < 0.01


def test_single_linkage_chains_the_blends_into_one_region(clean):
    land, X = clean
    share = {}
    for linkage in pc.LINKAGES:
        seg = pc.agglomerative_segment(X, land.classes.shape, 4, n_regions=50, step=1,
                                       linkage=linkage)
        assert len(np.unique(seg.regions)) == 50
        share[linkage] = np.bincount(seg.regions.ravel()).max() / seg.regions.size
    assert share["single"] > 0.5 > share["ward"]


def test_hdbscan_finds_two_blobs_and_labels_every_pixel_like_its_neighbour():
    X, truth = blobs()
    seg = pc.hdbscan_segment(X, (30, 20), min_pixels=20, sample_size=200, seed=0)
    assert seg.n_clusters == 2 and seg.labels.shape == (30, 20)
    assert score_segmentation(truth, np.maximum(seg.labels, 0), 2).mean_iou == 1.0
    again = pc.hdbscan_segment(X, (30, 20), min_pixels=20, sample_size=200, seed=0)
    np.testing.assert_array_equal(seg.labels, again.labels)


def test_hdbscan_calls_sparse_points_noise():
    rng = np.random.default_rng(2)
    X = np.r_[rng.normal(scale=0.05, size=(380, 2)), rng.uniform(5, 50, size=(20, 2))]
    X[190:380] += 2.0                                  # two dense blobs, 20 scattered points
    seg = pc.hdbscan_segment(X, (20, 20), min_pixels=30, sample_size=None)
    assert seg.n_clusters == 2
    assert np.all(seg.labels.ravel()[380:] == -1) and seg.noise_share == pytest.approx(0.05)


BAD = [
    (lambda X: pc.gmm_segment(X, (8, 8), 2), ValueError, "shape"),
    (lambda X: pc.gmm_segment(X, [30, 20], 2), TypeError, "shape"),
    (lambda X: pc.gmm_segment(X, (30, 20), 0), ValueError, "n_components"),
    (lambda X: pc.gmm_segment(X, (30, 20), 2, covariance="round"), ValueError, "covariance"),
    (lambda X: pc.gmm_segment(X, (30, 20), 2, sample_size=5), ValueError, "sample_size"),
    (lambda X: pc.gmm_segment(X, (30, 20), 20, sample_size=10), ValueError, "n_components"),
    (lambda X: pc.gmm_segment(X, (30, 20), 2, seed=-1), ValueError, "seed"),
    (lambda X: pc.gmm_criteria(X, [2, 2]), ValueError, "ks"),
    (lambda X: pc.gmm_criteria(X, [1.5]), TypeError, "ks"),
    (lambda X: pc.agglomerative_segment(X, (30, 20), 2, n_regions=1), ValueError, "n_regions"),
    (lambda X: pc.agglomerative_segment(X, (30, 20), 2, step=0), ValueError, "step"),
    (lambda X: pc.agglomerative_segment(X, (30, 20), 2, n_regions=500, step=2), ValueError,
     "n_regions"),
    (lambda X: pc.dbscan_segment(X, (30, 20), 0.0), ValueError, "eps"),
    (lambda X: pc.dbscan_segment(X, (30, 20), 0.1, min_pixels=0), ValueError, "min_pixels"),
    (lambda X: pc.dbscan_segment(np.full((600, 3), np.nan), (30, 20), 0.1), ValueError,
     "features"),
    (lambda X: pc.agglomerative_segment(X, (30, 20), 2, linkage="centroid"), ValueError,
     "linkage"),
    (lambda X: pc.hdbscan_segment(X, (30, 20), min_pixels=1), ValueError, "min_pixels"),
    (lambda X: pc.hdbscan_segment(X, (30, 20), min_pixels=50, sample_size=20), ValueError,
     "min_pixels"),
    (lambda X: pc.hdbscan_segment(X, (30, 20), sample_size=3), ValueError, "sample_size"),
    (lambda X: pc.hdbscan_segment(X, (20, 20)), ValueError, "shape"),
    (lambda X: pc.hdbscan_segment(X, (30, 20), seed=1.5), TypeError, "seed"),
]


@pytest.mark.parametrize("call, exc, words", BAD)
def test_bad_arguments(call, exc, words):
    X, _ = blobs()
    with pytest.raises(exc, match=whole_word(words)):
        call(X)


def test_ward_refuses_too_many_pixels_before_clustering():
    X = np.zeros((300 * 300, 3))
    with pytest.raises(ValueError, match="use a larger step"):
        pc.agglomerative_segment(X, (300, 300), 4, step=1)
