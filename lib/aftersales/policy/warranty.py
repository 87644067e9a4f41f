"""Warranty: is the item still under warranty, and for how many more days?"""

from __future__ import annotations

from datetime import date, timedelta

from aftersales.policy import sources as src
from aftersales.policy.registry import policy_function


def _warranty_last_day(delivered_on: date, warranty_days: int) -> date:
    if warranty_days < 0:
        raise ValueError(f"warranty must be >= 0 days, got {warranty_days!r}")
    return delivered_on + timedelta(days=warranty_days)


@policy_function(sources=["seed 000", "seed 004", src.RU_ZOZPP_19, src.OZON_RETURNS_3PL])
def warranty_active(delivered_on: date | None, today: date, warranty_days: int | None) -> bool:
    """Decide whether the item is still under warranty today.

    The warranty runs from delivery (remote sale) and ``today`` is covered up to and
    including ``delivered_on + warranty_days``. Not delivered → False; no warranty on this
    platform or product (``warranty_days`` None) → False.

    Args:
        delivered_on: the day the buyer received the goods, or None.
        today: the current date, passed in.
        warranty_days: the warranty length in days (product or profile parameter, e.g.
            Ozon's 365-day default for technically complex goods), or None.

    Raises:
        ValueError: negative warranty.

    References:
        seed 000 (in warranty and a quality problem: seller pays shipping both ways);
        seed 004 (confirm the repair is covered); ZoZPP Art. 19 (warranty counted from
        delivery in remote sales; 2 years when none is set), POLICY-FACTS §7,
        https://consultant-mos.ru; Ozon rFBS 365-day default warranty,
        https://docs.ozon.com/global/en/fulfillment/rfbs/refunds/returns-3pl
    """
    if delivered_on is None or warranty_days is None:
        return False
    return today <= _warranty_last_day(delivered_on, warranty_days)


@policy_function(sources=["seed 000", src.RU_ZOZPP_19, src.OZON_RETURNS_3PL])
def warranty_days_left(delivered_on: date | None, today: date, warranty_days: int | None) -> int:
    """Decide how many days of warranty remain, today included (0 when expired or none).

    ``warranty_days_left(...) > 0`` exactly when :func:`warranty_active` is True: on the
    last day of the warranty the answer is 1.

    Args:
        delivered_on: the day the buyer received the goods, or None.
        today: the current date, passed in.
        warranty_days: the warranty length in days, or None.

    Raises:
        ValueError: negative warranty.

    References:
        seed 000 (tell the customer the warranty status); ZoZPP Art. 19, POLICY-FACTS §7,
        https://consultant-mos.ru; Ozon rFBS warranty,
        https://docs.ozon.com/global/en/fulfillment/rfbs/refunds/returns-3pl
    """
    if delivered_on is None or warranty_days is None:
        return 0
    last_day = _warranty_last_day(delivered_on, warranty_days)
    return max(0, (last_day - today).days + 1)
