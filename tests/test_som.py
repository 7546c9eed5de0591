"""utils.som: training with a learning curve, exact vectorised winner maps, codebook clusters."""

from __future__ import annotations

import tracemalloc

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from utils import landscape as ls  # noqa: E402
from utils import som as sm  # noqa: E402
from utils.metrics import score_segmentation  # noqa: E402
from utils.pixel_features import pixel_features  # noqa: E402
from utils.plotting import plot_codebook  # noqa: E402
from utils.segmentation import kmeans_segment  # noqa: E402

from words import whole_word  # noqa: E402


@pytest.fixture(scope="module")
def land():
    return ls.synthetic_landscape(96, seed=0)


def loop_winners(som, X):
    from utils.naive import winner_loop

    return winner_loop(som, X)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), rows=st.integers(1, 6), cols=st.integers(2, 6),
       n_feat=st.integers(1, 5), chunk=st.integers(1, 300))
def test_winner_map_equals_the_per_pixel_loop(seed, rows, cols, n_feat, chunk):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, n_feat))
    X[::7] = X[0]  # repeated rows and exact ties between nodes are both exercised
    som = sm.train_som(X, (rows, cols), iterations=50, seed=seed, n_checkpoints=1).som
    som._weights[0, 0] = som._weights[-1, -1]  # two identical nodes: a tie on every row
    np.testing.assert_array_equal(sm.winner_map(som, X, chunk_size=chunk),
                                  loop_winners(som, X))


def test_winner_map_on_images_with_and_without_repeated_rows(land):
    for image in (land.rgb, ls.noisy_image(land.rgb, 40, seed=3)):
        X, _ = pixel_features(image, ("colour",))
        som = sm.train_som(X, (6, 6), iterations=500, seed=1, n_checkpoints=1).som
        np.testing.assert_array_equal(sm.winner_map(som, X), loop_winners(som, X))


def test_winner_map_memory_is_bounded():
    X = np.random.default_rng(0).normal(size=(60000, 3))
    som = sm.train_som(X, (10, 10), iterations=100, seed=0, n_checkpoints=1).som
    tracemalloc.start()
    sm.winner_map(som, X, chunk_size=2048)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20e6, f"{peak / 1e6:.1f} MB"  # output 0.5 MB + one chunk of temporaries


def test_learning_curve_and_snapshots_and_reproducibility(land):
    X, _ = pixel_features(land.rgb, ("colour",))
    run = sm.train_som(X, (5, 5), iterations=1000, seed=2, n_checkpoints=5,
                       snapshot_at=(0, 100, 1000))
    assert run.checkpoints.tolist() == [200, 400, 600, 800, 1000]
    assert run.quantization_error[-1] < run.quantization_error[0]
    assert set(run.snapshots) == {0, 100, 1000}
    again = sm.train_som(X, (5, 5), iterations=1000, seed=2, n_checkpoints=5)
    np.testing.assert_array_equal(run.som.get_weights(), again.som.get_weights())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_som_then_cluster_matches_kmeans_on_the_landscape(seed):
    """Chapter 3's claim with its settings, on a 128 x 128 landscape, for several seeds."""
    land = ls.synthetic_landscape(128, seed=0)
    X, _ = pixel_features(land.rgb, ("colour",))
    seg = sm.som_segment(X, land.classes.shape, (10, 10), 4, sigma=2.0, seed=seed)
    som_iou = score_segmentation(land.classes, seg.labels, 4).mean_iou
    km_iou = score_segmentation(land.classes,
                                kmeans_segment(X, land.classes.shape, 4).labels, 4).mean_iou
    assert som_iou >= km_iou - 0.05, (som_iou, km_iou)


def test_ward_clusters_are_connected_patches_of_the_map(land):
    from scipy import ndimage

    X, _ = pixel_features(land.rgb, ("colour",))
    som = sm.train_som(X, (8, 8), iterations=1000, seed=0, n_checkpoints=1).som
    grid = sm.cluster_codebook(som, 4, method="ward").reshape(8, 8)
    for cls in range(4):
        assert ndimage.label(grid == cls)[1] == 1


def test_plot_codebook_draws_the_grid():
    w = np.random.default_rng(0).normal(size=(3, 4, 2))
    ax = plot_codebook(w, data=np.zeros((5, 2)))
    assert len(ax.lines) == 3 + 4


@pytest.mark.parametrize("call,exc,param", [
    (lambda: sm.train_som(np.zeros(5), (2, 2)), ValueError, "features"),
    (lambda: sm.train_som(np.zeros((5, 2)), [2, 2]), TypeError, "map_size"),
    (lambda: sm.train_som(np.zeros((5, 2)), (0, 2)), ValueError, "map_size[0]"),
    (lambda: sm.train_som(np.zeros((5, 2)), (2, 2), iterations=0), ValueError, "iterations"),
    (lambda: sm.train_som(np.zeros((5, 2)), (2, 2), sigma=-1), ValueError, "sigma"),
    (lambda: sm.train_som(np.zeros((5, 2)), (2, 2), learning_rate=2), ValueError,
     "learning_rate"),
    (lambda: sm.train_som(np.zeros((5, 2)), (2, 2), topology="torus"), ValueError, "topology"),
    (lambda: sm.train_som(np.full((5, 2), np.nan), (2, 2)), ValueError, "features"),
    (lambda: sm.winner_map("som", np.zeros((5, 2))), TypeError, "som"),
    (lambda: plot_codebook(np.zeros((2, 2))), ValueError, "weights"),
])
def test_bad_input(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)


def test_bad_input_needing_a_trained_som():
    som = sm.train_som(np.random.default_rng(0).normal(size=(50, 2)), (3, 3), iterations=10,
                       n_checkpoints=1).som
    with pytest.raises(ValueError, match="features must have 2 columns"):
        sm.winner_map(som, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=whole_word("n_clusters")):
        sm.cluster_codebook(som, 10)
    with pytest.raises(ValueError, match=whole_word("weights")):
        sm.cluster_codebook(som, 2, weights=np.ones(4))
    with pytest.raises(ValueError, match=whole_word("nodes")):
        sm.hit_counts(som, np.array([0, 9]))


def test_som_segment_is_the_four_steps_in_one_call():
    land = ls.synthetic_landscape(48, seed=1)
    X, _ = pixel_features(land.rgb, ("colour",))
    seg = sm.som_segment(X, land.classes.shape, (5, 5), 3, iterations=500, sigma=1.5, seed=4)
    run = sm.train_som(X, (5, 5), iterations=500, sigma=1.5, seed=4, n_checkpoints=1)
    nodes = sm.winner_map(run.som, X)
    cls = sm.cluster_codebook(run.som, 3, weights=sm.hit_counts(run.som, nodes), seed=0)
    np.testing.assert_array_equal(seg.labels, cls[nodes].reshape(land.classes.shape))
    np.testing.assert_array_equal(seg.nodes, nodes)
    assert seg.hits.sum() == X.shape[0] and seg.seconds > 0
    with pytest.raises(ValueError, match=whole_word("shape")):
        sm.som_segment(X, (5, 5), (5, 5), 3)
    with pytest.raises(TypeError, match=whole_word("weight_by_hits")):
        sm.som_segment(X, land.classes.shape, (5, 5), 3, weight_by_hits="no")
