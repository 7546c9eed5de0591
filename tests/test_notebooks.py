"""Notebook hygiene: committed clean, listed in the table of contents, linted, well formed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, ROOT, config, toc_files

ALLOWED_CELL_METADATA = {"tags", "mystnb"}
ALLOWED_NB_METADATA = {"kernelspec", "language_info"}


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request) -> tuple[Path, dict]:
    return request.param, json.loads(request.param.read_text())


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no chapter"


def test_committed_without_outputs_or_stray_metadata(notebook):
    path, nb = notebook
    assert set(nb["metadata"]) <= ALLOWED_NB_METADATA, f"{path.name}: {sorted(nb['metadata'])}"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(nb["cells"]):
        extra = set(cell.get("metadata", {})) - ALLOWED_CELL_METADATA
        assert not extra, f"{path.name} cell {i}: stray metadata {sorted(extra)}"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name} cell {i} has outputs"
            assert cell["execution_count"] is None, f"{path.name} cell {i} has a count"


def test_every_notebook_is_in_the_toc_and_every_toc_file_exists():
    listed = set(toc_files())
    for nb in NOTEBOOKS:
        assert f"notebooks/{nb.stem}" in listed, f"{nb.name} is missing from _toc.yml"
    for entry in listed:
        assert any((ROOT / entry).with_suffix(s).exists() for s in (".md", ".ipynb")), entry


# What Colab has installed: the Colab cell installs utils without its dependencies (which would
# otherwise put tensorflow-cpu beside Colab's own TensorFlow), then only what Colab lacks.
COLAB_HAS = {"numpy", "scipy", "matplotlib", "scikit-learn", "scikit-image", "tensorflow",
             "tensorflow-cpu", "keras"}


def test_colab_cell_installs_what_colab_lacks_of_the_dependencies(notebook):
    import tomllib

    path, nb = notebook
    first = "".join(nb["cells"][0]["source"])
    assert '%pip install --quiet --no-deps "{PACKAGE}"' in first, path.name
    extra = re.search(r"%pip install --quiet ((?:[a-z][a-z0-9-]*\s?)+)$", first, flags=re.M)
    assert extra, f"{path.name}: no line installing what Colab lacks"
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9_.-]+", d).group(0).lower() for d in deps}
    assert set(extra.group(1).split()) == (names - COLAB_HAS) | {"myst-nb"}, path.name


def test_numbered_names(notebook):
    path, _ = notebook
    assert re.fullmatch(r"\d\d[a-z]?_[a-z0-9_]+", path.stem), path.name


def test_chapter_structure(notebook):
    path, nb = notebook
    cells = nb["cells"]
    sources = ["".join(c["source"]) for c in cells]
    # 1. the guarded Colab install cell comes first and installs from the configured repository
    first = sources[0]
    assert cells[0]["cell_type"] == "code" and '"google.colab" in sys.modules' in first
    assert f'BOOK_REPOSITORY = "{config()["repository"]["url"]}"' in first, (
        f"{path.name}: the Colab cell must install from repository.url in _config.yml")
    # 2. a title and a "what you will learn" admonition
    assert sources[1].startswith("# ")
    assert "What you will learn" in sources[1]
    text = "\n".join(s for s, c in zip(sources, cells, strict=True)
                     if c["cell_type"] == "markdown")
    assert "**Prerequisites:**" in text and "**Time:**" in text
    # 3. exercises with gated, folded solutions; a summary; further reading with citations
    assert text.count("{exercise}") >= 3
    assert text.count("{solution-start}") >= 3
    assert text.count("{solution-start}") == text.count("{solution-end}")
    assert text.count(":class: dropdown") >= 3
    assert "## Summary" in text and "## Further reading" in text and "{cite" in text
    # 4. one imports cell: no import statements after it, except inside solutions
    code_cells = [s for s, c in zip(sources, cells, strict=True) if c["cell_type"] == "code"]
    imports = [i for i, s in enumerate(code_cells)
               if re.search(r"^(import|from) \w", s, flags=re.M)]
    assert imports[:2] == [0, 1] and len(imports) == 2, (
        f"{path.name}: imports belong in the single imports cell, found in code cells {imports}")


LINTED = ("utils", "tests", "benchmarks", "notebooks", "book/_ext")
"""What ``make lint`` checks; this test checks the same folders."""


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", *LINTED], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_make_lint_and_this_test_lint_the_same_folders():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lint", "check"):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        line = next(x for x in recipe.splitlines() if "ruff check" in x)
        assert line.split("ruff check", 1)[1].split() == list(LINTED), (target, line)


PAGE_WIDTH = 79   # characters of code the book's theme shows without a scroll bar


def test_code_fits_the_page(notebook):
    path, nb = notebook
    long = [(i, line) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            for line in "".join(c["source"]).splitlines() if len(line) > PAGE_WIDTH]
    assert not long, (f"{path.name}: code lines wider than {PAGE_WIDTH} characters "
                      f"(cell, line): {long[:5]}")


def test_level_grids_have_a_legend_and_height_maps_a_colour_bar(notebook):
    """Every figure cell that draws a level grid adds the level legend (one palette for levels,
    never the terrain colours), and every height map in gist_earth gets a colour bar."""
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        if "show_level_grid(" in src or "show_level_probabilities(" in src:
            assert "level_legend(" in src, f"{path.name} cell {i}: level grid without legend"
        if 'cmap="gist_earth"' in src:
            assert "colorbar" in src, f"{path.name} cell {i}: height map without colour bar"


def test_the_instructors_page_lists_every_exercise_with_its_difficulty():
    """book/instructors.md's exercise table must match the notebooks (title and difficulty)."""
    page = (ROOT / "book" / "instructors.md").read_text()
    listed = set(re.findall(r"^\| \{doc\}`(\w+) <\.\./notebooks/(\w+)>` \| (.+?) \| (.+?) \|$",
                            page, flags=re.M))
    expected = set()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        label = re.match(r"0?(\d[a-z]?)_", path.stem).group(1)
        for title, difficulty in re.findall(r"\{exercise\}\s*(.*?)\n.*?\(Difficulty: ([^)]*)\)",
                                            text, flags=re.S):
            expected.add((label, path.stem, title.strip(), difficulty.strip().rstrip(".")))
    assert expected, "no exercises found"
    assert listed == expected, (f"missing from the page: {sorted(expected - listed)}; "
                                f"not in the notebooks: {sorted(listed - expected)}")


def test_no_launch_button_points_at_a_placeholder_host():
    """Issue 26: a JupyterHub button is offered only for a real hub an instructor has set."""
    hub = config()["launch_buttons"].get("jupyterhub_url") or ""
    assert not re.search(r"example\.(edu|org|com)|localhost|your-", hub), (
        f"launch_buttons.jupyterhub_url is a placeholder ({hub!r}): leave it empty")


def test_the_book_is_citable_and_licensed():
    """Issue 26: a valid CITATION.cff, a licence for the prose and figures beside the code's,
    both stated in the README and the site footer."""
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    for field in ("cff-version", "message", "title", "authors", "version", "license",
                  "repository-code"):
        assert cff.get(field), f"CITATION.cff lacks {field}"
    assert cff["repository-code"] == config()["repository"]["url"]
    assert re.fullmatch(r"1\.2\.\d+", cff["cff-version"])
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    readme = (ROOT / "README.md").read_text()
    assert "CC BY 4.0" in readme and "CITATION.cff" in readme and "CONTRIBUTING.md" in readme
    assert "CC BY 4.0" in config()["html"]["extra_footer"]


def test_optional_sections_are_listed_for_instructors(notebook):
    """Issue 39: a chapter marks the sections a class may leave to reading with "(optional)" in
    their titles, says that its stated time is the core path's, and the instructors' page lists
    those sections in the chapter's row."""
    path, nb = notebook
    text = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    optional = [m.group(1) for t in text
                for m in re.finditer(r"^#+ (.+?) \(optional\)\s*$", t, flags=re.M)]
    if not optional:
        return
    assert re.search(r"for the core\s+path", text[0]), f"{path.name}: no core path's time"
    page = (ROOT / "book" / "instructors.md").read_text()
    row = next((line for line in page.splitlines()
                if line.startswith("| {doc}`") and f"notebooks/{path.stem}>`" in line), "")
    assert row, f"instructors.md lists no optional sections of {path.name}"
    for title in optional:
        assert title in row, f"{path.name}: optional section {title!r} not in {row!r}"


INCLUDE = re.compile(r"```\{literalinclude\} (\S+)\n((?::[a-z-]+:.*\n)*)")


def _option(options: str, name: str) -> str | None:
    found = re.search(rf"^:{name}: (.*)$", options, flags=re.M)
    return found.group(1) if found else None


@pytest.mark.parametrize("stem", ["04a_relations_cnn", "05a_vae_latent_space",
                                  "05b_relational_latent_space",
                                  "05c_autoencoder_segmentation"])
def test_the_method_is_on_the_page_from_the_code_that_runs(stem):
    """Issue 36: the chapters that train networks show their models and losses with Sphinx's
    literalinclude from utils (no copy that can drift). Every included object exists, and every
    start-after / end-before marker occurs in it exactly once, so the build's failure on a
    renamed object is caught here first, with a clear message."""
    import ast

    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    found = list(INCLUDE.finditer(text))
    assert found, f"{stem}: no literalinclude of the code that runs"
    for match in found:
        path = (ROOT / "notebooks" / match.group(1)).resolve()
        assert path.is_file() and ROOT / "utils" in path.parents, match.group(1)
        obj = _option(match.group(2), "pyobject")
        assert obj, f"{stem}: include of {path.name} without :pyobject:"
        source = path.read_text()
        node: ast.AST = ast.parse(source)
        for part in obj.split("."):
            node = next((n for n in ast.iter_child_nodes(node)
                         if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part),
                        None)
            assert node is not None, f"{stem}: {path.name} has no {obj}"
        body = ast.get_source_segment(source, node)
        for marker in ("start-after", "end-before"):
            value = _option(match.group(2), marker)
            if value is not None:
                assert body.count(value) == 1, f"{stem}: {obj}: {marker} {value!r}"


def test_glue_stays_out_of_the_teaching_flow(notebook):
    """Issue 39: glue is bookkeeping: it is called only in cells the reader does not read as
    teaching (tagged remove-cell, or helper cells tagged hide-input)."""
    path, nb = notebook
    visible = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
               and re.search(r"^\s*glue\(", "".join(c["source"]), flags=re.M)
               and not {"remove-cell", "hide-input"} & set(c["metadata"].get("tags", []))]
    assert not visible, f"{path.name}: glue in teaching cells {visible}"


def test_every_glue_from_another_page_names_its_format():
    """myst-nb reads ``{glue:text}`path::key:format``` by splitting at the last colon, so a
    glue from another page without a format (``path::key``) takes the key for the format and
    the build fails on a warning; strings need ``:s``."""
    pages = [*sorted((ROOT / "book").glob("*.md")), *NOTEBOOKS]
    missing = []
    for page in pages:
        text = page.read_text()
        for role in re.findall(r"\{glue(?::text)?\}`([^`]*::[^`]*)`", text):
            if ":" not in role.split("::", 1)[1]:
                missing.append(f"{page.name}: {role}")
    assert not missing, f"glue from another page without a format (add :s or :.3f): {missing}"
