"""``aftersales replay --scheduler ADDRESS``: the CSV's chunks decided on a Dask cluster.

This machine reads the CSV exactly as the local run does (:func:`aftersales.replay.replay`: the
encoding, the header, the row numbers, ragged and unreadable rows), so row numbers and chunk
boundaries are the local run's; each chunk becomes one task (the rows travel in the task, so a
lost worker's chunks are simply run again elsewhere: tasks are pure). A worker decides a chunk
with :func:`aftersales.replay.decide_rows` and the playbooks it loaded once per process
(:func:`worker_library`, keyed by the folder, the overlay and the files' stamp), and answers
with the result and error lines and the chunk's counts. This machine writes them in chunk
order, with the header once, and adds the counts up as the local run does: the same files, the
same report. At most a few chunks are under way at once, so memory stays bounded.

Dask's DataFrame ``read_csv`` is not used: it splits a file by bytes, which cuts quoted
multi-line cells and loses the spreadsheet row numbers every refusal names.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import threading
import uuid
from asyncio import CancelledError
from collections import Counter, deque
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import AftersalesError
from ..replay import AS_OF_COLUMNS, MEMO_LIMIT, RESULT_COLUMNS, RecordTo, ReplayReport, decide_rows, replay
from .cluster import check_workers, connect

#: Chunks (tasks) under way at once per worker thread of the cluster, besides the one being written.
IN_FLIGHT_PER_THREAD = 2
#: A chunk of 200,000 rows travels as ~20 MB: above Dask's default warning threshold for a task.
TASK_SIZE_WARNING = "256MB"


@dataclass(frozen=True)
class PartitionSpec:
    """What every chunk of one run is decided with (sent with each task)."""

    playbooks: str
    overlay: str | None
    stamp: str  # the playbooks' and the overlay's files as this machine sees them: a new stamp, a new load
    plan: Any  # aftersales.replay._Plan: the header as read, renames, types, the mapping
    scenario: str | None
    platform: str | None
    lang: str | None
    as_of: str | None
    results: bool  # whether the results are written (--out)
    record_who: str | None = None  # --record: who the records name
    library_hash: str | None = None  # --record: the playbooks' snapshot, taken once on this machine


@dataclass
class Partition:
    """A worker's answer for one chunk."""

    results: str  # result lines, no header ("" when none or not written)
    errors: str  # error lines, no header
    report: ReplayReport  # the chunk's own counts
    touched: list[tuple[Any, ...]]  # the distinct fact combinations the chunk asked for, first use first
    records: list[dict[str, Any]] = field(default_factory=list)  # --record: the decision records, in order


# ------------------------------------------------------------------ on a worker

_LOCK = threading.Lock()
_LIBRARIES: dict[tuple[str, str | None, str], Any] = {}
_MEMOS: dict[tuple[str, str | None, str, str | None], dict[Any, Any]] = {}
#: How many times this process loaded each playbooks folder and overlay (the tests check it is once).
LOADS: Counter[tuple[str, str | None]] = Counter()


def worker_library(playbooks: str, overlay: str | None, stamp: str) -> Any:
    """The library this worker process loaded for ``playbooks`` with ``overlay``, loaded once per
    process and stamp (a changed file on a long-lived cluster makes a new stamp, so a new load)."""
    from ..library import load_library

    key = (playbooks, overlay, stamp)
    with _LOCK:
        if key not in _LIBRARIES:
            for old in [k for k in _LIBRARIES if k[:2] == key[:2]]:
                del _LIBRARIES[old]
            _LIBRARIES[key] = load_library(playbooks, overlay=overlay)
            LOADS[(playbooks, overlay)] += 1
        return _LIBRARIES[key]


def _worker_memo(spec: PartitionSpec) -> dict[Any, Any]:
    """The distinct combinations this worker process has decided for these playbooks (and language)."""
    key = (spec.playbooks, spec.overlay, spec.stamp, spec.lang)
    with _LOCK:
        for old in [k for k in _MEMOS if k[:2] == key[:2] and k != key]:
            del _MEMOS[old]
        return _MEMOS.setdefault(key, {})


class _Touching:
    """The worker's memo as one chunk sees it: the same decisions, and a note of every combination the
    chunk asks for, in order (this machine counts the distinct ones as the local run's memo does)."""

    def __init__(self, memo: dict[Any, Any]):
        self.memo = memo
        self.touched: dict[Any, None] = {}

    def get(self, key: Any) -> Any:
        self.touched[key] = None
        return self.memo.get(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.memo[key] = value

    def __len__(self) -> int:
        return len(self.memo)

    def clear(self) -> None:
        self.memo.clear()


def decide_partition(rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]],
                     spec: PartitionSpec) -> Partition:
    """On a worker: one chunk decided as the local run decides it; nothing is written but a temporary
    case log with ``--record`` (read back and removed), so running it twice is harmless."""
    library = worker_library(spec.playbooks, spec.overlay, spec.stamp)
    memo = _Touching(_worker_memo(spec))
    report = ReplayReport()
    results = io.StringIO() if spec.results else None
    errors = io.StringIO()
    record, log = None, None
    if spec.record_who is not None:
        handle, name = tempfile.mkstemp(prefix="aftersales-replay-", suffix=".jsonl")
        os.close(handle)
        log = Path(name)
        record = RecordTo(log, spec.record_who, library_hash=spec.library_hash)
    try:
        decide_rows(rows, lines, refused, library=library, plan=spec.plan, scenario=spec.scenario,
                    platform=spec.platform, lang=spec.lang, as_of=spec.as_of, memo=memo, report=report,
                    results=results, errors=errors, record=record)
        records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log else []
    finally:
        if log is not None:
            log.unlink(missing_ok=True)
    return Partition(results.getvalue() if results is not None else "", errors.getvalue(), report,
                     list(memo.touched), records)


# ------------------------------------------------------------------ on this machine

def library_stamp(playbooks: Path, overlay: Path | None) -> str:
    """A digest of every file's name, time and size under ``playbooks`` and of ``overlay``: what a
    worker keys its loaded library by."""
    digest = hashlib.sha256()
    files = sorted(p for p in playbooks.rglob("*") if p.is_file())
    for path in [*files, *([overlay] if overlay is not None else [])]:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


def _header(columns: list[str]) -> str:
    """The header line pandas writes for a frame with ``columns`` (the local run writes it so)."""
    pandas = import_module("pandas")  # no type stubs installed: Any here
    return str(pandas.DataFrame(columns=columns).to_csv(index=False))


class ClusterChunks:
    """The runner :func:`aftersales.replay.replay` hands its chunks to: each becomes a task on the
    cluster of ``client``; the answers are written and counted in chunk order."""

    def __init__(self, client: Any, library: Any):
        self.client = client
        self.playbooks = Path(library.root).resolve()
        self.overlay = Path(library.overlay.path).resolve() if library.overlay is not None else None
        paths = {"the playbooks folder": self.playbooks}
        if self.overlay is not None:
            paths["the overlay"] = self.overlay
        check_workers(client, paths)
        threads = sum(client.nthreads().values()) or 1
        self.in_flight = IN_FLIGHT_PER_THREAD * threads
        self.spec: PartitionSpec | None = None
        self.pending: deque[tuple[Any, int]] = deque()  # (the chunk's future, the row the reader was at)
        self.seen: dict[Any, None] = {}  # the local run's memo, replayed from each chunk's combinations
        self.failed_at: int | None = None
        self.name = f"aftersales-replay-{uuid.uuid4().hex[:12]}"
        self.submitted = 0

    def _spec(self, run: Any) -> PartitionSpec:
        record = run.record
        if record is not None and record.library_hash is None:
            from ..caselog import snapshot_library

            record.library_hash = snapshot_library(Path(run.library.root))
        return PartitionSpec(str(self.playbooks), str(self.overlay) if self.overlay else None,
                             library_stamp(self.playbooks, self.overlay), run.plan, run.scenario, run.platform,
                             run.lang, run.as_of, run.out is not None, record.who if record is not None else None,
                             record.library_hash if record is not None else None)

    def run(self, rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]], run: Any) -> None:
        """Send one chunk (as read, in order); write the oldest answers while too many are under way."""
        import dask

        if self.spec is None:
            self.spec = self._spec(run)
        at = max(lines[-1] if lines else 0, refused[-1][0] if refused else 0)  # where the local run would be
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": TASK_SIZE_WARNING}):
            future = self.client.submit(decide_partition, rows, lines, refused, self.spec,
                                        key=f"{self.name}-{self.submitted}", pure=False)
        self.submitted += 1
        self.pending.append((future, at))
        while len(self.pending) > self.in_flight:
            self._write_oldest(run)

    def drain(self, run: Any) -> None:
        """Write every chunk still under way, in order."""
        while self.pending:
            self._write_oldest(run)

    def settle(self, run: Any, row: int) -> int:
        """The run stops part-way: after a failed chunk, drop the rest (the row to report is that
        chunk's); after the reader failed at ``row``, the chunks read before it are written first."""
        if self.failed_at is not None:
            stop = self.failed_at
        else:
            stop = row
            try:
                self.drain(run)
            except (OSError, UnicodeDecodeError, AftersalesError):
                pass  # the reader's stop is the one reported; the counts cover the chunks written before
        for future, _ in self.pending:
            future.cancel()
        self.pending.clear()
        return stop

    def _write_oldest(self, run: Any) -> None:
        future, at = self.pending.popleft()
        try:
            try:
                part = future.result()
            except (CancelledError, Exception) as exc:
                if isinstance(exc, (OSError, UnicodeDecodeError, AftersalesError)):
                    raise
                text = str(exc).splitlines()[0] if str(exc) else ""
                raise AftersalesError(f"the Dask cluster could not decide the chunk ending at row {at}: "
                                      f"{type(exc).__name__}: {text}") from None
            self._write(part, run)
        except BaseException:
            self.failed_at = at
            future.release()
            raise
        future.release()
        self._count(part, run.report)

    def _write(self, part: Partition, run: Any) -> None:
        """What the local run writes for one chunk: its records, its result rows, its error rows."""
        if part.records and run.record is not None:
            from ..caselog import append_cases

            append_cases(part.records, run.record.log)
            run.record.written += len(part.records)
        if part.results and run.out is not None:
            columns = run.plan.names + run.plan.added + AS_OF_COLUMNS + RESULT_COLUMNS
            with open(run.out, "a", encoding="utf-8", newline="") as handle:
                handle.write(part.results if run.written["out"] else _header(columns) + part.results)
            run.written["out"] = True
        if part.errors:
            with open(run.errors_path, "a", encoding="utf-8", newline="") as handle:
                handle.write(part.errors if run.written["errors"] else _header(["row", "column", "reason"]) + part.errors)
            run.written["errors"] = True

    def _count(self, part: Partition, report: ReplayReport) -> None:
        """Add one chunk's counts as the local run adds them, chunk after chunk."""
        done = part.report
        report.rows += done.rows
        report.decided += done.decided
        report.errors += done.errors
        report.shipping_unknown += done.shipping_unknown
        report.outcomes.update(done.outcomes)
        report.as_of_from.update(done.as_of_from)
        report.refusals.update(done.refusals)
        for column, reason in done.refusal_example.items():
            report.refusal_example.setdefault(column, reason)
        for currency, per in done.cost.items():
            total = report.cost.setdefault(currency, {})
            for resolution, cost in per.items():
                total[resolution] = total.get(resolution, 0.0) + cost
        for key in part.touched:  # the local run's memo: cleared when full, its largest size reported
            if key not in self.seen:
                if len(self.seen) >= MEMO_LIMIT:
                    self.seen.clear()
                self.seen[key] = None
        report.distinct = max(report.distinct, len(self.seen))


def replay_on_cluster(address: str, csv_path: Path, scenario: str | None = None, platform: str | None = None,
                      **options: Any) -> ReplayReport:
    """:func:`aftersales.replay.replay` of ``csv_path`` with ``options``, its chunks decided on the
    Dask cluster at ``address``."""
    from ..library import load_library

    library = options.pop("library", None)
    library = library if library is not None else load_library()
    with connect(address) as client:
        return replay(csv_path, scenario, platform, library=library, runner=ClusterChunks(client, library), **options)
