"""PDF from a self-contained HTML document, printed by headless Chromium through Playwright.

The SOP library renders every document as Markdown, HTML and PDF; the PDF is the HTML document
(inline CSS, inline SVG, no external resources) printed by Debian's Chromium. Nothing is ever
downloaded: no ``playwright install``, only the system binary, ``/usr/bin/chromium`` by default
or ``$AFTERSALES_CHROMIUM``.

* :func:`pdf_engine_problem` says, without starting anything, whether PDFs can be made, and if
  not, exactly what to install. Markdown and HTML never need it.
* :class:`PdfPrinter` starts Playwright and one Chromium lazily, on the first document, and
  prints any number of documents with it (A4, 15 mm margins, backgrounds, a "n / N" footer).
  Each PDF is written atomically: a temporary file in the target folder, then ``os.replace``;
  a failed print leaves an existing PDF untouched and no temporary file behind. Every request
  other than ``file:``/``data:``/``blob:`` is aborted, so a stray CDN reference can neither
  hang the print nor leak anything.

Threads: Playwright's sync API belongs to the thread that started it, so one PdfPrinter belongs
to the thread that created it; :meth:`PdfPrinter.print_pdf` from any other thread raises
:class:`PdfThreadError`. A thread can have one started PdfPrinter at a time (a second one, like
any sync Playwright session inside a running asyncio loop, e.g. in a Jupyter kernel, raises
:class:`PdfEngineError`): print from a worker thread there. Printing in parallel means one
PdfPrinter per thread; one printer already prints a document in ~0.35 s.

Example::

    with PdfPrinter() as printer:
        for html in html_files:
            printer.print_pdf(html, html.with_suffix(".pdf"))
"""

from __future__ import annotations

import asyncio
import html as html_lib
import logging
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from aftersales.errors import AftersalesError
from aftersales.files import write_atomic

if TYPE_CHECKING:  # Playwright is an optional dependency: imported only when printing
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_ENV",
    "DEFAULT_CHROMIUM",
    "PdfEngineError",
    "PdfPrinter",
    "PdfThreadError",
    "chromium_path",
    "pdf_engine_problem",
]

log = logging.getLogger(__name__)

CHROMIUM_ENV = "AFTERSALES_CHROMIUM"
"""Environment variable naming another Chromium binary than Debian's."""

DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium (package ``chromium``)."""

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]

INSTALL_HINT = ("install the package `chromium` (apt-get install chromium) "
                "or run `bash .ci/install-chromium.sh`")
STILL_RENDERS = "Markdown and HTML still render"

# Schemes a document may load: its own file and inline data. Everything else is aborted.
_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

PAGE_FORMAT = "A4"
MARGIN = {"top": "15mm", "right": "15mm", "bottom": "15mm", "left": "15mm"}
#: The printable area of an A4 page with :data:`MARGIN` and room for the footer, in CSS pixels (96 per inch).
PRINT_WIDTH_PX = round((210 - 30) / 25.4 * 96)
PRINT_HEIGHT_PX = round((297 - 30 - 8) / 25.4 * 96)
# Chromium fills the spans with class title/pageNumber/totalPages. The template has no access to
# the document's CSS: font and size must be set here (the default size is unreadably small).
HEADER_TEMPLATE = "<span></span>"


def footer_template(lang: str) -> str:
    """The footer (title, "n / N") in the fonts of a document in ``lang`` (see :mod:`.fonts`: a
    CJK font in a footer alone would cost every English or Russian PDF a CJK font subset)."""
    from .fonts import css_font_stack

    return (f'<div style="font-family: {html_lib.escape(css_font_stack(lang))}; font-size: 8px; color: #555;'
            ' width: 100%; margin: 0 15mm; display: flex; justify-content: space-between;">'
            '<span class="title"></span>'
            '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')


DEFAULT_TIMEOUT_S = 30.0
# One round trip: set the title when given, wait until the fonts are ready, say the document's language.
_PREPARE_JS = """(title) => {
    if (title !== null) { document.title = title; }
    return document.fonts.ready.then(() => document.documentElement.lang || "en");
}"""


# Each selected element shrunk (CSS zoom, at least half size) until it fits one printed page.
_FIT_EACH_JS = """([selector, room]) => {
    for (const element of document.querySelectorAll(selector)) {
        const height = element.getBoundingClientRect().height;
        if (height > room) { element.style.zoom = String(Math.max(0.5, room / height)); }
    }
    return true;
}"""


class PdfEngineError(AftersalesError):
    """PDFs cannot be made: Chromium or Playwright is missing or did not start, or a print failed."""


class PdfThreadError(RuntimeError):
    """A PdfPrinter was used from another thread than the one that created it (a programming error)."""


def chromium_path() -> Path:
    """The Chromium binary to print with: ``$AFTERSALES_CHROMIUM`` if set, else ``/usr/bin/chromium``."""
    env = os.environ.get(CHROMIUM_ENV, "").strip()
    return Path(env) if env else DEFAULT_CHROMIUM


def _from_env(chromium: Path) -> bool:
    env = os.environ.get(CHROMIUM_ENV, "").strip()
    return bool(env) and Path(env) == chromium


def _needs(chromium: Path) -> str:
    """The start of every problem message: which binary PDF printing needs, and where it came from."""
    if _from_env(chromium):
        return f"PDF needs Chromium at {chromium} (set by {CHROMIUM_ENV})"
    if chromium == DEFAULT_CHROMIUM:
        return f"PDF needs Debian's Chromium at {chromium}"
    return f"PDF needs Chromium at {chromium}"


def _install_hint(chromium: Path) -> str:
    if _from_env(chromium):
        return f"point {CHROMIUM_ENV} at a Chromium binary, or unset it and {INSTALL_HINT}"
    return INSTALL_HINT


def pdf_engine_problem(chromium: Path | str | None = None) -> str | None:
    """None when PDFs can be made; else one message saying exactly what to install.

    Cheap (no process is started): checks that Playwright's Python package is importable and
    that the Chromium binary (``chromium``, default :func:`chromium_path`) is an executable file.
    Whether it really starts shows when :class:`PdfPrinter` launches it.
    """
    binary = Path(chromium) if chromium is not None else chromium_path()
    if not binary.exists():
        return f"{_needs(binary)}, which is missing: {_install_hint(binary)}; {STILL_RENDERS}"
    if not binary.is_file() or not os.access(binary, os.X_OK):
        return f"{_needs(binary)}, which is not an executable file: {_install_hint(binary)}; {STILL_RENDERS}"
    try:
        import playwright.sync_api  # noqa: F401  (only whether it imports)
    except ImportError as exc:
        return (f"PDF needs the Python package playwright ({_first_line(exc)}): install it with "
                f"`pip install -e '.[test]'` (no `playwright install`: it drives {binary}); "
                f"{STILL_RENDERS}")
    return None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _is_local(url: str) -> bool:
    return url.startswith(_LOCAL_SCHEMES)


class PdfPrinter:
    """Prints self-contained HTML files to PDF with one headless Chromium, started on first use.

    Use it as a context manager (or call :meth:`close`): leaving it closes the browser and
    Playwright. One PdfPrinter belongs to the thread that created it (Playwright's sync API is
    bound to its thread); :meth:`print_pdf` from another thread raises :class:`PdfThreadError`.

    ``chromium`` is the binary (default :func:`chromium_path`); ``timeout_s`` bounds loading and
    printing one document; ``footer`` adds the document title and "n / N" page numbers at the
    bottom of every page. All documents are printed in one reused page (tab): navigating it to
    the next file replaces the whole document, and it is ~0.15 s per PDF faster than a new page
    per document. A page whose print failed is closed, and the next document gets a fresh one.
    """

    def __init__(self, *, chromium: Path | str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 footer: bool = True) -> None:
        self.chromium = Path(chromium) if chromium is not None else chromium_path()
        self.timeout_s = timeout_s
        self.footer = footer
        self.blocked_urls: list[str] = []
        """Requests aborted while printing the last document (each is also logged as a warning)."""
        self._owner = threading.current_thread()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running" if self._browser is not None else "not started"
        return f"PdfPrinter(chromium={str(self.chromium)!r}, {state}, thread={self._owner.name!r})"

    @property
    def started(self) -> bool:
        """Whether the browser is running (it starts on the first :meth:`print_pdf` or :meth:`start`)."""
        return self._browser is not None and self._browser.is_connected()

    def _check_thread(self, action: str) -> None:
        current = threading.current_thread()
        if current is not self._owner:
            raise PdfThreadError(
                f"PdfPrinter.{action} called from thread {current.name!r}, but this PdfPrinter belongs "
                f"to thread {self._owner.name!r}, which created it (Playwright's sync API is bound to "
                f"one thread): create one PdfPrinter per thread")

    def start(self) -> None:
        """Start Playwright and Chromium now instead of on the first document (idempotent).

        Raises :class:`PdfEngineError` saying what to install when Chromium is missing or does
        not start, and when called inside a running asyncio loop (use a worker thread there).
        """
        self._check_thread("start")
        if self._closed:
            raise RuntimeError("this PdfPrinter is closed; create a new one")
        if self.started:
            return
        if self._browser is not None:  # the browser crashed or was closed under us: start afresh
            log.warning("Chromium is no longer connected; starting it again")
            self._stop()
        problem = pdf_engine_problem(self.chromium)
        if problem:
            raise PdfEngineError(problem)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise PdfEngineError(
                "PdfPrinter uses Playwright's sync API, which cannot start while an asyncio loop runs "
                "in this thread (a Jupyter kernel, or another PdfPrinter or Playwright session open "
                "here): print from a worker thread, one PdfPrinter per thread")

        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        try:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(self.chromium), args=CHROMIUM_ARGS, headless=True,
                timeout=self.timeout_s * 1000)
            self._context = self._browser.new_context(java_script_enabled=True, locale="en-US")
            self._context.set_default_timeout(self.timeout_s * 1000)
            self._context.route(lambda url: not _is_local(url), self._block)
        except PlaywrightError as exc:
            self._stop()
            raise PdfEngineError(
                f"{_needs(self.chromium)}, which did not start ({_first_line(exc)}): "
                f"{_install_hint(self.chromium)}; {STILL_RENDERS}") from exc
        except BaseException:
            self._stop()
            raise

    def _block(self, route: Any) -> None:
        url = route.request.url
        self.blocked_urls.append(url)
        log.warning("PDF printing blocked a request to %s (documents must be self-contained)", url)
        route.abort("blockedbyclient")

    def close(self) -> None:
        """Close the browser and Playwright (idempotent; :meth:`__exit__` calls it)."""
        if self._closed:
            return
        if self._playwright is not None:
            self._check_thread("close")
        self._closed = True
        self._stop()

    def _stop(self) -> None:
        """Close whatever was started, best effort: the browser may already be gone."""
        for closer in (self._page, self._context, self._browser):
            if closer is not None:
                try:
                    closer.close()
                except Exception as exc:  # noqa: BLE001  (already dead is fine while closing)
                    log.debug("while closing %r: %s", closer, exc)
        if self._playwright is not None:
            try:
                self._playwright.stop()
            except Exception as exc:  # noqa: BLE001
                log.debug("while stopping Playwright: %s", exc)
        self._page = None
        self._context = self._browser = self._playwright = None

    # -- printing --------------------------------------------------------------------------

    def print_pdf(self, html_path: Path, pdf_path: Path, *, title: str | None = None, one_page: bool = False,
                  each_on_one_page: str | None = None) -> None:
        """Print the HTML file ``html_path`` to ``pdf_path`` (A4, 15 mm margins, backgrounds).

        ``title`` replaces the document's ``<title>`` for the PDF's metadata and the footer.
        ``one_page`` (a one-page sheet) scales the print down just enough for it to fit one page;
        ``each_on_one_page`` (a CSS selector: many sheets in one document, each starting a page) shrinks
        each element it selects to fit one page, and prints without the footer (a sheet's own first
        line names it; the page numbers would run across the sheets).
        The PDF is written atomically (an existing ``pdf_path`` is replaced only on success);
        its folder is created if missing. Raises FileNotFoundError for a missing HTML file,
        :class:`PdfEngineError` when Chromium is missing or loading/printing fails, and
        :class:`PdfThreadError` when called from another thread than the creator's.
        """
        self._check_thread("print_pdf")
        html_path, pdf_path = Path(html_path), Path(pdf_path)
        if not html_path.is_file():
            raise FileNotFoundError(f"no HTML file to print: {html_path}")
        self.start()
        assert self._context is not None

        from playwright.sync_api import Error as PlaywrightError

        self.blocked_urls = []
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
        try:
            data = self._print(self._page, html_path.resolve().as_uri(), title, one_page, each_on_one_page)
        except BaseException as exc:
            self._discard_page()  # its state is unknown now: the next document gets a fresh page
            if isinstance(exc, PlaywrightError):
                raise PdfEngineError(f"could not print {html_path} to PDF: {_first_line(exc)}") from exc
            raise
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(pdf_path, data)

    def _discard_page(self) -> None:
        page, self._page = self._page, None
        if page is not None:
            try:
                page.close()
            except Exception as exc:  # noqa: BLE001  (the browser may be gone: start() notices)
                log.debug("while closing the page: %s", exc)

    def _print(self, page: Page, url: str, title: str | None, one_page: bool = False,
               each_on_one_page: str | None = None) -> bytes:
        page.goto(url, wait_until="load")
        # Fonts are system fonts (no downloads), but text is measured only once they are ready.
        lang = str(page.evaluate(_PREPARE_JS, title))
        scale = 1.0
        footer = self.footer and each_on_one_page is None
        if one_page or each_on_one_page:  # lay it out at the printed width, then shrink to the printed height
            page.emulate_media(media="print")
            page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": PRINT_HEIGHT_PX})
        if one_page:
            height = float(page.evaluate("() => Math.ceil(document.body.getBoundingClientRect().bottom)"))
            scale = max(0.5, min(1.0, PRINT_HEIGHT_PX * 0.97 / height)) if height else 1.0
        if each_on_one_page:
            page.evaluate(_FIT_EACH_JS, [each_on_one_page, PRINT_HEIGHT_PX * 0.97])
        return page.pdf(
            format=PAGE_FORMAT,
            scale=scale,
            margin=MARGIN,
            print_background=True,
            display_header_footer=footer,
            header_template=HEADER_TEMPLATE if footer else None,
            footer_template=footer_template(lang) if footer else None,
            outline=True,  # bookmarks from the headings
        )
