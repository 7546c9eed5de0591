"""Training the book's Keras models: a seeded trainer with early stopping and a wall-clock cap,
and the checks every function that takes a model shares.

Example
-------
>>> import numpy as np
>>> from utils.models import build_model
>>> model = build_model("cnn_pool", (10, 10, 2), block=5, width=4)
>>> x = np.zeros((8, 10, 10, 2), dtype="float32")
>>> y = np.zeros(8)
>>> train(model, x, y, x, y, max_epochs=2, seed=0).epochs
2
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import check_float, check_int, check_real_array, check_seed
from .quiet import quiet_tensorflow
from .timing import release_freed_memory

__all__ = ["TrainResult", "train", "count_parameters", "multiply_adds", "check_model_input",
           "fresh_session", "in_chunks"]


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
    keras = quiet_tensorflow()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def multiply_adds(model, input_shape: tuple[int, int, int] | None = None) -> int:
    """Multiply-adds of one sample's forward pass through the model's convolutions and dense
    layers: what a network costs, independent of the machine that runs it.

    Layers without weights (pooling, cumulative sums, activations) count zero; they are cheap
    next to the convolutions, but not free, so a time measured on a machine can fall less than
    this count does.

    Parameters
    ----------
    model : keras.Model
        A functional model whose layers with weights are ``Conv2D``, ``DepthwiseConv2D``,
        ``SeparableConv2D``, ``Dense`` or normalisation layers, each used once.
    input_shape : (H, W, C), optional
        The sample's shape; needed where the model takes any size (``None`` in its input).

    Returns
    -------
    int

    Example
    -------
    >>> from utils.models import build_model
    >>> model = build_model("cnn_pool", (10, 10, 2), block=5, width=4)
    >>> multiply_adds(model) > 0
    True
    """
    keras = quiet_tensorflow()
    from keras import layers

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    want = tuple(model.input_shape[1:])
    if input_shape is None:
        if any(v is None for v in want):
            raise ValueError(f"input_shape is needed: the model takes inputs of shape {want} "
                             f"(None: any size), give (H, W, C)")
        input_shape = want
    if not isinstance(input_shape, tuple) or len(input_shape) != len(want):
        raise TypeError(f"input_shape must be a tuple of {len(want)} ints, got {input_shape!r}")
    for i, v in enumerate(input_shape):
        check_int(f"input_shape[{i}]", v, minimum=1, maximum=4096)
        if want[i] is not None and want[i] != v:
            raise ValueError(f"input_shape {input_shape} does not fit the model's {want}")
    counted = (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D, layers.Dense)
    free = (layers.BatchNormalization, layers.LayerNormalization)
    convs = []
    for layer in model.layers:
        if isinstance(layer, counted):
            convs.append(layer)
        elif layer.weights and not isinstance(layer, free):
            raise ValueError(f"model has a layer {layer.name!r} of type "
                             f"{type(layer).__name__} whose multiply-adds are not counted; "
                             f"counted: Conv2D, DepthwiseConv2D, SeparableConv2D, Dense")
    if not convs:
        return 0
    probe = keras.Model(model.inputs, [t for layer in convs for t in (layer.input,
                                                                         layer.output)])
    sample = [np.zeros((1, *input_shape), dtype="float32")]   # the structure of inputs
    shapes = [o.shape[1:] for o in probe(sample)]
    total = 0
    for layer, (shape_in, shape_out) in zip(convs, zip(shapes[::2], shapes[1::2],
                                                       strict=True), strict=True):
        c_in, c_out = int(shape_in[-1]), int(shape_out[-1])
        positions = int(np.prod(shape_out[:-1]))
        if isinstance(layer, layers.Dense):
            total += positions * c_in * c_out
            continue
        kernel = int(np.prod(layer.kernel_size))
        if isinstance(layer, layers.SeparableConv2D):
            inner = c_in * layer.depth_multiplier
            total += positions * (inner * kernel + inner * c_out)
        elif isinstance(layer, layers.DepthwiseConv2D):
            total += positions * c_out * kernel
        else:
            total += positions * c_out * kernel * c_in // layer.groups
    return int(total)


@dataclass
class TrainResult:
    """What :func:`train` did: epochs run, wall time, and the loss curves."""

    epochs: int
    seconds: float
    loss: list[float]
    val_loss: list[float]
    stopped_by: str   # "patience", "budget" or "epochs"


def check_model_input(model, arrays: dict[str, np.ndarray]) -> None:
    """Check that ``model`` is a Keras model and that every array fits its input (N, H, W, C):
    our message, naming our parameter, instead of an error from deep inside Keras.

    Parameters
    ----------
    model : object
        Should be a ``keras.Model``.
    arrays : dict of str to array
        The caller's parameter names and the arrays given for them.

    Returns
    -------
    None
        Raises ``TypeError`` (not a model) or ``ValueError`` (a shape the model does not take).
    """
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


def in_chunks(x: np.ndarray, size: int = 512):
    """Consecutive slices of ``x`` along its first axis, at most ``size`` rows each: a model
    or a layer run on them never holds more than ``size`` samples at once.

    Parameters
    ----------
    x : array
        Anything sliceable with a length (an array of samples).
    size : int
        Rows per slice, at least 1.

    Returns
    -------
    generator of arrays

    Examples
    --------
    >>> [len(c) for c in in_chunks(np.zeros((5, 2)), size=2)]
    [2, 2, 1]
    """
    size = check_int("size", size, minimum=1)
    if not hasattr(x, "__len__"):
        raise TypeError(f"x must be an array of samples, got {type(x).__name__}")
    return (x[i:i + size] for i in range(0, len(x), size))


def fresh_session(seed: int) -> None:
    """Start a new network: forget the graphs of the networks built before
    (``keras.backend.clear_session``), hand the memory they held back to the operating system
    (:func:`utils.timing.release_freed_memory`) and seed Keras, NumPy and Python with ``seed``.
    Every model builder of ``utils`` calls it first.

    Parameters
    ----------
    seed : int
        Seeds the new network's weights (0..2**32 - 1).

    Returns
    -------
    None
    """
    seed = check_seed("seed", seed)
    keras = quiet_tensorflow()
    keras.backend.clear_session()
    release_freed_memory()
    keras.utils.set_random_seed(seed)


def train(model, x: object, y: object, x_val: object, y_val: object, *,
          budget_seconds: float = 30.0, max_epochs: int = 100, batch_size: int = 64,
          patience: int = 4, seed: int = 0,
          after_epoch: Callable[[int], object] | None = None) -> TrainResult:
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
    after_epoch : callable, optional
        Called with the number of epochs run so far (1, 2, ...) after every epoch, before any
        weights are restored: to measure something along the way (chapter 4a records test
        accuracy against epochs with it).  What it returns is ignored; its time counts neither
        in the budget nor in the seconds reported.

    Returns
    -------
    TrainResult
    """
    keras = quiet_tensorflow()
    X = check_real_array("x", x, ndim=4)
    Y = check_real_array("y", y, ndim=(1, 2))
    Xv = check_real_array("x_val", x_val, ndim=4)
    Yv = check_real_array("y_val", y_val, ndim=(1, 2))
    check_model_input(model, {"x": X, "x_val": Xv})
    if X.shape[0] != Y.shape[0] or Xv.shape[0] != Yv.shape[0]:
        raise ValueError(f"x and y must have the same number of samples, got {X.shape[0]} "
                         f"and {Y.shape[0]} (validation: {Xv.shape[0]} and {Yv.shape[0]})")
    budget = check_float("budget_seconds", budget_seconds, minimum=0.0, min_inclusive=False)
    max_epochs = check_int("max_epochs", max_epochs, minimum=1, maximum=10_000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=65_536)
    patience = check_int("patience", patience, minimum=1, maximum=1000)
    seed = check_seed("seed", seed)
    if after_epoch is not None and not callable(after_epoch):
        raise TypeError(f"after_epoch must be callable (it gets the epoch number) or None, got "
                        f"{type(after_epoch).__name__}")
    keras.utils.set_random_seed(seed)

    class Budget(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.start = time.perf_counter()
            self.hit = False
            self.hook_seconds = 0.0     # time spent in after_epoch: not training

        def on_epoch_end(self, epoch, logs=None):
            if after_epoch is not None:
                started = time.perf_counter()
                after_epoch(epoch + 1)
                self.hook_seconds += time.perf_counter() - started
            if time.perf_counter() - self.start - self.hook_seconds >= budget:
                self.hit = True
                self.model.stop_training = True

    budget_cb = Budget()
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                            restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(X, Y.astype("float32"), epochs=max_epochs,
                        batch_size=batch_size, validation_data=(Xv, Yv.astype("float32")),
                        callbacks=[budget_cb, stopper], verbose=0, shuffle=True)
    seconds = time.perf_counter() - start - budget_cb.hook_seconds
    epochs = len(history.history["loss"])
    if budget_cb.hit and stopper.stopped_epoch == 0:
        # EarlyStopping restores the best weights only when it stops training itself
        if stopper.best_weights is not None:
            model.set_weights(stopper.best_weights)
        how = "budget"
    else:
        how = "patience" if stopper.stopped_epoch > 0 else "epochs"
    release_freed_memory()
    return TrainResult(epochs=epochs, seconds=seconds, loss=history.history["loss"],
                       val_loss=history.history["val_loss"], stopped_by=how)
