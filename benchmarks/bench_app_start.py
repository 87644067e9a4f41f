"""First load of the trainees' app: from navigation to the first usable widget (``.as-start``
visible), in Debian's Chromium against a Voila server of its own.

Target (issue 17): a first load <= 2 s on a team's server. Three figures:

* **cold** — the server was just started: navigation as soon as its port answers (with a
  pre-heated pool, the pool is still being filled then);
* **first** — the first trainee on a settled server (its pool, if any, filled and idle);
* **next** — ``--loads`` more loads, one after another, each in a fresh browser context (a new
  trainee: no cookies) and each tab closed as a person closes it (the page ends its kernel);
  before each load the server settles again (the pool refilled), as when trainees arrive
  seconds apart. ``--no-settle`` loads back to back instead, which empties a small pool.

The server is started with the settings ``make app`` uses (``--Voila.config_file_paths=etc``)
plus any ``--voila-arg``, on a free port, with ``AFTERSALES_CASE_LOG`` in a temporary folder.
Chromium is ``/usr/bin/chromium`` with the browser tests' arguments; nothing is downloaded.

    python benchmarks/bench_app_start.py [--loads 10] [--voila-arg=--VoilaConfiguration.default_pool_size=0]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VoilaApp, _is_kernel, serve_voila  # noqa: E402

TIMEOUT_S = 120
SETTLE_TIMEOUT_S = 60
IDLE_CPU_PERCENT = 5.0  # kernels together below this over a sample: done executing the notebook
STEADY_S = 2.0  # longer than Voila's refill delay (1 s): a replacement would have shown


def _kernels(app: VoilaApp) -> list[Any]:
    import psutil

    return [child for child in psutil.Process(app.process.pid).children(recursive=True) if _is_kernel(child)]


def pool_size(app: VoilaApp) -> int:
    """The pool the server keeps, as its log says once it filled it; 0 if no page got a pre-heated kernel."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        log = app.log.read_text(encoding="utf-8", errors="replace")
        filled = re.search(r"Kernel pool of .* is filled with (\d+) kernel", log)
        if filled or "Using pre-heated kernel" not in log:
            return int(filled[1]) if filled else 0
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not fill its pool in {SETTLE_TIMEOUT_S} s; its log: {app.log}")
        time.sleep(0.2)


def settle(app: VoilaApp, expected: int) -> float:
    """Wait until the server runs ``expected`` kernels, idle for ``STEADY_S`` in a row (a closed tab's
    kernel ended, the pool's replacement started and ran the notebook); return the seconds waited."""
    start = time.monotonic()
    steady_since: float | None = None
    while time.monotonic() - start < SETTLE_TIMEOUT_S:
        kernels = _kernels(app)
        try:
            for kernel in kernels:
                kernel.cpu_percent(None)
            time.sleep(0.5)
            busy = sum(kernel.cpu_percent(None) for kernel in kernels)
        except Exception:  # a kernel ended meanwhile
            busy = float("inf")
        if len(kernels) == expected and len(_kernels(app)) == expected and busy < IDLE_CPU_PERCENT:
            steady_since = steady_since or time.monotonic() - 0.5
            if time.monotonic() - steady_since >= STEADY_S:
                return time.monotonic() - start
        else:
            steady_since = None
    raise SystemExit(f"the server did not settle to {expected} idle kernels in {SETTLE_TIMEOUT_S} s "
                     f"(it runs {len(_kernels(app))}); its log: {app.log}")


def load(browser: Any, url: str) -> float:
    """Open the app in a fresh context; seconds from navigation to ``.as-start`` visible. The tab
    is then closed as a person closes it (``beforeunload`` runs: the page ends its kernel)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
        page.locator(".as-start").wait_for(state="visible", timeout=TIMEOUT_S * 1000)
        elapsed = time.perf_counter() - start
        with page.expect_event("close"):
            page.close(run_before_unload=True)
        return elapsed
    finally:
        context.close()


def summary(name: str, values: list[float]) -> str:
    text = f"{name:<6} n={len(values):<3} median {statistics.median(values):5.2f} s   max {max(values):5.2f} s"
    return text + (f"   min {min(values):5.2f} s" if len(values) > 1 else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=10, help="loads after the first (default 10)")
    parser.add_argument("--no-settle", action="store_true", help="load back to back, not after the pool refilled")
    parser.add_argument("--voila-arg", action="append", default=[], help="one more Voila setting (repeatable)")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is not installed (`make browser`)")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="bench-app-start-") as workdir:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            started = time.perf_counter()
            with serve_voila(Path(workdir), args.voila_arg) as app:
                answered = time.perf_counter() - started
                cold = load(browser, app.url)
                pool = pool_size(app)
                waited = settle(app, pool)
                first = load(browser, app.url)
                nexts = []
                for _ in range(args.loads):
                    if not args.no_settle:
                        settle(app, pool)
                    nexts.append(load(browser, app.url))
                settle(app, pool)  # no kernel leaked: only the pool is left
        finally:
            browser.close()

    print(f"first load of the app (navigation to .as-start visible), pool of {pool} pre-heated kernel(s)"
          + (", back to back" if args.no_settle else ""))
    print(f"server answered on its port {answered:.2f} s after it was started; settled {waited:.1f} s after "
          "the cold load")
    print(summary("cold", [cold]))
    print(summary("first", [first]))
    print(summary("next", nexts))
    print(summary("all", [first, *nexts]) + "   (target <= 2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
