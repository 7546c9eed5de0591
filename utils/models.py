"""Keras 3 models for grids of discrete levels (chapter 4).

TensorFlow is imported only when a function of this module is called (through
:func:`utils.quiet.quiet_tensorflow`), so the chapters that do not train networks start fast.
The trainer lives in :mod:`utils.training` and saliency in :mod:`utils.saliency`; both are
re-exported here (``models.train``, ``models.input_gradients``, ...), as the chapters use them.

Every builder takes one-hot grids ``(H, W, n_levels)`` and starts with the same **patchify stem**:
a ``block x block`` convolution with stride ``block`` that turns each lattice block of
:mod:`utils.relations` into one feature vector.  Objects occupy whole blocks, so nothing is lost,
and every later layer works on a 10 x 10 map instead of 50 x 50.  What differs is how each model
relates distant blocks:

- ``cnn_pool``: two 3 x 3 convolutions, then global max pooling: knows *what* is present, forgets
  *where*;
- ``cnn_flatten``: convolutions, then a dense layer over the flattened map: positions are kept,
  but every position must be learned separately;
- ``coordconv``: row and column coordinate channels are added before the convolutions
  (Liu et al., 2018), so pooled features can carry positions;
- ``directional``: a parameter-free :class:`DirectionalContext` layer gives every block the sum
  of features above, below, left, right, in each quadrant and on its row and column, so
  1 x 1 convolutions can test "a 2 above and to the right of me";
- ``relational``: a Relation Network head (Santoro et al., 2017): every pair of blocks, with
  their coordinates, goes through a shared layer, and the results are summed.

Example
-------
>>> model = build_model("directional", (None, None, 4), n_outputs=1)
>>> model.output_shape
(None, 1)
"""

from __future__ import annotations

from types import SimpleNamespace

from ._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_seed,
)
from .quiet import quiet_tensorflow
from .saliency import input_gradients
from .training import History, count_parameters, fresh_session, multiply_adds, train

__all__ = ["MODEL_NAMES", "RELATION_OBJECTS", "BAND_LOSSES", "build_model",
           "build_band_classifier",
           # re-exported for the chapters: utils.quiet, utils.training, utils.saliency
           "quiet_tensorflow", "History", "train", "count_parameters", "multiply_adds",
           "input_gradients"]

MODEL_NAMES: tuple[str, ...] = ("cnn_pool", "cnn_flatten", "coordconv", "directional",
                                "relational")
"""The networks :func:`build_model` builds, in the order chapter 4a compares them."""


def _layers() -> SimpleNamespace:
    """keras, its layers, and the book's layers (imported lazily), as one namespace."""
    keras = quiet_tensorflow()
    from keras import layers

    from .layers import AddCoords, DirectionalContext, RelationHead

    return SimpleNamespace(keras=keras, layers=layers, AddCoords=AddCoords,
                           DirectionalContext=DirectionalContext, RelationHead=RelationHead)


RELATION_OBJECTS = 24
"""Blocks the relational head pairs (its grids need at least this many blocks)."""


# ------------------------------------------------------------------ what follows the stem
# One small function per model: the lattice map x (N, H/block, W/block, width) in, a vector
# per grid out.  ``k`` carries keras, its layers and the book's layers (imported lazily).

def _head_pooled(k, x, inputs_f, *, width, block, seed, coords=False):
    """Two 3 x 3 convolutions, then global max pooling: what occurs, not where."""
    if coords:
        x = k.AddCoords()(x)
    x = k.layers.Conv2D(width, 3, padding="same", activation="relu")(x)
    x = k.layers.Conv2D(2 * width, 3, padding="same", activation="relu")(x)
    return k.layers.GlobalMaxPooling2D()(x)


def _head_coordconv(k, x, inputs_f, *, width, block, seed):
    """As :func:`_head_pooled`, with row and column channels added to the map."""
    return _head_pooled(k, x, inputs_f, width=width, block=block, seed=seed, coords=True)


def _head_flatten(k, x, inputs_f, *, width, block, seed):
    """A 3 x 3 convolution, then the map flattened (positions kept, learnt one by one)."""
    x = k.layers.Conv2D(width, 3, padding="same", activation="relu")(x)
    x = k.layers.Flatten()(x)
    return k.layers.Dropout(0.3, seed=seed)(x)


def _head_directional(k, x, inputs_f, *, width, block, seed):
    """Directional context (sums in every direction), 1 x 1 convolutions, max pooling."""
    x = k.layers.Conv2D(width // 2, 1, activation="relu")(x)   # fewer channels to spread
    x = k.DirectionalContext()(x)
    x = k.layers.Conv2D(width, 1, activation="relu")(x)
    x = k.layers.Conv2D(width, 1, activation="relu")(x)
    return k.layers.GlobalMaxPooling2D()(x)


def _head_relational(k, x, inputs_f, *, width, block, seed):
    """A relation-network head over the most occupied blocks, with their coordinates."""
    # which blocks hold any level: keras.ops on the symbolic tensor, not a Lambda layer, so the
    # model can be saved in the .keras format and reloaded without unsafe deserialisation
    occupied = k.layers.MaxPooling2D(block)(
        k.keras.ops.max(inputs_f, axis=-1, keepdims=True))[..., 0]
    x = k.AddCoords()(x)
    return k.RelationHead(2 * width, max_objects=RELATION_OBJECTS)([x, occupied])


_HEADS = {"cnn_pool": _head_pooled, "cnn_flatten": _head_flatten,
          "coordconv": _head_coordconv, "directional": _head_directional,
          "relational": _head_relational}
assert tuple(_HEADS) == MODEL_NAMES, "every model name needs a head, in the same order"


def build_model(name: str, input_shape: tuple[int | None, int | None, int], n_outputs: int = 1,
                *, block: int = 5, width: int = 32, learning_rate: float = 2e-3, seed: int = 0):
    """Build and compile one of :data:`MODEL_NAMES` with sigmoid outputs and binary
    cross-entropy (one output for a two-class task, several for multi-label).

    ``input_shape`` may have ``None`` spatial sizes for every model except ``cnn_flatten``, so
    the same weights can be applied to larger grids.

    Parameters
    ----------
    name : str
        One of :data:`MODEL_NAMES`.
    input_shape : (H, W, channels)
        Grid size (``None`` for any size, except ``cnn_flatten``), multiples of ``block``.
    n_outputs : int
        Sigmoid outputs, 1..1024 (one per label).
    block : int
        Side of the lattice block the first, strided convolution reads (1..64).
    width : int
        Filters of the hidden layers, 4..512.
    learning_rate : float
        Adam's step size, in (0, 1].
    seed : int
        Seeds the weights.

    Returns
    -------
    keras.Model
        Compiled with binary cross-entropy.
    """
    name = check_choice("name", name, MODEL_NAMES)
    if not isinstance(input_shape, tuple) or len(input_shape) != 3:
        raise TypeError(f"input_shape must be a tuple (H, W, channels), got {input_shape!r}")
    channels = check_int("input_shape[2]", input_shape[2], minimum=1, maximum=64)
    block = check_int("block", block, minimum=1, maximum=64)
    for i in (0, 1):
        if input_shape[i] is None:
            if name == "cnn_flatten":
                raise ValueError("cnn_flatten needs a fixed input_shape (it flattens the map)")
        else:
            side = check_int(f"input_shape[{i}]", input_shape[i], minimum=block,
                             maximum=4096)
            if side % block:
                raise ValueError(f"input_shape[{i}] ({side}) must be a multiple of "
                                 f"block={block}")
    n_outputs = check_int("n_outputs", n_outputs, minimum=1, maximum=1024)
    if name == "cnn_flatten" and input_shape[0] * input_shape[1] // block**2 > 10_000:
        raise ValueError(f"cnn_flatten on {input_shape[0]} x {input_shape[1]} with block={block} "
                         f"flattens {input_shape[0] * input_shape[1] // block**2:,} blocks into "
                         f"one dense layer; at most 10,000 blocks (a 500 x 500 grid) are allowed")
    if name == "relational" and None not in input_shape[:2]:
        blocks = (input_shape[0] // block) * (input_shape[1] // block)
        if blocks < RELATION_OBJECTS:
            raise ValueError(f"the relational head pairs the {RELATION_OBJECTS} most occupied "
                             f"blocks, so input_shape must give at least {RELATION_OBJECTS} "
                             f"blocks of {block} x {block}; got {blocks}")
    width = check_int("width", width, minimum=4, maximum=512)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0,
                                min_inclusive=False, maximum=1.0)
    seed = check_seed("seed", seed)

    k = _layers()
    keras, layers = k.keras, k.layers
    fresh_session(seed)   # no graph or memory of earlier networks
    inputs = keras.Input(shape=(input_shape[0], input_shape[1], channels))
    inputs_f = layers.Identity(dtype="float32")(inputs)  # accepts uint8 one-hot (4x less memory)
    x = k.AddCoords()(inputs_f) if name == "coordconv" else inputs_f
    x = layers.Conv2D(width, block, strides=block, activation="relu", name="patchify")(x)
    x = _HEADS[name](k, x, inputs_f, width=width, block=block, seed=seed)
    x = layers.Dense(2 * width, activation="relu")(x)
    outputs = layers.Dense(n_outputs, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="binary_crossentropy")
    return model


BAND_LOSSES: tuple[str, ...] = ("binary_crossentropy", "focal")
"""Losses :func:`build_band_classifier` compiles with (``"focal"``: binary focal
cross-entropy, Lin et al., 2017, with ``gamma`` = 2)."""


def build_band_classifier(input_shape: tuple[int, int, int], n_outputs: int, *,
                          width: int = 16, seed: int = 0, parts: int = 1,
                          separable: bool = False, loss: str = "binary_crossentropy"):
    """A small CNN for multi-band tiles: two 3 x 3 convolutions, global max pooling ("does it
    occur anywhere in the tile?") and one sigmoid output per label.

    With ``parts`` > 1 the input holds that many images side by side along its width (as
    :func:`utils.bands.side_by_side` makes them) and the convolutions run **per part**: no
    kernel crosses a seam, every part is pooled on its own, and the parts' features are
    concatenated in order, so the head knows which part a feature came from.

    Parameters
    ----------
    input_shape : (H, W, bands)
        Tile size and number of bands (W a multiple of ``parts``).
    n_outputs : int
        Labels (one sigmoid output each).
    width : int
        Filters of the first convolution (the second has twice as many), 2..512.
    seed : int
        Seeds the weights.
    parts : int
        Images side by side in the input, 1..16; 1 is an ordinary image.
    separable : bool
        Depthwise-separable convolutions (one 3 x 3 filter per input channel, then a 1 x 1
        mix) instead of plain ones.
    loss : str
        One of :data:`BAND_LOSSES`.

    Returns
    -------
    keras.Model
        Compiled with Adam (step 0.002).
    """
    if not isinstance(input_shape, tuple) or len(input_shape) != 3:
        raise TypeError(f"input_shape must be a tuple (H, W, bands), got {input_shape!r}")
    for i, v in enumerate(input_shape):
        check_int(f"input_shape[{i}]", v, minimum=1, maximum=4096)
    n_outputs = check_int("n_outputs", n_outputs, minimum=1, maximum=1024)
    width = check_int("width", width, minimum=2, maximum=512)
    seed = check_seed("seed", seed)
    parts = check_int("parts", parts, minimum=1, maximum=16)
    if input_shape[1] % parts:
        raise ValueError(f"input_shape[1] ({input_shape[1]}) must be a multiple of "
                         f"parts={parts}: the parts lie side by side along the width")
    separable = check_bool("separable", separable)
    loss = check_choice("loss", loss, BAND_LOSSES)
    keras = quiet_tensorflow()
    from keras import layers

    fresh_session(seed)   # no graph or memory of earlier networks
    conv = layers.SeparableConv2D if separable else layers.Conv2D

    def body(x):
        x = conv(width, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = conv(2 * width, 3, padding="same", activation="relu")(x)
        return layers.GlobalMaxPooling2D()(x)

    inputs = keras.Input(shape=input_shape)
    if parts == 1:
        x = body(inputs)
    else:
        h, w, c = input_shape
        x = layers.Reshape((h, parts, w // parts, c))(inputs)
        x = layers.Permute((2, 1, 3, 4))(x)              # (parts, H, W / parts, bands)
        one = keras.Input(shape=(h, w // parts, c))
        x = layers.TimeDistributed(keras.Model(one, body(one), name="per_part"))(x)
        x = layers.Flatten()(x)                          # part 1's features, then part 2's...
    outputs = layers.Dense(n_outputs, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="band_cnn")
    fn = (keras.losses.BinaryFocalCrossentropy(gamma=2.0) if loss == "focal"
          else "binary_crossentropy")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3), loss=fn)
    return model
