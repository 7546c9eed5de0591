"""Latent spaces of level grids without labels (chapter 5): a convolutional VAE, a plain
autoencoder of the same shape, and a translation-invariant contrastive encoder.

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

**The contrastive encoder.**  :class:`ContrastiveLearner` trains an encoder (a patchify or
presence stem, the parameter-free :class:`~utils.layers.DirectionalContext`, 1 x 1
convolutions, global max pooling, with the features of empty blocks set to zero so that a
whole-block shift leaves the representation unchanged) so that two label-free variations of the
same grid land close together and other grids far away (the NT-Xent loss of SimCLR, Chen et
al., 2020).  :func:`fit_contrastive` makes the views either on the lattice
(:func:`utils.arrangements.augment`: a shift by whole blocks, blobs redrawn in their blocks, a
dropped and an added object) or from the objects, for grids whose objects sit anywhere
(:func:`utils.objects.augment_objects`: a shift by any number of cells, every object redrawn
around its centre and moved by up to ``move`` cells, a dropped and an added object).

Example
-------
>>> import numpy as np
>>> vae = build_autoencoder((50, 50), latent_dim=2, seed=0)
>>> x = np.zeros((3, 50, 50, 4), dtype="uint8")
>>> encode(vae, x).shape
(3, 2)
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_real_array,
    check_seed,
)
from .arrangements import augment, check_lattice_grids
from .objects import augment_objects
from .quiet import quiet_tensorflow
from .timing import release_freed_memory
from .training import fresh_session

keras = quiet_tensorflow()
from keras import layers, ops  # noqa: E402  (after TensorFlow was imported quietly)

from .layers import DirectionalContext  # noqa: E402

__all__ = ["GridAutoencoder", "build_autoencoder", "AutoencoderHistory", "fit_autoencoder",
           "encode", "decode", "decode_probabilities", "reconstruct", "kl_per_dimension",
           "ContrastiveLearner",
           "build_contrastive", "ContrastiveHistory", "fit_contrastive", "embed",
           "directional_features"]


def _check_onehot(name: str, x: object, n_levels: int | None = None) -> np.ndarray:
    arr = check_real_array(name, x, ndim=4)
    if n_levels is not None and arr.shape[-1] != n_levels:
        raise ValueError(f"{name} must have {n_levels} channels (one per level), got shape "
                         f"{arr.shape}")
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"{name} must be one-hot (values 0 and 1), got range "
                         f"{arr.min()}..{arr.max()}")
    return arr


def _check_model(name: str, model: object, kind: type) -> None:
    if not isinstance(model, kind):
        raise TypeError(f"{name} must be a {kind.__name__} (from build_"
                        f"{'autoencoder' if kind is GridAutoencoder else 'contrastive'}), "
                        f"got {type(model).__name__}")


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


@dataclass
class AutoencoderHistory:
    """What :func:`fit_autoencoder` did, epoch by epoch.

    Attributes
    ----------
    epochs : int
        Epochs run.
    seconds : float
        Wall time of the training.
    beta : list of float
        KL weight of every epoch (the warm-up).
    reconstruction, kl, val_reconstruction, val_kl : list of float
        Mean per-grid reconstruction and KL terms on the training and validation grids.
    """

    epochs: int
    seconds: float
    beta: list[float]
    reconstruction: list[float]
    kl: list[float]
    val_reconstruction: list[float]
    val_kl: list[float]


def fit_autoencoder(model: GridAutoencoder, x: object, x_val: object, *, epochs: int = 10,
                    warmup_epochs: int = 3, batch_size: int = 64,
                    seed: int = 0) -> AutoencoderHistory:
    """Train a :class:`GridAutoencoder` quietly for a fixed number of epochs.

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
        Epochs (1..1000); a fixed number keeps results identical across machines.
    warmup_epochs : int
        Epochs over which ``beta`` reaches 1 (0: no warm-up).
    batch_size : int
        Grids per step.
    seed : int
        Seeds the shuffling.

    Returns
    -------
    AutoencoderHistory
    """
    _check_model("model", model, GridAutoencoder)
    shape = (*model.grid_shape, model.n_levels)
    X = _check_onehot("x", x, model.n_levels)
    Xv = _check_onehot("x_val", x_val, model.n_levels)
    for name, arr in (("x", X), ("x_val", Xv)):
        if arr.shape[1:] != shape:
            raise ValueError(f"{name} has grids of shape {arr.shape[1:]}, the model takes "
                             f"{shape}")
    epochs = check_int("epochs", epochs, minimum=1, maximum=1000)
    warmup_epochs = check_int("warmup_epochs", warmup_epochs, minimum=0, maximum=1000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=65_536)
    keras.utils.set_random_seed(check_seed("seed", seed))

    betas: list[float] = []

    class WarmUp(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            b = 1.0 if warmup_epochs == 0 else min(1.0, (epoch + 1) / (warmup_epochs + 1))
            model.beta.assign(b)
            betas.append(b)

    start = time.perf_counter()
    hist = model.fit(X, epochs=epochs, batch_size=batch_size, validation_data=(Xv,),
                     callbacks=[WarmUp()], verbose=0, shuffle=True).history
    model.beta.assign(1.0)
    seconds = time.perf_counter() - start
    release_freed_memory()
    return AutoencoderHistory(
        epochs=len(hist["reconstruction"]), seconds=seconds, beta=betas,
        reconstruction=hist["reconstruction"], kl=hist["kl"],
        val_reconstruction=hist["val_reconstruction"], val_kl=hist["val_kl"])


def _batches(X: np.ndarray, size: int = 512):
    for i in range(0, len(X), size):
        yield X[i:i + size]


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
    _check_model("model", model, GridAutoencoder)
    X = _check_onehot("x", x, model.n_levels)
    return np.concatenate([ops.convert_to_numpy(model(b)[0]) for b in _batches(X)])


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
    _check_model("model", model, GridAutoencoder)
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
    _check_model("model", model, GridAutoencoder)
    X = _check_onehot("x", x, model.n_levels)
    total = np.zeros(model.latent_dim)
    for b in _batches(X):
        mean, log_var = (ops.convert_to_numpy(t).astype(np.float64) for t in model(b))
        total += (-0.5 * (1 + log_var - mean ** 2 - np.exp(log_var))).sum(axis=0)
    return total / len(X)


# ---------------------------------------------------------------- contrastive encoder


@keras.saving.register_keras_serializable(package="utils")
class ContrastiveLearner(keras.Model):
    """An encoder and a projection head trained with the NT-Xent loss on pairs of views.

    ``call({"a": view_a, "b": view_b})`` returns the projections of both views;
    ``compute_loss`` is the normalised-temperature cross-entropy of SimCLR: each view must
    pick its partner out of the ``2 B - 1`` other views of the batch.  Use :attr:`encoder`
    (through :func:`embed`) for clustering; the projection head is discarded.
    """

    def __init__(self, n_levels=4, width=32, dim=32, block=5, temperature=0.2, seed=0,
                 stem="patch", **kwargs):
        super().__init__(**kwargs)
        self.n_levels, self.width, self.dim = int(n_levels), int(width), int(dim)
        self.block, self.temperature, self.seed = int(block), float(temperature), int(seed)
        self.stem = str(stem)
        init = keras.initializers.GlorotUniform
        inputs = keras.Input((None, None, n_levels))
        inputs_f = layers.Identity(dtype="float32")(inputs)
        h = inputs_f
        if self.stem == "presence":
            # which levels occur in each block: blob shapes and places inside a block vanish
            h = layers.MaxPooling2D(block)(h)
            h = layers.Conv2D(width, 1, activation="relu", kernel_initializer=init(seed),
                              name="patchify")(h)
        else:
            h = layers.Conv2D(width, block, strides=block, activation="relu",
                              kernel_initializer=init(seed), name="patchify")(h)
        # which blocks hold an object: features of empty blocks are zeroed, so that neither
        # the directional sums nor the pooling can count empty blocks (which would tell
        # where the arrangement sits); a whole-block shift then changes nothing
        occupied = layers.MaxPooling2D(block)(layers.Lambda(
            lambda t: ops.max(t, axis=-1, keepdims=True))(inputs_f))
        h = layers.Conv2D(width // 2, 1, activation="relu", kernel_initializer=init(seed + 1))(h)
        h = layers.Multiply()([h, occupied])
        h = DirectionalContext()(h)
        h = layers.Conv2D(2 * width, 1, activation="relu", kernel_initializer=init(seed + 2))(h)
        h = layers.Conv2D(2 * width, 1, activation="relu", kernel_initializer=init(seed + 3))(h)
        h = layers.GlobalMaxPooling2D()(layers.Multiply()([h, occupied]))
        out = layers.Dense(dim, kernel_initializer=init(seed + 4))(h)
        self.encoder = keras.Model(inputs, out, name="encoder")
        self.projector = keras.Sequential([
            keras.Input((dim,)),
            layers.Dense(2 * width, activation="relu", kernel_initializer=init(seed + 5)),
            layers.Dense(dim, kernel_initializer=init(seed + 6)),
        ], name="projector")

    def call(self, views, training=False):
        return (self.projector(self.encoder(views["a"], training=training)),
                self.projector(self.encoder(views["b"], training=training)))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        za, zb = y_pred
        z = ops.concatenate([za, zb], axis=0)
        z = z / ops.maximum(ops.norm(z, axis=1, keepdims=True), 1e-12)
        n = ops.shape(za)[0]
        sim = ops.matmul(z, ops.transpose(z)) / self.temperature
        sim = sim - 1e9 * ops.eye(2 * n)                        # a view is not its own partner
        partner = ops.concatenate([ops.arange(n) + n, ops.arange(n)])
        loss = keras.losses.sparse_categorical_crossentropy(partner, sim, from_logits=True)
        return ops.mean(loss)

    def get_config(self):
        return {**super().get_config(), "n_levels": self.n_levels, "width": self.width,
                "dim": self.dim, "block": self.block, "temperature": self.temperature,
                "seed": self.seed, "stem": self.stem}


def build_contrastive(*, n_levels: int = 4, width: int = 32, dim: int = 32, block: int = 5,
                      temperature: float = 0.2, learning_rate: float = 2e-3,
                      stem: str = "patch", seed: int = 0) -> ContrastiveLearner:
    """Build and compile a :class:`ContrastiveLearner` for grids of any size.

    Parameters
    ----------
    n_levels : int
        Levels 1..n_levels (one input channel each).
    width : int
        Convolution width (even).
    dim : int
        Size of the representation returned by :func:`embed`.
    block : int
        Patchify block (the object lattice of the grids).
    temperature : float
        NT-Xent temperature in (0, 10]: lower sharpens the contrast between the partner and
        the other views.
    learning_rate : float
        Adam's step size.
    stem : {"patch", "presence"}
        How a block becomes features: ``"patch"`` learns a ``block`` x ``block`` convolution
        of the cells (exact for objects on the lattice); ``"presence"`` keeps only which
        levels occur in the block (max pooling) before a 1 x 1 convolution, so that neither
        a blob's shape nor its place inside the block can be learned (for objects anywhere).
    seed : int
        Seeds the weights.

    Returns
    -------
    ContrastiveLearner
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    width = check_int("width", width, minimum=2, maximum=256)
    if width % 2:
        raise ValueError(f"width must be even, got {width}")
    dim = check_int("dim", dim, minimum=2, maximum=512)
    block = check_int("block", block, minimum=1, maximum=64)
    temperature = check_float("temperature", temperature, minimum=0.0, min_inclusive=False,
                              maximum=10.0)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0,
                                min_inclusive=False, maximum=1.0)
    seed = check_seed("seed", seed)
    fresh_session(seed)   # no graph or memory of earlier networks
    stem = check_choice("stem", stem, ("patch", "presence"))
    model = ContrastiveLearner(n_levels, width, dim, block, temperature, seed, stem,
                               name="contrastive")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate))
    return model


@dataclass
class ContrastiveHistory:
    """What :func:`fit_contrastive` did.

    Attributes
    ----------
    epochs : int
        Epochs run (each on freshly augmented views).
    seconds : float
        Wall time, augmentation included.
    loss : list of float
        NT-Xent loss of every epoch.
    stopped_by : str
        ``"epochs"`` or ``"budget"`` (the time budget ran out first).
    """

    epochs: int
    seconds: float
    loss: list[float]
    stopped_by: str


def fit_contrastive(model: ContrastiveLearner, grids: object, *, epochs: int = 20,
                    budget_seconds: float = 60.0, batch_size: int = 256, redraw: bool = True,
                    drop: float = 0.5, add: float = 0.5, views: str = "lattice",
                    move: int = 1, level_pairs: bool = False,
                    seed: int = 0) -> ContrastiveHistory:
    """Train without labels: every epoch makes two fresh views of every grid (on the lattice,
    or from the objects: see ``views``) and fits one pass of NT-Xent.

    Parameters
    ----------
    model : ContrastiveLearner
        From :func:`build_contrastive`.
    grids : (N, H, W) integer array
        Level grids 0..n_levels (not one-hot: the views are made from them).
    epochs : int
        Largest number of epochs (1..1000).
    budget_seconds : float
        Stop after the first epoch that ends past this wall time.
    batch_size : int
        Grids per step (2..4096); every step contrasts ``2 * batch_size`` views.
    redraw : bool
        Draw every object as a new blob in each view (see :func:`utils.arrangements.augment`;
        without it the encoder can match views by their blob shapes).
    drop, add : float
        Probabilities of the object-level augmentations.
    views : {"lattice", "objects"}
        How the views are made: ``"lattice"`` moves whole lattice blocks of ``model.block``
        cells and redraws a blob inside every block (:func:`utils.arrangements.augment`, for
        grids with one object per block); ``"objects"`` finds the objects as connected
        components of one level, moves by any number of cells and redraws every object around
        its centre (:func:`utils.objects.augment_objects`, for grids with objects anywhere).
    move : int
        With ``views="objects"``: every redrawn object's centre also moves by up to ``move``
        cells on its own (0..10), so that an object near a block border may fall on either
        side of it, as it does in grids drawn anywhere.
    level_pairs : bool
        Every epoch, each grid keeps only two of its levels, drawn at random (the same two in
        both views): the encoder learns to describe the relation between any two levels on
        its own, so that a grid can be embedded through one pair of levels
        (:func:`utils.objects.keep_levels`).
    seed : int
        Seeds the views and the shuffling.

    Returns
    -------
    ContrastiveHistory
    """
    redraw = check_bool("redraw", redraw)
    from .relations import check_grid, one_hot

    _check_model("model", model, ContrastiveLearner)
    G = check_grid(grids, model.n_levels, name="grids")
    if G.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {G.shape}")
    epochs = check_int("epochs", epochs, minimum=1, maximum=1000)
    budget = check_float("budget_seconds", budget_seconds, minimum=0.0, min_inclusive=False)
    batch_size = check_int("batch_size", batch_size, minimum=2, maximum=4096)
    if len(G) < batch_size:
        raise ValueError(f"grids must hold at least batch_size={batch_size} grids, got "
                         f"{len(G)}")
    drop = check_float("drop", drop, minimum=0.0, maximum=1.0)
    add = check_float("add", add, minimum=0.0, maximum=1.0)
    views = check_choice("views", views, ("lattice", "objects"))
    move = check_int("move", move, minimum=0, maximum=10)
    level_pairs = check_bool("level_pairs", level_pairs)
    if level_pairs and model.n_levels < 2:
        raise ValueError(f"level_pairs needs at least 2 levels, the model has "
                         f"n_levels={model.n_levels}")
    seed = check_seed("seed", seed)
    if views == "lattice":
        check_lattice_grids(G, model.block, model.n_levels)

        def make_view(grids, view_seed):
            return augment(grids, block=model.block, n_levels=model.n_levels, redraw=redraw,
                           drop=drop, add=add, seed=view_seed)
    else:
        def make_view(grids, view_seed):
            return augment_objects(grids, n_levels=model.n_levels, redraw=redraw, drop=drop,
                                   add=add, move=move, seed=view_seed)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    # Every epoch's random draws are made up front, in the order one epoch after another would
    # make them, so that the views of epoch e + 1 can be made in a second thread while epoch e
    # trains (NumPy and TensorFlow release the GIL for most of their work): the same views and
    # losses, about a sixth less time (4 epochs of 3,000 grids: 17.6 -> 14.7 s), for one more
    # epoch's views in memory (two one-hot copies of the grids, 60 MB for 3,000 grids).
    draws = []
    for _ in range(epochs):
        order = rng.permutation(len(G))
        pick = (np.argsort(rng.random((len(G), model.n_levels)), axis=1)[:, :2] + 1
                if level_pairs else None)
        draws.append((order, pick, int(rng.integers(2 ** 31)), int(rng.integers(2 ** 31))))

    def epoch_views(epoch):
        order, pick, seed_a, seed_b = draws[epoch]
        grids = G[order]
        if level_pairs:      # two random levels per grid, the rest becomes background
            grids = np.where((grids == pick[:, :1, None]) | (grids == pick[:, 1:, None]),
                             grids, 0)
        return tuple(one_hot(make_view(grids, s), model.n_levels, dtype="uint8")
                     for s in (seed_a, seed_b))

    start, losses, how = time.perf_counter(), [], "epochs"
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(epoch_views, 0)
        for epoch in range(epochs):
            a, b = upcoming.result()
            upcoming = pool.submit(epoch_views, epoch + 1) if epoch + 1 < epochs else None
            steps = [float(model.train_on_batch({"a": a[i:i + batch_size],
                                                 "b": b[i:i + batch_size]}))
                     for i in range(0, len(G) - batch_size + 1, batch_size)]  # full batches
            losses.append(float(np.mean(steps)))
            del a, b
            if time.perf_counter() - start >= budget and epoch + 1 < epochs:
                how = "budget"
                if upcoming is not None:
                    upcoming.cancel()
                break
    seconds = time.perf_counter() - start
    release_freed_memory()
    return ContrastiveHistory(epochs=len(losses), seconds=seconds, loss=losses,
                              stopped_by=how)


def embed(model: ContrastiveLearner, x: object, *, normalise: bool = False) -> np.ndarray:
    """The encoder's representation of every one-hot grid, (N, dim).

    Parameters
    ----------
    model : ContrastiveLearner
        From :func:`build_contrastive`, trained.
    x : (N, H, W, n_levels) one-hot array
        Grids to embed.
    normalise : bool
        Scale every representation to length 1, so that distances compare directions, as
        the NT-Xent loss does (cluster them without standardising the columns).

    Returns
    -------
    (N, dim) float32 array
    """
    _check_model("model", model, ContrastiveLearner)
    normalise = check_bool("normalise", normalise)
    X = _check_onehot("x", x, model.n_levels)
    z = np.concatenate([ops.convert_to_numpy(model.encoder(b)) for b in _batches(X)])
    if normalise:
        z = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    return z


def directional_features(grids: object, *, n_levels: int = 4, block: int = 5) -> np.ndarray:
    """Untrained, translation-invariant relation features of level grids.

    The grid is reduced to a lattice of ``block`` x ``block`` blocks (which levels occur in
    each block: on the lattice grids of chapters 4 and 5 that is the object of the block;
    an object drawn anywhere may occupy up to four blocks, and a block may hold several
    levels), the
    :class:`~utils.layers.DirectionalContext` layer counts, for every block, the objects of
    every level above, below, left, right, in each quadrant and on its row and column, and
    for every pair of levels (k, j) and direction the **maximum over the blocks holding k** of
    log(1 + objects of level j in that direction) is kept: a soft version of the relation
    facts, with no parameters.

    Parameters
    ----------
    grids : (N, H, W) integer array
        Level grids 0..n_levels, sides multiples of ``block``.
    n_levels : int
        Levels, 1..16.
    block : int
        Side of a lattice block.

    Returns
    -------
    (N, n_levels * 10 * n_levels) float32 array
        Reshaped to (N, n_levels, 10, n_levels): [level here, direction, level there], with
        the directions above, below, left, right, the four quadrants, row and column.
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=16)
    G, block = check_lattice_grids(grids, block, n_levels)
    n, h, w = G.shape
    layer = DirectionalContext()
    out = []
    # about 16 MB of (blocks x level x direction x level) floats per batch, whatever the block
    per_grid = (h // block) * (w // block) * n_levels * 10 * n_levels * 4
    for b in _batches(G, max(1, (16 << 20) // per_grid)):
        hot = b[..., None] == np.arange(1, n_levels + 1, dtype=b.dtype)   # (B, H, W, L)
        occ = hot.reshape(len(b), h // block, block, w // block, block, n_levels)
        occ = occ.any(axis=(2, 4)).astype("float32")       # levels present in each block
        maps = ops.convert_to_numpy(layer(occ))[..., n_levels:]    # (B, r, c, 10 * L)
        paired = occ[..., :, None] * maps[..., None, :]             # (B, r, c, L, 10 L)
        out.append(paired.max(axis=(1, 2)).reshape(len(b), -1))
    return np.concatenate(out).astype(np.float32)
