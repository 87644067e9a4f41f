"""The daily follow-up list on a generated store: the right cases, owners, steps and messages."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from aftersales.cases.due import due_cases, due_csv, due_json, due_table, follow_up_message
from aftersales.cases.life import OPEN_STATUSES
from aftersales.cases.store import CaseStore

from . import LANGS, synthetic_record

DAY = date(2026, 1, 20)
STATUS_CYCLE = ("open", "waiting_customer", "return_in_transit", "repair_in_progress", "resolved", "closed")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _store(tmp_path, n: int = 240) -> tuple[CaseStore, dict[str, tuple[str, datetime, str, str]]]:
    """``n`` cases due from 5 days before DAY to 4 days after it, in every status and language."""
    store = CaseStore(f"sqlite:///{tmp_path / 'c.db'}")
    truth = {}
    records = []
    for i in range(n):
        due = datetime(2026, 1, 15, 6, tzinfo=timezone.utc) + timedelta(hours=11 * i % (24 * 9))
        saved = due - timedelta(hours=24)
        record = synthetic_record(i, saved_at=saved, lang=LANGS[(i // 6) % 3], deadlines=[
            {"name": "reply", "due": due.isoformat(), "overdue": False, "rule": "r", "source": "s"},
            {"name": "refund", "due": (due + timedelta(days=10)).astimezone(timezone(timedelta(hours=8))).isoformat(),
             "overdue": False, "rule": "r", "source": "s"}])
        records.append(record)
        truth[record["case_id"]] = (STATUS_CYCLE[i % 6], due, record["who"], record["lang"])
    store.import_records(records)
    for case_id, (status, _due, _who, _lang) in truth.items():
        path = {"resolved": ["resolved"], "closed": ["resolved", "closed"]}.get(status, [] if status == "open" else [status])
        for step in path:
            store.set_status(case_id, step, who="lead", satisfaction=4 if step == "closed" else None)
    return store, truth


def test_the_list_holds_the_open_cases_overdue_or_due_that_day_by_owner(tmp_path):
    store, truth = _store(tmp_path)
    with store:
        lines = due_cases(store, DAY)
        end = datetime(2026, 1, 21, tzinfo=timezone.utc)
        expected = {cid for cid, (status, due, _w, _l) in truth.items() if status in OPEN_STATUSES and due < end}
        assert {line.case_id for line in lines} == expected and len(lines) == len(expected) > 50
        start = datetime(2026, 1, 20, tzinfo=timezone.utc)
        for line in lines:
            status, due, who, lang = truth[line.case_id]
            assert (line.status, line.due_at, line.owner, line.customer_lang) == (status, due, who, lang)
            assert line.overdue == (due < start)
        owners = [line.owner for line in lines]
        assert owners == sorted(owners)  # grouped by owner
        assert {line.case_id for line in due_cases(store, DAY, owner="bo")} == {
            cid for cid in expected if truth[cid][2] == "bo"}


def test_the_sqlite_driver_read_gives_the_rows_sqlalchemy_gives(tmp_path, monkeypatch):
    """``due_rows`` reads SQLite on the driver's cursor (for speed); any other database goes
    through SQLAlchemy. Both must give the same rows, types and order, the index must exist."""
    store, _truth = _store(tmp_path)
    with store:
        end = datetime(2026, 1, 21, tzinfo=timezone.utc)
        for owner in (None, "bo"):
            fast = store.due_rows(end, owner)
            monkeypatch.setattr(store, "dialect", "portable")
            slow = [tuple(row) for row in store.due_rows(end, owner)]
            monkeypatch.setattr(store, "dialect", "sqlite")
            assert fast == slow and len(fast) > 10
            assert all(row[8].tzinfo is timezone.utc and isinstance(row[9], (date, type(None))) for row in fast)
        with store.connection() as conn:
            indexes = {row[1] for row in conn.exec_driver_sql("PRAGMA index_list('cases')")}
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT case_id, order_id, scenario, platform, customer_lang, customer_name, "
                "owner, status, due_at, expected_on FROM cases WHERE due_at < '2026-01-21' AND status IN "
                "('open', 'waiting_customer') ORDER BY owner, due_at, case_id"))
    assert "ix_cases_follow_up" in indexes and "COVERING INDEX ix_cases_follow_up" in plan, plan


def test_every_message_is_in_the_customers_language_with_no_none_no_id_and_no_iso_date(tmp_path):
    store, truth = _store(tmp_path)
    with store:
        lines = due_cases(store, DAY)
    seen = set()
    for line in lines:
        text = line.message
        assert "None" not in text and "{" not in text
        assert line.case_id not in text and (line.order_id or "§") not in text and "_" not in text
        assert not ISO.search(text), text
        assert "Kim" in text  # the customer's name
        if line.customer_lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{4,}", text.replace("Kim", ""))
        elif line.customer_lang == "ru":
            assert re.search(r"[а-яА-Я]", text) and not re.search(r"[\u4e00-\u9fff]", text)
        else:
            assert text.startswith("Hello") and not re.search(r"[а-яА-Я\u4e00-\u9fff]", text)
        seen.add((line.status, line.customer_lang))
    assert seen == {(s, lang) for s in OPEN_STATUSES for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_the_expected_day_is_said_the_customers_way_and_never_when_it_passed(status, lang):
    with_day = follow_up_message(status, lang, expected_on=date(2026, 2, 3), today=DAY)
    day = {"en": "3 Feb 2026", "zh": "2026年2月3日", "ru": "03.02.2026"}[lang]
    assert day in with_day and not ISO.search(with_day)
    passed = follow_up_message(status, lang, expected_on=date(2026, 1, 3), today=DAY)
    assert "2026" not in passed and passed == follow_up_message(status, lang)
    if status == "repair_in_progress" and lang == "en":
        assert "your repair is in progress, expected to be finished by 3 Feb 2026" in with_day


def test_csv_and_json_parse_back_to_the_same_cases(tmp_path):
    store, _truth = _store(tmp_path, 60)
    with store:
        lines = due_cases(store, DAY)
    rows = list(csv.DictReader(io.StringIO(due_csv(lines))))
    assert [r["case_id"] for r in rows] == [line.case_id for line in lines]
    assert all(datetime.fromisoformat(r["due_at"]) == line.due_at for r, line in zip(rows, lines, strict=True))
    data = json.loads(due_json(lines, DAY))
    assert data["date"] == "2026-01-20" and data["count"] == len(lines)
    assert [c["case_id"] for group in data["owners"] for c in group["cases"]] == [line.case_id for line in lines]
    assert [group["owner"] for group in data["owners"]] == sorted({line.owner for line in lines})


@pytest.mark.parametrize("lang", LANGS)
def test_the_table_names_owners_steps_and_dates_in_the_teams_language(tmp_path, lang):
    store, _truth = _store(tmp_path, 30)
    with store:
        lines = due_cases(store, DAY, team_lang=lang)
    table = due_table(lines, DAY, lang)
    assert "None" not in table and not ISO.search(table)
    assert all(f"== {owner}" in table for owner in {line.owner for line in lines})
    assert due_table([], DAY, lang) and "2026" in due_table([], DAY, lang)


def test_a_follow_up_moves_the_case_to_tomorrows_list(tmp_path):
    store, _truth = _store(tmp_path, 30)
    with store:
        first = due_cases(store, DAY)[0]
        store.record_contact(first.case_id, who="ana", note="called", follow_up=True,
                             at=datetime(2026, 1, 20, 10, tzinfo=timezone.utc))
        assert first.case_id not in {line.case_id for line in due_cases(store, DAY)}
        assert first.case_id in {line.case_id for line in due_cases(store, DAY + timedelta(days=1))}
        [event] = store.events(first.case_id, kind="follow_up")
        assert (event.who, event.data["note"]) == ("ana", "called")


@pytest.mark.parametrize("platform", ["taobao", "amazon", "amazon_de", "ozon", "generic"])
def test_every_follow_up_message_passes_the_message_checker(platform):
    """The project's own checker (forbidden promises, pressure, platform rules) finds nothing."""
    from aftersales.compliance.checker import check_message

    for status in OPEN_STATUSES:
        for lang in LANGS:
            for expected in (date(2026, 2, 1), None):
                text = follow_up_message(status, lang, customer_name="Li Na", expected_on=expected, today=DAY)
                assert check_message(text, platform, lang, "general") == [], (status, lang, text)
