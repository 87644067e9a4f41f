"""The change-of-mind playbook (playbooks/change_of_mind.yaml): the no-reason return of any
category, by each market's withdrawal rule (docs/law.md). Case tables per market, the buyer's
local midnight, who pays the postage, the refund clock and the money."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.engine import decide
from aftersales.errors import FactError
from aftersales.library import load_library
from aftersales.policy.returns import asked_in_time, withdrawal_return_payer

LIBRARY = load_library()
MONEY = {"taobao": (199, "CNY"), "ozon": (3400, "RUB"), "generic": (129, "EUR"), "amazon": (60, "USD")}


def run(platform: str, as_of: str, lang: str = "en", **facts):
    value, currency = MONEY[platform]
    base = {"order_value": value, "currency": currency, "item_resaleable": True}
    return decide("change_of_mind", {**base, **facts}, platform, lang=lang, as_of=as_of, library=LIBRARY)


def due(decision, name: str) -> datetime:
    (found,) = [d for d in decision.deadlines if d.name == name]
    return found.due


# each market's rule, one sentence a lead would say ------------------------------------------------

CASES = [
    # China, Taobao (as of 15 Jan 2026, 17:00 Beijing time)
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-08"}, "accept_return",
                 id="CPL art. 25: received 8 Jan, asked 15 Jan - the 7th day after receipt is still inside"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-07"}, "reject_window_passed",
                 id="CPL art. 25: received 7 Jan - 15 Jan is the 8th day, past the 7 days"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-12", "goods_kind": "perishable"},
                 "reject_excluded_goods", id="CPL art. 25: fresh and perishable goods are excluded"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-12", "goods_kind": "unsealed_media"},
                 "reject_excluded_goods", id="CPL art. 25: unsealed audio-visual products and software are excluded"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-12", "goods_kind": "unsealed_hygiene"},
                 "accept_return", id="Interim Measures art. 7: opened hygiene goods without a checkout confirmation cannot be refused"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00",
                 {"delivered_on": "2026-01-12", "goods_kind": "unsealed_hygiene", "non_returnable_confirmed": True},
                 "reject_excluded_goods", id="Interim Measures art. 6-7: confirmed as non-returnable at checkout - excluded"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-12", "item_resaleable": False},
                 "reject_not_intact", id="Interim Measures art. 9: not intact (tags removed, used) - may be refused"),
    pytest.param("taobao", "2026-01-15T09:00:00+00:00", {"delivered_on": "2026-01-05", "return_terms_given": False},
                 "reject_window_passed", id="CPL art. 25: China has no longer period for untold terms"),
    # Russia, Ozon (as of 22 Nov 2026)
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-10-24"}, "accept_return",
                 id="ZoZPP art. 26.1 p.4 and Ozon's 30 days: day 29 - Ozon gives more than the law's 7 days"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-10-21"}, "reject_window_passed",
                 id="Ozon's 30 days: day 32 is past the window"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-09-23", "return_terms_given": False},
                 "accept_return", id="ZoZPP art. 26.1 p.4: return terms not given in writing - day 60 is inside 3 months"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-08-01", "return_terms_given": False},
                 "reject_window_passed", id="ZoZPP art. 26.1 p.4: terms not given - day 113 is past 3 months"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-18", "goods_kind": "made_to_order"},
                 "reject_excluded_goods", id="ZoZPP art. 26.1 p.4: goods with individually defined properties are excluded"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-18", "goods_kind": "unsealed_hygiene"},
                 "accept_return", id="ZoZPP art. 26.1 p.4: the non-exchangeable list is not applied to remote sales (toward the buyer)"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-18", "item_resaleable": False},
                 "reject_not_intact", id="ZoZPP art. 26.1 p.4: presentation and consumer properties not kept - may be refused"),
    pytest.param("ozon", "2026-11-22T12:00:00+00:00", {"delivered_on": None}, "cancel_before_delivery",
                 id="ZoZPP art. 26.1 p.4: the buyer may withdraw at any time before delivery"),
    # EU own store (as of 22 Nov 2026)
    pytest.param("generic", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-08"}, "accept_return",
                 id="Directive 2011/83 art. 9: day 14 is the last day of the withdrawal period"),
    pytest.param("generic", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-07"}, "reject_window_passed",
                 id="Directive 2011/83 art. 9: day 15 is past it"),
    pytest.param("generic", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-12", "item_resaleable": False},
                 "return_with_deduction", id="Directive 2011/83 art. 14(2): used inside the period - deduction, never refusal"),
    pytest.param("generic", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-18", "goods_kind": "unsealed_hygiene",
                                                        "item_resaleable": False},
                 "reject_excluded_goods", id="Directive 2011/83 art. 16(e): sealed hygiene goods once unsealed are excluded"),
    pytest.param("generic", "2026-11-22T12:00:00+00:00", {"delivered_on": "2026-11-18", "goods_kind": "made_to_order"},
                 "reject_excluded_goods", id="Directive 2011/83 art. 16(c): goods made to the consumer's specification are excluded"),
    pytest.param("generic", "2026-11-22T12:00:00+00:00", {"delivered_on": "2025-12-01", "return_terms_given": False},
                 "accept_return", id="Directive 2011/83 art. 10: not informed - day 356 is inside 14 days + 12 months"),
    # Amazon.com
    pytest.param("amazon", "2026-01-10T12:00:00+00:00", {"delivered_on": "2025-11-17"}, "accept_return",
                 id="Amazon holiday policy 2025: delivered 17 Nov, asked 10 Jan - the extension runs to 31 Jan"),
    pytest.param("amazon", "2026-07-02T12:00:00+00:00", {"delivered_on": "2026-06-01"}, "reject_window_passed",
                 id="Amazon return policy: day 31 is past the 30 days"),
    pytest.param("amazon", "2026-03-13T12:00:00+00:00", {"delivered_on": "2026-03-01", "item_resaleable": False},
                 "return_with_restocking_fee", id="Amazon restocking-fee policy: a used item inside the window is taken back, fee at most 50 %"),
]


@pytest.mark.parametrize("platform, as_of, facts, outcome", CASES)
def test_each_market_s_withdrawal_rule(platform: str, as_of: str, facts: dict, outcome: str) -> None:
    assert run(platform, as_of, **facts).outcome == outcome


def test_the_practice_bank_and_examples_cover_every_outcome() -> None:
    playbook = LIBRARY.playbook("change_of_mind")
    reached = {case.values[3] for case in CASES}
    assert reached == set(playbook.outcomes)


# the buyer's own midnight -----------------------------------------------------------------------

@pytest.mark.parametrize("platform, zone, delivered, last_day", [
    ("taobao", "Asia/Shanghai", "2026-01-08", date(2026, 1, 15)),
    ("ozon", "Europe/Moscow", "2026-10-24", date(2026, 11, 23)),
    ("ozon", "Asia/Vladivostok", "2026-10-24", date(2026, 11, 23)),
    ("generic", "Europe/Berlin", "2026-11-08", date(2026, 11, 22)),
    ("amazon", "America/Los_Angeles", "2026-06-01", date(2026, 7, 1)),
])
def test_a_request_at_23_59_local_on_the_last_day_is_in_time_and_00_01_is_not(platform, zone, delivered, last_day) -> None:
    tz = ZoneInfo(zone)
    inside = datetime.combine(last_day, datetime.min.time(), tzinfo=tz) + timedelta(hours=23, minutes=59)
    outside = inside + timedelta(minutes=2)
    as_of = (outside + timedelta(hours=1)).isoformat()
    for asked, outcome in ((inside, "accept_return"), (outside, "reject_window_passed")):
        decision = run(platform, as_of, delivered_on=delivered, customer_timezone=zone, return_requested_at=asked.isoformat())
        assert decision.outcome == outcome, (asked, outcome)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2026, 12, 31)), st.integers(-2000, 2000),
       st.sampled_from(["Europe/Moscow", "Europe/Kaliningrad", "Asia/Vladivostok", "Asia/Shanghai", "Europe/Berlin",
                        "America/Los_Angeles", "Pacific/Chatham", "UTC"]))
def test_in_time_means_on_or_before_the_last_day_in_the_buyer_s_zone(last_day, minutes, zone) -> None:
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(zone))
    asked = (end + timedelta(minutes=minutes)).astimezone(ZoneInfo("UTC"))  # the same moment, seen in UTC
    assert asked_in_time(asked, zone, last_day) == (minutes < 0)


# who pays the postage -----------------------------------------------------------------------------

@pytest.mark.parametrize("platform, facts, payer", [
    pytest.param("ozon", {"fulfilment": "FBO"}, "seller", id="Ozon FBO: the return is charged to the seller, the buyer pays nothing"),
    pytest.param("ozon", {"fulfilment": "FBS"}, "seller", id="Ozon FBS: the same"),
    pytest.param("ozon", {"fulfilment": "rFBS"}, "buyer", id="Ozon rFBS: the buyer pays the return of an item of proper quality"),
    pytest.param("taobao", {}, "buyer", id="CPL art. 25: the buyer pays unless agreed"),
    pytest.param("taobao", {"shipping_insurance": True}, "insurer", id="Taobao: return-shipping insurance pays the buyer's postage"),
    pytest.param("generic", {}, "buyer", id="Directive 2011/83 art. 14(1): the informed consumer pays the direct cost"),
    pytest.param("generic", {"return_terms_given": False}, "seller", id="Directive 2011/83 art. 6(1)(i): not informed - the trader pays"),
    pytest.param("amazon", {}, "buyer", id="Amazon: buyer remorse is buyer-paid"),
    pytest.param("amazon", {"category": "footwear"}, "seller", id="Amazon: fashion returns are seller-paid whatever the reason"),
])
def test_who_pays_the_return_postage(platform: str, facts: dict, payer: str) -> None:
    as_of = {"taobao": "2026-01-15T09:00:00+00:00", "amazon": "2026-03-05T12:00:00+00:00"}.get(platform, "2026-11-22T12:00:00+00:00")
    delivered = {"taobao": "2026-01-12", "amazon": "2026-03-01"}.get(platform, "2026-11-18")
    decision = run(platform, as_of, delivered_on=delivered, **facts)
    assert decision.outcome == "accept_return"
    assert decision.return_shipping_paid_by == payer


def test_the_payer_function_reads_the_table_only_when_no_rule_moves_the_cost() -> None:
    table = {"change_of_mind": "buyer"}
    assert withdrawal_return_payer(table) == "buyer"
    assert withdrawal_return_payer(table, fulfilment="FBO", charged_to_seller=["FBO"]) == "seller"
    assert withdrawal_return_payer(table, fulfilment="rFBS", charged_to_seller=["FBO"]) == "buyer"
    assert withdrawal_return_payer(table, terms_given=False, buyer_pays_only_if_informed=True) == "seller"
    assert withdrawal_return_payer(table, terms_given=False, buyer_pays_only_if_informed=False) == "buyer"


# the refund clock -------------------------------------------------------------------------------

def test_russia_and_the_eu_count_the_refund_from_the_buyer_s_request() -> None:
    ozon = run("ozon", "2026-11-22T12:00:00+00:00", delivered_on="2026-11-18",
               return_requested_at="2026-11-20T10:00:00+03:00", customer_timezone="Europe/Moscow")
    # 10 days from the demand of 20 Nov: the 30th ends at 24:00 Moscow time (ZoZPP art. 26.1 p.4)
    assert due(ozon, "refund_due") == datetime(2026, 12, 1, tzinfo=ZoneInfo("Europe/Moscow"))
    eu = run("generic", "2026-11-22T12:00:00+00:00", delivered_on="2026-11-18",
             return_requested_at="2026-11-20T10:00:00+01:00", customer_timezone="Europe/Berlin")
    # 14 days from the notice (Directive 2011/83 art. 13), whether or not the item has arrived
    assert due(eu, "refund_due") == datetime(2026, 12, 5, tzinfo=ZoneInfo("Europe/Berlin"))
    assert "request to return" in [d for d in eu.deadlines if d.name == "refund_due"][0].rule


def test_china_and_amazon_count_the_refund_from_the_return_s_arrival() -> None:
    waiting = run("taobao", "2026-01-15T09:00:00+00:00", delivered_on="2026-01-12")
    assert "refund_due" not in {d.name for d in waiting.deadlines}  # nothing is due before the item is back
    arrived = run("taobao", "2026-01-20T09:00:00+00:00", delivered_on="2026-01-12",
                  return_requested_at="2026-01-14T09:00:00+08:00", return_received_on="2026-01-19")
    assert due(arrived, "refund_due") == datetime(2026, 1, 27, tzinfo=ZoneInfo("Asia/Shanghai"))  # CPL art. 25: 7 days
    amazon = run("amazon", "2026-03-10T12:00:00+00:00", delivered_on="2026-03-01", return_received_on="2026-03-06")
    # 2 business days after Friday 6 March: Monday 9 and Tuesday 10, so 24:00 of the 10th, Pacific Time
    assert due(amazon, "refund_due") == datetime(2026, 3, 11, tzinfo=ZoneInfo("America/Los_Angeles"))


# money and words ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_only_the_returned_item_is_refunded(lang: str) -> None:
    decision = run("generic", "2026-11-22T12:00:00+00:00", lang=lang, delivered_on="2026-11-18",
                   order_value=129, item_value=49)
    text = decision.message["text"]
    shown = {"en": "€49.00", "zh": "€49.00", "ru": "49\u00a0€"}[lang]  # CLDR money of the language
    assert shown in text and "129" not in text


def _messages():
    playbook = LIBRARY.playbook("change_of_mind")
    for example, _ in playbook.examples:
        for lang in ("en", "zh", "ru"):
            facts = {**example.facts, "customer_name": "Anna", "order_id": "A-1"}
            yield example, lang, decide("change_of_mind", facts, example.platform, lang=lang,
                                        as_of=example.as_of, library=LIBRARY)


def test_no_message_shows_an_id_an_expression_none_or_utc() -> None:
    seen = 0
    for example, lang, decision in _messages():
        text = decision.message["text"]
        seen += 1
        assert "None" not in text and "UTC" not in text and "{" not in text, (example.name, lang, text)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (example.name, lang, text)  # no snake_case ids
    assert seen == 3 * len(LIBRARY.playbook("change_of_mind").examples)


def test_every_message_passes_the_message_checker() -> None:
    from aftersales.compliance import check_message

    for example, lang, decision in _messages():
        kind = decision.outcome_node.reply_kind or "apology"
        errors = [f for f in check_message(decision.message["text"], platform=example.platform, lang=lang, kind=kind)
                  if f.severity == "error"]
        assert not errors, (example.name, lang, errors)


def test_a_withdrawal_never_refunds_more_than_the_item() -> None:
    for example, _lang, decision in _messages():
        compensation = decision.compensation
        if compensation is not None:
            assert compensation["amount"] <= float(example.facts.get("item_value", example.facts["order_value"]))


def test_a_currency_the_platform_does_not_sell_in_is_a_fact_error() -> None:
    with pytest.raises(FactError) as raised:
        run("ozon", "2026-11-22T12:00:00+00:00", delivered_on="2026-11-18", currency="USD")
    assert raised.value.field == "currency"
