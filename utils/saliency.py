"""Saliency: which input cells a trained model's output is most sensitive to (chapter 4a)."""

from __future__ import annotations

import numpy as np

from ._validation import check_bool, check_int, check_real_array
from .quiet import quiet_tensorflow
from .training import check_model_input

__all__ = ["input_gradients"]


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
    check_model_input(model, {"x": X_np})
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
