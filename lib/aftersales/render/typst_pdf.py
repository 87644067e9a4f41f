"""PDFs typeset by Typst (the ``typst`` wheel from PyPI): the SOP documents, their one-page sheets and
the binders' contents pages, without a browser.

Chromium prints a document in ~0.35 s on a busy core and the library is ~1,150 pages; Typst sets the
same pages in a fraction of that (issue 19, part 5: measured by ``benchmarks/bench_render.py``), so
the render kernel writes each PDF itself, beside its Markdown and HTML, and no printing phase follows.

The PDF is made from the same document model as the HTML (:mod:`.document`, :mod:`.sheet`), through
Jinja templates (``templates/*.typ.j2``) in which every value is a Typst string (``#"…";``), never
markup: a ``#``, ``*``, ``$`` or ``[`` in a playbook or an example fact prints as itself. The
fonts are the HTML's (:mod:`.fonts`: WenQuanYi Micro Hei for Chinese, DejaVu Sans for English and
Russian; both TrueType, embedded as subsets); the flowcharts are Graphviz's SVG files, whose labels
stay text in the PDF. Page 1 is landscape (the title, the purpose and the main chart), each sub-chart
gets a landscape page, the steps follow in portrait; the printed copy leaves the leads' appendix out,
as the HTML's print style does. A sheet is scaled down to fit its one A4 page when it is long.

Nothing is downloaded: Typst packages are not used, and only the system's fonts are read.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..files import write_atomic
from .fonts import font_families

__all__ = ["TypstError", "compile_pdf", "contents_pdf", "page_count", "sheet_pdf", "sop_pdf", "typst_problem",
           "typst_string"]

TEMPLATES = Path(__file__).with_name("templates")
#: The page's usable width in landscape A4 with 10 mm margins, and the charts' greatest heights (mm):
#: the main chart shares page 1 with the title block, a sub-chart has its page.
LANDSCAPE_WIDTH_MM = 277.0
MAIN_CHART_MM = 120.0
SUB_CHART_MM = 175.0
_PT_PER_MM = 72 / 25.4


class TypstError(RuntimeError):
    """Typst could not set a document (the message is Typst's, first line)."""


def typst_problem() -> str | None:
    """Why Typst PDFs cannot be made here (None: they can)."""
    try:
        import typst  # noqa: F401
    except ImportError:
        return "the Python package `typst` is not installed (pip install typst)"
    return None


class _Safe(str):
    """Typst markup made here (never from a playbook), inserted as it is."""


def typst_string(value: Any) -> str:
    """``value`` as a Typst string in markup (``#"…";``): shown as text, whatever it contains."""
    if isinstance(value, _Safe):
        return value
    return _Safe("#" + _literal(value) + ";") if value is not None and str(value) else _Safe("")


def _literal(value: Any) -> _Safe:
    """``value`` as a Typst string literal for code (``"…"``), e.g. an argument."""
    text = ("" if value is None else str(value)).replace("\r", "").replace("\t", " ")
    return _Safe('"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"')


def _fonts(lang: str) -> _Safe:
    return _Safe("(" + ", ".join(str(_literal(family)) for family in font_families(lang)) + ")")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, finalize=typst_string,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(lit=_literal)
    env.globals.update(fonts=_fonts, safe=_Safe)
    return env


def _chart_size(svg: str, max_height_mm: float) -> tuple[float, float]:
    """The chart's width and height on the page (mm): the page's width, or less so that it is no
    taller than ``max_height_mm`` (the HTML's ``width: 100%; max-height``)."""
    box = re.search(r'viewBox="([\d.\-]+)[ ,]+([\d.\-]+)[ ,]+([\d.]+)[ ,]+([\d.]+)"', svg)
    width, height = (float(box.group(3)), float(box.group(4))) if box else (4.0, 3.0)
    scale = min(LANDSCAPE_WIDTH_MM / width, max_height_mm / height)
    return width * scale, height * scale


def compile_pdf(source: str, target: Path, files: Mapping[str, str | bytes] | None = None,
                stamp: datetime | None = None) -> None:
    """Set the Typst ``source`` (with ``files`` beside it, e.g. the chart SVGs) and write the PDF to
    ``target`` atomically. Raises :class:`TypstError` with Typst's message."""
    with tempfile.TemporaryDirectory(prefix="aftersales-typst-") as work:
        folder = Path(work)
        for name, content in (files or {}).items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        main = folder / "main.typ"
        main.write_text(source, encoding="utf-8")
        try:
            with _LOCK:
                pdf = _compiler().compile(input=str(main), root=str(folder),
                                          timestamp=int((stamp or _EPOCH).timestamp()))
        except Exception as exc:  # typst raises its own TypstError, whose text names the line
            raise TypstError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from None
    if not isinstance(pdf, bytes | bytearray):
        raise TypstError("Typst returned no PDF")
    write_atomic(target, bytes(pdf))


@lru_cache(maxsize=1)
def font_folders() -> tuple[str, ...]:
    """The folders of the fonts the documents use, found by fontconfig: for Chinese, and for English
    and Russian, the first installed family of :mod:`.fonts` (each language's fallback is the other's
    first), and DejaVu Sans Mono for the content hash. Typst reads only these folders instead of every
    system font (the Noto CJK collections alone cost ~35 ms to read). Empty (Typst reads the system's
    fonts) when fontconfig is missing or finds none of them."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ()

    def files(family: str) -> list[str]:
        listed = subprocess.run([fc_list, "--format", "%{file}\n", f":family={family}"], capture_output=True,
                                text=True, timeout=30, check=False).stdout
        return [line for line in listed.splitlines() if line.strip()]

    folders: dict[str, None] = {}
    for families in (font_families("zh"), font_families("en"), ("DejaVu Sans Mono",)):
        for family in families:
            found = files(family)
            if found:
                folders.update(dict.fromkeys(str(Path(file).parent) for file in found))  # Typst reads folders
                break
    return tuple(folders)


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _compiler() -> Any:
    """One Typst compiler per process: it reads the fonts once, so each PDF costs only its pages."""
    import typst

    fonts = font_folders()
    return typst.Compiler(font_paths=list(fonts), ignore_system_fonts=bool(fonts))


#: The PDFs' creation date: fixed, so that a document rendered twice is the same file.
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


_CONDENSED = re.compile(r'(font-family="[^"]*?)DejaVu Sans Condensed, ([^"]*")')


def for_typst(svg: str) -> str:
    """A Graphviz chart as Typst should draw it: Typst knows "DejaVu Sans Condensed" as DejaVu Sans in
    its condensed width (fontconfig, which Graphviz measured the labels with, names it a family), so
    the labels ask for that width; in the normal width they would run out of their boxes."""
    return _CONDENSED.sub(r'\1\2 font-stretch="condensed"', svg)


def sop_pdf(doc: Any, main_svg: str, sub_svgs: list[str], target: Path) -> None:
    """The SOP document ``doc`` (a :class:`~.document.SopDocument`, its sub-charts' titles in
    ``doc.subcharts``) as a PDF at ``target``, its charts from the SVG texts."""
    main_svg, sub_svgs = for_typst(main_svg), [for_typst(svg) for svg in sub_svgs]
    files: dict[str, str | bytes] = {"chart.svg": main_svg}
    main_w, main_h = _chart_size(main_svg, MAIN_CHART_MM)
    subs = []
    for index, (chart, svg) in enumerate(zip(doc.subcharts, sub_svgs, strict=True), start=1):
        files[f"chart.{index}.svg"] = svg
        width, height = _chart_size(svg, SUB_CHART_MM)
        subs.append({"file": f"chart.{index}.svg", "number": chart["number"], "title": chart["title"],
                     "width": f"{width:.1f}mm", "height": f"{height:.1f}mm"})
    source = _environment().get_template("sop.typ.j2").render(
        doc=doc, w=doc.words, chart={"file": "chart.svg", "width": f"{main_w:.1f}mm", "height": f"{main_h:.1f}mm"},
        subcharts=subs)
    compile_pdf(source, target, files)


def sheet_pdf(context: Mapping[str, Any], target: Path) -> None:
    """The one-page sheet (:func:`~.sheet.sheet_context`) as a PDF at ``target``: exactly one A4 page,
    scaled down to fit when it is long. Most sheets fit as they are (120 of 135): they are set once;
    a longer one is set again, measured and scaled, which costs twice as much."""
    template = _environment().get_template("sheet.typ.j2")
    compile_pdf(template.render(**context, fit=False), target)
    if page_count(target.read_bytes()) != 1:
        compile_pdf(template.render(**context, fit=True), target)


def page_count(pdf: bytes) -> int:
    """The pages of a PDF Typst wrote (its page objects are plain dictionaries); 0: none found."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def contents_pdf(title: str, heading: str, entries: list[tuple[str, int]], lang: str, target: Path) -> None:
    """A binder's contents page: ``title``, ``heading``, and each sheet's title with its page number."""
    compile_pdf(_environment().get_template("contents.typ.j2").render(
        title=title, heading=heading, entries=entries, lang=lang), target)
