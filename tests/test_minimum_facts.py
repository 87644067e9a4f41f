"""The minimum facts contract (docs/playbook-format.md, "The minimum facts"): every scenario
decides on every platform from its minimum facts alone — every other fact has a default or is
derived, and the trace names what was assumed.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.engine import decide, next_question
from aftersales.library import load_library

AS_OF = "2026-01-15T09:00:00+00:00"
LIBRARY = load_library()
PLATFORMS = sorted(LIBRARY.profiles)

#: The foundation issue's minimum facts, per scenario, with a plausible value each. ``all``
#: is shared; ``None`` is a lawful value of a nullable fact ("not asked yet").
MINIMUM_ALL = {"order_value": 120, "delivered_on": "2026-01-10", "evidence_provided": True}
MINIMUM: dict[str, dict[str, Any]] = {
    "quality_defect": {"defect_severity": "functional", "misuse_suspected": False, "fixable_by_customer": False,
                       "repairable": True, "warranty_days": 365, "return_shipping_cost": 12,
                       "customer_accepts_partial_refund": None, "customer_preference": "none"},
    "wrong_item": {"problem": "damaged_in_transit", "missing_value": None, "correct_item_in_stock": False,
                   "customer_preference": "none"},
    "size_mismatch": {"size_deviation_cm": 3.5, "item_resaleable": True, "category": "apparel",
                      "customer_preference": "none"},
    "claim": {"claim_type": "not_received", "claim_opened_on": "2026-01-14T09:00:00+00:00", "claim_amount": 100,
              "tracking_shows_delivered": False, "seller_compliant_insured": True, "refund_issued_on": None},
    "bad_review": {"rating": 1, "review_kind": "product_review", "about": "product", "review_text": "Broke in a day.",
                   "abusive_or_personal_data": False, "factually_false": False, "issue_resolved": False,
                   "buyer_contactable": True},
    "change_of_mind": {"item_resaleable": True},
    "service_complaint": {"complaint_about": "staff_attitude", "identity_verified": True, "open_order_problem": "none"},
    "recall": {"product_name": "Fan heater", "sku": "WH-2000", "hazard": "fire",
               "hazard_description": "The plug can melt.", "remedy": "replace", "item_delivered": True},
    "refund_only": {"request_reason": "defect"},
}

#: Variants of the defining fact, so every branch a minimum case can reach is walked.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "quality_defect": [{}, {"defect_severity": "minor"}, {"defect_severity": "safety"}, {"misuse_suspected": True}],
    "wrong_item": [{}, {"problem": "wrong_item"}, {"problem": "missing_item", "missing_value": 20}],
    "size_mismatch": [{}, {"size_deviation_cm": 1.0}, {"category": "footwear"}],
    "claim": [{"claim_type": t} for t in ("not_received", "not_as_described", "damaged", "return_not_refunded",
                                           "property_damage", "personal_injury", "chargeback")]
             + [{"claim_type": "not_received", "tracking_shows_delivered": True},
                {"claim_type": "fba_return_not_received", "refund_issued_on": "2025-12-01"}],
    "bad_review": [{}, {"rating": 2, "review_kind": "seller_feedback", "about": "shipping"}],
    "change_of_mind": [{}, {"item_resaleable": False}, {"goods_kind": "unsealed_hygiene"}, {"delivered_on": None}],
    "service_complaint": [{}, {"identity_verified": False},
                          {"complaint_about": "slow_handling", "open_order_problem": "item_fault"},
                          {"escalation": "threatens"}, {"staff_fault": "confirmed"}, {"staff_fault": "not_confirmed"}],
    "recall": [{}, {"remedy": "refund"}, {"remedy": "repair"}, {"item_delivered": False}],
    "refund_only": [{}, {"evidence_provided": False}, {"request_reason": "missing_part"},
                    {"request_reason": "not_received"}, {"request_reason": "changed_mind"}, {"delivered_on": None}],
}

#: What a default may never do to a buyer on the minimum facts alone.
NOT_AGAINST_THE_BUYER = {"reject"}


def minimum_facts(scenario: str, platform: str, variant: dict[str, Any]) -> dict[str, Any]:
    currency = LIBRARY.profiles[platform].values(AS_OF[:10]).get("currencies")[0]
    return {**MINIMUM_ALL, "currency": currency, **MINIMUM[scenario], **variant}


CASES = [pytest.param(s, p, v, id=f"{s}-{p}-{i}")
         for s in sorted(MINIMUM) for p in PLATFORMS for i, v in enumerate(VARIANTS[s])]


@pytest.mark.parametrize(("scenario", "platform", "variant"), CASES)
def test_minimum_facts_decide(scenario, platform, variant):
    facts = minimum_facts(scenario, platform, variant)
    decision = decide(scenario, facts, platform=platform, as_of=AS_OF, lang="en")
    assert decision.outcome
    assumed = decision.assumed
    assert not set(assumed) & set(facts), "a given fact is never reported as assumed"
    notes = [e for e in decision.trace if e["step"] == "assumed"]
    if assumed:
        assert len(notes) == 1 and notes[0]["note"] is True
        for name in assumed:
            assert f"{name} = " in notes[0]["reason"]
            assert "(not given" in notes[0]["reason"]
    else:
        assert not notes


def test_claim_on_minimum_facts_names_the_facts_it_assumed():
    """The issue's own example: a lost parcel claim on its minimum facts no longer stops on
    shipped, seller_evidence, buyer_agrees_to_wait or customer_preference."""
    facts = minimum_facts("claim", "amazon", {"delivered_on": None})
    decision = decide("claim", facts, platform="amazon", as_of=AS_OF, lang="en")
    assert decision.resolution not in NOT_AGAINST_THE_BUYER
    assert decision.assumed["shipped"] is True
    assert decision.assumed["customer_preference"] == "none"


def test_shipped_is_derived_from_the_delivery():
    """A parcel with a delivery date was shipped: derived, and the trace says from what."""
    facts = minimum_facts("claim", "taobao", {})  # delivered_on set, tracking does not show it
    decision = decide("claim", facts, platform="taobao", as_of=AS_OF, lang="en")
    assert decision.assumed["shipped"] is True
    note = next(e for e in decision.trace if e["step"] == "assumed")
    assert "shipped = true (not given; derived from delivered_on / tracking_shows_delivered)" in note["reason"]
    assert decision.resolution not in NOT_AGAINST_THE_BUYER


def test_delivered_by_tracking_without_evidence_is_not_disputed():
    facts = minimum_facts("claim", "taobao", {"tracking_shows_delivered": True})
    decision = decide("claim", facts, platform="taobao", as_of=AS_OF, lang="en")
    assert decision.assumed.get("seller_evidence") is False
    assert decision.resolution not in NOT_AGAINST_THE_BUYER | {"dispute"}


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_the_assumption_note_is_in_the_decisions_language(lang):
    facts = minimum_facts("claim", "ozon", {"delivered_on": None})
    trace = decide("claim", facts, platform="ozon", as_of=AS_OF, lang=lang).trace
    note = next(e for e in trace if e["step"] == "assumed")
    assert "customer_preference" in note["reason"]
    assert {"en": "not given", "zh": "未提供", "ru": "не указано"}[lang] in note["reason"]


def test_given_facts_are_not_assumed():
    facts = {**minimum_facts("claim", "amazon", {"delivered_on": None}), "shipped": False,
             "customer_preference": "refund", "seller_evidence": False, "buyer_agrees_to_wait": False}
    decision = decide("claim", facts, platform="amazon", as_of=AS_OF, lang="en")
    assert "shipped" not in decision.assumed and "customer_preference" not in decision.assumed


def test_damage_amount_not_set_goes_to_the_lead():
    """No amount for a damaged item is a question for the lead, not a zero refund or a stop."""
    facts = minimum_facts("wrong_item", "taobao", {})
    decision = decide("wrong_item", facts, platform="taobao", as_of=AS_OF, lang="en")
    assert decision.outcome == "price_damage_refund"
    assert decision.compensation is None or decision.compensation["amount"] > 0


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_wizard_still_asks_the_defaulted_questions(platform):
    """Defaults apply in decide only: a trainee is still asked each question on the path
    (the default offered), e.g. shipped and customer_preference on a lost-parcel claim."""
    facts = minimum_facts("claim", platform, {"delivered_on": None})
    asked = []
    for _ in range(20):
        question = next_question("claim", facts, platform=platform, as_of=AS_OF, lang="en")
        if question is None:
            break
        asked.append(question.name)
        facts[question.name] = question.default
    assert {"shipped", "customer_preference"} <= set(asked)
    facts = minimum_facts("wrong_item", platform, {})
    question = next_question("wrong_item", facts, platform=platform, as_of=AS_OF, lang="en")
    if platform != "ozon":  # on Ozon this case is past the claim window and goes to review first
        assert question is not None and question.name == "damage_refund_amount"


def _optional_names(scenario: str) -> list[str]:
    inputs = LIBRARY.playbooks[scenario].inputs
    keep = set(MINIMUM_ALL) | {"currency"} | set(MINIMUM[scenario])
    return sorted(n for n in inputs if n not in keep)


OPTIONAL_VALUES = {
    "shipped": True, "seller_evidence": True, "buyer_agrees_to_wait": True, "customer_preference": "refund",
    "in_transit": True, "late_shipment": True, "damage_refund_amount": 15, "claim_granted_by_platform": False,
    "customer_name": "Li Na", "order_id": "X-1", "technically_complex": True, "upset_customer": True,
    "buyer_contact_unanswered": False, "buyer_contacted_at": "2026-01-13T09:00:00+00:00",
    "complaint_received_at": "2026-01-14T10:00:00+00:00", "customer_timezone": "Europe/Berlin", "item_value": 60,
    "shipping_insurance": False, "review_deal_proposed": False, "review_posted_on": "2026-01-14",
    "chosen_remedy_disproportionate": False, "colour_difference": True, "customer_accepts_raised_offer": None,
    "defect_description": "The zip broke.", "inspection_finding": "manufacturing_defect", "price_difference": 5,
    "repair_price": 20, "return_received_on": "2026-01-14", "return_requested_at": "2026-01-14T11:00:00+00:00",
    "seller_can_diagnose": False, "spare_part_fixes_it": True, "ordered_on": "2026-01-05", "remote_region": True,
    "return_terms_given": False, "item_name": "Blue scarf", "reported_on": "2026-01-11",
    "batch": "2409-A", "paid_amount": 49.9, "recall_contact": "+49 800 555 0199", "incidents_reported": True,
    "hazard_known_at": "2026-01-14T08:00:00+00:00",
    "tracking_status": "lost", "delivery_proof": True, "reason_confirmed": False, "missing_value": 15,
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_non_minimum_facts_removed_still_decides(data):
    scenario = data.draw(st.sampled_from(sorted(MINIMUM)))
    platform = data.draw(st.sampled_from(PLATFORMS))
    variant = data.draw(st.sampled_from(VARIANTS[scenario]))
    facts = minimum_facts(scenario, platform, variant)
    extra = {n: OPTIONAL_VALUES[n] for n in _optional_names(scenario) if n in OPTIONAL_VALUES}
    kept = data.draw(st.sets(st.sampled_from(sorted(extra))) if extra else st.just(set()))
    facts.update({n: extra[n] for n in kept})
    decision = decide(scenario, facts, platform=platform, as_of=AS_OF, lang="en")
    assert decision.outcome
    assert not set(decision.assumed) & set(facts)
