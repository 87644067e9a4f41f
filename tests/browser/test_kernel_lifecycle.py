"""Kernels do not outlive their tabs: every page load gets a kernel (~85 MB), closing the tab ends it.

The server keeps a pool of pre-heated kernels (``etc/voila.py``: ``POOL_SIZE`` below is read
from it); a page load takes one of them, or starts one when the pool is empty.

* Closing a tab runs the page's ``beforeunload`` handler, which posts Voila's shutdown call for
  its kernel; the server must accept it (it refused it for want of an ``_xsrf`` cookie, and
  each closed tab left its kernel running). 30 loads and closes, pooled kernels among them,
  must leave exactly the configured pool: every tab's kernel gone, and the pool refilled with
  kernels no tab has used.
* A tab that vanishes without that call (a crash, a killed browser, a lost network) leaves an
  idle kernel with no connection: the server culls it after the idle timeout, while a kernel
  whose tab is still open is kept however long it idles, and so are the pool's waiting kernels.
  That runs on a second server whose timeout is seconds instead of minutes.

The server's view comes from its kernel API (``GET api/kernels/<id>``: 404 once the kernel is
gone) and, since Voila has no API listing kernels, from its kernel processes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import REPO_ROOT, VOILA_CONFIG_DIR, VoilaApp, serve_voila


def _configured_pool() -> int:
    """The pre-heated kernels ``etc/voila.py`` keeps (0 when ``preheat_kernel`` is off)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("voila.py", path=str(REPO_ROOT / VOILA_CONFIG_DIR)).load_config()
    voila = config.VoilaConfiguration
    return max(int(voila.get("default_pool_size", 1)), 0) if voila.get("preheat_kernel", False) else 0


LOADS = 30
TABS_AT_ONCE = 2  # pages loading together; kernel starts dominate, and CI machines have few cores
POOL_SIZE = _configured_pool()  # pre-heated kernels the server keeps waiting for the next page
CONNECT_TIMEOUT_S = 120  # the first load also warms the server; CI machines are slow
GONE_TIMEOUT_S = 20  # shutdown is a beacon away, but the kernel process takes a moment to exit
CULL_IDLE_S = 3
CULL_INTERVAL_S = 1
KERNEL_CHANNELS = re.compile(r"/api/kernels/([0-9a-f-]{36})/channels")
CULLER_STARTED = re.compile(r"Culling kernels with idle durations > (\d+) seconds")
POOLED = re.compile(r"Using pre-heated kernel: ([0-9a-f-]{36})")


@dataclass
class Tab:
    """A page of the app and, once its kernel's websocket answered, that kernel's id."""

    page: Any
    kernel_id: str | None = None
    connected: bool = False


def _open(context: Any, url: str) -> Tab:
    """Open the app in a new tab; return as soon as the server started answering."""
    tab = Tab(context.new_page())

    def on_websocket(websocket: Any) -> None:
        match = KERNEL_CHANNELS.search(websocket.url)
        if match:
            tab.kernel_id = match[1]
            websocket.on("framereceived", lambda _frame: setattr(tab, "connected", True))

    tab.page.on("websocket", on_websocket)
    tab.page.goto(url, wait_until="commit", timeout=CONNECT_TIMEOUT_S * 1000)
    return tab


def _wait_connected(tab: Tab) -> str:
    """Wait until the page talks to its kernel, and return the kernel's id.

    The page registers its shutdown-on-unload handler in the same step that opens the kernel's
    websocket, so from here on closing the tab asks the server to end the kernel. The full
    render is not waited for: it adds nothing to what is tested here.
    """
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while not tab.connected:
        assert time.monotonic() < deadline, f"the page did not connect to a kernel in {CONNECT_TIMEOUT_S} s"
        tab.page.wait_for_timeout(50)  # lets Playwright deliver the page's events
    assert tab.kernel_id is not None
    return tab.kernel_id


def _close_like_a_person(tab: Tab) -> None:
    """Close the tab as a person does: the page's ``beforeunload`` handlers run first."""
    with tab.page.expect_event("close"):
        tab.page.close(run_before_unload=True)


def _new_context(browser: Any) -> Any:
    """A browser context without request interception (``context.route``).

    Playwright holds an intercepted request until its Python handler answers, and drops it if
    the page closes meanwhile: the shutdown beacon a closing tab sends would often be lost. The
    browser's ``--host-resolver-rules`` keep the pages away from other hosts instead.
    """
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")


def _refused_shutdowns(app: VoilaApp) -> list[str]:
    """The first few shutdown calls the server's log says it refused, with its reason."""
    return [line for line in app.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.startswith("403 POST") and "voila/api/shutdown" in line and "): " in line][:3]


KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


def running_kernels(app: VoilaApp) -> set[str]:
    """The ids of the kernels the server has running, from its kernel processes' connection files
    (Voila has no API listing kernels; the pool's kernels have no page to tell theirs)."""
    import psutil

    ids = set()
    for child in psutil.Process(app.process.pid).children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE or "ipykernel_launcher" not in " ".join(child.cmdline()):
                continue
            match = KERNEL_FILE.search(" ".join(child.cmdline()))
        except psutil.NoSuchProcess:
            continue
        if match:
            ids.add(match[1])
    return ids


def pooled(app: VoilaApp) -> set[str]:
    """The kernels the server's log says it handed from the pool to a page."""
    return set(POOLED.findall(app.log.read_text(encoding="utf-8", errors="replace")))


def test_closing_tabs_ends_their_kernels(browser: Any, voila_app: VoilaApp) -> None:
    """30 loads and closes of the app leave exactly the configured pool: no tab's kernel, a refilled pool."""
    started = time.monotonic()
    while POOL_SIZE and len(running_kernels(voila_app)) < POOL_SIZE:  # a fresh server fills its pool first
        assert time.monotonic() - started < GONE_TIMEOUT_S, "the server never filled its pool of pre-heated kernels"
        time.sleep(0.2)
    context = _new_context(browser)
    kernel_ids: list[str] = []
    try:
        for first in range(0, LOADS, TABS_AT_ONCE):
            tabs = [_open(context, voila_app.url) for _ in range(min(TABS_AT_ONCE, LOADS - first))]
            kernel_ids += [_wait_connected(tab) for tab in tabs]
            for tab in tabs:
                _close_like_a_person(tab)
        loaded = time.monotonic()
        assert len(set(kernel_ids)) == LOADS, "each load must have had a kernel of its own"
        from_pool = pooled(voila_app) & set(kernel_ids)
        if POOL_SIZE:
            assert kernel_ids[0] in from_pool, "the first page must have had a pre-heated kernel"

        deadline = time.monotonic() + GONE_TIMEOUT_S
        while True:
            alive = [kernel_id for kernel_id in kernel_ids if voila_app.kernel(kernel_id) is not None]
            processes = voila_app.kernel_processes()
            running = running_kernels(voila_app)
            if not alive and processes == POOL_SIZE and len(running) == POOL_SIZE:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{GONE_TIMEOUT_S} s after {LOADS} tabs were closed, the server still has "
                            f"{len(alive)} of their kernels and {processes} kernel processes (pool: "
                            f"{POOL_SIZE}); refused shutdown calls in its log: {_refused_shutdowns(voila_app)}",
                            pytrace=False)
            time.sleep(0.25)
    finally:
        context.close()
    assert not running & set(kernel_ids), "the pool must be refilled with kernels no tab has used"
    print(f"{LOADS} loads and closes ({len(from_pool)} from the pool of {POOL_SIZE}): {loaded - started:.1f} s; "
          f"kernels gone and the pool refilled {time.monotonic() - loaded:.1f} s after the last close")

    culler = CULLER_STARTED.search(voila_app.log.read_text(encoding="utf-8", errors="replace"))
    assert culler, "the server must cull idle kernels (MappingKernelManager.cull_idle_timeout > 0)"


def test_make_app_serves_with_the_same_config() -> None:
    """``make app`` reads the server settings the browser tests run with."""
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    app_recipe = re.search(r"^app:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert app_recipe, "the Makefile has no `app` target"
    assert f"--Voila.config_file_paths={VOILA_CONFIG_DIR}" in app_recipe[1]
    assert (REPO_ROOT / VOILA_CONFIG_DIR / "voila.py").is_file()


@pytest.fixture(scope="module")
def culling_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaApp]:
    """The app's server with an idle timeout of seconds, so that culling can be watched."""
    with serve_voila(tmp_path_factory.mktemp("voila-culling"), [
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
    ]) as app:
        yield app


def test_an_idle_kernel_is_culled_once_its_tab_vanished(browser: Any, culling_app: VoilaApp) -> None:
    """An open tab keeps its kernel however idle; a tab gone without a word loses it to the culler;
    the pool's waiting kernels, as idle, are kept."""
    started = time.monotonic()
    context = _new_context(browser)
    try:
        tab = _open(context, culling_app.url)
        kernel_id = _wait_connected(tab)
        tab.page.wait_for_timeout((CULL_IDLE_S + 2 * CULL_INTERVAL_S) * 1000)
        assert culling_app.kernel(kernel_id) is not None, "the kernel of an open tab was culled"

        tab.page.close()  # no beforeunload: the page cannot ask for the shutdown
        deadline = time.monotonic() + CULL_IDLE_S + 2 * CULL_INTERVAL_S + GONE_TIMEOUT_S
        while culling_app.kernel(kernel_id) is not None:
            assert time.monotonic() < deadline, "the idle kernel of a vanished tab was not culled"
            time.sleep(0.25)
    finally:
        context.close()
    log = culling_app.log.read_text(encoding="utf-8", errors="replace")
    assert re.search(rf"Culling '\w+' kernel '\w+' \({kernel_id}\)", log), "the kernel ended, but not by culling"

    deadline = time.monotonic() + GONE_TIMEOUT_S
    while len(waiting := running_kernels(culling_app) - {kernel_id}) != POOL_SIZE:
        assert time.monotonic() < deadline, f"the pool has {len(waiting)} kernels, not {POOL_SIZE}"
        time.sleep(0.25)
    log = culling_app.log.read_text(encoding="utf-8", errors="replace")
    assert not [k for k in waiting if f"({k})" in log], "the culler ended a kernel waiting in the pool"
    print(f"culling checked in {time.monotonic() - started:.1f} s")
