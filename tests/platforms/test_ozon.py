"""Ozon (Russia): concrete values on concrete dates; Russian consumer law underneath."""

from __future__ import annotations

from datetime import date

import pytest

# (parameter, as of, value, unit, layer)
CASES = [
    ("return_request_decision_h", date(2024, 1, 1), 24, "hours", "platform"),
    ("return_request_decision_h", date(2025, 10, 15), 24, "hours", "platform"),
    ("claim_response_window", date(2025, 1, 1), 24, "hours", "platform"),
    ("claim_auto_granted_if_no_response", date(2025, 1, 1), True, "none", "platform"),
    ("reply_deadline_h", date(2025, 1, 1), 24, "hours", "platform"),
    ("return_window_days", date(2025, 1, 1), 30, "days", "platform"),
    ("order_execution_claim_window_days", date(2025, 1, 1), 3, "days", "platform"),
    ("default_warranty_days", date(2025, 1, 1), 730, "days", "platform"),  # ZoZPP art. 19, not Ozon's 365
    ("fashion_returns_seller_pays", date(2025, 1, 1), False, "none", "platform"),
    ("minor_defect_raise_min", date(2025, 1, 1), 30, "currency", "platform"),
    ("minor_defect_raise_max", date(2025, 1, 1), 50, "currency", "platform"),
    ("colour_price_difference_waived_max", date(2025, 1, 1), 50, "currency", "platform"),
    ("review_complaint_window_days", date(2025, 1, 1), 30, "days", "platform"),
    ("review_incentive_allowed", date(2025, 1, 1), False, "none", "platform"),
    ("fba_reimbursement_after_days", date(2025, 1, 1), None, "days", "platform"),
    ("claim_appeal_window_days", date(2025, 1, 1), None, "days", "platform"),
    # ZoZPP (ru jurisdiction)
    ("refund_after_return_days", date(2025, 1, 1), 10, "days", "jurisdiction"),
    ("return_window_if_not_informed_days", date(2025, 1, 1), 92, "days", "jurisdiction"),  # 3 months, toward the buyer
    ("early_defect_return_days", date(2025, 1, 1), 15, "days", "jurisdiction"),
    ("early_defect_exchange_days", date(2025, 1, 1), 15, "days", "jurisdiction"),
    ("repair_max_days", date(2025, 1, 1), 45, "days", "jurisdiction"),
    ("replacement_days", date(2025, 1, 1), 7, "days", "jurisdiction"),
    ("seller_pays_transport_if_weight_over_kg", date(2025, 1, 1), 5, "kg", "jurisdiction"),
]


@pytest.fixture(scope="module")
def ozon(profiles):
    return profiles["ozon"]


@pytest.mark.parametrize("name, as_of, value, unit, layer", CASES, ids=lambda v: str(v))
def test_value_on_date(ozon, name, as_of, value, unit, layer):
    param = ozon.resolve(as_of)[name]
    assert (param.value, param.unit, param.layer) == (value, unit, layer)


def test_identity(ozon):
    assert (ozon.name, ozon.jurisdiction, ozon.holiday_country) == ("ozon", "ru", "RU")
    values = ozon.values(date(2025, 1, 1))
    assert values["currency"] == "RUB"
    assert values["languages"] == ["ru"]


def test_fbo_rule_of_2025_10_15_is_the_high_confidence_source(ozon):
    before = ozon.get("return_request_decision_h", date(2025, 10, 14))
    after = ozon.get("return_request_decision_h", date(2025, 10, 15))
    assert (before.confidence, after.confidence) == ("medium", "high")
    assert "klerk.ru" in after.source and after.effective_from == date(2025, 10, 15)


def test_chat_reply_rests_on_seed_000_with_low_confidence(ozon):
    param = ozon.get("reply_deadline_h", date(2025, 1, 1))
    assert (param.source, param.confidence) == ("seed 000", "low")


def test_ozon_warranty_note_keeps_the_two_year_law_in_view(ozon):
    assert "730" in ozon.get("default_warranty_days", date(2025, 1, 1)).note


def test_review_removal_grounds(ozon):
    grounds = ozon.values(date(2025, 1, 1))["review_removal_grounds"]
    assert grounds == {
        "product_review": ["abusive_or_personal_data", "factually_false"],
        "seller_feedback": ["abusive_or_personal_data", "factually_false"],
    }


def test_return_shipping_proper_quality_buyer_improper_seller(ozon):
    payer = ozon.values(date(2025, 1, 1))["return_shipping_payer"]
    assert payer["defective"] == payer["wrong_item"] == "seller"
    assert payer["change_of_mind"] == payer["size_conforming"] == "buyer"
