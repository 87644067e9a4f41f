"""``aftersales replay cases.csv``: decide every past case of a CSV (columns = facts) with pandas.

Rows are read in chunks (memory stays bounded whatever the file's size). A decision depends
only on the facts the playbook's steps and outcome rules read (names and order ids only go
into messages, which replay does not render), so each chunk is reduced to its distinct
combinations of those facts, each decided once (and remembered across chunks), and the
results are joined back to the rows. Rows the engine refuses go to an errors file beside the
results, with their row number, column and reason; none is dropped silently.

One bad row is a reported row, never an abort: a ragged row (more or fewer cells than the
header), a cell longer than ``limits.MAX_CSV_CELL_CHARS``, a line the CSV reader cannot parse,
an ``as_of`` before the platform's known rules, any fact the engine refuses. Trailing empty
cells (a trailing comma on every line) are ignored. The file's encoding is detected (UTF-8 with
or without BOM, else GB18030/GBK); binary data or another encoding is one clear error before any
row is read. When a run stops part-way (a disk error), the report and the errors file say so.

Real exports (issue 16): ``mapping`` (``replay --map``, :mod:`aftersales.replay_mapping`) renames
columns, maps values, reads dates by pattern, sets facts from free-text reasons; columns that are
no fact are passed through to the results unchanged; every error of a row is reported (one line
per column); currency spellings (RMB, 人民币, ₽) and money cells (``¥89.00``, ``89,00 ₽``) are read
as what they are. A row without an ``as_of`` is decided as of its own latest date (the complaint,
the delivery), never a fixed day, and the report says so. A ``scenario`` and a ``platform`` column
let one export mix cases. The cost summary is per currency, never added across currencies.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AftersalesError, FactError, InputError
from .limits import MAX_CSV_CELL_CHARS, MAX_JSON_DEPTH
from .playbook.facts import _parse_float, _parse_int, detect_encoding, json_depth

RESULT_COLUMNS = ["outcome", "resolution", "return_shipping_paid_by", "cost_borne_by", "compensation",
                  "first_deadline"]
#: Where each decided row's moment came from: the moment itself and its origin (``column``, ``--as-of``,
#: ``derived: <fact>``), written beside the results.
AS_OF_COLUMNS = ["decided_as_of", "as_of_from"]
#: Resolutions whose estimated cost is the order's value (the goods are not coming back, or go out again).
FULL_COST = {"refund_without_return", "reship", "accept_claim"}
#: Resolutions that pay the buyer back: the refunded amount (the affected items' value, else the order's).
REFUNDS = FULL_COST | {"refund"}
#: The cost summary's key for rows that name no currency.
NO_CURRENCY = "(no currency)"
MEMO_LIMIT = 500_000
#: Columns replay reads that are no fact of a playbook.
SPECIAL_COLUMNS = ("id", "as_of", "scenario", "platform", "lang", "shipping_cost")
#: Facts a row's moment is derived from when it has no as_of (the latest of those known is taken).
DERIVE_AS_OF_FROM = ("complaint_received_at", "return_requested_at", "delivered_on", "ordered_on")


#: Input types whose CSV cell is the value itself: an all-digit order id ("20260112042", how
#: Taobao and Ozon number orders) or a choice spelled with digits stays text, never a number.
TEXT_TYPES = frozenset({"text", "choice"})


def parse_cell(text: str, kind: str | None = None) -> Any:
    """A CSV cell as a fact value of an input of type ``kind``: the text itself for text and
    choice inputs; otherwise JSON numbers, true/false/null as such, anything else as text
    (which the engine then refuses, naming the fact and what is allowed)."""
    if kind in TEXT_TYPES:
        return text
    if text[:1] in ("[", "{") and json_depth(text) > MAX_JSON_DEPTH:
        return text  # refused as text by the input's coercer (json.loads would recurse without bound)
    try:  # numbers of more than MAX_NUMBER_DIGITS digits become OversizedNumber, refused by name
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float)
    except (ValueError, RecursionError):
        return text


def csv_facts(row: dict[str, str], playbook: Any, skip: Iterable[str] = ("id", "as_of")) -> dict[str, Any]:
    """The facts of one CSV row for ``playbook``: empty cells left out, each cell read by its
    input's type (:func:`parse_cell`); columns that are no input of the playbook are passed on
    as parsed, so the engine refuses them by name."""
    inputs = playbook.inputs
    skipped = set(skip)
    return {name: parse_cell(text, inputs[name].spec.type if name in inputs else None)
            for name, text in row.items() if name not in skipped and text != ""}


@dataclass
class ReplayReport:
    rows: int = 0
    decided: int = 0
    errors: int = 0
    distinct: int = 0
    outcomes: Counter = field(default_factory=Counter)
    #: currency -> resolution -> estimated cost (refunded amounts, compensation, seller-paid shipping when known);
    #: never added across currencies
    cost: dict[str, dict[str, float]] = field(default_factory=dict)
    out: Path | None = None
    errors_file: Path | None = None
    encoding: str = "utf-8"
    #: Why the run stopped before the end of the file (None: every row was decided or refused).
    partial: str | None = None
    #: Where the decided rows' moments came from: ``column`` / ``--as-of`` / ``derived: <fact>`` -> rows.
    as_of_from: Counter = field(default_factory=Counter)
    #: Columns passed through to the results unchanged (no fact of the playbooks).
    passed_through: list[str] = field(default_factory=list)
    #: Refusals per column, and one example reason of each (for the summary of a run that decided nothing).
    refusals: Counter = field(default_factory=Counter)
    refusal_example: dict[str, str] = field(default_factory=dict)
    mapping: str | None = None
    #: Decided rows where the seller pays the return shipping but the export gives no shipping cost.
    shipping_unknown: int = 0


def deciding_inputs(playbook: Any) -> list[str]:
    """The inputs a decision (without its message) can depend on."""
    names: set[str] = set()
    for step in playbook.steps.values():
        names |= step.reads
    for outcome in playbook.outcomes.values():
        expressions = [outcome.shipping, outcome.cost]
        if outcome.compensation is not None:
            c = outcome.compensation
            expressions += [c.amount, c.minimum, c.maximum, c.currency]
        expressions += [d.start for d in outcome.deadlines]
        expressions += [item.deadline.start for item in outcome.checklist if item.deadline is not None]
        for expression in expressions:
            names |= set(getattr(expression, "names", ()) or ())
    return sorted(names & set(playbook.inputs))


@dataclass
class RecordTo:
    """``replay --record``: write every decided row to a case log as a decision record."""

    log: Path | None = None  # None: the default case log
    who: str = "replay"
    written: int = 0
    library_hash: str | None = None


@dataclass
class _Plan:
    """How the header's columns are read: renames, each column's fact type, the passed-through ones."""

    columns: list[str]  # the header, as written
    names: list[str]  # after renames
    kinds: dict[str, str]  # fact or special column -> its type ("special" for id, as_of, ...)
    passthrough: list[str]
    reason_columns: list[str]
    added: list[str]  # facts set by reason keywords that are no column
    mapping: Any = None


@dataclass
class _Run:
    library: Any
    plan: _Plan
    scenario: str | None
    platform: str | None
    lang: str | None
    as_of: str | None
    record: "RecordTo | None"
    memo: dict
    report: ReplayReport
    out: Path | None
    errors_path: Path
    written: dict


class CsvRecords:
    """The records of a CSV reader as replay reads them, in chunks: blank lines skipped, rows
    numbered as a spreadsheet shows them (the header is row 1), a ragged row or an over-long cell
    refused with its problems (trailing empty cells ignored), a line the reader cannot parse
    refused as such, the reader going on with the next line.

    ``reader``: a :func:`csv.reader` past the header; ``columns``: the header's columns; ``row``:
    the number of the last row read before (1 after the header). :attr:`row` is the last row read,
    also when a chunk is handed out and when reading stops with an error. The local run and each
    worker of a cluster (:mod:`aftersales.scale.replay`, on its byte range of the file) read with it,
    so both number and refuse rows alike."""

    def __init__(self, reader: Any, columns: list[str], row: int = 1):
        self.reader = reader
        self.columns = columns
        self.row = row

    def chunks(self, chunk_rows: int) -> Iterator[tuple[list[list[str]], list[int], list[tuple[int, str, str]]]]:
        """``(rows, their row numbers, refused (row, column, reason))`` of ``chunk_rows`` rows each
        (or ``chunk_rows`` refusals: memory stays bounded on a file of bad rows), then the rest."""
        reader, columns, width = self.reader, self.columns, len(self.columns)
        chunk: list[list[str]] = []
        lines: list[int] = []
        refused: list[tuple[int, str, str]] = []
        while True:  # the loop runs once per row of files of millions of rows: keep it tight
            try:
                for cells in reader:
                    if not cells:
                        continue
                    self.row += 1
                    if len(cells) != width or max(map(len, cells)) > MAX_CSV_CELL_CHARS:
                        problems = _row_problems(cells, columns)  # ragged, cells too long (else trailing empties)
                        if problems:
                            refused.extend((self.row, *problem) for problem in problems)
                            if len(refused) >= chunk_rows:
                                yield chunk, lines, refused
                                chunk, lines, refused = [], [], []
                            continue
                        cells = cells[:width]
                    chunk.append(cells)
                    lines.append(self.row)
                    if len(chunk) >= chunk_rows:
                        yield chunk, lines, refused
                        chunk, lines, refused = [], [], []
                break
            except csv.Error as exc:  # the reader goes on with the next line
                self.row += 1
                refused.append((self.row, "(row)", f"cannot be read as CSV: {exc}"))
        if chunk or refused:
            yield chunk, lines, refused


class CountingLines:
    """The lines of a text stream (opened with ``newline=""``) as a CSV reader takes them, counting
    the bytes they came from: :attr:`offset` is where the next line starts in the file. ``codec``
    re-encodes a line exactly as the file holds it (no byte-order mark); ``start``: the bytes before
    the first line (the mark's). A cluster's partitions are the byte ranges between chunks."""

    def __init__(self, stream: Any, codec: str, start: int = 0):
        self.stream = stream
        self.codec = codec
        self.offset = start

    def __iter__(self) -> "CountingLines":
        return self

    def __next__(self) -> str:
        line: str = next(self.stream)
        self.offset += len(line.encode(self.codec))
        return line


#: The codec that re-encodes a decoded line to its bytes in the file, and the byte-order mark's size.
SLICE_CODECS = {"utf-8": ("utf-8", 0), "utf-8-sig": ("utf-8", 3), "gb18030": ("gb18030", 0)}


def slice_codec(encoding: str, head: bytes) -> tuple[str, int]:
    """The codec of a byte range inside a file of ``encoding`` (:func:`_detect_file_encoding`) and
    the size of the file's byte-order mark; ``head``: the file's first bytes (UTF-16's byte order)."""
    if encoding == "utf-16":
        return ("utf-16-be", 2) if head.startswith(b"\xfe\xff") else ("utf-16-le", 2)
    return SLICE_CODECS[encoding]


def replay(csv_path: Path, scenario: str | None = None, platform: str | None = None, *, out: Path | None = None,
           lang: str | None = None, as_of: str | None = None, chunk_rows: int = 200_000, library: Any = None,
           record: RecordTo | None = None, mapping: Path | Any = None, runner: Any = None,
           progress: bool = False) -> ReplayReport:
    """Decide every row of ``csv_path``; write results to ``out`` and refused rows beside it.

    ``scenario`` and ``platform`` may be None when the file (or the ``mapping``) has a scenario and
    a platform column (mixed exports). ``mapping`` is a ``--map`` file (or a loaded
    :class:`aftersales.replay_mapping.Mapping`).

    With ``record``, every decided row is also decided in full (with its customer message, from
    all its facts) and appended to the case log as a decision record: slower, because
    messages differ per row, but then each past case can be shown with ``aftersales case show``.

    ``runner`` decides the chunks elsewhere: ``runner.run(rows, lines, refused, run)`` takes each
    chunk as read, in order, in place of deciding it here; or, when it has ``partition``
    (:class:`aftersales.scale.replay.ClusterPartitions`, a Dask DataFrame on a cluster),
    ``runner.partition(start, end, after_row, last_row, run)`` takes each chunk's byte range of the
    file and the rows around it, and the workers read the ranges themselves. ``runner.drain(run)``
    finishes them at the end, and ``runner.settle(run, row)`` when the run stops part-way (it
    returns the row to report the stop at).

    ``progress``: a progress bar on stderr when it is a terminal (the file's bytes read; a
    cluster runner shows its own for the partitions decided).
    """
    from .library import load_library
    from .replay_mapping import Mapping, load_mapping

    library = library if library is not None else load_library()
    known = _known_facts(library)
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(Path(mapping), set(known))
    if mapping is not None:
        scenario = scenario or mapping.spec.scenario
        platform = platform or mapping.spec.platform
    if scenario is not None:
        library.playbook(scenario)
    if platform is not None:
        library.profile(platform)
    report = ReplayReport(out=out, mapping=mapping.name if mapping is not None else None)
    errors_path = out.with_name(out.stem + ".errors.csv") if out else Path(csv_path).with_suffix(".errors.csv")
    report.errors_file = errors_path
    written = {"out": False, "errors": False}
    for path in (out, errors_path):
        if path is not None:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                raise AftersalesError(f"{path}: cannot replace the results file: {exc.strerror or exc}") from None
    try:
        encoding = _detect_file_encoding(Path(csv_path))
        stream = Path(csv_path).open(encoding=encoding, errors="strict", newline="")
    except OSError as exc:
        raise AftersalesError(f"{csv_path}: cannot read the cases: {exc.strerror or exc}") from None
    report.encoding = encoding
    source: Any = stream
    if getattr(runner, "partition", None) is not None:  # count the bytes of each line (a cluster's ranges)
        with Path(csv_path).open("rb") as raw:
            codec, mark = slice_codec(encoding, raw.read(2))
        source = CountingLines(stream, codec, mark)
    with stream:
        reader = csv.reader(source)
        try:
            header = next((cells for cells in reader if cells), None)  # blank lines before the header are skipped
        except csv.Error as exc:
            raise AftersalesError(f"{csv_path}: cannot read the header line as CSV: {exc}") from None
        if header is None:
            raise AftersalesError(f"{csv_path}: cannot read the cases: the file is empty (no header line)")
        plan = _plan(header, csv_path, scenario, library, known, mapping)
        if scenario is None and "scenario" not in plan.names + plan.added:
            raise AftersalesError(f"{csv_path}: no scenario: give --scenario, a 'scenario:' in the --map file, or a "
                                  f"scenario column; scenarios: {', '.join(library.scenarios)}")
        if platform is None and "platform" not in plan.names + plan.added:
            raise AftersalesError(f"{csv_path}: no platform: give --platform, a 'platform:' in the --map file, or a "
                                  f"platform column; platforms: {', '.join(library.profiles)}")
        report.passed_through = list(plan.passthrough)
        run = _Run(library, plan, scenario, platform, lang, as_of, record, {}, report, out, errors_path, written)
        records = CsvRecords(reader, plan.columns)
        ranges = getattr(runner, "partition", None)  # a cluster reads each chunk's byte range itself
        run_chunk = _run_chunk if runner is None or ranges is not None else runner.run
        start, first = (source.offset, records.row) if isinstance(source, CountingLines) else (0, 1)
        bar = _bytes_bar(Path(csv_path), progress, "finding the partitions" if ranges is not None else "replay")
        try:
            with bar:
                for chunk, lines, refused in records.chunks(chunk_rows):
                    if ranges is not None and isinstance(source, CountingLines):
                        ranges(start, source.offset, first, records.row, run)
                        start, first = source.offset, records.row
                    else:
                        run_chunk(chunk, lines, refused, run)
                    bar.update(_read_so_far(stream) - bar.n)
                bar.update(bar.total - bar.n)
            if runner is not None:
                runner.drain(run)
        except (OSError, UnicodeDecodeError, AftersalesError) as exc:
            # a disk error (or the file changing under us) part-way: say so, never a silent partial result
            import pandas as pd

            row = records.row
            if runner is not None:
                row = runner.settle(run, row)  # the chunks read before the stop are written first, as here

            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            report.partial = (f"stopped at row {row} of {csv_path}: {reason}; the counts cover the "
                              f"{report.rows} row(s) of the chunks completed before it")
            try:
                _append_errors(pd, [(row, "(run)", f"PARTIAL RUN: {report.partial}")], errors_path, written)
            except OSError:
                pass
    return report


def _bytes_bar(path: Path, progress: bool, what: str) -> Any:
    """A progress bar of the file's bytes on stderr, shown only on a terminal (``progress``)."""
    import sys

    from tqdm import tqdm

    try:
        total = path.stat().st_size
    except OSError:
        total = None
    return tqdm(total=total, unit="B", unit_scale=True, desc=what, file=sys.stderr,
                disable=None if progress else True, leave=False)


def _read_so_far(stream: Any) -> int:
    """How far the reader is in the file, in bytes (the buffer's position: a little ahead)."""
    try:
        return int(stream.buffer.tell())
    except (AttributeError, OSError, ValueError):
        return 0


def _known_facts(library: Any) -> dict[str, str]:
    """Every fact of the library's scenarios with its type (the first scenario's, when they differ)."""
    kinds: dict[str, str] = {}
    for name in library.scenarios:
        try:
            playbook = library.playbook(name)
        except AftersalesError:
            continue
        for fact, spec in playbook.inputs.items():
            kinds.setdefault(fact, spec.spec.type)
    return kinds


class RowError:
    """A refused row: the column to blame (``(row)`` for the row as a whole) and the reason."""

    __slots__ = ("field", "reason")

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason

    @classmethod
    def of(cls, exc: AftersalesError) -> "RowError":
        if isinstance(exc, FactError):
            return cls(exc.field, exc.problem + (f"; allowed: {exc.allowed}" if exc.allowed else ""))
        return cls("(row)", f"{type(exc).__name__}: {exc}")


_BLOCK = 1 << 20


def _detect_file_encoding(path: Path) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030, checked over the whole file (a GBK
    name can first appear on its millionth line); neither is one :class:`InputError`."""
    with path.open("rb") as raw:
        head = raw.read(_BLOCK)
        encoding = detect_encoding(head, str(path))
        candidates = [encoding] + (["gb18030"] if encoding == "utf-8" else [])
        for candidate in candidates:
            raw.seek(0)
            decoder = codecs.getincrementaldecoder(candidate)("strict")
            offset = 0
            try:
                while block := raw.read(_BLOCK):
                    if "\x00" in decoder.decode(block):
                        raise InputError(str(path), f"is binary data, not text (a NUL character after byte {offset})",
                                         "UTF-8 text (with or without BOM) or GB18030/GBK text")
                    offset += len(block)
                decoder.decode(b"", final=True)
                return candidate
            except UnicodeDecodeError as exc:
                failure = (candidate, offset + exc.start)
        raise InputError(str(path), f"is not valid {failure[0]} text (at byte {failure[1]}) nor another encoding "
                                    "replay reads", "UTF-8 text (with or without BOM) or GB18030/GBK text")


def _plan(header: list[str], csv_path: Path, scenario: str | None, library: Any, known: dict[str, str],
          mapping: Any) -> _Plan:
    """The column names and how each is read: trailing empty names (a trailing comma) dropped; an
    empty name inside or a repeated name is one error; a name that looks like a misspelt fact is
    one error naming what is allowed; any other column that is no fact is passed through."""
    from difflib import get_close_matches

    columns = list(header)
    while columns and columns[-1].strip() == "":
        columns.pop()
    facts = dict(library.playbook(scenario).inputs) if scenario is not None else {}
    facts_here = {name: spec.spec.type for name, spec in facts.items()} if facts else dict(known)
    allowed = f"id, as_of, {', '.join(facts_here)}"
    if not columns:
        raise AftersalesError(f"{csv_path}: the header line names no column; allowed: {allowed}")
    blank = [str(i + 1) for i, n in enumerate(columns) if not n.strip()]
    if blank:
        raise AftersalesError(f"{csv_path}: header column(s) {', '.join(blank)} have no name; allowed: {allowed}")
    seen: set[str] = set()
    twice = sorted({n for n in columns if n in seen or seen.add(n)})
    if twice:
        raise AftersalesError(f"{csv_path}: column(s) {_names(twice)} appear more than once in the header")
    renames = mapping.renames if mapping is not None else {}
    reason_columns = [r.column for r in mapping.spec.reasons] if mapping is not None else []
    keep = set(mapping.spec.keep) if mapping is not None else set()
    names = [renames.get(c, c) for c in columns]
    # an export's own "outcome" (the past decision) or "_row" never overwrites replay's: it keeps a marked name
    reserved = set(RESULT_COLUMNS) | set(AS_OF_COLUMNS)
    names = [f"{n} (export)" if n in reserved or n.startswith("_") else n for n in names]
    seen = set()
    twice = sorted({n for n in names if n in seen or seen.add(n)})
    if twice:
        raise AftersalesError(f"{csv_path}: several columns become {_names(twice)} (the --map file's 'columns' "
                              "renames two columns to one fact, or renames one to a name the file already has)")
    kinds: dict[str, str] = {}
    passthrough: list[str] = []
    misspelt: list[str] = []
    for column, name in zip(columns, names, strict=True):
        if name in SPECIAL_COLUMNS:
            kinds[name] = "money" if name == "shipping_cost" else "datetime" if name == "as_of" else "special"
        elif name in known:
            kinds[name] = known[name]
        elif column in keep or column in reason_columns or column in renames:
            passthrough.append(name)
        else:
            close = get_close_matches(name, list(facts_here), n=1, cutoff=0.85)
            if close:
                misspelt.append(f"{_names([name])} (did you mean '{close[0]}'?)")
            passthrough.append(name)
    if misspelt:
        where = f"facts of '{scenario}'" if scenario else "facts"
        raise AftersalesError(f"{csv_path}: column(s) {', '.join(misspelt)} are not {where}; allowed: {allowed} "
                              "(to pass such a column through unchanged, list it under 'keep:' in a --map file)")
    missing = [c for c in reason_columns if c not in columns]
    if missing:
        raise AftersalesError(f"{csv_path}: the --map file reads reasons from column(s) {_names(missing)}, which the "
                              f"header does not have; columns: {_names(columns)}")
    if mapping is not None and mapping.spec.as_of and mapping.spec.as_of.column:
        if mapping.spec.as_of.column not in columns and mapping.spec.as_of.column not in names:
            raise AftersalesError(f"{csv_path}: the --map file takes as_of from column "
                                  f"{_names([mapping.spec.as_of.column])}, which the header does not have")
    added = []
    if mapping is not None:
        for reasons in mapping.spec.reasons:
            for rule in reasons.rules:
                for fact in rule.set:
                    if fact not in names and fact not in added:
                        added.append(fact)
                        kinds[fact] = "special" if fact in SPECIAL_COLUMNS else known.get(fact, "text")
    return _Plan(columns, names, kinds, passthrough, reason_columns, added, mapping)


def _names(names: list[str], most: int = 10) -> str:
    """Column names for a one-line message: odd ones (a newline, 10 kB) quoted and cut, at most ``most``."""
    from .playbook.facts import show

    shown = [n if n.isprintable() and len(n) <= 60 else show(n) for n in names[:most]]
    return ", ".join(shown) + (f" (and {len(names) - most} more)" if len(names) > most else "")


def _row_problems(cells: list[str], columns: list[str]) -> list[tuple[str, str]]:
    """Why a row cannot be decided as read: ragged (trailing empty cells are not), each cell too long."""
    width = len(cells)
    while width > len(columns) and cells[width - 1] == "":
        width -= 1
    problems = []
    if width != len(columns):
        extra = " (values beyond the last column)" if width > len(columns) else ""
        problems.append(("(row)", f"ragged row: {width} cell(s) where the header has {len(columns)} columns{extra}; "
                                  f"allowed: exactly one cell per header column"))
    for name, text in zip(columns, cells, strict=False):
        if len(text) > MAX_CSV_CELL_CHARS:
            problems.append((name, f"a cell of {len(text):,} characters is too long; "
                                   f"allowed: at most {MAX_CSV_CELL_CHARS:,} characters (limits.MAX_CSV_CELL_CHARS)"))
    return problems


def _append_errors(pd: Any, rows: list[tuple[int, str, str]], errors_path: Path, written: dict) -> None:
    frame = pd.DataFrame(rows, columns=["row", "column", "reason"])
    frame.to_csv(errors_path, mode="a", header=not written["errors"], index=False)
    written["errors"] = True


def decide_rows(rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]], *, library: Any,
                plan: _Plan, scenario: str | None, platform: str | None, lang: str | None, as_of: str | None,
                memo: Any, report: ReplayReport, results: Any, errors: Any, record: RecordTo | None = None) -> None:
    """One chunk decided exactly as :func:`replay` decides each of its chunks, its counts added to
    ``report`` and its rows written to the open text streams ``results`` (None: not written) and
    ``errors`` without a header line: what a worker of a cluster does with one partition
    (:mod:`aftersales.scale.replay`). ``memo`` is the distinct combinations already decided."""
    import pandas as pd

    run = _Run(library, plan, scenario, platform, lang, as_of, record, memo, report, results, errors,
               {"out": True, "errors": True})
    _decide_chunk(pd, rows, lines, refused, run)


def _run_chunk(rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]], run: _Run) -> None:
    """Decide one chunk of well-formed rows (each distinct combination once) and write its results;
    ``refused`` rows (ragged, unreadable) are reported with the chunk's own refusals, in line order.
    If it fails part-way (a full disk), the report's counts are those before the chunk."""
    import pandas as pd

    report = run.report
    before = (report.rows, report.decided, report.errors, report.distinct, Counter(report.outcomes),
              {c: dict(r) for c, r in report.cost.items()}, Counter(report.as_of_from), Counter(report.refusals),
              report.shipping_unknown)
    try:
        _decide_chunk(pd, rows, lines, refused, run)
    except BaseException:
        (report.rows, report.decided, report.errors, report.distinct, report.outcomes, report.cost,
         report.as_of_from, report.refusals, report.shipping_unknown) = before
        raise


def _decide_chunk(pd: Any, rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]],
                  run: _Run) -> None:
    report = run.report
    refused_rows = {r for r, _, _ in refused}
    report.rows += len(refused_rows)
    report.errors += len(refused_rows)
    problems: list[tuple[int, str, str]] = [(r, c, reason) for r, c, reason in refused]  # (row, column, reason)
    good_frames = []
    if rows:
        frame = pd.DataFrame(rows, columns=run.plan.names, dtype=object)  # plain str cells
        frame["_row"] = lines
        found = _prepare(pd, frame, run)  # renamed, values mapped, dates read, reason facts set, as_of chosen
        for scenario, platform in frame[["_scenario", "_platform"]].drop_duplicates().itertuples(index=False):
            if not scenario or not platform:
                continue  # already refused by _prepare
            group = frame[(frame["_scenario"] == scenario) & (frame["_platform"] == platform)]
            good = _decide_group(pd, group, scenario, platform, run, found)
            if good is not None and len(good):
                good_frames.append(good)
        problems += found
        bad_rows = {r for r, _, _ in found}
        report.rows += len(frame)
        report.errors += len(bad_rows)
    for _, column, reason in problems:
        report.refusals[column] += 1
        report.refusal_example.setdefault(column, reason)
    if good_frames:
        good = pd.concat(good_frames).sort_values("_row", kind="stable") if len(good_frames) > 1 else good_frames[0]
        report.decided += len(good)
        report.outcomes.update(good["outcome"].value_counts().to_dict())
        report.as_of_from.update(good["as_of_from"].value_counts().to_dict())
        _add_cost(pd, good, report)
        if run.out is not None:
            shown = run.plan.names + run.plan.added  # never an internal "_row": the export's is renamed
            good[shown + AS_OF_COLUMNS + RESULT_COLUMNS].to_csv(run.out, mode="a", header=not run.written["out"],
                                                               index=False)
            run.written["out"] = True
    if problems:  # in line order: every problem of a row, the rows refused while reading among the others
        errors = pd.DataFrame(problems, columns=["row", "column", "reason"]).sort_values("row", kind="stable")
        errors.to_csv(run.errors_path, mode="a", header=not run.written["errors"], index=False)
        run.written["errors"] = True


def _add_cost(pd: Any, good: Any, report: ReplayReport) -> None:
    """Per currency and resolution: refunds count the refunded amount (the affected items' value, else the
    order's), plus any compensation, plus return shipping the seller paid when a shipping_cost is known."""
    def money(column: str) -> Any:
        if column not in good:
            return pd.Series(float("nan"), index=good.index)
        return pd.to_numeric(good[column], errors="coerce")

    refunded = money("item_value").fillna(money("order_value")).fillna(0.0)
    cost = refunded.where(good["resolution"].isin(REFUNDS), 0.0)
    cost = cost + pd.to_numeric(good["compensation"], errors="coerce").fillna(0.0)
    shipping = money("shipping_cost").fillna(money("return_shipping_cost"))
    seller_ships = good["return_shipping_paid_by"] == "seller"
    report.shipping_unknown += int((seller_ships & shipping.isna()).sum())
    cost = cost + shipping.fillna(0.0).where(seller_ships, 0.0)
    currency = good["currency"].replace("", NO_CURRENCY) if "currency" in good else \
        pd.Series(NO_CURRENCY, index=good.index)
    for (code, resolution), total in cost.groupby([currency, good["resolution"]]).sum().items():
        per = report.cost.setdefault(code, {})
        per[resolution] = per.get(resolution, 0.0) + float(total)


def _prepare(pd: Any, frame: Any, run: _Run) -> list[tuple[int, str, str]]:
    """Read the chunk's cells in place, column by column (each distinct value once): value maps,
    currency and yes/no spellings, money cells, dates by pattern, facts from reason keywords;
    then each row's scenario, platform and moment. Returns every problem found (row, column, reason)."""
    from .replay_mapping import BOOL_ALIASES, CURRENCY_ALIASES, match_reasons, parse_date, parse_money

    plan, mapping = run.plan, run.plan.mapping
    problems: list[tuple[int, str, str]] = []
    tz = mapping.tz if mapping is not None else None
    money_currency = None
    for name in plan.names:
        kind = plan.kinds.get(name)
        if kind is None:
            continue  # passed through unchanged
        values = mapping.values_for(name) if mapping is not None else {}
        formats = mapping.date_formats(name) if mapping is not None else []
        changed: dict[str, str] = {}
        bad: dict[str, str] = {}
        currencies: dict[str, str] = {}
        for text in frame[name].unique():
            if text == "":
                continue
            new = values.get(text, values.get(text.strip().casefold())) if values else None
            if new is None:
                new = text
                folded = text.strip().casefold()
                if name == "currency" and folded in CURRENCY_ALIASES:
                    new = CURRENCY_ALIASES[folded]
                elif kind == "bool" and folded in BOOL_ALIASES:
                    new = BOOL_ALIASES[folded]
                elif kind == "money" and len(text) <= 64:
                    parsed = parse_money(text)
                    if parsed is not None:
                        new = parsed[0]
                        if parsed[1]:
                            currencies[text] = parsed[1]
                    elif mapping is not None:
                        bad[text] = (f"'{text}' is not an amount; allowed: a number such as 89.00, ¥89.00, "
                                     "89,00 ₽ or $12.50")
                elif kind in ("date", "datetime") and (formats or tz is not None):
                    iso = parse_date(text, formats, tz, kind)
                    if iso is None:
                        bad[text] = (f"'{text}' matches none of the date formats of the --map file; allowed: "
                                     f"{', '.join(formats) or 'ISO 8601'}")
                    else:
                        new = iso
            if new != text:
                changed[text] = new
        if bad:
            hit = frame[name].isin(bad.keys())
            problems += [(row, name, bad[text]) for row, text in zip(frame.loc[hit, "_row"], frame.loc[hit, name],
                                                                    strict=True)]
        if currencies:
            found = frame[name].map(currencies)
            money_currency = found if money_currency is None else money_currency.fillna(found)
        if changed:
            frame[name] = frame[name].map(lambda text, table=changed: table.get(text, text))
    if money_currency is not None and money_currency.notna().any():
        if "currency" not in frame:
            frame["currency"] = ""
        stated = frame["currency"]
        clash = money_currency.notna() & (stated != "") & (stated != money_currency)
        problems += [(row, "currency", f"'{said}' but the amount is written in {sign}; allowed: one currency per row")
                     for row, said, sign in zip(frame.loc[clash, "_row"], stated[clash], money_currency[clash],
                                                strict=True)]
        frame["currency"] = stated.where(stated != "", money_currency.fillna(""))
    for fact in plan.added:
        if fact not in frame:
            frame[fact] = ""
    if mapping is not None:
        for reasons in mapping.spec.reasons:
            _reason_facts(frame, reasons, problems, match_reasons)
    _route(frame, run, problems)
    _moment(pd, frame, run, problems)
    return problems


def _reason_facts(frame: Any, reasons: Any, problems: list, match_reasons: Any) -> None:
    """Facts set by keywords found in a free-text column: a cell of the fact itself wins; two rules
    setting one fact to different values is that row's problem."""
    sets: dict[str, dict[str, str]] = {}
    for text in frame[reasons.column].unique():
        if not text:
            continue
        found = match_reasons(text, reasons.rules)
        for fact, hits in found.items():
            values = {value for value, _ in hits}
            if len(values) > 1:
                words = ", ".join(f"'{word}' → {fact}={value}" for value, word in hits)
                sets.setdefault("(conflict)", {})[text] = f"the reason matches keywords that disagree: {words}"
            else:
                sets.setdefault(fact, {})[text] = hits[0][0]
    for fact, table in sets.items():
        if fact == "(conflict)":
            hit = frame[reasons.column].isin(table.keys())
            problems.extend((row, reasons.column, table[text]) for row, text in
                            zip(frame.loc[hit, "_row"], frame.loc[hit, reasons.column], strict=True))
            continue
        derived = frame[reasons.column].map(table).fillna("")
        frame[fact] = frame[fact].where(frame[fact] != "", derived)


def _route(frame: Any, run: _Run, problems: list) -> None:
    """Each row's scenario and platform: its column's cell, else the run's (--scenario, --platform, the map)."""
    for name, default in (("scenario", run.scenario), ("platform", run.platform)):
        internal = "_" + name
        if name in frame:
            frame[internal] = frame[name].where(frame[name] != "", default or "")
        else:
            frame[internal] = default or ""
        empty = frame[internal] == ""
        why = "no keyword of the --map file's reasons matched, " if name in run.plan.added else ""
        problems.extend((row, name, f"no {name} for this row: its {name} cell is empty, {why}and no --{name} was "
                                    "given") for row in frame.loc[empty, "_row"])


def _moment(pd: Any, frame: Any, run: _Run, problems: list) -> None:
    """Each row's as_of: its as_of cell (or the --map file's as_of column), else --as-of, else derived
    from the row's own dates (the latest of them: the complaint, the return request, the delivery)."""
    from .replay_mapping import moment_of

    mapping = run.plan.mapping
    tz = mapping.tz if mapping is not None else None
    source = "as_of"
    derive = [c for c in DERIVE_AS_OF_FROM if c in frame]
    if mapping is not None and mapping.spec.as_of is not None:
        if mapping.spec.as_of.column:
            column = mapping.spec.as_of.column
            source = mapping.renames.get(column, column)
        if mapping.spec.as_of.derive_from:
            derive = [c for c in mapping.spec.as_of.derive_from if c in frame]
    given = frame[source] if source in frame else pd.Series("", index=frame.index)
    if source != "as_of" and run.plan.kinds.get(source) is None and mapping is not None:  # a passed-through column
        formats = mapping.date_formats("as_of")
        from .replay_mapping import parse_date

        table = {t: parse_date(t, formats, tz, "datetime") for t in given.unique() if t}
        bad = given.map(lambda t: t != "" and table.get(t) is None)
        problems.extend((row, source, f"'{t}' matches none of the as_of date formats; allowed: "
                                      f"{', '.join(formats) or 'ISO 8601'}")
                        for row, t in zip(frame.loc[bad, "_row"], given[bad], strict=True))
        given = given.map(lambda t: table.get(t) or "" if t else "")
    frame["decided_as_of"] = given
    frame["as_of_from"] = given.where(given == "", "column " + source if source != "as_of" else "column")
    if run.as_of:
        empty = frame["decided_as_of"] == ""
        frame.loc[empty, "decided_as_of"] = run.as_of
        frame.loc[empty, "as_of_from"] = "--as-of"
    empty = frame["decided_as_of"] == ""
    if empty.any():
        table: dict[tuple, tuple[str, str]] = {}
        combos = frame.loc[empty, derive].drop_duplicates() if derive else None
        for values in (combos.itertuples(index=False, name=None) if combos is not None else ()):
            best: tuple[Any, str, str] | None = None
            for fact, value in zip(derive, values, strict=True):
                moment = moment_of(value, tz) if value else None
                if moment is not None and (best is None or moment > best[0]):
                    best = (moment, value, fact)
            if best is not None:
                iso = best[1] if len(best[1].strip()) > 10 else best[0].isoformat()
                table[tuple(values)] = (iso, f"derived: {best[2]}")
        keys = list(zip(*[frame.loc[empty, c] for c in derive], strict=True)) if derive else [()] * int(empty.sum())
        found = [table.get(k, ("", "")) for k in keys]
        frame.loc[empty, "decided_as_of"] = [f[0] for f in found]
        frame.loc[empty, "as_of_from"] = [f[1] for f in found]
        none = frame["decided_as_of"] == ""
        dates = ", ".join(derive) or ", ".join(DERIVE_AS_OF_FROM)
        problems.extend((row, "as_of", f"no moment to decide as of: no as_of cell, no --as-of, and none of the "
                                       f"row's dates ({dates}) is known; allowed: an as_of column, --as-of, or a date")
                        for row in frame.loc[none, "_row"])


def _decide_group(pd: Any, group: Any, scenario: str, platform: str, run: _Run,
                  problems: list[tuple[int, str, str]]) -> Any:
    """Decide the rows of one scenario and platform: every fact cell checked (each distinct value once),
    each distinct combination of the facts the decision reads decided once; every problem of a row
    added to ``problems`` (one per column); returns the decided rows with their result columns."""
    library = run.library
    try:
        playbook = library.playbook(scenario)
    except AftersalesError as exc:
        problems.extend((row, "scenario", str(exc)) for row in group["_row"])
        return None
    try:
        library.profile(platform)
    except AftersalesError as exc:
        problems.extend((row, "platform", str(exc)) for row in group["_row"])
        return None
    inputs = playbook.inputs
    facts = [c for c in group.columns if c in inputs]
    blamed = {(row, column) for row, column, _ in problems}
    for column in facts:  # every bad cell of a row, not only the first the engine would meet
        spec = inputs[column]
        bad: dict[str, str] = {}
        for text in group[column].unique():
            if text == "":
                continue
            try:
                spec.coerce(parse_cell(text, spec.spec.type))
            except FactError as exc:
                bad[text] = exc.problem + (f"; allowed: {exc.allowed}" if exc.allowed else "")
                if column == "currency":  # never "did you mean 'RUB'" for a yuan: name the spellings understood
                    bad[text] = _currency_problem(text, exc.allowed)
        if bad:
            hit = group[column].isin(bad.keys())
            for row, text in zip(group.loc[hit, "_row"], group.loc[hit, column], strict=True):
                if (row, column) not in blamed:
                    problems.append((row, column, bad[text]))
                    blamed.add((row, column))
    keys = [k for k in deciding_inputs(playbook) if k in group.columns] + ["decided_as_of"]
    rows_keys = list(zip(*[group[k] for k in keys], strict=True))
    memo = run.memo
    results = []
    for key in rows_keys:
        full = (scenario, platform) + key
        result = memo.get(full)
        if result is None:
            if len(memo) >= MEMO_LIMIT:  # bounded memory on files with endless variety
                memo.clear()
            row = dict(zip(keys, key, strict=True))
            moment = row.pop("decided_as_of")
            result = memo[full] = _decide_row(playbook, platform, run.lang, row, moment, library) if moment else \
                RowError("as_of", "no moment to decide as of")
        results.append(result)
    run.report.distinct = max(run.report.distinct, len(memo))
    for row, result in zip(group["_row"], results, strict=True):
        if isinstance(result, RowError) and (row, result.field) not in blamed:
            problems.append((row, result.field, result.reason))
            blamed.add((row, result.field))
    refused = {row for row, _ in blamed}
    decided = group.copy()
    for column in RESULT_COLUMNS:
        decided[column] = [None if isinstance(r, RowError) else r[column] for r in results]
    ok = ~decided["_row"].isin(refused) & pd.Series([not isinstance(r, RowError) for r in results],
                                                    index=decided.index, dtype=bool)
    good = decided[ok]
    if run.record is not None and len(good):
        _record_rows(good, playbook, platform, run.lang, library, run.record)
    return good


def _currency_problem(text: str, allowed: str | None) -> str:
    from .playbook.facts import show
    from .replay_mapping import CURRENCY_ALIASES

    spellings: dict[str, list[str]] = {}
    for alias, code in CURRENCY_ALIASES.items():
        if alias != code.casefold():
            spellings.setdefault(code, []).append(alias)
    aliases = "; ".join(f"{code} also as {', '.join(names)}" for code, names in sorted(spellings.items()))
    return (f"{show(text)} is not a currency replay knows; allowed: {allowed or 'a currency code'} ({aliases}; "
            "other spellings: a 'values: currency:' table in a --map file)")


def _record_rows(rows: Any, playbook: Any, platform: str, lang: str | None, library: Any, record: RecordTo) -> None:
    """Append one decision record per row (one fsync per chunk); the row's ``id`` is the case id."""
    from .caselog import append_cases, case_record, snapshot_library
    from .engine import decide

    if record.library_hash is None:
        record.library_hash = snapshot_library(Path(library.root))
    records = []
    inputs = playbook.inputs
    for row in rows.to_dict("records"):
        facts = csv_facts({k: v for k, v in row.items() if k in inputs}, playbook)
        decision = decide(playbook, facts, platform, lang=lang, as_of=row["decided_as_of"], library=library)
        case_id = row.get("id")
        records.append(case_record(decision, case_id=str(case_id) if case_id else None, who=record.who,
                                   library_hash=record.library_hash, overlay=library.overlay))
    append_cases(records, record.log)
    record.written += len(records)


def _decide_row(playbook: Any, platform: str, lang: str | None, row: dict, moment: str, library: Any) -> Any:
    """One distinct combination of facts decided: the result columns, or the :class:`RowError`."""
    from .engine import decide

    try:
        d = decide(playbook, csv_facts(row, playbook, skip=()), platform, lang=lang, as_of=moment, library=library,
                   render_message=False)
    except AftersalesError as exc:  # a fact, an as_of before the platform's rules, a condition that failed
        return RowError.of(exc)
    amount = d.compensation["amount"] if d.compensation else None
    return {"outcome": d.outcome, "resolution": d.resolution, "return_shipping_paid_by": d.return_shipping_paid_by,
            "cost_borne_by": d.cost_borne_by, "compensation": amount,
            "first_deadline": d.deadlines[0].due.isoformat() if d.deadlines else ""}


def summary_chart(report: ReplayReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    names, counts = zip(*report.outcomes.most_common(), strict=False) if report.outcomes else ((), ())
    left.barh(list(names), list(counts), color="#4a7bd0")
    left.set_title("Cases per outcome")
    bars = [(f"{resolution} ({currency})", total) for currency, per in sorted(report.cost.items())
            for resolution, total in per.items()]
    right.barh([b[0] for b in bars], [b[1] for b in bars], color="#d0844a")
    right.set_title("Estimated cost per resolution (each in its own currency)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
