"""Wall-clock timing shared by the notebooks and the benchmarks.

Example
-------
>>> seconds, value = best_time(lambda: sum(range(1000)), repeat=2)
>>> value, seconds >= 0
(499500, True)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from ._validation import check_int

__all__ = ["best_time"]

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
