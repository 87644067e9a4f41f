"""The refund-only playbook (playbooks/refund_only.yaml), case by case, as the SOP reads.

Seed 001 (卖家处理退款流程): before agreeing, look at the request's type and reason; a refund-only
(仅退款不退货) must not be agreed lightly, since once agreed the money goes straight to the buyer.
The seed's tactics around refund-only stay out (DOMAIN.md "Left out on purpose"): no steering of
the buyer's reason, no rejection so that the buyer re-applies, no money tied to a review. The law's
remedies for a defect stay the buyer's (CPL art. 24, ZoZPP art. 18, Directive 2019/771 art. 13).
Every case runs at a fixed moment (AS_OF) so deadlines never depend on the clock.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.cases.causes import case_cause
from aftersales.compliance import check_message
from aftersales.engine import decide
from aftersales.library import load_library
from aftersales.playbook.compiled import reply_kind_for

from .support import summary

AS_OF = "2026-01-15T09:00:00+00:00"
LIBRARY = load_library()
PLAYBOOK = LIBRARY.playbook("refund_only")
PLATFORMS = ("amazon", "amazon_de", "ozon", "taobao", "generic")
LANGS = ("en", "zh", "ru")
CURRENCY = {"amazon": "USD", "amazon_de": "EUR", "ozon": "RUB", "taobao": "CNY", "generic": "EUR"}
VALUE = {"amazon": 60, "amazon_de": 60, "ozon": 3400, "taobao": 129, "generic": 60}  # above every house limit
# the house limit of each platform (params.refund_only_max_value), in its currency
LIMIT = {"amazon": 15, "amazon_de": 15, "ozon": 300, "taobao": 30, "generic": 15}

NOT_SHIPPED = {"delivered_on": None, "shipped": False}
ON_ITS_WAY = {"delivered_on": None, "shipped": True, "tracking_status": "in_transit"}
DELIVERED = {"delivered_on": "2026-01-12"}
DEFECT_SHOWN = {**DELIVERED, "request_reason": "defect", "evidence_provided": True, "reason_confirmed": True}


def run(platform: str, lang: str = "en", as_of: str = AS_OF, **facts):
    case = {"order_value": VALUE[platform], "currency": CURRENCY[platform], **facts}
    return decide(PLAYBOOK, case, platform, lang=lang, as_of=as_of, library=LIBRARY)


def due(decision, name: str) -> datetime:
    (found,) = [d for d in decision.deadlines if d.name == name]
    return found.due


def refund(outcome: str, shipping: str = "none") -> tuple:
    return (outcome, "refund", shipping, "seller", None)


# each check a lead runs, one sentence each -----------------------------------------------------------

CASES = [
    pytest.param("taobao", NOT_SHIPPED, refund("refund_not_shipped"),
                 id="seed 001: not shipped yet - agree the refund at once"),
    pytest.param("taobao", {**NOT_SHIPPED, "late_shipment": True}, ("refund_not_shipped", "refund", "none", "seller", 6.45),
                 id="Taobao 2015 rule: shipped late - 5 % of ¥129 = ¥6.45 on top, and never ask to change the reason"),
    pytest.param("taobao", ON_ITS_WAY, ("stop_parcel", "intercept", "seller", "seller", None),
                 id="seed 001: on its way - intercept it (or the buyer refuses it), refund when it comes back"),
    pytest.param("taobao", {**ON_ITS_WAY, "tracking_status": "lost"}, refund("refund_lost_parcel"),
                 id="POLICY-FACTS §2: lost on its way - the seller's risk, refund"),
    pytest.param("ozon", {**ON_ITS_WAY, "tracking_status": "returned_to_us"}, refund("refund_parcel_back"),
                 id="seed 001: back with us - refund now"),
    pytest.param("amazon", {**DELIVERED, "request_reason": "not_received", "delivery_proof": False},
                 refund("refund_lost_parcel"), id="POLICY-FACTS §2: 'delivered' without proof is not proof - refund"),
    pytest.param("amazon", {**DELIVERED, "request_reason": "not_received", "delivery_proof": True},
                 ("answer_on_facts", "dispute", "none", "none", None),
                 id="seed 001: the carrier proves the delivery - answer with the proof, the platform decides"),
    pytest.param("ozon", {**DELIVERED, "request_reason": "missing_part", "evidence_provided": True, "missing_value": 40},
                 ("refund_missing_part", "partial_refund", "none", "seller", 40.0),
                 id="seed 001: a part missing - refund only that part (a partial refund-only)"),
    pytest.param("generic", {**DELIVERED, "request_reason": "missing_part", "evidence_provided": True},
                 ("price_missing_part", "escalate", "none", "seller", None),
                 id="seed 001: a missing part with no price of its own - the team lead sets it"),
    pytest.param("taobao", {**DEFECT_SHOWN, "order_value": 25}, ("refund_keep_item", "refund_without_return", "none", "seller", None),
                 id="seed 001: a defect in the photos on an item not worth the trip back - refund, the buyer keeps it"),
    pytest.param("amazon", DEFECT_SHOWN, refund("offer_return_at_our_cost", "seller"),
                 id="CPL art. 24 / ZoZPP art. 18 / 2019/771 art. 13: a dearer defect - a free return and full refund, never a silent no"),
    pytest.param("amazon_de", {**DELIVERED, "request_reason": "defect", "evidence_provided": False},
                 ("ask_for_photos", "wait", "none", "none", None), id="seed 001: no photos - ask for them first"),
    pytest.param("taobao", {**DEFECT_SHOWN, "reason_confirmed": False}, ("answer_on_facts", "dispute", "none", "none", None),
                 id="seed 001: the photos do not bear the reason out - answer on the facts, never ask to change it"),
    pytest.param("generic", {**DELIVERED, "request_reason": "changed_mind"}, ("no_reason_return", "refund", "buyer", "buyer", None),
                 id="Directive 2011/83 art. 9: a change of mind is a withdrawal (return, then refund), not a refund-only"),
    pytest.param("amazon", {"delivered_on": "2025-12-10", "request_reason": "changed_mind"},
                 ("no_reason_return", "refund", "buyer", "buyer", None),
                 id="Amazon holiday policy 2025: bought in December, still returnable on 15 Jan"),
    pytest.param("taobao", {"delivered_on": "2026-01-07", "request_reason": "changed_mind"},
                 ("no_reason_window_passed", "reject", "none", "none", None),
                 id="CPL art. 25: day 8 after receipt, nothing wrong with it - neither refund-only nor a no-reason return"),
]


@pytest.mark.parametrize("platform, facts, expected", CASES)
def test_each_check_of_a_refund_only_request(platform: str, facts: dict, expected: tuple) -> None:
    assert summary(run(platform, **facts)) == expected


def test_the_table_reaches_every_outcome() -> None:
    reached = {case.values[2][0] for case in CASES}
    assert reached == set(PLAYBOOK.outcomes)


# the house limit: a defect shown in the photos on an item not worth the trip back ---------------------

@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("offset, outcome", [(-0.01, "refund_keep_item"), (0, "refund_keep_item"),
                                             (0.01, "offer_return_at_our_cost")])
def test_the_limit_is_inclusive_and_one_cent_over_comes_back(platform: str, offset: float, outcome: str) -> None:
    value = round(LIMIT[platform] + offset, 2)
    decision = run(platform, **{**DEFECT_SHOWN, "order_value": value})
    assert decision.outcome == outcome, (platform, value)


def test_the_limit_reads_the_affected_items_not_the_whole_order() -> None:
    cheap_line = run("taobao", **{**DEFECT_SHOWN, "order_value": 500, "item_value": 30})
    assert cheap_line.outcome == "refund_keep_item"
    assert "¥30.00" in run("taobao", lang="zh", **{**DEFECT_SHOWN, "order_value": 500, "item_value": 30}).message["text"]


def test_a_store_sets_its_own_limit_through_an_overlay(tmp_path) -> None:
    """A house limit, not a platform rule: null takes every defect back, a store's own value moves the line."""
    overlay = tmp_path / "no_limit_store.yaml"
    overlay.write_text(
        "overlay: no_limit_store\nversion: '1'\ntitle: {en: No-limit store, zh: 无限额店铺, ru: Магазин без лимита}\n"
        "sources: [issue 20]\nparameters:\n  taobao:\n"
        "    refund_only_max_value: {value: null, source: issue 20, confidence: high, effective_from: 2026-01-01}\n"
        "  ozon:\n"
        "    refund_only_max_value: {value: 500, source: issue 20, confidence: high, effective_from: 2026-01-01}\n",
        encoding="utf-8")
    library = load_library(overlay=overlay)
    cheap = {"order_value": 1, "currency": "CNY", **DEFECT_SHOWN}
    assert decide("refund_only", cheap, "taobao", as_of=AS_OF, library=library).outcome == "offer_return_at_our_cost"
    mid = {"order_value": 450, "currency": "RUB", **DEFECT_SHOWN}
    assert run("ozon", **{**DEFECT_SHOWN, "order_value": 450}).outcome == "offer_return_at_our_cost"
    assert decide("refund_only", mid, "ozon", as_of=AS_OF, library=library).outcome == "refund_keep_item"


# each market, with its rule ---------------------------------------------------------------------------

def test_taobao_refunds_an_unanswered_request_by_itself_after_24_h_unshipped_and_36_h_shipped() -> None:
    """LAW-FLOORS §3 (Taobao refund timeouts): the team agrees before Taobao does."""
    asked = "2026-01-15T08:00:00+08:00"
    unshipped = run("taobao", return_requested_at=asked, **NOT_SHIPPED)
    assert due(unshipped, "refund_agreed") == datetime(2026, 1, 16, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    on_its_way = run("taobao", return_requested_at=asked, **ON_ITS_WAY)
    assert due(on_its_way, "refund_due") == datetime(2026, 1, 16, 20, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_ozon_fbs_the_buyer_refuses_the_parcel_and_the_money_is_due_10_days_after_the_request() -> None:
    """ZoZPP art. 26.1 p.4: withdrawal any time before delivery, the refund within 10 days of the demand;
    Ozon carries FBS parcels, so the seller cannot stop them and never asks the buyer to cancel."""
    decision = run("ozon", lang="ru", fulfilment="FBS", return_requested_at="2026-01-15T10:00:00+03:00", **ON_ITS_WAY)
    assert decision.outcome == "stop_parcel"
    assert due(decision, "refund_due") == datetime(2026, 1, 26, tzinfo=ZoneInfo("Europe/Moscow"))
    text = decision.message["text"]
    assert "откажитесь от неё при получении" in text and "остановить её по дороге мы не можем" in text
    rfbs = run("ozon", lang="ru", fulfilment="rFBS", **ON_ITS_WAY).message["text"]
    assert "Мы просим перевозчика остановить её" in rfbs


def test_eu_store_refunds_a_withdrawal_before_delivery_within_14_days_of_the_notice() -> None:
    """Directive 2011/83 art. 13: 14 days from the notice."""
    decision = run("generic", return_requested_at="2026-01-15T10:00:00+01:00", **ON_ITS_WAY)
    assert due(decision, "refund_due") == datetime(2026, 1, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def test_amazon_has_no_automatic_refund_clock_before_delivery_and_names_a_to_z_when_declining() -> None:
    """POLICY-FACTS §2, §4: no auto-refund of an unanswered request before delivery; A-to-z decides disputes."""
    decision = run("amazon", **ON_ITS_WAY)
    assert "refund_due" not in {d.name for d in decision.deadlines}
    declined = run("amazon", **{**DEFECT_SHOWN, "reason_confirmed": False})
    assert "file an A-to-z Guarantee claim with Amazon" in declined.message["text"]


def test_amazon_de_keeps_amazon_s_30_days_for_a_change_of_mind() -> None:
    """Amazon.de return guarantee (30 days, over the 14-day Widerruf): day 30 inside, day 31 past."""
    assert run("amazon_de", as_of="2026-02-14T10:00:00+00:00", delivered_on="2026-01-15",
               request_reason="changed_mind").outcome == "no_reason_return"
    assert run("amazon_de", as_of="2026-02-15T10:00:00+00:00", delivered_on="2026-01-15",
               request_reason="changed_mind").outcome == "no_reason_window_passed"


def test_an_own_web_store_names_no_platform_to_escalate_to() -> None:
    for lang in LANGS:
        text = run("generic", lang=lang, **{**DEFECT_SHOWN, "reason_confirmed": False}).message["text"]
        assert "A-to-z" not in text and "Taobao" not in text and "Ozon" not in text, text


# the legal floor: declining a refund-only never declines the remedy -----------------------------------

@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_dearer_defect_is_taken_back_at_our_cost_and_the_buyer_keeps_the_choice(platform: str) -> None:
    for lang, words in (("en", "replacement or a repair"), ("zh", "换货或维修"), ("ru", "замену или ремонт")):
        decision = run(platform, lang=lang, **DEFECT_SHOWN)
        assert decision.outcome == "offer_return_at_our_cost"
        assert decision.return_shipping_paid_by == "seller" and decision.resolution == "refund"
        assert words in decision.message["text"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_fact_left_at_its_default_refuses_a_delivered_defect(platform: str) -> None:
    """Defaults never decide against the buyer (docs/playbook-format.md): photos are taken at their word."""
    decision = run(platform, **{**DELIVERED, "request_reason": "defect", "evidence_provided": True})
    assert decision.resolution in ("refund", "refund_without_return")


# seed 001's refund-only tactics stay out --------------------------------------------------------------

REVIEW = {"en": re.compile(r"\breview|feedback|rating", re.I), "zh": re.compile(r"评价|好评|差评|评论"),
          "ru": re.compile(r"отзыв|оценк", re.I)}
STEER = {"en": re.compile(r"change (?:the|your) reason|choose .{0,20}reason|re-?apply|withdraw", re.I),
         "zh": re.compile(r"(?:修改|更改|改一下|换个)(?:退款)?原因|重新申请|撤销|撤回"),
         "ru": re.compile(r"смените причину|поменяйте причину|подайте (?:заявку )?заново|отзовите", re.I)}


def _messages():
    for example, _ in PLAYBOOK.examples:
        for lang in LANGS:
            facts = {**example.facts, "customer_name": "Anna", "order_id": "A-1"}
            yield example, lang, decide(PLAYBOOK, facts, example.platform, lang=lang,
                                        as_of=example.as_of or AS_OF, library=LIBRARY)


def test_no_message_ties_anything_to_a_review_or_steers_the_buyer_s_reason() -> None:
    seen = 0
    for example, lang, decision in _messages():
        text = decision.message["text"]
        assert not REVIEW[lang].search(text), (example.name, lang, text)
        assert not STEER[lang].search(text), (example.name, lang, text)
        seen += 1
    assert seen == 3 * len(PLAYBOOK.examples)


def test_every_example_message_passes_the_message_checker_as_its_reply_kind() -> None:
    for example, lang, decision in _messages():
        kind = reply_kind_for(PLAYBOOK, decision.outcome)
        errors = [f.rule for f in check_message(decision.message["text"], example.platform, lang, kind)
                  if f.severity == "error"]
        assert not errors, (example.name, lang, errors)


def test_no_message_shows_an_id_none_or_template_code() -> None:
    for example, lang, decision in _messages():
        text = decision.message["text"]
        assert "None" not in text and "{" not in text and "UTC" not in text, (example.name, lang, text)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (example.name, lang, text)


def test_a_refund_never_exceeds_the_affected_items() -> None:
    decision = run("ozon", **{**DELIVERED, "request_reason": "missing_part", "evidence_provided": True,
                              "order_value": 1000, "item_value": 300, "missing_value": 450})
    assert decision.compensation["amount"] == 300


# the estimated resolution time (seed 001) ---------------------------------------------------------------

PATHS = {
    "refund_not_shipped": NOT_SHIPPED, "stop_parcel": ON_ITS_WAY,
    "refund_parcel_back": {**ON_ITS_WAY, "tracking_status": "returned_to_us"},
    "refund_lost_parcel": {**ON_ITS_WAY, "tracking_status": "lost"},
    "ask_for_photos": {**DELIVERED, "request_reason": "defect", "evidence_provided": False},
    "refund_keep_item": {**DEFECT_SHOWN, "order_value": 10},
    "offer_return_at_our_cost": DEFECT_SHOWN,
    "refund_missing_part": {**DELIVERED, "request_reason": "missing_part", "evidence_provided": True, "missing_value": 5},
    "price_missing_part": {**DELIVERED, "request_reason": "missing_part", "evidence_provided": True},
    "answer_on_facts": {**DEFECT_SHOWN, "reason_confirmed": False},
    "no_reason_return": {**DELIVERED, "request_reason": "changed_mind"},
    "no_reason_window_passed": {"delivered_on": "2025-10-01", "request_reason": "changed_mind"},
}


def test_the_paths_cover_every_outcome() -> None:
    assert set(PATHS) == set(PLAYBOOK.outcomes)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("outcome", sorted(PATHS))
def test_every_first_reply_gives_its_estimate_on_every_platform(outcome: str, platform: str) -> None:
    from aftersales.present.formats import format_when

    decision = run(platform, lang="ru", **PATHS[outcome])
    assert decision.outcome == outcome
    estimate = decision.estimate
    if estimate == "now":
        return
    assert estimate is not None, f"{outcome} on {platform}: estimate {decision.outcome_node.estimate} not computed"
    zone = decision.env.get("customer_timezone") or decision.context.params.get("timezone")
    assert format_when(estimate.due, "ru", zone) in decision.message["text"]


# causes (seeds 000, 001: count cases by cause) --------------------------------------------------------

@pytest.mark.parametrize("outcome, cause", [
    ("refund_not_shipped", "change_of_mind"), ("refund_lost_parcel", "not_received"),
    ("refund_missing_part", "packing_error"), ("offer_return_at_our_cost", "product_defect"),
    ("answer_on_facts", "other"), ("no_reason_return", "change_of_mind"),
])
def test_each_case_is_counted_under_its_cause(outcome: str, cause: str) -> None:
    decision = run("taobao", **PATHS[outcome])
    record = {"scenario": "refund_only", "facts": decision.facts, "computed": decision.computed, "outcome": outcome}
    assert case_cause(record) == cause
    late = run("taobao", **{**NOT_SHIPPED, "late_shipment": True})
    assert case_cause({"scenario": "refund_only", "facts": late.facts, "computed": {}, "outcome": late.outcome}) == "delivery"
