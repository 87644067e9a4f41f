"""Issue 16 part 5, ``replay --map``: real exports replay without code. The worked examples of
docs/replay.md (a Taobao-style Chinese export and an Ozon-style Russian one) run end to end through
the command; extra columns pass through; every error of a row is reported; currency spellings are
understood and never "corrected" to another currency; a row without as_of is decided as of its own
dates; a run that decides nothing exits 1; the cost summary is per currency."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from aftersales.cli import main
from aftersales.errors import PlaybookError
from aftersales.library import load_library
from aftersales.replay import replay
from aftersales.replay_mapping import load_mapping, parse_date, parse_money

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["replay", *argv])
    out, err = capsys.readouterr()
    return code, out.replace("\xa0", " "), err


# ---- the worked examples of docs/replay.md, end to end through the command -----------------------

def test_the_taobao_export_replays_with_its_mapping(tmp_path, capsys):
    out = tmp_path / "taobao-results.csv"
    code, stdout, stderr = run(capsys, str(EXAMPLES / "taobao-export.csv"), "--map",
                               str(EXAMPLES / "taobao-mapping.yaml"), "--out", str(out))
    assert code == 1, "two rows are refused on purpose: " + stderr
    assert "7 rows: 5 decided, 2 refused" in stdout
    results = {r["id"]: r for r in rows_of(out)}
    assert {k: (r["scenario"], r["outcome"]) for k, r in results.items()} == {
        "TK-0001": ("size_mismatch", "exchange_seller_pays"),
        "TK-0002": ("size_mismatch", "return_buyer_pays"),
        "TK-0003": ("size_mismatch", "reject_not_resaleable"),
        "TK-0004": ("change_of_mind", "accept_return"),
        "TK-0005": ("change_of_mind", "accept_return"),
    }
    first = results["TK-0001"]
    # mapped: ¥129.00 → 129.00, RMB → CNY, 是 → true, 换货 → exchange, "2026/01/12 14:03" → the day
    assert (first["order_value"], first["currency"], first["evidence_provided"], first["customer_preference"],
            first["delivered_on"], first["order_id"]) == ("129.00", "CNY", "true", "exchange", "2026-01-12",
                                                          "3901234567890001")
    # passed through unchanged: columns that are no fact
    assert (first["商品名称"], first["客服备注"], first["店铺"]) == ("纯棉T恤 白色 L", "已核实测量照片", "旗舰店")
    assert first["退货原因"] == "尺码偏大，衣长比详情页长3.5厘米"
    assert "passed through unchanged (no fact): 商品名称, 退货原因, 客服备注, 店铺" in stdout
    # no as_of anywhere: each row is decided as of its own complaint time (Beijing), and the report says so
    assert (first["decided_as_of"], first["as_of_from"]) == ("2026-01-13T09:20:00+08:00",
                                                            "derived: complaint_received_at")
    assert "derived from each row's own complaint_received_at (no as_of): 5 row(s)" in stdout
    # refunds count the refunded amount (89 + 199 + 59), in the cases' currency
    assert "CNY: CN¥347.00 in all" in stdout and "RUB" not in stdout
    errors = rows_of(tmp_path / "taobao-results.errors.csv")
    assert [(e["row"], e["column"]) for e in errors] == [("7", "size_deviation_cm"), ("7", "item_resaleable"),
                                                         ("8", "scenario")], "every error of a row"
    assert "不清楚" in errors[1]["reason"] and "no keyword" in errors[2]["reason"]


def test_the_ozon_export_replays_with_its_mapping(tmp_path, capsys):
    out = tmp_path / "ozon-results.csv"
    code, stdout, stderr = run(capsys, str(EXAMPLES / "ozon-export.csv"), "--map",
                               str(EXAMPLES / "ozon-mapping.yaml"), "--out", str(out))
    assert code == 1 and "4 rows: 3 decided, 1 refused" in stdout, stdout + stderr
    results = {r["id"]: r for r in rows_of(out)}
    assert {k: (r["scenario"], r["outcome"]) for k, r in results.items()} == {
        "87654321-0001-1": ("size_mismatch", "refund_seller_pays"),
        "87654321-0002-1": ("size_mismatch", "exchange_buyer_pays"),
        "87654321-0003-1": ("change_of_mind", "accept_return"),
    }
    first = results["87654321-0001-1"]
    assert (first["order_value"], first["currency"], first["complaint_received_at"], first["Склад"]) == \
        ("2490.00", "RUB", "2026-01-13T14:03:00+03:00", "Хоругвино")
    # 2 490 + 250 (the return the seller paid) + 3 100, in roubles only
    assert "RUB: 5,840.00 ₽ in all" in stdout and "CNY" not in stdout
    (error,) = rows_of(tmp_path / "ozon-results.errors.csv")
    assert (error["row"], error["column"]) == ("5", "size_deviation_cm")


# ---- the mapping file: located errors like every other YAML a lead writes -----------------------

def test_mapping_mistakes_are_reported_at_their_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("mapping: broken\nplatfrom: taobao\ncolumns:\n  金额: order_valu\nvalues:\n  curency: {RMB: CNY}\n"
                   "dates:\n  delivered_on: ['%Y/%m/%d', 'yyyy-mm-dd']\ntimezone: Asia/Shangai\n", encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_mapping(bad, set(load_library().playbook("size_mismatch").inputs))
    shown = [str(p) for p in caught.value.problems]
    assert any(":2:1: unknown key 'platfrom' (did you mean 'platform'?)" in s for s in shown), shown
    fixed = bad.read_text(encoding="utf-8").replace("platfrom", "platform")
    bad.write_text(fixed, encoding="utf-8")
    with pytest.raises(PlaybookError) as caught:
        load_mapping(bad, set(load_library().playbook("size_mismatch").inputs))
    shown = "\n".join(str(p) for p in caught.value.problems)
    assert "bad.yaml:4:7: 'order_valu' is not a fact replay knows (did you mean 'order_value'?)" in shown
    assert "bad.yaml:6:3: values for 'curency'" in shown and "bad.yaml:8:" in shown and "yyyy-mm-dd" in shown
    assert "bad.yaml:9:11: unknown time zone 'Asia/Shangai' (did you mean 'Asia/Shanghai'?)" in shown


def test_a_bad_mapping_is_exit_2_with_every_problem(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("mapping: x\ncolumns: {a: nope}\nreasons:\n  - column: r\n    rules:\n"
                   "      - keywords: {zh: [尺码]}\n        set: {scenaro: size_mismatch}\n", encoding="utf-8")
    code, _, err = run(capsys, str(EXAMPLES / "taobao-export.csv"), "--map", str(bad))
    assert code == 2 and "bad.yaml:2:" in err and "bad.yaml:7:" in err and "(did you mean 'scenario'?)" in err
    assert "Traceback" not in err


# ---- cells -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, expected", [
    ("¥89.00", ("89.00", "CNY")), ("89,00 ₽", ("89.00", "RUB")), ("$12.50", ("12.50", "USD")),
    ("1 234,50 ₽", ("1234.50", "RUB")), ("1,234.50", ("1234.50", None)), ("1.234,50 €", ("1234.50", "EUR")),
    ("89元", ("89", "CNY")), ("1,234,567", ("1234567", None)), ("abc", None), ("1,2,3", None),
])
def test_money_cells_parse_to_numbers(cell, expected):
    assert parse_money(cell) == expected


def test_dates_by_pattern_with_a_time_zone_for_naive_times():
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    assert parse_date("2026/01/12 14:03", ["%Y/%m/%d %H:%M"], shanghai, "datetime") == "2026-01-12T14:03:00+08:00"
    assert parse_date("2026/01/12 14:03", ["%Y/%m/%d %H:%M"], shanghai, "date") == "2026-01-12"
    assert parse_date("2026-01-12T14:03:00+00:00", [], shanghai, "datetime") == "2026-01-12T14:03:00+00:00"
    assert parse_date("12 Jan", ["%Y/%m/%d"], None, "date") is None


# ---- without a mapping ----------------------------------------------------------------------------

HEADER = "id,order_value,currency,delivered_on,evidence_provided,category,size_deviation_cm,customer_preference," \
         "item_resaleable,note"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_extra_columns_pass_through_and_rmb_is_yuan_never_roubles(tmp_path):
    source = write(tmp_path / "c.csv", [HEADER, "1,¥129.00,RMB,2026-01-12,是,apparel,3.5,exchange,true,call back",
                                        "2,129,RMD,2026-01-12,true,apparel,3.5,exchange,true,"])
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.decided, report.errors, report.passed_through) == (1, 1, ["note"])
    (row,) = rows_of(tmp_path / "r.csv")
    assert (row["currency"], row["order_value"], row["evidence_provided"], row["note"]) == \
        ("CNY", "129.00", "true", "call back")
    (error,) = rows_of(tmp_path / "r.errors.csv")
    assert error["column"] == "currency" and "did you mean" not in error["reason"] and "人民币" in error["reason"]


def test_every_error_of_a_row_is_reported(tmp_path):
    source = write(tmp_path / "c.csv", [HEADER, "1,abc,XXX,2026-13-45,maybe,hat,-1,later,perhaps,"])
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.rows, report.errors) == (1, 1)
    columns = [e["column"] for e in rows_of(tmp_path / "r.errors.csv")]
    assert set(columns) >= {"order_value", "currency", "delivered_on", "evidence_provided", "category",
                            "size_deviation_cm", "customer_preference", "item_resaleable"}, columns
    assert len(columns) == len(set(columns)), "one line per column"


def test_a_run_that_refuses_every_row_exits_1_with_a_summary(tmp_path, capsys):
    source = write(tmp_path / "c.csv", [HEADER] + [f"{n},129,CNY,2026-01-12,maybe,apparel,3.5,exchange,true,"
                                                   for n in range(5)])
    code, stdout, err = run(capsys, str(source), "--scenario", "size_mismatch", "--platform", "taobao")
    assert code == 1 and "5 rows: 0 decided, 5 refused" in stdout
    assert "all 5 row(s) were refused, nothing was decided" in err and "evidence_provided: 5" in err


def test_without_as_of_each_row_is_decided_as_of_its_own_dates(tmp_path):
    """17 in-window returns were rejected when every row was decided as of one fixed day."""
    source = write(tmp_path / "c.csv", [HEADER, "1,129,CNY,2026-03-02,true,apparel,3.5,exchange,true,",
                                        "2,129,CNY,2025-11-20,true,apparel,3.5,exchange,true,"])
    replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    moments = {r["id"]: (r["decided_as_of"], r["as_of_from"]) for r in rows_of(tmp_path / "r.csv")}
    assert moments == {"1": ("2026-03-02T12:00:00+00:00", "derived: delivered_on"),
                       "2": ("2025-11-20T12:00:00+00:00", "derived: delivered_on")}


def test_as_of_from_a_named_column_with_its_own_format(tmp_path):
    mapping = write(tmp_path / "m.yaml", ["mapping: m", "scenario: size_mismatch", "platform: taobao",
                                          "timezone: UTC+08:00", "as_of: {column: 处理时间}",
                                          "dates: {as_of: ['%Y/%m/%d %H:%M']}"])
    source = write(tmp_path / "c.csv", [HEADER + ",处理时间", "1,129,CNY,2026-01-12,true,apparel,3.5,exchange,true,,"
                                        "2026/01/14 10:30", "2,129,CNY,2026-01-12,true,apparel,3.5,exchange,true,,"
                                        "14 Jan"])
    report = replay(source, out=tmp_path / "r.csv", mapping=mapping)
    assert (report.decided, report.errors) == (1, 1)
    (row,) = rows_of(tmp_path / "r.csv")
    assert (row["decided_as_of"], row["as_of_from"], row["处理时间"]) == \
        ("2026-01-14T10:30:00+08:00", "column 处理时间", "2026/01/14 10:30")
    (error,) = rows_of(tmp_path / "r.errors.csv")
    assert error["column"] == "处理时间" and "14 Jan" in error["reason"]


def test_a_mixed_export_takes_scenario_and_platform_from_columns(tmp_path, capsys):
    source = write(tmp_path / "c.csv", [
        "scenario,platform," + HEADER,
        "size_mismatch,taobao,1,129,CNY,2026-01-12,true,apparel,3.5,exchange,true,",
        "change_of_mind,ozon,2,2490,RUB,2026-01-12,true,apparel,,refund,true,",
        "size_mismatch,ozno,3,129,CNY,2026-01-12,true,apparel,3.5,exchange,true,",
    ])
    code, stdout, _ = run(capsys, str(source), "--out", str(tmp_path / "r.csv"))
    assert code == 1 and "3 rows: 2 decided, 1 refused" in stdout
    assert {r["id"]: r["platform"] for r in rows_of(tmp_path / "r.csv")} == {"1": "taobao", "2": "ozon"}
    (error,) = rows_of(tmp_path / "r.errors.csv")
    assert error["column"] == "platform" and "ozon" in error["reason"]
    # per currency, never one sum of yuan and roubles
    assert "CNY: CN¥0.00 in all" in stdout and "RUB: 2,490.00 ₽ in all" in stdout


def test_reason_keywords_that_disagree_are_that_rows_problem(tmp_path):
    mapping = write(tmp_path / "m.yaml", [
        "mapping: m", "platform: taobao",
        "reasons:", "  - column: reason", "    rules:",
        "      - keywords: {en: [size], zh: [尺码]}", "        set: {scenario: size_mismatch}",
        "      - keywords: {en: [changed my mind], ru: [передумал]}", "        set: {scenario: change_of_mind}"])
    source = write(tmp_path / "c.csv", [HEADER + ",reason",
                                        "1,129,CNY,2026-01-12,true,apparel,3.5,exchange,true,,Wrong SIZE",
                                        "2,129,CNY,2026-01-12,true,apparel,3.5,exchange,true,,size? changed my mind"])
    report = replay(source, out=tmp_path / "r.csv", mapping=mapping)
    assert (report.decided, report.errors) == (1, 1)
    error, consequence = rows_of(tmp_path / "r.errors.csv")
    assert error["column"] == "reason" and "disagree" in error["reason"] and "'size' → scenario=size_mismatch" in \
        error["reason"] and "'changed my mind' → scenario=change_of_mind" in error["reason"]
    assert (consequence["row"], consequence["column"]) == ("3", "scenario")


def test_docs_replay_shows_the_real_output_of_the_worked_example(tmp_path, capsys):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "replay.md").read_text(encoding="utf-8")
    command = "$ .venv/bin/aftersales replay examples/taobao-export.csv --map examples/taobao-mapping.yaml " \
              "--out results.csv\n"
    shown = doc.split(command, 1)[1].split("```", 1)[0].strip()
    _, stdout, _ = run(capsys, str(EXAMPLES / "taobao-export.csv"), "--map", str(EXAMPLES / "taobao-mapping.yaml"),
                       "--out", str(tmp_path / "results.csv"))
    shown = shown.replace("(examples/taobao-mapping.yaml)", f"({EXAMPLES / 'taobao-mapping.yaml'})")
    assert stdout.strip() == shown.replace("\xa0", " ")
    for name in ("taobao-export.csv", "taobao-mapping.yaml", "ozon-export.csv", "ozon-mapping.yaml"):
        assert (EXAMPLES / name).read_text(encoding="utf-8").strip() in doc, f"docs/replay.md shows {name} as shipped"


def test_a_mapped_export_is_recorded_with_its_own_case_ids(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AFTERSALES_ARCHIVE", str(tmp_path / "archive"))
    log = tmp_path / "log.jsonl"
    code, _, err = run(capsys, str(EXAMPLES / "taobao-export.csv"), "--map", str(EXAMPLES / "taobao-mapping.yaml"),
                       "--out", str(tmp_path / "r.csv"), "--record", "--case-log", str(log))
    assert code == 1 and "recorded 5 case(s)" in err
    import json

    records = sorted((r["case_id"], r["order_id"], r["outcome"]) for r in
                     map(json.loads, log.read_text(encoding="utf-8").splitlines()))
    assert records[0] == ("TK-0001", "3901234567890001", "exchange_seller_pays") and len(records) == 5


def test_an_exports_own_outcome_column_is_kept_beside_replays(tmp_path):
    source = write(tmp_path / "c.csv", ["outcome," + HEADER, "refunded,1,129,CNY,2026-01-12,true,apparel,3.5,exchange,"
                                        "true,"])
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    (row,) = rows_of(tmp_path / "r.csv")
    assert (row["outcome (export)"], row["outcome"]) == ("refunded", "exchange_seller_pays")
    assert report.passed_through == ["outcome (export)", "note"]


def test_the_past_cases_example_needs_no_scenario_or_platform(tmp_path, capsys):
    code, stdout, err = run(capsys, str(EXAMPLES / "past-cases.csv"), "--out", str(tmp_path / "r.csv"))
    assert code == 0, err
    assert "decided as of: the as_of column" in stdout
    assert {r["scenario"] for r in rows_of(tmp_path / "r.csv")} >= {"size_mismatch"}
