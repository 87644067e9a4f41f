"""Rendering one scenario's SOP documents inside a notebook kernel (the Papermill side).

The batch (:mod:`aftersales.render.batch`) runs the SOP render notebook
(``notebooks/render_sop.ipynb``) once per worker, for whole scenarios, with the playbooks folder, the store overlay
and the documents to write as Papermill parameters; the notebook calls
:func:`aftersales.notebook.run_sop_render`, which loads that library and calls
:func:`render_documents`: it writes each document's Markdown and HTML, and its PDF and its sheet's
PDF typeset by Typst (:mod:`.typst_pdf`; or the HTML a PDF is printed from, where Chromium prints),
and reports one status per document, so one bad document never stops the others.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from ..files import write_atomic

STATUS_MIME = "application/vnd.aftersales.sop-status+json"
#: A line the notebook prints as each document is written (then its status as JSON), so that the batch
#: can move its progress bar while the run goes on; the statuses displayed at the end stay the record.
STATUS_LINE = "aftersales-sop-status "


@dataclass
class DocumentRequest:
    """One document to write: where each of its formats goes (``html_for_pdf``: the HTML to print)."""

    platform: str
    lang: str
    scenario: str | None = None  # None: the notebook's scenario (a run may write several scenarios)
    md: str | None = None
    html: str | None = None
    html_for_pdf: str | None = None
    flowchart: str | None = None  # the SVG file the Markdown links to
    sheet_html: str | None = None  # the one-page sheet (HTML; the batch prints its PDF)
    pdf: str | None = None  # the PDF, typeset here by Typst (None: none, or the batch prints it with Chromium)
    sheet_pdf: str | None = None  # the sheet's PDF, typeset here by Typst


def render_documents(scenario: str, spec: Mapping[str, Any], library: Any = None,
                     on_status: Any = None) -> list[dict[str, Any]]:
    """Write the documents ``spec["documents"]`` of ``scenario``; one status dict per document (each
    also handed to ``on_status`` as soon as its document is done)."""
    from .. import __version__
    from ..library import load_library
    from .document import sop_document
    from .flowchart import flowchart_svgs
    from .templates import render_html, render_markdown, trusted

    library = library if library is not None else load_library()
    playbook = library.playbook(scenario)  # a broken playbook fails the whole notebook, located
    rendered_on = date.fromisoformat(spec["rendered_on"])
    statuses = []
    for raw in spec["documents"]:
        request = DocumentRequest(**raw)
        status = {"scenario": scenario, "platform": request.platform, "lang": request.lang, "ok": True, "error": None,
                  "written": []}
        try:
            profile = library.profile(request.platform)
            doc = sop_document(playbook, profile, library, request.lang, rendered_on)
            charts = flowchart_svgs(playbook, request.lang, doc.keep)  # only what applies, split to be legible
            svg = charts[0][1]
            flowchart = Path(request.flowchart) if request.flowchart else None
            doc.subcharts = [{"number": chart.number, "svg": trusted(chart_svg),
                              "title": playbook.steps[chart.root].title[request.lang],
                              "file": f"{flowchart.stem}.{chart.number}.svg" if flowchart else ""}
                             for chart, chart_svg in charts[1:]]
            if request.md and flowchart is not None:
                write_atomic(flowchart, svg)
                for sub, (_chart, chart_svg) in zip(doc.subcharts, charts[1:], strict=True):
                    write_atomic(flowchart.with_name(sub["file"]), chart_svg)
                doc.flowchart_file = flowchart.name
                write_atomic(Path(request.md), render_markdown("sop.md.j2", doc=doc, w=doc.words))
                status["written"].append(request.md)
            for target in (request.html, request.html_for_pdf):
                if target:
                    html = render_html("sop.html.j2", doc=doc, w=doc.words, flowchart_svg=trusted(svg),
                                       library_version=__version__)
                    write_atomic(Path(target), html)
                    status["written"].append(target)
            if request.sheet_html:
                from .sheet import sheet_context

                write_atomic(Path(request.sheet_html), render_html("sheet.html.j2", **sheet_context(doc)))
                status["written"].append(request.sheet_html)
            if request.pdf or request.sheet_pdf:
                from .sheet import sheet_context
                from .typst_pdf import sheet_pdf, sop_pdf

                if request.pdf:
                    sop_pdf(doc, svg, [chart_svg for _chart, chart_svg in charts[1:]], Path(request.pdf))
                    status["written"].append(request.pdf)
                if request.sheet_pdf:
                    sheet_pdf(sheet_context(doc), Path(request.sheet_pdf))
                    status["written"].append(request.sheet_pdf)
        except Exception as exc:  # one document's failure is reported, the others go on
            status.update(ok=False, error=f"{type(exc).__name__}: {exc}",
                          where=traceback.extract_tb(exc.__traceback__)[-1].filename.rsplit("/", 1)[-1])
        statuses.append(status)
        if on_status is not None:
            on_status(status)
    return statuses


def print_status_line(status: Mapping[str, Any]) -> None:
    """Print one document's status as a :data:`STATUS_LINE` (the batch reads it while the run goes on)."""
    import json
    import sys

    print(STATUS_LINE + json.dumps(status, ensure_ascii=True), flush=True)
    sys.stdout.flush()


def show_statuses(statuses: list[dict[str, Any]]) -> None:
    """Display the statuses for the batch (a JSON bundle) and for a person (one line each)."""
    from IPython.display import display

    lines = [f"{'ok    ' if s['ok'] else 'FAILED'} {s['platform']}/{s['lang']}"
             + ("" if s["ok"] else f": {s['error']}") for s in statuses]
    display({STATUS_MIME: statuses, "text/plain": "\n".join(lines)}, raw=True)
