"""The product safety recall playbook (playbooks/recall.yaml): one decision per affected buyer.

A table of cases per market (the outcome and the authority deadline each market's law gives), the
input and outcome names `aftersales recall` relies on, the cost-free rule (GPSR art. 37, CPL
art. 19), and the recall letter itself: its heading, the product, the plain hazard with none of the
words GPSR art. 36(2) forbids, "stop using it", the remedy and how to reach us - in every language,
on every platform, for every hazard.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest

from aftersales.compliance import check_message
from aftersales.engine import decide
from aftersales.library import load_library
from aftersales.training.cases import load_cases

LIBRARY = load_library()
PLAYBOOK = LIBRARY.playbook("recall")
PLATFORMS = sorted(PLAYBOOK.platforms)
LANGS = ("en", "zh", "ru")
AS_OF = "2026-11-20T09:00:00+00:00"
MONEY = {"amazon": (18.99, "USD"), "amazon_de": (34.99, "EUR"), "generic": (59.9, "EUR"), "ozon": (2490, "RUB"),
         "taobao": (39, "CNY")}
#: The same recall written by a lead in each language (what the buyer reads must be in their language).
PRODUCT = {
    "en": {"product_name": "Warmo 2000 fan heater", "hazard_description": "The plug can melt and catch fire at full power."},
    "zh": {"product_name": "暖风机", "hazard_description": "满功率使用时插头可能熔化起火。"},
    "ru": {"product_name": "Тепловентилятор «Тёплый дом»", "hazard_description": "На полной мощности вилка может оплавиться и загореться."},
}
HAZARDS = ("fire", "burn", "electric_shock", "choking", "strangulation", "cut", "chemical", "injury_other")
REMEDY_OUTCOME = {"refund": "recall_refund", "replace": "recall_replace", "repair": "recall_repair"}


def recall(platform: str, lang: str = "en", as_of: str = AS_OF, **facts: Any):
    """The decision for one affected order on ``platform``, written in ``lang``."""
    paid, currency = MONEY[platform]
    base = {"sku": "WH-2000", "batch": "2409-A", "hazard": "fire", "remedy": "refund", "item_delivered": True,
            "paid_amount": paid, "currency": currency, "order_id": "A-1042", **PRODUCT[lang]}
    return decide("recall", {**base, **facts}, platform, lang=lang, as_of=as_of, library=LIBRARY)


def due(decision, name: str) -> datetime | None:
    found = [d.due for d in decision.deadlines if d.name == name]
    return found[0] if found else None


# the contract of `aftersales recall ORDERS.csv` ----------------------------------------------------

CONTRACT = {
    # name: (type, required)
    "product_name": ("text", True), "sku": ("text", True), "batch": ("text", False), "hazard": ("choice", True),
    "hazard_description": ("text", True), "remedy": ("choice", True), "item_delivered": ("bool", True),
    "paid_amount": ("money", False), "currency": ("choice", False), "order_id": ("text", False),
    "customer_name": ("text", False), "recall_contact": ("text", False), "incidents_reported": ("bool", False),
}


@pytest.mark.parametrize("name, kind, required", [(n, k, r) for n, (k, r) in CONTRACT.items()])
def test_the_input_names_are_the_recall_command_s_contract(name: str, kind: str, required: bool) -> None:
    spec = PLAYBOOK.inputs[name].spec
    assert spec.type == kind
    assert spec.required == required or (not required and (spec.nullable or spec.default is not None))


def test_the_choices_and_outcomes_are_the_contract() -> None:
    inputs = PLAYBOOK.inputs
    assert inputs["hazard"].spec.choices == list(HAZARDS)
    assert set(inputs["hazard"].spec.choice_labels) == set(HAZARDS)
    assert all(set(label) == set(LANGS) for label in inputs["hazard"].spec.choice_labels.values())
    assert inputs["remedy"].spec.choices == ["refund", "replace", "repair"]
    assert inputs["incidents_reported"].spec.default is False
    assert set(PLAYBOOK.outcomes) == {"recall_refund", "recall_replace", "recall_repair", "recall_intercept"}


# each market, one sentence a lead would say ------------------------------------------------------

CASES = [
    pytest.param("generic", {"remedy": "refund"}, "recall_refund", "refund",
                 id="GPSR art. 37(2)(c): the recall refunds at least the price paid"),
    pytest.param("generic", {"remedy": "repair"}, "recall_repair", "repair",
                 id="GPSR art. 37(2)(a): a repair, done by us"),
    pytest.param("amazon_de", {"remedy": "replace"}, "recall_replace", "exchange",
                 id="GPSR art. 37(2)(b): a safe replacement of the same type"),
    pytest.param("amazon_de", {"remedy": "replace", "customer_preference": "refund"}, "recall_refund", "refund",
                 id="GPSR art. 37(2): a buyer offered a replacement may take the refund instead"),
    pytest.param("amazon", {"remedy": "repair", "customer_preference": "refund"}, "recall_refund", "refund",
                 id="a buyer offered a repair may take the refund instead"),
    pytest.param("amazon", {"item_delivered": False}, "recall_intercept", "intercept",
                 id="not delivered yet: the parcel is stopped and the order refunded"),
    pytest.param("ozon", {"remedy": "repair"}, "recall_repair", "repair",
                 id="ZoZPP art. 7: the recall is free for the buyer; a repair at our cost"),
    pytest.param("ozon", {"item_delivered": False, "remedy": "repair"}, "recall_intercept", "intercept",
                 id="not delivered: intercept, whatever the remedy offered to buyers who have the item"),
    pytest.param("taobao", {"remedy": "replace"}, "recall_replace", "exchange",
                 id="CPL art. 19: a replacement, the buyer's necessary costs borne by us"),
    pytest.param("taobao", {"remedy": "refund", "incidents_reported": True}, "recall_refund", "refund",
                 id="CPL art. 19: injuries reported change the urgency, not the buyer's remedy"),
]


@pytest.mark.parametrize("platform, facts, outcome, resolution", CASES)
def test_each_market_s_recall(platform: str, facts: dict, outcome: str, resolution: str) -> None:
    decision = recall(platform, **facts)
    assert (decision.outcome, decision.resolution) == (outcome, resolution)


def test_the_cases_here_the_examples_and_the_practice_bank_reach_every_outcome() -> None:
    reached = {case.values[2] for case in CASES}
    examples = {example.expect.outcome for example, _ in PLAYBOOK.examples}
    practice = {case.expected.outcome for case in load_cases() if case.scenario == "recall"}
    assert reached == examples == practice == set(PLAYBOOK.outcomes)


# the authority: each market's deadline, from when we learned of the hazard -------------------------

LEARNED = "2026-11-19T14:00:00+00:00"


@pytest.mark.parametrize("platform, step, after", [
    pytest.param("amazon", "report_us", timedelta(hours=24), id="16 CFR 1115.14(e): the CPSC within 24 hours"),
    pytest.param("ozon", "report_ru", timedelta(days=10),
                 id="184-FZ art. 37: Rosstandart within 10 days (counted by the hour: never later than the law's days)"),
    pytest.param("generic", "report_eu", None, id="GPSR: the Safety Business Gateway immediately, no day count"),
    pytest.param("amazon_de", "report_eu", None, id="Amazon.de: the same EU rule"),
    pytest.param("taobao", "report_cn", None, id="CPL art. 19: the market regulator at once, no day count"),
])
def test_the_authority_is_told_in_the_market_s_time(platform: str, step: str, after: timedelta | None) -> None:
    decision = recall(platform, hazard_known_at=LEARNED)
    assert step in [node.id for node, _branch in decision.path]
    report = due(decision, "authority_report")
    if after is None:
        assert report is None
    else:
        assert report == datetime.fromisoformat(LEARNED) + after


def test_reported_injuries_make_the_recall_urgent_everywhere() -> None:
    for platform in PLATFORMS:
        calm = recall(platform, hazard_known_at=LEARNED)
        urgent = recall(platform, hazard_known_at=LEARNED, incidents_reported=True)
        assert "injured_buyers" not in [node.id for node, _ in calm.path]
        assert "injured_buyers" in [node.id for node, _ in urgent.path]
        assert due(calm, "incident_report") is None
        assert due(urgent, "incident_report") == datetime.fromisoformat(LEARNED) + timedelta(hours=24)


def test_the_authority_deadline_is_said_in_words() -> None:
    decision = recall("amazon", hazard_known_at=LEARNED)
    (report,) = [d for d in decision.deadlines if d.name == "authority_report"]
    assert report.rule == "Report to the CPSC: 24 hours from learning of the hazard"


# the buyer never pays (GPSR art. 37(1), CPL art. 19) -------------------------------------------------

FREE = {"en": "free of charge", "zh": "不需要您承担任何费用", "ru": "бесплатн"}


NAME = {"en": "Li", "zh": "小林", "ru": "Анна"}
CONTACT = "+49 800 555 0199"


@cache
def _every_message() -> list[tuple[str, str, str, str, Any]]:
    """(platform, lang, hazard, outcome, decision) for every outcome on every platform, in every
    language, for every hazard."""
    made = []
    for platform in PLATFORMS:
        for lang in LANGS:
            for hazard in HAZARDS:
                for facts in ({"remedy": "refund"}, {"remedy": "replace"}, {"remedy": "repair"},
                              {"item_delivered": False}):
                    decision = recall(platform, lang, hazard=hazard, customer_name=NAME[lang],
                                      recall_contact=CONTACT, **facts)
                    made.append((platform, lang, hazard, decision.outcome, decision))
    return made


def test_every_message_is_made() -> None:
    made = {(p, lang, outcome) for p, lang, _h, outcome, _d in _every_message()}
    assert made == {(p, lang, o) for p in PLATFORMS for lang in LANGS for o in PLAYBOOK.outcomes}


def test_the_buyer_pays_nothing_on_any_outcome() -> None:
    for platform, lang, hazard, outcome, decision in _every_message():
        assert decision.return_shipping_paid_by == "seller", (platform, outcome)
        assert decision.cost_borne_by == "seller", (platform, outcome)
        assert decision.compensation is None, (platform, outcome)
        assert FREE[lang] in decision.message["text"], (platform, lang, hazard, outcome)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_refund_is_the_price_paid(platform: str, lang: str) -> None:
    paid, currency = MONEY[platform]
    shown = {("en", "USD"): "$18.99", ("en", "EUR"): "€", ("en", "RUB"): "₽", ("en", "CNY"): "39.00",
             ("zh", "USD"): "US$18.99", ("zh", "EUR"): "€", ("zh", "RUB"): "₽", ("zh", "CNY"): "¥39.00",
             ("ru", "USD"): "18,99", ("ru", "EUR"): "€", ("ru", "RUB"): "2\u00a0490", ("ru", "CNY"): "39"}
    for remedy in ("refund", "replace", "repair"):
        text = recall(platform, lang, remedy=remedy).message["text"]
        assert shown[(lang, currency)] in text, (remedy, text)
    # a price not in the export: the full price, never a guessed figure
    text = recall(platform, lang, paid_amount=None, currency=None).message["text"]
    assert not re.search(r"\d[\d\s.,\u00a0]*\s?(?:€|₽|\$|¥)|(?:€|₽|\$|¥)\s?\d", text)
    assert {"en": "the full price you paid", "zh": "全额退款", "ru": "всю уплаченную сумму"}[lang] in text


# the recall letter ------------------------------------------------------------------------------

HEADING = {"en": "Product safety recall: {}", "zh": "产品安全召回：{}", "ru": "Отзыв товара по соображениям безопасности: «{}»"}
STOP = {"en": ("stop using it immediately", "do not use the item"), "zh": ("立即停止使用", "请不要使用"),
        "ru": ("сразу прекратите им пользоваться", "не пользуйтесь товаром")}
#: Words that make a risk sound smaller (GPSR art. 36(2): "voluntary", "precautionary",
#: "discretionary", "in rare/specific situations", "no reported accidents"), in every language.
SOFTENING = {
    "en": r"voluntar|precaution|discretion|\brare\b|rarely|specific situations|unlikely|abundance of caution"
          r"|no (?:reported )?(?:accidents|injuries|incidents)|(?:accidents|injuries|incidents) (?:have been )?reported",
    "zh": r"自愿|主动召回|预防|谨慎起见|以防万一|极少|罕见|个别情况|特定情况|特殊情况|未发生|尚未发生|没有发生|尚无|暂无|未收到.{0,6}(?:事故|报告)",
    "ru": r"добровольн|превентивн|предосторожн|на всякий случай|в редких|редко|в отдельных|в определ[её]нных|в исключительных"
          r"|не поступал|не зафиксирован|не было (?:случаев|жалоб|происшествий)|несчастных случаев не",
}


def test_no_message_softens_the_hazard() -> None:
    for platform, lang, hazard, outcome, decision in _every_message():
        text = decision.message["text"]
        found = re.search(SOFTENING[lang], text, re.IGNORECASE)
        assert found is None, (platform, lang, hazard, outcome, found and found.group(), text)


def test_every_letter_is_a_recall_letter() -> None:
    for platform, lang, hazard, outcome, decision in _every_message():
        text = decision.message["text"]
        where = (platform, lang, hazard, outcome, text)
        assert text.startswith(HEADING[lang].format(PRODUCT[lang]["product_name"])), where
        assert "WH-2000" in text and "2409-A" in text and "A-1042" in text, where  # which product and order
        assert PRODUCT[lang]["hazard_description"].rstrip(".。") in text, where  # the hazard in the seller's words
        stop = STOP[lang][1] if outcome == "recall_intercept" else STOP[lang][0]
        assert stop in text, where
        assert "None" not in text and "{" not in text and "UTC" not in text, where
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), where  # no ids


def test_the_hazard_is_named_in_the_buyer_s_language() -> None:
    """Each hazard has its own plain sentence in every language (never the choice's id)."""
    for lang in LANGS:
        sentences = {recall("generic", lang, hazard=hazard).message["text"] for hazard in HAZARDS}
        assert len(sentences) == len(HAZARDS), lang


def test_zh_and_ru_letters_have_no_english() -> None:
    for platform, lang, _hazard, outcome, decision in _every_message():
        if lang == "en":
            continue
        text = decision.message["text"]
        for value in ("WH-2000", "2409-A", "A-1042", CONTACT):
            text = text.replace(value, "")
        text = re.sub(r"Amazon(?:\.de)?|Ozon|Taobao|Meine Bestellungen|US\$|CN¥", "", text)  # names, not English
        assert not re.search(r"[A-Za-z]{2,}", text), (platform, lang, outcome, text)


def test_the_recall_line_is_printed_only_where_the_platform_allows_it() -> None:
    """Amazon, Ozon and Taobao forbid phone numbers and outside links in buyer messages; our own
    store's letter carries the recall line."""
    for platform, lang, _hazard, outcome, decision in _every_message():
        assert (CONTACT in decision.message["text"]) == (platform == "generic"), (platform, lang, outcome)


def test_a_replacement_or_repair_letter_also_offers_the_refund() -> None:
    offer = {"en": "refund the price you paid", "zh": "改为退款，退还您支付的全部货款", "ru": "вернём всю уплаченную сумму"}
    for platform, lang, _hazard, outcome, decision in _every_message():
        if outcome in ("recall_replace", "recall_repair"):
            assert offer[lang] in decision.message["text"], (platform, lang, outcome)


def test_the_buyer_is_never_asked_to_cancel_the_order() -> None:
    ask = {"en": r"(?:please|you)\s+(?:\w+\s+)?cancel", "zh": r"请您?(?:自行|自己)?取消|您(?:自己|自行)取消",
           "ru": r"отмените|отменить заказ"}
    for platform, lang, _hazard, outcome, decision in _every_message():
        if outcome == "recall_intercept":
            assert not re.search(ask[lang], decision.message["text"]), (platform, lang)


def test_every_example_message_passes_the_message_checker() -> None:
    for example, _location in PLAYBOOK.examples:
        for lang in LANGS:
            decision = decide("recall", example.facts, example.platform, lang=lang, as_of=example.as_of, library=LIBRARY)
            errors = [f for f in check_message(decision.message["text"], example.platform, lang, "apology")
                      if f.severity == "error"]
            assert not errors, (example.name, lang, errors)
