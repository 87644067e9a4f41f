"""Date arithmetic shared by the policy functions: elapsed days and hours.

Conventions for the whole policy package: dates are :class:`datetime.date`; moments are
timezone-aware :class:`datetime.datetime` values, normalised to UTC; a date given where a
moment is expected means 00:00 UTC of that date. Naive datetimes are refused, because the
same wall-clock time means different moments for a seller in Shanghai and a buyer in Berlin.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from aftersales.policy import sources as src
from aftersales.policy.registry import policy_function

UTC = timezone.utc


def is_real(value: object) -> bool:
    """True for int and float (and other real numbers), False for bool: a cheap type check.

    ``isinstance(x, numbers.Real)`` goes through the ABC machinery on every call; the common
    types are answered first.
    """
    kind = type(value)
    if kind is float or kind is int:
        return True
    if kind is bool:
        return False
    import numbers

    return isinstance(value, numbers.Real)


def to_utc_datetime(value: date | datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; a date means 00:00 UTC of that date.

    Raises ValueError for a naive datetime or something that is neither a date nor a datetime.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()}: pass a timezone-aware datetime (UTC)"
            )
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    raise ValueError(f"expected a date or a datetime, got {type(value).__name__}: {value!r}")


def to_date(value: date | datetime) -> date:
    """Return the calendar date of ``value`` (the UTC date of an aware datetime)."""
    if isinstance(value, datetime):
        return to_utc_datetime(value).date()
    if isinstance(value, date):
        return value
    raise ValueError(f"expected a date or a datetime, got {type(value).__name__}: {value!r}")


@policy_function(sources=["seed 001", "seed 002"])
def days_since(start: date | datetime | None, today: date | datetime) -> int | None:
    """Decide how many calendar days have passed since ``start`` (``None`` if no start).

    The day of the event itself is day 0 and the next day is day 1, the way return windows
    and claim windows are counted ("7 days from receipt": day 7 is the last day). Datetimes
    count by their UTC calendar date, so 23:00 on 1 Jan to 01:00 on 2 Jan is 1 day. A start
    after ``today`` gives a negative number.

    Args:
        start: the event (delivery, refund, claim); ``None`` when it has not happened.
        today: the current date (or moment), passed in: policy functions read no clock.

    References:
        seed 001 (7-day no-reason return counted from receipt), seed 002 (FBA 45 days after
        the refund).
    """
    if start is None:
        return None
    return (to_date(today) - to_date(start)).days


@policy_function(sources=["seed 002", src.AMAZON_ATOZ_ABOUT])
def hours_between(start: date | datetime, end: date | datetime) -> float:
    """Decide how many hours lie between two moments (negative when ``end`` is earlier).

    Args:
        start: the earlier moment; a date means 00:00 UTC.
        end: the later moment; a date means 00:00 UTC.

    References:
        seed 002 (Amazon expects an answer to a claim within 3 days); Amazon A-to-z 48 h /
        72 h windows, https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951
    """
    return (to_utc_datetime(end) - to_utc_datetime(start)).total_seconds() / 3600.0
