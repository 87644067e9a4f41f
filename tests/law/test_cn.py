"""China (CPL 2013, SAIC Order 90, 三包) on Taobao: one sentence per case, each citing its article."""

from __future__ import annotations

import pytest

from aftersales.platforms import load_profiles

from .support import QUALITY, SIZE, run

AS_OF = "2026-01-15T09:00:00+00:00"
MONEY = {"order_value": 129, "currency": "CNY"}


def q(delivered_on: str, **facts) -> dict:
    return {**MONEY, **QUALITY, "delivered_on": delivered_on, **facts}


def s(delivered_on: str, **facts) -> dict:
    return {**MONEY, **SIZE, "delivered_on": delivered_on, **facts}


CASES = [
    pytest.param("size_mismatch", s("2026-01-08"), "return_buyer_pays",
                 id="CPL art. 25: received 7 days ago - the last day of the no-reason return, buyer pays postage"),
    pytest.param("size_mismatch", s("2026-01-07"), "reject_window_passed",
                 id="CPL art. 25: received 8 days ago - past the 7 days"),
    pytest.param("size_mismatch", s("2026-01-12", item_resaleable=False), "reject_not_resaleable",
                 id="Order 90 art. 9: clothing with the tag cut is not intact - the no-reason return may be refused"),
    pytest.param("size_mismatch", s("2026-01-12", return_terms_given=False), "return_buyer_pays",
                 id="CPL art. 25: no longer window for untold terms in China; inside the 7 days it is accepted"),
    pytest.param("size_mismatch", s("2026-01-05", return_terms_given=False), "reject_window_passed",
                 id="CPL art. 25: untold terms do not extend the 7 days in China"),
    pytest.param("size_mismatch", s("2026-01-12", size_deviation_cm=3.5, customer_preference="exchange"), "exchange_seller_pays",
                 id="CPL art. 24: beyond the tolerance it is a quality problem - the seller pays the exchange"),
    pytest.param("quality_defect", q("2026-01-10", customer_preference="refund"), "refund_seller_pays",
                 id="CPL art. 24: a quality problem within 7 days of receipt may be returned, seller pays transport"),
    pytest.param("quality_defect", q("2026-01-03", customer_preference="exchange"), "exchange_seller_pays",
                 id="三包 art. 10: within 15 days the buyer may take an exchange"),
    pytest.param("quality_defect", q("2025-12-01", customer_preference="refund"), "repair_by_seller",
                 id="CPL art. 24: after the windows a refund needs legal termination grounds - repair first"),
    pytest.param("quality_defect", q("2025-12-01", misuse_suspected=True), "inspect_item",
                 id="CPL art. 24: a suspicion alone is inspected at the seller's cost before any refusal"),
    pytest.param("quality_defect", q("2025-12-01", misuse_suspected=True, inspection_finding="handling_damage"), "paid_repair",
                 id="CPL art. 24: damage from use found by the inspection is not a quality problem - paid repair, price first"),
    pytest.param("quality_defect", q("2026-01-12", defect_severity="safety"), "safety_refund",
                 id="CPL art. 24: an unsafe item is refunded at once"),
]


@pytest.mark.parametrize("scenario, facts, outcome", CASES)
def test_chinese_law(scenario: str, facts: dict, outcome: str) -> None:
    assert run(scenario, "taobao", facts, as_of=AS_OF).outcome == outcome


def test_taobao_keeps_the_legal_windows() -> None:
    profile = load_profiles()["taobao"]
    assert profile.get("return_window_days", "2026-01-15").value >= 7
    assert profile.get("refund_after_return_days", "2026-01-15").value <= 7
    assert profile.get("early_defect_exchange_days", "2026-01-15").value >= 15
