"""Sphinx extension: drop duplicate <script> entries from every HTML page.

sphinx-thebe (loaded by Jupyter Book 1 even when thebe is off) calls ``app.add_js_file`` during
``env-before-read-docs``; under Sphinx 7 that registers its inline configuration script twice,
and the browser then stops on ``Identifier 'THEBE_JS_URL' has already been declared``.  The fix
belongs where the duplicates appear: the list of scripts handed to each page template.
"""

from __future__ import annotations


def _key(script) -> tuple:
    attributes = getattr(script, "attributes", {}) or {}
    # the copies differ only in filename None versus "" for inline scripts
    return (str(getattr(script, "filename", script) or ""),
            tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _dedupe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # in place: handlers that run later (MathJax's, on pages with formulas) append to this same
    # list through app.add_js_file; a new list would silently drop their scripts
    scripts[:] = unique


def setup(app):
    # early: html-page-context is emitted with emit_firstresult, so a late handler may never run
    app.connect("html-page-context", _dedupe, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
