"""Compensation: partial refunds for minor defects, raised offers, late-shipment payments."""

from __future__ import annotations

import math

from aftersales.policy import sources as src
from aftersales.policy.dates import is_real
from aftersales.policy.registry import policy_function

#: Tolerance for float noise in money arithmetic (far below one cent).
_EPS = 1e-9


def _finite(value: float, what: str, *, allow_negative: bool = False) -> float:
    if not is_real(value) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if not allow_negative and value < 0:
        raise ValueError(f"{what} must be >= 0, got {value!r}")
    return float(value)


def _cap(amount: float, item_value: float | None) -> float:
    """``amount`` capped at the value of the affected items (None: no cap known)."""
    if item_value is None:
        return amount
    item_value = _finite(item_value, "item value")
    return round(min(amount, item_value), 2)


@policy_function(sources=["seed 001"])
def cap_to_item_value(amount: float | None, item_value: float | None) -> float | None:
    """Decide the amount actually paid: never more than the value of the affected items.

    A refund, partial refund or offer is computed on the items the case is about and never
    exceeds what the customer paid for them (``item_value``; the order value when the case is
    about the whole order). None stays None (no amount); ``item_value`` None → no cap.

    Args:
        amount: the computed amount, or None.
        item_value: the value of the affected items, or None.

    Raises:
        ValueError: negative or non-finite amounts.

    References:
        seed 001 (compensation stays below what a return would cost); issue 12 part 5 (refunds
        and offers are computed on the affected items and never exceed their value).
    """
    if amount is None:
        return None
    amount = _finite(amount, "amount", allow_negative=True)
    return _cap(round(amount, 2), item_value)


@policy_function(sources=["seed 001", "seed 003"])
def minor_defect_offer(shipping_saved: float, ratio: float, item_value: float | None = None) -> float:
    """Decide the partial refund offered for a minor defect so the customer keeps the item.

    The offer is ``shipping_saved * ratio``, rounded down to whole currency units when the
    shipping saved is 10 or more (to cents below that), and always strictly below the
    shipping it saves: keeping the item must be cheaper for the seller than the return.
    Return shipping 12 with ratio 10/12 → 10; exchange (both ways) 24 → 20. Nothing saved
    (``shipping_saved`` <= 0) → 0.0. Never more than ``item_value``: a ¥8 item with return
    shipping 12 → 8 (the playbook then refunds it without a return). 0.0 means "no money to
    offer": the playbook must take another path, never offer 0.

    Args:
        shipping_saved: the shipping the seller avoids (return, or both ways for an exchange).
        ratio: share of that shipping offered, in (0, 1] (profile parameter, seed: 10/12).
        item_value: the value of the affected items (the cap), or None for no cap.

    Raises:
        ValueError: ratio outside (0, 1], non-finite amounts.

    References:
        seed 001 (minor defects: 12 → offer 10, 24 → offer 20, the offer stays below the
        shipping it saves); seed 003 (returns and exchanges carry big costs). POLICY-FACTS
        §0 row 8: a business heuristic, not a platform rule.
    """
    shipping_saved = _finite(shipping_saved, "shipping saved", allow_negative=True)
    ratio = _finite(ratio, "ratio", allow_negative=True)
    if not 0 < ratio <= 1:
        raise ValueError(f"ratio must be in (0, 1], got {ratio!r}")
    if shipping_saved <= 0:
        return 0.0
    step = 1.0 if shipping_saved >= 10 else 0.01
    # Ratios are written to four decimals in profiles (10/12 as 0.8333), so 12 × 0.8333 =
    # 9.9996 must count as 10: round to 1/100 of a step before rounding down.
    units = math.floor(round(shipping_saved * ratio / step, 2) + _EPS)
    offer = units * step
    if offer >= shipping_saved - _EPS:
        offer -= step
    return _cap(round(max(offer, 0.0), 2), item_value)


@policy_function(sources=["seed 001"])
def raised_offer(first_offer: float, raise_amount: float, item_value: float | None = None) -> float:
    """Decide the second, final offer after the customer refused the first one.

    Seed 001: if the partial refund is refused, add 3–5 more once; if that is refused too,
    take the return. The amount added comes from the profile.

    Args:
        first_offer: the offer the customer refused (e.g. from :func:`minor_defect_offer`).
        raise_amount: how much to add (profile parameter, 3–5 in the seed).
        item_value: the value of the affected items: the raised offer never exceeds it.

    Raises:
        ValueError: negative or non-finite amounts.

    References:
        seed 001 (if refused, add 3–5; if still refused, accept the return).
    """
    first_offer = _finite(first_offer, "first offer")
    raise_amount = _finite(raise_amount, "raise amount")
    return _cap(round(first_offer + raise_amount, 2), item_value)


@policy_function(sources=["seed 001"])
def offer_range(first_offer: float, raise_min: float, raise_max: float,
                item_value: float | None = None) -> list[float]:
    """Decide the range of acceptable second offers, ``[first + raise_min, first + raise_max]``.

    Training uses it to accept a trainee's raised offer anywhere in the range.

    Args:
        first_offer: the offer the customer refused.
        raise_min: the smallest raise (seed: 3).
        raise_max: the largest raise (seed: 5).
        item_value: the value of the affected items: neither bound exceeds it.

    Raises:
        ValueError: negative amounts or ``raise_min > raise_max``.

    References:
        seed 001 (if refused, add 3–5 more).
    """
    first_offer = _finite(first_offer, "first offer")
    raise_min = _finite(raise_min, "minimum raise")
    raise_max = _finite(raise_max, "maximum raise")
    if raise_min > raise_max:
        raise ValueError(f"minimum raise {raise_min} is above maximum raise {raise_max}")
    return [_cap(round(first_offer + raise_min, 2), item_value), _cap(round(first_offer + raise_max, 2), item_value)]


@policy_function(sources=["seed 001", src.TAOBAO_LATE_SHIPMENT])
def late_shipment_compensation(
    order_value: float,
    pct: float | None,
    minimum: float | None = None,
    maximum: float | None = None,
    item_value: float | None = None,
) -> float | None:
    """Decide what the seller pays the buyer for shipping later than promised (Taobao).

    ``pct`` % of the order value, raised to ``minimum`` and capped at ``maximum`` when they
    are given, never more than ``item_value``. No such rule on the platform (``pct`` None), or
    nothing to pay (0) → None.

    Args:
        order_value: the actual transaction amount.
        pct: the percentage (seed 001: 30; 2015 Taobao rule text: 5), or None.
        minimum: the smallest payment (2015 rule: ¥5), or None.
        maximum: the largest payment (2015 rule: ¥30), or None.
        item_value: the value of the affected items: the payment never exceeds it (a ¥3
            order is not paid the ¥5 minimum).

    Raises:
        ValueError: negative amounts or ``minimum > maximum``.

    References:
        seed 001 ("not shipped on time" costs the seller 30 % of the order value);
        Taobao rule of 2015-10-29: 5 % of the transaction, ¥5–¥30 (POLICY-FACTS §0 row 5,
        §8), https://85l.net/l/2056992216415243827.html
    """
    order_value = _finite(order_value, "order value")
    if pct is None:
        return None
    pct = _finite(pct, "percentage")
    if minimum is not None:
        minimum = _finite(minimum, "minimum compensation")
    if maximum is not None:
        maximum = _finite(maximum, "maximum compensation")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValueError(f"minimum compensation {minimum} is above maximum {maximum}")
    amount = order_value * pct / 100.0
    if minimum is not None:
        amount = max(amount, minimum)
    if maximum is not None:
        amount = min(amount, maximum)
    amount = _cap(round(amount, 2), item_value)
    return amount if amount > 0 else None  # nothing to pay is no payment, never "0.00"


@policy_function(sources=["seed 001"])
def colour_difference_waived(price_difference: float, waive_max: float | None) -> bool:
    """Decide whether the price difference of an exchange to another colour/model is waived.

    Seed 001: on a colour-difference complaint the seller may exchange to another colour or
    model and waive a price difference up to 5. The difference counts in either direction
    (cents compared, so 5.0000001 is 5). No such rule (``waive_max`` None) → False.

    Args:
        price_difference: new item's price minus the old one's.
        waive_max: the largest difference waived (profile parameter), or None.

    Raises:
        ValueError: negative ``waive_max`` or non-finite amounts.

    References:
        seed 001 (colour difference: exchange to another colour/model, a price difference up
        to 5 is waived).
    """
    price_difference = _finite(price_difference, "price difference", allow_negative=True)
    if waive_max is None:
        return False
    waive_max = _finite(waive_max, "waive maximum")
    return round(abs(price_difference), 2) <= round(waive_max, 2) + _EPS
