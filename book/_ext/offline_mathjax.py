"""Sphinx extension: MathJax served by the site itself, so that formulas render offline.

Sphinx loads MathJax 3 from a CDN by default; a student reading a downloaded copy of the site,
or a classroom behind a strict proxy, then sees raw ``\\(`` ... ``\\)``.  The MathJax 3.2.2
files come from the pinned ``sphinx-mathjax-offline`` wheel (we use its files, not its
extension, which would copy all 24 MB of them): the ``tex-chtml.js`` bundle and the folders it
loads on demand (TeX extensions, the CHTML fonts, the menu's accessibility components), about
8 MB, are copied to ``_static/mathjax/`` and ``mathjax_path`` points there.
``tests/test_browser.py`` checks every page with the network blocked.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

BUNDLE = "tex-chtml.js"
FOLDERS = ("a11y", "adaptors", "input", "output", "sre", "ui")   # loaded on demand by the bundle


def mathjax_folder() -> Path:
    """Where the installed wheel keeps MathJax's files."""
    try:
        dist = metadata.distribution("sphinx-mathjax-offline")
    except metadata.PackageNotFoundError as exc:
        raise ExtensionError("offline_mathjax needs the sphinx-mathjax-offline package "
                             "(pinned in requirements.txt: run make book)") from exc
    for file in dist.files or ():
        if str(file).endswith(f"static/mathjax/{BUNDLE}"):
            return Path(dist.locate_file(file)).parent
    raise ExtensionError(f"sphinx-mathjax-offline holds no static/mathjax/{BUNDLE}")


def _copy(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_folder(), Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    copy_asset(str(source / BUNDLE), str(target))
    for folder in FOLDERS:
        copy_asset(str(source / folder), str(target / folder))


def setup(app):
    mathjax_folder()          # fail at the start of a build, not after executing every notebook
    app.config.mathjax_path = f"mathjax/{BUNDLE}"   # relative to _static
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
