"""Amazon (amazon.com, US): concrete values on concrete dates, like a holidays country test."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.errors import UnknownNameError
from aftersales.platforms import NoValueInForceError
from aftersales.platforms.model import Parameter, ValueEntry

# (parameter, as of, value, unit) — each row one rule a seller can check on Seller Central.
CASES = [
    # FBA refunded-but-not-returned: 45 days in the seed, 60 days since the 2024-10-23 change.
    ("fba_reimbursement_after_days", date(2020, 1, 1), 45, "days"),
    ("fba_reimbursement_after_days", date(2024, 10, 22), 45, "days"),
    ("fba_reimbursement_after_days", date(2024, 10, 23), 60, "days"),
    ("fba_reimbursement_after_days", date(2025, 1, 1), 60, "days"),
    ("fba_claim_window_end_days", date(2024, 1, 1), None, "days"),
    ("fba_claim_window_end_days", date(2025, 1, 1), 120, "days"),
    # A-to-z: the seed's 3 days, then 48 hours (safe default, research date 2025-11-01).
    ("claim_response_window", date(2020, 1, 1), 3, "days"),
    ("claim_response_window", date(2025, 9, 30), 3, "days"),
    ("claim_response_window", date(2025, 10, 31), 72, "hours"),  # the US "About" page's value
    ("claim_response_window", date(2025, 11, 1), 48, "hours"),
    ("claim_contact_response_h", date(2025, 1, 1), 72, "hours"),
    ("claim_auto_granted_if_no_response", date(2025, 1, 1), True, "none"),
    ("claim_filing_window_days", date(2025, 1, 1), 90, "days"),
    ("claim_appeal_window_days", date(2025, 1, 1), 30, "days"),
    ("chargeback_response_days", date(2025, 1, 1), 7, "days"),
    # Product-liability claims under $1,000 paid by Amazon from 1 Sep 2021.
    ("platform_pays_claims_below", date(2021, 8, 31), None, "currency"),
    ("platform_pays_claims_below", date(2021, 9, 1), 1000, "currency"),
    # SAFE-T: 60 days, then 30 days in the US from 16 Feb 2026.
    ("safet_filing_window_days", date(2026, 2, 15), 60, "days"),
    ("safet_filing_window_days", date(2026, 2, 16), 30, "days"),
    # Returns.
    ("reply_deadline_h", date(2025, 1, 1), 24, "hours"),
    ("return_request_decision_h", date(2025, 1, 1), 24, "hours"),
    ("refund_after_return_days", date(2025, 1, 1), 2, "business_days"),
    ("return_window_days", date(2025, 1, 1), 30, "days"),
    ("return_window_if_not_informed_days", date(2025, 1, 1), None, "days"),
    ("fashion_returns_seller_pays", date(2025, 1, 1), True, "none"),
    ("default_warranty_days", date(2025, 1, 1), 365, "days"),
    ("early_defect_return_days", date(2025, 1, 1), None, "days"),
    # Seller heuristics from seed 001, in USD.
    ("size_tolerance_cm", date(2025, 1, 1), 3, "cm"),
    ("minor_defect_offer_ratio", date(2025, 1, 1), 0.8333, "ratio"),
    ("minor_defect_raise_min", date(2025, 1, 1), 3, "currency"),
    ("minor_defect_raise_max", date(2025, 1, 1), 5, "currency"),
    # Reviews.
    ("review_request_earliest_days", date(2025, 1, 1), 5, "days"),
    ("review_request_latest_days", date(2025, 1, 1), 30, "days"),
    ("review_requests_per_order_max", date(2025, 1, 1), 1, "none"),
    ("review_complaint_window_days", date(2025, 1, 1), 90, "days"),
    ("review_incentive_allowed", date(2025, 1, 1), False, "none"),
    ("review_removal_compensation_allowed", date(2025, 1, 1), False, "none"),
    ("late_shipment_compensation_pct", date(2025, 1, 1), None, "percent"),
    ("order_execution_claim_window_days", date(2025, 1, 1), None, "days"),
    ("repair_max_days", date(2025, 1, 1), None, "days"),
]


@pytest.fixture(scope="module")
def amazon(profiles):
    return profiles["amazon"]


@pytest.mark.parametrize("name, as_of, value, unit", CASES, ids=lambda v: str(v))
def test_value_on_date(amazon, name, as_of, value, unit):
    param = amazon.resolve(as_of)[name]
    assert (param.value, param.unit) == (value, unit)


def test_identity(amazon):
    assert amazon.name == "amazon"
    assert amazon.jurisdiction == "us"
    assert amazon.holiday_country == "US"
    assert amazon.display_name["zh"] == "亚马逊（美国站）"
    values = amazon.values(date(2025, 1, 1))
    assert values["currency"] == "USD"
    assert values["languages"] == ["en"]


def test_seller_fault_returns_are_seller_paid_and_size_returns_buyer_paid(amazon):
    payer = amazon.values(date(2025, 1, 1))["return_shipping_payer"]
    for reason in ("defective", "damaged_in_transit", "wrong_item", "missing_item", "not_as_described"):
        assert payer[reason] == "seller"
    assert payer["size_nonconforming"] == "seller"
    assert payer["size_conforming"] == payer["change_of_mind"] == "buyer"


def test_review_removal_grounds(amazon):
    grounds = amazon.values(date(2025, 1, 1))["review_removal_grounds"]
    assert grounds["product_review"] == [
        "abusive_or_personal_data", "about_seller_service", "about_shipping", "about_price"
    ]
    assert grounds["seller_feedback"] == ["abusive_or_personal_data", "about_product"]


def test_history_keeps_seed_and_current_value_with_sources(amazon):
    seed, current = amazon.entries("fba_reimbursement_after_days")
    assert (seed.value, seed.source, seed.confidence, seed.effective_from) == (45, "seed 002", "low", None)
    assert "seed undated" in seed.note.lower()
    assert (current.value, current.confidence, current.effective_from) == (60, "high", date(2024, 10, 23))
    assert "G9N934L7Y4SFWPJ4" in current.source


def test_claim_window_note_mentions_the_72_hour_page(amazon):
    param = amazon.resolve(date(2026, 1, 1))["claim_response_window"]
    assert "72 h" in param.note and param.confidence == "high"


def test_layers(amazon):
    resolved = amazon.resolve(date(2025, 1, 1))
    assert resolved["review_incentive_allowed"].layer == "platform"
    assert "sellercentral.amazon.com" in resolved["review_incentive_allowed"].source
    assert resolved["repair_max_days"].layer == "jurisdiction"


def test_us_jurisdiction_has_the_ftc_rule_under_amazons_own(amazon):
    # The platform value overrides the whole jurisdiction history; the FTC date stays in us.yaml.
    assert [e.effective_from for e in amazon.entries("review_incentive_allowed")] == [None]  # start unknown


def test_no_value_before_the_earliest_date(amazon):
    """A value of unknown start covers any day no dated value covers; a history of dated values
    only has nothing in force before its first date."""
    assert amazon.get("fba_reimbursement_after_days", date(1999, 12, 31)).value == 45  # the seed's, start unknown
    assert amazon.get("fba_reimbursement_after_days", date(1999, 12, 31)).start_unknown
    dated_only = amazon.overridden({"fba_reimbursement_after_days": Parameter(values=(
        ValueEntry(value=60, source="x.example", confidence="high", effective_from=date(2024, 10, 23)),))})
    assert dated_only.get("fba_reimbursement_after_days", date(1999, 12, 31)).value == 45  # the base's unknown one
    with pytest.raises(NoValueInForceError) as info:
        dated_only._pick("x", (ValueEntry(value=1, source="x.example", confidence="high",
                                          effective_from=date(2000, 1, 1)),), date(1999, 12, 31))
    message = str(info.value)
    assert "amazon" in message and "1999-12-31" in message and "2000-01-01" in message


def test_unknown_parameter_suggests_the_name(amazon):
    with pytest.raises(UnknownNameError, match="did you mean 'fba_reimbursement_after_days'"):
        amazon.get("fba_reimbursment_after_days", date(2025, 1, 1))


def test_get_accepts_iso_strings_and_datetimes(amazon):
    from datetime import datetime

    assert amazon.get("safet_filing_window_days", "2026-02-16").value == 30
    assert amazon.get("safet_filing_window_days", datetime(2026, 2, 15, 23, 59)).value == 60
