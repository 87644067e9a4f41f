"""What the reply says is scored (issue 18, part 1): the false marks the issue lists, one test each,
and the engine's own message always earning the reply's point."""

from __future__ import annotations

import pytest

from aftersales.engine import decide
from aftersales.training.cases import get_case, load_cases
from aftersales.training.reply_content import amounts, reply_problems
from aftersales.training.scoring import Answer, score_attempt


def perfect_answer(case, reply: str) -> Answer:
    expected = case.expected
    comp = expected.compensation
    return Answer(facts=dict(case.facts), resolution=expected.resolution,
                  return_shipping_paid_by=expected.return_shipping_paid_by, cost_borne_by=expected.cost_borne_by,
                  compensation=comp.amount if comp else None,
                  deadlines={k: str(v) for k, v in expected.deadlines.items()}, reply=reply)


def engine_message(case) -> str:
    return decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of).message["text"]


def reply_check(case, reply: str, lang: str | None = None):
    score = score_attempt(case, perfect_answer(case, reply), lang=lang)
    return next(c for c in score.checks if c.name == "reply")


@pytest.mark.parametrize("case_id", [c.id for c in load_cases()])
@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_the_engines_own_decision_and_message_score_full_marks_on_every_case(case_id, lang):
    """The property the issue asks for: the playbook's own answer, with the engine's message as the
    reply, scores every point on every case, whatever the trainee's language."""
    case = get_case(case_id)
    score = score_attempt(case, perfect_answer(case, engine_message(case)), lang=lang)
    assert score.points == score.max_points, [(c.name, c.given, c.why) for c in score.misses]


@pytest.mark.parametrize("reply", ["好的", "好", "OK", "亲"])
def test_a_word_or_two_earns_nothing(reply):
    """'好的' used to score 100 %."""
    check = reply_check(get_case("quality-001"), reply)
    assert not check.ok and "too_short" in check.given


def test_a_reply_in_english_to_a_chinese_buyer_is_a_miss_said_in_the_trainees_language():
    case = get_case("quality-001")
    check = reply_check(case, "Hello, we are sorry about the defect. We will send a partial refund today and "
                              "improve our checks. Reply here with any questions.", lang="zh")
    assert not check.ok and "wrong_language" in check.given and "中文" in check.why


def test_a_full_refund_promised_against_a_partial_refund_decision_is_a_miss():
    case = get_case("quality-003")  # Amazon, en, partial refund
    assert case.expected.resolution == "partial_refund"
    message = engine_message(case)
    check = reply_check(case, message + " Actually, we will give you a full refund instead.")
    assert not check.ok and "full_refund" in check.given


def test_more_money_than_the_customer_paid_is_a_miss():
    """Admitting fault and promising $1,500 used to be flagged only for an e-mail address."""
    case = get_case("quality-003")
    check = reply_check(case, engine_message(case) + " On top of that we will send you $1,500 for the trouble.")
    assert not check.ok and "too_much_money" in check.given


@pytest.mark.parametrize("text, found", [
    ("We refunded $15.50 today", [15.5]), ("Вернём 4 200 ₽ сегодня", [4200.0]), ("退您20元", [20.0]),
    ("a refund of 1,200.00 USD", [1200.0]), ("1 200,50 руб. уже отправлены", [1200.5]), ("size 3.5 cm", []),
    ("order 12345 shipped", []),
])
def test_amounts_are_read_with_their_currency_only(text, found):
    assert amounts(text) == found


def test_a_reply_that_says_what_the_decision_gives_has_no_problem():
    case = get_case("quality-003")
    decision = decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of)
    assert reply_problems(decision.message["text"], decision, case.lang) == []


# ---- fair, consistent marks (issue 18, part 3) ---------------------------------------------------------

def deadline_check(case, written):
    answer = perfect_answer(case, engine_message(case))
    answer.deadlines = {} if written is None else {"first_reply": written}
    score = score_attempt(case, answer)
    return next(c for c in score.checks if c.name == "deadline:first_reply")


def test_a_due_time_without_an_offset_is_read_on_the_buyers_clock():
    """A correct deadline without a time zone used to be wrong, with no hint."""
    case = get_case("size-001")  # Taobao: Beijing time
    due = case.expected.deadlines["first_reply"]
    local = due.astimezone(decide(case.scenario, case.facts, case.platform, as_of=case.as_of,
                                  render_message=False).deadlines[0].due.tzinfo)
    assert deadline_check(case, local.strftime("%Y-%m-%d %H:%M")).ok
    assert deadline_check(case, local.strftime("%Y-%m-%dT%H:%M")).ok


def test_an_unreadable_due_time_is_a_miss_with_a_hint_in_the_trainees_language():
    case = get_case("size-001")
    check = deadline_check(case, "tomorrow 5pm")
    assert not check.ok and "ISO" in check.why


def test_a_due_time_left_out_is_a_miss_in_the_command_line_as_in_the_practice_page():
    """No deadline used to score full marks from the command line while a blank one missed in the page."""
    case = get_case("size-001")
    assert not deadline_check(case, None).ok
    assert not deadline_check(case, "").ok


@pytest.mark.parametrize("field, value, allowed", [("resolution", "refund_only", "partial_refund"),
                                                   ("return_shipping_paid_by", "shop", "seller"),
                                                   ("cost_borne_by", "customer", "insurer")])
def test_an_unknown_code_is_refused_with_what_is_allowed(field, value, allowed):
    from aftersales.errors import FactError

    case = get_case("size-001")
    answer = perfect_answer(case, engine_message(case))
    setattr(answer, field, value)
    with pytest.raises(FactError) as raised:
        score_attempt(case, answer)
    assert raised.value.field == field and allowed in raised.value.allowed.split(", ")
    assert value in str(raised.value)


@pytest.mark.parametrize("case_id, reply, problem", [
    ("size-001", "亲，非常抱歉尺码有误，我们直接给您退款，您看可以吗？有问题随时旺旺找我。", "other_remedy"),
    ("size-001", "亲，非常抱歉，我们给您换货，不过来回运费需要您承担哦，有问题随时找我。", "wrong_payer"),
    ("wrong-005", "Здравствуйте! Приносим извинения за ошибку. Мы вернём вам деньги в течение трёх дней, пишите в чат.",
     "other_remedy"),
    ("wrong-005", "Здравствуйте! Простите за ошибку, мы заменим товар, но обратную доставку оплачиваете вы. Пишите в чат.",
     "wrong_payer"),
    ("size-006", "Hi, sorry it didn't fit. We'll send a replacement, and we'll cover the return shipping for you.",
     "wrong_payer"),
])
def test_a_reply_promising_another_remedy_or_payer_than_the_decision_is_a_miss(case_id, reply, problem):
    """Promising a refund against an exchange, or the wrong side paying the postage, used to pass."""
    check = reply_check(get_case(case_id), reply)
    assert not check.ok and problem in check.given


@pytest.mark.parametrize(("case_id", "extra"), [
    # a recalled product: the refund of the price paid is always open (EU GPSR art. 37(2)), even
    # when the recall's remedy is a repair
    ("recall-002", " If you prefer, we will give you a full refund instead."),
    # a parcel stopped before delivery is refunded in full
    ("recall-005", " You will get a full refund as soon as the parcel is stopped."),
])
def test_a_full_refund_is_right_where_the_whole_price_goes_back(case_id, extra):
    case = get_case(case_id)
    check = reply_check(case, engine_message(case) + extra)
    assert "full_refund" not in check.given, check.why
