"""Issue 12, part 6 and part 7 (fulfilment, shipping_insurance): who runs the return on each
platform and fulfilment model, and what the customer message tells the buyer to do."""
from __future__ import annotations

import pytest

from aftersales import decide
from aftersales.errors import FactError

AS_OF = "2026-01-15T09:00:00+00:00"
CURRENCY = {"amazon": "USD", "amazon_de": "EUR", "ozon": "RUB", "taobao": "CNY", "generic": "EUR"}

# A size beyond tolerance: exchange, seller pays both ways (the item goes back).
SIZE = {"order_value": 129, "delivered_on": "2026-01-12", "evidence_provided": True,
        "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}

COURIERS = {"en": "couriers we", "zh": "指定的快递", "ru": "служб доставки, которые мы укажем"}
PLATFORM_FLOW = {
    "amazon": {"en": "Amazon", "zh": "亚马逊", "ru": "Amazon"},
    "amazon_fba": {"en": "Amazon handles it", "zh": "由亚马逊处理退货", "ru": "организует сам Amazon"},
    "ozon": {"en": "Ozon pickup point", "zh": "Ozon 自提点", "ru": "пункте выдачи Ozon"},
}

# platform, fulfilment given (None: the profile's default), fulfilment used, who runs the return
CASES = [
    ("amazon", None, "FBM", "amazon"),
    ("amazon", "FBM", "FBM", "amazon"),
    ("amazon", "FBA", "FBA", "amazon_fba"),
    ("amazon_de", None, "FBM", "amazon"),
    ("amazon_de", "FBA", "FBA", "amazon_fba"),
    ("ozon", None, "FBS", "ozon"),
    ("ozon", "FBO", "FBO", "ozon"),
    ("ozon", "FBS", "FBS", "ozon"),
    ("ozon", "rFBS", "rFBS", "seller"),
    ("taobao", None, "seller", "seller"),
    ("taobao", "seller", "seller", "seller"),
    ("generic", None, "seller", "seller"),
]


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
@pytest.mark.parametrize("platform, given, used, runs", CASES)
def test_who_runs_the_return_and_what_the_message_says(platform, given, used, runs, lang):
    facts = dict(SIZE, currency=CURRENCY[platform])
    if given is not None:
        facts["fulfilment"] = given
    decision = decide("size_mismatch", facts, platform=platform, lang=lang, as_of=AS_OF)
    assert decision.outcome == "exchange_seller_pays"
    assert decision.facts["fulfilment"] == used
    assert decision.env["return_via"] == runs
    text = decision.message["text"]
    if runs == "seller":
        assert COURIERS[lang] in text or "служб" in text
    else:
        assert COURIERS[lang] not in text, text
        assert "couriers" not in text and "快递" not in text and "служб" not in text, text
        assert PLATFORM_FLOW[runs][lang] in text, text


@pytest.mark.parametrize("platform, bad, allowed", [
    ("amazon", "FBS", "FBA, FBM"),
    ("amazon_de", "rFBS", "FBA, FBM"),
    ("ozon", "FBA", "FBO, FBS, rFBS"),
    ("taobao", "FBM", "seller"),
    ("generic", "rFBS", "seller"),
])
def test_a_fulfilment_not_on_the_platform_is_a_fact_error_naming_the_allowed_ones(platform, bad, allowed):
    facts = dict(SIZE, currency=CURRENCY[platform], fulfilment=bad)
    with pytest.raises(FactError) as info:
        decide("size_mismatch", facts, platform=platform, lang="en", as_of=AS_OF)
    assert info.value.field == "fulfilment"
    assert allowed in str(info.value)


# A size within tolerance and a no-reason return: the buyer pays the return postage.
CONFORMING = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
              "category": "apparel", "size_deviation_cm": 1, "customer_preference": "refund",
              "item_resaleable": True}


@pytest.mark.parametrize("insured, payer", [(None, "buyer"), (False, "buyer"), (True, "insurer")])
def test_taobao_return_shipping_insurance_pays_the_buyers_postage(insured, payer):
    facts = dict(CONFORMING)
    if insured is not None:
        facts["shipping_insurance"] = insured
    for lang, mark in (("en", "insur"), ("zh", "运费险"), ("ru", "страховщик")):
        decision = decide("size_mismatch", facts, platform="taobao", lang=lang, as_of=AS_OF)
        assert decision.outcome == "return_buyer_pays"
        assert decision.return_shipping_paid_by == payer
        assert (mark in decision.message["text"]) == (payer == "insurer")


def test_insurance_never_changes_a_seller_paid_return():
    facts = dict(SIZE, currency="CNY", shipping_insurance=True)
    decision = decide("size_mismatch", facts, platform="taobao", lang="en", as_of=AS_OF)
    assert decision.return_shipping_paid_by == "seller"


@pytest.mark.parametrize("fulfilment, payer, mark", [("FBS", "seller", "пункте выдачи Ozon"),
                                                      ("FBO", "seller", "пункте выдачи Ozon"),
                                                      ("rFBS", "buyer", None)])
def test_ozon_fbo_fbs_returns_go_through_pickup_points_billed_to_the_seller(fulfilment, payer, mark):
    """Ozon FBO/FBS bill a return's reverse logistics to the seller, the buyer is not charged;
    on rFBS the buyer pays for an item of proper quality (LAW-FLOORS §1, Ozon)."""
    facts = dict(CONFORMING, currency="RUB", order_value=1290, fulfilment=fulfilment)
    decision = decide("size_mismatch", facts, platform="ozon", lang="ru", as_of=AS_OF)
    assert decision.outcome == "return_buyer_pays"
    assert decision.return_shipping_paid_by == payer
    text = decision.message["text"]
    # rFBS: the seller runs the return, so no Ozon pickup point (the chat is still Ozon's)
    assert (mark in text) if mark else ("пункт" not in text and "Ozon" not in text.replace("в чате на Ozon", "")), text


@pytest.mark.parametrize("fulfilment", ["FBM", "FBA"])
@pytest.mark.parametrize("lang, marks", [("en", ("Your Orders", "Meine Bestellungen", "Amazon.de", "prepaid")),
                                         ("zh", ("我的订单", "Meine Bestellungen", "Amazon.de", "预付")),
                                         ("ru", ("Мои заказы", "Meine Bestellungen", "Amazon.de", "оплаченн"))])
def test_amazon_de_sends_the_buyer_to_amazon_de_s_own_return_flow(fulfilment, lang, marks):
    """The route sentence is the amazon.de profile's (params.return_route), not amazon.com's."""
    facts = dict(SIZE, currency="EUR", fulfilment=fulfilment)
    text = decide("size_mismatch", facts, platform="amazon_de", lang=lang, as_of=AS_OF).message["text"]
    assert all(mark in text for mark in marks), text
    us = decide("size_mismatch", dict(SIZE, currency="USD", fulfilment=fulfilment), platform="amazon", lang=lang,
                as_of=AS_OF).message["text"]
    assert "Amazon.de" not in us and "Meine Bestellungen" not in us


def test_the_route_comes_from_the_profile(tmp_path):
    """A lead edits the sentence in the platform file; the engine has no copy of its own."""
    import shutil
    from pathlib import Path

    from aftersales.library import load_library

    root = tmp_path / "playbooks"
    shutil.copytree(Path(__file__).resolve().parents[2] / "playbooks", root)
    path = root / "platforms" / "ozon.yaml"
    text = path.read_text(encoding="utf-8")
    old = "hand the item in at any Ozon pickup point"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "hand the item in at the Ozon pickup point of your order"), encoding="utf-8")
    facts = dict(SIZE, currency="RUB", order_value=1290, fulfilment="FBO")
    decision = decide("size_mismatch", facts, platform="ozon", lang="en", as_of=AS_OF, library=load_library(root))
    assert "the Ozon pickup point of your order" in decision.message["text"]
