"""Repair tracking (issue 20, part 4; seeds 000/004): the stages and their order, the durations
from the platform profile (Russia's legal 45 days vs a seller default), the due dates per stage,
the customer's message at each stage, and ``aftersales cases repair`` end to end."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from aftersales.cases.due import due_cases
from aftersales.cases.life import TransitionError
from aftersales.cases.repair import (
    IN_REPAIR_STAGES,
    STAGES,
    RepairDurations,
    allowed_next_stages,
    plan_stage,
    repair_durations,
    stage_message,
    stage_name,
    stage_next_step,
)
from aftersales.cases.store import EVENT_KINDS, CaseStore
from aftersales.cli import main
from aftersales.errors import AftersalesError
from aftersales.platforms import load_profiles

from . import LANGS, synthetic_record

AT = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)
RU = RepairDurations(confirm_days=2, repair_days=45, repair_is_legal=True, repair_source="repair_max_days: law",
                     warranty_days=90, warranty_source="repair_warranty_days: seed 004", warranty_note=None)
DEFAULT = RepairDurations(confirm_days=2, repair_days=30, repair_is_legal=False, repair_source="repair_default_days: seed",
                          warranty_days=90, warranty_source="repair_warranty_days: seed 004", warranty_note=None)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _last(stage: str | None, ok: bool | None = None) -> dict[str, Any] | None:
    if stage is None:
        return None
    data: dict[str, Any] = {"stage": stage, "received_at": AT.isoformat()}
    if ok is not None:
        data["ok"] = ok
    return data


# --- the order of the stages ------------------------------------------------------------------

ALLOWED = [
    # last stage (ok), new stage, the case's status before, its status after
    pytest.param(None, None, "received", "open", "repair_in_progress", id="a repair starts when the item is received"),
    pytest.param(None, None, "received", "return_in_transit", "repair_in_progress",
                 id="the returned parcel reaches the workshop: through open into repair"),
    pytest.param("received", None, "defect_confirmed", "repair_in_progress", "repair_in_progress", id="the check confirms the fault"),
    pytest.param("received", None, "not_repairable", "repair_in_progress", "open", id="the check finds it cannot be repaired"),
    pytest.param("defect_confirmed", None, "repaired", "repair_in_progress", "repair_in_progress", id="the workshop repairs it"),
    pytest.param("defect_confirmed", None, "not_repairable", "repair_in_progress", "open", id="the repair fails"),
    pytest.param("repaired", None, "shipped_back", "repair_in_progress", "repair_in_progress", id="it is shipped back"),
    pytest.param("shipped_back", None, "customer_checked", "repair_in_progress", "resolved", id="the customer checks it"),
    pytest.param("customer_checked", False, "received", "open", "repair_in_progress", id="a failed check lets a second round start"),
]


@pytest.mark.parametrize("last, last_ok, stage, before, after", ALLOWED)
def test_the_stages_a_repair_goes_through(last, last_ok, stage, before, after):
    ok = True if stage == "customer_checked" else None
    data, changes = plan_stage("C1", before, _last(last, last_ok), stage, AT, DEFAULT, ok=ok)
    assert data["stage"] == stage and data["from_stage"] == last
    assert changes.get("status", before) == after
    if after != before:
        assert (data["status_from"], data["status_to"]) == (before, after)
    if before == "return_in_transit":
        assert data["status_path"] == ["open", "repair_in_progress"]


REFUSED = [
    # last stage (ok), new stage, the allowed next stages the error names
    pytest.param(None, None, "defect_confirmed", "allowed next: received", id="nothing is confirmed before the item is received"),
    pytest.param("received", None, "repaired", "allowed next: defect_confirmed, not_repairable", id="no repair before the check"),
    pytest.param("received", None, "received", "allowed next: defect_confirmed, not_repairable", id="received twice"),
    pytest.param("defect_confirmed", None, "shipped_back", "allowed next: repaired, not_repairable", id="not shipped before repaired"),
    pytest.param("repaired", None, "not_repairable", "allowed next: shipped_back", id="a repaired item is not unrepairable"),
    pytest.param("repaired", None, "customer_checked", "allowed next: shipped_back", id="no check before it is shipped"),
    pytest.param("shipped_back", None, "repaired", "allowed next: customer_checked", id="no going back"),
    pytest.param("customer_checked", True, "received", "which ends the repair", id="a passed check ends the repair"),
    pytest.param("not_repairable", None, "repaired", "which ends the repair", id="not repairable is final"),
]


@pytest.mark.parametrize("last, last_ok, stage, words", REFUSED)
def test_a_stage_out_of_order_is_refused_naming_the_allowed_next_ones(last, last_ok, stage, words):
    with pytest.raises(TransitionError) as caught:
        plan_stage("C1", "repair_in_progress" if last else "open", _last(last, last_ok), stage, AT, DEFAULT,
                   ok=True if stage == "customer_checked" else None)
    assert words in str(caught.value) and "case C1" in str(caught.value)


@pytest.mark.parametrize("status, stage, last, words", [
    ("resolved", "received", None, "case C1 is resolved: it cannot become repair_in_progress; allowed next: closed"),
    ("closed", "received", None, "which is final"),
    ("open", "defect_confirmed", "received", "case C1 is open, not in repair"),
])
def test_a_stage_the_case_s_status_does_not_allow_is_refused(status, stage, last, words):
    with pytest.raises(TransitionError, match=re.escape(words)):
        plan_stage("C1", status, _last(last), stage, AT, DEFAULT)


def test_the_check_needs_ok_or_not_ok_and_the_warranty_belongs_to_shipping_back():
    with pytest.raises(AftersalesError, match="--ok or --not-ok"):
        plan_stage("C1", "repair_in_progress", _last("shipped_back"), "customer_checked", AT, DEFAULT)
    with pytest.raises(AftersalesError, match="customer_checked"):
        plan_stage("C1", "repair_in_progress", _last("received"), "defect_confirmed", AT, DEFAULT, ok=True)
    with pytest.raises(AftersalesError, match="shipped back"):
        plan_stage("C1", "repair_in_progress", _last("received"), "defect_confirmed", AT, DEFAULT, warranty_days=30)
    assert allowed_next_stages(None) == ("received",) and set(IN_REPAIR_STAGES) < set(STAGES)


# --- durations and due dates -------------------------------------------------------------------

def test_the_profiles_give_russia_s_legal_45_days_and_a_seller_default_elsewhere():
    profiles = load_profiles()
    ozon = repair_durations(profiles["ozon"], AT)
    assert (ozon.repair_days, ozon.repair_is_legal, ozon.confirm_days, ozon.warranty_days) == (45, True, 2, 90)
    assert ozon.repair_source.startswith("repair_max_days") and "art. 20 p.3" in (ozon.warranty_note or "")
    for name in ("taobao", "amazon", "amazon_de", "generic"):
        durations = repair_durations(profiles[name], AT)
        assert (durations.repair_days, durations.repair_is_legal) == (30, False), name
        assert durations.repair_source == "repair_default_days: seed 000"


@pytest.mark.parametrize("durations, received_expected, confirmed_expected", [
    pytest.param(RU, date(2026, 2, 26), date(2026, 2, 26), id="Russia: 45 days from the round's start, the check inside them"),
    pytest.param(DEFAULT, date(2026, 2, 13), date(2026, 2, 12), id="elsewhere: 30 days from the confirmation"),
])
def test_due_dates_and_the_expected_day_follow_the_stage(durations, received_expected, confirmed_expected):
    data, changes = plan_stage("C1", "open", None, "received", AT, durations)
    assert changes["due_at"] == AT + timedelta(days=2) and data["confirm_by"] == "2026-01-14"
    assert changes["expected_on"] == received_expected and data["repair_days"] == durations.repair_days
    confirmed_at = AT + timedelta(days=1)
    data, changes = plan_stage("C1", "repair_in_progress", data, "defect_confirmed", confirmed_at, durations)
    assert changes["expected_on"] == confirmed_expected and changes["due_at"] == confirmed_at + timedelta(days=1)
    data, changes = plan_stage("C1", "repair_in_progress", data, "repaired", AT + timedelta(days=20), durations)
    assert "expected_on" not in changes and changes["due_at"] == AT + timedelta(days=21)
    data, changes = plan_stage("C1", "repair_in_progress", data, "shipped_back", AT + timedelta(days=21), durations)
    assert (data["warranty_days"], data["days_in_repair"]) == (90, 21)
    data, changes = plan_stage("C1", "repair_in_progress", data, "customer_checked", AT + timedelta(days=24), durations, ok=True)
    assert changes == {"status": "resolved"} and data["warranty_days"] == 90


def test_the_legal_repair_deadline_of_the_decision_caps_the_expected_day():
    """The complaint came before the item reached the workshop: the legal 45 days count from it."""
    deadlines = [{"name": "repair_due", "due": "2026-02-20T00:00:00+03:00", "overdue": False}]
    _, changes = plan_stage("C1", "open", None, "received", AT, RU, deadlines=deadlines)
    assert changes["expected_on"] == date(2026, 2, 19)
    _, changes = plan_stage("C1", "open", None, "received", AT, DEFAULT, deadlines=deadlines)
    assert changes["expected_on"] == date(2026, 2, 13)  # a seller's own promise is not capped by another law's
    second = {"stage": "customer_checked", "ok": False, "round": 1}
    data, changes = plan_stage("C1", "open", second, "received", AT, RU, deadlines=deadlines)
    assert data["round"] == 2 and changes["expected_on"] == date(2026, 2, 26)  # a second repair: its own 45 days


def test_a_failed_check_and_an_unrepairable_item_reopen_the_case_due_the_next_day():
    moment = AT + timedelta(days=30)
    for last, stage, ok in (("shipped_back", "customer_checked", False), ("defect_confirmed", "not_repairable", None)):
        data, changes = plan_stage("C1", "repair_in_progress", _last(last), stage, moment, DEFAULT, ok=ok)
        assert changes == {"status": "open", "due_at": moment + timedelta(days=1)}


# --- messages ------------------------------------------------------------------------------------

def _stage_datas() -> list[dict[str, Any]]:
    datas = []
    last: dict[str, Any] | None = None
    for stage, ok in (("received", None), ("defect_confirmed", None), ("repaired", None), ("shipped_back", None),
                      ("customer_checked", True)):
        last, _ = plan_stage("C0000042", "open" if last is None else "repair_in_progress", last, stage, AT, RU, ok=ok)
        datas.append(last)
    datas.append(plan_stage("C0000042", "repair_in_progress", _last("shipped_back"), "customer_checked", AT, RU, ok=False)[0])
    datas.append(plan_stage("C0000042", "repair_in_progress", _last("received"), "not_repairable", AT, RU)[0])
    return datas


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("today", [AT.date(), date(2026, 6, 1)], ids=["dates ahead", "dates passed"])
def test_every_stage_message_is_in_the_customer_s_language_with_no_none_no_id_and_no_iso_date(lang, today):
    for data in _stage_datas():
        for name in ("Li Na", None):
            text = stage_message(data, lang, customer_name=name, today=today)
            assert "None" not in text and "{" not in text and "C0000042" not in text and "_" not in text, text
            assert not ISO.search(text), text
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{3,}", text.replace("Li Na", ""))
            elif lang == "ru":
                assert re.search(r"[а-яА-Я]", text) and not re.search(r"[\u4e00-\u9fff]", text)
            else:
                assert text.startswith("Hello") and not re.search(r"[а-яА-Я\u4e00-\u9fff]", text)
        assert stage_name(data["stage"], lang, data.get("ok")) and stage_next_step(data["stage"], lang, data.get("ok"))


@pytest.mark.parametrize("lang, confirm, expected, warranty", [
    ("en", "14 Jan 2026", "26 Feb 2026", "90 calendar days"),
    ("zh", "2026年1月14日", "2026年2月26日", "90 个自然日"),
    ("ru", "14.01.2026", "26.02.2026", "90 календарных дней"),
])
def test_the_messages_give_the_expected_date_and_the_warranty_the_customer_s_way(lang, confirm, expected, warranty):
    received, confirmed, _repaired, shipped, checked, failed, unrepairable = _stage_datas()
    today = AT.date()
    assert confirm in stage_message(received, lang, today=today)
    assert expected in stage_message(confirmed, lang, today=today)
    assert warranty in stage_message(shipped, lang, today=today) and warranty in stage_message(checked, lang, today=today)
    assert warranty not in stage_message(failed, lang, today=today)
    late = date(2026, 3, 1)  # a date already past is never promised again
    assert expected not in stage_message(confirmed, lang, today=late)
    assert stage_message(unrepairable, lang) != stage_message(failed, lang)


# --- the store, the follow-up list and the command line ----------------------------------------

def _store(tmp_path: Path, platform: str, lang: str, n: int = 1) -> str:
    record = synthetic_record(n, lang=lang, saved_at=AT - timedelta(days=2))
    record["platform"] = platform
    with CaseStore() as store:
        store.import_records([record])
    return str(record["case_id"])


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "x.db"
    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{path}")
    return path


def _repair(capsys: pytest.CaptureFixture[str], case_id: str, *argv: str) -> tuple[int, str, str]:
    code = main(["cases", "repair", case_id, *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_repair_command_end_to_end_on_ozon(db, capsys, tmp_path):
    case_id = _store(tmp_path, "ozon", "ru")
    code, out, err = _repair(capsys, case_id, "received", "--who", "ana", "--at", "2026-01-12T09:00+00:00")
    assert code == 0, err
    assert "status open → repair_in_progress" in out and "45 days, repair_max_days" in out
    assert "Message to the customer (ru):" in out and "Результат проверки сообщим до 14.01.2026" in out

    code, out, err = _repair(capsys, case_id, "shipped_back", "--at", "2026-01-13T09:00+00:00")
    assert code == 2 and "allowed next: defect_confirmed, not_repairable" in err

    code, out, err = _repair(capsys, case_id, "defect_confirmed", "--who", "ana", "--at", "2026-01-13T09:00+00:00",
                             "--note", "power board")
    assert code == 0 and "Рассчитываем закончить до 26.02.2026" in out
    assert main(["cases", "due", "--date", "2026-01-14"]) == 0
    table = capsys.readouterr().out
    assert "Рассчитываем закончить до 26.02.2026" in table and "Follow the repair with the workshop" in table

    assert _repair(capsys, case_id, "repaired", "--who", "bo", "--at", "2026-02-01T09:00+00:00")[0] == 0
    code, out, _ = _repair(capsys, case_id, "shipped_back", "--who", "bo", "--warranty-days", "180",
                           "--at", "2026-02-01T15:00+00:00")
    assert code == 0 and "repair warranty: 180 days (given by the agent)" in out and "гарантия 180 календарных дней" in out
    code, _, err = _repair(capsys, case_id, "customer_checked", "--at", "2026-02-04T09:00+00:00")
    assert code == 2 and "--ok or --not-ok" in err
    code, out, _ = _repair(capsys, case_id, "customer_checked", "--not-ok", "--at", "2026-02-04T09:00+00:00")
    assert code == 0 and "status repair_in_progress → open" in out
    code, out, _ = _repair(capsys, case_id, "received", "--at", "2026-02-06T09:00+00:00")
    assert code == 0 and "status open → repair_in_progress" in out  # the second round

    with CaseStore() as store:
        case = store.get(case_id)
        events = store.events(case_id, kind="repair")
    assert case is not None and case.status == "repair_in_progress" and case.expected_on == date(2026, 3, 23)
    assert [(e.data["stage"], e.who) for e in events][:3] == [("received", "ana"), ("defect_confirmed", "ana"),
                                                               ("repaired", "bo")]
    assert events[1].data["note"] == "power board" and events[4].data["ok"] is False
    assert "repair" in EVENT_KINDS


def test_the_repair_command_on_taobao_promises_the_seller_s_30_days(db, capsys, tmp_path):
    case_id = _store(tmp_path, "taobao", "zh")
    code, out, _ = _repair(capsys, case_id, "received", "--at", "2026-01-12T09:00+00:00")
    assert code == 0 and "30 days, repair_default_days" in out and "2026年1月14日前会把检测结果告诉您" in out
    code, out, _ = _repair(capsys, case_id, "not_repairable", "--at", "2026-01-13T09:00+00:00")
    assert code == 0 and "status repair_in_progress → open" in out and "为您换货或退款" in out
    code, _, err = _repair(capsys, case_id, "received")
    assert code == 2 and "which ends the repair" in err
    code, _, err = _repair(capsys, "ghost", "received")
    assert code == 2 and "unknown case 'ghost'" in err


def test_the_follow_up_list_gives_each_case_in_repair_its_stage_message(db, tmp_path):
    ids = {lang: _store(tmp_path, "ozon", lang, n) for n, lang in enumerate(LANGS)}
    plain = _store(tmp_path, "ozon", "en", 9)
    with CaseStore() as store:
        for case_id in ids.values():
            for stage, at in (("received", AT), ("defect_confirmed", AT + timedelta(days=1))):
                def plan(row: Any, last: dict[str, Any] | None, stage: str = stage, at: datetime = at,
                         case_id: str = case_id) -> tuple[dict[str, Any], dict[str, Any]]:
                    return plan_stage(case_id, row.status, last, stage, at, RU)
                store.record_repair(case_id, plan, who="ana", at=at)
        store.set_status(plain, "repair_in_progress", who="ana", expected_on=date(2026, 2, 1))
        lines = {line.case_id: line for line in due_cases(store, date(2026, 1, 14))}
    assert set(lines) == {*ids.values(), plain}
    assert "Рассчитываем закончить до 26.02.2026" in lines[ids["ru"]].message
    assert "预计2026年2月26日前修好" in lines[ids["zh"]].message
    assert "confirmed the fault" in lines[ids["en"]].message and "Follow the repair" in lines[ids["en"]].next_step
    # a case put in repair by hand, with no stages, keeps the general message
    assert "your repair is in progress, expected to be finished by 1 Feb 2026" in lines[plain].message
