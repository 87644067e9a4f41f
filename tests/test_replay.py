"""aftersales replay: every row decided or refused with its row, column and reason; the
de-duplicated path agrees with deciding row by row."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from aftersales.engine import decide
from aftersales.replay import deciding_inputs, parse_cell, replay
from aftersales.library import load_library

HEADER = ["id", "order_id", "order_value", "currency", "delivered_on", "evidence_provided", "category",
          "size_deviation_cm", "customer_preference", "item_resaleable", "as_of"]
ROWS = [
    ["a", "O-1", "129", "CNY", "2026-01-12", "true", "apparel", "3.5", "exchange", "true", ""],
    ["b", "O-2", "89", "CNY", "2026-01-12", "true", "apparel", "3.0", "refund", "true", ""],
    ["c", "O-3", "89", "CNY", "2026-01-12", "true", "apparel", "-4", "refund", "true", ""],       # refused
    ["d", "O-4", "89", "CNY", "2026-01-12", "maybe", "apparel", "1", "refund", "true", ""],      # refused
    ["e", "O-5", "129", "CNY", "2026-01-12", "true", "apparel", "3.5", "exchange", "true", ""],  # same facts as a
    ["f", "O-6", "59", "CNY", "2026-01-02", "true", "footwear", "0.5", "refund", "false", "2026-01-30T10:00:00+00:00"],
]


def write(path: Path, rows=ROWS, header=HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_every_row_is_decided_or_refused_with_row_column_and_reason(tmp_path):
    source = write(tmp_path / "past.csv")
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "results.csv", chunk_rows=2)
    assert (report.rows, report.decided, report.errors) == (6, 4, 2)
    results = list(csv.DictReader((tmp_path / "results.csv").open(encoding="utf-8")))
    assert [r["id"] for r in results] == ["a", "b", "e", "f"]
    errors = list(csv.DictReader((tmp_path / "results.errors.csv").open(encoding="utf-8")))
    assert [(e["row"], e["column"]) for e in errors] == [("4", "size_deviation_cm"), ("5", "evidence_provided")]
    assert "out of range" in errors[0]["reason"]


def test_the_grouped_path_agrees_with_deciding_each_row(tmp_path):
    source = write(tmp_path / "past.csv")
    replay(source, "size_mismatch", "taobao", out=tmp_path / "results.csv")
    library = load_library()
    for row in csv.DictReader((tmp_path / "results.csv").open(encoding="utf-8")):
        facts = {k: parse_cell(v) for k, v in row.items()
                 if k in library.playbook("size_mismatch").inputs and v != ""}
        expected = decide("size_mismatch", facts, "taobao", as_of=row["as_of"] or "2026-01-15T09:00:00+00:00",
                          render_message=False)
        assert row["outcome"] == expected.outcome and row["return_shipping_paid_by"] == expected.return_shipping_paid_by
        assert row["first_deadline"] == expected.deadlines[0].due.isoformat()


def test_names_and_order_ids_do_not_split_the_groups():
    inputs = deciding_inputs(load_library().playbook("size_mismatch"))
    assert "order_id" not in inputs and "customer_name" not in inputs and "size_deviation_cm" in inputs


def test_the_command_summarises_counts_and_cost_and_says_where_refused_rows_went(tmp_path):
    source = write(tmp_path / "past.csv")
    result = subprocess.run([sys.executable, "-m", "aftersales", "replay", str(source), "--scenario", "size_mismatch",
                             "--platform", "taobao", "--out", str(tmp_path / "r.csv"), "--chart", str(tmp_path / "c.png")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "6 rows: 4 decided, 2 refused" in result.stdout and "estimated cost per resolution" in result.stdout
    assert "2 row(s) refused, see" in result.stderr and (tmp_path / "c.png").exists()


def test_an_unknown_column_is_one_line_naming_what_is_allowed(tmp_path):
    source = write(tmp_path / "bad.csv", rows=[["x", "1"]], header=["id", "size_deviaton_cm"])
    result = subprocess.run([sys.executable, "-m", "aftersales", "replay", str(source), "--scenario", "size_mismatch",
                             "--platform", "taobao"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "size_deviaton_cm" in result.stderr and "allowed" in result.stderr
