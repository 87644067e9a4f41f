"""``aftersales replay cases.csv``: decide every past case of a CSV (columns = facts) with pandas.

Rows are read in chunks (memory stays bounded whatever the file's size). A decision depends
only on the facts the playbook's steps and outcome rules read (names and order ids only go
into messages, which replay does not render), so each chunk is reduced to its distinct
combinations of those facts, each decided once (and remembered across chunks), and the
results are joined back to the rows. Rows the engine refuses go to an errors file beside the
results, with their row number, column and reason; none is dropped silently.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from .errors import AftersalesError, FactError

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
    try:
        return json.loads(text)
    except ValueError:
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

    from .examples import EXAMPLE_AS_OF
    from .library import load_library

    library = library if library is not None else load_library()
    playbook = library.playbook(scenario)
    library.profile(platform)
    keys = deciding_inputs(playbook)
    report = ReplayReport(out=out)
    errors_path = out.with_name(out.stem + ".errors.csv") if out else Path(csv_path).with_suffix(".errors.csv")
    report.errors_file = errors_path
    memo: dict[tuple, dict[str, Any] | FactError] = {}
    written = {"out": False, "errors": False}
    for path in (out, errors_path):
        if path is not None:
            path.unlink(missing_ok=True)
    offset = 0
    try:
        reader = pd.read_csv(csv_path, dtype=str, keep_default_na=False, chunksize=chunk_rows)
        for chunk in reader:
            if offset == 0:
                unknown = [c for c in chunk.columns if c not in playbook.inputs and c not in ("id", "as_of")]
                if unknown:
                    raise AftersalesError(f"{csv_path}: column(s) {', '.join(unknown)} are not facts of '{scenario}'; "
                                          f"allowed: id, as_of, {', '.join(playbook.inputs)}")
            present = [k for k in keys if k in chunk.columns]
            group_cols = present + (["as_of"] if "as_of" in chunk.columns else [])
            combos = chunk[group_cols].drop_duplicates() if group_cols else chunk.iloc[:1][[]]
            results: list[dict[str, Any]] = []
            for values in combos.itertuples(index=False, name=None):
                key = tuple(values)
                if key not in memo:
                    if len(memo) >= MEMO_LIMIT:  # bounded memory on files with endless variety
                        memo.clear()
                    row = dict(zip(group_cols, values))
                    moment = row.pop("as_of", "") or as_of or EXAMPLE_AS_OF
                    memo[key] = _decide_row(playbook, platform, lang, row, moment, library)
                results.append(memo[key])
            report.distinct = max(report.distinct, len(memo))
            decided = combos.reset_index(drop=True)
            for column in RESULT_COLUMNS:
                decided[column] = [None if isinstance(r, FactError) else r[column] for r in results]
            decided["_error_field"] = [r.field if isinstance(r, FactError) else None for r in results]
            decided["_error_reason"] = [r.problem + (f"; allowed: {r.allowed}" if r.allowed else "")
                                        if isinstance(r, FactError) else None for r in results]
            numbered = chunk.reset_index(drop=True)
            numbered["_row"] = range(offset + 2, offset + 2 + len(chunk))  # line numbers: the header is line 1
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
                errors.to_csv(errors_path, mode="a", header=not written["errors"], index=False)
                written["errors"] = True
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
            offset += len(chunk)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AftersalesError(f"{csv_path}: cannot read the cases: {exc}") from None
    return report


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
    """One distinct combination of facts decided: the result columns, or the FactError."""
    from .engine import decide

    try:
        d = decide(playbook, csv_facts(row, playbook, skip=()), platform, lang=lang, as_of=moment, library=library, render_message=False)
    except FactError as exc:
        return exc
    amount = d.compensation["amount"] if d.compensation else None
    return {"outcome": d.outcome, "resolution": d.resolution, "return_shipping_paid_by": d.return_shipping_paid_by,
            "cost_borne_by": d.cost_borne_by, "compensation": amount,
            "first_deadline": d.deadlines[0].due.isoformat() if d.deadlines else ""}


def summary_chart(report: ReplayReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    names, counts = zip(*report.outcomes.most_common()) if report.outcomes else ((), ())
    left.barh(list(names), list(counts), color="#4a7bd0")
    left.set_title("Cases per outcome")
    right.barh(list(report.cost), list(report.cost.values()), color="#d0844a")
    right.set_title("Estimated cost per resolution")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
