"""Sphinx extension for the API reference: every member names the chapters that use it, and
Keras classes show the signature of their ``__init__``.

The chapters are read when the build starts: in every notebook's code cells, the names
imported from ``utils`` (``from utils import contrastive as ct``, ``from utils.plotting import
show_level_grid``) and what is called through them (``ct.fit_contrastive``); in its Markdown
cells, the ``{func}``, ``{class}`` and ``{mod}`` roles.  When autodoc renders a function,
class or constant of ``utils``, a last paragraph lists those chapters with links, so the list
cannot disagree with the chapters: a chapter that stops calling a function drops from it at
the next build.  A member no chapter calls says so (it is a helper of the others, or for the
reader's own experiments).

Keras models and layers define ``__new__(cls, *args, **kwargs)``, which autodoc would show as
their signature; the signature of the class's own ``__init__`` is shown instead.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

_MODULE_ALIAS = re.compile(r"^\s*from\s+utils\s+import\s+(\w+)(?:\s+as\s+(\w+))?\s*$", re.M)
_IMPORT_ALIAS = re.compile(r"^\s*import\s+utils\.(\w+)\s+as\s+(\w+)\s*$", re.M)
_FROM_MODULE = re.compile(r"^\s*from\s+utils\.(\w+)\s+import\s+(?:\(([^)]*)\)|([^\n]+))", re.M)
_ROLE = re.compile(r"\{(?:func|class|mod|data|meth)\}`(?:[^`<]*<)?(utils\.[\w.]+)>?`")


def chapter_uses(notebooks: Path = NOTEBOOKS) -> dict[str, list[str]]:
    """Map ``utils.module.member`` (and ``utils.module``) to the chapters that use it.

    The chapters are notebook stems, in the book's order (their file names sort that way).
    """
    uses: dict[str, set[str]] = defaultdict(set)
    for path in sorted(notebooks.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        aliases = {alias or module: module for module, alias in _MODULE_ALIAS.findall(code)}
        aliases.update({alias: module for module, alias in _IMPORT_ALIAS.findall(code)})
        for alias, module in aliases.items():
            uses[f"utils.{module}"].add(path.stem)
            for member in re.findall(rf"(?<![\w.]){alias}\.(\w+)", code):
                uses[f"utils.{module}.{member}"].add(path.stem)
        for module, in_brackets, on_one_line in _FROM_MODULE.findall(code):
            uses[f"utils.{module}"].add(path.stem)
            names = re.sub(r"#[^\n]*", "", in_brackets or on_one_line).split(",")
            for name in (n.split(" as ")[0].strip() for n in names):
                if name:
                    uses[f"utils.{module}.{name}"].add(path.stem)
        for target in _ROLE.findall(text):
            uses[target].add(path.stem)
            uses[target.rsplit(".", 1)[0]].add(path.stem)
    return {home: sorted(stems) for home, stems in _homes(uses).items()}


def _homes(uses: dict[str, set[str]]) -> dict[str, set[str]]:
    """File a re-exported function or class under the module that defines it (chapters call
    ``md.train``; the reference documents ``utils.training.train``)."""
    homes: dict[str, set[str]] = defaultdict(set)
    for name, stems in uses.items():
        module, _, member = name.rpartition(".")
        home = name
        if module.startswith("utils.") and member:
            try:
                obj = getattr(importlib.import_module(module), member)
            except (ImportError, AttributeError):
                obj = None
            if callable(obj) and str(getattr(obj, "__module__", "")).startswith("utils."):
                home = f"{obj.__module__}.{obj.__qualname__}"
        homes[home] |= stems
    return homes


def _number(stem: str) -> str:
    """The chapter's number as the book prints it: ``05b_...`` -> ``5b``."""
    return re.match(r"0*(\d+[a-z]?)", stem).group(1)


def _chapter_line(app, what, name, obj, options, lines):
    if what not in {"function", "class", "data", "module"} or not name.startswith("utils."):
        return
    if what != "module" and name.count(".") != 2:   # methods and attributes: their class says
        return
    stems = app.env.l2ls_chapter_uses.get(name, [])
    if stems:
        links = ", ".join(f":doc:`{_number(stem)} </notebooks/{stem}>`"
                          for stem in stems)
        line = f"*Used in chapters:* {links}."
    else:
        line = "*Used in chapters:* none calls it directly."
    lines.extend(["", line, ""])


def _init_signature(app, what, name, obj, options, signature, return_annotation):
    if what != "class" or signature != "(*args, **kwargs)" or "__init__" not in vars(obj):
        return None
    init = inspect.signature(obj.__init__)
    init = init.replace(parameters=list(init.parameters.values())[1:])   # without self
    return str(init), return_annotation


def _read_chapters(app):
    app.env.l2ls_chapter_uses = chapter_uses()


def setup(app):
    app.connect("builder-inited", _read_chapters)
    # after napoleon (priority 500), which turns the NumPy sections into reStructuredText
    app.connect("autodoc-process-docstring", _chapter_line, priority=600)
    app.connect("autodoc-process-signature", _init_signature)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
