"""Keras 3 models for grids of discrete levels, and a quiet, seeded, time-budgeted trainer.

TensorFlow is imported only here, and only when a function of this module is called, so the
chapters that do not train networks start fast.

Every builder takes one-hot grids ``(H, W, n_kinds)`` and starts with the same **patchify stem**:
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
  of features above, below, left, right, in each quadrant and on its row and column (cumulative
  sums), so 1 x 1 convolutions can test "a 2 above and to the right of me";
- ``relational``: a Relation Network head (Santoro et al., 2017): every pair of blocks, with
  their coordinates, goes through a shared layer, and the results are summed.

Example
-------
>>> model = build_model("directional", (None, None, 4), n_outputs=1)
>>> model.output_shape
(None, 1)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ._validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_real_array,
    check_seed,
)

__all__ = ["MODEL_NAMES", "quiet_tensorflow", "build_model", "build_band_classifier",
           "TrainResult", "train", "count_parameters", "input_gradients"]

MODEL_NAMES: tuple[str, ...] = ("cnn_pool", "cnn_flatten", "coordconv", "directional",
                                "relational")


_QUIET = False


def quiet_tensorflow():
    """Import TensorFlow and Keras with their start-up logs silenced; returns ``keras``.

    TensorFlow's C++ start-up notices (CUDA stubs on a machine without a GPU, oneDNN) are
    written straight to file descriptor 2 and ignore ``TF_CPP_MIN_LOG_LEVEL``; in a notebook
    they would show up as stderr on the page.  They are emitted while TensorFlow is imported and
    its devices are first listed, so file descriptor 2 is pointed at /dev/null for exactly that.

    Returns
    -------
    module
        ``keras``, imported after TensorFlow's logs were silenced.
    """
    global _QUIET
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if not _QUIET:
        import sys

        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            import absl.logging
            import tensorflow as tf

            absl.logging.set_verbosity(absl.logging.ERROR)
            tf.get_logger().setLevel("ERROR")
            tf.config.list_physical_devices()
            tf.constant(0.0) + 1.0  # initialises the CPU device (and its notices) now
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        _QUIET = True
    import keras

    return keras


def _layers():
    keras = quiet_tensorflow()
    from keras import layers

    from .layers import AddCoords, DirectionalContext, RelationHead

    return keras, layers, AddCoords, DirectionalContext, RelationHead


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
    occupied = k.layers.MaxPooling2D(block)(k.layers.Lambda(
        lambda t: k.keras.ops.max(t, axis=-1, keepdims=True))(inputs_f))[..., 0]
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

    keras, layers, AddCoords, DirectionalContext, RelationHead = _layers()
    keras.backend.clear_session()  # free the graphs of models built before
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(input_shape[0], input_shape[1], channels))
    inputs_f = layers.Identity(dtype="float32")(inputs)  # accepts uint8 one-hot (4x less memory)
    x = AddCoords()(inputs_f) if name == "coordconv" else inputs_f
    x = layers.Conv2D(width, block, strides=block, activation="relu", name="patchify")(x)
    k = SimpleNamespace(keras=keras, layers=layers, AddCoords=AddCoords,
                        DirectionalContext=DirectionalContext, RelationHead=RelationHead)
    x = _HEADS[name](k, x, inputs_f, width=width, block=block, seed=seed)
    x = layers.Dense(2 * width, activation="relu")(x)
    outputs = layers.Dense(n_outputs, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="binary_crossentropy")
    return model


def build_band_classifier(input_shape: tuple[int, int, int], n_outputs: int, *,
                          width: int = 16, seed: int = 0):
    """A small CNN for multi-band tiles: two 3 x 3 convolutions, global max pooling ("does it
    occur anywhere in the tile?") and one sigmoid output per label, binary cross-entropy.

    Parameters
    ----------
    input_shape : (H, W, bands)
        Tile size and number of bands.
    n_outputs : int
        Labels (one sigmoid output each).
    width : int
        Filters of the two convolutions.
    seed : int
        Seeds the weights.

    Returns
    -------
    keras.Model
        Compiled with binary cross-entropy.
    """
    if not isinstance(input_shape, tuple) or len(input_shape) != 3:
        raise TypeError(f"input_shape must be a tuple (H, W, bands), got {input_shape!r}")
    for i, v in enumerate(input_shape):
        check_int(f"input_shape[{i}]", v, minimum=1, maximum=4096)
    n_outputs = check_int("n_outputs", n_outputs, minimum=1, maximum=1024)
    width = check_int("width", width, minimum=2, maximum=512)
    seed = check_seed("seed", seed)
    keras = quiet_tensorflow()
    from keras import layers

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(width, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(2 * width, 3, padding="same", activation="relu")(x)
    x = layers.GlobalMaxPooling2D()(x)
    outputs = layers.Dense(n_outputs, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="band_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-3),
                  loss="binary_crossentropy")
    return model


def count_parameters(model) -> int:
    """Number of trainable parameters.

    Parameters
    ----------
    model : keras.Model
        Any built model.

    Returns
    -------
    int
    """
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


@dataclass
class TrainResult:
    """What :func:`train` did: epochs run, wall time, and the loss curves."""

    epochs: int
    seconds: float
    loss: list[float]
    val_loss: list[float]
    stopped_by: str   # "patience", "budget" or "epochs"


def _check_model_input(model, arrays: dict[str, np.ndarray]) -> None:
    """``model`` is a Keras model and every array fits its input (N, H, W, C): our message,
    naming our parameter, instead of an error from deep inside Keras."""
    keras = quiet_tensorflow()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model (from build_model or "
                        f"build_band_classifier), got {type(model).__name__}")
    want = tuple(model.input_shape[1:])
    for name, arr in arrays.items():
        got = arr.shape[1:]
        if len(got) != len(want) or any(w is not None and w != g
                                        for w, g in zip(want, got, strict=True)):
            raise ValueError(f"{name} has samples of shape {got}, the model takes {want} "
                             f"(None: any size)")


def train(model, x: object, y: object, x_val: object, y_val: object, *,
          budget_seconds: float = 30.0, max_epochs: int = 100, batch_size: int = 64,
          patience: int = 4, seed: int = 0) -> TrainResult:
    """Fit with early stopping on the validation loss and a wall-clock budget, printing nothing.

    Training stops at the end of the first epoch after which ``budget_seconds`` have passed,
    after ``patience`` epochs without a better validation loss, or after ``max_epochs``; the
    weights of the best validation epoch are restored.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_model` or :func:`build_band_classifier`.
    x, y : arrays
        Training inputs (N, H, W, C) and targets (N,) or (N, labels).
    x_val, y_val : arrays
        Validation inputs and targets.
    budget_seconds : float
        Wall-clock cap, checked after every epoch.
    max_epochs, batch_size, patience : int
        Training length, batch size, and epochs without improvement before stopping.
    seed : int
        Seeds the shuffling.

    Returns
    -------
    TrainResult
    """
    keras = quiet_tensorflow()
    X = check_real_array("x", x, ndim=4)
    Y = check_real_array("y", y, ndim=(1, 2))
    Xv = check_real_array("x_val", x_val, ndim=4)
    Yv = check_real_array("y_val", y_val, ndim=(1, 2))
    _check_model_input(model, {"x": X, "x_val": Xv})
    if X.shape[0] != Y.shape[0] or Xv.shape[0] != Yv.shape[0]:
        raise ValueError(f"x and y must have the same number of samples, got {X.shape[0]} "
                         f"and {Y.shape[0]} (validation: {Xv.shape[0]} and {Yv.shape[0]})")
    budget = check_float("budget_seconds", budget_seconds, minimum=0.0, min_inclusive=False)
    max_epochs = check_int("max_epochs", max_epochs, minimum=1, maximum=10_000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=65_536)
    patience = check_int("patience", patience, minimum=1, maximum=1000)
    seed = check_seed("seed", seed)
    keras.utils.set_random_seed(seed)

    class Budget(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.start = time.perf_counter()
            self.hit = False

        def on_epoch_end(self, epoch, logs=None):
            if time.perf_counter() - self.start >= budget:
                self.hit = True
                self.model.stop_training = True

    budget_cb = Budget()
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                            restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(X, Y.astype("float32"), epochs=max_epochs,
                        batch_size=batch_size, validation_data=(Xv, Yv.astype("float32")),
                        callbacks=[budget_cb, stopper], verbose=0, shuffle=True)
    seconds = time.perf_counter() - start
    epochs = len(history.history["loss"])
    if budget_cb.hit and stopper.stopped_epoch == 0:
        # EarlyStopping restores the best weights only when it stops training itself
        if stopper.best_weights is not None:
            model.set_weights(stopper.best_weights)
        how = "budget"
    else:
        how = "patience" if stopper.stopped_epoch > 0 else "epochs"
    return TrainResult(epochs=epochs, seconds=seconds, loss=history.history["loss"],
                       val_loss=history.history["val_loss"], stopped_by=how)


def input_gradients(model, x: object, output: int = 0, logit: bool = True) -> np.ndarray:
    """Saliency: the gradient of one output with respect to the input, per sample.

    With ``logit=True`` (default) the gradient is taken of the score *before* the final
    sigmoid.  The probability saturates: for a confident prediction (p close to 0 or 1) its
    gradient vanishes and the saliency map goes blank, while the logit's does not.

    Parameters
    ----------
    model : keras.Model
        A trained model whose last layer is Dense (for ``logit=True``).
    x : (N, H, W, C) array
        Inputs of the shape the model takes.
    output : int
        Which output, 0..outputs - 1.
    logit : bool
        Differentiate the logit (default) or the probability.

    Returns
    -------
    (N, H, W, C) float32 array
    """
    logit = check_bool("logit", logit)
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    X_np = check_real_array("x", x, ndim=4)
    _check_model_input(model, {"x": X_np})
    X = tf.convert_to_tensor(X_np.astype("float32"))
    output = check_int("output", output, minimum=0, maximum=model.output_shape[-1] - 1)
    last = model.layers[-1]
    if logit and not hasattr(last, "kernel"):
        raise ValueError("logit=True needs a model whose last layer is Dense; "
                         f"got {type(last).__name__}")
    features = keras.Model(model.inputs, last.input) if logit else None
    with tf.GradientTape() as tape:
        tape.watch(X)
        if logit:
            score = tf.matmul(features(X, training=False), last.kernel) + last.bias
        else:
            score = model(X, training=False)
        y = score[:, output]
    return tape.gradient(y, X).numpy()
