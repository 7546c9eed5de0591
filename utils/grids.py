"""Level grids, the book's one data type: checking them, one channel per level, counting levels.

A *level grid* is an integer array (H, W), or a batch (N, H, W), whose cells hold levels
0..n_levels, 0 being the background.  Every module that takes grids validates them with
:func:`check_grid`; networks read them as :func:`one_hot` channels (one per level 1..n_levels,
none for the background); :func:`level_counts` is the baseline every chapter compares with
(how many cells of each level, with no arrangement at all).  These three lived in
:mod:`utils.relations` until issue 37, which made that module a hub every other imported.

Example
-------
>>> level_counts([[0, 1], [2, 2]], n_levels=2).tolist()
[1, 2]
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int, check_real_array

__all__ = ["check_grid", "one_hot", "level_counts"]


def check_grid(grid: object, n_levels: int | None = None, name: str = "grid") -> np.ndarray:
    """Validate one grid (H, W) or a batch (N, H, W) of integer levels 0..n_levels.

    Parameters
    ----------
    grid : array
        One grid (H, W) or a batch (N, H, W); float arrays of whole numbers are accepted.
    n_levels : int, optional
        Highest level allowed (255 when None).
    name : str
        The caller's parameter name, for messages.

    Returns
    -------
    integer array
    """
    arr = check_real_array(name, grid, ndim=(2, 3))
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer levels, got non-integer values "
                            f"(dtype {arr.dtype})")
    top = 255 if n_levels is None else check_int("n_levels", n_levels, minimum=1, maximum=255)
    if arr.min() < 0 or arr.max() > top:
        raise ValueError(f"{name} must hold levels in 0..{top}, got range "
                         f"{arr.min()}..{arr.max()}")
    return arr


def one_hot(grids: object, n_levels: int = 4, dtype: str = "float32") -> np.ndarray:
    """One channel per level 1..n_levels (the background gets none): (..., H, W, n_levels).

    Parameters
    ----------
    grids : (H, W) or (N, H, W) integer array
        Levels 0..n_levels.
    n_levels : int
        Number of channels.
    dtype : str
        A real dtype (``"uint8"`` uses a quarter of float32's memory).

    Returns
    -------
    (..., H, W, n_levels) array

    Examples
    --------
    >>> one_hot([[0, 2], [1, 0]], n_levels=2)[..., 1].tolist()
    [[0.0, 1.0], [0.0, 0.0]]
    """
    n_levels = check_int("n_levels", n_levels, minimum=1, maximum=255)
    try:
        dtype_kind = np.dtype(dtype).kind
    except TypeError as exc:
        raise TypeError(f"dtype must be a real NumPy dtype, got {dtype!r}") from exc
    if dtype_kind not in "uif":
        raise TypeError(f"dtype must be an unsigned, signed integer or float dtype (uint8 "
                        f"saves memory), got {np.dtype(dtype)}")
    g = check_grid(grids, n_levels, name="grids")
    return (g[..., None] == np.arange(1, n_levels + 1)).astype(dtype)


def level_counts(grids: object, n_levels: int = 4) -> np.ndarray:
    """Cells of every level 1..n_levels in each grid: (N, n_levels) (or (n_levels,) for one grid).

    Parameters
    ----------
    grids : (H, W) or (N, H, W) integer array
        Levels 0..n_levels.
    n_levels : int
        Levels counted.

    Returns
    -------
    (N, n_levels) or (n_levels,) integer array
    """
    g = check_grid(grids, n_levels, name="grids")
    flat = g.reshape(g.shape[0], -1) if g.ndim == 3 else g.reshape(1, -1)
    counts = np.stack([(flat == k).sum(axis=1) for k in range(1, n_levels + 1)], axis=1)
    return counts if g.ndim == 3 else counts[0]
