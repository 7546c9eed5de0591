"""Training the book's Keras models: a seeded trainer with early stopping and a wall-clock cap,
the :class:`History` every trainer of ``utils`` returns, and the checks every function that takes
a model shares.

Every trainer (:func:`train`, :func:`utils.vae.fit_autoencoder`,
:func:`utils.contrastive.fit_contrastive`, :func:`utils.pixel_autoencoder.fit_pixel_autoencoder`)
takes the same names for the same things: ``epochs`` (the most it runs), ``budget_seconds`` (a
wall-clock cap, checked after every epoch), ``patience`` (where there are validation data),
``batch_size`` and ``seed``.

Example
-------
>>> import numpy as np
>>> from utils.models import build_model
>>> model = build_model("cnn_pool", (10, 10, 2), block=5, width=4)
>>> x = np.zeros((8, 10, 10, 2), dtype="float32")
>>> y = np.zeros(8)
>>> history = train(model, x, y, x, y, epochs=2, seed=0)
>>> history.epochs, history.stopped_by
(2, 'epochs')
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_float, check_int, check_real_array, check_seed
from .quiet import quiet_tensorflow
from .timing import release_freed_memory

__all__ = ["History", "train", "fit_keras", "check_budget", "count_parameters", "multiply_adds",
           "check_model_input", "fresh_session", "in_chunks"]


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

    Layers without weights (pooling, directional sums, activations) count zero; they are cheap
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
class History:
    """What a trainer did, epoch by epoch: the one record every trainer of ``utils`` returns.

    Attributes
    ----------
    epochs : int
        Epochs run.
    seconds : float
        Wall time of the training (what a hook such as ``after_epoch`` took excluded).
    loss : list of float
        Training loss of every epoch.
    val_loss : list of float
        Validation loss of every epoch; empty for a trainer without validation data
        (:func:`utils.contrastive.fit_contrastive`).
    stopped_by : str
        ``"epochs"`` (ran them all), ``"budget"`` (``budget_seconds`` ran out first) or
        ``"patience"`` (``patience`` epochs without a better validation loss).
    parts : dict of str to list of float
        Other per-epoch series a trainer reports, such as the terms of a loss
        (:func:`utils.vae.fit_autoencoder`: ``reconstruction``, ``kl``, their ``val_``
        versions and the KL weight ``beta``); empty when there are none.
    """

    epochs: int
    seconds: float
    loss: list[float]
    val_loss: list[float]
    stopped_by: str
    parts: dict[str, list[float]] = field(default_factory=dict)


def check_budget(epochs: object, budget_seconds: object, patience: object = None, *,
                 most: int = 10_000) -> tuple[int, float, int | None]:
    """The three stopping rules every trainer takes, checked.

    Parameters
    ----------
    epochs : int
        The most epochs to run, 1..``most``.
    budget_seconds : float
        Wall-clock cap, > 0.
    patience : int or None
        Epochs without a better validation loss before stopping, 1..1,000, or None for no
        early stopping.
    most : int
        The trainer's ceiling on ``epochs`` (10,000 for :func:`train`, 1,000 for the others).

    Returns
    -------
    (int, float, int or None)
        The three, as the trainers use them.
    """
    epochs = check_int("epochs", epochs, minimum=1, maximum=most)
    budget = check_float("budget_seconds", budget_seconds, minimum=0.0, min_inclusive=False)
    if patience is not None:
        patience = check_int("patience", patience, minimum=1, maximum=1000)
    return epochs, budget, patience


def fit_keras(model, x, y, validation_data, *, epochs: int, batch_size: int,
              budget_seconds: float, patience: int | None, callbacks: list = (),
              after_epoch: Callable[[int], object] | None = None) -> History:
    """``model.fit`` with the stopping rules of every trainer, printing nothing.

    Training stops at the end of the first epoch after which ``budget_seconds`` have passed,
    after ``patience`` epochs without a better validation loss (None: never), or after
    ``epochs``; when it stopped early the weights of the best validation epoch are restored.
    The trainers that call this (:func:`train`, :func:`utils.vae.fit_autoencoder`,
    :func:`utils.pixel_autoencoder.fit_pixel_autoencoder`) check their data first; this checks
    the stopping rules, the batch size and the hooks.

    Parameters
    ----------
    model : keras.Model
        Compiled.
    x, y : arrays or None
        Training inputs and targets (``y`` None for a model whose loss needs no targets).
    validation_data : tuple
        As ``model.fit`` takes it.
    epochs, batch_size : int
    budget_seconds : float
    patience : int or None
    callbacks : list of keras.callbacks.Callback
        Run before the stopping rules (the VAE's KL warm-up).
    after_epoch : callable, optional
        Called with the number of epochs run so far after every epoch, before any weights are
        restored; its time counts neither in the budget nor in the seconds reported.

    Returns
    -------
    History
        ``parts`` holds every series of Keras's history but the losses.
    """
    keras = quiet_tensorflow()
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a compiled Keras model, got {type(model).__name__}")
    epochs, budget_seconds, patience = check_budget(epochs, budget_seconds, patience)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=65_536)
    if after_epoch is not None and not callable(after_epoch):
        raise TypeError(f"after_epoch must be callable (it gets the epoch number) or None, got "
                        f"{type(after_epoch).__name__}")
    if not all(isinstance(c, keras.callbacks.Callback) for c in callbacks):
        raise TypeError("callbacks must hold keras.callbacks.Callback objects, got "
                        f"{[type(c).__name__ for c in callbacks]}")

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
            if time.perf_counter() - self.start - self.hook_seconds >= budget_seconds:
                self.hit = True
                self.model.stop_training = True

    budget_cb = Budget()
    stopper = None if patience is None else keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size,
                        validation_data=validation_data,
                        callbacks=[*callbacks, budget_cb, *([stopper] if stopper else [])],
                        verbose=0, shuffle=True).history
    seconds = time.perf_counter() - start - budget_cb.hook_seconds
    if stopper is not None and stopper.stopped_epoch > 0:
        how = "patience"
    elif budget_cb.hit:
        # EarlyStopping restores the best weights only when it stops training itself
        if stopper is not None and stopper.best_weights is not None:
            model.set_weights(stopper.best_weights)
        how = "budget"
    else:
        how = "epochs"
    release_freed_memory()
    return History(epochs=len(history["loss"]), seconds=seconds,
                   loss=[float(v) for v in history["loss"]],
                   val_loss=[float(v) for v in history.get("val_loss", [])],
                   stopped_by=how,
                   parts={k: [float(v) for v in vals] for k, vals in history.items()
                          if k not in ("loss", "val_loss")})


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
          epochs: int = 100, budget_seconds: float = 30.0, patience: int = 4,
          batch_size: int = 64, seed: int = 0,
          after_epoch: Callable[[int], object] | None = None) -> History:
    """Fit with early stopping on the validation loss and a wall-clock budget, printing nothing.

    Training stops at the end of the first epoch after which ``budget_seconds`` have passed,
    after ``patience`` epochs without a better validation loss, or after ``epochs``; when it
    stopped early the weights of the best validation epoch are restored.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_model` or :func:`build_band_classifier`.
    x, y : arrays
        Training inputs (N, H, W, C) and targets (N,) or (N, labels).
    x_val, y_val : arrays
        Validation inputs and targets.
    epochs : int
        The most epochs to run (1..10,000).
    budget_seconds : float
        Wall-clock cap, checked after every epoch.
    patience : int
        Epochs without a better validation loss before stopping (1..1,000).
    batch_size : int
        Samples per step.
    seed : int
        Seeds the shuffling.
    after_epoch : callable, optional
        Called with the number of epochs run so far (1, 2, ...) after every epoch, before any
        weights are restored: to measure something along the way (chapter 4a records test
        accuracy against epochs with it).  What it returns is ignored; its time counts neither
        in the budget nor in the seconds reported.

    Returns
    -------
    History
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
    if patience is None:
        raise TypeError("patience must be an int (1..1000): train always stops early, got None")
    seed = check_seed("seed", seed)
    keras.utils.set_random_seed(seed)
    # fit_keras checks the stopping rules, the batch size and after_epoch before training
    return fit_keras(model, X, Y.astype("float32"), (Xv, Yv.astype("float32")),
                     epochs=epochs, batch_size=batch_size, budget_seconds=budget_seconds,
                     patience=patience, after_epoch=after_epoch)
