"""Amazon.de: Amazon Europe's rules on German law (jurisdiction de), with concrete values on concrete dates."""

from __future__ import annotations

from datetime import date

import pytest

# (parameter, as of, value, unit, layer)
CASES = [
    # German law (jurisdictions/de.yaml)
    ("legal_guarantee_days", date(2026, 6, 1), 730, "days", "jurisdiction"),
    ("default_warranty_days", date(2026, 6, 1), 730, "days", "jurisdiction"),
    ("return_window_if_not_informed_days", date(2026, 6, 1), 380, "days", "jurisdiction"),
    ("buyer_remedy_choice", date(2026, 6, 1), ["repair", "exchange"], "none", "jurisdiction"),
    ("withdrawal_worn_deduction_only", date(2026, 6, 1), True, "none", "jurisdiction"),
    ("repair_max_days", date(2026, 6, 1), None, "days", "jurisdiction"),
    # Amazon.de's own rules
    ("return_window_days", date(2026, 6, 1), 30, "days", "platform"),
    ("currency", date(2026, 6, 1), "EUR", "none", "platform"),
    ("currencies", date(2026, 6, 1), ["EUR"], "none", "platform"),
    ("timezone", date(2026, 6, 1), "Europe/Berlin", "none", "platform"),
    ("languages", date(2026, 6, 1), ["en", "zh", "ru"], "none", "platform"),
    ("fulfilment_options", date(2026, 6, 1), ["FBA", "FBM"], "none", "platform"),
    ("return_flow", date(2026, 6, 1), {"FBA": "amazon_fba", "FBM": "amazon"}, "none", "platform"),
    ("claim_response_window", date(2025, 10, 31), 3, "days", "platform"),
    ("claim_response_window", date(2025, 11, 1), 48, "hours", "platform"),
    ("chargeback_response_days", date(2026, 6, 1), 7, "days", "platform"),
    ("platform_pays_claims_below", date(2026, 6, 1), None, "currency", "platform"),
    ("fba_reimbursement_after_days", date(2024, 10, 23), 60, "days", "platform"),
    ("review_incentive_allowed", date(2026, 6, 1), False, "none", "platform"),
    ("holiday_return_extension", date(2025, 6, 1), None, "none", "platform"),
]


@pytest.fixture(scope="module")
def amazon_de(profiles):
    return profiles["amazon_de"]


@pytest.mark.parametrize("name, as_of, value, unit, layer", CASES, ids=lambda v: str(v))
def test_value_on_date(amazon_de, name, as_of, value, unit, layer):
    param = amazon_de.resolve(as_of)[name]
    assert (param.value, param.unit, param.layer) == (value, unit, layer)


def test_identity(amazon_de):
    assert (amazon_de.name, amazon_de.jurisdiction) == ("amazon_de", "de")
    assert amazon_de.holiday_country == "DE"  # German public holidays (holidays package)
    assert amazon_de.display_name["en"] == "Amazon (amazon.de)"
    names = " ".join(law.name for law in amazon_de.laws)
    assert "BGB" in names and "§477" in names


def test_the_route_names_amazon_de_s_flow(amazon_de):
    routes = amazon_de.get("return_route", date(2026, 6, 1)).value
    assert set(routes) == {"amazon", "amazon_fba"}
    for flow in routes.values():
        assert set(flow) == {"en", "zh", "ru"}
        assert all("Amazon.de" in text and "Meine Bestellungen" in text for text in flow.values())
    assert "prepaid return label" in routes["amazon"]["en"]


def test_values_taken_from_amazon_com_say_so_and_are_rated_low(amazon_de):
    """Where the notes only have an amazon.com page, the value is Amazon.com's, low, and its note says so."""
    for name in ("reply_deadline_h", "return_request_decision_h", "refund_after_return_days",
                 "claim_contact_response_h", "claim_appeal_window_days", "fashion_returns_seller_pays"):
        entry = amazon_de.get(name, date(2026, 6, 1))
        assert entry.confidence == "low", name
        assert "amazon.com" in (entry.note or "").lower(), name
