"""utils.models: every builder runs, the trainer respects its budget, quietly and reproducibly."""

from __future__ import annotations

import time

import numpy as np
import pytest

from utils import bands as bd
from utils import grids as gr
from utils import models as md
from utils import relations as rl

from words import whole_word


@pytest.fixture(scope="module")
def small():
    data = rl.make_dataset(400, seed=3)
    return data, gr.one_hot(data.grids, dtype="uint8")


@pytest.mark.parametrize("name", md.MODEL_NAMES)
def test_every_model_builds_and_predicts(name, small):
    _, X = small
    model = md.build_model(name, (50, 50, 4), n_outputs=3)
    out = model.predict(X[:5], verbose=0)
    assert out.shape == (5, 3) and np.all((out >= 0) & (out <= 1))
    assert md.count_parameters(model) > 0


@pytest.mark.parametrize("name", ["cnn_pool", "directional", "relational"])
def test_fully_convolutional_models_accept_larger_grids(name):
    model = md.build_model(name, (None, None, 4))
    big = gr.one_hot(rl.make_dataset(8, size=80, seed=0).grids[:2], dtype="uint8")
    assert model.predict(big, verbose=0).shape == (2, 1)


def test_directional_context_counts_what_lies_in_every_direction():
    """The layer's ten maps equal counts taken cell by cell with slices (its definition,
    utils.naive.directional_loop), on a map that is not square, for every cell and channel."""
    from utils.layers import DirectionalContext
    from utils.naive import directional_loop

    x = np.random.default_rng(0).integers(0, 3, size=(2, 6, 7, 3)).astype("float32")
    out = np.asarray(DirectionalContext()(x))
    assert out.shape == (2, 6, 7, 3 * 11)
    np.testing.assert_array_equal(out[..., :3], x)
    np.testing.assert_allclose(out, directional_loop(x), rtol=1e-6, atol=1e-6)
    # one value by hand: the cell below-right of a lone 1 sees it above-left
    lone = np.zeros((1, 3, 3, 1), dtype="float32")
    lone[0, 0, 0, 0] = 1
    assert directional_loop(lone)[0, 2, 2, 5] == pytest.approx(np.log(2))   # above-left


def test_training_is_reproducible_and_learns(small):
    data, X = small
    results = []
    for _ in range(2):
        model = md.build_model("directional", (50, 50, 4), seed=7)
        result = md.train(model, X[data.train], data.labels[data.train], X[data.val],
                          data.labels[data.val], budget_seconds=60, epochs=4, seed=7)
        results.append((result, model.predict(X[data.test], verbose=0)))
    assert results[0][0].epochs == 4 and results[0][0].stopped_by == "epochs"
    assert results[0][0].loss[-1] < results[0][0].loss[0]
    np.testing.assert_allclose(results[0][1], results[1][1], atol=1e-5)


def test_budget_stops_training(small):
    data, X = small
    model = md.build_model("cnn_pool", (50, 50, 4))
    result = md.train(model, X[data.train], data.labels[data.train], X[data.val],
                      data.labels[data.val], budget_seconds=0.01, epochs=50)
    assert result.epochs == 1 and result.stopped_by == "budget"


def test_input_gradients_of_the_logit_do_not_vanish(small):
    data, X = small
    model = md.build_model("directional", (50, 50, 4))
    md.train(model, X[data.train], data.labels[data.train], X[data.val], data.labels[data.val],
             epochs=3, budget_seconds=60)
    g_logit = md.input_gradients(model, X[:6])
    g_prob = md.input_gradients(model, X[:6], logit=False)
    assert g_logit.shape == (6, 50, 50, 4)
    # the probability's gradient is the logit's times p(1 - p): never larger
    assert np.all(np.abs(g_prob).sum(axis=(1, 2, 3)) <= np.abs(g_logit).sum(axis=(1, 2, 3)))
    assert np.all(np.abs(g_logit).sum(axis=(1, 2, 3)) > 0)


def test_importing_tensorflow_prints_nothing():
    import subprocess
    import sys

    code = "from utils.models import quiet_tensorflow; quiet_tensorflow(); print('ok')"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.strip() == "ok"
    assert proc.stderr == "", proc.stderr


def test_tensorflow_objects_are_frozen_out_of_every_collection():
    """Issue 35: the cycle collector skips the ~370,000 objects TensorFlow and Keras bring
    (gc.freeze), so the collections after every network do not walk them each time."""
    import subprocess
    import sys

    code = ("import gc; from utils.models import quiet_tensorflow; quiet_tensorflow(); "
            "print(gc.get_freeze_count())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert int(proc.stdout) > 100_000, proc.stdout + proc.stderr


@pytest.mark.parametrize("call,exc,param", [
    (lambda: md.build_model("resnet", (50, 50, 4)), ValueError, "name"),
    (lambda: md.build_model("cnn_pool", [50, 50, 4]), TypeError, "input_shape"),
    (lambda: md.build_model("cnn_pool", (52, 50, 4)), ValueError, "input_shape[0]"),
    (lambda: md.build_model("cnn_flatten", (None, None, 4)), ValueError, "cnn_flatten"),
    (lambda: md.build_model("cnn_pool", (50, 50, 4), n_outputs=0), ValueError, "n_outputs"),
])
def test_bad_arguments(call, exc, param):
    with pytest.raises(exc) as info:
        call()
    assert param in str(info.value)


def test_train_rejects_mismatched_data(small):
    data, X = small
    model = md.build_model("cnn_pool", (50, 50, 4))
    with pytest.raises(ValueError, match="same number of samples"):
        md.train(model, X[:10], data.labels[:9], X[:4], data.labels[:4])
    with pytest.raises(ValueError, match=whole_word("budget_seconds")):
        md.train(model, X[:10], data.labels[:10], X[:4], data.labels[:4], budget_seconds=0)


def test_band_classifier_and_per_band_standardisation():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(20, 8, 8, 3)) * np.array([1000.0, 1.0, 10.0]) + 5
    test = rng.normal(size=(4, 8, 8, 3))
    scaled_train, scaled_test = bd.standardise_bands(train, test)
    np.testing.assert_allclose(scaled_train.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(scaled_train.std(axis=(0, 1, 2)), 1, atol=1e-4)
    assert scaled_test.shape == test.shape
    with pytest.raises(ValueError, match="constant band"):
        bd.standardise_bands(np.ones((2, 4, 4, 3)))
    with pytest.raises(ValueError, match=whole_word("bands")):
        bd.standardise_bands(train, np.zeros((2, 8, 8, 2)))
    model = md.build_band_classifier((8, 8, 3), 4)
    assert model.predict(scaled_test, verbose=0).shape == (4, 4)


def test_minmax_per_tile_scales_each_tile_and_band_by_itself():
    rng = np.random.default_rng(1)
    tiles = rng.normal(size=(5, 6, 6, 3)) * np.array([1000.0, 1.0, 10.0])
    scaled = bd.minmax_per_tile(tiles)
    assert scaled.dtype == np.float32 and scaled.shape == tiles.shape
    np.testing.assert_allclose(scaled.min(axis=(1, 2)), 0, atol=1e-6)
    np.testing.assert_allclose(scaled.max(axis=(1, 2)), 1, atol=1e-6)
    # absolute levels are gone: an offset or a gain per tile and band changes nothing
    moved = tiles * np.array([2.0, 3.0, 0.5]) + rng.normal(size=(5, 1, 1, 3)) * 500
    np.testing.assert_allclose(bd.minmax_per_tile(moved), scaled, atol=1e-5)
    # a band constant within a tile becomes 0 there, without dividing by zero
    flat = tiles.copy()
    flat[2, ..., 1] = 7.0
    out = bd.minmax_per_tile(flat)
    assert np.all(out[2, ..., 1] == 0) and np.all(np.isfinite(out))
    with pytest.raises(ValueError, match="tiles must be 4-D"):
        bd.minmax_per_tile(tiles[0])
    with pytest.raises(ValueError, match=whole_word("finite")):
        bd.minmax_per_tile(np.full((1, 2, 2, 1), np.inf))


def test_train_calls_after_epoch_and_does_not_count_its_time():
    model = md.build_model("cnn_pool", (10, 10, 2), block=5, width=4)
    x, y = np.zeros((8, 10, 10, 2), dtype="float32"), np.zeros(8)
    seen = []
    run = md.train(model, x, y, x, y, epochs=3, patience=10, after_epoch=seen.append)
    assert seen == [1, 2, 3] and run.epochs == 3
    start = time.perf_counter()
    slow = md.train(model, x, y, x, y, epochs=2, patience=10,
                    after_epoch=lambda epoch: time.sleep(1.0))
    assert slow.seconds < time.perf_counter() - start - 1.9     # the two seconds of sleep
    with pytest.raises(TypeError, match=whole_word("after_epoch")):
        md.train(model, x, y, x, y, epochs=1, after_epoch="print")


def test_biome_map_and_labels_follow_the_rule_of_landscape_bands():
    bands, labels = bd.landscape_bands(2, size=64, tile=16, seed=3)
    np.testing.assert_array_equal(bd.biome_labels(bands), labels)
    biome = bd.biome_map(bands)
    assert biome.shape == bands.shape[:3] and biome.dtype == np.uint8
    np.testing.assert_array_equal(biome == 0, bands[..., 0] < 600)     # water: by height
    counts = np.stack([(biome == k).sum(axis=(1, 2)) for k in range(4)], axis=1)
    np.testing.assert_array_equal(bd.biome_labels(bands, min_cells=1), counts > 0)
    with pytest.raises(ValueError, match="3 bands"):
        bd.biome_map(bands[..., :2])


def test_side_by_side_puts_each_band_next_to_the_last():
    tiles = np.random.default_rng(0).normal(size=(3, 4, 5, 3))
    side = bd.side_by_side(tiles)
    assert side.shape == (3, 4, 15, 1) and side.dtype == np.float32
    for b in range(3):
        np.testing.assert_allclose(side[:, :, 5 * b:5 * (b + 1), 0], tiles[..., b], rtol=1e-6)


def test_seam_probes_swap_the_edge_strips_and_mark_edge_only_biomes():
    bands, _ = bd.landscape_bands(2, size=128, tile=32, seed=0)
    probes, edge_only = bd.seam_probes(bands, width=4, seed=1)
    np.testing.assert_array_equal(probes[:, :, 4:-4], bands[:, :, 4:-4])   # inside unchanged
    strips = np.sort(probes[:, :, :4].reshape(len(bands), -1), axis=0)
    np.testing.assert_array_equal(strips, np.sort(bands[:, :, :4].reshape(len(bands), -1),
                                                  axis=0))               # a permutation
    present = bd.biome_labels(probes).astype(bool)
    inner = bd.biome_map(probes[:, :, 4:-4])
    for i, k in zip(*np.nonzero(edge_only), strict=True):
        assert present[i, k] and not (inner[i] == k).any()
    assert edge_only.any()
    with pytest.raises(ValueError, match=whole_word("width")):
        bd.seam_probes(bands[:, :, :8], width=4)


def test_band_classifier_per_part_separable_and_focal():
    keras = md.quiet_tensorflow()
    x = np.random.default_rng(0).normal(size=(6, 8, 24, 1)).astype("float32")
    per_part = md.build_band_classifier((8, 24, 1), 4, parts=3, width=4)
    out = per_part.predict(x, verbose=0)
    assert out.shape == (6, 4)
    # no kernel crosses a seam: changing the middle part changes its features (8 per part,
    # in order) and leaves those of the other two parts exactly as they were
    features = keras.Model(per_part.input, per_part.layers[-2].output)
    y = x.copy()
    y[:, :, 8:16] = np.random.default_rng(1).normal(size=(6, 8, 8, 1))
    before, after = features.predict(x, verbose=0), features.predict(y, verbose=0)
    assert before.shape == (6, 24)
    np.testing.assert_array_equal(before[:, :8], after[:, :8])
    np.testing.assert_array_equal(before[:, 16:], after[:, 16:])
    assert not np.allclose(before[:, 8:16], after[:, 8:16])
    plain = md.build_band_classifier((8, 8, 3), 4, width=16)
    separable = md.build_band_classifier((8, 8, 3), 4, width=16, separable=True)
    assert md.count_parameters(separable) < md.count_parameters(plain) / 3
    focal = md.build_band_classifier((8, 8, 3), 4, loss="focal")
    assert isinstance(focal.loss, keras.losses.BinaryFocalCrossentropy)
    with pytest.raises(ValueError, match=whole_word("parts")):
        md.build_band_classifier((8, 10, 1), 4, parts=3)
    with pytest.raises(ValueError, match=whole_word("loss")):
        md.build_band_classifier((8, 8, 3), 4, loss="hinge")
    with pytest.raises(TypeError, match=whole_word("separable")):
        md.build_band_classifier((8, 8, 3), 4, separable="yes")


@pytest.mark.parametrize("name", md.MODEL_NAMES)
def test_save_and_reload_as_keras_predicts_identically(name, small, tmp_path):
    """Chapter 6's round trip: a trained model saved in the .keras format (the book's custom
    layers are registered) reloads without extra code and gives the same predictions."""
    keras = md.quiet_tensorflow()
    data, X = small
    y = data.labels.astype("float32")
    model = md.build_model(name, (50, 50, 4), width=8, seed=1)
    md.train(model, X[:64], y[:64], X[64:96], y[64:96], epochs=1, seed=1)
    model.save(tmp_path / f"{name}.keras")
    again = keras.saving.load_model(tmp_path / f"{name}.keras")
    np.testing.assert_array_equal(again.predict(X[:32], verbose=0),
                                  model.predict(X[:32], verbose=0))


def test_a_model_trained_on_the_example_data_reloads_and_predicts_new_csv_grids(tmp_path):
    from pathlib import Path

    from utils import io

    keras = md.quiet_tensorflow()
    root = Path(__file__).resolve().parents[1] / "data"
    data = io.load_grids(root / "grids", labels=root / "grids" / "labels.csv", n_levels=4)
    new = io.load_grids(root / "new_grids", labels=root / "new_grids" / "labels.csv",
                        n_levels=4)
    X = gr.one_hot(data.grids[:200], dtype="uint8")
    Y = np.eye(4, dtype="float32")[data.labels[:200]]
    model = md.build_model("directional", X.shape[1:], n_outputs=4, width=8, seed=0)
    md.train(model, X[:150], Y[:150], X[150:], Y[150:], epochs=1, seed=0)
    model.save(tmp_path / "grids.keras")
    again = keras.saving.load_model(tmp_path / "grids.keras")
    x_new = gr.one_hot(new.grids, dtype="uint8")
    np.testing.assert_array_equal(again.predict(x_new, verbose=0), model.predict(x_new, verbose=0))


def test_multiply_adds_are_counted_by_hand_on_small_networks():
    keras = md.quiet_tensorflow()
    from keras import layers

    inputs = keras.Input((5, 5, 2))
    x = layers.Conv2D(4, 3, padding="same")(inputs)          # 25 positions x 4 x (9 x 2)
    x = layers.MaxPooling2D(5)(x)                             # free
    x = layers.Flatten()(x)
    out = layers.Dense(3)(x)                                  # 4 x 3
    assert md.multiply_adds(keras.Model(inputs, out)) == 25 * 4 * 18 + 12
    inputs = keras.Input((None, None, 2))
    x = layers.SeparableConv2D(4, 3, padding="valid")(inputs)  # 3 x 3 positions
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
    model = keras.Model(inputs, layers.Dense(5)(x))            # on each of 3 x 3 positions
    assert md.multiply_adds(model, (5, 5, 2)) == (9 * (2 * 9 + 2 * 4) + 9 * 8 * 9
                                                   + 9 * 8 * 5)


def test_multiply_adds_of_the_book_networks_follow_their_shapes():
    """A finer stem costs more per sample (chapter 4a); separable convolutions cost less, far
    less at width 64 (chapter 4c)."""
    def cost(block):
        return md.multiply_adds(md.build_model("directional", (None, None, 4), block=block),
                                (50, 50, 4))

    assert cost(2) > 2 * cost(5) > 2 * cost(10) > 0
    for width in (16, 64):
        plain = md.build_band_classifier((16, 16, 3), 4, width=width)
        separable = md.build_band_classifier((16, 16, 3), 4, width=width, separable=True)
        assert md.multiply_adds(separable) < md.multiply_adds(plain) / 3


def test_multiply_adds_refuses_what_it_cannot_count():
    with pytest.raises(ValueError, match=r"\binput_shape\b"):
        md.multiply_adds(md.build_model("directional", (None, None, 4)))
    with pytest.raises(ValueError, match=r"\binput_shape\b"):
        md.multiply_adds(md.build_model("directional", (50, 50, 4)), (40, 40, 4))
    with pytest.raises(TypeError, match=r"\binput_shape\b"):
        md.multiply_adds(md.build_model("directional", (None, None, 4)), [50, 50, 4])
    with pytest.raises(ValueError, match=whole_word("RelationHead")):
        md.multiply_adds(md.build_model("relational", (50, 50, 4)))


def test_every_trainer_speaks_one_vocabulary():
    """Issue 37: the same names for the same things, one History, consistent defaults."""
    import inspect
    import typing

    from utils import contrastive as ct
    from utils import objects as ob
    from utils import pixel_autoencoder as pa
    from utils import training as tr
    from utils import vae as va

    trainers = {md.train: True, va.fit_autoencoder: True, pa.fit_pixel_autoencoder: True,
                ct.fit_contrastive: False}   # True: it has validation data
    for fit, validated in trainers.items():
        params = inspect.signature(fit).parameters
        for name in ("epochs", "budget_seconds", "batch_size", "seed"):
            assert name in params, f"{fit.__name__} lacks {name}"
        assert ("patience" in params) == validated, fit.__name__
        assert not {"max_epochs", "n_epochs", "time_limit"} & set(params), fit.__name__
        assert typing.get_type_hints(fit)["return"] is tr.History, fit.__name__
    assert (inspect.signature(ct.fit_contrastive).parameters["move"].default
            == inspect.signature(ob.augment_objects).parameters["move"].default)


def test_the_autoencoders_stop_on_their_budget_and_report_it():
    from utils import pixel_autoencoder as pa
    from utils import vae as va

    data = rl.make_dataset(40, seed=1)
    X = gr.one_hot(data.grids, dtype="uint8")
    vae = va.build_autoencoder(latent_dim=2, width=8, seed=0)
    hist = va.fit_autoencoder(vae, X[:30], X[30:], epochs=5, budget_seconds=1e-6, seed=0)
    assert (hist.epochs, hist.stopped_by) == (1, "budget")
    assert len(hist.loss) == len(hist.val_loss) == len(hist.parts["beta"]) == 1
    model = pa.build_pixel_autoencoder(features=2, width=4, levels=1, seed=0)
    patches = np.random.default_rng(0).random((40, 8, 8, 3)).astype("float32")
    hist = pa.fit_pixel_autoencoder(model, patches, epochs=5, budget_seconds=1e-6, seed=0)
    assert (hist.epochs, hist.stopped_by, hist.parts) == (1, "budget", {})


def test_patience_stops_training_that_stops_improving():
    from utils import training as tr

    keras = md.quiet_tensorflow()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    # a learning rate of 0 never improves: the first epoch stays the best
    hist = tr.fit_keras(model, x, x[:, 0], (x, x[:, 0]), epochs=6, batch_size=8,
                        budget_seconds=60.0, patience=2)
    assert (hist.epochs, hist.stopped_by) == (3, "patience")
    assert hist.val_loss[0] == hist.val_loss[-1]
