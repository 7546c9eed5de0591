"""The benchmarks keep working: each runs on a small size and reports agreeing outputs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

BENCHES = sorted((ROOT / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("bench", BENCHES, ids=lambda p: p.stem)
def test_benchmark_runs_and_outputs_agree(bench):
    proc = subprocess.run([sys.executable, str(bench), "--size", "48", "--repeat", "1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "speed-up" in proc.stdout and "disagree" not in proc.stdout
