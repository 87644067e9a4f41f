"""The case log: one whole JSON line per saved case, never interleaved, torn tails skipped."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from aftersales.caselog import append_case, default_case_log, read_cases
from aftersales.errors import AftersalesError


def test_records_come_back_in_the_order_they_were_saved(tmp_path):
    log = tmp_path / "log.jsonl"
    for n in range(3):
        append_case({"case_id": str(n), "message": "你好\nпривет"}, log)
    assert [r["case_id"] for r in read_cases(log)] == ["0", "1", "2"]
    assert log.read_text(encoding="utf-8").count("\n") == 3, "one line per record, newlines escaped"


def test_a_torn_last_line_from_a_crash_is_skipped_and_earlier_records_survive(tmp_path):
    log = tmp_path / "log.jsonl"
    append_case({"case_id": "a"}, log)
    with log.open("a", encoding="utf-8") as handle:
        handle.write('{"case_id": "b", "fac')
    assert [r["case_id"] for r in read_cases(log)] == ["a"]


def test_a_broken_line_in_the_middle_is_reported_with_its_line_number(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"case_id": "a"}\nnot json\n{"case_id": "c"}\n', encoding="utf-8")
    with pytest.raises(AftersalesError, match=r"log.jsonl:2: not a case record"):
        list(read_cases(log))


def test_the_log_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AFTERSALES_CASE_LOG", str(tmp_path / "x.jsonl"))
    assert default_case_log() == tmp_path / "x.jsonl"
    monkeypatch.delenv("AFTERSALES_CASE_LOG")
    assert default_case_log().name == "case-log.jsonl"


def _append_many(args):
    path, worker = args
    for n in range(50):
        append_case({"case_id": f"{worker}-{n}", "text": "x" * 2000}, path)


def test_agents_saving_at_the_same_time_never_mix_their_lines(tmp_path):
    log = tmp_path / "log.jsonl"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_append_many, [(str(log), worker) for worker in range(8)])
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert len({json.loads(line)["case_id"] for line in lines}) == 400
