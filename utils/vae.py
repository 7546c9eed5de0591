"""The (variational) autoencoder of level grids (chapter 5a), and a plain autoencoder of the same
shape.

Importing this module imports TensorFlow (quietly, see :func:`utils.quiet.quiet_tensorflow`).

**The (variational) autoencoder.**  The input is a one-hot grid (H, W, L) for levels 1..L (the
background has no channel).  The encoder is the patchify stem of chapter 4 (a ``block x block``
convolution with stride ``block``), a strided 3 x 3 convolution and a dense layer to a latent
mean and log-variance; the decoder mirrors it and returns, for every cell, logits over the L + 1
levels (background included).  :class:`GridAutoencoder` is written the backend-agnostic Keras 3
way: ``call`` returns ``(mean, log_var)`` and ``compute_loss`` samples ``z`` with a
``keras.random.SeedGenerator``, decodes it and adds

- the reconstruction term: categorical cross-entropy of every cell's level, **summed** over the
  cells (the log-likelihood of the whole grid), averaged over the batch;
- the KL divergence of the posterior ``N(mean, exp(log_var))`` from ``N(0, I)``, summed over
  latent dimensions, multiplied by ``beta`` (raised from 0 to 1 during a warm-up).

With ``variational=False`` the same model is a plain autoencoder: ``z = mean``, no KL.

Example
-------
>>> import numpy as np
>>> vae = build_autoencoder((50, 50), latent_dim=2, seed=0)
>>> x = np.zeros((3, 50, 50, 4), dtype="uint8")
>>> encode(vae, x).shape
(3, 2)
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    check_bool,
    check_float,
    check_instance,
    check_int,
    check_onehot,
    check_real_array,
    check_seed,
)
from .quiet import quiet_tensorflow
from .training import History, check_budget, fit_keras, fresh_session, in_chunks

keras = quiet_tensorflow()
from keras import layers, ops  # noqa: E402  (after TensorFlow was imported quietly)

__all__ = ["GridAutoencoder", "build_autoencoder", "fit_autoencoder",
           "encode", "decode", "decode_probabilities", "reconstruct", "kl_per_dimension"]


@keras.saving.register_keras_serializable(package="utils")
class GridAutoencoder(keras.Model):
    """Convolutional (variational) autoencoder of one-hot level grids.

    ``call(x)`` returns the latent ``(mean, log_var)``; :meth:`decoder` maps latent vectors to
    per-cell logits over ``n_levels + 1`` levels.  See the module docstring for the loss.

    Parameters
    ----------
    grid_shape : (H, W)
        Both multiples of ``2 * block``.
    n_levels : int
        Levels 1..n_levels (one input channel each).
    latent_dim, width, block : int
        Latent dimensions, convolution width, patchify block.
    variational : bool
        VAE (True) or plain autoencoder (False).
    reduction : "sum" or "mean"
        How the per-cell cross-entropies are combined: ``"sum"`` is the grid's log-likelihood;
        ``"mean"`` divides it by the number of cells, which makes the KL term weigh H x W times
        more (shown in chapter 5 to cause posterior collapse).
    seed : int
        Seeds the weights and the sampling of ``z``.
    """

    def __init__(self, grid_shape=(50, 50), n_levels=4, latent_dim=8, width=32, block=5,
                 variational=True, reduction="sum", seed=0, **kwargs):
        super().__init__(**kwargs)
        self.grid_shape = tuple(int(v) for v in grid_shape)
        self.n_levels, self.latent_dim = int(n_levels), int(latent_dim)
        self.width, self.block, self.seed = int(width), int(block), int(seed)
        self.variational, self.reduction = bool(variational), reduction
        h, w = self.grid_shape
        small = (h // block // 2, w // block // 2)
        init = keras.initializers.GlorotUniform
        self.encoder_layers = [
            layers.Conv2D(width, block, strides=block, activation="relu",
                          kernel_initializer=init(seed)),
            layers.Conv2D(2 * width, 3, strides=2, padding="same", activation="relu",
                          kernel_initializer=init(seed + 1)),
            layers.Flatten(),
            layers.Dense(4 * width, activation="relu", kernel_initializer=init(seed + 2)),
        ]
        self.to_mean = layers.Dense(latent_dim, kernel_initializer=init(seed + 3))
        # a plain autoencoder has no variance (and no unused weights without gradients)
        self.to_log_var = layers.Dense(latent_dim, kernel_initializer="zeros",
                                       bias_initializer=keras.initializers.Constant(-2.0)
                                       ) if variational else None
        self.decoder = keras.Sequential([
            keras.Input((latent_dim,)),
            layers.Dense(small[0] * small[1] * 2 * width, activation="relu",
                         kernel_initializer=init(seed + 4)),
            layers.Reshape((small[0], small[1], 2 * width)),
            layers.Conv2DTranspose(width, 3, strides=2, padding="same", activation="relu",
                                   kernel_initializer=init(seed + 5)),
            layers.Conv2DTranspose(n_levels + 1, block, strides=block,
                                   kernel_initializer=init(seed + 6)),
        ], name="decoder")
        self.sampler = keras.random.SeedGenerator(seed)
        self.beta = keras.Variable(1.0, trainable=False, name="beta")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        h = ops.cast(x, "float32")
        for layer in self.encoder_layers:
            h = layer(h)
        mean = self.to_mean(h)
        if self.to_log_var is None:
            return mean, ops.zeros_like(mean)
        return mean, self.to_log_var(h)

    def losses_of(self, x, mean, log_var, training=False):
        """Per-grid reconstruction (summed or mean over cells) and KL (summed over latents)."""
        if self.variational:
            eps = keras.random.normal(ops.shape(mean), seed=self.sampler)
            z = mean + ops.exp(0.5 * log_var) * eps
        else:
            z = mean
        logits = self.decoder(z, training=training)
        x = ops.cast(x, "float32")
        target = ops.cast(ops.sum(x * ops.arange(1, self.n_levels + 1, dtype="float32"),
                                  axis=-1), "int32")
        cells = keras.losses.sparse_categorical_crossentropy(target, logits, from_logits=True)
        rec = ops.sum(cells, axis=(1, 2)) if self.reduction == "sum" else ops.mean(
            cells, axis=(1, 2))
        kl = -0.5 * ops.sum(1 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        return rec, kl

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        mean, log_var = y_pred
        rec, kl = self.losses_of(x, mean, log_var, training=training)
        rec, kl = ops.mean(rec), ops.mean(kl)
        self.reconstruction_tracker.update_state(rec)
        self.kl_tracker.update_state(kl)
        return rec + self.beta * kl if self.variational else rec

    def get_config(self):
        return {**super().get_config(), "grid_shape": self.grid_shape,
                "n_levels": self.n_levels, "latent_dim": self.latent_dim, "width": self.width,
                "block": self.block, "variational": self.variational,
                "reduction": self.reduction, "seed": self.seed}


def build_autoencoder(grid_shape: tuple[int, int] = (50, 50), *, n_levels: int = 4,
                      latent_dim: int = 8, width: int = 32, block: int = 5,
                      variational: bool = True, reduction: str = "sum",
                      learning_rate: float = 2e-3, seed: int = 0) -> GridAutoencoder:
    """Build and compile a :class:`GridAutoencoder` (Adam, its own loss).

    Parameters
    ----------
    grid_shape : (H, W)
        Grid size; both sides multiples of ``2 * block``.
    n_levels, latent_dim, width, block : int
        See :class:`GridAutoencoder`.
    variational : bool
        A VAE (True) or a plain autoencoder (False).
    reduction : "sum" or "mean"
        Reconstruction over cells (see :class:`GridAutoencoder`).
    learning_rate : float
        Adam's step size.
    seed : int
        Seeds weights and sampling.

    Returns
    -------
    GridAutoencoder
        Compiled; its ``call`` returns ``(mean, log_var)``.
    """
    variational = check_bool("variational", variational)
    if not isinstance(grid_shape, (tuple, list)) or len(grid_shape) != 2:
        raise TypeError(f"grid_shape must be a pair (H, W), got {grid_shape!r}")
    block = check_int("block", block, minimum=1, maximum=25)
    for i, side in enumerate(grid_shape):
        side = check_int(f"grid_shape[{i}]", side, minimum=2 * block, maximum=1000)
        if side % (2 * block):
            raise ValueError(f"grid_shape[{i}] ({side}) must be a multiple of 2 * block = "
                             f"{2 * block}")
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    latent_dim = check_int("latent_dim", latent_dim, minimum=1, maximum=256)
    width = check_int("width", width, minimum=2, maximum=256)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0,
                                min_inclusive=False, maximum=1.0)
    seed = check_seed("seed", seed)
    fresh_session(seed)   # no graph or memory of earlier networks
    model = GridAutoencoder(tuple(grid_shape), n_levels, latent_dim, width, block,
                            bool(variational), reduction, seed,
                            name="vae" if variational else "autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate))
    model(np.zeros((1, *grid_shape, n_levels), dtype="float32"))   # build the weights
    return model


def fit_autoencoder(model: GridAutoencoder, x: object, x_val: object, *, epochs: int = 10,
                    warmup_epochs: int = 3, budget_seconds: float = 600.0,
                    patience: int | None = None, batch_size: int = 64,
                    seed: int = 0) -> History:
    """Train a :class:`GridAutoencoder` quietly.

    The KL weight ``beta`` rises linearly from ``1 / (warmup_epochs + 1)`` in the first epoch
    to 1 after ``warmup_epochs`` epochs (KL warm-up: the decoder learns to use ``z`` before the
    KL term pulls the posteriors towards the prior).

    Parameters
    ----------
    model : GridAutoencoder
        From :func:`build_autoencoder`.
    x, x_val : (N, H, W, L) one-hot arrays
        Training and validation grids (uint8 is fine).
    epochs : int
        The most epochs to run (1..1000); all of them unless the budget or the patience stops
        training first, which keeps results identical across machines.
    warmup_epochs : int
        Epochs over which ``beta`` reaches 1 (0: no warm-up).
    budget_seconds : float
        Wall-clock cap, checked after every epoch.
    patience : int or None
        Epochs without a better validation loss before stopping (None: never; the loss
        changes with ``beta`` during the warm-up, so stop early only after it).
    batch_size : int
        Grids per step.
    seed : int
        Seeds the shuffling.

    Returns
    -------
    History
        ``parts`` holds the mean per-grid ``reconstruction`` and ``kl`` terms on the training
        grids, ``val_reconstruction`` and ``val_kl`` on the validation grids, and the KL weight
        ``beta`` of every epoch.
    """
    check_instance("model", model, GridAutoencoder, "build_autoencoder")
    shape = (*model.grid_shape, model.n_levels)
    X = check_onehot("x", x, model.n_levels)
    Xv = check_onehot("x_val", x_val, model.n_levels)
    for name, arr in (("x", X), ("x_val", Xv)):
        if arr.shape[1:] != shape:
            raise ValueError(f"{name} has grids of shape {arr.shape[1:]}, the model takes "
                             f"{shape}")
    epochs, budget, patience = check_budget(epochs, budget_seconds, patience, most=1000)
    warmup_epochs = check_int("warmup_epochs", warmup_epochs, minimum=0, maximum=1000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=65_536)
    keras.utils.set_random_seed(check_seed("seed", seed))

    betas: list[float] = []

    class WarmUp(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            b = 1.0 if warmup_epochs == 0 else min(1.0, (epoch + 1) / (warmup_epochs + 1))
            model.beta.assign(b)
            betas.append(b)

    history = fit_keras(model, X, None, (Xv,), epochs=epochs, batch_size=batch_size,
                        budget_seconds=budget, patience=patience, callbacks=[WarmUp()])
    model.beta.assign(1.0)
    history.parts["beta"] = betas[:history.epochs]
    return history


def encode(model: GridAutoencoder, x: object) -> np.ndarray:
    """The latent mean of every grid, (N, latent_dim): the point used for clustering.

    Parameters
    ----------
    model : GridAutoencoder
        From :func:`build_autoencoder`, trained.
    x : (N, H, W, n_levels) one-hot array
        Grids the model takes (uint8 is fine).

    Returns
    -------
    (N, latent_dim) float32 array
        The latent means.
    """
    check_instance("model", model, GridAutoencoder, "build_autoencoder")
    X = check_onehot("x", x, model.n_levels)
    return np.concatenate([ops.convert_to_numpy(model(b)[0]) for b in in_chunks(X)])


def decode_probabilities(model: GridAutoencoder, z: object) -> np.ndarray:
    """The decoder's probability of every level (background first) in every cell for latent
    vectors ``z`` (N, latent_dim): (N, H, W, n_levels + 1), summing to 1 over the last axis.

    Where the decoder is unsure on which cells of its block an object lies, the most likely
    level of every cell is the background (what :func:`decode` shows); these probabilities
    still show the object.

    Parameters
    ----------
    model : GridAutoencoder
        From :func:`build_autoencoder`, trained.
    z : (N, latent_dim) array
        Latent vectors.

    Returns
    -------
    (N, H, W, n_levels + 1) float array
    """
    check_instance("model", model, GridAutoencoder, "build_autoencoder")
    Z = check_real_array("z", z, ndim=2)
    if Z.shape[1] != model.latent_dim:
        raise ValueError(f"z must have {model.latent_dim} columns (latent_dim), got shape "
                         f"{Z.shape}")
    logits = ops.convert_to_numpy(model.decoder(Z.astype("float32"))).astype(np.float64)
    logits -= logits.max(axis=-1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=-1, keepdims=True)


def decode(model: GridAutoencoder, z: object) -> np.ndarray:
    """The most likely level of every cell for latent vectors ``z`` (N, latent_dim): (N, H, W).

    Parameters
    ----------
    model, z
        As for :func:`decode_probabilities`.

    Returns
    -------
    (N, H, W) int array of levels 0..n_levels
    """
    return decode_probabilities(model, z).argmax(axis=-1).astype(np.uint8)


def reconstruct(model: GridAutoencoder, x: object, *, probabilities: bool = False
                ) -> np.ndarray:
    """Decode the latent mean of every grid: (N, H, W) most likely levels, or with
    ``probabilities=True`` the level probabilities (N, H, W, n_levels + 1).

    Parameters
    ----------
    model : GridAutoencoder
        From :func:`build_autoencoder`, trained.
    x : (N, H, W, n_levels) one-hot array
        Grids to reconstruct.
    probabilities : bool
        Return the probabilities instead of the most likely levels.

    Returns
    -------
    (N, H, W) int array or (N, H, W, n_levels + 1) float array
    """
    probabilities = check_bool("probabilities", probabilities)
    z = encode(model, x)
    return decode_probabilities(model, z) if probabilities else decode(model, z)


def kl_per_dimension(model: GridAutoencoder, x: object) -> np.ndarray:
    """Average KL divergence of every latent dimension over the grids ``x``, in nats.

    A dimension whose KL is close to 0 carries no information about the input: its posterior
    equals the prior for every grid (posterior collapse, if all are).

    Parameters
    ----------
    model : GridAutoencoder
        From :func:`build_autoencoder`, trained.
    x : (N, H, W, n_levels) one-hot array
        Grids to average over.

    Returns
    -------
    (latent_dim,) float array, in nats
    """
    check_instance("model", model, GridAutoencoder, "build_autoencoder")
    X = check_onehot("x", x, model.n_levels)
    total = np.zeros(model.latent_dim)
    for b in in_chunks(X):
        mean, log_var = (ops.convert_to_numpy(t).astype(np.float64) for t in model(b))
        total += (-0.5 * (1 + log_var - mean ** 2 - np.exp(log_var))).sum(axis=0)
    return total / len(X)


# ---------------------------------------------------------------- contrastive encoder
