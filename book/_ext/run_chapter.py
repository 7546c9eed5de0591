"""Execute one chapter as the book build does, and print its time and its kernel's peak memory.

    make chapter NB=05b                       # or: .venv/bin/python book/_ext/run_chapter.py 05b
    make chapter NB=05b CELLS=5               # also the five slowest cells
    make chapter NB=05b OUT=/tmp/05b.ipynb    # also keep the executed notebook
    make chapter NB=05b MEMORY=5              # also the five cells that raised the peak most

The notebook runs in ``notebooks/`` (like the build and JupyterLab), in the book's kernel, with
the build's settings: at most two malloc arenas, quiet TensorFlow, a fixed hash seed, the same
per-cell timeout, and a cell error stops it.  Its time is the wall time of executing the cells
(what myst-nb records for the instructors' table); its peak memory is the kernel's own peak
resident set (:func:`utils.timing.peak_memory_mb`), read by one extra cell after the last, as
the build's test does.
With ``--memory N`` a hook registered before the first cell reads the peak and the current
resident set after every cell, and the N cells that raised the peak most are printed with the
resident set they left behind.  The committed notebook is never modified.  The goals come
from ``tests/budgets.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BUILD_ENV = {"MALLOC_ARENA_MAX": "2", "TF_CPP_MIN_LOG_LEVEL": "3",
             "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}
PEAK_CELL = ("import json\nfrom utils.timing import peak_memory_mb\n"
             "print(json.dumps({'peak_mb': peak_memory_mb()}))")
# After every cell: (execution count, peak MB, resident MB now), kept in the kernel.
MEMORY_HOOK = (
    "import resource as _l2ls_resource\n"
    "from utils.timing import peak_memory_mb as _l2ls_peak\n"
    "_l2ls_memory = []\n"
    "def _l2ls_after_cell(result):\n"
    "    with open('/proc/self/statm') as statm:\n"
    "        pages = int(statm.read().split()[1])\n"
    "    _l2ls_memory.append((result.execution_count,\n"
    "        _l2ls_peak(),\n"
    "        pages * _l2ls_resource.getpagesize() / 2 ** 20))\n"
    "get_ipython().events.register('post_run_cell', _l2ls_after_cell)")
MEMORY_REPORT = "import json\nprint(json.dumps(_l2ls_memory))"


def find_notebook(name: str) -> Path:
    """The one notebook whose file name starts with ``name`` (``05b``, ``05b_relational``...)."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"NB must name a chapter, such as NB=05b; got {name!r}")
    matches = sorted(NOTEBOOKS.glob(f"{Path(name).stem}*.ipynb"))
    if len(matches) != 1:
        known = ", ".join(p.stem for p in sorted(NOTEBOOKS.glob("*.ipynb")))
        found = "none" if not matches else ", ".join(p.stem for p in matches)
        raise ValueError(f"NB={name!r} must match exactly one notebook (it matched {found}); "
                         f"the notebooks are {known}")
    return matches[0]


def build_timeout() -> int:
    """The per-cell timeout of the book's ``_config.yml`` (``execute.timeout``)."""
    import yaml

    return int(yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"])


def cell_seconds(cell) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))
            ).total_seconds()


def first_line(cell) -> str:
    """A cell's first line of code (not a comment), to name it in the report."""
    return next((line for line in cell.source.splitlines()
                 if line.strip() and not line.startswith("#")), "")


def memory_by_cell(cells, records) -> list[tuple[float, float, float, int]]:
    """(peak raised by the cell, peak after it, resident set after it, cell index), the cells
    that raised the peak, largest rise first; ``records`` from :data:`MEMORY_HOOK`."""
    after = {count: (peak, rss) for count, peak, rss in records}
    rows, previous = [], None
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or cell.get("execution_count") not in after:
            continue
        peak, rss = after[cell.execution_count]
        if previous is not None and peak > previous:
            rows.append((peak - previous, peak, rss, index))
        previous = peak
    return sorted(rows, reverse=True)


def run(path: Path, slowest: int = 0, output: Path | None = None, memory: int = 0) -> dict:
    import nbformat
    from nbclient import NotebookClient

    for key, value in BUILD_ENV.items():
        os.environ.setdefault(key, value)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    if memory:
        nb.cells.insert(0, nbformat.v4.new_code_cell(MEMORY_HOOK))
        nb.cells.append(nbformat.v4.new_code_cell(MEMORY_REPORT))
    client = NotebookClient(nb, timeout=build_timeout(), kernel_name="python3",
                            allow_errors=False, record_timing=True,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    raised = []
    if memory:
        report = nb.cells.pop()
        nb.cells.pop(0)
        text = "".join(o.get("text", "") for o in report.outputs if o.output_type == "stream")
        raised = memory_by_cell(nb.cells, json.loads(text.strip().splitlines()[-1]))[:memory]
    peak_cell = nb.cells.pop()
    text = "".join(o.get("text", "") for o in peak_cell.outputs if o.output_type == "stream")
    peak = json.loads(text.strip().splitlines()[-1])["peak_mb"]
    stderr = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and any(
        o.output_type == "stream" and o.name == "stderr" for o in c.get("outputs", []))]
    cells = sorted(((cell_seconds(c), i) for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and cell_seconds(c) is not None), reverse=True)
    if output is not None:
        nbformat.write(nb, output)
    return {"notebook": path.stem, "seconds": seconds, "peak_mb": peak,
            "slowest_cells": cells[:slowest], "stderr_cells": stderr, "nb": nb,
            "peak_raised_by": raised}


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    import budgets

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("nb", help="the start of a notebook's file name, such as 05b")
    parser.add_argument("--cells", type=int, default=0, help="print the N slowest cells")
    parser.add_argument("--output", type=Path, help="write the executed notebook there")
    parser.add_argument("--memory", type=int, default=0,
                        help="print the N cells that raised the kernel's peak memory most")
    args = parser.parse_args(argv)
    if args.cells < 0:
        parser.error(f"--cells must be 0 or more, got {args.cells}")
    if args.memory < 0:
        parser.error(f"--memory must be 0 or more, got {args.memory}")
    try:
        path = find_notebook(args.nb)
    except ValueError as error:
        parser.error(str(error))
    print(f"executing {path.relative_to(ROOT)} ...", flush=True)
    result = run(path, args.cells, args.output, args.memory)
    goal = budgets.goal_seconds(path.stem)
    print(f"{path.stem}: executed in {result['seconds']:.1f} s (goal {goal} s), "
          f"kernel peak {result['peak_mb']:,.0f} MB (goal {budgets.GOAL_MEMORY_MB:,} MB)")
    for seconds, index in result["slowest_cells"]:
        print(f"  cell {index:3d}: {seconds:6.1f} s  {first_line(result['nb'].cells[index])[:60]}")
    if result["peak_raised_by"]:
        print("  cells that raised the peak (rise, peak after, resident set after):")
    for rise, peak, rss, index in result["peak_raised_by"]:
        print(f"  cell {index:3d}: +{rise:5.0f} MB to {peak:5.0f} MB, {rss:5.0f} MB after  "
              f"{first_line(result['nb'].cells[index])[:40]}")
    if result["stderr_cells"]:
        print(f"  cells writing to stderr (the build fails on them): {result['stderr_cells']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
