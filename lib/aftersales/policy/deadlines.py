"""Deadlines: business days by public-holiday calendar, and due moments of time windows.

Conventions (the same in every function here):

* Moments are aware datetimes; a date given as a start means 00:00 of that date in ``tz``
  (the buyer's IANA time zone, default UTC).
* A window counted in whole days (``days``, ``weeks``, ``months``, ``business_days``) from a
  *date* ends at the **end of its last day in the buyer's zone** (24:00 local, i.e. 00:00 of
  the next local day), the event day not counted (LAW-FLOORS §5: RU Civil Code 191/194, EU
  Reg. 1182/71 art. 3, CN Civil Code 201-203): a 7-day return window from delivery on 1 Jan
  in Europe/Moscow is due 9 Jan 00:00+03:00 (= 8 Jan 24:00). The same window from a *datetime* ends exactly
  that long after it (1 Jan 10:00 + 7 days → 8 Jan 10:00), because the platform counts it
  from the moment of the event (a claim opened, a request received).
* ``business_days`` always end at the end of the Nth business day (24:00 in ``tz``), the start
  day (its local date) not counted, whether the start is a date or a datetime.
* ``hours`` are exact: start + hours (from a date: from its midnight).

Holiday calendars come from the ``holidays`` package, imported lazily (importing
``aftersales.policy`` must stay cheap) and cached per country and year.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftersales.limits import MAX_BUSINESS_DAYS, MAX_DEADLINE_DAYS
from aftersales.policy import sources as src
from aftersales.policy.dates import UTC, is_real, to_date, to_utc_datetime
from aftersales.policy.registry import policy_function

if TYPE_CHECKING:  # pragma: no cover
    from holidays import HolidayBase

#: Units :func:`deadline_due` understands.
DEADLINE_UNITS: tuple[str, ...] = ("hours", "days", "business_days", "weeks", "months")

#: Calendar codes that are not ISO countries: "EU" is the ECB/TARGET2 calendar.
_FINANCIAL_ALIASES = {"EU": "XECB"}

#: Kept for callers that print a day's last second; windows now end at 24:00 local (see end_of_day).
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (None: UTC). Raises ValueError for an unknown name."""
    if name is None:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Europe/Moscow") from None


def end_of_day(day: date, tz: str | None = None) -> datetime:
    """24:00 of ``day`` in ``tz``: the aware moment the next local day starts (DST-safe)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone(tz))


def _local_start(start: date | datetime, tz: str | None) -> datetime:
    """``start`` as an aware datetime in ``tz``; a date means its local midnight."""
    if isinstance(start, datetime):
        return to_utc_datetime(start).astimezone(zone(tz))
    if isinstance(start, date):
        return datetime.combine(start, time(0, 0), tzinfo=zone(tz))
    return to_utc_datetime(start)  # raises the usual error

#: How far add_business_days searches before giving up (a broken calendar, not a real year).
_MAX_DAYS_SEARCHED_PER_BUSINESS_DAY = 366


@lru_cache(maxsize=None)
def _calendar(code: str, years: tuple[int, ...]) -> HolidayBase:
    import holidays  # lazy: ~0.1 s, only when a deadline needs a calendar

    market = _FINANCIAL_ALIASES.get(code, code)
    # Ask for the calendar directly: listing the supported codes first imports every
    # country module (~0.8 s), while one country imports only its own.
    if code not in _FINANCIAL_ALIASES:
        try:
            return holidays.country_holidays(code, years=years, expand=False)
        except NotImplementedError:
            pass
    try:
        return holidays.financial_holidays(market, years=years, expand=False)
    except NotImplementedError:
        pass
    raise ValueError(
        f"unknown holiday calendar {code!r}: use an ISO country code (CN, RU, US, DE, ...), "
        f"'EU' for the ECB/TARGET calendar, or a financial market code such as XNYS"
    )


def holiday_calendar(country: str, years: int | Iterable[int]) -> HolidayBase:
    """Return the public-holiday calendar of ``country`` for ``years`` (cached).

    ``country`` is an ISO 3166 code ("CN", "RU", "US", "DE"), "EU" for the ECB/TARGET
    financial calendar (``holidays.financial_holidays("XECB")``), or a financial market code.
    The calendar holds exactly the years asked for (no silent expansion), so callers ask for
    the year of the day they check; deadlines that cross a year end fetch the next year's
    calendar when they reach it.

    Raises:
        ValueError: unknown calendar code.

    References:
        holidays package (vacanza/holidays), https://holidays.readthedocs.io
    """
    if not isinstance(country, str) or not country.strip():
        raise ValueError(f"holiday calendar must be a country code such as 'CN', got {country!r}")
    year_tuple = (years,) if isinstance(years, int) else tuple(sorted(set(years)))
    return _calendar(country.strip().upper(), year_tuple)


@policy_function(sources=["seed 002", "https://holidays.readthedocs.io"])
def is_business_day(day: date, holiday_country: str) -> bool:
    """Decide whether ``day`` is a business day in ``holiday_country``.

    Weekends (Saturday and Sunday for CN, RU, US and the EU; the calendar's own weekend
    elsewhere) and public holidays are not business days. Official make-up working days on
    a weekend (China's 调休, e.g. Sunday 28 Sep 2025 before the National Day week) *are*
    business days: the ``holidays`` package lists them as ``weekend_workdays`` and its
    ``is_working_day`` counts them. Russia's transferred days off are holidays there too.
    Limitation: the calendar is only as good as the installed ``holidays`` release; years
    the government has not yet announced (China publishes each year's schedule in
    November) are approximations without make-up days.

    Args:
        day: the date to check (a datetime counts by its UTC date).
        holiday_country: calendar code, see :func:`holiday_calendar`.

    Raises:
        ValueError: unknown calendar code.

    References:
        seed 002 (answer claims within days); holidays package,
        https://holidays.readthedocs.io
    """
    return _is_working_day(holiday_country, to_date(day))


@lru_cache(maxsize=65536)
def _is_working_day(holiday_country: str, day: date) -> bool:
    # holidays' is_working_day costs ~10 µs a call; days repeat across cases, so remember them.
    return bool(holiday_calendar(holiday_country, day.year).is_working_day(day))


@policy_function(sources=["seed 002", src.AMAZON_RETURNS_POLICY, "https://holidays.readthedocs.io"])
def add_business_days(start: date | datetime, days: int, holiday_country: str, tz: str | None = None) -> datetime:
    """Decide the due moment N business days after ``start``: the end of the Nth business day.

    The start day is not counted (whatever its time of day), so Friday + 1 business day is
    the end of Monday (24:00 in ``tz``, default UTC), or of Tuesday when Monday is a holiday. ``days`` 0 is
    the end of the start day itself. Crosses year ends (each year's calendar is loaded when
    reached).

    Args:
        start: the date or aware datetime the count starts from (its UTC date counts).
        days: how many business days, a whole number >= 0.
        holiday_country: calendar code, see :func:`holiday_calendar`.

    Raises:
        ValueError: negative or fractional ``days``, more than ``MAX_BUSINESS_DAYS`` (2,600, ten
            years: a longer span is a mistake, and counting it costs seconds), unknown calendar code.

    References:
        seed 002; Amazon refunds within 2 business days of receiving a return,
        https://sellercentral.amazon.com/gp/help/external/help.html?itemID=200708210;
        holidays package, https://holidays.readthedocs.io
    """
    if not is_real(days) or days != days or days < 0:  # days != days: NaN
        raise ValueError(f"business days must be a whole number >= 0, got {_show(days)}")
    if days > MAX_BUSINESS_DAYS:  # before int(): 10**400 or inf must not cost anything
        raise ValueError(f"{_show(days)} business days is more than MAX_BUSINESS_DAYS ({MAX_BUSINESS_DAYS:,})")
    if days != int(days):
        raise ValueError(f"business days must be a whole number >= 0, got {_show(days)}")
    day = _local_start(start, tz).date() if tz is not None else to_date(start)
    remaining = int(days)
    searched = 0
    try:
        while remaining:
            day += timedelta(days=1)
            searched += 1
            if searched > _MAX_DAYS_SEARCHED_PER_BUSINESS_DAY * int(days):
                raise ValueError(f"no business day found in the {holiday_country!r} calendar after {start}")
            if is_business_day(day, holiday_country):
                remaining -= 1
        return end_of_day(day, tz)
    except OverflowError:
        raise ValueError(f"{days} business days after {start} is past the end of the calendar") from None


def _show(value: object) -> str:
    """``repr`` of a number for an error message; a huge integer by its size (its digits could be thousands)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a {len(str(value)) if value.bit_length() < 10_000 else 'many'}-digit number"
    return repr(value)


#: Calendar days one unit of a window counts as, to hold every unit to MAX_DEADLINE_DAYS.
_DAYS_PER_UNIT = {"hours": 1 / 24, "days": 1, "weeks": 7, "months": 31}


def _add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@policy_function(
    sources=["seed 001", "seed 002", src.AMAZON_ATOZ_ABOUT, src.CN_CPL_ART_25, src.RU_ZOZPP_26_1]
)
def deadline_due(
    start: date | datetime, amount: float, unit: str, holiday_country: str | None = None,
    tz: str | None = None,
) -> datetime:
    """Decide when a time window that starts at ``start`` runs out (an aware UTC datetime).

    Units: ``hours`` (start + hours; a date start means its midnight), ``days`` and
    ``weeks`` (calendar days), ``business_days`` (see :func:`add_business_days`, needs
    ``holiday_country``), ``months`` (the same day N months later, clamped to the month's
    end). Counted from a date, a window in days/weeks/months is a legal day window: it ends
    at 24:00 of its last day in the buyer's zone ``tz`` (delivered 1 Jan, 7 days, tz
    Asia/Shanghai → 9 Jan 00:00+08:00), the event day not counted; counted from a datetime,
    it is a platform service window and ends exactly that long after it (claim opened
    1 Jan 10:00, 3 days → 4 Jan 10:00). Hours are always rolling. The result is expressed in
    ``tz`` (UTC when None).

    Args:
        start: the date or aware datetime the window starts from.
        amount: the window length, >= 0; whole for months and business days, and for days
            or weeks counted from a date.
        unit: one of :data:`DEADLINE_UNITS`.
        holiday_country: calendar code for business days, see :func:`holiday_calendar`.
        tz: the buyer's IANA time zone (LAW-FLOORS §5), None for UTC.

    Raises:
        ValueError: unknown unit, negative or fractional amount where a whole one is needed,
            business days without a calendar, naive datetime, unknown time zone, a window
            longer than ``MAX_DEADLINE_DAYS`` (36,600 days, in any unit) or ``MAX_BUSINESS_DAYS``,
            or a due moment past the calendar's end.

    References:
        seed 001 (7-day return window from receipt); seed 002 (answer a claim within 3
        days); Amazon A-to-z 48 h / 72 h,
        https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951;
        CPL Art. 25, https://cuoac.com/legalaid/yizltrmzqd.html; ZoZPP Art. 26.1,
        https://zozpprf.ru/glava-2/statya-26-1
    """
    if unit not in DEADLINE_UNITS:
        raise ValueError(f"unknown deadline unit {unit!r}; use one of {', '.join(DEADLINE_UNITS)}")
    if not is_real(amount) or amount != amount or amount in (math.inf, -math.inf):
        raise ValueError(f"deadline amount must be a finite number, got {_show(amount)}")
    if amount < 0:
        raise ValueError(f"deadline amount must be >= 0, got {_show(amount)}")
    if unit != "business_days" and amount > MAX_DEADLINE_DAYS / _DAYS_PER_UNIT[unit]:
        raise ValueError(f"a window of {_show(amount)} {unit} is longer than MAX_DEADLINE_DAYS "
                         f"({MAX_DEADLINE_DAYS:,} days)")
    try:
        return _due(start, amount, unit, holiday_country, tz)
    except OverflowError:
        raise ValueError(f"a window of {_show(amount)} {unit} from {start} ends past the calendar's end") from None


def _due(start: date | datetime, amount: float, unit: str, holiday_country: str | None, tz: str | None) -> datetime:
    from_date = not isinstance(start, datetime)
    local = _local_start(start, tz)
    moment = local.astimezone(UTC)
    whole = amount == int(amount)

    if unit == "hours":
        return (moment + timedelta(hours=amount)).astimezone(local.tzinfo)
    if unit == "business_days":
        if holiday_country is None:
            raise ValueError("a deadline in business_days needs a holiday_country (e.g. 'CN', 'US', 'EU')")
        if not whole:
            raise ValueError(f"business days must be a whole number, got {_show(amount)}")
        return add_business_days(start, int(amount), holiday_country, tz)
    if unit == "months":
        if not whole:
            raise ValueError(f"months must be a whole number, got {_show(amount)}")
        if from_date:
            return end_of_day(_add_months(local.date(), int(amount)), tz)
        due_day = _add_months(local.date(), int(amount))
        return datetime.combine(due_day, local.timetz()).astimezone(local.tzinfo)
    days = amount * 7 if unit == "weeks" else amount
    if from_date:
        if days != int(days):
            raise ValueError(f"a window of {_show(amount)} {unit} from a date must be whole days")
        return end_of_day(local.date() + timedelta(days=int(days)), tz)
    return (moment + timedelta(days=days)).astimezone(local.tzinfo)


@policy_function(sources=["seed 002", src.AMAZON_ATOZ_ABOUT])
def hours_until(due: datetime, now: datetime) -> float:
    """Decide how many hours are left until ``due`` (negative once it has passed).

    Args:
        due: the due moment, e.g. from :func:`deadline_due` (a date means its midnight).
        now: the current moment, passed in.

    References:
        seed 002 (answer within 3 days); Amazon A-to-z response windows,
        https://sellercentral.amazon.com/gp/help/external/help.html?itemID=27951
    """
    return (to_utc_datetime(due) - to_utc_datetime(now)).total_seconds() / 3600.0
