"""The bad-review playbook (playbooks/bad_review.yaml), case by case, as the SOP reads.

Every case runs at a fixed moment (AS_OF) so deadlines and windows never depend on the clock.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from aftersales.engine import decide, next_question
from aftersales.errors import FactError
from aftersales.library import load_library
from aftersales.policy.deadlines import end_of_day

AS_OF = "2026-01-15T09:00:00+00:00"
UTC = timezone.utc
PLATFORMS = ("amazon", "amazon_de", "ozon", "taobao", "generic")

# A plain one-star product review about the product: nothing unfair in it, not solved yet.
BAD = {"review_kind": "product_review", "rating": 1, "about": "product", "review_text": "Broke on the first day.",
       "abusive_or_personal_data": False, "factually_false": False, "issue_resolved": False, "buyer_contactable": True}


def run(platform: str, lang: str | None = None, **facts):
    return decide("bad_review", {**BAD, **facts}, platform=platform, lang=lang, as_of=AS_OF)


def summary(decision) -> tuple:
    amount = decision.compensation["amount"] if decision.compensation else None
    return (decision.outcome, decision.resolution, decision.return_shipping_paid_by, decision.cost_borne_by, amount)


def reply(outcome: str) -> tuple:
    return (outcome, "reply", "none", "none", None)


def due(decision, name: str) -> datetime:
    return {d.name: d.due for d in decision.deadlines}[name]


CASES = [
    pytest.param("amazon", dict(about="shipping", review_posted_on="2026-01-14"),
                 ("request_removal", "request_removal", "none", "none", None),
                 id="An Amazon product review only about the courier can be reported"),
    pytest.param("amazon", dict(review_kind="seller_feedback", about="product"),
                 ("request_removal", "request_removal", "none", "none", None),
                 id="Amazon seller feedback that is entirely a product review can be reported"),
    pytest.param("amazon", dict(review_kind="seller_feedback", about="shipping"),
                 reply("contact_and_solve"),
                 id="Amazon seller feedback about shipping stays, so the seller contacts the buyer"),
    pytest.param("amazon", dict(factually_false=True),
                 ("platform_support", "escalate", "none", "none", None),
                 id="A false Amazon product review is not a removal ground, so support is the last resort"),
    pytest.param("amazon", dict(rating=2, review_kind="seller_feedback", about="seller_service", buyer_contactable=True),
                 reply("contact_and_solve"),
                 id="Amazon feedback about slow answers gets a direct apology with a solution"),
    pytest.param("ozon", dict(abusive_or_personal_data=True, review_posted_on="2026-01-14"),
                 ("request_removal", "request_removal", "none", "none", None),
                 id="An abusive Ozon review is reported for removal"),
    pytest.param("ozon", dict(factually_false=True, review_posted_on="2026-01-10"),
                 ("request_removal", "request_removal", "none", "none", None),
                 id="A false Ozon review is reported with the facts"),
    pytest.param("ozon", dict(rating=3, about="price", issue_resolved=True),
                 reply("reply_resolved"),
                 id="A solved three-star Ozon review about the price gets thanks and what changed"),
    pytest.param("ozon", dict(rating=4),
                 reply("thank_you"),
                 id="A four-star Ozon review gets a thank-you"),
    pytest.param("taobao", dict(abusive_or_personal_data=True),
                 ("request_removal", "request_removal", "none", "none", None),
                 id="A Taobao review with a phone number in it is reported"),
    pytest.param("taobao", dict(factually_false=True, about="shipping"),
                 ("platform_support", "escalate", "none", "none", None),
                 id="A false Taobao review has no removal ground, so support is the last resort"),
    pytest.param("taobao", dict(review_deal_proposed=True),
                 reply("decline_review_deal"),
                 id="A Taobao buyer who offers to delete the review for a coupon is refused"),
    pytest.param("taobao", dict(rating=5, review_deal_proposed=True),
                 reply("decline_review_deal"),
                 id="Even a five-star reviewer's deal for a better review is refused"),
    pytest.param("generic", dict(rating=5),
                 reply("thank_you"),
                 id="A five-star web-store review gets a thank-you"),
    pytest.param("generic", dict(rating=2, buyer_contactable=False),
                 reply("public_reply"),
                 id="A buyer we cannot reach gets a public apology with a solution"),
    pytest.param("generic", dict(about="other", issue_resolved=True),
                 reply("reply_resolved"),
                 id="A solved web-store complaint gets a reply saying what changed"),
    pytest.param("generic", dict(about="price"),
                 reply("contact_and_solve"),
                 id="A price complaint on a web store is no removal ground"),
]


@pytest.mark.parametrize("platform, facts, expected", CASES)
def test_bad_review_cases(platform: str, facts: dict, expected: tuple) -> None:
    assert summary(run(platform, **facts)) == expected


# boundaries -------------------------------------------------------------------------------

@pytest.mark.parametrize("rating, outcome", [
    pytest.param(1, "contact_and_solve", id="One star is a bad review"),
    pytest.param(2, "contact_and_solve", id="Two stars is a bad review"),
    pytest.param(3, "contact_and_solve", id="Three stars is handled like a bad review"),
    pytest.param(4, "thank_you", id="Four stars gets a thank-you"),
    pytest.param(5, "thank_you", id="Five stars gets a thank-you"),
])
def test_rating_boundaries(rating: int, outcome: str) -> None:
    assert run("generic", rating=rating).outcome == outcome


@pytest.mark.parametrize("posted, outcome", [
    pytest.param("2025-12-16", "request_removal", id="Day 30 after publication is still inside Ozon's window"),
    pytest.param("2025-12-15", "platform_support", id="Day 31 after publication is past Ozon's window"),
])
def test_ozon_complaint_window(posted: str, outcome: str) -> None:
    assert run("ozon", abusive_or_personal_data=True, review_posted_on=posted).outcome == outcome


def test_good_reviews_never_ask_about_removal_or_resolution() -> None:
    facts = {"review_kind": "product_review", "rating": 5, "about": "product", "review_text": "Great"}
    assert next_question("bad_review", facts, platform="amazon", as_of=AS_OF).name == "review_posted_on"
    facts["review_posted_on"] = None
    assert next_question("bad_review", facts, platform="amazon", as_of=AS_OF).name == "review_deal_proposed"
    facts["review_deal_proposed"] = False
    assert next_question("bad_review", facts, platform="amazon", as_of=AS_OF) is None
    assert decide("bad_review", facts, platform="amazon", as_of=AS_OF).outcome == "thank_you"


def test_no_platform_allows_anything_of_value_for_a_review() -> None:
    library = load_library()
    for platform in PLATFORMS:
        values = library.profile(platform).values(date(2026, 1, 15))
        assert values["review_incentive_allowed"] is False, platform
        assert values["review_removal_compensation_allowed"] is False, platform


# deadlines --------------------------------------------------------------------------------

def test_reply_deadline_counts_from_the_decision() -> None:
    assert due(run("amazon"), "first_reply") == datetime(2026, 1, 16, 9, 0, tzinfo=UTC)


def test_complaint_window_counts_from_publication() -> None:
    decision = run("ozon", abusive_or_personal_data=True, review_posted_on="2026-01-14")
    assert due(decision, "complaint_window_end") == end_of_day(date(2026, 2, 13), "Europe/Moscow")  # 24:00 local


def test_complaint_window_counts_from_now_when_publication_is_unknown() -> None:
    decision = run("amazon", about="shipping")
    assert due(decision, "complaint_window_end") == datetime(2026, 4, 15, 9, 0, tzinfo=UTC)


def test_no_complaint_deadline_where_the_platform_sets_none() -> None:
    decision = run("taobao", abusive_or_personal_data=True)
    assert "complaint_window_end" not in {d.name for d in decision.deadlines}


# messages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, phrases", [
    pytest.param("en", ["We're truly sorry that the product didn't live up to what we promised",
                        "a replacement or refund you", "product team", "Just reply here in our store's messages"],
                 id="English apology has the mistake, the solution, the improvement and the follow-up"),
    pytest.param("zh", ["非常抱歉，商品没有达到我们承诺的品质", "换货或退款", "产品团队", "请直接在本店的消息中回复我们"],
                 id="Chinese apology has the mistake, the solution, the improvement and the follow-up"),
    pytest.param("ru", ["Искренне просим прощения: товар оказался не таким, как мы обещали",
                        "заменить его или вернуть деньги", "команде продукта", "Ответьте нам в сообщениях нашего магазина"],
                 id="Russian apology has the mistake, the solution, the improvement and the follow-up"),
])
def test_apology_letter_elements_in_each_language(lang: str, phrases: list[str]) -> None:
    text = run("generic", lang=lang, customer_name="Alex").message["text"]
    for phrase in phrases:
        assert phrase in text
    assert "Alex" in text


def test_the_review_text_is_quoted_as_data_never_run_as_a_template() -> None:
    text = run("generic", lang="en", review_text="{{ 7 * 7 }} {% for x in y %} <b>bad</b>").message["text"]
    assert "{{ 7 * 7 }} {% for x in y %} <b>bad</b>" in text
    assert "49" not in text


def test_only_seller_feedback_mentions_that_it_can_be_updated() -> None:
    feedback = run("amazon", lang="en", review_kind="seller_feedback", about="shipping", issue_resolved=True)
    product = run("amazon", lang="en", review_kind="product_review", about="other", issue_resolved=True)
    assert "it is possible to update the feedback you originally provided" in feedback.message["text"]
    assert "update" not in product.message["text"]


def test_abusive_reviews_are_never_quoted_back() -> None:
    text = run("ozon", lang="en", abusive_or_personal_data=True, review_text="You are all crooks").message["text"]
    assert "crooks" not in text


@pytest.mark.parametrize("platform, facts, _expected", CASES)
@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_every_message_renders_and_is_platform_safe(platform: str, facts: dict, _expected: tuple, lang: str) -> None:
    text = run(platform, lang=lang, **facts).message["text"]
    assert text and "{{" not in text and "{%" not in text
    assert not re.search(r"https?://|www\.|@|\+?\d[\d ()-]{8,}\d", text), text
    incentive = r"(?i)coupon|voucher|discount|gift|bonus|free product|优惠券|红包|返现|礼品|купон|скидк|подар|бонус"
    assert not re.search(incentive, text), text
    removal_ask = r"(?i)(please|kindly) (change|remove|delete)|请.{0,6}(删除|修改)|(удалите|измените) отзыв"
    assert not re.search(removal_ask, text), text


# facts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("facts, field, words", [
    pytest.param({**BAD, "rating": 6}, "rating", "out of range", id="Six stars is out of range"),
    pytest.param({**BAD, "rating": "bad"}, "rating", "expected a whole number", id="A rating must be a number"),
    pytest.param({**BAD, "rating": 2.5}, "rating", "expected a whole number", id="A rating is a whole number"),
    pytest.param({**BAD, "about": "weather"}, "about", "not one of the choices", id="An unknown topic is refused"),
    pytest.param({k: v for k, v in BAD.items() if k != "review_text"}, "review_text", "missing",
                 id="The review text is required"),
    pytest.param({k: v for k, v in BAD.items() if k != "abusive_or_personal_data"}, "abusive_or_personal_data", "missing",
                 id="A bad review needs the abuse check answered"),
])
def test_bad_facts_raise_fact_error(facts: dict, field: str, words: str) -> None:
    with pytest.raises(FactError) as info:
        decide("bad_review", facts, platform="generic", as_of=AS_OF)
    assert info.value.field == field
    assert words in str(info.value)
