"""Money that adds up (issue 12, part 5): the platform's currencies, ``item_value``, no offer of 0
or less, dated values in the order they really held, and how fresh each value is.

Each example a lead found is a row with its lawful result; then properties (hypothesis).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.engine import decide
from aftersales.errors import FactError
from aftersales.library import load_library
from aftersales.platforms.load import verification_warnings
from aftersales.platforms.model import ValueEntry, start_key
from aftersales.policy import (
    cap_to_item_value,
    late_shipment_compensation,
    minor_defect_offer,
    offer_range,
    platform_covers_claim,
    raised_offer,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-22T12:00:00+00:00"
LIBRARY = load_library()
CURRENCIES = ("USD", "EUR", "CNY", "RUB")

MINOR = {"delivered_on": "2026-11-20", "warranty_days": 0, "defect_severity": "minor", "evidence_provided": True,
         "colour_difference": False, "fixable_by_customer": False, "misuse_suspected": False}
DAMAGED = {"delivered_on": "2026-11-20", "problem": "damaged_in_transit", "evidence_provided": True,
           "customer_preference": "refund", "correct_item_in_stock": False}


def run(scenario: str, platform: str, facts: dict, lang: str = "en"):
    return decide(scenario, facts, platform, lang=lang, as_of=AS_OF, library=LIBRARY)


# ------------------------------------------------------------------ the examples a lead found


@pytest.mark.parametrize(
    "why, scenario, platform, facts, outcome, amount, not_in_message",
    [
        ("A damaged item with a damage refund of 0 offers no money: the lead sets the amount, never €0.00.",
         "wrong_item", "generic", {**DAMAGED, "order_value": 60, "currency": "EUR", "damage_refund_amount": 0},
         "price_damage_refund", None, "0.00"),
        ("A ¥8 order is never offered ¥20 (or ¥10): the offer stops at the item's value.",
         "quality_defect", "taobao", {**MINOR, "order_value": 8, "currency": "CNY", "customer_preference": "exchange",
                                      "return_shipping_cost": 12},
         "offer_partial_refund", 8.0, "20.00"),
        ("A ¥8 order on a plain return (shipping 12 → 10) is offered ¥8, not ¥10.",
         "quality_defect", "taobao", {**MINOR, "order_value": 8, "currency": "CNY", "customer_preference": "refund",
                                      "return_shipping_cost": 12},
         "offer_partial_refund", 8.0, "10.00"),
        ("One wrong item of a $100 order is refunded its own $30, not the whole order.",
         "wrong_item", "amazon", {"order_value": 100, "item_value": 30, "currency": "USD", "delivered_on": "2026-11-20",
                                  "problem": "wrong_item", "evidence_provided": True, "customer_preference": "refund",
                                  "correct_item_in_stock": False},
         "refund_wrong_item", None, "100.00"),
        ("A damage refund asked above the damaged items' value is capped at it (€25 of a €60 order).",
         "wrong_item", "generic", {**DAMAGED, "order_value": 60, "item_value": 25, "currency": "EUR",
                                   "damage_refund_amount": 40},
         "partial_refund_damaged", 25.0, "40.00"),
        ("The missing part's price never exceeds the value of the affected items.",
         "wrong_item", "ozon", {"order_value": 2900, "item_value": 300, "currency": "RUB", "delivered_on": "2026-11-20",
                                "problem": "missing_item", "evidence_provided": True, "customer_preference": "refund",
                                "correct_item_in_stock": True, "missing_value": 450},
         "refund_missing_part", 300.0, "450"),
    ],
)
def test_the_leads_money_examples(why, scenario, platform, facts, outcome, amount, not_in_message):
    decision = run(scenario, platform, facts)
    assert decision.outcome == outcome, why
    assert (decision.compensation or {}).get("amount") == amount, why
    assert not_in_message not in decision.message["text"], why
    if amount is not None and amount == facts.get("item_value", facts["order_value"]):
        assert any(e["step"] == "item_value_cap" for e in decision.trace), "the trace says the cap applied"


def test_a_multi_item_refund_names_the_items_value():
    decision = run("wrong_item", "amazon", {"order_value": 100, "item_value": 30, "currency": "USD",
                                            "delivered_on": "2026-11-20", "problem": "wrong_item",
                                            "evidence_provided": True, "customer_preference": "refund",
                                            "correct_item_in_stock": False})
    assert "$30.00" in decision.message["text"]


def test_an_amazon_claim_in_roubles_is_a_bad_fact_not_platform_pays():
    facts = {"claim_type": "property_damage", "order_value": 900, "currency": "RUB", "claim_amount": 900,
             "claim_opened_on": "2026-11-20T08:00:00+00:00", "seller_compliant_insured": True}
    with pytest.raises(FactError) as info:
        run("claim", "amazon", facts)
    assert info.value.field == "currency" and info.value.allowed == "USD"
    # the rule itself compares only amounts in the threshold's currency (900 RUB is not "below 1,000 USD")
    assert platform_covers_claim("property_damage", 900, 1000, True, "RUB", "USD") is False
    assert platform_covers_claim("property_damage", 900, 1000, True, "USD", "USD") is True
    assert platform_covers_claim("property_damage", 900, 1000, True) is True  # currencies unknown: as before


def test_the_cli_says_a_wrong_currency_in_one_line_with_exit_2():
    facts = ('{"claim_type": "property_damage", "order_value": 900, "currency": "RUB", "claim_amount": 900, '
             '"claim_opened_on": "2026-11-20T08:00:00+00:00", "seller_compliant_insured": true}')
    done = subprocess.run([sys.executable, "-m", "aftersales", "decide", "claim", "--platform", "amazon", "--facts", "-",
                           "--as-of", AS_OF], input=facts, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "currency" in lines[0] and "RUB" in lines[0] and "USD" in lines[0]


@pytest.mark.parametrize(
    "as_of, pct, amount",
    [
        (date(2014, 6, 2), None, None),   # before the 2015 trial rule: the seed's undated "30 %" is not paid
        (date(2015, 10, 28), None, None),
        (date(2015, 10, 29), 5, 30.0),    # 5 % of ¥1,000 = ¥50, capped at ¥30
        (date(2026, 11, 22), 5, 30.0),
    ],
)
def test_taobao_late_shipment_follows_the_dated_rule(as_of, pct, amount):
    taobao = LIBRARY.profile("taobao")
    values = {name: taobao.get(name, as_of) for name in ("late_shipment_compensation_pct",
                                                         "late_shipment_compensation_min",
                                                         "late_shipment_compensation_max")}
    assert values["late_shipment_compensation_pct"].value == pct
    assert values["late_shipment_compensation_pct"].start_unknown == (pct is None)
    paid = late_shipment_compensation(1000, *(v.value for v in values.values()), item_value=1000)
    assert paid == amount


def test_a_late_shipment_payment_never_exceeds_a_cheap_item():
    assert late_shipment_compensation(3, 5, 5, 30, item_value=3) == 3.0  # not the ¥5 minimum
    assert late_shipment_compensation(0, 5, 5, 30, item_value=0) is None  # nothing to pay is no payment


# ------------------------------------------------------------------ boundaries


def test_an_offer_equal_to_the_item_value_is_made_once_and_not_raised():
    assert minor_defect_offer(12, 0.8333, item_value=10) == 10.0
    assert raised_offer(10, 3, item_value=10) == 10.0
    assert offer_range(10, 3, 5, item_value=11) == [11.0, 11.0]
    facts = {**MINOR, "order_value": 10, "currency": "CNY", "customer_preference": "refund", "return_shipping_cost": 12,
             "customer_accepts_partial_refund": False}
    decision = run("quality_defect", "taobao", facts)
    assert decision.outcome != "offer_raised_partial_refund"  # nothing to add: the return at our cost
    assert decision.compensation is None


@pytest.mark.parametrize("shipping, outcome, amount", [(0.01, None, None), (0.02, "offer_partial_refund", 0.01)])
def test_an_offer_computed_0_00_is_not_made_and_0_01_is(shipping, outcome, amount):
    facts = {**MINOR, "order_value": 50, "currency": "EUR", "customer_preference": "refund",
             "return_shipping_cost": shipping}
    decision = run("quality_defect", "generic", facts)
    if outcome is None:
        assert decision.compensation is None and "€0.00" not in decision.message["text"]
        assert decision.outcome != "offer_partial_refund"
    else:
        assert decision.outcome == outcome and decision.compensation["amount"] == amount


def test_item_value_defaults_to_the_order_value_and_cannot_exceed_it():
    facts = {**MINOR, "order_value": 8, "currency": "CNY", "customer_preference": "exchange", "return_shipping_cost": 12}
    assert run("quality_defect", "taobao", facts).facts["item_value"] == 8
    with pytest.raises(FactError) as info:
        run("quality_defect", "taobao", {**facts, "item_value": 9})
    assert info.value.field == "item_value"


def test_cap_to_item_value():
    assert cap_to_item_value(12.5, 10) == 10.0
    assert cap_to_item_value(9.999, 10) == 10.0  # cents
    assert cap_to_item_value(None, 10) is None
    assert cap_to_item_value(7, None) == 7.0


# ------------------------------------------------------------------ properties

money = st.floats(min_value=0, max_value=100_000, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(shipping=money, ratio=st.floats(min_value=0.01, max_value=1), item_value=money,
       raise_min=st.floats(min_value=0, max_value=50), extra=st.floats(min_value=0, max_value=50))
def test_no_policy_amount_exceeds_the_item_value(shipping, ratio, item_value, raise_min, extra):
    first = minor_defect_offer(shipping, ratio, item_value)
    assert 0 <= first <= round(item_value, 2)
    assert raised_offer(first, raise_min, item_value) <= round(item_value, 2)
    assert all(b <= round(item_value, 2) for b in offer_range(first, raise_min, raise_min + extra, item_value))
    paid = late_shipment_compensation(item_value, 5, 5, 30, item_value)
    assert paid is None or 0 < paid <= round(item_value, 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_value=st.floats(min_value=0, max_value=5000, allow_nan=False), share=st.floats(min_value=0, max_value=1),
       shipping=st.floats(min_value=0, max_value=200, allow_nan=False), preference=st.sampled_from(["refund", "exchange"]),
       accepts=st.sampled_from([None, True, False]), accepts_raised=st.sampled_from([None, True, False]),
       damage=st.floats(min_value=0, max_value=6000, allow_nan=False))
def test_no_decided_compensation_exceeds_item_value_or_is_0_or_less(order_value, share, shipping, preference, accepts,
                                                                     accepts_raised, damage):
    item_value = round(order_value * share, 2)
    cases = [
        ("quality_defect", "generic", {**MINOR, "order_value": order_value, "item_value": item_value, "currency": "EUR",
                                       "customer_preference": preference, "return_shipping_cost": shipping,
                                       "customer_accepts_partial_refund": accepts,
                                       "customer_accepts_raised_offer": accepts_raised}),
        ("wrong_item", "taobao", {**DAMAGED, "order_value": order_value, "item_value": item_value, "currency": "CNY",
                                  "damage_refund_amount": damage}),
    ]
    for scenario, platform, facts in cases:
        facts = {k: v for k, v in facts.items() if v is not None}
        try:
            decision = run(scenario, platform, facts)
        except FactError:
            continue  # a question this case does not answer
        if decision.compensation is not None:
            assert 0 < decision.compensation["amount"] <= round(item_value, 2) + 1e-9, (scenario, facts)


@pytest.mark.parametrize("platform", sorted(LIBRARY.profiles))
def test_a_currency_outside_the_profiles_list_never_decides(platform):
    taken = LIBRARY.profile(platform).values("2026-11-22")["currencies"]
    assert taken, platform
    for currency in CURRENCIES:
        if currency in taken:
            continue
        facts = {**MINOR, "order_value": 50, "currency": currency, "customer_preference": "refund",
                 "return_shipping_cost": 12}
        with pytest.raises(FactError) as info:
            run("quality_defect", platform, facts)
        assert info.value.field == "currency" and all(c in info.value.allowed for c in taken)


def _entry(value, start):
    return ValueEntry(value=value, source="x.example", confidence="low", effective_from=start)


@settings(max_examples=300, deadline=None)
@given(starts=st.lists(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 1, 1)), unique=True, max_size=4),
       as_of=st.dates(min_value=date(1985, 1, 1), max_value=date(2035, 1, 1)))
def test_an_unknown_start_value_never_overrides_a_dated_one(starts, as_of):
    entries = tuple(sorted([_entry("unknown", "unknown")] + [_entry(f"from {d}", d) for d in starts], key=start_key))
    picked = LIBRARY.profile("taobao")._pick("late_shipment_compensation_pct", entries, as_of)
    covering = [d for d in starts if d <= as_of]
    if covering:
        assert picked.value == f"from {max(covering)}" and not picked.start_unknown
    else:
        assert picked.value == "unknown" and picked.start_unknown and picked.effective_text == "unknown"


# ------------------------------------------------------------------ how fresh a value is


def test_a_value_verified_long_ago_is_a_warning_with_file_and_line(tmp_path):
    root = tmp_path / "playbooks"
    root.mkdir()
    shutil.copy(ROOT / "playbooks" / "parameters.yaml", root / "parameters.yaml")
    for folder in ("jurisdictions", "platforms"):
        shutil.copytree(ROOT / "playbooks" / folder, root / folder)
    path = root / "platforms" / "taobao.yaml"
    text = path.read_text(encoding="utf-8")
    block = "  size_tolerance_cm:\n    value: 3\n"
    assert block in text
    path.write_text(text.replace(block, block + "    verified_on: 2026-01-02\n"), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("    verified_on: 2026-01-02") + 1
    today = date(2026, 12, 4)
    stale = [w for w in verification_warnings(root, today) if "size_tolerance_cm" in w and "last verified" in w]
    assert len(stale) == 1 and f"taobao.yaml:{line}:" in stale[0] and "336 days ago" in stale[0]
    fresh = verification_warnings(root, date(2026, 1, 2) + timedelta(days=180))
    assert not [w for w in fresh if "size_tolerance_cm" in w and "last verified" in w]
    never = [w for w in verification_warnings(root, today) if "taobao.yaml" in w and "never verified" in w]
    assert len(never) == 1 and "size_tolerance_cm" not in never[0] and "currencies" in never[0]
