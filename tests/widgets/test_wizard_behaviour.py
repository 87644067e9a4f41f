"""The wizard's behaviour case by case: typed inputs, inline validation, boundaries, saving."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import ipywidgets as w
import pytest

from aftersales.caselog import read_cases
from aftersales.engine import Question
from aftersales.errors import FactError
from aftersales.widgets.fields import Field
from aftersales.widgets.session import WizardSession
from aftersales.widgets.wizard import Wizard

from .drive import answer, asked

AS_OF = "2026-01-15T09:00:00+00:00"
ORDER = {"order_value": 129, "currency": "CNY", "delivered_on": date(2026, 1, 12), "category": "apparel",
         "evidence_provided": True}


def size_wizard(**kwargs) -> Wizard:
    return Wizard("size_mismatch", "taobao", kwargs.pop("lang", "en"), AS_OF, **kwargs)


def walk(wizard: Wizard, values: dict) -> None:
    while asked(wizard) is not None:
        answer(wizard, values[asked(wizard)])
        assert wizard.error.value == "", wizard.error.value


def test_each_input_type_gets_its_own_control():
    """A bool is Yes/No buttons, money a text box with its allowed range, a date a date picker, a choice a dropdown."""
    wizard = size_wizard()
    controls = {}
    values = {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    while asked(wizard) is not None:
        controls[asked(wizard)] = wizard.field.control
        answer(wizard, values[asked(wizard)])
    assert isinstance(controls["order_value"], w.Text) and "0" in controls["order_value"].placeholder
    assert isinstance(controls["currency"], w.Dropdown)
    assert isinstance(controls["delivered_on"], w.DatePicker)
    assert isinstance(controls["evidence_provided"], w.ToggleButtons)
    assert [label for label, _v in controls["evidence_provided"].options] == ["Yes", "No"]
    assert isinstance(controls["size_deviation_cm"], w.Text)


def question(type_: str, **extra) -> Question:
    base = dict(name="x", type=type_, label="X", help=None, unit=None, choices=None, minimum=None, maximum=None,
                nullable=False, default=None, has_default=False, allowed="anything", step="s", step_title="S",
                step_number=1, steps_total=1, path=[])
    return Question(**(base | extra))


def test_a_datetime_gets_a_datetime_picker_and_text_a_text_area():
    moment = Field(question("datetime"), "en")
    assert isinstance(moment.control, w.NaiveDatetimePicker)
    moment.control.value = datetime(2026, 1, 10, 8, 30)
    assert moment.read() == "2026-01-10T08:30:00"
    text = Field(question("text"), "en")
    assert isinstance(text.control, w.Textarea)
    text.control.value = "   "
    with pytest.raises(FactError, match="Please answer"):
        text.read()


def test_a_whole_number_refuses_a_fraction():
    field = Field(question("int"), "zh")
    field.control.value = "2.5"
    with pytest.raises(FactError, match="请输入整数"):
        field.read()
    field.control.value = "2"
    assert field.read() == 2


@pytest.mark.parametrize("typed, accepted", [("3,5", 3.5), ("3.5", 3.5), (" 3.01 ", 3.01), ("0", 0.0)])
def test_numbers_accept_a_decimal_comma_and_spaces(typed, accepted):
    wizard = size_wizard()
    while asked(wizard) != "size_deviation_cm":
        answer(wizard, ORDER[asked(wizard)])
    answer(wizard, typed)
    assert wizard.error.value == ""
    assert wizard.session.answers["size_deviation_cm"] == accepted


@pytest.mark.parametrize("typed, complaint", [
    ("", "Enter a number"), ("abc", "Enter a number"), ("-1", "out of range"), ("201", "out of range"),
])
def test_a_bad_number_is_explained_and_never_advances(typed, complaint):
    wizard = size_wizard()
    while asked(wizard) != "size_deviation_cm":
        answer(wizard, ORDER[asked(wizard)])
    answer(wizard, typed)
    assert asked(wizard) == "size_deviation_cm"
    assert complaint in wizard.error.value
    assert "size_deviation_cm" not in wizard.session.answers


def test_inline_errors_come_in_the_chosen_language():
    wizard = size_wizard(lang="ru")
    answer(wizard, "")
    assert "Не принято" in wizard.error.value and "Введите число" in wizard.error.value


def test_an_unanswered_choice_or_toggle_is_refused():
    wizard = size_wizard()
    answer(wizard, 129)
    assert asked(wizard) == "currency"
    answer(wizard, None)
    assert asked(wizard) == "currency" and "Please answer" in wizard.error.value


@pytest.mark.parametrize("deviation, outcome", [(3.0, "conforming"), (3.01, "beyond")])
def test_the_size_tolerance_boundary_holds_through_the_form(deviation, outcome):
    """3.0 cm is within Taobao's 3 cm tolerance; 3.01 cm is a quality problem."""
    wizard = size_wizard()
    walk(wizard, {**ORDER, "size_deviation_cm": deviation, "customer_preference": "exchange", "item_resaleable": True,
                  "reason_for_return": "changed_mind", "customer_wants": "exchange"} | _extra_answers())
    decision = wizard.session.decision()
    computed = decision.computed
    assert computed["conforms"] is (outcome == "conforming")


def _extra_answers() -> dict:
    """Answers the conforming branch may ask (each is asked only on its path)."""
    session = WizardSession("size_mismatch", "taobao")
    return {name: (spec.spec.choices[0] if spec.spec.type == "choice" else True)
            for name, spec in session.playbook.inputs.items() if spec.spec.type in ("choice", "bool")} | {
        "category": "apparel", "currency": "CNY", "evidence_provided": True, "customer_preference": "exchange",
        "ordered_on": None}  # the order date may be unknown: the delivery day counts


def test_a_nullable_question_takes_not_known():
    """delivered_on may be unknown (the parcel is still on its way): the box says so."""
    wizard = size_wizard()
    answer(wizard, 129)
    answer(wizard, "CNY")
    assert asked(wizard) == "delivered_on"
    assert wizard.field.none_box is not None
    wizard.field.none_box.value = True
    assert wizard.field.control.disabled
    wizard.next_button.click()
    assert wizard.error.value == ""
    assert wizard.session.answers["delivered_on"] is None


def test_back_shows_the_previous_answer_and_restart_forgets_everything():
    wizard = size_wizard()
    answer(wizard, "129")
    answer(wizard, "CNY")
    wizard.back_button.click()
    assert asked(wizard) == "currency" and wizard.field.control.value == "CNY"
    wizard.back_button.click()
    assert asked(wizard) == "order_value" and wizard.field.control.value == "129"
    assert wizard.back_button.disabled
    wizard.restart_button.click()  # nothing answered any more: nothing to lose, no question asked
    assert asked(wizard) == "order_value" and wizard.field.control.value == ""
    assert wizard.session.answers == {}


def test_restart_with_answers_asks_first_and_keeps_them_on_no():
    """Issue 17: work is never thrown away unasked."""
    wizard = size_wizard()
    answer(wizard, "129")
    answer(wizard, "CNY")
    wizard.restart_button.click()
    assert wizard.confirm_box.layout.display is None and "discard" in wizard.confirm_box.text.value
    assert wizard.session.answers and asked(wizard) == "delivered_on"
    wizard.confirm_box.no.click()
    assert wizard.confirm_box.layout.display == "none" and asked(wizard) == "delivered_on"
    wizard.restart_button.click()
    wizard.confirm_box.yes.click()
    assert wizard.session.answers == {} and asked(wizard) == "order_value"
    assert wizard.confirm_box.layout.display == "none"


def test_the_breadcrumb_names_each_answer_in_words_and_goes_back_to_it():
    wizard = size_wizard()
    answer(wizard, "129")
    answer(wizard, "CNY")
    crumbs = [c for c in wizard.breadcrumb.children if isinstance(c, w.Button)]
    assert [c.description for c in crumbs][0].startswith("Order value: 129")
    crumbs[0].click()
    assert asked(wizard) == "order_value" and wizard.field.control.value == "129"
    assert wizard.session.answers.get("currency") is None


def finish_exchange(wizard):
    """Answer the size case's remaining questions to an exchange."""
    values = {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    while asked(wizard) is not None:
        answer(wizard, values[asked(wizard)])


def test_the_order_number_and_the_customers_name_from_intake_reach_the_message_and_the_record(tmp_path):
    wizard = size_wizard()
    wizard.order_id.value = "TB-778"
    wizard.customer_name.value = "Li Na"
    finish_exchange(wizard)
    decision = wizard.session.decision()
    assert "Li Na" in decision.message["text"]
    assert wizard.session.record()["order_id"] == "TB-778"


def test_a_chinese_agent_reads_the_card_in_chinese_and_writes_the_buyer_in_russian():
    wizard = size_wizard()
    wizard.lang_select.value = "zh"
    wizard.customer_lang_select.value = "ru"
    finish_exchange(wizard)
    card = wizard.card.value
    assert "处理建议" in card and "给客户的消息（俄文）" in card
    message = wizard.session.decision().message
    assert message["lang"] == "ru" and "Здравствуйте" in message["text"]
    assert wizard.session.record()["lang"] == "ru"


def test_the_checklist_of_the_path_shows_deadlines_counted_from_the_cases_start():
    wizard = size_wizard()
    assert "Checklist on this path" in wizard.checklist.value
    assert "Jan 16, 2026, 09:00 UTC (in 24 hours)" in wizard.checklist.value  # owner assigned within 24 h of the start


def test_progress_counts_questions_and_moves_with_every_answer():
    """Issue 17: 'Question k of about n' (no more 'Step 1 of 5' standing still for four questions)."""
    wizard = size_wizard()
    seen = []
    values = {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    while asked(wizard) is not None:
        seen.append(re.search(r"Question (\d+) of about (\d+)", wizard.progress_text.value).groups())
        answer(wizard, values[asked(wizard)])
    numbers = [int(k) for k, _n in seen]
    totals = [int(n) for _k, n in seen]
    assert numbers == list(range(1, len(seen) + 1))
    assert all(n >= k for k, n in zip(numbers, totals, strict=True)) and totals == sorted(totals)  # the total never shrinks
    assert totals[-1] - len(seen) <= 2, totals  # "about" stays close
    assert "Recommendation ready" in wizard.progress_text.value


def test_changing_the_language_on_the_card_rerenders_it_without_losing_answers():
    wizard = size_wizard()
    walk(wizard, {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"})
    english = wizard.card.value
    assert "Exchange, seller pays shipping" in english
    wizard.lang_select.value = "zh"
    assert "处理建议" in wizard.card.value and "3.5 厘米" in wizard.card.value
    wizard.lang_select.value = "ru"
    assert "Рекомендация" in wizard.card.value
    wizard.lang_select.value = "en"
    assert wizard.card.value == english


def test_save_case_appends_one_record_with_what_was_decided(tmp_path):
    log = tmp_path / "cases" / "log.jsonl"
    wizard = size_wizard(case_log=log, facts={"order_id": "TB-20260112-0042"})
    walk(wizard, {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"})
    wizard.save_button.click()
    assert "Saved as case" in wizard.save_status.value
    assert wizard.save_button.disabled, "one click, one record"
    (record,) = list(read_cases(log))
    assert record["case_id"] in wizard.save_status.value
    assert record["order_id"] == "TB-20260112-0042"
    assert record["outcome"] == "exchange_seller_pays"
    assert record["path"] == ["intake", "measurement", "tolerance", "quality_choice"]
    assert record["facts"]["size_deviation_cm"] == 3.5
    assert record["playbook_version"] == "1.0.0" and len(record["playbook_hash"]) >= 12
    assert "3.5 cm" in record["message"]["text"]
    assert datetime.fromisoformat(record["saved_at"]).tzinfo is not None
    wizard.back_button.click()
    answer(wizard, "refund")
    wizard.save_button.click()
    assert [r["outcome"] for r in read_cases(log)] == ["exchange_seller_pays", "refund_seller_pays"]


def test_a_case_log_that_cannot_be_written_is_reported_in_the_form(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    wizard = size_wizard(case_log=blocker / "log.jsonl")
    walk(wizard, {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"})
    wizard.save_button.click()
    assert "Could not save the case" in wizard.save_status.value
    assert not wizard.save_button.disabled


def test_a_bug_in_a_handler_shows_in_the_form_instead_of_freezing_it(monkeypatch):
    wizard = size_wizard()

    def broken(_value):
        raise RuntimeError("boom")

    monkeypatch.setattr(wizard.session, "answer", broken)
    answer(wizard, "129")
    assert "RuntimeError" in wizard.error.value and "boom" in wizard.error.value


def test_the_session_alone_decides_like_the_engine():
    session = WizardSession("size_mismatch", "taobao", "en", AS_OF)
    values = {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    while session.question is not None:
        session.answer(values[session.question.name])
    assert session.decision().outcome == "exchange_seller_pays"
    assert json.loads(json.dumps(session.record()))["outcome"] == "exchange_seller_pays"


def test_the_card_shows_the_message_checkers_verdict_on_the_generated_message():
    wizard = size_wizard()
    walk(wizard, {**ORDER, "size_deviation_cm": 3.5, "customer_preference": "exchange"})
    assert "message check" in wizard.card.value.lower()


def test_enter_in_a_one_line_box_answers_the_question():
    """Issue 17: Enter advances, as in any form."""
    wizard = size_wizard()
    wizard.put("129")
    wizard.field.control._handle_string_msg(None, {"event": "submit"}, None)  # what the browser sends on Enter
    assert asked(wizard) == "currency" and wizard.session.answers["order_value"] == 129


def test_three_choices_or_fewer_are_big_buttons_and_more_a_dropdown():
    from aftersales.widgets.fields import BUTTON_CHOICES

    three = Question(name="p", type="choice", label="Preference", help=None, unit=None,
                     choices=[("a", "A"), ("b", "B"), ("c", "C")], minimum=None, maximum=None, nullable=False,
                     default=None, has_default=False, allowed="a, b, c", step="s", step_title="S",
                     step_number=1, steps_total=1, path=[])
    assert BUTTON_CHOICES == 3 and isinstance(Field(three, "en").control, w.ToggleButtons)
    four = Question(**{**three.__dict__, "choices": [*three.choices, ("d", "D")]})
    assert isinstance(Field(four, "en").control, w.Dropdown)


def test_a_date_time_is_typed_on_the_buyers_clock_and_says_whose():
    """Issue 17: '2026-01-15 12:00' typed for an Ozon buyer is noon in Moscow, not noon UTC."""
    moment = Question(name="claim_opened_on", type="datetime", label="Claim opened", help=None, unit=None,
                      choices=None, minimum=None, maximum=None, nullable=False, default=None, has_default=False,
                      allowed="a date and time", step="s", step_title="S", step_number=1, steps_total=1, path=[])
    field = Field(moment, "ru", zone="Europe/Moscow")
    field.control.value = datetime(2026, 1, 15, 12, 0)
    assert field.read() == "2026-01-15T12:00:00+03:00"
    assert any(isinstance(part, w.HTML) and "по московскому времени" in part.value for part in field.widget.children)


@pytest.mark.parametrize("lang, words", [("en", "-5 is out of range"), ("zh", "超出允许范围"),
                                         ("ru", "вне допустимого диапазона")])
def test_the_engines_refusal_is_said_in_the_pages_language(lang, words):
    """Issue 17, point 3: no English engine detail on a zh/ru page for a value out of range."""
    wizard = size_wizard()
    wizard.lang_select.value = lang
    answer(wizard, "-5")
    assert words in wizard.error.value
    assert lang == "en" or "out of range" not in wizard.error.value
    assert asked(wizard) == "order_value"


def test_the_form_is_marked_unsaved_while_answers_would_be_lost():
    """Issue 17: the page asks before closing a tab with answers not saved (it looks for as-unsaved)."""
    wizard = size_wizard()
    assert "as-unsaved" not in wizard._dom_classes
    answer(wizard, "129")
    assert "as-unsaved" in wizard._dom_classes
    finish_exchange(wizard)
    wizard.save_button.click()
    assert wizard.saved_case is not None and "as-unsaved" not in wizard._dom_classes
