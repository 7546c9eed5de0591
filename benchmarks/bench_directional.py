"""The directional layer: cumulative sums against products with triangular matrices, in one
process.

:class:`utils.layers.DirectionalContext` gives every cell the sums of each channel above, below,
left, right, in the four quadrants and on its row and column.  The obvious way to write those
sums is with cumulative sums (``cumsum`` down the rows minus the cell itself, flipped for
"below"), which is what the layer did until December 2026; it now multiplies by a triangular
matrix of ones instead.  This benchmark times one forward and backward pass (what a training
step costs the layer) of both on a batch of 32 maps of 16 channels, as the directional network
of chapter 4a has them: a 10 x 10 map (5-cell stem on a 50 x 50 grid) and a larger one
(``--size``, default 25: the 2-cell stem).  The two ways run alternately, ``--repeat`` times
50 passes each, and the median is kept.  Prints both times, the speed-up, and whether the two
agree (largest difference below 1e-4 of the largest value) and with a NumPy count
(:func:`utils.naive.directional_loop`).

    python benchmarks/bench_directional.py [--size 25] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from utils.layers import DirectionalContext
from utils.naive import directional_loop
from utils.quiet import quiet_tensorflow

keras = quiet_tensorflow()
import tensorflow as tf  # noqa: E402  (after the quiet import)
from keras import ops  # noqa: E402

TARGET = 1.3
PASSES = 50


def cumsum_context(x):
    """The same ten maps written with cumulative sums: the earlier implementation."""
    def excl_cumsum(t, axis, reverse=False):
        if reverse:
            t = ops.flip(t, axis=axis)
        out = ops.cumsum(t, axis=axis) - t
        return ops.flip(out, axis=axis) if reverse else out

    above, below = excl_cumsum(x, 1), excl_cumsum(x, 1, reverse=True)
    left, right = excl_cumsum(x, 2), excl_cumsum(x, 2, reverse=True)
    quads = [excl_cumsum(above, 2), excl_cumsum(above, 2, reverse=True),
             excl_cumsum(below, 2), excl_cumsum(below, 2, reverse=True)]
    row = ops.sum(x, axis=2, keepdims=True) - x
    col = ops.sum(x, axis=1, keepdims=True) - x
    maps = [above, below, left, right, *quads, row, col]
    return ops.concatenate([x] + [ops.log1p(ops.relu(m)) for m in maps], axis=-1)


def step_of(context):
    """One forward and backward pass through ``context``, compiled as in training."""
    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(context(x)))
        return tape.gradient(loss, x)
    return step


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    layer = DirectionalContext()
    ways = {"cumsum": step_of(cumsum_context), "matrices": step_of(layer)}
    print("DirectionalContext benchmark: 32 maps x 16 channels, forward + backward, "
          f"median of {args.repeat} x {PASSES} passes")
    print(f"{'map':<9}{'cumsum (ms)':>12}{'matrices (ms)':>15}{'speed-up':>10}"
          f"{'agree':>7}{'NumPy':>7}")
    ok = True
    for side in (10, args.size):
        x = np.random.default_rng(side).random((32, side, side, 16)).astype("float32")
        xt = tf.constant(x)
        times = {name: [] for name in ways}
        for step in ways.values():
            step(xt)   # trace once
        for _ in range(args.repeat):
            for name, step in ways.items():
                start = time.perf_counter()
                for _ in range(PASSES):
                    step(xt).numpy()
                times[name].append((time.perf_counter() - start) / PASSES * 1000)
        old, new = (float(np.median(times[name])) for name in ways)
        new_out = np.asarray(layer(xt))
        scale = float(np.abs(new_out).max())
        agree = float(np.abs(new_out - np.asarray(cumsum_context(xt))).max()) < 1e-4 * scale
        small = x[:2, :8, :9, :3]   # the NumPy count is slow: a corner of two maps
        exact = bool(np.allclose(np.asarray(layer(tf.constant(small))), directional_loop(small),
                                 atol=1e-5))
        ratio = old / new
        print(f"{f'{side} x {side}':<9}{old:12.2f}{new:15.2f}{ratio:9.1f}x"
              f"{'yes' if agree else 'disagree':>7}{'yes' if exact else 'disagree':>7}"
              f"  {'ok' if ratio >= TARGET else 'BELOW TARGET'}")
        ok &= agree and exact
    print(f"targets: speed-up >= {TARGET}x (a goal, not checked: times vary from run to run), "
          "outputs that agree")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
