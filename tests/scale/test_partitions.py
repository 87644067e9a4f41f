"""The Dask DataFrame's partitions without a cluster: the byte ranges this machine finds while it
reads the CSV, each read back as a worker reads it (:func:`read_partition`), give exactly the local
run's chunks: the same rows, row numbers and refusals, in every encoding replay reads, with quoted
cells over several lines, blank lines, CRLF and lone CR line ends, a quote inside an unquoted cell,
ragged rows, over-long cells and a line the CSV reader cannot read."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from aftersales.limits import MAX_CSV_CELL_CHARS
from aftersales.replay import CsvRecords, replay
from aftersales.scale.replay import (
    REFUSED_COLUMN,
    REFUSED_REASON,
    ROW,
    PartitionRef,
    read_partition,
)

HEADER = ["scenario", "platform", "id", "order_value", "currency", "delivered_on", "evidence_provided",
          "category", "size_deviation_cm", "customer_preference", "item_resaleable", "note"]


def _rows() -> list[list[str]]:
    rows = []
    for n in range(60):
        note = ["", "两行\n备注", 'TV 55" screen', "a,b", "строка\r\nвторая", "x" * 10][n % 6]
        row = ["size_mismatch", "taobao", str(n), "129", "CNY", "2026-01-12", "true", "apparel", "3.5", "exchange",
               "true", note]
        if n % 7 == 0:
            row.append("extra")  # ragged
        if n % 11 == 0:
            row[11] = "y" * (MAX_CSV_CELL_CHARS + 1)  # too long
        rows.append(row)
    return rows


def _write(path: Path, encoding: str, newline: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(HEADER)
    for n, row in enumerate(_rows()):
        if n % 9 == 0:
            buffer.write(newline)  # a blank line: skipped, not numbered
        if n == 30:
            buffer.write('unquoted "quote" inside,b,c' + newline)  # a quote inside an unquoted cell: ragged
        if n == 45:
            buffer.write("z" * 140_000 + newline)  # over the csv module's field limit: a line it cannot read
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


class Collect:
    """A runner that keeps the byte ranges (what ClusterPartitions makes partitions of)."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int, int, int]] = []

    def partition(self, start: int, end: int, after: int, last: int, run: Any) -> None:
        self.ranges.append((start, end, after, last))
        self.run = run

    def drain(self, run: Any) -> None:
        pass

    def settle(self, run: Any, row: int) -> int:
        return row


def _local_chunks(path: Path, encoding: str, chunk_rows: int) -> list[tuple[list[list[str]], list[int], list]]:
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        next(cells for cells in reader if cells)
        return [(list(a), list(b), list(c)) for a, b, c in CsvRecords(reader, HEADER).chunks(chunk_rows)]


@pytest.mark.parametrize(("encoding", "codec"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gb18030", "gb18030"),
                                                  ("utf-16", "utf-16-le")])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_each_byte_range_read_back_is_the_local_runs_chunk(tmp_path, encoding, codec, newline):
    path = _write(tmp_path / "cases.csv", encoding, newline)
    collect = Collect()
    report = replay(path, "size_mismatch", "taobao", runner=collect, chunk_rows=7)
    detected = report.encoding
    local = _local_chunks(path, detected, 7)
    assert len(collect.ranges) == len(local) > 5
    for (start, end, after, last), (rows, lines, refused) in zip(collect.ranges, local, strict=True):
        frame = read_partition(PartitionRef(str(path), codec, start, end, after, tuple(HEADER), "stamp"))
        bad = frame[REFUSED_REASON].notna()
        good = frame[~bad]
        assert good[[f"c{i}" for i in range(len(HEADER))]].to_numpy(dtype=object).tolist() == rows
        assert good[ROW].tolist() == lines
        assert list(zip(frame[bad][ROW], frame[bad][REFUSED_COLUMN], frame[bad][REFUSED_REASON], strict=True)) == refused
        assert last == max(lines + [row for row, _, _ in refused])
    assert collect.ranges[-1][1] == path.stat().st_size  # the last range ends at the end of the file


def test_a_file_changed_under_the_run_is_named(tmp_path):
    path = _write(tmp_path / "cases.csv", "utf-8", "\n")
    size = path.stat().st_size
    from aftersales.errors import AftersalesError

    with pytest.raises(AftersalesError, match="changed while it was replayed"):
        read_partition(PartitionRef(str(path), "utf-8", size - 10, size + 100, 1, tuple(HEADER), "stamp"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_replay_shows_its_progress_on_a_terminal_and_never_elsewhere(tmp_path, monkeypatch):
    path = _write(tmp_path / "cases.csv", "utf-8", "\n")
    for terminal, progress, shown in ((True, True, True), (True, False, False), (False, True, False)):
        stderr = Terminal() if terminal else io.StringIO()
        monkeypatch.setattr("sys.stderr", stderr)
        replay(path, "size_mismatch", "taobao", chunk_rows=7, progress=progress)
        assert ("replay:" in stderr.getvalue() and "B/s" in stderr.getvalue()) is shown, stderr.getvalue()
