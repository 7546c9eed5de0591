"""Shared fixtures: the repository layout and one fresh build of the whole book per test session.

The build runs `jupyter-book build` exactly as `make book` does (warnings are errors, a failing
cell fails the build) but into a new temporary folder, so nothing is reused from `_build/`.
Each notebook kernel records its own peak memory through an IPython startup file (the kernels are
child processes of the build; this is how their memory can be measured without re-running them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

# The same examples on every run (CI included): a failure is reproducible, never a dice roll.
settings.register_profile("book", derandomize=True, print_blob=True)
settings.load_profile("book")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_PEAK_MEMORY_STARTUP = textwrap.dedent("""
    # Written by tests/conftest.py: record this kernel's peak memory when it exits.
    import atexit as _atexit, json as _json, os as _os, time as _time
    from utils.timing import peak_memory_mb as _peak_memory_mb

    def _l2ls_record_peak(_start=_time.time()):
        with open(_os.environ["L2LS_KERNEL_LOG"], "a") as _f:
            _f.write(_json.dumps({
                "start": _start, "seconds": _time.time() - _start, "pid": _os.getpid(),
                "peak_mb": _peak_memory_mb(),
            }) + "\\n")

    _atexit.register(_l2ls_record_peak)
""")


@dataclass
class BookBuild:
    """The outcome of one build: where the HTML is, the log, and per-notebook measurements."""

    html: Path
    returncode: int
    log: str
    exec_seconds: dict[str, float]   # notebook stem -> execution time reported by myst-nb
    kernels: list[dict]              # one record per kernel, in start order


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    return files


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def load_build(out: Path, returncode: int = 0) -> BookBuild:
    """The measurements of a build in ``out`` (its log and the kernels' records)."""
    log = (out / "build.log").read_text()
    times = {Path(m.group(1)).stem: float(m.group(2)) for m in
             re.finditer(r"(\S+\.ipynb): Executed notebook in ([\d.]+) seconds", log)}
    kernel_log = out / "kernels.jsonl"
    kernels = []
    if kernel_log.exists():
        kernels = sorted((json.loads(line) for line in kernel_log.read_text().splitlines()),
                         key=lambda r: r["start"])
    return BookBuild(html=out / "_build" / "html", returncode=returncode, log=log,
                     exec_seconds=times, kernels=kernels)


BUILD_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONHASHSEED": "0"}


def calibrate() -> dict:
    """The seconds tests/calibrate.py's fixed workload takes on this machine now, measured in
    a fresh process."""
    proc = subprocess.run([sys.executable, str(ROOT / "tests" / "calibrate.py")], cwd=ROOT,
                          env={**os.environ, **BUILD_ENV}, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, f"the calibration workload failed:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def machine_speed() -> dict:
    """The calibration workload's seconds just before the book is built (the time budgets
    scale with it, and with :func:`machine_speed_after`)."""
    return calibrate()


@pytest.fixture(scope="session")
def machine_speed_after(built_book) -> dict:
    """The same workload just after the build.  A shared machine's speed changes over the ten
    minutes of a build (chapters measured 1.5-2 times slower late in a build that had started
    at full speed); the budgets take the slower of the two measurements."""
    return calibrate()


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, machine_speed) -> BookBuild:
    # For maintainers re-running the book tests after fixing a test: L2LS_REUSE_BUILD=<folder
    # of an earlier test build> skips the build. make test and CI never set it.
    reuse = os.environ.get("L2LS_REUSE_BUILD")
    if reuse:
        return load_build(Path(reuse))
    out = tmp_path_factory.mktemp("book")
    ipython_dir = out / "ipython"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-record-peak-memory.py").write_text(_PEAK_MEMORY_STARTUP)
    kernel_log = out / "kernels.jsonl"
    env = {**os.environ, "IPYTHONDIR": str(ipython_dir), "L2LS_KERNEL_LOG": str(kernel_log),
           **BUILD_ENV}
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "--path-output", str(out),
           "--warningiserror", "--keep-going"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    (out / "build.log").write_text(proc.stdout + proc.stderr)
    shutil.rmtree(ipython_dir, ignore_errors=True)
    return load_build(out, proc.returncode)
