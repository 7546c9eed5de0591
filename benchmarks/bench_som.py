"""Winner maps: the per-pixel ``som.winner`` loop against utils.som.winner_map, in one process.

A 10 x 10 MiniSom is trained on the standardised colours of a 512 x 512 landscape; then every
pixel is mapped to its best-matching unit, once with a Python loop over ``som.winner`` (the
tutorials' way) and once with the chunked, vectorised ``winner_map``.  Two inputs: the clean
image (few distinct colours, resolved once each) and a noisy copy (every pixel distinct, the
chunked matrix path).  Prints both times, the speed-up, whether the labels are identical, and
the peak extra memory of the vectorised pass (tracemalloc).

    python benchmarks/bench_som.py [--size 512]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

import numpy as np

from utils import landscape as ls
from utils.naive import winner_loop
from utils.pixel_features import pixel_features
from utils.som import train_som, winner_map

TARGET, MEMORY_LIMIT_MB = 20.0, 300.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    land = ls.synthetic_landscape(args.size, seed=0)
    print(f"SOM winner-map benchmark: {args.size} x {args.size} pixels, 10 x 10 map")
    print(f"{'input':<8}{'loop (s)':>9}{'vectorised (s)':>15}{'speed-up':>10}{'identical':>10}"
          f"{'peak MB':>9}")
    ok = True
    for name, image in (("clean", land.rgb), ("noisy", ls.noisy_image(land.rgb, 45, seed=1))):
        X, _ = pixel_features(image, ("colour",))
        som = train_som(X, (10, 10), iterations=3000, sigma=2.0, seed=0, n_checkpoints=1).som
        start = time.perf_counter()
        loop = winner_loop(som, X)
        t_loop = time.perf_counter() - start
        t_vec, peak = np.inf, 0
        for _ in range(args.repeat):
            tracemalloc.start()
            start = time.perf_counter()
            vec = winner_map(som, X)
            t_vec = min(t_vec, time.perf_counter() - start)
            peak = max(peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
        same = bool(np.array_equal(loop, vec))
        ratio = t_loop / t_vec
        print(f"{name:<8}{t_loop:9.2f}{t_vec:15.3f}{ratio:9.0f}x{str(same):>10}"
              f"{peak / 1e6:9.1f}  {'ok' if ratio >= TARGET else 'BELOW TARGET'}")
        ok &= same and peak / 1e6 < MEMORY_LIMIT_MB
    print(f"targets: speed-up >= {TARGET:.0f}x, identical labels, peak < {MEMORY_LIMIT_MB:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
