"""PDF printing with headless Chromium: content, fonts, atomic writes, blocked network, errors.

The tests that print need Debian's Chromium (``/usr/bin/chromium``, or ``$AFTERSALES_CHROMIUM``)
and skip without it, except under CI (``CI`` is "true"/"1"/"yes"), where they fail. The checks
that read the PDF back need poppler-utils (``pdfinfo``, ``pdftotext``, ``pdffonts``) and skip or
fail the same way.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aftersales.errors import AftersalesError
from aftersales.render.pdf import (
    CHROMIUM_ENV,
    PdfEngineError,
    PdfPrinter,
    PdfThreadError,
    chromium_path,
    pdf_engine_problem,
)

TITLE_EN = "Size mismatch standard operating procedure"
TITLE_ZH = "尺码问题 标准操作流程"
TITLE_RU = "Несоответствие размера"
SVG_LABEL = "FLOW-START"
PAGES = 4  # the sample has four sections, each starting a new page

FONT_CSS = 'font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif;'


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _skip_or_fail(reason: str) -> None:
    if _ci():
        pytest.fail(f"{reason} (CI is set, so this test may not be skipped)", pytrace=False)
    pytest.skip(reason)


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        _skip_or_fail(f"`{tool}` is not installed; it comes with Debian's poppler-utils package")
    assert found is not None
    return found


def _page(n: int, body: str) -> str:
    brk = ' style="break-before: page"' if n > 1 else ""
    return f'<section{brk}><h2>Section {n}</h2>{body}</section>'


def sample_html(extra_head: str = "", extra_body: str = "") -> str:
    """A small SOP-like document: three titles in three languages, an inline SVG, 4 pages."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="140" viewBox="0 0 320 140">'
           '<rect x="10" y="10" width="300" height="40" rx="6" fill="#e8f0fe" stroke="#1a73e8"/>'
           f'<text x="160" y="36" text-anchor="middle" font-size="14">{SVG_LABEL}</text>'
           '<line x1="160" y1="50" x2="160" y2="90" stroke="#333"/>'
           '<rect x="10" y="90" width="300" height="40" rx="6" fill="#fce8e6" stroke="#d93025"/>'
           '<text x="160" y="116" text-anchor="middle" font-size="14">核实尺码 / Проверка</text></svg>')
    filler = "<p>" + "Check the order against the size chart. 核对订单与尺码表。 Сверьте заказ с таблицей размеров. " * 6 + "</p>"
    pages = [
        _page(1, f'<h1>{TITLE_EN}</h1><h1 lang="zh">{TITLE_ZH}</h1><h1 lang="ru">{TITLE_RU}</h1>{svg}'),
        *(_page(n, filler * 3) for n in range(2, PAGES + 1)),
    ]
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{TITLE_EN}</title>'
            f'<style>body {{ {FONT_CSS} font-size: 11pt; }} h1 {{ color: #1a73e8; }}'
            f' h2 {{ background: #eee; }}</style>{extra_head}</head>'
            f'<body>{"".join(pages)}{extra_body}</body></html>')


def pdftotext(pdf: Path) -> str:
    """The PDF's text, pages separated by form feeds."""
    return subprocess.run([_poppler("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True, encoding="utf-8").stdout


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run([_poppler("pdfinfo"), "-enc", "UTF-8", str(pdf)], check=True,
                         capture_output=True, text=True, encoding="utf-8").stdout
    return {key.strip(): value.strip() for key, _, value in
            (line.partition(":") for line in out.splitlines()) if value}


def leftovers(folder: Path, *expected: str) -> list[str]:
    """Files in ``folder`` other than the expected ones (a temporary file left behind shows here)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in expected)


@pytest.fixture(scope="module")
def chromium() -> Path:
    """The Chromium binary; the test fails under CI, and skips elsewhere, when it is missing."""
    binary = chromium_path()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        _skip_or_fail(f"{binary} is not installed; `make browser` installs Debian's chromium package")
    return binary


@pytest.fixture(scope="module")
def printer(chromium: Path) -> Iterator[PdfPrinter]:
    with PdfPrinter(chromium=chromium, timeout_s=20) as shared:
        yield shared


@pytest.fixture
def html_file(tmp_path: Path) -> Path:
    path = tmp_path / "html" / "sop.html"
    path.parent.mkdir()
    path.write_text(sample_html(), encoding="utf-8")
    return path


# -- without Chromium -----------------------------------------------------------------------


def test_missing_chromium_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-chromium"
    monkeypatch.setenv(CHROMIUM_ENV, str(missing))
    problem = pdf_engine_problem()
    assert problem is not None
    assert "`chromium`" in problem and "apt-get install chromium" in problem
    assert str(missing) in problem and CHROMIUM_ENV in problem
    assert "Markdown and HTML still render" in problem

    html = tmp_path / "doc.html"
    html.write_text(sample_html(), encoding="utf-8")
    with PdfPrinter() as printer, pytest.raises(PdfEngineError) as caught:
        printer.print_pdf(html, tmp_path / "doc.pdf")
    assert isinstance(caught.value, AftersalesError)
    assert str(caught.value) == problem
    assert leftovers(tmp_path, "doc.html") == []


def test_default_chromium_is_debians(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    assert chromium_path() == Path("/usr/bin/chromium")
    monkeypatch.setenv(CHROMIUM_ENV, "/opt/chromium/chrome")
    assert chromium_path() == Path("/opt/chromium/chrome")


def test_chromium_that_does_not_start_is_an_aftersales_error(tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'chromium: cannot open display' >&2\nexit 1\n")
    fake.chmod(0o755)
    html = tmp_path / "doc.html"
    html.write_text(sample_html(), encoding="utf-8")
    printer = PdfPrinter(chromium=fake, timeout_s=10)
    with printer, pytest.raises(PdfEngineError) as caught:
        printer.print_pdf(html, tmp_path / "doc.pdf")
    message = str(caught.value)
    assert message.startswith(f"PDF needs Chromium at {fake}, which did not start (")
    assert "apt-get install chromium" in message and "\n" not in message
    assert not printer.started


def test_print_from_another_thread_is_refused(tmp_path: Path) -> None:
    html = tmp_path / "doc.html"
    html.write_text(sample_html(), encoding="utf-8")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            printer.print_pdf(html, tmp_path / "doc.pdf")
        except BaseException as exc:  # noqa: BLE001  (reported by the assertions below)
            errors.append(exc)

    with PdfPrinter() as printer:
        thread = threading.Thread(target=worker, name="pdf-worker")
        thread.start()
        thread.join(30)
    assert len(errors) == 1 and isinstance(errors[0], PdfThreadError), errors
    assert "'pdf-worker'" in str(errors[0]) and "one PdfPrinter per thread" in str(errors[0])
    assert not (tmp_path / "doc.pdf").exists()


# -- with Chromium -------------------------------------------------------------------------


def test_engine_is_ready(chromium: Path) -> None:
    assert pdf_engine_problem(chromium) is None


def test_pdf_has_pages_titles_svg_and_cjk_fonts(printer: PdfPrinter, html_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "out" / "sop.pdf"
    printer.print_pdf(html_file, pdf, title=TITLE_ZH)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert leftovers(pdf.parent, "sop.pdf") == []

    info = pdfinfo(pdf)
    assert int(info["Pages"]) == PAGES
    assert info["Page size"].startswith("595.") and "842" in info["Page size"], info["Page size"]  # A4
    assert info["Title"] == TITLE_ZH  # `title` wins over the document's <title>

    text = pdftotext(pdf)
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == PAGES
    first = pages[0]
    for title in (TITLE_EN, TITLE_ZH, TITLE_RU):
        assert title in first, f"{title!r} not in page 1's text:\n{first}"
    assert SVG_LABEL in first and "核实尺码" in first  # the inline SVG's text is real text
    for n in range(1, PAGES + 1):
        assert f"Section {n}" in pages[n - 1]
        assert re.search(rf"^{n} ?/ ?{PAGES}$", pages[n - 1], re.MULTILINE), f"no footer '{n} / {PAGES}' on page {n}"

    # Not tofu: the text is set in Noto Sans CJK (it has Chinese, Cyrillic and Latin glyphs).
    # Chromium embeds these CFF fonts as Type 3, which pdffonts lists without a name; their font
    # descriptors still name the font, and Chromium writes them uncompressed.
    fonts = subprocess.run([_poppler("pdffonts"), str(pdf)], check=True, capture_output=True,
                           text=True).stdout
    names = set(re.findall(r"/FontName\s*/(\S+?)[\s/>]", pdf.read_bytes().decode("latin-1")))
    names |= {line.split()[0] for line in fonts.splitlines()[2:] if line.strip()}
    assert any("NotoSansCJK" in name for name in names), f"no Noto Sans CJK font in the PDF: {sorted(names)}"


def test_pdf_gets_normal_file_permissions(printer: PdfPrinter, html_file: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "sop.pdf"
    printer.print_pdf(html_file, pdf)
    umask = os.umask(0)
    os.umask(umask)
    assert pdf.stat().st_mode & 0o777 == 0o666 & ~umask


def test_existing_pdf_is_replaced_only_on_success(printer: PdfPrinter, html_file: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page

    out = tmp_path / "out"
    out.mkdir()
    pdf = out / "sop.pdf"
    old = b"%PDF-1.4 the old, complete document"
    pdf.write_bytes(old)

    def broken_pdf(self: Page, **kwargs: object) -> bytes:
        raise PlaywrightError("Page.pdf: printing failed (simulated)")

    with monkeypatch.context() as patch:
        patch.setattr(Page, "pdf", broken_pdf)
        with pytest.raises(PdfEngineError, match="could not print .*sop.html to PDF: Page.pdf: printing failed"):
            printer.print_pdf(html_file, pdf)
    assert pdf.read_bytes() == old
    assert leftovers(out, "sop.pdf") == []

    # A failure while writing (after part of the file is on disk) leaves the old file too.
    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device (simulated)")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", broken_fsync)
        with pytest.raises(OSError, match="No space left"):
            printer.print_pdf(html_file, pdf)
    assert pdf.read_bytes() == old
    assert leftovers(out, "sop.pdf") == []

    printer.print_pdf(html_file, pdf)  # the printer recovered from both failures
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.read_bytes() != old
    assert leftovers(out, "sop.pdf") == []


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[object]]]:
    """A local HTTP address that accepts connections and never answers (a hanging CDN)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join(5)
        for conn in accepted:
            conn.close()  # type: ignore[attr-defined]
        server.close()


def test_network_requests_are_blocked(printer: PdfPrinter, tmp_path: Path,
                                      silent_server: tuple[str, list[object]]) -> None:
    local, accepted = silent_server
    html = tmp_path / "doc.html"
    html.write_text(sample_html(
        extra_head=(f'<link rel="stylesheet" href="{local}/style.css">'
                    '<script src="https://cdn.example.com/lib.js"></script>'),
        extra_body=(f'<img src="https://cdn.example.com/x.png" alt="">'
                    f'<img src="{local}/flow.png" alt="">')), encoding="utf-8")
    pdf = tmp_path / "doc.pdf"
    started = time.monotonic()
    printer.print_pdf(html, pdf)
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"printing took {elapsed:.1f} s: a network request was waited for"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert accepted == [], "Chromium connected to the (local) network"
    assert {"https://cdn.example.com/x.png", "https://cdn.example.com/lib.js",
            f"{local}/style.css", f"{local}/flow.png"} <= set(printer.blocked_urls)


def in_worker_thread(body: Callable[[], None], timeout_s: float = 60) -> None:
    """Run ``body`` in a new thread and re-raise what it raised (a thread has one started printer)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as exc:  # noqa: BLE001  (re-raised in the test's thread)
            errors.append(exc)

    thread = threading.Thread(target=run, name="own-printer")
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"the worker thread did not finish in {timeout_s} s"
    if errors:
        raise errors[0]


def test_second_printer_in_one_thread_is_refused(printer: PdfPrinter, tmp_path: Path) -> None:
    printer.start()
    with PdfPrinter(chromium=printer.chromium) as second, \
            pytest.raises(PdfEngineError, match="one PdfPrinter per thread"):
        second.start()
    assert printer.started and not second.started


def test_printer_starts_lazily_and_closes(chromium: Path, html_file: Path, tmp_path: Path) -> None:
    in_worker_thread(lambda: _lazy_start_and_close(chromium, html_file, tmp_path))


def _lazy_start_and_close(chromium: Path, html_file: Path, tmp_path: Path) -> None:
    with PdfPrinter(chromium=chromium) as printer:
        assert not printer.started
        with pytest.raises(FileNotFoundError, match="no HTML file"):
            printer.print_pdf(tmp_path / "missing.html", tmp_path / "missing.pdf")
        assert not printer.started and not (tmp_path / "missing.pdf").exists()
        printer.print_pdf(html_file, tmp_path / "a.pdf")
        assert printer.started
        printer.print_pdf(html_file, tmp_path / "b.pdf")
    assert not printer.started
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF-")
    with pytest.raises(RuntimeError, match="closed"):
        printer.print_pdf(html_file, tmp_path / "c.pdf")
