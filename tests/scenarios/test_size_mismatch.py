"""Size mismatch, case by case: one sentence per case, across the four platforms (seed 001)."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.engine import decide
from aftersales.errors import FactError
from aftersales.policy.deadlines import end_of_day

from .support import summary

AS_OF = "2026-01-15T09:00:00+00:00"
BASE = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
        "category": "apparel", "size_deviation_cm": 1.0, "item_resaleable": True, "customer_preference": "refund"}


def case(platform: str, **facts) -> tuple[str, dict]:
    return platform, {**BASE, **facts}


CASES = [
    pytest.param(*case("taobao", size_deviation_cm=3.5, customer_preference="exchange"),
                 ("exchange_seller_pays", "exchange", "seller", "seller"),
                 id="Taobao: 3.5 cm off is beyond the 3 cm tolerance, so the seller pays the exchange"),
    pytest.param(*case("taobao", size_deviation_cm=3.0), ("return_buyer_pays", "refund", "buyer", "buyer"),
                 id="Taobao: exactly 3.0 cm conforms, so a no-reason return is at the buyer's cost"),
    pytest.param(*case("taobao", size_deviation_cm=3.01, customer_preference="refund"),
                 ("refund_seller_pays", "refund", "seller", "seller"),
                 id="Taobao: 3.01 cm is beyond the tolerance, so the seller pays the refund's return"),
    pytest.param(*case("taobao", delivered_on="2026-01-07"), ("reject_window_passed", "reject", "none", "buyer"),
                 id="Taobao: delivered 8 days ago is past the 7-day no-reason window"),
    pytest.param(*case("taobao", delivered_on="2026-01-08"), ("return_buyer_pays", "refund", "buyer", "buyer"),
                 id="Taobao: delivered 7 days ago is the last day of the window"),
    pytest.param(*case("taobao", item_resaleable=False), ("reject_not_resaleable", "reject", "none", "buyer"),
                 id="Taobao: tags cut means no return without a reason"),
    pytest.param(*case("amazon", currency="USD", category="apparel"), ("return_buyer_pays", "refund", "seller", "buyer"),
                 id="Amazon: a conforming apparel return is still seller-paid under the fashion rule"),
    pytest.param(*case("amazon", currency="USD", category="other"), ("return_buyer_pays", "refund", "buyer", "buyer"),
                 id="Amazon: a conforming non-fashion return is paid by the buyer"),
    pytest.param(*case("amazon", currency="USD", delivered_on="2025-12-10", ordered_on="2025-10-20"),
                 ("reject_window_passed", "reject", "none", "buyer"),
                 id="Amazon: ordered before the holiday season, 36 days after delivery is past the 30-day return window"),
    pytest.param(*case("amazon", currency="USD", delivered_on="2025-12-10"), ("return_buyer_pays", "refund", "seller", "buyer"),
                 id="Amazon: bought in the 2025 holiday season, day 36 is inside the extension to 31 Jan"),
    pytest.param(*case("amazon", currency="USD", delivered_on="2025-12-16", category="other"),
                 ("return_buyer_pays", "refund", "buyer", "buyer"), id="Amazon: day 30 after delivery is still in the window"),
    pytest.param(*case("ozon", currency="RUB", order_value=2500, category="footwear", customer_preference="exchange"),
                 ("exchange_buyer_pays", "exchange", "seller", "buyer"),
                 id="Ozon FBS (the default): a conforming shoe exchanged on request - Ozon bills the return leg to the seller"),
    pytest.param(*case("ozon", currency="RUB", order_value=2500, category="footwear", customer_preference="exchange",
                       fulfilment="rFBS"),
                 ("exchange_buyer_pays", "exchange", "buyer", "buyer"),
                 id="Ozon rFBS: a conforming shoe exchanged on request is at the buyer's cost"),
    pytest.param(*case("ozon", currency="RUB", order_value=2500, customer_preference="none"),
                 ("size_advice", "reply", "none", "none"),
                 id="Ozon: no preference stated gets size advice and the options"),
    pytest.param(*case("generic", currency="EUR", order_value=9, size_deviation_cm=5, customer_preference="none",
                       remote_region=True), ("refund_seller_pays", "refund", "seller", "seller"),
                 id="Own store: a cheap item to a remote region is refunded rather than exchanged"),
    pytest.param(*case("generic", currency="EUR", order_value=60, size_deviation_cm=5, customer_preference="none",
                       remote_region=True), ("exchange_seller_pays", "exchange", "seller", "seller"),
                 id="Own store: a dearer item to a remote region is exchanged for another model"),
    pytest.param(*case("generic", currency="EUR", evidence_provided=False), ("ask_for_measurement", "wait", "none", "none"),
                 id="Own store: without a photo of the measurement we ask for one first"),
    pytest.param(*case("ozon", currency="RUB", delivered_on=None), ("not_delivered", "wait", "none", "none"),
                 id="Ozon: a complaint before delivery waits for the parcel"),
]


@pytest.mark.parametrize("platform, facts, expected", CASES)
def test_size_mismatch_cases(platform: str, facts: dict, expected: tuple) -> None:
    decision = decide("size_mismatch", facts, platform=platform, lang="en", as_of=AS_OF)
    assert summary(decision) == (*expected, None)


def test_return_window_deadline_ends_on_the_last_day() -> None:
    decision = decide("size_mismatch", {**BASE, "customer_preference": "exchange"}, platform="taobao", as_of=AS_OF)
    due = {d.name: d.due for d in decision.deadlines}
    assert due["return_window_end"] == end_of_day(date(2026, 1, 19), "Asia/Shanghai")  # 24:00 local


@pytest.mark.parametrize("lang, phrase", [
    pytest.param("en", "more than our 3 cm tolerance", id="English names the tolerance"),
    pytest.param("zh", "超出了 3 厘米的误差范围", id="Chinese names the tolerance"),
    pytest.param("ru", "больше допустимых 3 см", id="Russian names the tolerance"),
])
def test_message_in_each_language(lang: str, phrase: str) -> None:
    facts = {**BASE, "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    decision = decide("size_mismatch", facts, platform="taobao", lang=lang, as_of=AS_OF)
    assert phrase in decision.message["text"]


def test_a_negative_deviation_is_refused() -> None:
    with pytest.raises(FactError, match="size_deviation_cm"):
        decide("size_mismatch", {**BASE, "size_deviation_cm": -0.5}, platform="taobao", as_of=AS_OF)
