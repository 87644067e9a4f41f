"""Issue 13, ``replay``: one bad row is a reported row (with its line, column and reason), never an
abort; the encoding is detected (UTF-8 with or without BOM, else GB18030) or refused in one line;
trailing commas shift nothing; a run that stops part-way says so in the summary and the errors file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from aftersales import replay as replay_module
from aftersales.cli import main
from aftersales.errors import AftersalesError, InputError
from aftersales.limits import MAX_CSV_CELL_CHARS
from aftersales.replay import parse_cell, replay

HEADER = "id,order_value,currency,delivered_on,evidence_provided,category,size_deviation_cm,customer_preference,as_of"
GOOD = "{id},129,CNY,2026-01-12,true,apparel,3.5,exchange,"
OLD = "{id},129,CNY,1995-01-12,true,apparel,3.5,exchange,1995-01-20T00:00:00+00:00"


def write(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(newline.join(lines + [""]).encode(encoding))
    return path


def errors_of(out: Path) -> list[dict[str, str]]:
    path = out.with_name(out.stem + ".errors.csv")
    return list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []


def results_of(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(out.open(encoding="utf-8"))) if out.exists() else []


def test_an_as_of_before_the_platforms_rules_is_one_refused_row_not_an_abort(tmp_path) -> None:
    source = write(tmp_path / "cases.csv", [HEADER, GOOD.format(id=1), OLD.format(id=2), GOOD.format(id=3)])
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.rows, report.decided, report.errors, report.partial) == (3, 2, 1, None)
    (error,) = errors_of(tmp_path / "r.csv")
    assert (error["row"], error["column"]) == ("3", "as_of") and "2000-01-01 or later" in error["reason"]
    assert [r["id"] for r in results_of(tmp_path / "r.csv")] == ["1", "3"]


def test_ragged_rows_are_reported_as_ragged_and_the_rest_decided(tmp_path) -> None:
    lines = [HEADER, GOOD.format(id=1), "2,129,CNY", GOOD.format(id=3) + ",surplus", GOOD.format(id=4)]
    report = replay(write(tmp_path / "cases.csv", lines), "size_mismatch", "taobao", out=tmp_path / "r.csv",
                    chunk_rows=2)
    assert (report.rows, report.decided, report.errors) == (4, 2, 2)
    errors = errors_of(tmp_path / "r.csv")
    assert [(e["row"], e["column"]) for e in errors] == [("3", "(row)"), ("4", "(row)")]
    assert all("ragged row" in e["reason"] for e in errors) and "beyond the last column" in errors[1]["reason"]


@pytest.mark.parametrize("header_comma", [True, False], ids=["header-too", "rows-only"])
def test_a_trailing_comma_on_every_line_shifts_nothing(tmp_path, header_comma) -> None:
    lines = [HEADER + ("," if header_comma else "")] + [GOOD.format(id=n) + "," for n in (1, 2)]
    report = replay(write(tmp_path / "cases.csv", lines), "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.rows, report.decided, report.errors) == (2, 2, 0)
    assert {r["outcome"] for r in results_of(tmp_path / "r.csv")} == {"exchange_seller_pays"}


@pytest.mark.parametrize("encoding, prefix", [("gbk", b""), ("gb18030", b""), ("utf-8", b"\xef\xbb\xbf"),
                                              ("utf-8", b"")], ids=["gbk", "gb18030", "utf8-bom", "utf8"])
def test_the_encoding_is_detected(tmp_path, encoding, prefix) -> None:
    lines = ["id,customer_name," + HEADER.split(",", 1)[1], "1,李女士," + GOOD.format(id=1).split(",", 1)[1]]
    source = tmp_path / "cases.csv"
    source.write_bytes(prefix + "\r\n".join(lines + [""]).encode(encoding))
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.decided, report.errors) == (1, 0)
    (row,) = results_of(tmp_path / "r.csv")
    assert row["id"] == "1" and row["customer_name"] == "李女士"


def test_a_gbk_name_after_a_megabyte_of_ascii_is_still_read_as_gb18030(tmp_path) -> None:
    lines = [HEADER.replace("id,", "id,customer_name,", 1)]
    lines += [f"{n},Ann," + GOOD.format(id=n).split(",", 1)[1] for n in range(20_000)]
    lines.append("x,李女士," + GOOD.format(id="x").split(",", 1)[1])
    source = write(tmp_path / "cases.csv", lines, encoding="gbk")
    assert source.stat().st_size > 1 << 20
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.rows, report.errors, report.encoding) == (20_001, 0, "gb18030")


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"id,order_value\n1,\xff\xfe\xfd\n"],
                         ids=["binary", "neither-utf8-nor-gb18030"])
def test_binary_or_unknown_encoding_is_one_line_and_exit_2(tmp_path, capsys, data) -> None:
    source = tmp_path / "cases.csv"
    source.write_bytes(data)
    code = main(["replay", str(source), "--scenario", "size_mismatch", "--platform", "taobao",
                 "--out", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "UTF-8" in err and not (tmp_path / "r.csv").exists()
    with pytest.raises(InputError):
        replay(source, "size_mismatch", "taobao")


def test_an_overlong_cell_a_huge_number_and_deep_json_are_refused_rows(tmp_path) -> None:
    lines = [HEADER, GOOD.format(id=1),
             "2,129,CNY,2026-01-12,true,apparel,3.5,exchange," + "x" * (MAX_CSV_CELL_CHARS + 1),
             "3," + "9" * 5000 + ",CNY,2026-01-12,true,apparel,3.5,exchange,",
             '4,"' + "[" * 5000 + '",CNY,2026-01-12,true,apparel,3.5,exchange,',
             "5,1e999,CNY,2026-01-12,true,apparel,3.5,exchange,"]
    report = replay(write(tmp_path / "cases.csv", lines), "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.rows, report.decided, report.errors) == (5, 1, 4)
    errors = {e["row"]: e for e in errors_of(tmp_path / "r.csv")}
    assert errors["3"]["column"] == "as_of" and "too long" in errors["3"]["reason"]
    assert errors["4"]["column"] == "order_value" and "5000 digits" in errors["4"]["reason"]
    assert errors["5"]["column"] == "order_value" and errors["6"]["column"] == "order_value"


def test_a_line_the_csv_reader_cannot_parse_is_a_refused_row(tmp_path) -> None:
    lines = [HEADER, GOOD.format(id=1), '2,"' + "x" * 200_000 + '",CNY', GOOD.format(id=3)]
    report = replay(write(tmp_path / "cases.csv", lines), "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert report.decided == 2 and report.errors >= 1 and report.partial is None
    assert {r["id"] for r in results_of(tmp_path / "r.csv")} == {"1", "3"}


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path) -> None:
    """A quoted cell over two lines is one row; blank lines are skipped (as read_csv did before)."""
    lines = [HEADER.replace("id,", "id,customer_name,", 1),
             '1,"Ann\nSmith",' + GOOD.format(id=1).split(",", 1)[1], "",
             "2,Bob,129,CNY,2026-01-12,maybe,apparel,3.5,exchange,"]
    report = replay(write(tmp_path / "cases.csv", lines), "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.rows, report.decided) == (2, 1)
    assert [(e["row"], e["column"]) for e in errors_of(tmp_path / "r.csv")] == [("3", "evidence_provided")]


@pytest.mark.parametrize("lines, message", [
    ([], "empty"), (["id,id,order_value"], "more than once"), (["id,,order_value"], "no name"),
    (['id,"order_value', '"'], "'order_value\\n'"), (['"' + "x" * 200_000 + '"'], "header line"),
], ids=["empty", "twice", "unnamed", "newline-in-name", "unreadable"])
def test_a_bad_header_is_one_line_before_any_row(tmp_path, capsys, lines, message) -> None:
    source = write(tmp_path / "cases.csv", lines + [GOOD.format(id=1)] if lines else [])
    if not lines:
        source.write_bytes(b"")
    code = main(["replay", str(source), "--scenario", "size_mismatch", "--platform", "taobao"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_run_that_stops_part_way_says_it_is_partial(tmp_path, capsys, monkeypatch) -> None:
    source = write(tmp_path / "cases.csv", [HEADER] + [GOOD.format(id=n) for n in range(6)])
    real = replay_module._run_chunk
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(replay_module, "_run_chunk", failing)
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv", chunk_rows=2)
    assert report.partial and "No space left on device" in report.partial and report.rows == 2
    marker = errors_of(tmp_path / "r.csv")[-1]
    assert marker["column"] == "(run)" and marker["reason"].startswith("PARTIAL RUN")
    calls[:] = [1]  # the command's one chunk fails
    code = main(["replay", str(source), "--scenario", "size_mismatch", "--platform", "taobao",
                 "--out", str(tmp_path / "r2.csv")])
    out, err = capsys.readouterr()
    assert code == 2 and "PARTIAL RUN" in out and "partial run" in err and "Traceback" not in err


def test_a_row_error_other_than_a_fact_error_is_a_refused_row(tmp_path, monkeypatch) -> None:
    import aftersales.engine as engine

    original = engine.decide

    def decide(playbook, facts, *args, **kwargs):  # a condition failing on one row's facts
        if facts.get("delivered_on") == "1995-01-12":
            raise AftersalesError("a condition failed")
        return original(playbook, facts, *args, **kwargs)

    monkeypatch.setattr(engine, "decide", decide)
    source = write(tmp_path / "cases.csv", [HEADER, GOOD.format(id=1), OLD.format(id=2)])
    report = replay(source, "size_mismatch", "taobao", out=tmp_path / "r.csv")
    assert (report.decided, report.errors) == (1, 1)
    (error,) = errors_of(tmp_path / "r.csv")
    assert error["column"] == "(row)" and "a condition failed" in error["reason"]


def test_parse_cell_never_recurses_or_converts_huge_numbers() -> None:
    assert parse_cell("[" * 10_000, "number") == "[" * 10_000
    assert repr(parse_cell("9" * 5000, "money")) == "<a number of 5000 digits>"
    assert parse_cell("129", "money") == 129 and parse_cell("20260112042", "text") == "20260112042"
