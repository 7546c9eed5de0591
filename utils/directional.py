"""Directional features (chapters 5b to 7): untrained, translation-invariant relation features of
level grids, from chapter 4a's parameter-free :class:`~utils.layers.DirectionalContext` layer.

Importing this module imports TensorFlow (quietly, see :func:`utils.quiet.quiet_tensorflow`).

Example
-------
>>> import numpy as np
>>> grid = np.zeros((1, 50, 50), dtype=np.uint8)
>>> grid[0, 2, 2], grid[0, 22, 2] = 1, 2          # a 1 above a 2
>>> directional_features(grid).reshape(1, 4, 10, 4)[0, 0, 1, 1] > 0   # 1 has a 2 below
np.True_
"""

from __future__ import annotations

import numpy as np

from ._validation import check_int
from .arrangements import check_lattice_grids
from .quiet import quiet_tensorflow
from .training import in_chunks

quiet_tensorflow()
from keras import ops  # noqa: E402  (after TensorFlow was imported quietly)

from .layers import DirectionalContext  # noqa: E402

__all__ = ["directional_features"]


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
    for b in in_chunks(G, max(1, (16 << 20) // per_grid)):
        hot = b[..., None] == np.arange(1, n_levels + 1, dtype=b.dtype)   # (B, H, W, L)
        occ = hot.reshape(len(b), h // block, block, w // block, block, n_levels)
        occ = occ.any(axis=(2, 4)).astype("float32")       # levels present in each block
        maps = ops.convert_to_numpy(layer(occ))[..., n_levels:]    # (B, r, c, 10 * L)
        paired = occ[..., :, None] * maps[..., None, :]             # (B, r, c, L, 10 L)
        out.append(paired.max(axis=(1, 2)).reshape(len(b), -1))
    return np.concatenate(out).astype(np.float32)
