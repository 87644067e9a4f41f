"""EU (Directives 2019/771 and 2011/83) on the generic own web store: one sentence per case, each citing its article."""

from __future__ import annotations

import pytest

from aftersales.platforms import load_profiles

from .support import QUALITY, SIZE, run

MONEY = {"order_value": 90, "currency": "EUR"}


def q(delivered_on: str, **facts) -> dict:
    return {**MONEY, **QUALITY, "delivered_on": delivered_on, **facts}


def s(delivered_on: str, **facts) -> dict:
    return {**MONEY, **SIZE, "order_value": 79, "delivered_on": delivered_on, **facts}


CASES = [
    pytest.param("quality_defect", q("2026-11-02", customer_preference="exchange"), "exchange_seller_pays",
                 id="2019/771 art. 13(2): day 20, the consumer chooses replacement over repair"),
    pytest.param("quality_defect", q("2026-11-02", customer_preference="exchange", chosen_remedy_disproportionate=True),
                 "repair_by_seller",
                 id="2019/771 art. 13(2): a disproportionate replacement may be switched to repair"),
    pytest.param("quality_defect", q("2026-11-02", customer_preference="exchange", technically_complex=True), "exchange_seller_pays",
                 id="2019/771 art. 13(2): the Russian technically-complex limit does not narrow an EU consumer's choice"),
    pytest.param("quality_defect", q("2026-11-02", customer_preference="repair", spare_part_fixes_it=True), "repair_by_seller",
                 id="2019/771 art. 13(2): the consumer chose repair, so it is not replaced by a part sent"),
    pytest.param("quality_defect", q("2026-11-02", customer_preference="refund"), "repair_by_seller",
                 id="2019/771 art. 13(4): after the withdrawal period a refund comes only when repair or replacement fails"),
    pytest.param("quality_defect", q("2025-01-01"), "repair_by_seller",
                 id="2019/771 art. 10(1): day 690 is inside the 2-year legal guarantee - free repair"),
    pytest.param("quality_defect", q("2024-11-01"), "paid_repair",
                 id="2019/771 art. 10(1): day 751 is past the 2-year legal guarantee"),
    pytest.param("quality_defect", q("2026-11-02", misuse_suspected=True), "inspect_item",
                 id="2019/771 art. 11: a suspicion inside the presumption year is the seller's to prove - inspect at its cost"),
    pytest.param("size_mismatch", s("2026-11-17", item_resaleable=False), "return_with_deduction",
                 id="2011/83 art. 9, 14(2): conforming size, worn, day 5 - withdrawal accepted, only the lost value deducted"),
    pytest.param("size_mismatch", s("2026-11-12"), "return_buyer_pays",
                 id="2011/83 art. 9: day 10 is inside the 14-day withdrawal period"),
    pytest.param("size_mismatch", s("2026-11-07"), "reject_window_passed",
                 id="2011/83 art. 9: day 15 is past the 14-day withdrawal period"),
    pytest.param("size_mismatch", s("2026-08-14", return_terms_given=False), "return_buyer_pays",
                 id="2011/83 art. 10: not informed of the right - day 100 is inside 14 days + 12 months"),
    pytest.param("size_mismatch", s("2025-10-30", return_terms_given=False), "reject_window_passed",
                 id="2011/83 art. 10: not informed - day 388 is past 14 days + 12 months"),
    pytest.param("size_mismatch", s("2026-08-14", return_terms_given=False, item_resaleable=False), "return_with_deduction",
                 id="2011/83 art. 10, 14(2): not informed, worn, day 100 - withdrawal accepted"),
    pytest.param("size_mismatch", s("2026-11-02", item_resaleable=False), "reject_not_resaleable",
                 id="2011/83 art. 9: worn and past the 14 days - no withdrawal left"),
]


@pytest.mark.parametrize("scenario, facts, outcome", CASES)
def test_eu_law(scenario: str, facts: dict, outcome: str) -> None:
    assert run(scenario, "generic", facts).outcome == outcome


def test_the_replacement_choice_is_explained_with_its_article() -> None:
    decision = run("quality_defect", "generic", q("2026-11-02", customer_preference="exchange"))
    assert "2019/771 art. 13(2)" in " ".join(str(step) for step in decision.to_dict()["trace"])


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_no_deduction_is_announced_when_the_buyer_was_not_informed(lang: str) -> None:
    informed = run("size_mismatch", "generic", s("2026-11-17", item_resaleable=False), lang=lang).message["text"]
    uninformed = run("size_mismatch", "generic", s("2026-11-17", item_resaleable=False, return_terms_given=False),
                     lang=lang).message["text"]
    assert informed != uninformed
    assert {"en": "full amount", "zh": "全额退款", "ru": "всю сумму"}[lang] in uninformed


def test_the_store_keeps_the_legal_guarantee() -> None:
    profile = load_profiles()["generic"]
    assert profile.get("legal_guarantee_days", "2026-11-22").value >= 730
    assert profile.get("withdrawal_worn_deduction_only", "2026-11-22").value is True
