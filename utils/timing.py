"""Wall-clock timing shared by the notebooks and the benchmarks, and the resources a kernel used.

Example
-------
>>> seconds, value = best_time(lambda: sum(range(1000)), repeat=2)
>>> value, seconds >= 0
(499500, True)
>>> peak_memory_mb() > 0
True
>>> "CPU" in machine_summary()
True
>>> release_freed_memory() in (True, False)
True
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from typing import TypeVar

from ._validation import check_int

__all__ = ["best_time", "machine_summary", "peak_memory_mb", "release_freed_memory"]

T = TypeVar("T")


def best_time(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Call ``fn`` ``repeat`` times; the best wall-clock time (the run least disturbed by other
    work on the machine) and the last result.

    Parameters
    ----------
    fn : callable
        Called with no argument.
    repeat : int
        Calls, 1..100.

    Returns
    -------
    (seconds, result)
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable with no argument, got {type(fn).__name__}")
    repeat = check_int("repeat", repeat, minimum=1, maximum=100)
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def release_freed_memory() -> bool:
    """Hand the heap memory this process has freed back to the operating system.

    The C library keeps freed memory for later allocations instead of returning it.  Training
    a network frees a few hundred MB at its end (the traced training step, its batches and
    gradients) that the process then keeps, so the next network's peak stacks on top of the
    last one's.  With glibc (Linux), ``malloc_trim(0)`` returns it: measured on chapter 5b's
    encoder, the resident set fell from 1,005 to 739 MB after one epoch.  The trainers and
    model builders of ``utils`` call this after every training and before every new network.

    Returns
    -------
    bool
        True if memory was handed back, False where the C library has no ``malloc_trim``
        (macOS, Windows) or had nothing to return.
    """
    import gc

    gc.collect()
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    return bool(trim(0))


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far, in MB (1 MB = 1,048,576 bytes).

    Each chapter calls it in its last cell, so the build records how much memory the chapter's
    kernel needed (the instructors' page shows it).  On Linux it reads the process's own
    high-water mark (``VmHWM`` in ``/proc/self/status``), not ``ru_maxrss``: Linux carries a
    process's ``ru_maxrss`` over from the parent it was forked from, so a kernel started by a
    large process (the book build imports TensorFlow for the API reference) would report the
    parent's size (measured: an 11 MB child of a 425 MB process reports 425 MB).

    Returns
    -------
    float
        Megabytes; ``nan`` where the operating system does not report it (Windows has no
        ``resource`` module).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024       # kB
    except OSError:   # not Linux
        pass
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # macOS reports bytes (Linux kilobytes, but Linux was answered above)
    return float(peak) / (1024 * 1024 if sys.platform == "darwin" else 1024)


def machine_summary() -> str:
    """One line naming what a measurement ran on: usable CPU cores, their model, memory, system.

    Returns
    -------
    str
        For example ``2 CPU cores (Intel(R) Xeon(R) CPU @ 2.20GHz), 7.8 GB RAM, Linux,
        Python 3.11``.
    """
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 0
    model = platform.processor() or platform.machine() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f
                     if line.startswith("model name")]
        model = names[0] if names else model
    except OSError:
        pass
    try:
        ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GB RAM"
    except (AttributeError, ValueError, OSError):
        ram = "RAM unknown"
    python = ".".join(map(str, sys.version_info[:2]))
    return (f"{cores} CPU core{'s' if cores != 1 else ''} ({model}), {ram}, "
            f"{platform.system()}, Python {python}")
