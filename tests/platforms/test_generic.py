"""A generic own web store selling in the EU: EU consumer law plus seller assumptions."""

from __future__ import annotations

from datetime import date

import pytest

# (parameter, as of, value, unit, layer)
CASES = [
    ("return_window_days", date(2025, 1, 1), 14, "days", "jurisdiction"),
    ("refund_after_return_days", date(2025, 1, 1), 14, "days", "jurisdiction"),
    ("return_window_if_not_informed_days", date(2025, 1, 1), 379, "days", "jurisdiction"),
    ("default_warranty_days", date(2025, 1, 1), 730, "days", "jurisdiction"),
    ("early_defect_return_days", date(2025, 1, 1), None, "days", "jurisdiction"),
    ("repair_max_days", date(2025, 1, 1), None, "days", "jurisdiction"),
    # Omnibus Directive applies from 2022-05-28.
    ("review_incentive_allowed", date(2022, 5, 27), None, "none", "jurisdiction"),
    ("review_incentive_allowed", date(2022, 5, 28), False, "none", "jurisdiction"),
    ("review_removal_compensation_allowed", date(2025, 1, 1), False, "none", "jurisdiction"),
    # Own-store assumptions
    ("reply_deadline_h", date(2025, 1, 1), 24, "hours", "platform"),
    ("claim_response_window", date(2025, 1, 1), 7, "days", "platform"),
    ("claim_auto_granted_if_no_response", date(2025, 1, 1), False, "none", "platform"),
    ("chargeback_response_days", date(2025, 1, 1), 7, "days", "platform"),
    ("fashion_returns_seller_pays", date(2025, 1, 1), False, "none", "platform"),
    ("size_tolerance_cm", date(2025, 1, 1), 3, "cm", "platform"),
    ("minor_defect_raise_min", date(2025, 1, 1), 3, "currency", "platform"),
    ("platform_pays_claims_below", date(2025, 1, 1), None, "currency", "platform"),
    ("safet_filing_window_days", date(2025, 1, 1), None, "days", "platform"),
]


@pytest.fixture(scope="module")
def generic(profiles):
    return profiles["generic"]


@pytest.mark.parametrize("name, as_of, value, unit, layer", CASES, ids=lambda v: str(v))
def test_value_on_date(generic, name, as_of, value, unit, layer):
    param = generic.resolve(as_of)[name]
    assert (param.value, param.unit, param.layer) == (value, unit, layer)


def test_identity(generic):
    assert (generic.name, generic.jurisdiction) == ("generic", "eu")
    assert generic.holiday_country == "EU"  # mapped to the ECB/TARGET calendar by the policy code
    values = generic.values(date(2025, 1, 1))
    assert values["currency"] == "EUR"
    assert values["languages"] == ["en", "zh", "ru"]


def test_inherits_the_eu_withdrawal_window_with_its_source(generic):
    param = generic.get("return_window_days", date(2025, 1, 1))
    assert param.layer == "jurisdiction" and param.confidence == "high"
    assert "legislation.gov.uk" in param.source


def test_laws_of_the_jurisdiction_are_listed(generic):
    names = " ".join(law.name for law in generic.laws)
    assert "2011/83" in names and "2019/771" in names and "2019/2161" in names


def test_own_store_may_remove_only_abusive_or_false_reviews(generic):
    grounds = generic.values(date(2025, 1, 1))["review_removal_grounds"]
    assert grounds["product_review"] == ["abusive_or_personal_data", "factually_false"]
