"""Choosing k: the tutorials' sweep against utils.segmentation.kmeans_sweep, in one process.

The tutorials' way fits k-means on every pixel, twice for each k = 1..10 (once to segment, once
more to read the inertia), then picks the elbow.  utils fits each k once on the image's distinct
colours weighted by their pixel counts: the same objective as fitting every pixel, on a few
hundred rows.  Both elbows are found with the same kneed call.  Prints both times, the speed-up
(like for like: inertia only) and the k each chooses; the time with the three extra criteria
(silhouette, Calinski-Harabasz, Davies-Bouldin) is printed too.

    python benchmarks/bench_kmeans.py [--size 512] [--repeat 1]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from sklearn.cluster import KMeans

from utils import landscape as ls
from utils.pixel_features import pixel_features
from utils.segmentation import find_elbow, kmeans_sweep
from utils.timing import best_time

KS = list(range(1, 11))
TARGET = 5.0


def tutorial_sweep(pixels: np.ndarray) -> list[float]:
    """Two full fits per k, as the tutorials do; returns the inertia of the second."""
    wcss = []
    for k in KS:
        KMeans(n_clusters=k, random_state=42).fit(pixels)          # "classify_image"
        wcss.append(KMeans(n_clusters=k, random_state=42).fit(pixels).inertia_)
    return wcss


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    land = ls.synthetic_landscape(args.size, seed=0)
    pixels, _ = pixel_features(land.rgb, ("colour",), standardise=False)

    t_tut, wcss_tut = best_time(lambda: tutorial_sweep(pixels), args.repeat)
    t_utils, sweep = best_time(lambda: kmeans_sweep(pixels, KS, seed=0, criteria=False),
                               args.repeat)
    t_criteria, _ = best_time(lambda: kmeans_sweep(pixels, KS, seed=0, criteria=True), 1)
    k_tut = find_elbow(KS, wcss_tut)
    k_utils = find_elbow(sweep["k"], sweep["wcss"])
    ratio = t_tut / t_utils
    print(f"k-means sweep benchmark: {args.size} x {args.size} pixels, k = 1..10")
    print(f"{'approach':<34}{'time (s)':>9}{'elbow k':>9}")
    print(f"{'tutorial: 2 full fits per k':<34}{t_tut:9.2f}{k_tut!s:>9}")
    print(f"{'utils: weighted unique colours':<34}{t_utils:9.2f}{k_utils!s:>9}")
    print(f"{'utils, + silhouette, CH and DB':<34}{t_criteria:9.2f}{k_utils!s:>9}")
    print(f"speed-up {ratio:.1f}x (target {TARGET:.0f}x): {'ok' if ratio >= TARGET else 'BELOW'}")
    if k_tut != k_utils:
        print(f"chosen k disagree: {k_tut} vs {k_utils}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
