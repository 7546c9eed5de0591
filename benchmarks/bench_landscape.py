"""Per-pixel loops versus utils.landscape at 512 x 512, in one process.

The naive side is the tutorials' approach, kept in utils.naive: one ``noise.pnoise2`` call per
cell, and an if/elif colour chain per pixel.  Each side is timed as the best of a few runs; the
script prints both times, the speed-up and the largest absolute difference between the outputs,
and exits non-zero if the outputs disagree.

    python benchmarks/bench_landscape.py [--size 512] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from utils import landscape as ls
from utils import naive
from utils.timing import best_time

TARGETS = {"perlin heights": 3.0, "soft colouring": 50.0}  # speed-ups the book promises


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    n, repeat = args.size, args.repeat
    params = dict(scale=100.0, octaves=6, persistence=0.5, lacunarity=2.0)

    t_loop_h, h_loop = best_time(lambda: naive.heightmap_loop(n, **params), repeat)
    t_vec_h, h_vec = best_time(lambda: ls.fractal_heightmap(n, seed=None, **params), repeat)
    heights = ls.normalise(h_vec)
    t_loop_c, c_loop = best_time(lambda: naive.colourise_loop(
        heights, ls.DEFAULT_THRESHOLDS, ls.TERRAIN_COLOURS, 0.05), repeat)
    t_vec_c, c_vec = best_time(lambda: ls.colourise(heights, transition_width=0.05), repeat)

    rows = [
        ("perlin heights", t_loop_h, t_vec_h, float(np.abs(h_loop - h_vec).max()), 1e-6),
        ("soft colouring", t_loop_c, t_vec_c,
         float(np.abs(c_loop.astype(int) - c_vec.astype(int)).max()), 1.0),
    ]
    print(f"landscape benchmark: {n} x {n}, best of {repeat}, numpy {np.__version__}")
    print(f"{'step':<16}{'per-pixel (s)':>14}{'utils (s)':>11}{'speed-up':>10}"
          f"{'target':>8}{'max |diff|':>12}")
    ok = True
    for name, t_loop, t_vec, diff, tolerance in rows:
        ratio = t_loop / t_vec
        print(f"{name:<16}{t_loop:14.3f}{t_vec:11.4f}{ratio:9.1f}x{TARGETS[name]:7.0f}x"
              f"{diff:12.3g}  {'ok' if ratio >= TARGETS[name] else 'BELOW TARGET'}")
        if diff > tolerance:
            print(f"  outputs disagree: {diff} > {tolerance}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
