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
"""

from __future__ import annotations

import codecs
import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AftersalesError, FactError, InputError
from .limits import MAX_CSV_CELL_CHARS, MAX_JSON_DEPTH
from .playbook.facts import _parse_float, _parse_int, detect_encoding, json_depth

RESULT_COLUMNS = ["outcome", "resolution", "return_shipping_paid_by", "cost_borne_by", "compensation",
                  "first_deadline"]
#: Resolutions whose estimated cost is the order's value (the goods are not coming back, or go out again);
#: for the others it is the compensation paid (return shipping and handling are not in the facts).
FULL_COST = {"refund_without_return", "reship", "accept_claim"}
MEMO_LIMIT = 500_000


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
    cost: dict[str, float] = field(default_factory=dict)  # resolution -> estimated cost
    out: Path | None = None
    errors_file: Path | None = None
    encoding: str = "utf-8"
    #: Why the run stopped before the end of the file (None: every row was decided or refused).
    partial: str | None = None


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


def _estimate(resolution: str, compensation: float | None, order_value: Any) -> float:
    value = order_value if isinstance(order_value, (int, float)) and not isinstance(order_value, bool) else 0.0
    return float(value) if resolution in FULL_COST else float(compensation or 0.0)


@dataclass
class RecordTo:
    """``replay --record``: write every decided row to a case log as a decision record."""

    log: Path | None = None  # None: the default case log
    who: str = "replay"
    written: int = 0
    library_hash: str | None = None


def replay(csv_path: Path, scenario: str, platform: str, *, out: Path | None = None, lang: str | None = None,
           as_of: str | None = None, chunk_rows: int = 200_000, library: Any = None,
           record: RecordTo | None = None) -> ReplayReport:
    """Decide every row of ``csv_path``; write results to ``out`` and refused rows beside it.

    With ``record``, every decided row is also decided in full (with its customer message, from
    all its facts) and appended to the case log as a decision record: slower, because
    messages differ per row, but then each past case can be shown with ``aftersales case show``.
    """
    import pandas as pd

    from .library import load_library

    library = library if library is not None else load_library()
    playbook = library.playbook(scenario)
    library.profile(platform)
    keys = deciding_inputs(playbook)
    report = ReplayReport(out=out)
    errors_path = out.with_name(out.stem + ".errors.csv") if out else Path(csv_path).with_suffix(".errors.csv")
    report.errors_file = errors_path
    memo: dict[tuple, dict[str, Any] | RowError] = {}
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
    row = 1
    with stream:
        reader = csv.reader(stream)
        try:
            header = next((cells for cells in reader if cells), None)  # blank lines before the header are skipped
        except csv.Error as exc:
            raise AftersalesError(f"{csv_path}: cannot read the header line as CSV: {exc}") from None
        if header is None:
            raise AftersalesError(f"{csv_path}: cannot read the cases: the file is empty (no header line)")
        columns = _header_columns(header, csv_path, scenario, playbook)
        width = len(columns)
        chunk: list[list[str]] = []
        lines: list[int] = []
        refused: list[tuple[int, str, str]] = []
        row = 1  # rows are numbered as a spreadsheet shows them: the header is row 1, blank lines are skipped
        try:
            while True:  # the loop runs once per row of files of millions of rows: keep it tight
                try:
                    for cells in reader:
                        if not cells:
                            continue
                        row += 1
                        if len(cells) != width or max(map(len, cells)) > MAX_CSV_CELL_CHARS:
                            problem = _row_problem(cells, columns)  # ragged, a cell too long (else trailing empties)
                            if problem is not None:
                                refused.append((row, *problem))
                                if len(refused) >= chunk_rows:  # memory stays bounded on a file of bad rows
                                    _run_chunk(pd, chunk, lines, refused, columns, keys, playbook, platform, lang,
                                               as_of, library, record, memo, report, out, errors_path, written)
                                    chunk, lines, refused = [], [], []
                                continue
                            cells = cells[:width]
                        chunk.append(cells)
                        lines.append(row)
                        if len(chunk) >= chunk_rows:
                            _run_chunk(pd, chunk, lines, refused, columns, keys, playbook, platform, lang, as_of,
                                       library, record, memo, report, out, errors_path, written)
                            chunk, lines, refused = [], [], []
                    break
                except csv.Error as exc:  # the reader goes on with the next line
                    row += 1
                    refused.append((row, "(row)", f"cannot be read as CSV: {exc}"))
            if chunk or refused:
                _run_chunk(pd, chunk, lines, refused, columns, keys, playbook, platform, lang, as_of, library,
                           record, memo, report, out, errors_path, written)
        except (OSError, UnicodeDecodeError, AftersalesError) as exc:
            # a disk error (or the file changing under us) part-way: say so, never a silent partial result
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            report.partial = (f"stopped at row {row} of {csv_path}: {reason}; the counts cover the "
                              f"{report.rows} row(s) of the chunks completed before it")
            try:
                _append_errors(pd, [(row, "(run)", f"PARTIAL RUN: {report.partial}")], errors_path, written)
            except OSError:
                pass
    return report


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


def _header_columns(header: list[str], csv_path: Path, scenario: str, playbook: Any) -> list[str]:
    """The column names: trailing empty names (a trailing comma) dropped; an empty name inside,
    a repeated or an unknown name is one error naming what is allowed."""
    names = list(header)
    while names and names[-1].strip() == "":
        names.pop()
    allowed = f"id, as_of, {', '.join(playbook.inputs)}"
    if not names:
        raise AftersalesError(f"{csv_path}: the header line names no column; allowed: {allowed}")
    blank = [str(i + 1) for i, n in enumerate(names) if not n.strip()]
    if blank:
        raise AftersalesError(f"{csv_path}: header column(s) {', '.join(blank)} have no name; allowed: {allowed}")
    seen: set[str] = set()
    twice = sorted({n for n in names if n in seen or seen.add(n)})
    if twice:
        raise AftersalesError(f"{csv_path}: column(s) {_names(twice)} appear more than once in the header")
    unknown = [c for c in names if c not in playbook.inputs and c not in ("id", "as_of")]
    if unknown:
        raise AftersalesError(f"{csv_path}: column(s) {_names(unknown)} are not facts of '{scenario}'; "
                              f"allowed: {allowed}")
    return names


def _names(names: list[str], most: int = 10) -> str:
    """Column names for a one-line message: odd ones (a newline, 10 kB) quoted and cut, at most ``most``."""
    from .playbook.facts import show

    shown = [n if n.isprintable() and len(n) <= 60 else show(n) for n in names[:most]]
    return ", ".join(shown) + (f" (and {len(names) - most} more)" if len(names) > most else "")


def _row_problem(cells: list[str], columns: list[str]) -> tuple[str, str] | None:
    """Why a row cannot be decided as read: ragged (trailing empty cells are not), a cell too long."""
    width = len(cells)
    while width > len(columns) and cells[width - 1] == "":
        width -= 1
    if width != len(columns):
        extra = " (values beyond the last column)" if width > len(columns) else ""
        return "(row)", (f"ragged row: {width} cell(s) where the header has {len(columns)} columns{extra}; "
                         f"allowed: exactly one cell per header column")
    for name, text in zip(columns, cells, strict=False):
        if len(text) > MAX_CSV_CELL_CHARS:
            return name, (f"a cell of {len(text):,} characters is too long; "
                          f"allowed: at most {MAX_CSV_CELL_CHARS:,} characters (limits.MAX_CSV_CELL_CHARS)")
    return None


def _append_errors(pd: Any, rows: list[tuple[int, str, str]], errors_path: Path, written: dict) -> None:
    frame = pd.DataFrame(rows, columns=["row", "column", "reason"])
    frame.to_csv(errors_path, mode="a", header=not written["errors"], index=False)
    written["errors"] = True


def _run_chunk(pd: Any, rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]],
               columns: list[str], keys: list[str], playbook: Any, platform: str, lang: str | None,
               as_of: str | None, library: Any, record: "RecordTo | None", memo: dict, report: ReplayReport,
               out: Path | None, errors_path: Path, written: dict) -> None:
    """Decide one chunk of well-formed rows (each distinct combination once) and write its results;
    ``refused`` rows (ragged, unreadable) are reported with the chunk's own refusals, in line order.
    If it fails part-way (a full disk), the report's counts are those before the chunk."""
    before = (report.rows, report.decided, report.errors, report.distinct, Counter(report.outcomes), dict(report.cost))
    try:
        _decide_chunk(pd, rows, lines, refused, columns, keys, playbook, platform, lang, as_of, library, record, memo,
                      report, out, errors_path, written)
    except BaseException:
        report.rows, report.decided, report.errors, report.distinct, report.outcomes, report.cost = before
        raise


def _decide_chunk(pd: Any, rows: list[list[str]], lines: list[int], refused: list[tuple[int, str, str]],
                  columns: list[str], keys: list[str], playbook: Any, platform: str, lang: str | None,
                  as_of: str | None, library: Any, record: "RecordTo | None", memo: dict, report: ReplayReport,
                  out: Path | None, errors_path: Path, written: dict) -> None:
    from .examples import EXAMPLE_AS_OF

    report.rows += len(refused)
    report.errors += len(refused)
    frames = [pd.DataFrame(refused, columns=["row", "column", "reason"])] if refused else []
    if rows:
        chunk = pd.DataFrame(rows, columns=columns, dtype=object)  # plain str cells, as read_csv(dtype=str) gave
        present = [k for k in keys if k in chunk.columns]
        group_cols = present + (["as_of"] if "as_of" in chunk.columns else [])
        combos = chunk[group_cols].drop_duplicates() if group_cols else chunk.iloc[:1][[]]
        results: list[Any] = []
        for values in combos.itertuples(index=False, name=None):
            key = tuple(values)
            if key not in memo:
                if len(memo) >= MEMO_LIMIT:  # bounded memory on files with endless variety
                    memo.clear()
                row = dict(zip(group_cols, values, strict=False))
                moment = row.pop("as_of", "") or as_of or EXAMPLE_AS_OF
                memo[key] = _decide_row(playbook, platform, lang, row, moment, library)
            results.append(memo[key])
        report.distinct = max(report.distinct, len(memo))
        decided = combos.reset_index(drop=True)
        for column in RESULT_COLUMNS:
            decided[column] = [None if isinstance(r, RowError) else r[column] for r in results]
        decided["_error_field"] = [r.field if isinstance(r, RowError) else None for r in results]
        decided["_error_reason"] = [r.reason if isinstance(r, RowError) else None for r in results]
        numbered = chunk.reset_index(drop=True)
        numbered["_row"] = lines
        merged = numbered.merge(decided, on=group_cols, how="left", sort=False) if group_cols else \
            numbered.assign(**{c: decided[c].iloc[0] for c in decided.columns})
        _refuse_bad_cells(merged, [c for c in chunk.columns if c in playbook.inputs and c not in group_cols],
                          playbook)
        bad = merged["_error_field"].notna()
        good = merged[~bad]
        report.rows += len(merged)
        report.errors += int(bad.sum())
        report.decided += len(good)
        if bad.any():
            errors = merged.loc[bad, ["_row", "_error_field", "_error_reason"]]
            errors.columns = ["row", "column", "reason"]
            frames.append(errors)
        if len(good):
            report.outcomes.update(good["outcome"].value_counts().to_dict())
            value = pd.to_numeric(good["order_value"], errors="coerce").fillna(0.0) if "order_value" in good \
                else pd.Series(0.0, index=good.index)
            paid = pd.to_numeric(good["compensation"], errors="coerce").fillna(0.0)
            cost = paid.where(~good["resolution"].isin(FULL_COST), value)
            for resolution, total in cost.groupby(good["resolution"]).sum().items():
                report.cost[resolution] = report.cost.get(resolution, 0.0) + float(total)
            if out is not None:
                good[list(chunk.columns) + RESULT_COLUMNS].to_csv(out, mode="a", header=not written["out"],
                                                                 index=False)
                written["out"] = True
            if record is not None:
                _record_rows(good[list(chunk.columns)], playbook, platform, lang, as_of, library, record)
    if frames:  # in line order: the rows refused while reading among the engine's refusals
        errors = pd.concat(frames, ignore_index=True).sort_values("row", kind="stable") if len(frames) > 1 else frames[0]
        errors.to_csv(errors_path, mode="a", header=not written["errors"], index=False)
        written["errors"] = True


def _refuse_bad_cells(merged: Any, columns: list[str], playbook: Any) -> None:
    """Refuse rows whose facts the decision does not read (order ids, names, notes) but which
    are not valid either: each distinct value of such a column is checked once with its input's
    coercer, and a row already refused keeps its first reason."""
    for column in columns:
        spec = playbook.inputs[column]
        problems: dict[str, str] = {}
        for text in merged[column].unique():
            if text == "":
                continue
            try:
                spec.coerce(parse_cell(text, spec.spec.type))
            except FactError as exc:
                problems[text] = exc.problem + (f"; allowed: {exc.allowed}" if exc.allowed else "")
        if problems:
            hit = merged[column].isin(problems.keys()) & merged["_error_field"].isna()
            merged.loc[hit, "_error_field"] = column
            merged.loc[hit, "_error_reason"] = merged.loc[hit, column].map(problems)


def _record_rows(rows: Any, playbook: Any, platform: str, lang: str | None, as_of: str | None, library: Any,
                 record: RecordTo) -> None:
    """Append one decision record per row (one fsync per chunk); the row's ``id`` is the case id."""
    from .caselog import append_cases, case_record, snapshot_library
    from .engine import decide
    from .examples import EXAMPLE_AS_OF

    if record.library_hash is None:
        record.library_hash = snapshot_library(Path(library.root))
    records = []
    for row in rows.to_dict("records"):
        decision = decide(playbook, csv_facts(row, playbook), platform, lang=lang,
                          as_of=row.get("as_of") or as_of or EXAMPLE_AS_OF, library=library)
        records.append(case_record(decision, case_id=str(row["id"]) if row.get("id") else None, who=record.who,
                                   library_hash=record.library_hash, overlay=library.overlay))
    append_cases(records, record.log)
    record.written += len(records)


def _decide_row(playbook: Any, platform: str, lang: str | None, row: dict, moment: str, library: Any) -> Any:
    """One distinct combination of facts decided: the result columns, or the :class:`RowError`."""
    from .engine import decide

    try:
        d = decide(playbook, csv_facts(row, playbook, skip=()), platform, lang=lang, as_of=moment, library=library, render_message=False)
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
    right.barh(list(report.cost), list(report.cost.values()), color="#d0844a")
    right.set_title("Estimated cost per resolution")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
