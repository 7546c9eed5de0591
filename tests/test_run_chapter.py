"""`make chapter NB=...` (book/_ext/run_chapter.py): one chapter executed as the build does, its
time and its kernel's peak memory printed; a name that matches no chapter, or several, is
refused with the list of chapters."""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import run_chapter as rc  # noqa: E402

# make's own install step is taken as done: the tests run inside the venv it made
MAKE = ["make", "--no-print-directory", "-o", ".venv/.installed"]


@pytest.mark.parametrize("name", ["01", "05b", "05b_relational_latent_space",
                                  "notebooks/05b_relational_latent_space.ipynb"])
def test_a_chapter_is_found_by_the_start_of_its_name(name):
    assert rc.find_notebook(name).parent == ROOT / "notebooks"
    assert rc.find_notebook(name).stem.startswith(name.split("/")[-1].split(".")[0])


@pytest.mark.parametrize("name, matched", [("zz", "none"), ("05", "05a_vae_latent_space"),
                                           ("", None), (" ", None)])
def test_a_name_that_matches_no_chapter_or_several_is_refused(name, matched):
    with pytest.raises(ValueError, match=r"\bNB\b") as error:
        rc.find_notebook(name)
    if matched:
        assert f"it matched {matched}" in str(error.value)
        assert "01_landscapes" in str(error.value)          # the list of chapters


def test_the_per_cell_timeout_is_the_builds():
    assert rc.build_timeout() == 180


def test_make_chapter_executes_one_chapter_and_reports_time_and_peak(tmp_path):
    """Chapter 1 (about 5 s) executed for real through make, with its slowest cells and the
    cells that raised its peak memory."""
    out = tmp_path / "01.ipynb"
    proc = subprocess.run([*MAKE, "chapter", "NB=01", "CELLS=2", "MEMORY=2", f"OUT={out}"],
                          cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("01_landscapes: executed"))
    seconds = float(line.split("executed in ")[1].split(" s")[0])
    peak = float(line.split("kernel peak ")[1].split(" MB")[0].replace(",", ""))
    assert 0 < seconds < 120 and 50 < peak < 1200, line
    assert "(goal 30 s)" in line and "(goal 1,200 MB)" in line
    lines = proc.stdout.splitlines()
    assert sum(re.match(r"  cell +\d+: +[\d.]+ s  ", x) is not None for x in lines) == 2
    rises = [x for x in lines if re.match(r"  cell +\d+: \+ *\d+ MB to +\d+ MB", x)]
    assert 1 <= len(rises) <= 2, proc.stdout
    assert all(float(x.split(" MB to ")[1].split()[0]) <= peak + 1 for x in rises)
    import nbformat

    executed = nbformat.read(out, as_version=4)
    committed = nbformat.read(ROOT / "notebooks" / "01_landscapes.ipynb", as_version=4)
    assert len(executed.cells) == len(committed.cells)      # the peak cell is not kept
    assert any(c.get("outputs") for c in executed.cells if c.cell_type == "code")
    assert not any(c.get("outputs") for c in committed.cells if c.cell_type == "code")


def test_the_cells_that_raised_the_peak_come_largest_rise_first():
    def code(count):
        return SimpleNamespace(cell_type="code", execution_count=count,
                               get=lambda key, default=None, c=count: c)

    markdown = SimpleNamespace(cell_type="markdown", get=lambda key, default=None: None)
    cells = [code(1), markdown, code(2), code(3), code(4)]
    # (execution count, peak MB, resident MB after the cell)
    records = [(1, 100.0, 90.0), (2, 400.0, 300.0), (3, 400.0, 250.0), (4, 900.0, 500.0)]
    assert rc.memory_by_cell(cells, records) == [(500.0, 900.0, 500.0, 4),
                                                 (300.0, 400.0, 300.0, 2)]


def test_make_chapter_without_a_name_says_how_to_call_it():
    proc = subprocess.run([*MAKE, "chapter"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0 and "usage: make chapter NB=05b" in proc.stdout
