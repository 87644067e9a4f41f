"""The SOP PDFs typeset by Typst (aftersales.render.typst_pdf; issue 19, part 5): text stays text
whatever it contains, the fonts are the document language's, a sheet is one page however long, and
the engine can be chosen (Chromium stays for machines without the wheel)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("typst")

from aftersales.errors import AftersalesError  # noqa: E402
from aftersales.library import load_library  # noqa: E402
from aftersales.render.batch import PDF_ENGINE_ENV, pdf_engine  # noqa: E402
from aftersales.render.document import sop_document  # noqa: E402
from aftersales.render.flowchart import flowchart_svgs  # noqa: E402
from aftersales.render.sheet import sheet_context  # noqa: E402
from aftersales.render.typst_pdf import (  # noqa: E402
    TypstError,
    compile_pdf,
    page_count,
    sheet_pdf,
    sop_pdf,
    typst_string,
)

DAY = date(2026, 11, 23)
POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
TRICKY = 'A #set page(width: 1cm) *bold* $x$ [link] \\ "quoted" <tag> @ref // not a comment'


def _text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _document(scenario: str, platform: str, lang: str) -> tuple:
    library = load_library()
    playbook = library.playbook(scenario)
    doc = sop_document(playbook, library.profile(platform), library, lang, DAY)
    charts = flowchart_svgs(playbook, lang, doc.keep)
    doc.subcharts = [{"number": chart.number, "svg": svg, "title": playbook.steps[chart.root].title[lang], "file": ""}
                     for chart, svg in charts[1:]]
    return doc, charts


@pytest.mark.parametrize("value, expected", [
    ("plain", '#"plain";'),
    ('say "hi"', '#"say \\"hi\\"";'),
    ("a\\b", '#"a\\\\b";'),
    ("two\nlines", '#"two\\nlines";'),
    ("", ""),
    (None, ""),
])
def test_every_value_is_a_typst_string_never_markup(value: object, expected: str) -> None:
    assert typst_string(value) == expected


@POPPLER
def test_typst_markup_in_a_playbook_prints_as_itself(tmp_path: Path) -> None:
    doc, _charts = _document("size_mismatch", "taobao", "en")
    doc.title = TRICKY
    sheet_pdf(sheet_context(doc), tmp_path / "sheet.pdf")
    text = " ".join(_text(tmp_path / "sheet.pdf").split())
    assert TRICKY in text
    assert _pages(tmp_path / "sheet.pdf") == 1


@POPPLER
@pytest.mark.parametrize("lang, font, title", [("zh", "WenQuanYiMicroHei", "尺码问题"), ("ru", "DejaVuSans", "Несоответствие"),
                                               ("en", "DejaVuSans", "Size mismatch")])
def test_a_document_is_set_in_its_languages_font_with_the_chart_first_and_no_leads_appendix(
        tmp_path: Path, lang: str, font: str, title: str) -> None:
    doc, charts = _document("size_mismatch", "taobao", lang)
    pdf = tmp_path / "doc.pdf"
    sop_pdf(doc, charts[0][1], [svg for _chart, svg in charts[1:]], pdf)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert any(name.endswith("+" + font) for name in names), names
    assert "Type 3" not in fonts and "Libertinus" not in fonts  # no browser glyphs, no fallback serif
    if lang != "zh":  # WenQuanYi only for the odd Chinese word (运费险), never Noto's CJK collections
        assert "CJK" not in fonts
        # the charts' labels in the condensed face Graphviz measured them in, or they overrun their boxes
        assert any(name.endswith("+DejaVuSansCondensed") for name in names), names
    first = _text(pdf, "-f", "1", "-l", "1")
    assert title in first and doc.words["flowchart"] in first, "page 1: the title and the chart, never blank"
    assert "size_tolerance_cm" not in _text(pdf)  # the leads' appendix stays on screen
    assert page_count(pdf.read_bytes()) == _pages(pdf) > 2  # how a long sheet is told from one that fits
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "2", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.28" in info or "841.89 x 595.276" in info, "page 1 is A4 landscape"


@POPPLER
def test_the_densest_sheet_is_typeset_on_one_page(tmp_path: Path) -> None:
    """Amazon's claim playbook has the most outcomes: its Russian sheet is the longest there is."""
    doc, _charts = _document("claim", "amazon", "ru")
    sheet_pdf(sheet_context(doc), tmp_path / "sheet.pdf")
    assert _pages(tmp_path / "sheet.pdf") == 1
    assert "Претензия" in _text(tmp_path / "sheet.pdf")


def test_a_typst_error_says_what_typst_says_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "broken.pdf"
    with pytest.raises(TypstError) as caught:
        compile_pdf("#let x = (", target)
    assert str(caught.value) and not target.exists()


def test_the_engine_is_typst_by_default_and_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PDF_ENGINE_ENV, raising=False)
    assert pdf_engine() == "typst"
    monkeypatch.setenv(PDF_ENGINE_ENV, "Chromium")
    assert pdf_engine() == "chromium"
    monkeypatch.setenv(PDF_ENGINE_ENV, "weasyprint")
    with pytest.raises(AftersalesError, match="allowed: typst, chromium"):
        pdf_engine()


def test_the_readmes_speed_figures_are_the_benchmarks_own_lines() -> None:
    """Issue 19: the block of speed figures in the README comes from benchmarks/bench_render.py as it
    printed them (each line starts as one of the lines the benchmark prints), with the targets met."""
    import re

    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Measured by `python benchmarks/bench_render\.py[^`]*`[^\n]*\n\n```text\n(.*?)```", readme, re.S)
    assert block, "the README shows the benchmark's output"
    source = (repo / "benchmarks" / "bench_render.py").read_text(encoding="utf-8")
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) >= 6
    for line in lines:
        assert line[:20] in source, line
    sixty = re.search(r"issue 19's library .*?: ([\d.]+) s = ([\d.]+)x", block.group(1))
    full = re.search(r"cold full library, md\+html\+pdf \(Typst\):\s+([\d.]+) s", block.group(1))
    rerun = re.search(r"rerun with nothing changed:\s+([\d.]+) s", block.group(1))
    assert sixty and full and rerun
    assert float(sixty.group(1)) <= 15 and float(sixty.group(2)) <= 3 and float(full.group(1)) <= 15
    assert float(rerun.group(1)) <= 1
