"""Amazon.de on German and EU law (platforms/amazon_de.yaml on jurisdictions/de.yaml): one sentence
per case, each citing its article (BGB §, Directive art.) or Amazon page. The 14-day withdrawal is
the floor; Amazon's 30-day return guarantee runs on top of it, never below it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.engine import decide
from aftersales.errors import FactError
from aftersales.paths import default_playbooks_dir
from aftersales.platforms import load_profiles
from aftersales.platforms.floors import floor_problems, read_floors

from .support import AS_OF, QUALITY, SIZE, run

PLATFORM = "amazon_de"
BERLIN = ZoneInfo("Europe/Berlin")
MONEY = {"order_value": 90, "currency": "EUR"}


def q(delivered_on: str, **facts) -> dict:
    return {**MONEY, **QUALITY, "delivered_on": delivered_on, **facts}


def s(delivered_on: str, **facts) -> dict:
    return {**MONEY, **SIZE, "order_value": 79, "delivered_on": delivered_on, **facts}


CLAIM = {"order_value": 450, "currency": "EUR", "claim_amount": 450, "claim_opened_on": "2026-11-21T10:00:00+00:00"}
REVIEW = {"review_kind": "product_review", "rating": 1, "about": "product", "review_text": "Kam zu spät.",
          "abusive_or_personal_data": False, "factually_false": False, "issue_resolved": False,
          "buyer_contactable": True, "review_posted_on": "2026-11-20"}

# as of 22 Nov 2026 (tests/law/support.py): "day N" counts from the delivery day
CASES = [
    # ---- the 14-day withdrawal is the floor (§§ 312g, 355, 356, 357a BGB; Directive 2011/83)
    pytest.param("size_mismatch", s("2026-11-17", item_resaleable=False), "return_with_deduction",
                 id="§355(2), §357a(1) BGB: conforming size, worn, day 5 - the withdrawal stands, only the lost value is deducted"),
    pytest.param("size_mismatch", s("2026-10-18", item_resaleable=False), "reject_not_resaleable",
                 id="§355(2) BGB and G201725710: worn and on day 35, past both the 14-day withdrawal and Amazon's 30 days"),
    # ---- Amazon's 30-day return guarantee on top
    pytest.param("size_mismatch", s("2026-10-28"), "return_buyer_pays",
                 id="Amazon.de return guarantee (G201725710): day 25, unworn, conforming size - the return is accepted"),
    pytest.param("size_mismatch", s("2026-10-23"), "return_buyer_pays",
                 id="Amazon.de return guarantee (G201725710): day 30 is the last day of the 30 days"),
    pytest.param("size_mismatch", s("2026-10-22"), "reject_window_passed",
                 id="Amazon.de return guarantee (G201725710): day 31 is past the 30 days"),
    # ---- return terms not given: 12 months + 14 days (§356(3) BGB; Directive 2011/83 art. 10)
    pytest.param("size_mismatch", s("2026-08-14", return_terms_given=False), "return_buyer_pays",
                 id="§356(3) BGB: not informed of the right - day 100 is inside 12 months + 14 days"),
    pytest.param("size_mismatch", s("2025-11-08", return_terms_given=False), "return_buyer_pays",
                 id="§356(3) BGB: not informed - day 379 is still inside 12 months + 14 days"),
    pytest.param("size_mismatch", s("2025-11-06", return_terms_given=False), "reject_window_passed",
                 id="§356(3) BGB: not informed - day 381 is past 12 months + 14 days"),
    pytest.param("size_mismatch", s("2026-08-14", return_terms_given=False, item_resaleable=False),
                 "return_with_deduction",
                 id="§356(3), §357a(1) BGB: not informed, worn, day 100 - the withdrawal is accepted"),
    # ---- the 1-year presumption (§477(1) BGB) and the 2-year Gewährleistung (§438 BGB)
    pytest.param("quality_defect", q("2025-12-22", misuse_suspected=True), "inspect_item",
                 id="§477(1) BGB: a defect in month 11 is presumed to have existed at delivery - the seller must "
                    "accept the item and prove misuse at its own cost, never refuse on a suspicion"),
    pytest.param("quality_defect", q("2025-05-22", misuse_suspected=True), "inspect_item",
                 id="§477(1) BGB: in month 18 the presumption has ended and the buyer proves the defect; the playbook "
                    "still inspects at the seller's cost before refusing (more than §477 asks)"),
    pytest.param("quality_defect", q("2025-01-01"), "repair_by_seller",
                 id="§438(1) Nr. 3 BGB: day 690 is inside the 2-year Gewährleistung - free Nacherfüllung"),
    pytest.param("quality_defect", q("2024-11-01"), "paid_repair",
                 id="§438(1) Nr. 3 BGB: day 751 is past the 2-year Gewährleistung"),
    # ---- the buyer chooses repair or replacement (§439 BGB; Directive 2019/771 art. 13(2))
    pytest.param("quality_defect", q("2025-12-22", customer_preference="exchange"), "exchange_seller_pays",
                 id="§439(1) BGB: the buyer chooses replacement over repair"),
    pytest.param("quality_defect", q("2025-12-22", customer_preference="repair", spare_part_fixes_it=True),
                 "repair_by_seller",
                 id="§439(1) BGB: the buyer chose repair, so a part sent is not put in its place"),
    pytest.param("quality_defect", q("2025-12-22", customer_preference="exchange", chosen_remedy_disproportionate=True),
                 "repair_by_seller",
                 id="§439(4) BGB: a disproportionate replacement may be refused for a repair"),
    pytest.param("quality_defect", q("2025-12-22", customer_preference="refund"), "repair_by_seller",
                 id="§§ 437, 440 BGB: a refund comes only after the Nacherfüllung failed or was refused"),
    # ---- claims and reviews: Amazon's European rules, no US-only rule
    pytest.param("claim", {**CLAIM, "claim_type": "property_damage", "seller_compliant_insured": True},
                 "liability_escalate",
                 id="amazon.com only (POLICY-FACTS §0 row 2): no Amazon-pays rule under $1,000 on amazon.de - the "
                    "seller and its insurer handle a €450 property-damage claim"),
    pytest.param("bad_review", {**REVIEW, "about": "shipping"}, "request_removal",
                 id="Amazon community guidelines (amazon.co.uk nodeId=201929730): a product review only about "
                    "the delivery can be reported"),
]


@pytest.mark.parametrize("scenario, facts, outcome", CASES)
def test_amazon_de_law(scenario: str, facts: dict, outcome: str) -> None:
    assert run(scenario, PLATFORM, facts).outcome == outcome


def test_amazon_s_30_days_never_replace_the_14_day_floor() -> None:
    """§355(2) BGB is the floor of jurisdiction de; amazon.de's 30 days sit on top of it."""
    profile = load_profiles()[PLATFORM]
    assert profile.jurisdiction == "de"
    floors, problems = read_floors(default_playbooks_dir())
    assert not problems
    assert floors["de"]["withdrawal_days"]["value"] == 14
    assert profile.get("return_window_days", "2026-11-22").value == 30
    assert profile.get("return_window_if_not_informed_days", "2026-11-22").value >= 379
    assert profile.get("withdrawal_worn_deduction_only", "2026-11-22").value is True
    assert floor_problems(default_playbooks_dir()) == []


def test_the_presumption_is_one_year_in_germany() -> None:
    """§477(1) BGB: Germany kept 1 year (FR, ES, PT chose 2); LAW-FLOORS §2."""
    floors, _ = read_floors(default_playbooks_dir())
    floor = floors["de"]["presumption_at_delivery"]
    assert floor["value"].startswith("365 days") and "§477(1) BGB" in floor["article"]


def test_the_buyer_chooses_repair_or_replacement_and_the_trace_says_so() -> None:
    """§439(1) BGB: the step that honours the buyer's choice cites the rule."""
    decision = run("quality_defect", PLATFORM, q("2025-12-22", customer_preference="exchange"))
    assert "2019/771 art. 13(2)" in " ".join(str(step) for step in decision.to_dict()["trace"])
    assert load_profiles()[PLATFORM].get("buyer_remedy_choice", "2026-11-22").value == ["repair", "exchange"]


@pytest.mark.parametrize("scenario, facts", [
    ("size_mismatch", s("2026-11-17", currency="USD")),
    ("quality_defect", q("2025-12-22", currency="USD")),
    ("claim", {**CLAIM, "currency": "USD", "claim_type": "property_damage", "seller_compliant_insured": True}),
])
def test_amazon_de_orders_are_in_euros_only(scenario: str, facts: dict) -> None:
    """amazon.de sells in EUR (G201725710): a USD fact is a FactError naming the allowed currency."""
    with pytest.raises(FactError) as info:
        run(scenario, PLATFORM, facts)
    assert info.value.field == "currency" and "EUR" in str(info.value)


@pytest.mark.parametrize("delivered_on, last_day", [
    pytest.param("2026-10-28", datetime(2026, 11, 28, tzinfo=BERLIN),
                 id="G201725710: delivered 28 Oct, the 30 days end at 24:00 on 27 Nov in Berlin (CET, +01:00)"),
    pytest.param("2026-08-14", datetime(2026, 9, 14, tzinfo=BERLIN),
                 id="G201725710: delivered 14 Aug, the 30 days end at 24:00 on 13 Sep in Berlin (CEST, +02:00)"),
])
def test_deadlines_end_at_midnight_in_berlin(delivered_on: str, last_day: datetime) -> None:
    """§188(1) BGB, Reg. 1182/71 art. 3: a day window ends at the end of its last day, in the buyer's
    zone, which defaults to amazon.de's Europe/Berlin."""
    decision = run("size_mismatch", PLATFORM, s(delivered_on), as_of="2026-09-01T12:00:00+00:00")
    assert decision.env["customer_timezone"] == "Europe/Berlin"
    due = {d.name: d.due for d in decision.deadlines}["return_window_end"]
    assert due == last_day
    assert due.utcoffset() == last_day.utcoffset()


def test_the_claim_notice_is_answered_within_48_hours() -> None:
    """Amazon.de "Respond to a claim notification" (1781, de_DE): 48 h, not the US "About" page's 72 h."""
    decision = run("claim", PLATFORM, {**CLAIM, "claim_type": "not_received", "tracking_shows_delivered": True,
                                       "seller_evidence": True})
    due = {d.name: d.due for d in decision.deadlines}["claim_response"]
    assert due == datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("UTC"))


def test_no_us_only_rule_reaches_amazon_de() -> None:
    """SAFE-T's US 30-day window (LAW-FLOORS §4: US FBM) and the $1,000 product-liability rule
    (POLICY-FACTS §0 row 2: amazon.com only) are not amazon.de's; US law is nowhere in its advice."""
    profile = load_profiles()[PLATFORM]
    assert profile.get("platform_pays_claims_below", "2026-11-22").value is None
    assert profile.get("safet_filing_window_days", "2026-11-22").value != 30
    assert profile.get("currency", "2026-11-22").value == "EUR"
    us = decide("claim", {**CLAIM, "currency": "USD", "claim_type": "property_damage", "seller_compliant_insured": True},
                "amazon", lang="en", as_of=AS_OF)
    assert us.outcome == "platform_pays"  # the same claim on amazon.com
    for scenario, facts in [("claim", {**CLAIM, "claim_type": "property_damage", "seller_compliant_insured": True}),
                            ("size_mismatch", s("2026-10-28")), ("quality_defect", q("2025-12-22")),
                            ("bad_review", REVIEW)]:
        for lang in ("en", "zh", "ru"):
            decision = run(scenario, PLATFORM, facts, lang=lang)
            text = decision.message["text"] + " ".join(str(step) for step in decision.to_dict()["trace"])
            for us_only in ("$", "USD", "SAFE-T", "FTC", "16 CFR", "1,000", "1000"):
                assert us_only not in text, (scenario, lang, us_only)


def test_the_holiday_extension_is_marked_unverified() -> None:
    """Amazon.de's holiday extension is not in the research notes: the value assumed from amazon.com's
    2025 season says so (confidence unverified), and no US season before it applies."""
    profile = load_profiles()[PLATFORM]
    entries = profile.entries("holiday_return_extension")
    assert all(entry.confidence == "unverified" for entry in entries)
    assert profile.get("holiday_return_extension", "2021-12-01").value is None


def test_amazon_s_message_rules_apply_on_amazon_de_and_every_platform_is_checkable() -> None:
    """Amazon's communication guidelines and review policy are the same on amazon.de (POLICY-FACTS §5.1-5.3:
    amazon.co.uk, amazon.it pages); the message checker knows every platform file."""
    from aftersales.compliance import PLATFORMS, check_message

    assert set(load_profiles()) <= set(PLATFORMS)
    found = {f.rule for f in check_message("See our shop: https://example.de/jacken or mail info@example.de",
                                           PLATFORM, "en", "general")}
    assert {"amazon.link", "amazon.contact_details"} <= found
