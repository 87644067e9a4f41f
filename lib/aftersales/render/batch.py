"""``aftersales render``: the SOP library, every scenario × platform × language, headless.

The documents are written by Papermill runs of the SOP render notebook (``notebooks/render_sop.ipynb``),
one per worker thread (``jobs``), each with whole scenarios (so there are as few kernel starts as
workers), which gets the playbooks folder, the store overlay and the documents to write as parameters
(nothing goes through the environment). The kernel typesets each PDF with Typst as it goes
(:mod:`.typst_pdf`) and prints each document's status, which moves the progress bar; with
``AFTERSALES_PDF_ENGINE=chromium`` each worker instead prints its documents' PDFs from their HTML with
its own Chromium. A failing document or
notebook never stops the others: it is reported with the notebook cell and the error, and
the command exits 1. Documents whose inputs did not change are not rendered again: the cache
(the manifest) is updated one document at a time, atomically, and forgets a document before its
files are rewritten, so a killed render never leaves an entry for a document it did not write.
A full disk fails the documents (and the index) it stops, never the summary.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..files import write_atomic
from .plan import FORMATS, MANIFEST, Job, plan_jobs, read_manifest, render_notebook

log = logging.getLogger(__name__)

KERNEL = "python3"
#: Which engine makes the PDFs: ``typst`` (typeset in the render kernel, no browser) or ``chromium``
#: (the HTML printed by Debian's Chromium). Default: Typst where its wheel is installed.
PDF_ENGINE_ENV = "AFTERSALES_PDF_ENGINE"
PDF_ENGINES = ("typst", "chromium")


def pdf_engine() -> str:
    """The PDF engine: ``$AFTERSALES_PDF_ENGINE`` if set, else Typst where it is installed, else Chromium."""
    from ..errors import AftersalesError
    from .typst_pdf import typst_problem

    chosen = os.environ.get(PDF_ENGINE_ENV, "").strip().lower()
    if chosen and chosen not in PDF_ENGINES:
        raise AftersalesError(f"{PDF_ENGINE_ENV}={chosen!r}: not a PDF engine; allowed: {', '.join(PDF_ENGINES)}")
    return chosen or ("typst" if typst_problem() is None else "chromium")


@dataclass
class RenderReport:
    jobs: list[Job]
    out: Path
    seconds: float = 0.0
    notebook_runs: int = 0
    pdf_problem: str | None = None
    pdf_engine: str = "typst"

    problems: list["Job"] = field(default_factory=list)  # what failed besides documents (the index)
    manifest: "_Manifest | None" = field(default=None, repr=False)

    @property
    def failed(self) -> list[Job]:
        return [j for j in self.jobs if j.status == "failed"] + self.problems

    @property
    def rendered(self) -> list[Job]:
        return [j for j in self.jobs if j.status == "ok"]

    @property
    def cached(self) -> list[Job]:
        return [j for j in self.jobs if j.status == "cached"]


def _block_slow_import() -> None:
    """Papermill → nbformat → jsonschema imports ``rfc3987_syntax`` (~2.6 s building parsers)
    only to check the ``iri`` string format, which no notebook schema uses; jsonschema skips
    the check when the module cannot be imported (python-jsonschema/jsonschema#1428)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _notebook_error(notebook: Path, exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell = exc.cell_index - 1 if exc.cell_index else exc.cell_index  # Papermill counts its injected cell
        return f"{notebook.name} cell {cell}: {exc.ename}: {exc.evalue}"
    return f"{notebook.name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _statuses(nb: Any) -> list[dict[str, Any]]:
    from .sop import STATUS_MIME

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if STATUS_MIME in data:
                return data[STATUS_MIME]
    return []


class _Worker(threading.Thread):
    """Takes one batch at a time (one scenario, or several): runs the render notebook for it, then, where
    Chromium prints, prints its PDFs.

    ``parameters``: the Papermill parameters every run shares (playbooks folder, overlay, render day).
    """

    def __init__(self, tasks: "queue.Queue[tuple[str, list[Job]] | None]", out: Path, notebook: Path,
                 parameters: dict[str, Any], done: "queue.Queue[Job]", report: RenderReport):
        super().__init__(daemon=True)
        self.tasks, self.out, self.notebook, self.parameters, self.done, self.report = tasks, out, notebook, parameters, done, report
        self.printer: Any = None
        self.typeset = report.pdf_engine == "typst"  # the kernel typesets the PDFs: nothing to print here

    def run(self) -> None:
        try:
            while True:
                task = self.tasks.get()
                if task is None:
                    return
                scenario, jobs = task
                self.reported: set[int] = set()
                try:
                    self._scenario(scenario, jobs)
                except Exception as exc:  # a bug here must not lose the other scenarios
                    for job in jobs:
                        if job.status == "todo":
                            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
                for job in jobs:
                    if id(job) not in self.reported:
                        self.done.put(job)
        finally:
            if self.printer is not None:
                self.printer.__exit__(None, None, None)

    def _pdf_source(self, job: Job) -> Path:
        return job.path(self.out, "html") if "html" in job.formats else job.path(self.out, "print.html")

    def _scenario(self, scenario: str, jobs: list[Job]) -> None:
        import papermill

        notebook = self.notebook
        if not notebook.exists():
            for job in jobs:
                job.status, job.error = "failed", f"no SOP render notebook {notebook}"
            return
        documents = []
        for job in jobs:
            documents.append({
                "scenario": job.scenario, "platform": job.platform, "lang": job.lang,
                "md": str(job.path(self.out, "md")) if "md" in job.formats else None,
                "html": str(job.path(self.out, "html")) if "html" in job.formats else None,
                "html_for_pdf": str(self._pdf_source(job)) if "pdf" in job.formats and "html" not in job.formats
                and not self.typeset else None,
                "flowchart": str(job.flowchart(self.out)),
                "sheet_html": str(job.sheet(self.out, "html")) if {"html", "pdf"} & set(job.formats) else None,
                **({"pdf": str(job.path(self.out, "pdf")), "sheet_pdf": str(job.sheet(self.out, "pdf"))}
                   if self.typeset and "pdf" in job.formats else {}),
            })
        by_key = {(job.scenario, job.platform, job.lang): job for job in jobs}

        def streamed(status: dict[str, Any]) -> None:  # a document is done while the run goes on
            job = by_key.get((status.get("scenario", scenario), status.get("platform"), status.get("lang")))
            if job is None or id(job) in self.reported or not self.typeset and "pdf" in job.formats:
                return  # where Chromium prints, the document is done only once printed
            self._take_status(job, status, notebook)
            if job.status == "todo":
                job.status = "ok"
            self.reported.add(id(job))
            self.done.put(job)

        try:
            nb = papermill.execute_notebook(
                str(notebook), None, parameters={**self.parameters, "scenario": scenario, "documents": documents},
                kernel_name=KERNEL, progress_bar=False, log_output=False, execution_timeout=900,
                stdout_file=_StatusStream(streamed))
        except Exception as exc:
            error = _notebook_error(notebook, exc)
            for job in jobs:
                job.status, job.error = "failed", error
            return
        by_doc = {(s.get("scenario", scenario), s["platform"], s["lang"]): s for s in _statuses(nb)}
        for job in jobs:
            if id(job) not in self.reported:
                self._take_status(job, by_doc.get((job.scenario, job.platform, job.lang)), notebook)
        for job in jobs:
            if job.status == "todo" and "pdf" in job.formats and not self.typeset:
                self._print(job)
            if job.status == "todo":
                job.status = "ok"

    @staticmethod
    def _take_status(job: Job, status: dict[str, Any] | None, notebook: Path) -> None:
        """The notebook's word on ``job``: nothing (failed), a failure with its cell's error, or fine."""
        if status is None:
            job.status, job.error = "failed", f"{notebook.name}: the notebook reported nothing for this document"
        elif not status["ok"]:
            job.status, job.error = "failed", f"{notebook.name} (render cell): {status['error']}"

    def _print(self, job: Job) -> None:
        from .pdf import PdfPrinter

        source, target = self._pdf_source(job), job.path(self.out, "pdf")
        try:
            if self.printer is None:
                self.printer = PdfPrinter().__enter__()
            self.printer.print_pdf(source, target)  # the sheets: all of a language at once, see _print_sheets
        except Exception as exc:
            job.status, job.error = "failed", f"PDF: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        finally:
            if source.name.endswith(".print.html"):
                source.unlink(missing_ok=True)


def render_library(*, playbooks: Path | None = None, out: Path = Path("build/sop"), scenarios: list[str] | None = None,
                   platforms: list[str] | None = None, langs: list[str] | None = None,
                   formats: list[str] | None = None, jobs: int | None = None, force: bool = False,
                   as_of: date | None = None, progress: bool = True, overlay: str | Path | None = None,
                   runner: Any = None) -> RenderReport:
    """Render the SOP library (see the module's docstring); returns what happened to each document.

    ``overlay`` (a store name or file) renders the store's own SOPs: it is checked first (an
    invalid overlay raises :class:`~aftersales.errors.PlaybookError` with every problem), its
    disabled platforms get no documents, and its bytes are part of every cache key.
    ``runner`` runs the notebooks instead of the local worker threads (same arguments as :func:`_run`;
    :mod:`aftersales.scale.render` runs them on a Dask cluster); planning, the cache, the sheets,
    the binders and the index stay here.
    """
    from ..paths import default_playbooks_dir

    started = time.perf_counter()
    root = Path(playbooks or default_playbooks_dir()).resolve()
    out = Path(out).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / ".write-check", "")
        (out / ".write-check").unlink()
    except OSError as exc:
        from ..errors import AftersalesError

        raise AftersalesError(f"cannot write the SOP library to {out}: {exc.strerror or exc}") from None
    formats = list(formats or FORMATS)
    day = as_of or date.today()
    report = RenderReport([], out)
    if "pdf" in formats:
        from .pdf import pdf_engine_problem
        from .typst_pdf import typst_problem

        report.pdf_engine = pdf_engine()
        report.pdf_problem = typst_problem() if report.pdf_engine == "typst" else pdf_engine_problem()
        if report.pdf_problem:
            formats.remove("pdf")
    overlay_file = None
    if overlay is not None:
        from ..overlay import resolve_overlay

        overlay_file = resolve_overlay(overlay, root).resolve()
    report.jobs = plan_jobs(root, out, scenarios=scenarios, platforms=platforms, langs=langs, formats=formats,
                            day=day, explicit_date=as_of is not None, force=force, overlay=overlay_file)
    todo = [j for j in report.jobs if j.status == "todo"]
    if todo:
        if overlay_file is not None:
            from ..library import load_library

            load_library(root, overlay=overlay_file)  # every problem of the overlay now, not once per document
        report.manifest = _Manifest(out)
        problem = report.manifest.forget(todo)  # before any document is touched: a kill leaves no stale claim
        if problem:
            for job in todo:
                job.status, job.error = "failed", f"not rendered: {problem}"
        else:
            (runner or _run)(todo, root, out, day, jobs or os.cpu_count() or 1, report, progress, overlay_file)
    if "pdf" in formats and todo:
        printed = [job for job in todo if job.status == "ok" and "pdf" in job.formats]
        if report.pdf_engine != "typst":  # Typst typeset the sheets with their documents
            _print_sheets(out, printed)
        for job in printed:
            if job.status == "failed" and report.manifest is not None:
                report.manifest.record(job)  # its sheet could not be printed: not up to date
        try:
            _write_binders(out, report.jobs, typeset=report.pdf_engine == "typst")
        except Exception as exc:  # the documents are written: a binder that fails is reported, not fatal
            report.problems.append(_Problem("binder", f"binder not printed: {type(exc).__name__}: {exc}"))
    try:  # after the binders: the front pages link them
        _write_index(out, report.jobs, root)
    except OSError as exc:
        report.problems.append(_Problem("index", f"cannot write the index in {out}: {exc.strerror or exc}"))
    report.seconds = time.perf_counter() - started
    return report


class _StatusStream:
    """Papermill's ``stdout_file``: the notebook's output as it comes; each complete
    :data:`~.sop.STATUS_LINE` is handed to ``on_status`` as a status dict, the rest is dropped."""

    def __init__(self, on_status: Any):
        self.on_status, self.pending = on_status, ""

    def write(self, text: str) -> int:
        from .sop import STATUS_LINE

        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if line.startswith(STATUS_LINE):
                try:
                    status = json.loads(line[len(STATUS_LINE):])
                except ValueError:
                    continue
                if isinstance(status, dict):
                    self.on_status(status)
        return len(text)

    def flush(self) -> None:
        pass


def _run(todo: list[Job], root: Path, out: Path, day: date, workers: int, report: RenderReport, progress: bool,
         overlay: Path | None = None) -> None:
    _block_slow_import()
    batches = run_batches(todo, RUNS_PER_WORKER * max(1, workers))
    tasks: queue.Queue = queue.Queue()
    for batch in batches:
        tasks.put(batch)
    report.notebook_runs = len(batches)
    workers = max(1, min(workers, len(batches)))
    for _ in range(workers):
        tasks.put(None)
    done: queue.Queue = queue.Queue()
    parameters = notebook_parameters(root, overlay, day)
    threads = [_Worker(tasks, out, render_notebook(), parameters, done, report) for _ in range(workers)]
    for thread in threads:
        thread.start()
    with progress_bar(len(todo), progress) as bar:
        for _ in range(len(todo)):
            finish_job(done.get(), report, bar)
    for thread in threads:
        thread.join()


#: Notebook runs per worker: each run starts a kernel and loads the library (~1.7 s), so the scenarios
#: share one run per worker (the progress bar still moves document by document: the notebook prints
#: each status as it goes, see :class:`_StatusStream`).
RUNS_PER_WORKER = 1


def run_batches(todo: list[Job], runs: int) -> list[tuple[str, list[Job]]]:
    """The documents to render in at most ``runs`` notebook runs: whole scenarios, each run as close to
    an equal share of the documents as the scenarios allow (the biggest first, each to the lightest run);
    a run is named by its first scenario and its documents name their own."""
    bins: list[list[Job]] = [[] for _ in range(max(1, runs))]
    for _scenario, jobs in scenario_batches(todo):
        min(bins, key=len).extend(jobs)
    filled = sorted((jobs for jobs in bins if jobs), key=lambda jobs: -len(jobs))
    return [(jobs[0].scenario, jobs) for jobs in filled]


def scenario_batches(todo: list[Job]) -> list[tuple[str, list[Job]]]:
    """The documents to render grouped by scenario (one notebook run each), the biggest scenarios
    first, so that the last worker does not start a long one alone."""
    by_scenario: dict[str, list[Job]] = {}
    for job in todo:
        by_scenario.setdefault(job.scenario, []).append(job)
    return sorted(by_scenario.items(), key=lambda item: -len(item[1]))


def notebook_parameters(root: Path, overlay: Path | None, day: date) -> dict[str, Any]:
    """The Papermill parameters every run shares: every kernel loads these playbooks with this overlay
    (or none) and prints this render day; parameters, not the environment."""
    return {"playbooks": str(root), "overlay": str(overlay) if overlay else None, "rendered_on": day.isoformat()}


def progress_bar(total: int, progress: bool) -> Any:
    """The documents' progress bar on stderr (disabled: ``--no-progress``)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="SOP documents", disable=not progress, file=sys.stderr)


def finish_job(job: Job, report: RenderReport, bar: Any) -> None:
    """A document is done (written or failed): its cache entry is saved at once, so a kill loses no
    finished document, and one line says how it went."""
    if report.manifest is not None:
        report.manifest.record(job)
    mark = "ok    " if job.status == "ok" else "FAILED"
    bar.write(f"{mark} {job.doc_id} ({', '.join(job.formats)})" + (f": {job.error}" if job.error else ""),
              file=sys.stderr)
    bar.update(1)


def render_scenario(scenario: str, jobs: list[Job], out: Path, notebook: Path, parameters: dict[str, Any]) -> list[Job]:
    """One scenario's documents rendered in this thread exactly as a local worker thread renders them
    (the notebook run, then the PDFs with a Chromium of its own, closed at the end); every job's
    status and error are set. For a task on a cluster (:mod:`aftersales.scale.render`)."""
    _block_slow_import()
    tasks: queue.Queue = queue.Queue()
    tasks.put((scenario, jobs))
    tasks.put(None)
    _Worker(tasks, out, notebook, parameters, queue.Queue(), RenderReport(jobs, out)).run()  # run(), not start()
    return jobs


class _Problem(Job):
    """A failure that is not one document's (the index): listed with the failed documents."""

    def __init__(self, what: str, error: str):
        super().__init__(what, "", "", (), status="failed", error=error)
        self.what = what

    @property
    def doc_id(self) -> str:
        return self.what


class _Manifest:
    """The render cache (``.sop-manifest.json``), rewritten atomically (temporary file, then
    ``os.replace``) each time a document's entry changes, so that after a kill it claims only
    documents that were written with the key it holds.

    Entries of the documents about to be rendered are removed before any of their files is
    written (:meth:`forget`); each one gets its new entry when it is done (:meth:`record`).
    """

    def __init__(self, out: Path):
        self.out = out
        entries = read_manifest(out)
        self.entries = entries if isinstance(entries, dict) else {}

    def _save(self) -> None:
        write_atomic(self.out / MANIFEST, json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True))

    def forget(self, jobs: list[Job]) -> str | None:
        """Drop the entries of ``jobs``; a problem (nothing may be rendered then), or None."""
        if not any(job.doc_id in self.entries for job in jobs):
            return None
        for job in jobs:
            self.entries.pop(job.doc_id, None)
        try:
            self._save()
        except OSError as exc:
            try:  # no room for the new manifest: no manifest is a correct (empty) cache
                (self.out / MANIFEST).unlink(missing_ok=True)
            except OSError:
                return f"cannot update the render cache {self.out / MANIFEST}: {exc.strerror or exc}"
        return None

    def record(self, job: Job) -> None:
        """Save ``job``'s entry; a manifest that cannot be written fails the job (it is rendered again next time)."""
        if job.status not in ("ok", "failed"):
            return
        self.entries[job.doc_id] = {"key": job.key if job.status == "ok" else "", "status": job.status,
                                    "formats": list(job.formats), "error": job.error}
        try:
            self._save()
        except OSError as exc:
            self.entries.pop(job.doc_id, None)  # the file on disk does not hold it either
            if job.status == "ok":
                job.status, job.error = "failed", (f"written, but the render cache {self.out / MANIFEST} could not "
                                                   f"be updated: {exc.strerror or exc}")


def _print_sheets(out: Path, jobs: list[Job]) -> None:
    """Print the one-page sheets of ``jobs``: all sheets of a language as one document (one print,
    each sheet shrunk to fit its page), split into one PDF per sheet with poppler's ``pdfseparate``.
    A print costs ~0.1 s besides its pages, so 30 sheets printed at once take a fraction of 30
    prints. When that fails (or poppler is missing, or the pages do not come out one per sheet),
    each sheet is printed on its own; a sheet that cannot be printed fails its document."""
    import re
    import shutil
    import subprocess
    import tempfile

    from .pdf import PdfPrinter

    by_lang: dict[str, list[Job]] = {}
    for job in jobs:
        if job.sheet(out, "html").exists():
            by_lang.setdefault(job.lang, []).append(job)
    if not by_lang:
        return
    separate = shutil.which("pdfseparate")
    with PdfPrinter() as printer, tempfile.TemporaryDirectory(prefix="aftersales-sheets-") as work:
        for lang, group in sorted(by_lang.items()):
            try:
                if separate is None:
                    raise RuntimeError("pdfseparate (poppler-utils) is not installed")
                pages = [job.sheet(out, "html").read_text(encoding="utf-8") for job in group]
                head = pages[0].split("<body>", 1)[0]
                sections = [re.search(r"<section class=\"sheet\".*?</section>", page, re.S) for page in pages]
                if not all(sections):
                    raise RuntimeError("a sheet has no <section class=\"sheet\">")
                combined = Path(work) / f"sheets.{lang}.html"
                combined.write_text(head + "<body>\n" + "\n".join(m.group(0) for m in sections if m)
                                    + "\n</body>\n</html>\n", encoding="utf-8")
                printed = Path(work) / f"sheets.{lang}.pdf"
                printer.print_pdf(combined, printed, each_on_one_page="section.sheet")
                split = Path(work) / lang
                split.mkdir()
                subprocess.run([separate, str(printed), str(split / "%d.pdf")], check=True, capture_output=True,
                               timeout=300)
                parts = sorted(split.glob("*.pdf"), key=lambda path: int(path.stem))
                if len(parts) != len(group):
                    raise RuntimeError(f"{len(group)} sheets printed as {len(parts)} pages")
                for job, part in zip(group, parts, strict=True):
                    write_atomic(job.sheet(out, "pdf"), part.read_bytes())
            except Exception as exc:  # noqa: BLE001  (one at a time instead: slower, never lost)
                log.warning("sheets in %s printed one by one (%s: %s)", lang, type(exc).__name__, exc)
                for job in group:
                    try:
                        printer.print_pdf(job.sheet(out, "html"), job.sheet(out, "pdf"), one_page=True)
                    except Exception as one:  # noqa: BLE001
                        job.status, job.error = "failed", f"sheet PDF: {type(one).__name__}: {one}"


def binder_sheets(out: Path, jobs: list[Job], lang: str) -> list[tuple[str, Path]]:
    """The printed sheets of ``lang`` in scenario and platform order: each sheet's title (as its HTML
    writes it, escaped) and its PDF."""
    import re
    from html import escape

    sheets = []
    for job in sorted((j for j in jobs if j.lang == lang and j.status in ("ok", "cached")),
                      key=lambda j: (j.scenario, j.platform)):
        html, pdf = job.sheet(out, "html"), job.sheet(out, "pdf")
        if html.exists() and pdf.exists():
            title = re.search(r"<h1>(.*?)</h1>", html.read_text(encoding="utf-8"), re.S)
            sheets.append((title.group(1) if title else escape(job.doc_id), pdf))
    return sheets


def binder_contents_html(out: Path, jobs: list[Job], lang: str) -> tuple[str, list[Path]] | None:
    """The binder's contents page for ``lang`` (HTML) and the sheet PDFs that follow it, in scenario
    and platform order (None: no printed sheet of that language)."""
    from html import escape

    from ..present.words import word
    from .fonts import css_font_stack

    sheets = binder_sheets(out, jobs, lang)
    if not sheets:
        return None
    contents = "".join(f"<li>{title} <span style='color:#6b7585'>· {number + 2}</span></li>"
                       for number, (title, _pdf) in enumerate(sheets))
    page = (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(word('binder', lang))}</title>"
            f"<style>body {{ font-family: {css_font_stack(lang)}; font-size: 10.5pt; }}"
            " li { margin: 0 0 1.5mm; }</style></head><body>"
            f"<h1>{escape(word('binder', lang))}</h1><h2>{escape(word('contents', lang))}</h2><ol>{contents}</ol></body></html>")
    return page, [pdf for _title, pdf in sheets]


def _write_binders(out: Path, jobs: list[Job], typeset: bool = False) -> None:
    """``binder.<lang>.pdf`` for each language with printed sheets: a contents page, then every
    sheet of that language as printed (each exactly one page), joined with poppler's ``pdfunite``.
    The contents page is typeset by Typst (``typeset``) or printed from HTML by Chromium."""
    import contextlib
    import html
    import shutil
    import subprocess
    import tempfile

    from ..present.words import word
    from .pdf import PdfPrinter
    from .typst_pdf import contents_pdf

    unite = shutil.which("pdfunite")
    if unite is None:
        raise RuntimeError("pdfunite (poppler-utils) is not installed: run .ci/install-render-tools.sh")
    with (contextlib.nullcontext() if typeset else PdfPrinter()) as printer, \
            tempfile.TemporaryDirectory(prefix="aftersales-binder-") as work:
        for lang in sorted({job.lang for job in jobs}):
            found = binder_contents_html(out, jobs, lang)
            if found is None:
                continue
            page, sheets = found
            source, contents = Path(work) / f"contents.{lang}.html", Path(work) / f"contents.{lang}.pdf"
            if typeset:
                entries = [(html.unescape(title), number + 2)
                           for number, (title, _pdf) in enumerate(binder_sheets(out, jobs, lang))]
                contents_pdf(word("binder", lang), word("contents", lang), entries, lang, contents)
            else:
                source.write_text(page, encoding="utf-8")
                printer.print_pdf(source, contents, one_page=True)
            joined = Path(work) / f"binder.{lang}.pdf"
            subprocess.run([unite, str(contents), *map(str, sheets), str(joined)], check=True, capture_output=True,
                           timeout=300)
            write_atomic(out / f"binder.{lang}.pdf", joined.read_bytes())


def _write_index(out: Path, jobs: list[Job], playbooks: Path | None = None) -> None:
    """The front pages (one per language, see :mod:`.index`) and the sources page."""
    from ..citations import seed_page_html, seed_page_markdown
    from .index import index_file, index_html, index_markdown, library_names
    from .plan import LANGS

    manifest = read_manifest(out)
    names = library_names(playbooks) if playbooks is not None else None
    pages = [*((index_file(lang, "html"), index_html(out, jobs, manifest, lang, names)) for lang in LANGS),
             *((index_file(lang, "md"), index_markdown(out, jobs, manifest, lang, names)) for lang in LANGS),
             ("sources.html", seed_page_html()), ("sources.md", seed_page_markdown())]
    for name, text in pages:
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
