"""The contrastive encoder of level grids (chapters 5b to 7): translation-invariant representations
learned without labels.

Importing this module imports TensorFlow (quietly, see :func:`utils.quiet.quiet_tensorflow`).

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
>>> encoder = build_contrastive(seed=0)
>>> embed(encoder, np.zeros((3, 50, 50, 4), dtype="uint8")).shape
(3, 32)
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._validation import (
    check_bool,
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_onehot,
    check_seed,
)
from .arrangements import augment, check_lattice_grids
from .objects import augment_objects
from .quiet import quiet_tensorflow
from .timing import release_freed_memory
from .training import History, check_budget, fresh_session, in_chunks

keras = quiet_tensorflow()
from keras import layers, ops  # noqa: E402  (after TensorFlow was imported quietly)

from .layers import DirectionalContext  # noqa: E402

__all__ = ["ContrastiveLearner", "build_contrastive", "fit_contrastive",
           "embed"]


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


def fit_contrastive(model: ContrastiveLearner, grids: object, *, epochs: int = 20,
                    budget_seconds: float = 60.0, batch_size: int = 256, redraw: bool = True,
                    drop: float = 0.5, add: float = 0.5, views: str = "lattice",
                    move: int = 1, level_pairs: bool = False,
                    seed: int = 0) -> History:
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
    History
        ``loss`` is the NT-Xent loss of every epoch; ``val_loss`` is empty (no validation
        data, hence no ``patience``); ``seconds`` include making the views.
    """
    redraw = check_bool("redraw", redraw)
    from .grids import check_grid, one_hot

    check_instance("model", model, ContrastiveLearner, "build_contrastive")
    G = check_grid(grids, model.n_levels, name="grids")
    if G.ndim != 3:
        raise ValueError(f"grids must be a batch (N, H, W), got shape {G.shape}")
    epochs, budget, _ = check_budget(epochs, budget_seconds, most=1000)
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
    return History(epochs=len(losses), seconds=seconds, loss=losses, val_loss=[],
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
    check_instance("model", model, ContrastiveLearner, "build_contrastive")
    normalise = check_bool("normalise", normalise)
    X = check_onehot("x", x, model.n_levels)
    z = np.concatenate([ops.convert_to_numpy(model.encoder(b)) for b in in_chunks(X)])
    if normalise:
        z = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    return z
