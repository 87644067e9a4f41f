"""Returns: resaleable condition, the no-reason return window, who pays return shipping."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from aftersales.policy import sources as src
from aftersales.policy.deadlines import zone
from aftersales.policy.registry import policy_function

#: Return reasons the playbooks use; a platform profile maps each to a payer.
RETURN_REASONS: tuple[str, ...] = (
    "defective",
    "damaged_in_transit",
    "wrong_item",
    "missing_item",
    "not_as_described",
    "size_nonconforming",
    "size_conforming",
    "change_of_mind",
)

#: Who can pay for a return's shipping.
PAYERS: tuple[str, ...] = ("seller", "buyer", "platform", "none")

#: Categories Amazon US always returns at the seller's cost ("jewelry" is the US spelling).
FASHION_CATEGORIES: frozenset[str] = frozenset({"apparel", "footwear", "jewellery", "jewelry", "watches"})


def _check_window(window_days: int, what: str) -> None:
    if window_days < 0:
        raise ValueError(f"{what} must be >= 0 days, got {window_days!r}")


@policy_function(sources=["seed 001", src.CN_INTERIM_MEASURES_2017])
def is_resaleable(tags_attached: bool, washed: bool, used: bool) -> bool:
    """Decide whether a returned item can be resold: tags on, not washed, not used.

    Only then does the no-reason (change of mind) return apply. Opening the parcel to look
    at the item does not count as use.

    Args:
        tags_attached: the tags are still on (not cut or removed).
        washed: the buyer washed the item.
        used: the item shows signs of use (worn, soiled, damaged).

    References:
        seed 001 (resale must not be affected: tags not cut, not washed, not used);
        China 2017 Interim Measures on 7-day no-reason returns, "完好" test: apparel with
        tags removed or soiled is not 完好 (POLICY-FACTS §8), https://m.qiqiwenku.com
    """
    return bool(tags_attached) and not washed and not used


@policy_function(sources=["seed 001", src.CN_CPL_ART_25, src.RU_ZOZPP_26_1, src.EU_CRD_ANNEX_I])
def return_window_last_day(delivered_on: date, window_days: int) -> date:
    """Decide the last day on which a no-reason return can be asked for.

    The window counts from the day after receipt: delivered 1 Jan with 7 days, the last day
    is 8 Jan.

    Args:
        delivered_on: the day the buyer received the goods.
        window_days: the window length (profile parameter, e.g. 7 in China and Russia, 14
            under the EU CRD, 30 on Amazon).

    Raises:
        ValueError: negative window.

    References:
        seed 001 (7-day no-reason return); CPL Art. 25, https://cuoac.com/legalaid/yizltrmzqd.html;
        ZoZPP Art. 26.1, https://zozpprf.ru/glava-2/statya-26-1; EU CRD 2011/83 Annex I,
        https://legislation.gov.uk/eudr/2011/83/annex/I
    """
    _check_window(window_days, "the return window")
    return delivered_on + timedelta(days=window_days)


@policy_function(sources=["seed 001", src.CN_CPL_ART_25, src.RU_ZOZPP_26_1, src.EU_CRD_ANNEX_I])
def no_reason_return_eligible(
    delivered_on: date | None, today: date, window_days: int | None, resaleable: bool
) -> bool:
    """Decide whether the buyer may still return the item without giving a reason.

    True when the item is resaleable and ``today`` is no later than the window's last day
    (see :func:`return_window_last_day`: delivered 1 Jan + 7 days → 8 Jan is the last day).
    Not delivered yet → False (that is a cancellation or refund before delivery, not a
    return). ``window_days`` None → False: the platform has no such rule.

    Args:
        delivered_on: the day the buyer received the goods, or None.
        today: the current date, passed in.
        window_days: the no-reason window in days (profile parameter) or None.
        resaleable: the outcome of :func:`is_resaleable`.

    Raises:
        ValueError: negative window.

    References:
        seed 001 (7-day no-reason return only if resale is not affected); CPL Art. 25,
        https://cuoac.com/legalaid/yizltrmzqd.html; ZoZPP Art. 26.1,
        https://zozpprf.ru/glava-2/statya-26-1; EU CRD 2011/83,
        https://legislation.gov.uk/eudr/2011/83/annex/I
    """
    if delivered_on is None or window_days is None:
        return False
    last_day = return_window_last_day(delivered_on, window_days)
    return bool(resaleable) and today <= last_day


@policy_function(
    sources=[
        "seed 000",
        "seed 001",
        src.AMAZON_SELLER_FAULT_RETURNS,
        src.AMAZON_RETURN_REASON_CODES,
        src.OZON_RETURNS_3PL,
        src.CN_CPL_ART_25,
    ]
)
def return_shipping_payer(
    reason: str,
    payer_by_reason: dict[str, str],
    category: str = "other",
    fashion_seller_pays: bool = False,
) -> str:
    """Decide who pays the return shipping: "seller", "buyer", "platform" or "none".

    The platform profile maps each return reason to a payer (``payer_by_reason``): the
    seller pays for its own faults (defective, damaged in transit, wrong or missing item,
    not as described, size beyond tolerance) and the buyer for a conforming size or a change
    of mind. Amazon US exception: fashion items (apparel, footwear, jewellery, watches) are
    always returned at the seller's cost, whatever the reason, when the profile sets
    ``fashion_seller_pays``.

    Args:
        reason: one of the profile's reasons, normally from :data:`RETURN_REASONS`.
        payer_by_reason: the profile's table of reason → payer.
        category: the product category (lower case; "other" when unknown).
        fashion_seller_pays: the platform's "fashion returns are seller-paid" rule.

    Raises:
        ValueError: a reason the profile does not list, or a payer outside :data:`PAYERS`.

    References:
        seed 000 (in warranty and a quality problem, the seller pays both ways); seed 001
        (quality problem or size beyond tolerance: seller pays; conforming size: buyer);
        POLICY-FACTS §0 row 7 and §4: Amazon seller-fault returns,
        https://sellercentral.amazon.com/gp/help/external/G202175040, reason codes
        https://sellercentral.amazon.co.jp/gp/help/external/help.html?itemID=200198010,
        "always seller-paid returns (US)" for fashion; Ozon rFBS,
        https://docs.ozon.com/global/en/fulfillment/rfbs/refunds/returns-3pl; CPL Art. 24/25.
    """
    if reason not in payer_by_reason:
        allowed = ", ".join(sorted(payer_by_reason)) or "(none: the profile lists no reasons)"
        raise ValueError(f"unknown return reason {reason!r}; allowed reasons: {allowed}")
    payer = payer_by_reason[reason]
    if payer not in PAYERS:
        raise ValueError(
            f"return shipping payer {payer!r} for reason {reason!r} is not one of {', '.join(PAYERS)}"
        )
    if fashion_seller_pays and str(category).strip().lower() in FASHION_CATEGORIES:
        return "seller"
    return payer


@policy_function(sources=[src.RU_ZOZPP_26_1, src.EU_CRD_ANNEX_I, "Directive 2011/83 art. 10",
                          "https://www.aboutamazon.com/news/retail/amazon-holiday-return-policy-2025"])
def withdrawal_last_day(
    delivered_on: date | None,
    ordered_on: date | None,
    window_days: int | None,
    not_informed_days: int | None = None,
    terms_given: bool = True,
    holiday: Mapping[str, Any] | None = None,
) -> date | None:
    """The last day of the no-reason return (withdrawal) window: the longest that applies.

    * the ordinary window: ``delivered_on + window_days``;
    * return terms not given at delivery (``terms_given`` false): ``delivered_on +
      not_informed_days`` (RU 3 months, ZoZPP art. 26.1 p.4; EU 14 days + 12 months,
      Directive 2011/83 art. 10);
    * a platform's holiday extension of the year (``holiday``: ``ordered_from``,
      ``ordered_to``, ``return_by``): an order placed inside it (``ordered_on``, default
      ``delivered_on``) may be returned until ``return_by`` (Amazon: bought 1 Nov-31 Dec 2025
      → 31 Jan 2026).

    None when the item is not delivered or no window applies.

    Raises:
        ValueError: a negative window.
    """
    if delivered_on is None:
        return None
    days = [d for d in (window_days, None if terms_given else not_informed_days) if d is not None]
    last = [return_window_last_day(delivered_on, d) for d in days]
    if holiday:
        ordered = ordered_on or delivered_on
        start, end, until = holiday.get("ordered_from"), holiday.get("ordered_to"), holiday.get("return_by")
        if isinstance(start, date) and isinstance(end, date) and isinstance(until, date) and start <= ordered <= end:
            last.append(until)
    return max(last) if last else None


@policy_function(sources=[src.RU_ZOZPP_26_1, "Directive 2011/83 art. 11", "LAW-FLOORS §5"])
def asked_in_time(requested_at: date | None, customer_timezone: str | None, last_day: date | None) -> bool:
    """Decide whether the buyer asked to return the item inside the window.

    A withdrawal is made by the buyer's notice, so what counts is the day the buyer asked, not
    the day the seller decides: the request is in time when its calendar date in the buyer's
    own time zone is no later than ``last_day`` (the window closes at 24:00 of its last day
    where the buyer lives; LAW-FLOORS §5). A plain date is taken as that local day.

    Args:
        requested_at: when the buyer asked (aware date-time, or a date); None: not asked.
        customer_timezone: the buyer's IANA time zone (None: UTC).
        last_day: the window's last day (:func:`withdrawal_last_day`); None: no window.

    References:
        ZoZPP art. 26.1 p.4 and Civil Code arts. 191, 194 (a period ends at 24:00 of its last
        day), https://zozpprf.ru/glava-2/statya-26-1; Directive 2011/83 art. 11 (the notice is
        in time if sent before the period expires); LAW-FLOORS §5.
    """
    if requested_at is None or last_day is None:
        return False
    if isinstance(requested_at, datetime):
        if requested_at.tzinfo is None:
            requested_at = requested_at.replace(tzinfo=timezone.utc)
        day = requested_at.astimezone(zone(customer_timezone)).date()
    else:
        day = requested_at
    return day <= last_day


@policy_function(sources=[src.CN_CPL_ART_25, src.RU_ZOZPP_26_1, "Directive 2011/83 art. 6(1)(i), 14(1)",
                          src.AMAZON_SELLER_FAULT_RETURNS, "https://journal.tinkoff.ru/pochemu-za-schet-prodavtsa/"])
def withdrawal_return_payer(
    payer_by_reason: dict[str, str],
    category: str = "other",
    fashion_seller_pays: bool = False,
    fulfilment: str | None = None,
    charged_to_seller: list[str] | None = None,
    terms_given: bool = True,
    buyer_pays_only_if_informed: bool = False,
    reason: str = "change_of_mind",
) -> str:
    """Decide who pays the postage of a no-reason return (a change of mind, a conforming size).

    * the platform charges the return to the seller in this fulfilment model
      (``charged_to_seller``, e.g. Ozon FBO and FBS) → "seller", the buyer is not charged;
    * the law puts the direct return cost on the buyer only if he was told so before buying
      (``buyer_pays_only_if_informed``, EU) and the return terms were not given → "seller";
    * otherwise the profile's table for the reason ``change_of_mind``, with Amazon's
      fashion rule (:func:`return_shipping_payer`) for ``reason``.

    Args:
        payer_by_reason: the profile's table of return reason → payer.
        category: the product category ("apparel", "footwear", ... or "other").
        fashion_seller_pays: the platform's "fashion returns are seller-paid" rule.
        fulfilment: the order's fulfilment model (FBA, FBM, FBO, FBS, rFBS, seller).
        charged_to_seller: fulfilment models whose returns the platform bills to the seller.
        terms_given: the buyer was given the return terms (who pays postage) in writing.
        buyer_pays_only_if_informed: the jurisdiction's "buyer pays only if informed" rule.
        reason: the return reason in the profile's table ("change_of_mind", "size_conforming").

    References:
        CPL art. 25 (buyer pays unless agreed), https://cuoac.com/legalaid/yizltrmzqd.html;
        ZoZPP art. 26.1 p.4 (seller keeps its return-delivery cost); Directive 2011/83
        art. 6(1)(i), 14(1); Amazon return reason codes (buyer remorse is buyer-paid);
        Ozon FBO/FBS reverse logistics billed to the seller (LAW-FLOORS §1, Ozon).
    """
    if fulfilment is not None and fulfilment in (charged_to_seller or []):
        return "seller"
    if buyer_pays_only_if_informed and not terms_given:
        return "seller"
    return return_shipping_payer(reason, payer_by_reason, category, fashion_seller_pays)
