"""Bad calls a careless user makes, table-driven: each raises our own TypeError/ValueError
naming the parameter, before any heavy work.  (Module-specific cases live beside each module's
tests; this file holds the cross-cutting kinds: flags, sizes.)"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import arrangements as ar  # noqa: E402
from utils import clustering as cl  # noqa: E402
from utils import pixel_features as pf
from utils import plotting as bp  # noqa: E402
from utils import segmentation as sg  # noqa: E402
from utils import som as sm  # noqa: E402

from words import whole_word  # noqa: E402

IMG = np.zeros((8, 8, 3))
X = np.random.default_rng(0).random((64, 3))
GRIDS = ar.make_arrangements(4, seed=0).grids

# (call, flag name): the string "False" is truthy, so it must not be taken as a flag
FLAG_CALLS = [
    (lambda v: pf.pixel_features(IMG, standardise=v), "standardise"),
    (lambda v: sg.kmeans_segment(X, (8, 8), 2, minibatch=v), "minibatch"),
    (lambda v: sg.kmeans_segment(X, (8, 8), 2, dedupe=v), "dedupe"),
    (lambda v: sg.kmeans_sweep(X, [1, 2], criteria=v), "criteria"),
    (lambda v: sg.kmeans_sweep(X, [1, 2], dedupe=v), "dedupe"),
    (lambda v: sm.winner_map(None, X, dedupe=v), "dedupe"),
    (lambda v: cl.cluster(X, 2, standardise=v), "standardise"),
    (lambda v: ar.make_arrangements(10, translate=v), "translate"),
    (lambda v: ar.augment(GRIDS, shift=v), "shift"),
    (lambda v: ar.augment(GRIDS, redraw=v), "redraw"),
    (lambda v: bp.show_image(IMG, colorbar=v), "colorbar"),
    (lambda v: bp.show_labels(np.zeros((4, 4), int), legend=v), "legend"),
    (lambda v: bp.show_level_grid(np.zeros((4, 4), int), annotate=v), "annotate"),
    (lambda v: bp.level_legend(plt.figure(), background=v), "background"),
]


@pytest.mark.parametrize("call, name", FLAG_CALLS,
                         ids=[f"{n}-{i}" for i, (_, n) in enumerate(FLAG_CALLS)])
@pytest.mark.parametrize("value", ["False", 0, 1, None])
def test_flags_must_be_real_booleans(call, name, value):
    with pytest.raises(TypeError, match=whole_word(name)):
        call(value)
    plt.close("all")


def test_flags_of_the_networks_are_checked_before_any_model_is_needed():
    pytest.importorskip("keras")
    from utils import contrastive as ct
    from utils import models as md
    from utils import vae as va

    for call, name in [
        (lambda: va.build_autoencoder(variational="yes"), "variational"),
        (lambda: va.reconstruct(None, None, probabilities="yes"), "probabilities"),
        (lambda: ct.fit_contrastive(None, None, redraw="yes"), "redraw"),
        (lambda: md.input_gradients(None, None, logit="yes"), "logit"),
    ]:
        with pytest.raises(TypeError, match=whole_word(name)):
            call()


SIZE_CALLS = [
    (lambda: __import__("utils.landscape").landscape.fractal_heightmap(10**5), "shape"),
    (lambda: __import__("utils.landscape").landscape.synthetic_landscape((40_000, 40_000)),
     "shape"),
    (lambda: __import__("utils.landscape").landscape.perlin_noise(
        np.zeros((1, 10**5)), np.zeros((10**5, 1))), "broadcast"),
    (lambda: __import__("utils.bands").bands.landscape_bands(1000, size=4096), "n_maps"),
    (lambda: bp.panel_grid(10**6), "n"),
    (lambda: sg.cluster_mean_colours(IMG, np.zeros((8, 8), int), 10**7), "n_clusters"),
    (lambda: pf.pixel_features(IMG, ("multiscale",), sigmas=[1.0] * 100), "sigmas"),
    (lambda: sm.train_som(X, (100, 100), iterations=10**6), "iterations"),
    (lambda: ar.make_arrangements(10**8), "n"),
]


@pytest.mark.parametrize("call, named", SIZE_CALLS,
                         ids=[f"{n}-{i}" for i, (_, n) in enumerate(SIZE_CALLS)])
def test_sizes_beyond_a_ceiling_are_refused_before_allocating(call, named):
    with pytest.raises(ValueError, match=whole_word(named)):
        call()
    plt.close("all")


def test_keras_arguments_get_our_messages():
    pytest.importorskip("keras")
    from utils import models as md

    model = md.build_model("cnn_pool", (50, 50, 4))
    x = np.zeros((2, 50, 50, 4), np.float32)
    with pytest.raises(TypeError, match=whole_word("model")):
        md.input_gradients("a model", x)
    with pytest.raises(ValueError, match="x has samples of shape"):
        md.input_gradients(model, np.zeros((2, 50, 50, 3)))
    with pytest.raises(ValueError, match=whole_word("output")):
        md.input_gradients(model, x, output=1)
    with pytest.raises(ValueError, match=whole_word("x_val")):
        md.train(model, x, np.zeros(2), np.zeros((2, 50, 50, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=whole_word("block")):
        md.build_model("cnn_pool", (50, 50, 4), block=0)
    with pytest.raises(ValueError, match="24"):
        md.build_model("relational", (20, 20, 4))
