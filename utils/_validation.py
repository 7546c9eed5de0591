"""Argument checks shared by the public functions of :mod:`utils`.

Every check raises :class:`TypeError` (wrong kind of object) or :class:`ValueError` (right kind,
unacceptable value) with a message that names the parameter, shows the value received and says
what is accepted.  Keeping them here makes the messages uniform across the package.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np


def describe(value: object) -> str:
    """A short, readable rendering of ``value`` for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_som(name: str, som: object) -> np.ndarray:
    """The (rows, cols, F) node weights of a trained ``minisom.MiniSom``, or a ``TypeError``
    naming ``name`` for anything else."""
    get = getattr(som, "get_weights", None)
    if get is None:
        raise TypeError(f"{name} must be a trained minisom.MiniSom (run.som), got "
                        f"{type(som).__name__}")
    return np.asarray(get())


def check_onehot(name: str, x: object, n_levels: int | None = None) -> np.ndarray:
    """A batch of one-hot grids (N, H, W, L) with values in 0..1 (and L == ``n_levels``)."""
    arr = check_real_array(name, x, ndim=4)
    if n_levels is not None and arr.shape[-1] != n_levels:
        raise ValueError(f"{name} must have {n_levels} channels (one per level), got shape "
                         f"{arr.shape}")
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(f"{name} must be one-hot (values 0 and 1), got range "
                         f"{arr.min()}..{arr.max()}")
    return arr


def check_instance(name: str, value: object, kind: type, builder: str) -> None:
    """A ``TypeError`` naming ``name`` unless ``value`` is a ``kind`` (made by ``builder``)."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} (from {builder}), got "
                        f"{type(value).__name__}")


def check_rgb(name: str, image: object) -> np.ndarray:
    """An RGB image (H, W, 3), uint8 or float in 0..255, as float64 in [0, 1] (floats already in
    [0, 1] are kept as they are)."""
    img = check_real_array(name, image, ndim=3, low=0.0, high=255.0)
    if img.shape[2] != 3:
        raise ValueError(f"{name} must have 3 colour channels (H, W, 3), got shape {img.shape}")
    # uint8 images and float images in 0..255 are scaled to [0, 1]; floats already in [0, 1] kept
    scale = 255.0 if (img.dtype == np.uint8 or img.max() > 1.0) else 1.0
    return img.astype(np.float64) / scale


def check_int(name: str, value: object, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name: str, value: object, *, minimum: float | None = None,
                maximum: float | None = None, min_inclusive: bool = True,
                max_inclusive: bool = True) -> float:
    """Return ``value`` as a finite ``float`` after checking its type and range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if (value < minimum) if min_inclusive else (value <= minimum):
            op = ">=" if min_inclusive else ">"
            raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None:
        if (value > maximum) if max_inclusive else (value >= maximum):
            op = "<=" if max_inclusive else "<"
            raise ValueError(f"{name} must be {op} {maximum}, got {value}")
    return value


def check_bool(name: str, value: object) -> bool:
    """A flag must be a real ``bool`` (or NumPy bool): the string ``"False"`` is truthy, so
    accepting anything else would silently turn a flag on."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)


def check_size(name: str, n_items: int, *, maximum: int, what: str = "elements") -> int:
    """Refuse a request for ``n_items`` (cells, pixels, samples...) above ``maximum`` before
    anything is allocated, saying how big it would be."""
    if n_items > maximum:
        raise ValueError(f"{name} asks for {n_items:,} {what}, more than the {maximum:,} this "
                         f"function allows (about {n_items * 8 / 2**30:.1f} GiB per float64 "
                         f"copy)")
    return n_items


MAX_SEED = 2**32 - 1
"""Largest seed: every library the package seeds accepts it."""


def check_seed(name: str, value: object, *, allow_none: bool = False) -> int | None:
    """A seed is a non-negative integer (or ``None`` where that has a documented meaning)."""
    if value is None and allow_none:
        return None
    accepted = "a non-negative integer" + (" or None" if allow_none else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {accepted}, got {describe(value)}")
    if value < 0 or value > MAX_SEED:
        raise ValueError(f"{name} must be {accepted} up to 2**32 - 1 (what NumPy's legacy "
                         f"seeding, MiniSom and Keras accept), got {value}")
    return int(value)


def check_shape2d(name: str, value: object) -> tuple[int, int]:
    """A grid size: a positive int ``n`` (meaning ``(n, n)``) or a pair of positive ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        n = check_int(name, value, minimum=1)
        return (n, n)
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        rows = check_int(f"{name}[0]", value[0], minimum=1)
        cols = check_int(f"{name}[1]", value[1], minimum=1)
        return (rows, cols)
    raise TypeError(f"{name} must be a positive integer or a pair of positive integers, "
                    f"got {describe(value)}")


def check_real_array(name: str, value: object, *, ndim: int | tuple[int, ...] | None = None,
                finite: bool = True, low: float | None = None, high: float | None = None,
                min_size: int = 1) -> np.ndarray:
    """Return ``value`` as a real-valued NumPy array after checking dimensions and values.

    ``low``/``high`` are inclusive bounds on every element.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of real numbers, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested lists, for example
        raise TypeError(f"{name} must be an array of real numbers, got {describe(value)}") from exc
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers (integer or float dtype), "
                        f"got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            wanted = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {wanted}, got a {arr.ndim}-D array "
                             f"of shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), "
                         f"got shape {arr.shape}")
    if finite and np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise ValueError(f"{name} must contain only finite values, got {bad} NaN or "
                         f"infinite value(s)")
    if low is not None and arr.size and arr.min() < low:
        raise ValueError(f"{name} must have every value >= {low}, got minimum {arr.min()}")
    if high is not None and arr.size and arr.max() > high:
        raise ValueError(f"{name} must have every value <= {high}, got maximum {arr.max()}")
    return arr


def check_features(name: str, value: object, *, min_rows: int = 1,
                   keep_float32: bool = False) -> np.ndarray:
    """A feature table: 2-D (rows x features), real and finite, at least ``min_rows`` rows;
    returned as float64 (or float32 kept as it is, to spare memory, with ``keep_float32``)."""
    arr = check_real_array(name, value, ndim=2)
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} must have at least {min_rows} rows, got shape {arr.shape}")
    dtype = np.float32 if keep_float32 and arr.dtype == np.float32 else np.float64
    return arr.astype(dtype, copy=False)


def check_labels(name: str, value: object, *, ndim: int | tuple[int, ...] | None = None,
                 below: int | None = None) -> np.ndarray:
    """Integer labels (class, cluster or node indices): an integer dtype (``TypeError``
    otherwise), non-negative, and below ``below`` when given; returned as int64, so that
    arithmetic on them cannot wrap round in a small dtype."""
    arr = check_real_array(name, value, ndim=ndim)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer labels, got dtype {arr.dtype}")
    if arr.min() < 0:
        raise ValueError(f"{name} must hold non-negative labels, got minimum {arr.min()}")
    if below is not None and arr.max() >= below:
        raise ValueError(f"{name} must hold labels below {below}, got maximum {arr.max()}")
    return arr.astype(np.int64, copy=False)


def check_image_shape(name: str, shape: object, n_rows: int) -> tuple[int, int]:
    """``shape`` is a pair (H, W) of positive integers with H * W equal to ``n_rows`` (the
    per-pixel feature rows of an image)."""
    if not isinstance(shape, tuple) or len(shape) != 2:
        raise TypeError(f"{name} must be a pair (H, W), got {shape!r}")
    h = check_int(f"{name}[0]", shape[0], minimum=1)
    w = check_int(f"{name}[1]", shape[1], minimum=1)
    if h * w != n_rows:
        raise ValueError(f"{name} {shape} has {h * w} pixels, features has {n_rows} rows")
    return h, w


def check_ks(ks: object, low: int, high: int, why: str) -> np.ndarray:
    """Numbers of clusters ``ks``: a 1-D sequence of integers in low..high (``why`` says where
    the bounds come from)."""
    k_arr = check_real_array("ks", ks, ndim=1)
    if not np.issubdtype(k_arr.dtype, np.integer):
        raise TypeError(f"ks must hold integers, got dtype {k_arr.dtype}")
    if k_arr.min() < low or k_arr.max() > high:
        raise ValueError(f"ks must lie in {low}..{high} ({why}), got {k_arr.tolist()}")
    return k_arr


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """``value`` must be one of the strings in ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {describe(value)}")
    return value


def check_increasing(name: str, value: object, *, low: float, high: float,
                     length: int | None = None) -> np.ndarray:
    """A 1-D sequence of strictly increasing values strictly inside ``(low, high)``."""
    arr = check_real_array(name, value, ndim=1).astype(float)
    if length is not None and arr.size != length:
        raise ValueError(f"{name} must have {length} values, got {arr.size}: {arr.tolist()}")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {arr.tolist()}")
    if arr[0] <= low or arr[-1] >= high:
        raise ValueError(f"{name} must lie strictly between {low} and {high}, "
                         f"got {arr.tolist()}")
    return arr
