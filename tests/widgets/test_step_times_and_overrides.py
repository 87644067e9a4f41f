"""Step times and overrides: how long each question was on screen, through Back and Restart, and
an agent's disagreement with the recommendation, checked and saved beside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from aftersales.caselog import read_cases
from aftersales.errors import FactError
from aftersales.widgets.session import ManualClock, Override, WizardSession
from aftersales.widgets.wizard import Wizard

from .drive import answer, asked

AS_OF = "2026-01-15T09:00:00+00:00"
START = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
VALUES = {"order_value": 129, "currency": "CNY", "delivered_on": date(2026, 1, 12), "category": "apparel",
          "evidence_provided": True, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
# size_mismatch on Taobao asks these in this order; the seconds each question stays on screen
SECONDS = {"order_value": 12, "currency": 3, "delivered_on": 8, "category": 4, "evidence_provided": 5,
           "size_deviation_cm": 30, "customer_preference": 9}
STEPS = {"order_value": "intake", "currency": "intake", "delivered_on": "intake", "category": "intake",
         "evidence_provided": "measurement", "size_deviation_cm": "measurement",
         "customer_preference": "quality_choice"}


def session(clock: ManualClock, lang: str = "en") -> WizardSession:
    return WizardSession("size_mismatch", "taobao", lang, AS_OF, clock=clock)


def walk(case: WizardSession, clock: ManualClock) -> None:
    """Answer every question, each after its SECONDS on screen."""
    while case.question is not None:
        clock.advance(SECONDS[case.question.name])
        case.answer(VALUES[case.question.name])


def times(case: WizardSession) -> list[tuple[str, str, float, bool]]:
    return [(t["step"], t["input"], t["seconds"], t["revisited"]) for t in case.step_times]


def test_each_answer_records_its_step_question_and_seconds_on_screen():
    """Seven questions, seven times: the step that asked, the fact, how long it was shown, when answered."""
    clock = ManualClock(START)
    case = session(clock)
    walk(case, clock)
    assert times(case) == [(STEPS[name], name, float(s), False) for name, s in SECONDS.items()]
    assert case.step_times[0]["answered_at"] == (START + timedelta(seconds=12)).isoformat()
    assert case.step_times[-1]["answered_at"] == (START + timedelta(seconds=sum(SECONDS.values()))).isoformat()


def test_a_refused_value_keeps_the_clock_running_until_the_accepted_answer():
    """A bad value never advances the case, so its question's time runs on: 4 s + 6 s = 10 s."""
    clock = ManualClock(START)
    case = session(clock)
    clock.advance(4)
    with pytest.raises(FactError):
        case.answer("-5")
    clock.advance(6)
    case.answer(129)
    assert times(case) == [("intake", "order_value", 10.0, False)]


def test_back_takes_the_answers_time_away_and_the_question_asked_again_is_timed_afresh_as_revisited():
    """Answered after 12 s, taken back 2 s later, answered again 5 s after that: one time of 5 s, revisited."""
    clock = ManualClock(START)
    case = session(clock)
    clock.advance(12)
    case.answer(129)
    clock.advance(2)
    assert case.back()
    clock.advance(5)
    case.answer(130)
    clock.advance(3)
    case.answer("CNY")
    assert times(case) == [("intake", "order_value", 5.0, True), ("intake", "currency", 3.0, False)]


def test_restart_forgets_every_time_and_times_the_first_question_from_the_restart():
    clock = ManualClock(START)
    case = session(clock)
    walk(case, clock)
    clock.advance(100)
    case.restart()
    assert case.step_times == []
    clock.advance(7)
    case.answer(129)
    assert times(case) == [("intake", "order_value", 7.0, False)], "not revisited: a restart is a new case"


def test_a_language_switch_changes_no_time():
    clock = ManualClock(START)
    case = session(clock)
    clock.advance(5)
    case.set_lang("zh")
    clock.advance(5)
    case.answer(129)
    assert times(case) == [("intake", "order_value", 10.0, False)]


def test_the_saved_record_carries_the_step_times_and_no_override(tmp_path):
    clock = ManualClock(START)
    case = session(clock)
    walk(case, clock)
    case_id, log = case.save(tmp_path / "log.jsonl")
    (record,) = read_cases(log)
    assert record["case_id"] == case_id
    assert record["override"] is None, "saved as recommended: known, not unknown"
    assert [(t["step"], t["input"], t["seconds"]) for t in record["step_times"]] == [
        (STEPS[name], name, float(s)) for name, s in SECONDS.items()]


def test_the_real_clock_is_used_by_default():
    case = WizardSession("size_mismatch", "taobao", "en", AS_OF)
    case.answer(129)
    (timing,) = case.step_times
    assert 0 <= timing["seconds"] < 60
    assert datetime.fromisoformat(timing["answered_at"]).tzinfo is not None


# --- overrides -----------------------------------------------------------------------------------

def decided() -> WizardSession:
    clock = ManualClock(START)
    case = session(clock)
    walk(case, clock)
    assert case.decision().outcome == "exchange_seller_pays"
    return case


def test_an_override_is_saved_beside_the_recommendation(tmp_path):
    """The record keeps the engine's outcome and adds the agent's outcome, its resolution, the reason,
    and the chosen outcome's terms and message as the engine re-made them for the case."""
    case = decided()
    case.save(tmp_path / "log.jsonl", override=Override("refund_seller_pays", "  Customer insists on a refund  "))
    (record,) = read_cases(tmp_path / "log.jsonl")
    assert record["outcome"] == "exchange_seller_pays" and record["resolution"] == "exchange"
    override = record["override"]
    assert {k: override[k] for k in ("outcome", "resolution", "reason")} == {
        "outcome": "refund_seller_pays", "resolution": "refund", "reason": "Customer insists on a refund"}
    assert override["message"]["by_hand"] is False and "refund" in override["message"]["text"]
    assert override["terms"]["by_hand"] is False and override["terms"]["return_shipping_paid_by"] == "seller"


@pytest.mark.parametrize("override, complaint", [
    (Override("exchange_seller_pays", "why not"), "is what the playbook recommends"),
    (Override("refund_seller_payz", "typo"), "unknown outcome 'refund_seller_payz'.*did you mean 'refund_seller_pays'"),
    (Override("refund_seller_pays", "   "), "say why the recommendation does not fit"),
    (Override("refund_seller_pays", ""), "say why the recommendation does not fit"),
])
def test_a_bad_override_is_refused_and_nothing_is_saved(tmp_path, override, complaint):
    """The same outcome as recommended, an outcome the playbook lacks, or no reason: a FactError, no record."""
    case = decided()
    with pytest.raises(FactError, match=complaint) as raised:
        case.save(tmp_path / "log.jsonl", override=override)
    assert raised.value.field == "override"
    assert not (tmp_path / "log.jsonl").exists()


def test_no_override_before_there_is_a_recommendation():
    case = session(ManualClock(START))
    assert case.other_outcomes() == []
    with pytest.raises(FactError, match="not decided yet"):
        case.checked_override(Override("refund_seller_pays", "reason"))


def test_the_other_outcomes_are_every_outcome_but_the_recommended_one():
    case = decided()
    assert set(case.other_outcomes()) == set(case.playbook.outcomes) - {"exchange_seller_pays"}


# --- the form ------------------------------------------------------------------------------------

def wizard(tmp_path, lang: str = "en", clock: ManualClock | None = None) -> Wizard:
    form = Wizard("size_mismatch", "taobao", lang, AS_OF, case_log=tmp_path / "log.jsonl", clock=clock)
    while asked(form) is not None:
        if clock is not None:
            clock.advance(SECONDS[asked(form)])
        answer(form, VALUES[asked(form)])
        assert form.error.value == "", form.error.value
    return form


def test_the_form_times_its_questions_on_the_clock_it_is_given(tmp_path):
    clock = ManualClock(START)
    form = wizard(tmp_path, clock=clock)
    form.save_button.click()
    (record,) = read_cases(tmp_path / "log.jsonl")
    assert [t["seconds"] for t in record["step_times"]] == [float(s) for s in SECONDS.values()]


def test_the_card_offers_the_other_outcomes_by_their_titles_in_the_cases_language(tmp_path):
    form = wizard(tmp_path, lang="zh")
    assert form.override_box.layout.display is None, "shown with the card"
    labels = dict((value, label) for label, value in form.override_select.options)
    assert labels[""] == "采用处理建议" and form.override_select.value == ""
    assert "exchange_seller_pays" not in labels, "the recommendation is not an override"
    assert labels["refund_seller_pays"] == "退货退款，卖家承担运费"
    assert set(labels) - {""} == set(form.session.other_outcomes())
    assert form.override_reason.disabled, "no reason to give while the recommendation is kept"
    form.override_select.value = "refund_seller_pays"
    assert not form.override_reason.disabled


def test_the_override_control_is_hidden_while_questions_are_asked(tmp_path):
    form = Wizard("size_mismatch", "taobao", "en", AS_OF)
    assert form.override_box.layout.display == "none"


def test_save_with_an_override_records_it_and_says_so(tmp_path):
    form = wizard(tmp_path)
    form.override_select.value = "refund_seller_pays"
    form.override_reason.value = "Customer insists on a refund"
    form.save_button.click()
    assert "Saved as case" in form.save_status.value and "overridden" in form.save_status.value
    (record,) = read_cases(tmp_path / "log.jsonl")
    assert record["outcome"] == "exchange_seller_pays"
    assert {k: record["override"][k] for k in ("outcome", "resolution", "reason")} == {
        "outcome": "refund_seller_pays", "resolution": "refund", "reason": "Customer insists on a refund"}
    assert len(record["step_times"]) == len(SECONDS)


def test_save_with_an_override_and_no_reason_is_refused_in_the_form(tmp_path):
    form = wizard(tmp_path)
    form.override_select.value = "refund_seller_pays"
    form.save_button.click()
    assert "Could not save the case" in form.save_status.value and "say why" in form.save_status.value
    assert not form.save_button.disabled and not (tmp_path / "log.jsonl").exists()
    form.override_reason.value = "Customer insists on a refund"
    form.save_button.click()
    assert [r["override"]["outcome"] for r in read_cases(tmp_path / "log.jsonl")] == ["refund_seller_pays"]


def test_save_without_an_override_records_none(tmp_path):
    form = wizard(tmp_path)
    form.save_button.click()
    (record,) = read_cases(tmp_path / "log.jsonl")
    assert record["override"] is None


def test_the_override_choice_survives_a_language_switch_and_restart_clears_it(tmp_path):
    form = wizard(tmp_path)
    form.override_select.value = "refund_seller_pays"
    form.override_reason.value = "reason"
    form.lang_select.value = "ru"
    assert form.override_select.value == "refund_seller_pays"
    assert dict((v, k) for k, v in form.override_select.options)[""] == "Оставить рекомендацию"
    form.restart_button.click()
    form.confirm_box.yes.click()  # answers would be lost: Restart asks first
    assert form.override_select.value == "" and form.override_reason.value == ""


def test_an_override_that_became_the_recommendation_is_dropped(tmp_path):
    """Back and another answer make the chosen outcome the recommendation: the choice goes back to keep."""
    form = wizard(tmp_path)
    form.override_select.value = "refund_seller_pays"
    form.back_button.click()
    answer(form, "refund")
    assert form.session.decision().outcome == "refund_seller_pays"
    assert form.override_select.value == ""
    assert "refund_seller_pays" not in [value for _label, value in form.override_select.options]


def test_a_record_made_outside_the_form_does_not_say_whether_it_was_overridden_or_timed(tmp_path, monkeypatch):
    """`decide --record` and replay records carry neither field: the analytics count them as unknown."""
    from aftersales.caselog import case_record

    monkeypatch.setenv("AFTERSALES_ARCHIVE", str(tmp_path / "archive"))
    record = case_record(decided().decision())
    assert "override" not in record and "step_times" not in record
