"""Render and replay here, on a LocalCluster of 1 worker and on one of 2 workers, side by side (issue 21).

* render: the SOP library of ``--stores`` store overlays (default 10), each made from
  playbooks/overlays/fashion_house.yaml with its own name and reply deadline, every scenario x
  platform x language, Markdown + HTML only (no PDF: Chromium prints on this machine in every
  configuration, so it would add the same seconds to each). Here: one ``render_library`` per store
  after the other with ``jobs`` = the cores, as ``aftersales render --overlay STORE`` runs. On a
  cluster: every store's render at once (one thread per store on this machine, all sharing the
  cluster), so the cluster always has the stores' scenarios to run, not only one store's.
* replay: ``--rows`` rows (default 5,000,000) of ``size_mismatch`` on Taobao, drawn from the practice
  bank as benchmarks/bench_replay.py draws them, in the local run's chunks of ``--chunk-rows``.

Each cluster is ``LocalCluster(n_workers=N, processes=True, threads_per_worker=1)``, started before its
runs (its start-up is printed apart; its workers are cold: each imports aftersales and loads the
playbooks on its first task); its outputs are checked byte for byte against the local run's.
The run works on a snapshot of lib/, notebooks/ and playbooks/ (copied into its work folder, and
put first on every process's path), so edits made in the tree while it runs change nothing.
Prints a table of seconds and the ratio local / cluster (above 1: the cluster is faster).

    python benchmarks/bench_scale.py [--rows 5000000] [--stores 10] [--chunk-rows 200000] [--workers 1,2]
    python benchmarks/bench_scale.py --rows 100000 --stores 2     # a quick check
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # in the run proper: the snapshot
SNAPSHOT = "BENCH_SCALE_SNAPSHOT"  # set once the run works on its snapshot
sys.path.insert(0, str(REPO / "lib"))
sys.path.insert(0, str(REPO / "benchmarks"))

AS_OF = date(2026, 11, 23)
FORMATS = ["md", "html"]


def make_stores(root: Path, folder: Path, count: int) -> list[Path]:
    """``count`` overlays made from the example in ``root``, each with its own name and reply deadline."""
    shipped = (root / "overlays" / "fashion_house.yaml").read_text(encoding="utf-8")
    assert "overlay: fashion_house" in shipped and "value: 12" in shipped
    folder.mkdir(parents=True, exist_ok=True)
    stores = []
    for number in range(1, count + 1):
        name = f"store_{number:02d}"
        text = shipped.replace("overlay: fashion_house", f"overlay: {name}", 1).replace(
            "value: 12", f"value: {12 + number}", 1)
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        stores.append(path)
    return stores


def snapshot() -> None:
    """Copy lib/, notebooks/, playbooks/ and benchmarks/ into a work folder and run this script's copy
    there, with that lib/ first on the path of every process it starts (workers, kernels)."""
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    for folder in ("lib", "notebooks", "playbooks", "benchmarks"):
        shutil.copytree(REPO / folder, work / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, SNAPSHOT: str(work), "PYTHONPATH": str(work / "lib"),
           "AFTERSALES_NOTEBOOKS": str(work / "notebooks")}
    script = work / "benchmarks" / Path(__file__).name
    os.execve(sys.executable, [sys.executable, str(script), *sys.argv[1:]], env)


def digests(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (its relative name) with the digest of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def render_stores(root: Path, stores: list[Path], out: Path, client=None) -> tuple[float, int, int]:
    """(seconds, documents rendered, failed) for every store's library, here or on ``client``'s cluster."""
    from aftersales.render.batch import render_library

    started = time.perf_counter()
    reports = []
    quiet = contextlib.redirect_stderr(io.StringIO())  # one line per document otherwise
    quiet.__enter__()
    if client is None:
        for store in stores:
            reports.append(render_library(playbooks=root, out=out / store.stem, overlay=store, formats=FORMATS,
                                          as_of=AS_OF, force=True, progress=False))
    else:
        from aftersales.scale.render import ClusterRender

        problems: list[BaseException] = []

        def one(store: Path) -> None:
            try:
                reports.append(render_library(playbooks=root, out=out / store.stem, overlay=store, formats=FORMATS,
                                              as_of=AS_OF, force=True, progress=False, runner=ClusterRender(client)))
            except BaseException as exc:  # noqa: BLE001  (raised below, in the main thread)
                problems.append(exc)

        threads = [threading.Thread(target=one, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if problems:
            quiet.__exit__(None, None, None)
            raise problems[0]
    seconds = time.perf_counter() - started
    quiet.__exit__(None, None, None)
    return seconds, sum(len(r.rendered) for r in reports), sum(len(r.failed) for r in reports)


def replay_rows(root: Path, source: Path, out: Path, chunk_rows: int, client=None) -> tuple[float, int]:
    """(seconds, rows) of the replay of ``source``, here or on ``client``'s cluster."""
    from aftersales.library import load_library
    from aftersales.replay import replay

    library = load_library(root)
    runner = None
    if client is not None:
        from aftersales.scale.replay import ClusterPartitions

        runner = ClusterPartitions(client, library, source)
    started = time.perf_counter()
    report = replay(source, "size_mismatch", "taobao", out=out, library=library, chunk_rows=chunk_rows, runner=runner)
    return time.perf_counter() - started, report.rows


class RangesOnly:
    """A replay runner that does what this machine does for a cluster, less the cluster: it reads the
    CSV to find each partition's byte range, and nothing is decided. Its time is the floor of a
    cluster replay: what no number of workers takes away."""

    def __init__(self) -> None:
        self.partitions = 0

    def partition(self, start, end, after_row, last_row, run) -> None:
        self.partitions += 1

    def drain(self, run) -> None:
        pass

    def settle(self, run, row: int) -> int:
        return row


def driver_floor(root: Path, source: Path, results: Path, chunk_rows: int) -> tuple[float, float, int]:
    """(seconds to read the CSV for its byte ranges, seconds to write the results and errors again, partitions)."""
    from aftersales.library import load_library
    from aftersales.replay import replay

    runner = RangesOnly()
    started = time.perf_counter()
    replay(source, "size_mismatch", "taobao", library=load_library(root), chunk_rows=chunk_rows, runner=runner)
    read = time.perf_counter() - started
    started = time.perf_counter()
    for path in (results, results.with_name(results.stem + ".errors.csv")):
        text = path.read_text(encoding="utf-8")
        with open(path.with_suffix(".copy"), "w", encoding="utf-8", newline="") as handle:
            for start in range(0, len(text), 1 << 24):
                handle.write(text[start:start + (1 << 24)])
        path.with_suffix(".copy").unlink()
    return read, time.perf_counter() - started, runner.partitions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="rows to replay (0: no replay)")
    parser.add_argument("--stores", type=int, default=10, help="store overlays to render (0: no render)")
    parser.add_argument("--chunk-rows", type=int, default=200_000, help="rows per chunk, here and per cluster task")
    parser.add_argument("--workers", default="1,2", help="cluster sizes to measure (comma-separated)")
    args = parser.parse_args()
    if SNAPSHOT not in os.environ:
        snapshot()
    sizes = [int(n) for n in args.workers.split(",") if n.strip()]
    work = Path(os.environ[SNAPSHOT])
    import aftersales

    assert Path(aftersales.__file__).is_relative_to(work), aftersales.__file__
    print(f"{date.today().isoformat()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"work folder {work}", flush=True)
    root = work / "playbooks"
    stores = make_stores(root, work / "stores", args.stores)
    source = work / "cases.csv"
    if args.rows:
        from bench_replay import synthesise

        started = time.perf_counter()
        synthesise("size_mismatch", "taobao", args.rows, source)
        print(f"wrote {args.rows:,} rows ({source.stat().st_size / 2**20:,.0f} MiB) in "
              f"{time.perf_counter() - started:.1f} s", flush=True)

    rows: dict[str, dict[str, str]] = {"start": {}, "render": {}, "replay": {}}
    seconds: dict[str, dict[str, float]] = {"render": {}, "replay": {}}
    floor: tuple[float, float] | None = None
    made: dict[str, dict[str, dict[str, str]]] = {"render": {}, "replay": {}}
    configs = ["here"] + [f"{n} worker{'s' if n > 1 else ''}" for n in sizes]
    for config, size in zip(configs, [0, *sizes], strict=True):
        client = cluster = None
        if size:
            from distributed import Client, LocalCluster

            started = time.perf_counter()
            cluster = LocalCluster(n_workers=size, processes=True, threads_per_worker=1, dashboard_address=":0")
            client = Client(cluster, set_as_default=False)
            rows["start"][config] = f"{time.perf_counter() - started:.1f}"
        try:
            if stores:
                out = work / f"sop-{size}"
                taken, done, failed = render_stores(root, stores, out, client)
                seconds["render"][config] = taken
                made["render"][config] = digests(out)
                print(f"{config}: render {len(stores)} stores, {done} documents ({failed} failed): {taken:.1f} s",
                      flush=True)
                if size:
                    shutil.rmtree(out, ignore_errors=True)
            if args.rows:
                out = work / f"results-{size}.csv"
                taken, count = replay_rows(root, source, out, args.chunk_rows, client)
                seconds["replay"][config] = taken
                made["replay"][config] = {"results": hashlib.sha256(out.read_bytes()).hexdigest(),
                                          "errors": hashlib.sha256(out.with_name(out.stem + ".errors.csv")
                                                                   .read_bytes()).hexdigest()}
                print(f"{config}: replay {count:,} rows: {taken:.1f} s ({count / taken:,.0f} rows/s)", flush=True)
                if not size:
                    read, write, partitions = driver_floor(root, source, out, args.chunk_rows)
                    floor = (read, write)
                    print(f"this machine's share of a cluster replay: read the CSV for the byte ranges of its "
                          f"{partitions} partitions {read:.1f} s, write the results {write:.1f} s", flush=True)
                if size:
                    out.unlink()
        finally:
            if client is not None:
                client.close()
                cluster.close()

    print()
    width = 16
    print(f"{'':<44}" + "".join(f"{c:>{width}}" for c in configs))
    if rows["start"]:
        print(f"{'cluster start (s)':<44}" + "".join(f"{rows['start'].get(c, '-'):>{width}}" for c in configs))
    for what, label in (("render", f"render {len(stores)} stores, md+html (s)"),
                        ("replay", f"replay {args.rows:,} rows (s)")):
        if not seconds[what]:
            continue
        local = seconds[what]["here"]
        print(f"{label:<44}" + "".join(f"{seconds[what][c]:>{width}.1f}" for c in configs))
        print(f"{'  ratio here / this (above 1: faster)':<44}" + "".join(f"{local / seconds[what][c]:>{width}.2f}"
                                                                         for c in configs))
        print(f"{'  outputs identical to here':<44}" + "".join(
            f"{('yes' if made[what][c] == made[what]['here'] else 'NO'):>{width}}" for c in configs))
        for config in configs:
            other = [name for name in sorted(set(made[what][config]) | set(made[what]["here"]))
                     if made[what][config].get(name) != made[what]["here"].get(name)]
            if other:
                print(f"  {config}: {len(other)} file(s) differ from here, e.g. {', '.join(other[:5])}")
    if floor is not None:
        print(f"{'replay: this machine alone, find ranges (s)':<44}{floor[0]:>{width}.1f}")
        print(f"{'replay: this machine alone, write (s)':<44}{floor[1]:>{width}.1f}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[2]:.2f} (15 min)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
