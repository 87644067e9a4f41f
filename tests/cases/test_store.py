"""The case store: settings, one transaction per change, concurrent agents, the case-log import."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import pytest

from aftersales.cases.store import CaseStore, decision_uid, default_cases_url
from aftersales.errors import AftersalesError

from . import real_records, synthetic_record

WRITERS, EVENTS_EACH = 16, 500


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty case store: a SQLite file, or a new database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.db'}"
    return str(request.getfixturevalue("postgres_server").new_database())


def test_the_url_comes_from_the_settings_in_order(monkeypatch, tmp_path):
    monkeypatch.delenv("AFTERSALES_DB_URL", raising=False)
    monkeypatch.setenv("AFTERSALES_CASES_DB", str(tmp_path / "mine.db"))
    assert default_cases_url() == f"sqlite:///{tmp_path / 'mine.db'}"
    monkeypatch.setenv("AFTERSALES_DB_URL", "postgresql://u:secret@db:5432/team")
    assert default_cases_url() == "postgresql://u:secret@db:5432/team"
    monkeypatch.delenv("AFTERSALES_DB_URL")
    monkeypatch.delenv("AFTERSALES_CASES_DB")
    assert default_cases_url().endswith("/.aftersales/cases.db")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://u:secret@h/db", "not a url"])
def test_a_bad_or_losing_url_is_refused_with_the_password_hidden(url):
    with pytest.raises(AftersalesError) as raised:
        CaseStore(url)
    assert "case store" in str(raised.value) and "secret" not in str(raised.value)


def test_a_decision_makes_a_case_and_its_event_in_one_go(tmp_path):
    record = synthetic_record(1)
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        assert store.record_decision(record) is True
        assert store.record_decision(record) is False  # the same record again adds nothing
        case = store.get(record["case_id"])
        assert case is not None and case.status == "open" and case.owner == record["who"]
        assert case.customer_lang == record["lang"] and case.customer_name == "Kim 1"
        assert case.due_at is not None and case.due_at.isoformat() == record["deadlines"][0]["due"]
        assert case.decision == record
        [event] = store.events(record["case_id"])
        assert (event.kind, event.who, event.data, event.uid) == ("decision", record["who"], record, decision_uid(record))
        assert store.of_order(record["order_id"]) == [case]
        assert store.get("nope") is None


def test_a_newer_decision_of_a_case_keeps_its_status_and_owner(tmp_path):
    first = synthetic_record(1)
    again = {**synthetic_record(1), "saved_at": "2026-01-12T08:00:00+00:00", "outcome": "refund"}
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.record_decision(first)
        store.set_owner(first["case_id"], "zoe", who="lead")
        store.set_status(first["case_id"], "waiting_customer", who="zoe")
        store.record_decision(again)
        case = store.get(first["case_id"])
        assert case is not None
        assert (case.status, case.owner, case.decision["outcome"]) == ("waiting_customer", "zoe", "refund")
        assert [e.kind for e in store.events(first["case_id"])] == ["decision", "owner", "status", "decision"]


def test_an_override_is_its_own_event_beside_the_decision(tmp_path):
    record = {**synthetic_record(2), "override": {"outcome": "refund", "resolution": "refund", "reason": "VIP"}}
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.record_decision(record)
        decision, override = store.events(record["case_id"])
        assert (decision.kind, decision.data) == ("decision", record)  # the whole record, override and all
        assert (override.kind, override.data["override"]) == ("override", record["override"])


def test_changes_to_an_unknown_case_are_refused(tmp_path):
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        with pytest.raises(AftersalesError, match="unknown case 'ghost'"):
            store.add_note("ghost", "hello")


def _hammer(url: str, writer: int, case_ids: list[str], errors: list[BaseException]) -> None:
    try:
        with CaseStore(url) as store:
            for i in range(EVENTS_EACH):
                case_id = case_ids[(writer + i) % len(case_ids)]
                if i % 2:
                    store.add_note(case_id, f"w{writer}-e{i}", who=f"agent{writer}")
                else:
                    store.record_contact(case_id, who=f"agent{writer}", note=f"w{writer}-e{i}", follow_up=i % 4 == 0)
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_16_agents_write_500_events_each_and_none_is_lost_or_doubled(db_url):
    """Sixteen agents (threads, each its own CaseStore) on eight shared cases: every event is there
    once, in its own transaction with the case row (the follow-ups moved the due dates)."""
    records = [synthetic_record(n) for n in range(8)]
    with CaseStore(db_url) as store:
        assert store.import_records(records) == 8
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_hammer, args=(db_url, w, [r["case_id"] for r in records], errors))
               for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with CaseStore(db_url) as store:
        events = [e for e in store.events() if e.kind != "decision"]
        notes = Counter(e.data.get("text") or e.data.get("note") for e in events)
        assert len(events) == WRITERS * EVENTS_EACH
        assert set(notes.values()) == {1}
        assert set(notes) == {f"w{w}-e{i}" for w in range(WRITERS) for i in range(EVENTS_EACH)}
        assert len({e.id for e in events}) == len(events) and len({e.uid for e in events}) == len(events)
        follow_ups = [e for e in events if e.kind == "follow_up"]
        assert len(follow_ups) == WRITERS * EVENTS_EACH // 4
        for record in records:  # the case row moved with its last follow-up
            case = store.get(record["case_id"])
            assert case is not None and case.due_at is not None
            last = max((e.at for e in follow_ups if e.case_id == record["case_id"]))
            assert abs((case.due_at - last).total_seconds() - 86400) < 1


def test_agents_recording_the_same_decisions_at_once_add_each_once(db_url):
    records = [synthetic_record(n) for n in range(60)]
    errors: list[BaseException] = []

    def record_all() -> None:
        try:
            with CaseStore(db_url) as store:
                for record in records:
                    store.record_decision(record)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=record_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with CaseStore(db_url) as store:
        assert store.count() == 60
        assert len(store.events(kind="decision")) == 60


def test_the_case_log_imports_losslessly_and_twice_adds_nothing(tmp_path):
    from aftersales.caselog import append_cases, read_cases

    log = tmp_path / "log.jsonl"
    records = list(real_records())
    append_cases(records, log)
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        assert store.import_records(read_cases(log), batch=7) == len(records)
        assert store.import_records(read_cases(log)) == 0
        stored = list(store.decision_records())
        assert stored == list(read_cases(log))  # every field of every record, in order
        assert json.dumps(stored, sort_keys=True) == json.dumps(records, sort_keys=True, default=str)
        assert store.count() == len({r["case_id"] for r in records})
        for record in records:
            case = store.get(record["case_id"])
            assert case is not None and case.order_id == record["order_id"] and case.scenario == record["scenario"]
            assert case.customer_lang == record["lang"]
        orders = Counter(r["order_id"] for r in records)
        busiest = max(orders, key=lambda o: orders[o])
        assert [c.case_id for c in store.of_order(busiest)] == [r["case_id"] for r in records if r["order_id"] == busiest]
