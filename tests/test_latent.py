"""utils.vae, utils.contrastive and utils.directional: the VAE and autoencoder train quietly and
reproducibly and do not collapse;
the contrastive encoder and the directional features are translation-invariant; bad input
gets a clear error."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

from utils import arrangements as ar
from utils import contrastive as ct
from utils import directional as dr
from utils import grids as gr
from utils import vae as va

from words import whole_word


@pytest.fixture(scope="module")
def grids():
    d = ar.make_arrangements(600, translate=False, seed=0)
    return d, gr.one_hot(d.grids, dtype="uint8")


def test_vae_is_written_the_backend_agnostic_way():
    source = inspect.getsource(va.GridAutoencoder)
    assert "GradientTape" not in source and "tensorflow" not in source
    assert "def compute_loss" in source and "SeedGenerator" in source


def test_vae_trains_reproducibly_without_collapse(grids):
    _, X = grids
    runs = []
    for _ in range(2):
        vae = va.build_autoencoder(latent_dim=4, seed=3)
        hist = va.fit_autoencoder(vae, X[:500], X[500:], epochs=3, warmup_epochs=1, seed=3)
        runs.append((hist, va.encode(vae, X[500:])))
    (h1, z1), (h2, z2) = runs
    assert h1.parts["val_reconstruction"] == h2.parts["val_reconstruction"]
    assert np.array_equal(z1, z2)
    assert h1.parts["beta"] == [0.5, 1.0, 1.0]
    assert h1.parts["reconstruction"][-1] < h1.parts["reconstruction"][0]
    assert h1.stopped_by == "epochs" and len(h1.loss) == len(h1.val_loss) == 3
    kl = va.kl_per_dimension(vae, X[500:])
    assert kl.shape == (4,) and np.all(kl > 0.01), kl
    assert z1.shape == (100, 4)
    rebuilt = va.reconstruct(vae, X[500:510])
    assert rebuilt.shape == (10, 50, 50) and rebuilt.max() <= 4
    assert va.decode(vae, np.zeros((2, 4))).shape == (2, 50, 50)


def test_reconstruction_is_summed_over_cells(grids):
    _, X = grids
    summed = va.build_autoencoder(latent_dim=2, seed=0)
    mean = va.build_autoencoder(latent_dim=2, reduction="mean", seed=0)
    mu, log_var = summed(X[:8])
    rec_sum, kl_sum = summed.losses_of(X[:8], mu, log_var)
    mu2, log_var2 = mean(X[:8])
    rec_mean, _ = mean.losses_of(X[:8], mu2, log_var2)
    # same weights (same seed): the sum is 2,500 cells times the mean, up to the sampled z
    ratio = np.asarray(rec_sum).mean() / np.asarray(rec_mean).mean()
    assert 2000 < ratio < 3000
    assert np.all(np.asarray(kl_sum) >= 0)


def test_plain_autoencoder_trains_without_warnings(grids):
    _, X = grids
    ae = va.build_autoencoder(latent_dim=4, variational=False, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = va.fit_autoencoder(ae, X[:500], X[500:], epochs=1, seed=0)
    assert hist.epochs == 1 and hist.parts["val_kl"][0] > 0   # KL is tracked, not optimised
    assert va.kl_per_dimension(ae, X[:10]).shape == (4,)


def test_contrastive_encoder_trains_reproducibly_and_ignores_block_shifts():
    d = ar.make_arrangements(512, seed=1)
    embeddings = []
    for _ in range(2):
        model = ct.build_contrastive(width=16, dim=8, seed=2)
        hist = ct.fit_contrastive(model, d.grids, epochs=2, batch_size=128, seed=2)
        embeddings.append(ct.embed(model, gr.one_hot(d.grids[:50], dtype="uint8")))
    assert hist.epochs == 2 and hist.stopped_by == "epochs" and len(hist.loss) == 2
    assert np.array_equal(*embeddings)
    shifted = ar.augment(d.grids[:50], redraw=False, drop=0, add=0, seed=0)
    moved = ct.embed(model, gr.one_hot(shifted, dtype="uint8"))
    np.testing.assert_allclose(moved, embeddings[1], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("n_levels", "views"), [(3, "lattice"), (9, "objects")])
def test_contrastive_encoder_trains_on_other_numbers_of_levels(n_levels, views):
    """3 levels on the lattice, 9 (as many colours as an ARC grid) with objects anywhere."""
    d = ar.make_arrangements(256, seed=1)
    grids = np.where(d.grids == 4, n_levels, np.minimum(d.grids, n_levels))
    if views == "objects":
        grids = np.roll(grids, (2, 3), axis=(1, 2))          # off the 5-cell lattice
        with pytest.raises(ValueError, match="views='objects'"):
            ct.fit_contrastive(ct.build_contrastive(n_levels=n_levels, width=8, dim=4),
                               grids, epochs=1, batch_size=128)
    model = ct.build_contrastive(n_levels=n_levels, width=8, dim=4, seed=0,
                                 stem="presence" if views == "objects" else "patch")
    hist = ct.fit_contrastive(model, grids, epochs=2, batch_size=128, views=views,
                              level_pairs=views == "objects", seed=0)
    assert hist.epochs == 2 and np.isfinite(hist.loss).all()
    z = ct.embed(model, gr.one_hot(grids[:20], n_levels, dtype="uint8"))
    assert z.shape == (20, 4) and np.isfinite(z).all()


def test_contrastive_budget_stops_training():
    d = ar.make_arrangements(256, seed=1)
    model = ct.build_contrastive(width=8, dim=4, seed=0)
    hist = ct.fit_contrastive(model, d.grids, epochs=50, batch_size=128,
                              budget_seconds=1e-3, seed=0)
    assert hist.epochs == 1 and hist.stopped_by == "budget"


def test_directional_features_are_translation_invariant_and_see_relations():
    d = ar.make_arrangements(40, seed=2)
    f = dr.directional_features(d.grids)
    assert f.shape == (40, 160) and f.dtype == np.float32
    shifted = ar.augment(d.grids, redraw=True, drop=0, add=0, seed=1)
    np.testing.assert_allclose(dr.directional_features(shifted), f, atol=1e-6)
    # a single 1 directly above a single 4: "some 1 has a 4 below it" is log(2)
    g = np.zeros((1, 50, 50), dtype=np.uint8)
    g[0, 2, 2], g[0, 12, 2] = 1, 4
    pairs = dr.directional_features(g).reshape(4, 10, 4)  # (level here, direction, level)
    assert pairs[0, 1, 3] == pytest.approx(np.log(2))     # direction 1 = below
    assert pairs[0, 0, 3] == 0 and pairs[3, 0, 0] == pytest.approx(np.log(2))


X4 = np.zeros((2, 50, 50, 4), dtype="uint8")
BAD_CALLS = [
    (va.build_autoencoder, ((50, 45),), {}, ValueError, "grid_shape"),
    (va.build_autoencoder, ("50x50",), {}, TypeError, "grid_shape"),
    (va.build_autoencoder, (), {"latent_dim": 0}, ValueError, "latent_dim"),
    (va.build_autoencoder, (), {"reduction": "max"}, ValueError, "reduction"),
    (va.build_autoencoder, (), {"variational": "yes"}, TypeError, "variational"),
    (va.build_autoencoder, (), {"seed": 1.5}, TypeError, "seed"),
    (ct.build_contrastive, (), {"width": 7}, ValueError, "width"),
    (ct.build_contrastive, (), {"temperature": 0}, ValueError, "temperature"),
    (va.fit_autoencoder, ("model", X4, X4), {}, TypeError, "model"),
    (va.encode, (object(), X4), {}, TypeError, "model"),
    (ct.embed, (None, X4), {}, TypeError, "model"),
    (ct.fit_contrastive, ("model", np.zeros((2, 50, 50), int)), {}, TypeError, "model"),
    (dr.directional_features, (np.zeros((50, 50), int),), {}, ValueError, "grids"),
    (dr.directional_features, (np.zeros((2, 48, 48), int),), {}, ValueError, "block"),
    (dr.directional_features, (np.full((2, 50, 50), 9),), {}, ValueError, "grids"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "exc", "named"), BAD_CALLS,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_bad_input_gets_a_clear_error(func, args, kwargs, exc, named):
    with pytest.raises(exc, match=whole_word(named)):
        func(*args, **kwargs)


@pytest.fixture(scope="module")
def small_vae():
    return va.build_autoencoder(latent_dim=3, seed=0)


@pytest.mark.parametrize(("call", "named"), [
    (lambda m: va.encode(m, np.zeros((2, 50, 50, 3))), "channels"),
    (lambda m: va.encode(m, np.full((2, 50, 50, 4), 2)), "one-hot"),
    (lambda m: va.decode(m, np.zeros((2, 5))), "latent_dim"),
    (lambda m: va.fit_autoencoder(m, np.zeros((2, 40, 40, 4)), X4), "shape"),
    (lambda m: va.fit_autoencoder(m, X4, X4, epochs=0), "epochs"),
    (lambda m: va.kl_per_dimension(m, np.zeros((2, 50, 50))), "x"),
])
def test_model_calls_check_their_arguments(small_vae, call, named):
    with pytest.raises((ValueError, TypeError), match=whole_word(named)):
        call(small_vae)


def test_contrastive_needs_a_full_batch():
    model = ct.build_contrastive(width=4, dim=2, seed=0)
    with pytest.raises(ValueError, match=whole_word("batch_size")):
        ct.fit_contrastive(model, np.zeros((10, 50, 50), int), batch_size=64)
    with pytest.raises(TypeError, match=whole_word("redraw")):
        ct.fit_contrastive(model, np.zeros((10, 50, 50), int), batch_size=4, redraw=1)
