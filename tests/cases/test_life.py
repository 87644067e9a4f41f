"""A case's life: the transitions allowed and refused, due dates from deadlines, the close."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from itertools import product

import pytest

from aftersales.cases import life
from aftersales.cases.store import CaseStore
from aftersales.errors import AftersalesError

from . import real_records, synthetic_record

ALLOWED = {
    ("open", "waiting_customer"), ("open", "return_in_transit"), ("open", "repair_in_progress"), ("open", "resolved"),
    ("waiting_customer", "open"), ("waiting_customer", "resolved"),
    ("return_in_transit", "open"), ("return_in_transit", "resolved"),
    ("repair_in_progress", "open"), ("repair_in_progress", "resolved"),
    ("resolved", "closed"),
}
PAIRS = list(product(life.STATUSES, life.STATUSES))


@pytest.mark.parametrize(("current", "new"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_each_move_is_allowed_or_refused_naming_the_allowed_ones(current, new):
    if (current, new) in ALLOWED:
        life.check_transition("C1", current, new)
        return
    with pytest.raises(life.TransitionError) as raised:
        life.check_transition("C1", current, new)
    text = str(raised.value)
    assert "C1" in text and current in text and new in text
    allowed = life.allowed_next(current)
    assert all(name in text for name in allowed) if allowed else "final" in text


def test_an_unknown_status_lists_the_statuses():
    with pytest.raises(life.TransitionError, match="the statuses are: open, waiting_customer"):
        life.check_transition("C1", "open", "lost")


@pytest.mark.parametrize(("given", "kept"), [(1, 1), ("5", 5), ("not-asked", "not_asked"), ("Not asked", "not_asked")])
def test_satisfaction_is_1_to_5_or_not_asked(given, kept):
    assert life.parse_satisfaction(given) == kept


@pytest.mark.parametrize("given", [0, 6, "great", True, 4.5, None])
def test_any_other_satisfaction_is_refused(given):
    with pytest.raises(AftersalesError, match="1 to 5"):
        life.parse_satisfaction(given)


DECIDED = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)


def _deadline(iso: str, overdue: bool = False) -> dict:
    return {"name": "x", "due": iso, "overdue": overdue, "rule": "r", "source": "s"}


@pytest.mark.parametrize(("deadlines", "due"), [
    # the earliest that is still open, in UTC (a deadline in the buyer's zone keeps its moment)
    ([_deadline("2026-01-18T00:00:00+08:00"), _deadline("2026-01-16T10:00:00+08:00")], "2026-01-16T02:00:00+00:00"),
    # an overdue one is passed over while another is open
    ([_deadline("2026-01-14T09:00:00+00:00", True), _deadline("2026-01-17T09:00:00+00:00")], "2026-01-17T09:00:00+00:00"),
    # every one passed: the earliest, so the case is overdue at once
    ([_deadline("2026-01-14T09:00:00+00:00", True), _deadline("2026-01-13T09:00:00+00:00", True)], "2026-01-13T09:00:00+00:00"),
    # none: follow up the next day (seed 001)
    ([], "2026-01-16T09:00:00+00:00"),
    ([{"name": "broken", "due": None}], "2026-01-16T09:00:00+00:00"),
])
def test_the_due_date_is_the_earliest_open_deadline(deadlines, due):
    assert life.due_from_deadlines(deadlines, DECIDED).isoformat() == due


def test_the_expected_day_is_the_last_deadline_in_the_buyers_zone():
    deadlines = [_deadline("2026-01-16T10:00:00+08:00"), _deadline("2026-01-22T00:00:00+08:00")]
    assert life.expected_from_deadlines(deadlines) == date(2026, 1, 21)  # a window closing at midnight: the day before
    assert life.expected_from_deadlines([_deadline("2026-01-20T23:30:00-08:00")]) == date(2026, 1, 20)
    assert life.expected_from_deadlines([]) is None


def test_real_decisions_give_their_case_the_earliest_open_deadline(tmp_path):
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.import_records(real_records())
        for record in real_records():
            case = store.get(record["case_id"])
            assert case is not None and case.due_at is not None
            saved = datetime.fromisoformat(record["saved_at"])
            dues = [datetime.fromisoformat(d["due"]) for d in record["deadlines"]]
            if dues:
                assert case.due_at in dues or case.due_at == min(dues)
                assert case.due_at == life.due_from_deadlines(record["deadlines"], saved)
            else:
                assert case.due_at == saved + timedelta(days=1)


def test_a_case_lives_from_open_to_closed_with_an_event_per_move(tmp_path):
    record = synthetic_record(3)
    case_id = record["case_id"]
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.record_decision(record)
        store.set_status(case_id, "return_in_transit", who="ana")
        store.set_status(case_id, "open", who="ana", note="parcel arrived, the fault is different")
        store.set_status(case_id, "repair_in_progress", who="bo", expected_on=date(2026, 2, 1))
        with pytest.raises(life.TransitionError, match="allowed next: open, resolved"):
            store.set_status(case_id, "closed", who="bo", satisfaction=5)
        with pytest.raises(AftersalesError, match="when the case is closed"):
            store.set_status(case_id, "resolved", who="bo", satisfaction=5)
        store.set_status(case_id, "resolved", who="bo")
        with pytest.raises(AftersalesError, match="asks for the customer's satisfaction"):
            store.set_status(case_id, "closed", who="bo")
        store.set_status(case_id, "closed", who="bo", satisfaction="not-asked")
        with pytest.raises(life.TransitionError, match="final"):
            store.set_status(case_id, "open", who="bo")
        case = store.get(case_id)
        assert case is not None and case.status == "closed" and case.expected_on == date(2026, 2, 1)
        moves = [(e.data["from"], e.data["to"], e.who) for e in store.events(case_id) if e.kind == "status"]
        assert moves == [("open", "return_in_transit", "ana"), ("return_in_transit", "open", "ana"),
                         ("open", "repair_in_progress", "bo"), ("repair_in_progress", "resolved", "bo"),
                         ("resolved", "closed", "bo")]
        close = store.events(case_id)[-1]
        assert close.data["satisfaction"] == "not_asked" and not any("review" in key for key in close.data)
        assert all(e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0) for e in store.events(case_id))
