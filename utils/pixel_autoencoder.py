"""Learned per-pixel features: a small fully convolutional (denoising) autoencoder of images
(chapter 5c).  Importing this module imports TensorFlow (quietly).

A *fully convolutional* autoencoder has no dense bottleneck: its code is a feature map, so every
pixel keeps a feature vector (at the resolution of the code, ``2 ** levels`` times coarser than
the image, upsampled back by :func:`pixel_codes`), and the same weights apply to an image of any
size.  It is trained on random patches of **other** images than the one it will segment, as a
*denoising* autoencoder: the input patch has Gaussian noise of a random strength added, the
target is the patch without it, so the code learns what survives noise (local colour, texture)
rather than the noise itself.  No label is used anywhere.

Example
-------
>>> import numpy as np
>>> model = build_pixel_autoencoder(features=4, seed=0)
>>> pixel_codes(model, np.zeros((20, 30, 3), dtype=np.uint8)).shape
(600, 4)
"""

from __future__ import annotations

import numpy as np

from ._validation import check_float, check_int, check_real_array, check_seed
from .quiet import quiet_tensorflow
from .training import History, check_budget, fit_keras, fresh_session

keras = quiet_tensorflow()
from keras import layers, ops  # noqa: E402  (after TensorFlow was imported quietly)

STEPS_PER_EXECUTION = 32
"""Training steps run per call into TensorFlow (see :func:`build_pixel_autoencoder`)."""

__all__ = ["build_pixel_autoencoder", "training_patches", "fit_pixel_autoencoder", "pixel_codes",
           "reconstruct_image", "receptive_field"]


def _images(name: str, images: object) -> np.ndarray:
    """Images (H, W, C) or a batch (N, H, W, C) as float32 in [0, 1] (uint8 is divided by 255)."""
    arr = check_real_array(name, images, ndim=(3, 4))
    if arr.dtype == np.uint8 or arr.max() > 1.0:
        if arr.min() < 0 or arr.max() > 255:
            raise ValueError(f"{name} must hold values in 0..255 or 0..1, got range "
                             f"{arr.min()}..{arr.max()}")
        arr = arr / 255.0
    elif arr.min() < 0:
        raise ValueError(f"{name} must hold values in 0..255 or 0..1, got minimum {arr.min()}")
    return arr.astype(np.float32)


def _check_model(model: object) -> None:
    if not isinstance(model, keras.Model) or not hasattr(model, "levels"):
        raise TypeError(f"model must come from build_pixel_autoencoder, got "
                        f"{type(model).__name__}")


def receptive_field(levels: int) -> int:
    """Side, in pixels, of the image window that one code vector sees (3 x 3 convolutions: one
    at full resolution, then per level a strided and a plain one).

    Parameters
    ----------
    levels : int
        Stride-2 downsamplings of the encoder, 0..4.

    Returns
    -------
    int

    Examples
    --------
    >>> [receptive_field(k) for k in range(4)]
    [3, 9, 21, 45]
    """
    levels = check_int("levels", levels, minimum=0, maximum=4)
    field, step = 3, 1
    for _ in range(levels):
        field += 2 * step          # strided 3 x 3
        step *= 2
        field += 2 * step          # plain 3 x 3 at the coarser resolution
    return field


def build_pixel_autoencoder(*, channels: int = 3, features: int = 8, width: int = 16,
                            levels: int = 1, learning_rate: float = 2e-3, seed: int = 0):
    """Build and compile a fully convolutional autoencoder (mean squared error, Adam).

    Parameters
    ----------
    channels : int
        Image channels (3 for RGB).
    features : int
        Length of every pixel's code (the latent width), 1..64.
    width : int
        Filters of the hidden convolutions.
    levels : int
        Stride-2 downsamplings, 0..3: more levels see a wider window
        (:func:`receptive_field`) with a coarser code.
    learning_rate : float
        Adam's step size.
    seed : int
        Seeds the weights.

    Returns
    -------
    keras.Model
        Its layer named ``"code"`` outputs the feature map.
    """
    channels = check_int("channels", channels, minimum=1, maximum=16)
    features = check_int("features", features, minimum=1, maximum=64)
    width = check_int("width", width, minimum=2, maximum=256)
    levels = check_int("levels", levels, minimum=0, maximum=3)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0,
                                min_inclusive=False, maximum=1.0)
    seed = check_seed("seed", seed)
    fresh_session(seed)   # no graph or memory of earlier networks
    inputs = keras.Input((None, None, channels))
    x = layers.Conv2D(width, 3, padding="same", activation="relu")(inputs)
    for _ in range(levels):
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu")(x)
        x = layers.Conv2D(width, 3, padding="same", activation="relu")(x)
    code = layers.Conv2D(features, 1, name="code")(x)
    x = code
    for _ in range(levels):
        x = layers.Conv2DTranspose(width, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(width, 3, padding="same", activation="relu")(x)
    outputs = layers.Conv2D(channels, 3, padding="same", activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name=f"pixel_autoencoder_l{levels}_f{features}")
    # Many small steps (batch 32 of 16 x 16 patches): running 32 of them per call into
    # TensorFlow instead of one halves the training time, with identical losses (measured:
    # 4 epochs of 7,200 patches, 20.7 -> 10.8 s on 2 cores).
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse",
                  steps_per_execution=STEPS_PER_EXECUTION)
    model.levels = levels
    return model


def training_patches(images: object, *, patch: int = 32, n: int = 4000,
                     seed: int = 0) -> np.ndarray:
    """``n`` random ``patch x patch`` crops, drawn evenly from a batch of images.

    Parameters
    ----------
    images : (N, H, W, C) array
        Training images (uint8 0..255 or float 0..1), each at least ``patch`` a side.
    patch : int
        Crop side, 8..256, a multiple of 8.
    n : int
        Number of crops, 1..200,000.
    seed : int
        Seeds the crops.

    Returns
    -------
    (n, patch, patch, C) float32 array in [0, 1]
    """
    imgs = _images("images", images)
    if imgs.ndim != 4:
        raise ValueError(f"images must be a batch (N, H, W, C), got shape {imgs.shape}")
    patch = check_int("patch", patch, minimum=8, maximum=256)
    if patch % 8:
        raise ValueError(f"patch must be a multiple of 8, got {patch}")
    n = check_int("n", n, minimum=1, maximum=200_000)
    _, h, w, _ = imgs.shape
    if h < patch or w < patch:
        raise ValueError(f"images of {h} x {w} are smaller than patch={patch}")
    rng = np.random.default_rng(check_seed("seed", seed))
    which = np.arange(n) % len(imgs)
    r = rng.integers(0, h - patch + 1, n)
    c = rng.integers(0, w - patch + 1, n)
    rows = r[:, None] + np.arange(patch)
    cols = c[:, None] + np.arange(patch)
    return imgs[which[:, None, None], rows[:, :, None], cols[:, None, :]]


def _noisy(patches: np.ndarray, noise: tuple[float, float], rng) -> np.ndarray:
    """Patches plus Gaussian noise of a random strength each, in float32 (no float64 copy)."""
    sigma = (rng.uniform(noise[0], noise[1], size=(len(patches), 1, 1, 1)) / 255.0).astype(
        np.float32)
    out = rng.standard_normal(patches.shape, dtype=np.float32)
    out *= sigma
    out += patches
    return np.clip(out, 0, 1, out=out)


def fit_pixel_autoencoder(model, patches: object, *, noise: tuple[float, float] = (0.0, 60.0),
                          epochs: int = 10, budget_seconds: float = 600.0,
                          patience: int | None = None, batch_size: int = 64,
                          validation: float = 0.1, seed: int = 0) -> History:
    """Train as a denoising autoencoder for a fixed number of epochs, quietly.

    Every patch gets Gaussian noise with a standard deviation drawn uniformly from ``noise``
    (0..255 units) as input; the clean patch is the target.  ``noise=(0, 0)`` trains a plain
    autoencoder.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_pixel_autoencoder`.
    patches : (N, P, P, C) array
        Clean training patches (:func:`training_patches`).
    noise : (low, high)
        Range of the noise's standard deviation, 0 <= low <= high <= 255.
    epochs : int
        The most epochs to run (1..1000); all of them unless the budget or the patience stops
        training first, which keeps results identical across machines.
    budget_seconds : float
        Wall-clock cap, checked after every epoch.
    patience : int or None
        Epochs without a better validation loss before stopping (None: never).
    batch_size : int
        Patches per step.
    validation : float
        Share of the patches held out to report a validation loss, in [0.01, 0.5].
    seed : int
        Seeds the noise, the split and the shuffling.

    Returns
    -------
    History
        Losses are the mean squared error against the clean patches.
    """
    _check_model(model)
    P = _images("patches", patches)
    if P.ndim != 4 or P.shape[-1] != model.input_shape[-1]:
        raise ValueError(f"patches must be (N, P, P, {model.input_shape[-1]}), got shape "
                         f"{P.shape}")
    if P.shape[1] % 2 ** model.levels or P.shape[2] % 2 ** model.levels:
        raise ValueError(f"patch sides must be multiples of {2 ** model.levels} for a model "
                         f"with {model.levels} levels, got {P.shape[1:3]}")
    if not isinstance(noise, (tuple, list)) or len(noise) != 2:
        raise TypeError(f"noise must be a pair (low, high), got {noise!r}")
    low = check_float("noise[0]", noise[0], minimum=0.0, maximum=255.0)
    high = check_float("noise[1]", noise[1], minimum=low, maximum=255.0)
    epochs, budget, patience = check_budget(epochs, budget_seconds, patience, most=1000)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=65_536)
    validation = check_float("validation", validation, minimum=0.01, maximum=0.5)
    seed = check_seed("seed", seed)
    if len(P) < 10:
        raise ValueError(f"patches must hold at least 10 patches, got {len(P)}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(P))
    n_val = max(1, int(round(validation * len(P))))
    val, train = P[order[:n_val]], P[order[n_val:]]
    keras.utils.set_random_seed(seed)
    return fit_keras(model, _noisy(train, (low, high), rng), train,
                     (_noisy(val, (low, high), rng), val), epochs=epochs,
                     batch_size=batch_size, budget_seconds=budget, patience=patience)


def _padded(model, image: object) -> tuple[np.ndarray, int, int]:
    _check_model(model)
    img = _images("image", image)
    if img.ndim != 3 or img.shape[-1] != model.input_shape[-1]:
        raise ValueError(f"image must be (H, W, {model.input_shape[-1]}), got shape "
                         f"{img.shape}")
    h, w = img.shape[:2]
    m = 2 ** model.levels
    pad = ((0, -h % m), (0, -w % m), (0, 0))
    return np.pad(img, pad, mode="reflect")[None], h, w


def pixel_codes(model, image: object) -> np.ndarray:
    """The code of every pixel of one image, (H * W, features), rows in row-major order.

    The code map is upsampled back to the image (bilinear) where the encoder downsamples.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_pixel_autoencoder`.
    image : (H, W, C) array
        uint8 0..255 or float 0..1, any size.

    Returns
    -------
    (H * W, features) float32 array
    """
    x, h, w = _padded(model, image)
    encoder = keras.Model(model.input, model.get_layer("code").output)
    code = encoder(x)
    code = ops.image.resize(code, (x.shape[1], x.shape[2]), interpolation="bilinear")
    code = ops.convert_to_numpy(code)[0, :h, :w]
    return code.reshape(h * w, -1).astype(np.float32)


def reconstruct_image(model, image: object) -> np.ndarray:
    """The autoencoder's output for one image, (H, W, C) float in [0, 1].

    Parameters
    ----------
    model, image
        As for :func:`pixel_codes`.

    Returns
    -------
    (H, W, C) float array in [0, 1]
    """
    x, h, w = _padded(model, image)
    return ops.convert_to_numpy(model(x))[0, :h, :w]
