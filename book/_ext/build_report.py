"""Sphinx extension: what the build measured, on the pages that report it.

``{chapter-resources}`` is replaced by a table of every executed notebook: its execution time
(myst-nb's own record of this build, or of the cached run it reused) and its kernel's peak
memory, which each chapter's last, hidden cell glues as ``peak_mb``, followed by the machine
the chapters ran on (their glued ``machine``).  Nothing in it is typed by hand.

Pages that paste numbers from other pages (cross-document glue, such as the "which method
when" page) and pages with the table are rewritten whenever a notebook is executed again, so an
incremental ``make book`` cannot leave them stale (myst-nb does this for its own
``nb-exec-table``; this extension enrols the other pages in the same mechanism).
"""

from __future__ import annotations

import math
import posixpath

from docutils import nodes
from myst_nb.ext.execution_tables import METADATA_KEY
from myst_nb.ext.glue.crossref import read_glue_cache
from myst_nb.ext.glue.utils import PendingGlueReference
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)
HEADERS = ("chapter", "executed in (s)", "kernel peak (MB)")


class ChapterResourcesNode(nodes.General, nodes.Element):
    """Placeholder, replaced once every notebook has been executed."""


class ChapterResources(SphinxDirective):
    has_content = False

    def run(self):
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, METADATA_KEY, True)
        return [ChapterResourcesNode()]


def _plain(glued: dict, key: str):
    value = glued.get(key, {}).get("data", {}).get("text/plain")
    return None if value is None else value.strip("'\"")


def _cell(text: str) -> nodes.entry:
    return nodes.entry("", nodes.paragraph(text=text))


def resources_table(env, parent: str) -> list[nodes.Node]:
    table = nodes.table(classes=["colwidths-auto", "chapter-resources"])
    group = nodes.tgroup(cols=len(HEADERS))
    table += group
    for _ in HEADERS:
        group += nodes.colspec(colwidth=1)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    row = nodes.row()
    for name in HEADERS:
        row += _cell(name)
    head += row
    machines, total = [], 0.0
    data = NbMetadataCollector.get_doc_data(env)
    for docname in sorted(data):
        run = data[docname].get("exec_data")
        if not run:
            continue
        glued = read_glue_cache(env.mystnb_config.output_folder, docname)
        peak = _plain(glued, "peak_mb")
        if peak is None:
            LOGGER.warning(f"{docname} glues no peak_mb: its last cell should record it",
                           location=parent)
            peak = "nan"
        machine = _plain(glued, "machine")
        if machine and machine not in machines:
            machines.append(machine)
        link = pending_xref(refdoc=parent, refdomain="std", reftype="doc", refexplicit=True,
                            reftarget=posixpath.relpath(docname, posixpath.dirname(parent)),
                            refwarn=True, classes=["xref", "doc"])
        link += nodes.inline(text=env.titles[docname].astext()
                             if docname in env.titles else docname)
        row = nodes.row()
        row += nodes.entry("", nodes.paragraph("", "", link))
        runtime = run.get("runtime")
        row += _cell("-" if runtime is None else f"{runtime:.1f}")
        row += _cell("-" if math.isnan(float(peak)) else f"{float(peak):,.0f}")
        body += row
        total += runtime or 0.0
    if not len(body):
        LOGGER.warning("no executed notebook to report", location=parent)
    row = nodes.row(classes=["chapter-resources-total"])
    for text in ("the whole book", f"{total:.1f}", ""):
        row += _cell(text)
    body += row
    where = nodes.paragraph(text="Measured on: " + ("; ".join(machines) or "unknown") + ".")
    where["classes"].append("chapter-resources-machine")
    return [table, where]


class ReplaceChapterResources(SphinxPostTransform):
    default_priority = 8   # before references are resolved, like myst-nb's exec table

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(ChapterResourcesNode)):
            node.replace_self(resources_table(self.env, self.env.docname))


def _enrol_glue_pages(app, doctree) -> None:
    """A page pasting glue from other documents is rewritten when a notebook re-executes."""
    docname = app.env.docname
    if any(node.refdoc != docname for node in doctree.findall(PendingGlueReference)):
        NbMetadataCollector.set_doc_data(app.env, docname, METADATA_KEY, True)


def setup(app):
    app.add_node(ChapterResourcesNode)
    app.add_directive("chapter-resources", ChapterResources)
    app.add_post_transform(ReplaceChapterResources)
    app.connect("doctree-read", _enrol_glue_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
