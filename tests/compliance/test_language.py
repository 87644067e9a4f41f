"""Answer in the customer's language (seed 004): the checker detects the message's language
(lingua-language-detector) and warns when it is not the customer's (issue 15, part 6)."""

from __future__ import annotations

import pytest

from aftersales.compliance import check_message
from aftersales.compliance.language import MIN_LETTERS, detect_language, mismatch_message

REPLIES = {
    "en": "Hello Anna, we are sorry the kettle arrived dented. We are sending a new one today; just reply here if "
          "anything else comes up.",
    "zh": "您好，很抱歉水壶到货时有凹痕。我们今天就给您补发一个新的，如有其他问题请直接在这里回复我们。",
    "ru": "Здравствуйте, Анна! Нам жаль, что чайник пришёл с вмятиной. Сегодня отправим новый; если что-то ещё, "
          "просто ответьте здесь.",
}


@pytest.mark.parametrize("written", sorted(REPLIES))
@pytest.mark.parametrize("customer", sorted(REPLIES))
def test_a_reply_in_another_language_than_the_customers_is_a_warning(written: str, customer: str) -> None:
    findings = [f for f in check_message(REPLIES[written], "generic", customer, "general") if f.rule == "language.mismatch"]
    if written == customer:
        assert findings == []
    else:
        assert [(f.severity, f.span) for f in findings] == [("warning", None)]
        assert findings[0].message == mismatch_message(written, customer)


def test_a_text_too_short_to_judge_is_not_judged() -> None:
    short = "OK, спасибо"
    assert sum(ch.isalpha() for ch in short) < MIN_LETTERS and detect_language(short) is None
    assert not [f for f in check_message(short, "ozon", "en", "general") if f.rule == "language.mismatch"]


def test_names_and_order_numbers_in_latin_letters_do_not_make_a_russian_reply_english() -> None:
    text = "Здравствуйте, John! Заказ 113-4829301-5573021 (iPhone case) отправим завтра утром, трек-номер пришлём в чат."
    assert not [f for f in check_message(text, "ozon", "ru", "general") if f.rule == "language.mismatch"]


@pytest.mark.parametrize("reader, words", [("en", "reads as Chinese"), ("zh", "用中文写的"), ("ru", "«китайский»")])
def test_the_warning_is_written_in_the_readers_language(reader: str, words: str) -> None:
    assert words in mismatch_message("zh", "ru", reader)


def test_every_finding_can_be_read_in_every_language() -> None:
    """Issue 15, part 7: the checker's finding texts exist in en, zh and ru."""
    from aftersales.compliance.rules import load_rules

    rules = load_rules()
    assert rules and all(set(rule.messages) == {"en", "zh", "ru"} for rule in rules)
    assert all(rule.messages["en"] == rule.message for rule in rules)


def test_the_card_shows_the_message_check_in_the_cards_language() -> None:
    from types import SimpleNamespace

    from aftersales.widgets.wizard import message_check_html

    decision = SimpleNamespace(lang="zh", platform="taobao", message={"text": "Dear customer, sorry for the trouble."},
                               outcome_node=SimpleNamespace(reply_kind="apology"))
    html = message_check_html(decision)
    assert "消息检查" in html and "必须修改" in html and "致歉信" in html
    assert "apology.missing" not in html
