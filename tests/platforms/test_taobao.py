"""Taobao / Tmall (China): concrete values on concrete dates; the PRC CPL and 三包 underneath."""

from __future__ import annotations

from datetime import date

import pytest

# (parameter, as of, value, unit, layer)
CASES = [
    # Late shipment: the seed's 30 %, then the 2015-10-29 rule: 5 %, min ¥5, max ¥30.
    ("late_shipment_compensation_pct", date(2015, 10, 28), None, "percent", "platform"),  # seed 30 % undated: not paid
    ("late_shipment_compensation_min", date(2015, 10, 28), None, "currency", "platform"),
    ("late_shipment_compensation_max", date(2015, 10, 28), None, "currency", "platform"),
    ("late_shipment_compensation_pct", date(2015, 10, 29), 5, "percent", "platform"),
    ("late_shipment_compensation_min", date(2015, 10, 29), 5, "currency", "platform"),
    ("late_shipment_compensation_max", date(2025, 1, 1), 30, "currency", "platform"),
    ("size_tolerance_cm", date(2025, 1, 1), 3, "cm", "platform"),
    ("minor_defect_raise_min", date(2025, 1, 1), 3, "currency", "platform"),
    ("minor_defect_raise_max", date(2025, 1, 1), 5, "currency", "platform"),
    ("colour_price_difference_waived_max", date(2025, 1, 1), 5, "currency", "platform"),
    ("claim_response_window", date(2025, 1, 1), 48, "hours", "platform"),
    ("claim_auto_granted_if_no_response", date(2025, 1, 1), True, "none", "platform"),
    ("fba_reimbursement_after_days", date(2025, 1, 1), None, "days", "platform"),
    ("review_incentive_allowed", date(2025, 1, 1), False, "none", "platform"),
    # CPL and 三包 (cn jurisdiction)
    ("return_window_days", date(2025, 1, 1), 7, "days", "jurisdiction"),
    ("refund_after_return_days", date(2025, 1, 1), 7, "days", "jurisdiction"),
    ("early_defect_return_days", date(2025, 1, 1), 7, "days", "jurisdiction"),
    ("early_defect_exchange_days", date(2025, 1, 1), 15, "days", "jurisdiction"),
    ("default_warranty_days", date(2025, 1, 1), 365, "days", "jurisdiction"),
    ("return_window_if_not_informed_days", date(2025, 1, 1), None, "days", "jurisdiction"),
    ("repair_max_days", date(2025, 1, 1), None, "days", "jurisdiction"),
]


@pytest.fixture(scope="module")
def taobao(profiles):
    return profiles["taobao"]


@pytest.mark.parametrize("name, as_of, value, unit, layer", CASES, ids=lambda v: str(v))
def test_value_on_date(taobao, name, as_of, value, unit, layer):
    param = taobao.resolve(as_of)[name]
    assert (param.value, param.unit, param.layer) == (value, unit, layer)


def test_identity(taobao):
    assert (taobao.name, taobao.jurisdiction, taobao.holiday_country) == ("taobao", "cn", "CN")
    values = taobao.values(date(2025, 1, 1))
    assert values["currency"] == "CNY"
    assert values["languages"] == ["zh"]


def test_size_tolerance_is_an_unverified_seed_heuristic(taobao):
    param = taobao.get("size_tolerance_cm", date(2025, 1, 1))
    assert (param.value, param.source, param.confidence) == (3, "seed 001", "unverified")


def test_late_shipment_note_mentions_the_other_version(taobao):
    note = taobao.get("late_shipment_compensation_pct", date(2025, 1, 1)).note
    assert "10 %" in note and "¥100" in note


def test_no_reason_return_postage_is_the_buyers(taobao):
    payer = taobao.values(date(2025, 1, 1))["return_shipping_payer"]
    assert payer["change_of_mind"] == "buyer"
    assert payer["defective"] == payer["size_nonconforming"] == "seller"
    assert taobao.get("return_shipping_payer", date(2025, 1, 1)).layer == "jurisdiction"
