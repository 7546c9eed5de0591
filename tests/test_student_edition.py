"""The student edition (`make student`, and the zip on the site): every exercise stays, no
solution survives, and every remaining cell still runs.

"Still runs" is checked two ways. The student editions of chapters 1 and 3 are executed here
for real (about 20 s). For every chapter, a static check proves the rest: the student edition
keeps the full notebook's code cells in order and drops only solution cells, and no kept cell
after a dropped one reads a name that a dropped cell binds. The full notebooks themselves are
executed by the book build (tests/test_book.py), so the kept cells run as they do there.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import NOTEBOOKS, ROOT
from words import whole_word

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import student_edition as se  # noqa: E402

SOLUTION_MARKERS = re.compile(r"\{solution(-start|-end)?\}")
EXECUTED = ("01_landscapes", "03_som_segmentation")


def source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.fixture(scope="module")
def editions():
    return {name: json.loads(text) for name, text in se.build().items()}


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def pair(request, editions):
    full = json.loads(request.param.read_text())
    return request.param.stem, full, editions[request.param.name]


def solution_code(full: dict) -> list[str]:
    """The code cells of a full notebook that sit inside a solution block."""
    out, inside = [], False
    for cell in full["cells"]:
        text = source(cell)
        if cell["cell_type"] == "code":
            if inside:
                out.append(text)
            continue
        for line in text.split("\n"):
            if se._START.match(line):
                inside = True
            elif se._END.match(line):
                inside = False
    return out


def test_every_chapter_has_a_student_edition(editions):
    assert sorted(editions) == sorted(p.name for p in NOTEBOOKS)


def test_no_solution_survives_and_every_exercise_stays(pair):
    stem, full, student = pair
    text = "\n".join(source(c) for c in student["cells"])
    assert not SOLUTION_MARKERS.search(text), f"{stem}: a solution directive survived"
    kept_code = {source(c) for c in student["cells"] if c["cell_type"] == "code"}
    removed = solution_code(full)
    assert removed, f"{stem}: no solution code found in the full notebook"
    for code in removed:
        assert code not in kept_code, f"{stem}: solution code kept:\n{code[:300]}"
    full_text = "\n".join(source(c) for c in full["cells"])
    labels = re.findall(r":label: (ex-[\w-]+)", full_text)
    assert labels == re.findall(r":label: (ex-[\w-]+)", text), f"{stem}: exercises changed"
    n_solutions = len(re.findall(r"\{solution-start\}", full_text))
    assert text.count(se.ANSWER_NOTE) == n_solutions, f"{stem}: one answer cell per solution"
    assert se.EDITION_NOTE in text


def test_cells_outside_solutions_are_kept_unchanged_and_in_order(pair):
    stem, full, student = pair
    removed = solution_code(full)
    full_code = [source(c) for c in full["cells"]
                 if c["cell_type"] == "code" and source(c) not in removed]
    student_code = [source(c) for c in student["cells"]
                    if c["cell_type"] == "code" and not c["id"].startswith("student-")]
    assert student_code == full_code, stem
    ids = [c["id"] for c in student["cells"]]
    assert len(ids) == len(set(ids)), f"{stem}: duplicate cell ids"
    nbformat.validate(nbformat.from_dict(student))
    assert all(c["outputs"] == [] for c in student["cells"] if c["cell_type"] == "code")


def _parse(code: str) -> ast.Module:
    # IPython magics (the Colab cell's %pip) are not Python: keep the line count, drop the line
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in code.split("\n")]
    return ast.parse("\n".join(lines))


def bound_names(tree: ast.AST) -> set[str]:
    """Names a cell binds at the top level (assignments, loops, imports, defs, with ... as)."""
    names = set()
    for stmt in tree.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def read_before_bound(tree: ast.AST) -> set[str]:
    """Names a cell may read from earlier cells: read in a statement before any earlier statement
    of the cell binds them (conservative: a name bound only inside a comprehension also counts)."""
    free, bound = set(), set()
    for stmt in tree.body:
        reads = {n.id for n in ast.walk(stmt)
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        free |= reads - bound
        bound |= bound_names(ast.Module(body=[stmt], type_ignores=[]))
    return free


def test_kept_cells_never_read_what_a_removed_solution_bound(pair):
    stem, full, student = pair
    removed_code = set(solution_code(full))
    removed_names: set[str] = set()
    for cell in full["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = _parse(source(cell))
        if source(cell) in removed_code:
            removed_names |= bound_names(tree)
            continue
        needs = read_before_bound(tree) & removed_names
        assert not needs, (f"{stem}: a kept cell reads {sorted(needs)}, bound only by a removed "
                           f"solution:\n{source(cell)[:300]}")


@pytest.mark.parametrize("stem", EXECUTED)
def test_student_edition_executes(stem, editions, tmp_path):
    nb = nbformat.reads(json.dumps(editions[f"{stem}.ipynb"]), as_version=4)
    client = NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{stem} cell {i}: {out.get('evalue')}"
            assert out.get("name") != "stderr", f"{stem} cell {i}: stderr {out.get('text')}"


def test_malformed_solutions_are_refused():
    def nb(*markdown):
        return {"cells": [{"cell_type": "markdown", "source": m} for m in markdown]}

    with pytest.raises(se.SolutionFormatError, match=whole_word("ungated")):
        se.student_notebook(nb(":::{solution} ex-1\nx\n:::"), "a.ipynb")
    with pytest.raises(se.SolutionFormatError, match="never closed"):
        se.student_notebook(nb("```{solution-start} ex-1\n```", "answer"), "b.ipynb")
    with pytest.raises(se.SolutionFormatError, match="without solution-start"):
        se.student_notebook(nb("```{solution-end}\n```"), "c.ipynb")
    with pytest.raises(TypeError, match="nb must be a notebook"):
        se.student_notebook(["not", "a", "notebook"], "d.ipynb")
    with pytest.raises(ValueError, match=whole_word("notebooks")):
        se.build([])


def test_a_solution_split_across_cells_is_removed_whole():
    full = {"cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {},
         "source": "Text\n:::{exercise} E\n:label: ex-e\n:::\n:::{solution-start} ex-e\n:::\nWhy"},
        {"cell_type": "code", "id": "b", "metadata": {}, "outputs": [], "execution_count": 1,
         "source": "answer = 42"},
        {"cell_type": "markdown", "id": "c", "metadata": {},
         "source": "Because.\n:::{solution-end}\n:::\n## Summary"},
    ]}
    student, removed = se.student_notebook(full)
    text = "\n".join(source(c) for c in student["cells"])
    assert "answer = 42" not in text and "Why" not in text and "Because" not in text
    assert "Text" in text and ":label: ex-e" in text and "## Summary" in text
    assert any(c["cell_type"] == "code" and c["id"] == "b" for c in removed)


def test_make_student_writes_the_notebooks_and_an_identical_zip(tmp_path):
    out, zipped = tmp_path / "student", tmp_path / "student-edition.zip"
    subprocess.run([sys.executable, str(ROOT / "book/_ext/student_edition.py"),
                    "--out", str(out), "--zip", str(zipped)], check=True, cwd=tmp_path)
    assert sorted(p.name for p in out.glob("*.ipynb")) == sorted(p.name for p in NOTEBOOKS)
    first = zipped.read_bytes()
    se.write_zip(se.build(), zipped)
    assert zipped.read_bytes() == first, "two runs gave different zips"
    with zipfile.ZipFile(zipped) as zf:
        assert sorted(zf.namelist()) == sorted(f"student/{p.name}" for p in NOTEBOOKS)
        for p in NOTEBOOKS:
            assert zf.read(f"student/{p.name}").decode() == (out / p.name).read_text()
