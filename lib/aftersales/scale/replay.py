"""``aftersales replay --scheduler ADDRESS``: the CSV as a Dask DataFrame whose partitions are
decided on the workers.

This machine reads the CSV once, as the local run does (:func:`aftersales.replay.replay`: the
encoding, the header, blank lines, quoted cells over several lines), only to find where each of the
local run's chunks begins and ends in the file: a byte range and the row number before it. Those
ranges are the partitions of a Dask DataFrame (``dask.dataframe.from_map``): each worker reads its
range from the file itself (:func:`read_partition`, with the local run's own record reader, so rows
are numbered and refused alike), one row per record with its row number and any reading problem,
then decides it (``map_partitions``: :func:`decide_frame`) with the playbooks it loaded once per
process (:func:`worker_library`, keyed by the folder, the overlay and the files' stamp). A
partition's answer is its result and error lines and its counts. This machine computes the
partitions a few at a time, in order, writes the answers with the header once and adds the counts
up as the local run does: the same files, the same report. Tasks are pure (a byte range of a file
whose size and time are part of the key), so a lost worker's partitions are simply run again.

Dask's ``read_csv`` is not used: it splits a file at newlines found by bytes, which cuts quoted
multi-line cells and loses the spreadsheet row numbers every refusal names. The workers must see
the CSV at the same path (a shared folder), as they see the playbooks; this is checked first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
import tempfile
import threading
from asyncio import CancelledError
from collections import Counter, deque
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import AftersalesError
from ..replay import (
    AS_OF_COLUMNS,
    MEMO_LIMIT,
    RESULT_COLUMNS,
    CsvRecords,
    RecordTo,
    ReplayReport,
    decide_rows,
    replay,
)
from .cluster import check_workers, connect

#: Partitions under way at once per worker thread of the cluster, besides the one being written.
IN_FLIGHT_PER_THREAD = 2
#: The names of the Dask DataFrame's tasks (the read and, fused with it, the decision).
TASK_PREFIX = "aftersales_replay"
#: The columns a partition's frame has besides the cells (named c0, c1, … by position: a header may
#: repeat a name): the row number, and for a refused row the column to blame and the reason.
ROW, REFUSED_COLUMN, REFUSED_REASON = "row", "refused_column", "refused_reason"


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


@dataclass(frozen=True)
class PartitionRef:
    """Where one partition is in the CSV: the local run's chunk between two byte offsets."""

    path: str
    codec: str  # the codec of a byte range inside the file (aftersales.replay.slice_codec)
    start: int
    end: int
    after_row: int  # the row number of the last row before the range (1: the header)
    columns: tuple[str, ...]  # the header's columns (a refusal names its column)
    file_stamp: str  # the file's size and modification time: a changed file is another task


def _cells(columns: int) -> list[str]:
    return [f"c{index}" for index in range(columns)]


def partition_meta(columns: int) -> Any:
    """The empty frame of a partition (what Dask is told each partition looks like)."""
    pandas = import_module("pandas")
    names = _cells(columns) + [ROW, REFUSED_COLUMN, REFUSED_REASON]
    return pandas.DataFrame({name: pandas.Series([], dtype="int64" if name == ROW else object) for name in names})


def read_partition(ref: PartitionRef) -> Any:
    """On a worker: the records of one byte range as a pandas frame, one row per CSV record read
    well (its cells and row number) and one per problem of a refused record (its row number, the
    column to blame and the reason), numbered and refused as the local run does."""
    pandas = import_module("pandas")
    with open(ref.path, "rb") as handle:
        handle.seek(ref.start)
        data = handle.read(ref.end - ref.start)
    if len(data) != ref.end - ref.start:
        raise AftersalesError(f"{ref.path} changed while it was replayed: bytes {ref.start}-{ref.end} are gone")
    reader = csv.reader(io.StringIO(data.decode(ref.codec), newline=""))
    records = CsvRecords(reader, list(ref.columns), row=ref.after_row)
    rows: list[list[str]] = []
    lines: list[int] = []
    refused: list[tuple[int, str, str]] = []
    for chunk, numbers, bad in records.chunks(sys.maxsize):  # the range is one chunk of the local run
        rows += chunk
        lines += numbers
        refused += bad
    names = _cells(len(ref.columns))
    good = pandas.DataFrame(rows, columns=names, dtype=object)
    good[ROW] = pandas.Series(lines, dtype="int64")
    good[REFUSED_COLUMN] = None
    good[REFUSED_REASON] = None
    if not refused:
        return good.astype({REFUSED_COLUMN: object, REFUSED_REASON: object})
    bad_frame = pandas.DataFrame(refused, columns=[ROW, REFUSED_COLUMN, REFUSED_REASON]).astype(
        {ROW: "int64", REFUSED_COLUMN: object, REFUSED_REASON: object})
    for name in names:
        bad_frame[name] = None
    frame = pandas.concat([good, bad_frame[good.columns]], ignore_index=True)
    return frame.astype({name: object for name in names + [REFUSED_COLUMN, REFUSED_REASON]})


def decide_frame(frame: Any, spec: PartitionSpec) -> Any:
    """On a worker: one partition (:func:`read_partition`) decided as the local run decides a
    chunk; its answer is a one-row frame holding the :class:`Partition`."""
    pandas = import_module("pandas")
    refused_mask = frame[REFUSED_REASON].notna()
    good, bad = frame[~refused_mask], frame[refused_mask]
    cells = [name for name in frame.columns if name not in (ROW, REFUSED_COLUMN, REFUSED_REASON)]
    rows = good[cells].to_numpy(dtype=object).tolist()
    lines = [int(n) for n in good[ROW]]
    refused = [(int(n), str(column), str(reason)) for n, column, reason
               in zip(bad[ROW], bad[REFUSED_COLUMN], bad[REFUSED_REASON], strict=True)]
    part = decide_partition(rows, lines, refused, spec)
    return pandas.DataFrame({"answer": pandas.Series([part], dtype=object)})


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


class ClusterPartitions:
    """The runner :func:`aftersales.replay.replay` hands the byte range of each of its chunks to:
    at the end of the read they become the partitions of a Dask DataFrame decided on the cluster
    of ``client``; the answers are written and counted in partition order."""

    def __init__(self, client: Any, library: Any, csv_path: Path, *, progress: bool = False):
        self.client = client
        self.playbooks = Path(library.root).resolve()
        self.overlay = Path(library.overlay.path).resolve() if library.overlay is not None else None
        self.csv_path = Path(csv_path).resolve()
        paths = {"the playbooks folder": self.playbooks, "the CSV": self.csv_path}
        if self.overlay is not None:
            paths["the overlay"] = self.overlay
        check_workers(client, paths)
        threads = sum(client.nthreads().values()) or 1
        self.in_flight = IN_FLIGHT_PER_THREAD * threads
        self.spec: PartitionSpec | None = None
        self.ranges: list[tuple[int, int, int, int]] = []  # (start, end, row before, last row)
        self.pending: deque[tuple[Any, int]] = deque()  # (the partition's future, its last row)
        self.seen: dict[Any, None] = {}  # the local run's memo, replayed from each partition's combinations
        self.failed_at: int | None = None
        self.written = 0  # partitions written
        self.progress = progress  # a bar of the partitions decided, on a terminal

    def _spec(self, run: Any) -> PartitionSpec:
        record = run.record
        if record is not None and record.library_hash is None:
            from ..caselog import snapshot_library

            record.library_hash = snapshot_library(Path(run.library.root))
        return PartitionSpec(str(self.playbooks), str(self.overlay) if self.overlay else None,
                             library_stamp(self.playbooks, self.overlay), run.plan, run.scenario, run.platform,
                             run.lang, run.as_of, run.out is not None, record.who if record is not None else None,
                             record.library_hash if record is not None else None)

    def partition(self, start: int, end: int, after_row: int, last_row: int, run: Any) -> None:
        """Note one chunk of the local run: its bytes ``start``–``end`` of the file, after row
        ``after_row``, up to row ``last_row``."""
        if self.spec is None:
            self.spec = self._spec(run)
        self.ranges.append((start, end, after_row, last_row))

    def frame(self, run: Any) -> Any:
        """The Dask DataFrame of the file's partitions, decided (one row, the answer, per partition)."""
        from ..replay import slice_codec

        dd = import_module("dask.dataframe")  # no type stubs: Any here
        stat = self.csv_path.stat()
        with self.csv_path.open("rb") as raw:
            codec, _ = slice_codec(run.report.encoding, raw.read(2))
        columns = tuple(run.plan.columns)
        refs = [PartitionRef(str(self.csv_path), codec, start, end, after, columns,
                             f"{stat.st_size}-{stat.st_mtime_ns}") for start, end, after, _ in self.ranges]
        pandas = import_module("pandas")
        records = dd.from_map(read_partition, refs, meta=partition_meta(len(columns)),
                              divisions=[None] * (len(refs) + 1), label=f"{TASK_PREFIX}_read")
        answer = pandas.DataFrame({"answer": pandas.Series([], dtype=object)})
        return records.map_partitions(decide_frame, self.spec, meta=answer, enforce_metadata=False,
                                      token=f"{TASK_PREFIX}_decide")

    def drain(self, run: Any) -> None:
        """Decide every partition on the cluster, a few at a time, and write them in order."""
        if not self.ranges:
            return
        tqdm = import_module("tqdm").tqdm  # no type stubs: Any here
        dask = import_module("dask")
        # the cells stay the Python strings the reader gave (Dask would make them Arrow strings)
        with dask.config.set({"dataframe.convert-string": False}):
            parts = self.frame(run).to_delayed()
        with tqdm(total=len(parts), unit="partition", desc="deciding on the cluster", file=sys.stderr,
                  disable=None if self.progress else True, leave=False) as bar:
            for part, (_, _, _, last_row) in zip(parts, self.ranges, strict=True):
                self.pending.append((self.client.compute(part), last_row))
                while len(self.pending) > self.in_flight:
                    self._write_oldest(run)
                    bar.update(1)
            while self.pending:
                self._write_oldest(run)
                bar.update(1)
        self.ranges = []

    def settle(self, run: Any, row: int) -> int:
        """The run stops part-way: after a failed partition, drop the rest (the row to report is that
        partition's); after the reader failed at ``row``, the partitions read before it are written first."""
        if self.failed_at is not None:
            stop = self.failed_at
        else:
            stop = row
            try:
                self.drain(run)
            except (OSError, UnicodeDecodeError, AftersalesError):
                stop = self.failed_at if self.failed_at is not None else row
        for future, _ in self.pending:
            future.cancel()
        self.pending.clear()
        return stop

    def _write_oldest(self, run: Any) -> None:
        future, at = self.pending.popleft()
        try:
            try:
                part = future.result().iloc[0, 0]
            except (CancelledError, Exception) as exc:
                if isinstance(exc, (OSError, UnicodeDecodeError, AftersalesError)):
                    raise
                text = str(exc).splitlines()[0] if str(exc) else ""
                raise AftersalesError(f"the Dask cluster could not decide the partition ending at row {at}: "
                                      f"{type(exc).__name__}: {text}") from None
            self._write(part, run)
        except BaseException:
            self.failed_at = at
            future.release()
            raise
        future.release()
        self._count(part, run.report)
        self.written += 1

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
    """:func:`aftersales.replay.replay` of ``csv_path`` with ``options``, as a Dask DataFrame decided on the
    Dask cluster at ``address``."""
    from ..library import load_library

    library = options.pop("library", None)
    library = library if library is not None else load_library()
    with connect(address) as client:
        runner = ClusterPartitions(client, library, csv_path, progress=bool(options.get("progress")))
        return replay(csv_path, scenario, platform, library=library, runner=runner, **options)
