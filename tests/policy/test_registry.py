"""Every policy function is registered, documented and cites its source."""

import inspect
import typing

import pytest

import aftersales.policy as policy
from aftersales.policy import POLICY_FUNCTIONS

EXPECTED = {
    "size_conforms", "is_resaleable", "no_reason_return_eligible", "return_window_last_day",
    "return_shipping_payer", "warranty_active", "warranty_days_left", "minor_defect_offer",
    "raised_offer", "offer_range", "late_shipment_compensation", "colour_difference_waived",
    "cheapest_acceptable_resolution", "resolution_cost_rank", "is_business_day", "add_business_days",
    "deadline_due", "hours_until", "claim_auto_granted", "platform_covers_claim",
    "fba_reimbursement_status", "fba_reimbursement_eligible", "refund_request_before_delivery",
    "review_removal_grounds", "review_removable", "review_request_window_open", "days_since",
    "hours_between",
}


def test_importing_the_package_registers_every_function():
    assert EXPECTED <= set(POLICY_FUNCTIONS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_registered_function_is_documented_with_sources(name):
    entry = POLICY_FUNCTIONS[name]
    doc = inspect.getdoc(entry.func) or ""
    assert entry.sources, f"{name} has no sources"
    assert all(s.startswith("seed 00") or s.startswith("https://") for s in entry.sources), entry.sources
    assert "seed" in doc or "http" in doc, f"{name}'s docstring cites no source"
    assert "References:" in doc
    assert entry.summary.startswith("Decide"), entry.summary
    assert getattr(policy, name) is entry.func, f"{name} is not re-exported by aftersales.policy"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_registered_function_annotations_resolve(name):
    func = POLICY_FUNCTIONS[name].func
    hints = typing.get_type_hints(func)
    assert "return" in hints
    assert set(inspect.signature(func).parameters) <= set(hints)
