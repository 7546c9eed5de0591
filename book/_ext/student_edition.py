"""The student edition: every chapter notebook with the exercises' solutions taken out.

The exercises stay; each solution (a gated ``solution-start`` ... ``solution-end`` block of
sphinx-exercise, with the code cells inside it) is replaced by a short note and an empty code
cell for the student's answer.  It is generated from the same notebooks as the book, never
edited by hand:

- ``make student`` (``python book/_ext/student_edition.py``) writes them into ``student/``
  beside ``notebooks/`` (so ``../data`` still resolves; git ignores the folder) and zips them into
  ``_build/student-edition.zip``;
- as a Sphinx extension it writes ``student-edition.zip`` into the built site, where the
  instructors' and setup pages link to it.

A solution that is not gated (a ``{solution}`` directive) or a start without an end is refused,
so no solution can slip through unnoticed.  The zip is byte-identical between builds.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ZIP_NAME = "student-edition.zip"
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)   # zip entries carry no build time: identical builds

_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}")
_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}")
_UNGATED = re.compile(r"^\s*(`{3,}|:{3,})\{solution\}")

EDITION_NOTE = (
    "```{note}\n"
    "**Student edition.** The exercises at the end of this chapter have no solutions here: "
    "write your own in the empty cells below each exercise. The worked solutions are in the "
    "book's website and in the full notebooks of its repository.\n"
    "```"
)
ANSWER_NOTE = "*Your answer here (the worked solution is in the full edition).*"


class SolutionFormatError(ValueError):
    """A notebook's solutions are not in the form this generator can remove safely."""


def _markdown(text: str, cell_id: str) -> dict:
    lines = text.split("\n")
    return {"cell_type": "markdown", "id": cell_id, "metadata": {},
            "source": [line + "\n" for line in lines[:-1]] + [lines[-1]]}


def _empty_code(cell_id: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {},
            "outputs": [], "source": ["# Your answer here\n"]}


def student_notebook(nb: dict, name: str = "notebook") -> tuple[dict, list[dict]]:
    """The student edition of one notebook (a dict in nbformat 4) and the code cells removed.

    Markdown outside solutions is kept line for line, so an exercise and the end of the previous
    solution may share a cell.  Raises :class:`SolutionFormatError` naming the notebook and the
    cell for an ungated ``{solution}`` or a solution that is never closed.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TypeError(f"{name}: nb must be a notebook dict with a 'cells' list, "
                        f"got {type(nb).__name__}")
    cells, removed = [], []
    in_solution = False
    fence = None                       # closing fence of a solution-start/-end directive
    closing = False                    # inside the solution-end directive, before its fence
    added = 0
    noted = False                      # the edition note goes after the first markdown cell

    def new_id(kind: str) -> str:
        nonlocal added
        added += 1
        return f"student-{kind}-{added}"

    def emit(lines: list[str], cell: dict, parts: int) -> int:
        """Emit the kept lines of a markdown cell: the first part keeps the cell's id."""
        nonlocal noted
        text = "\n".join(lines).strip("\n")
        if not text.strip():
            return parts
        part = _markdown(text, cell.get("id", "") if parts == 0 else new_id("md"))
        part["metadata"] = copy.deepcopy(cell.get("metadata", {}))
        cells.append(part)
        if not noted:
            noted = True
            cells.append(_markdown(EDITION_NOTE, new_id("note")))   # after the title
        return parts + 1

    for index, cell in enumerate(nb["cells"]):
        where = f"{name}, cell {index}"
        if cell.get("cell_type") == "code":
            if in_solution:
                removed.append(cell)
                continue
            kept = copy.deepcopy(cell)
            kept["outputs"], kept["execution_count"] = [], None
            cells.append(kept)
            continue
        source = cell.get("source", "")
        lines = ("".join(source) if isinstance(source, list) else source).split("\n")
        pending: list[str] = []        # lines of this cell kept, not yet emitted
        parts = 0
        for line in lines:
            if _UNGATED.match(line):
                raise SolutionFormatError(
                    f"{where}: an ungated {{solution}} directive; use solution-start and "
                    "solution-end so that the student edition can remove it")
            if not in_solution:
                start = _START.match(line)
                if start:
                    if cell.get("cell_type") != "markdown":
                        raise SolutionFormatError(f"{where}: solution-start outside markdown")
                    parts = emit(pending, cell, parts)
                    pending = []
                    in_solution, fence, closing = True, start.group(1), False
                    continue
                if _END.match(line):
                    raise SolutionFormatError(f"{where}: solution-end without solution-start")
                pending.append(line)
                continue
            # inside a solution: drop everything up to the end directive's closing fence
            if closing:
                if line.strip() == fence:
                    in_solution = closing = False
                    cells.append(_markdown(ANSWER_NOTE, new_id("answer")))
                    cells.append(_empty_code(new_id("code")))
                continue
            if _START.match(line):
                raise SolutionFormatError(f"{where}: solution-start inside another solution")
            end = _END.match(line)
            if end:
                fence, closing = end.group(1), True
        emit(pending, cell, parts)
    if in_solution:
        raise SolutionFormatError(f"{name}: a solution is never closed by solution-end")
    student = {k: copy.deepcopy(v) for k, v in nb.items() if k != "cells"}
    student["cells"] = cells
    return student, removed


def _dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def build(notebooks: list[Path] | None = None) -> dict[str, str]:
    """Every chapter's student edition: file name -> notebook text (JSON)."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb")) if notebooks is None else notebooks
    if not notebooks:
        raise ValueError("notebooks: no .ipynb file to make a student edition of")
    out = {}
    for path in notebooks:
        student, _ = student_notebook(json.loads(Path(path).read_text()), Path(path).name)
        out[Path(path).name] = _dumps(student)
    return out


def write_zip(editions: dict[str, str], path: Path) -> Path:
    """A zip of the notebooks in a ``student/`` folder (unzipped at the top of a copy of the
    repository, beside ``notebooks/`` and ``data/``, they run as they are), with fixed
    timestamps: the same notebooks give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(editions):
            info = zipfile.ZipInfo(f"student/{name}", date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, editions[name])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


# -- Sphinx ---------------------------------------------------------------------------------

def _build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        write_zip(build(), Path(app.outdir) / ZIP_NAME)


def setup(app):
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# -- make student ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student",
                        help="folder for the student notebooks (default: student/)")
    parser.add_argument("--zip", type=Path, default=ROOT / "_build" / ZIP_NAME,
                        help=f"the zip to write (default: _build/{ZIP_NAME})")
    args = parser.parse_args(argv)
    editions = build()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in editions.items():
        (args.out / name).write_text(text)
    zip_path = write_zip(editions, args.zip)
    print(f"student edition: {len(editions)} notebooks in {args.out}, zipped in {zip_path}")


if __name__ == "__main__":
    main()
