"""Fixtures for the browser tests: the Voila app in a subprocess, Chromium, and a fresh page.

* ``chromium`` — Debian's Chromium at ``/usr/bin/chromium`` (``make browser`` installs it). It is
  never downloaded here. Missing, the tests fail when ``CI`` is set and skip otherwise.
* ``voila_app`` — ``notebooks/00_start_here.ipynb`` served by Voila on 127.0.0.1 and a free
  port, with the server settings ``make app`` uses (``etc/voila.py``) and ``AFTERSALES_CASE_LOG``
  pointing at a temporary file; stopped after the module. ``serve_voila`` starts another one
  (with extra command-line settings) for tests that need different ones.
* ``app_page`` — a page in a new browser context that may only reach the app: requests to any
  other host (Voila's template asks a CDN for icon fonts) are aborted, so an offline machine
  behaves like any other.

When a test fails, its report gets a full-page screenshot (``build/test-output/browser/
failure-<test name>.png``), the browser console's errors and the tail of each Voila server's log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aftersales.localserver import CHROMIUM, CHROMIUM_ARGS, answers, free_port, stop

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = Path("notebooks") / "00_start_here.ipynb"
# Where Voila finds its config file (voila.py): the same folder `make app` passes.
VOILA_CONFIG_DIR = Path("etc")
OUTPUT_DIR = REPO_ROOT / "build" / "test-output" / "browser"
SERVER_START_TIMEOUT_S = 60
LOG_TAIL_CHARS = 6000


_DIAGNOSTICS = pytest.StashKey["PageDiagnostics"]()


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")






def _tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return text if len(text) <= chars else "…" + text[-chars:]


# Voila's page does not scroll: its cells scroll inside a panel (#rendered_cells), so a
# "full page" screenshot would show one screen. How much taller the window must be to show all.
_HIDDEN_HEIGHT_JS = """() => Math.max(0, ...[...document.querySelectorAll('*')]
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
    .map(e => e.scrollHeight - e.clientHeight))"""


def full_page_screenshot(page: Any, path: Path) -> Path:
    """Save the whole app, including what its scrolling panel hides, as a PNG at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    hidden = int(page.evaluate(_HIDDEN_HEIGHT_JS))
    if hidden > 0:
        page.set_viewport_size({"width": viewport["width"], "height": viewport["height"] + hidden})
    try:
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(viewport)
    return path


@dataclass
class VoilaApp:
    """A running Voila server: where to browse, its log, and the case log it saves to."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    case_log: Path

    def log_tail(self) -> str:
        return _tail(self.log)

    def kernel(self, kernel_id: str) -> dict[str, Any] | None:
        """The server's model of a kernel (``GET api/kernels/<id>``), or None once it is gone."""
        try:
            with urllib.request.urlopen(f"{self.url}api/kernels/{kernel_id}", timeout=10) as response:
                model: dict[str, Any] = json.load(response)
                return model
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def kernel_processes(self) -> int:
        """How many kernel processes the server has running (Voila has no API listing kernels)."""
        import psutil

        children = psutil.Process(self.process.pid).children(recursive=True)
        return sum(1 for child in children if _is_kernel(child))


def _is_kernel(process: Any) -> bool:
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.NoSuchProcess:
        return False


@dataclass
class PageDiagnostics:
    """What the browser said while a test ran (shown when the test fails)."""

    console: list[str] = field(default_factory=list)


def _start_voila(port: int, log: Path, env: dict[str, str], extra_args: Sequence[str] = (),
                 notebook: Path = NOTEBOOK) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.config_file_paths={VOILA_CONFIG_DIR}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",  # a taken port must fail, not silently move elsewhere
        "--VoilaConfiguration.show_tracebacks=True",
        *extra_args,
    ]
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the server
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)




@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; fail under CI, skip elsewhere, when it is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} is not installed; `make browser` installs Debian's chromium package"
        if _ci():
            pytest.fail(f"{reason} (CI is set, so the browser test may not be skipped)", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@contextmanager
def serve_voila(workdir: Path, extra_args: Sequence[str] = (), *, notebook: Path = NOTEBOOK,
                environment: dict[str, str] | None = None) -> Iterator[VoilaApp]:
    """Serve the start page (or another ``notebook``) from ``workdir`` (logs, case log, runtime
    files) until the block ends.

    ``extra_args`` are more command-line settings; they win over the config file's.
    ``environment`` adds variables for the server and its kernels (e.g. a playbooks folder).
    """
    assert (REPO_ROOT / notebook).is_file(), f"{notebook} is missing"
    case_log = workdir / "case-log.jsonl"
    env = dict(os.environ)
    env.update(environment or {})
    env["AFTERSALES_CASE_LOG"] = str(case_log)
    env["AFTERSALES_PROGRESS_DB"] = str(workdir / "progress.db")  # practice never touches a real store
    env.pop("AFTERSALES_PROGRESS_URL", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["JUPYTER_RUNTIME_DIR"] = str(workdir / "runtime")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"

    failures: list[str] = []
    for attempt in range(1, 4):  # another process may take the free port before Voila binds it
        port = free_port()
        log = workdir / f"voila-{attempt}.log"
        process = _start_voila(port, log, env, extra_args, notebook)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while process.poll() is None and time.monotonic() < deadline and not answers(port):
            time.sleep(0.2)
        if process.poll() is None and answers(port):
            app = VoilaApp(process, f"http://127.0.0.1:{port}/", log, case_log)
            try:
                yield app
            finally:
                stop(process)
            return
        stop(process)
        output = _tail(log)
        failures.append(f"attempt {attempt} (port {port}, exit code {process.returncode}):\n{output}")
        if "no available port" not in output:
            break
    pytest.fail(f"Voila did not answer on its port (waited up to {SERVER_START_TIMEOUT_S} s); its output:\n"
                + "\n".join(failures), pytrace=False)


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaApp]:
    """The start page served by Voila, as ``make app`` serves it, on a free local port."""
    with serve_voila(tmp_path_factory.mktemp("voila")) as app:
        yield app


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    """Headless Chromium launched by Playwright (the system binary, nothing downloaded)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def app_page(browser: Any, voila_app: VoilaApp, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A new page that can reach the app and nothing else, with generous timeouts."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.route(lambda url: not url.startswith(voila_app.url), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)  # one answer is a kernel round trip; CI machines are slow
    diagnostics = PageDiagnostics()
    page.on("console", lambda message: diagnostics.console.append(f"{message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: diagnostics.console.append(f"page error: {error}"))
    request.node.stash[_DIAGNOSTICS] = diagnostics
    _failure_screenshot(request.node).unlink(missing_ok=True)  # a stale one would mislead
    try:
        yield page
    finally:
        context.close()


def _failure_screenshot(item: pytest.Item) -> Path:
    return OUTPUT_DIR / f"failure-{item.name}.png"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                               ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failed browser test, add a screenshot, the browser console and Voila's log."""
    report = yield
    if report.when == "call" and report.failed and isinstance(item, pytest.Function):
        from playwright.sync_api import Error as PlaywrightError

        page = item.funcargs.get("app_page")
        if page is not None and not page.is_closed():
            shot = _failure_screenshot(item)
            try:
                full_page_screenshot(page, shot)
                report.sections.append(("browser", f"screenshot: {shot}\nurl: {page.url}"))
            except (PlaywrightError, OSError) as exc:  # the browser may be what failed
                report.sections.append(("browser", f"no screenshot: {exc}"))
        diagnostics = item.stash.get(_DIAGNOSTICS, None)
        if diagnostics is not None and diagnostics.console:
            report.sections.append(("browser console", "\n".join(diagnostics.console[-80:])))
        for name, app in item.funcargs.items():
            if isinstance(app, VoilaApp):
                report.sections.append((f"voila log ({name})", app.log_tail()))
    return report
