"""Buyer claims: auto-granted claims, platform-paid claims, FBA reimbursement, early refunds."""

from __future__ import annotations

import math
import numbers
from datetime import date, datetime

from aftersales.policy import sources as src
from aftersales.policy.dates import to_utc_datetime
from aftersales.policy.deadlines import deadline_due
from aftersales.policy.registry import policy_function

#: Claim types a platform may pay itself (Amazon US product-liability claims).
PLATFORM_COVERED_CLAIM_TYPES: frozenset[str] = frozenset({"property_damage", "personal_injury"})

#: Answers of :func:`fba_reimbursement_status`.
FBA_STATUSES: tuple[str, ...] = ("not_applicable", "too_early", "eligible", "expired")


@policy_function(sources=["seed 002", src.AMAZON_ATOZ_ABOUT, src.AMAZON_ATOZ_RESPOND])
def claim_auto_granted(
    claim_opened_on: datetime,
    now: datetime,
    response_window: float | None,
    unit: str = "hours",
    holiday_country: str | None = None,
) -> bool:
    """Decide whether the response window has run out, so the platform may grant the claim.

    True once ``now`` is past the deadline (at the deadline itself the seller is still in
    time). The deadline is :func:`deadline_due` of the opening moment; a date means 00:00
    UTC. No such window on the platform (``response_window`` None) → False.

    Args:
        claim_opened_on: when the claim (or the platform's information request) was opened.
        now: the current moment, passed in.
        response_window: the window length (Amazon: 48 or 72 hours), or None.
        unit: the window's unit, see :data:`aftersales.policy.deadlines.DEADLINE_UNITS`
            (a ``response_window`` with a ``unit`` attribute brings its own).
        holiday_country: calendar code when ``unit`` is ``business_days``.

    Raises:
        ValueError: unknown unit, negative window, naive datetimes.

    References:
        seed 002 (Amazon expects an answer within 3 days, else it may grant the claim);
        POLICY-FACTS §0 row 1 and §2: 72 h on the US "About" page,
        https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951, 48 h on the
        "Respond to a claim notification" pages,
        https://sellercentral.amazon.com/gp/help/external/1781
    """
    if response_window is None:
        return False
    # a parameter value in another unit than its catalogue's carries it (engine._with_units)
    unit = getattr(response_window, "unit", None) or unit
    due = deadline_due(claim_opened_on, response_window, unit, holiday_country)
    return to_utc_datetime(now) > due


@policy_function(sources=["seed 002", src.AMAZON_PRODUCT_LIABILITY])
def platform_covers_claim(
    claim_type: str,
    claim_amount: float,
    threshold: float | None,
    seller_compliant_insured: bool,
    claim_currency: str | None = None,
    threshold_currency: str | None = None,
) -> bool:
    """Decide whether the platform itself pays a product-liability claim.

    Amazon US (from 1 Sep 2021) pays valid property-damage and personal-injury claims below
    1,000 USD at no cost to sellers who follow its policies and hold valid insurance:
    999.99 → True, 1000 → False. Other claim types → False. No such rule (``threshold``
    None) → False.

    Args:
        claim_type: "property_damage", "personal_injury" or any other claim type.
        claim_amount: the amount claimed, in the threshold's currency.
        threshold: the amount the claim must stay strictly below (Amazon US: 1000), or None.
        seller_compliant_insured: the seller follows the platform's policies and holds
            valid insurance.
        claim_currency: the currency of ``claim_amount`` (the order's), when known.
        threshold_currency: the currency the threshold is written in (the platform's
            ``currency``, Amazon US: USD). An amount in another currency is not compared
            with it (900 RUB is not "below 1,000 USD"): → False, a lead decides.

    Raises:
        ValueError: negative or non-finite amounts.

    References:
        seed 002 (Amazon handles property-damage and personal-injury claims under 1,000 USD
        for compliant, insured sellers); POLICY-FACTS §0 row 2, §2,
        https://fastcompany.com/90664542
    """
    if (
        isinstance(claim_amount, bool)
        or not isinstance(claim_amount, numbers.Real)
        or not math.isfinite(claim_amount)
        or claim_amount < 0
    ):
        raise ValueError(f"claim amount must be a finite number >= 0, got {claim_amount!r}")
    if threshold is None:
        return False
    if not math.isfinite(threshold) or threshold < 0:
        raise ValueError(f"threshold must be a finite number >= 0, got {threshold!r}")
    if claim_currency is not None and threshold_currency is not None and claim_currency != threshold_currency:
        return False
    return bool(seller_compliant_insured) and claim_type in PLATFORM_COVERED_CLAIM_TYPES and claim_amount < threshold


@policy_function(sources=["seed 002", src.AMAZON_FBA_CUSTOMER_RETURN])
def fba_reimbursement_status(
    refund_issued_on: date | None,
    today: date,
    reimburse_after_days: int | None,
    claim_window_end_days: int | None,
) -> str:
    """Decide where an FBA refunded-but-not-returned item stands for a reimbursement claim.

    Counting calendar days since the refund (the refund day is day 0):
    "too_early" before ``reimburse_after_days``; "eligible" from ``reimburse_after_days``
    to ``claim_window_end_days`` inclusive (Amazon today: days 60–120); "expired" after.
    "not_applicable" when there was no refund or the platform has no such rule
    (``reimburse_after_days`` None, e.g. no FBA on Ozon). ``claim_window_end_days`` None means
    the rule names no last day (the seed's 45-day rule): eligible from then on.

    Args:
        refund_issued_on: the day the buyer was refunded, or None.
        today: the current date, passed in.
        reimburse_after_days: the first day a claim may be filed (Amazon: 60; seed: 45).
        claim_window_end_days: the last day a claim may be filed (Amazon: 120).

    Raises:
        ValueError: negative days or a window that ends before it starts.

    References:
        seed 002 (FBA: refunded but not returned within 45 days → claim from Amazon);
        POLICY-FACTS §0 row 3, §3: now 60 days, claim no sooner than 60 and no later than 120
        days after the refund, https://sellercentral.amazon.com/gp/help/external/G9N934L7Y4SFWPJ4
    """
    if refund_issued_on is None or reimburse_after_days is None:
        return "not_applicable"
    if claim_window_end_days is None:
        claim_window_end_days = 10**6  # no last day named
    if reimburse_after_days < 0 or claim_window_end_days < reimburse_after_days:
        raise ValueError(
            f"FBA claim window {reimburse_after_days}–{claim_window_end_days} days is impossible: "
            "it must start at >= 0 days and end no earlier than it starts"
        )
    elapsed = (today - refund_issued_on).days
    if elapsed < reimburse_after_days:
        return "too_early"
    if elapsed <= claim_window_end_days:
        return "eligible"
    return "expired"


@policy_function(sources=["seed 002", src.AMAZON_FBA_CUSTOMER_RETURN])
def fba_reimbursement_eligible(
    refund_issued_on: date | None,
    today: date,
    reimburse_after_days: int | None,
    claim_window_end_days: int | None,
) -> bool:
    """Decide whether an FBA reimbursement claim can be filed today.

    True exactly when :func:`fba_reimbursement_status` is "eligible" (Amazon: days 60–120
    after the refund).

    Args:
        refund_issued_on: the day the buyer was refunded, or None.
        today: the current date, passed in.
        reimburse_after_days: the first day a claim may be filed (Amazon: 60).
        claim_window_end_days: the last day a claim may be filed (Amazon: 120).

    References:
        seed 002 (45 days, outdated); https://sellercentral.amazon.com/gp/help/external/G9N934L7Y4SFWPJ4
    """
    status = fba_reimbursement_status(refund_issued_on, today, reimburse_after_days, claim_window_end_days)
    return status == "eligible"


@policy_function(sources=["seed 001"])
def refund_request_before_delivery(shipped: bool, in_transit: bool) -> str:
    """Decide what to do when the buyer asks for a refund before delivery.

    Returns "refund" when the parcel has not been shipped, "wait" when it is in transit (ask
    the customer to wait for the delivery; if they will not, have the courier return —
    intercept — the parcel and refund once it is back), and "not_applicable" when it was
    shipped and is no longer in transit (delivered or lost: a return or a lost-parcel case).
    A parcel reported in transit counts as shipped, whatever ``shipped`` says: the answer
    stays defined for inconsistent facts instead of failing the decision.

    Args:
        shipped: the parcel has left the seller.
        in_transit: the parcel is still on its way (not delivered, not lost).

    References:
        seed 001 (not shipped → refund; in transit → ask the customer to wait, otherwise
        have the courier return it).
    """
    if in_transit:
        return "wait"
    return "not_applicable" if shipped else "refund"
