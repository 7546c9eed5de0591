"""The API reference (book/api/, book/_ext/api_reference.py): every module of utils on one page,
every page in the table of contents, and each member's chapters read correctly from the
notebooks.  The rendered pages are checked in test_book.py and test_browser.py."""

from __future__ import annotations

import json
import re
import sys

import pytest

from conftest import ROOT, toc_files

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import api_reference as api  # noqa: E402

API = ROOT / "book" / "api"
PUBLIC_MODULES = sorted(p.stem for p in (ROOT / "utils").glob("*.py")
                        if not p.stem.startswith("_"))


def documented_modules() -> dict[str, list[str]]:
    """Module -> the API pages with an automodule directive for it."""
    found: dict[str, list[str]] = {}
    for page in sorted(API.glob("*.md")):
        for module in re.findall(r"^\.\. automodule:: utils\.(\w+)$", page.read_text(), re.M):
            found.setdefault(module, []).append(page.stem)
    return found


def test_every_public_module_of_utils_is_documented_on_exactly_one_page():
    found = documented_modules()
    missing = [m for m in PUBLIC_MODULES if m not in found]
    assert not missing, f"modules of utils on no page of book/api/: {missing}"
    twice = {m: pages for m, pages in found.items() if len(pages) > 1}
    assert not twice, f"modules documented on more than one page (duplicate objects): {twice}"
    unknown = sorted(set(found) - set(PUBLIC_MODULES))
    assert not unknown, f"book/api/ documents modules that do not exist: {unknown}"


def test_every_api_page_is_in_the_table_of_contents_under_reference():
    listed = set(toc_files())
    for page in sorted(API.glob("*.md")):
        assert f"book/api/{page.stem}" in listed, f"book/api/{page.name} is not in _toc.yml"


def test_automodule_is_run_as_restructuredtext():
    # In a MyST fence, autodoc's output would be parsed as Markdown and shown as raw text.
    for page in sorted(API.glob("*.md")):
        text = page.read_text()
        assert "{automodule}" not in text, f"{page.name}: use an eval-rst block for automodule"


def test_chapter_uses_reads_aliases_direct_imports_roles_and_re_exports(tmp_path):
    cells = [
        {"cell_type": "code", "source": ["from utils import contrastive as ct\n",
                                         "from utils import models as md\n",
                                         "from utils.plotting import (show_level_grid,\n",
                                         "                            level_legend)\n",
                                         "enc = ct.build_contrastive(seed=0)\n",
                                         "md.train(model)\n"]},
        {"cell_type": "markdown", "source": ["See {func}`utils.objects.grid_quarter`."]},
    ]
    (tmp_path / "05b_example.ipynb").write_text(json.dumps({"cells": cells}))
    (tmp_path / "06_other.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": ["import utils.contrastive as contrastive\n",
                                         "contrastive.embed(enc, x)\n"]}]}))
    uses = api.chapter_uses(tmp_path)
    assert uses["utils.contrastive.build_contrastive"] == ["05b_example"]
    assert uses["utils.contrastive.embed"] == ["06_other"]
    assert uses["utils.contrastive"] == ["05b_example", "06_other"]
    assert uses["utils.plotting.show_level_grid"] == ["05b_example"]
    assert uses["utils.plotting.level_legend"] == ["05b_example"]
    assert uses["utils.objects.grid_quarter"] == ["05b_example"]
    # models re-exports train from utils.training, where the reference documents it
    assert uses["utils.training.train"] == ["05b_example"]
    assert "utils.models.train" not in uses


@pytest.mark.parametrize(("stem", "number"), [("01_landscapes", "1"), ("05b_x", "5b"),
                                              ("07_real_data", "7")])
def test_chapter_numbers_are_printed_as_the_book_prints_them(stem, number):
    assert api._number(stem) == number


def test_the_book_chapters_use_what_they_teach():
    uses = api.chapter_uses()
    assert "05b_relational_latent_space" in uses["utils.contrastive.fit_contrastive"]
    assert "04a_relations_cnn" in uses["utils.layers.DirectionalContext"]
    assert "06_your_own_grids" in uses["utils.io.load_grids"]


def test_the_package_docstring_names_every_module():
    import utils

    missing = [m for m in PUBLIC_MODULES if f":mod:`utils.{m}`" not in utils.__doc__]
    assert not missing, f"utils/__init__.py does not name {missing}"


def test_no_module_imports_a_private_name_from_another():
    """Issue 37: what one module uses of another is public there (documented, checked)."""
    import ast

    crossing = []
    for path in sorted((ROOT / "utils").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or 0) > 0:
                crossing += [f"{path.name}: {a.name} from .{node.module}" for a in node.names
                             if a.name.startswith("_")]
    assert not crossing, crossing


def test_no_module_is_longer_than_500_lines():
    """Issue 37: one idea per module; a module past 500 lines has grown a second one."""
    long = {p.name: n for p in sorted((ROOT / "utils").glob("*.py"))
            if (n := len(p.read_text().splitlines())) > 500}
    assert not long, long


def test_api_pages_document_each_module_s_own_members_only():
    """A re-exported name (landscape re-exports noise's, models the trainer's) documented
    under both modules would appear twice: automodule ignores ``__all__`` and documents
    what each module defines."""
    for page in sorted(API.glob("*.md")):
        blocks = re.findall(r"\.\. automodule:: utils\.\w+\n((?:   :[\w-]+:\n)+)", page.read_text())
        assert all(":ignore-module-all:" in b for b in blocks), page.name
