"""Russia (ZoZPP No. 2300-1) on Ozon: one sentence per case, each citing its article."""

from __future__ import annotations

import pytest

from aftersales.platforms import load_profiles

from .support import QUALITY, SIZE, run

MONEY = {"order_value": 4200, "currency": "RUB"}


def q(delivered_on: str, **facts) -> dict:
    return {**MONEY, **QUALITY, "delivered_on": delivered_on, **facts}


def s(delivered_on: str, **facts) -> dict:
    return {**MONEY, **SIZE, "order_value": 2500, "delivered_on": delivered_on, **facts}


CASES = [
    pytest.param("quality_defect", q("2025-10-18"), "repair_by_seller",
                 id="art. 19 p.1: no warranty, a real defect 400 days after delivery is inside the 2-year claim period - free repair, not a paid one"),
    pytest.param("quality_defect", q("2025-10-18", customer_preference="refund"), "refund_seller_pays",
                 id="art. 18 p.1: inside the claim period the buyer of ordinary goods chooses a refund"),
    pytest.param("quality_defect", q("2026-10-13", customer_preference="refund"), "refund_seller_pays",
                 id="art. 18 p.1: ordinary goods, day 40, the buyer's refund demand wins over the repair ladder"),
    pytest.param("quality_defect", q("2026-10-13", customer_preference="exchange"), "exchange_seller_pays",
                 id="art. 18 p.1: ordinary goods, day 40, the buyer's replacement demand wins"),
    pytest.param("quality_defect", q("2026-10-13", customer_preference="refund", technically_complex=True), "repair_by_seller",
                 id="art. 18 p.1: technically complex goods, day 40, a minor defect - repair first, no refund"),
    pytest.param("quality_defect", q("2026-11-12", customer_preference="refund", technically_complex=True), "refund_seller_pays",
                 id="art. 18 p.1: technically complex goods, day 10 - any defect gives a refund within 15 days"),
    pytest.param("quality_defect", q("2024-09-01"), "paid_repair",
                 id="art. 19 p.1: no warranty, day 812 is past the 2-year claim period - a paid repair, price told first"),
    pytest.param("quality_defect", q("2026-10-13", misuse_suspected=True), "inspect_item",
                 id="art. 18 p.5: a suspicion of misuse alone leads to an inspection at the seller's cost, not a refusal"),
    pytest.param("quality_defect", q("2026-10-13", misuse_suspected=True, inspection_finding="handling_damage"), "paid_repair",
                 id="art. 18 p.5: only once the inspection finds damage from use may the repair be charged"),
    pytest.param("quality_defect", q("2026-10-13", misuse_suspected=True, inspection_finding="manufacturing_defect",
                                     customer_preference="refund"), "refund_seller_pays",
                 id="art. 18 p.1, p.5: the inspection confirms a defect, so the buyer's refund choice stands"),
    pytest.param("quality_defect", q("2026-10-13", customer_preference="repair", spare_part_fixes_it=True), "repair_by_seller",
                 id="art. 18 p.1: the buyer chose a free repair, so no spare part is pushed instead"),
    pytest.param("quality_defect", q("2026-01-22", warranty_days=180), "inspect_item",
                 id="art. 19 p.5: a 6-month warranty ended, defect in month 10 - still claimable within 2 years, so check it, don't refuse"),
    pytest.param("quality_defect", q("2026-01-22", warranty_days=180, inspection_finding="manufacturing_defect"), "repair_by_seller",
                 id="art. 19 p.5: the check shows the defect existed at delivery - free repair though the warranty ended"),
    pytest.param("quality_defect", q("2026-01-22", warranty_days=180, inspection_finding="handling_damage"), "paid_repair",
                 id="art. 19 p.5: the check shows damage from use - a paid repair, price told first"),
    pytest.param("size_mismatch", s("2026-11-17"), "return_buyer_pays",
                 id="art. 26.1 p.4: a remote sale withdrawn on day 5 is accepted (on Ozon FBS the return leg is billed to the seller)"),
    pytest.param("size_mismatch", s("2026-09-22", return_terms_given=False), "return_buyer_pays",
                 id="art. 26.1 p.4: return terms not given in writing - day 61 is inside the 3 months"),
    pytest.param("size_mismatch", s("2026-08-01", return_terms_given=False), "reject_window_passed",
                 id="art. 26.1 p.4: return terms not given - day 113 is past the 3 months"),
    pytest.param("size_mismatch", s("2026-11-17", item_resaleable=False), "reject_not_resaleable",
                 id="art. 26.1 p.4: presentation and consumer properties lost - the withdrawal may be refused"),
]


@pytest.mark.parametrize("scenario, facts, outcome", CASES)
def test_russian_law(scenario: str, facts: dict, outcome: str) -> None:
    assert run(scenario, "ozon", facts).outcome == outcome


def test_the_buyer_choice_is_explained_with_its_article() -> None:
    decision = run("quality_defect", "ozon", q("2026-10-13", customer_preference="refund"))
    reasons = " ".join(str(step) for step in decision.to_dict()["trace"])
    assert "ZoZPP art. 18 p.1" in reasons


def test_ozon_cannot_shorten_the_two_year_claim_period() -> None:
    assert load_profiles()["ozon"].get("default_warranty_days", "2026-11-22").value >= 730


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_no_message_claims_a_check_that_was_not_made(lang: str) -> None:
    decision = run("quality_defect", "ozon", q("2026-10-13", misuse_suspected=True), lang=lang)
    text = decision.message["text"]
    for claim in ("check shows", "check showed", "inspection showed", "经检查", "经我们检测", "Проверка показала", "проверка показала"):
        assert claim not in text
