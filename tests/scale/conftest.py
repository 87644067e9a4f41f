"""One real Dask cluster for the whole session (two worker processes, one thread each), the local
runs every cluster run is compared with, and a helper that kills a worker while it works.

The local runs happen once, in two subprocesses that also say whether Dask was imported (it must
not be, without a scheduler). Renders use a copy of the playbooks with one scenario broken on purpose
(its documents must fail with the same error on the cluster, the others must not) and two store
overlays: the shipped one and a second made from it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from .cases import write_cases

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-23"
OVERLAYS = ("store_a", "store_b")
#: The documents rendered, few so that the suite stays within its time: store_a's include the broken scenario.
SCENARIOS = {"store_a": "size_mismatch,bad_review", "store_b": "size_mismatch"}
RENDER_ARGS = ["--platform", "taobao", "--lang", "en", "--format", "md,html", "--as-of", AS_OF, "--no-progress"]
REPLAY_ROWS = 200_000
#: Both the local and the cluster replays read the CSV in chunks of this many rows (8 tasks).
CHUNK_ROWS = 25_000


@dataclass
class Playbooks:
    root: Path
    broken: str  # the scenario whose playbook is broken on purpose


@pytest.fixture(scope="session")
def playbooks(tmp_path_factory: pytest.TempPathFactory) -> Playbooks:
    """A copy of the playbooks: bad_review's start step points nowhere; two store overlays, store_a (the
    shipped example's platforms and parameters) and store_b (other platforms and values)."""
    root = tmp_path_factory.mktemp("scale-lib") / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    review = root / "bad_review.yaml"
    text = review.read_text(encoding="utf-8")
    assert "start: " in text
    review.write_text(text.replace("start: ", "start: no_such_step  # was: ", 1), encoding="utf-8")
    shop = (root / "overlays" / "fashion_house.yaml").read_text(encoding="utf-8")
    rules = shop[:shop.index("\nscenarios:")] + "\n"  # the store's platforms and parameters, no message of its own
    assert "overlay: fashion_house" in rules and "disable_platforms: [ozon]" in rules and "value: 12" in rules
    (root / "overlays" / "store_a.yaml").write_text(rules.replace("overlay: fashion_house", "overlay: store_a"),
                                                    encoding="utf-8")
    (root / "overlays" / "store_b.yaml").write_text(
        rules.replace("overlay: fashion_house", "overlay: store_b").replace("[ozon]", "[amazon]")
        .replace("value: 12", "value: 6"), encoding="utf-8")
    return Playbooks(root, "bad_review")


@pytest.fixture(scope="session")
def cases_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cases(tmp_path_factory.mktemp("scale-cases") / "cases.csv", REPLAY_ROWS)


LOCAL_RENDERS = """
import contextlib, json, sys
from aftersales.cli import main

codes = {{}}
for overlay in {overlays!r}:
    with contextlib.redirect_stdout(sys.stderr):
        codes[overlay] = main(["--playbooks", {root!r}, "render", *{render!r}, "--scenario", {scenarios!r}[overlay],
                               "--overlay", overlay, "--out", {out!r} + "/" + overlay])
print(json.dumps({{"codes": codes, "dask": "dask" in sys.modules, "distributed": "distributed" in sys.modules}}))
"""
LOCAL_REPLAY = """
import json, sys
from aftersales import replay as replay_module
from aftersales.cli import main

replay_module.replay.__kwdefaults__["chunk_rows"] = {chunk}
code = main(["--playbooks", {root!r}, "replay", {csv!r}, "--overlay", "store_a", "--out", {out!r} + "/results.csv"])
print(json.dumps({{"codes": {{"replay": code}}, "dask": "dask" in sys.modules,
                  "distributed": "distributed" in sys.modules}}))
"""


@dataclass
class LocalRuns:
    out: Path
    stdout: str  # the replay's summary
    codes: dict[str, int]
    imported_dask: bool
    imported_distributed: bool


@pytest.fixture(scope="session")
def local_runs(playbooks: Playbooks, cases_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> LocalRuns:
    """The renders of both overlays and the replay, run here without a scheduler, in two subprocesses at once."""
    out = tmp_path_factory.mktemp("scale-local")
    values = {"chunk": CHUNK_ROWS, "overlays": OVERLAYS, "scenarios": SCENARIOS, "root": str(playbooks.root),
              "render": RENDER_ARGS,
              "csv": str(cases_csv), "out": str(out)}
    env = {k: v for k, v in os.environ.items() if k != "DASK_SCHEDULER_ADDRESS"}
    runs = [subprocess.Popen([sys.executable, "-c", script.format(**values)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
            for script in (LOCAL_RENDERS, LOCAL_REPLAY)]
    codes: dict[str, int] = {}
    imported = {"dask": False, "distributed": False}
    summary = ""
    for run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr[-3000:]
        *lines, last = stdout.strip().splitlines()
        facts = json.loads(last)
        codes.update(facts["codes"])
        imported = {name: imported[name] or facts[name] for name in imported}
        summary += "".join(line + "\n" for line in lines)
    return LocalRuns(out, summary, codes, imported["dask"], imported["distributed"])


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """A client of a LocalCluster of two worker processes with one thread each, for the session."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster, set_as_default=False) as session:
        session.wait_for_workers(2, timeout=60)
        yield session


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by its relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class WorkerKiller(threading.Thread):
    """Kills (SIGKILL) the worker process that is working on a task whose key starts with ``prefix``,
    ``delay`` seconds after it is seen working; its nanny starts a new one."""

    def __init__(self, client: Any, prefix: str, delay: float = 0.3, timeout: float = 60.0):
        super().__init__(daemon=True)
        self.client, self.prefix, self.delay, self.timeout = client, prefix, delay, timeout
        self.killed: tuple[str, int] | None = None
        self.children: list[psutil.Process] = []
        self.pids = client.run(os.getpid)

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and self.killed is None:
            try:
                processing = self.client.processing()
            except Exception:  # noqa: BLE001  (the test ended and closed its client)
                return
            for worker, keys in processing.items():
                # a Dask DataFrame's task keys are (name, partition) tuples
                if any(str(key[0] if isinstance(key, tuple) else key).startswith(self.prefix) for key in keys):
                    time.sleep(self.delay)
                    pid = self.pids[worker]
                    self.children = psutil.Process(pid).children(recursive=True)  # its kernels
                    os.kill(pid, signal.SIGKILL)
                    self.killed = (worker, pid)
                    return
            time.sleep(0.02)
