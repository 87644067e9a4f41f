"""Deadlines: business days on real public-holiday calendars, and due moments of windows."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.policy import add_business_days, deadline_due, holiday_calendar, hours_until, is_business_day

UTC = timezone.utc


def eod(y, m, d):
    """End of a day (24:00 UTC = 00:00 of the next day), where whole-day windows end."""
    return datetime(y, m, d, tzinfo=UTC) + timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "country", "expected"),
    [
        pytest.param(date(2025, 10, 1), "CN", False, id="CN National Day 1 Oct is off"),
        pytest.param(date(2025, 10, 8), "CN", False, id="CN 8 Oct 2025 is a substituted day off"),
        pytest.param(date(2025, 10, 9), "CN", True, id="CN 9 Oct 2025 is back at work"),
        pytest.param(date(2025, 9, 28), "CN", True, id="CN Sunday 28 Sep 2025 is a make-up working day"),
        pytest.param(date(2025, 10, 11), "CN", True, id="CN Saturday 11 Oct 2025 is a make-up working day"),
        pytest.param(date(2025, 10, 12), "CN", False, id="CN ordinary Sunday is off"),
        pytest.param(date(2026, 1, 4), "CN", True, id="CN Sunday 4 Jan 2026 is a make-up working day"),
        pytest.param(date(2026, 1, 5), "RU", False, id="RU New Year holidays 5 Jan"),
        pytest.param(date(2026, 1, 8), "RU", False, id="RU New Year holidays 8 Jan"),
        pytest.param(date(2026, 1, 12), "RU", True, id="RU Monday 12 Jan 2026 is a working day"),
        pytest.param(date(2025, 11, 1), "RU", True, id="RU Saturday 1 Nov 2025 is a transferred working day"),
        pytest.param(date(2025, 11, 27), "US", False, id="US Thanksgiving is off"),
        pytest.param(date(2025, 11, 28), "US", True, id="US Black Friday is a business day"),
        pytest.param(date(2025, 12, 26), "EU", False, id="EU TARGET closed on 26 Dec"),
        pytest.param(date(2025, 4, 18), "eu", False, id="EU Good Friday, code is case-insensitive"),
        pytest.param(date(2025, 6, 2), "EU", True, id="EU ordinary Monday"),
        pytest.param(date(2025, 6, 7), "US", False, id="Saturday is off"),
        pytest.param(datetime(2025, 11, 27, 12, tzinfo=UTC), "US", False, id="a datetime counts by its UTC date"),
    ],
)
def test_is_business_day(day, country, expected):
    assert is_business_day(day, country) is expected


@pytest.mark.parametrize(
    ("start", "days", "country", "expected"),
    [
        pytest.param(date(2025, 6, 2), 1, "US", eod(2025, 6, 3), id="Monday + 1 is end of Tuesday"),
        pytest.param(date(2025, 6, 6), 1, "US", eod(2025, 6, 9), id="Friday + 1 skips the weekend"),
        pytest.param(date(2025, 6, 7), 1, "US", eod(2025, 6, 9), id="a Saturday start is not counted"),
        pytest.param(date(2025, 6, 2), 0, "US", eod(2025, 6, 2), id="0 business days is end of the start day"),
        pytest.param(date(2025, 11, 26), 1, "US", eod(2025, 11, 28), id="US Wednesday + 1 skips Thanksgiving"),
        pytest.param(date(2025, 11, 25), 2, "US", eod(2025, 11, 28), id="US 2 business days over Thanksgiving"),
        pytest.param(date(2025, 12, 31), 1, "US", eod(2026, 1, 2), id="US crosses the year end over New Year's Day"),
        pytest.param(date(2025, 9, 30), 1, "CN", eod(2025, 10, 9), id="CN skips the National Day week"),
        pytest.param(date(2025, 9, 26), 1, "CN", eod(2025, 9, 28), id="CN counts the make-up Sunday"),
        pytest.param(date(2025, 12, 31), 1, "CN", eod(2026, 1, 4), id="CN crosses the year end to make-up Sunday"),
        pytest.param(date(2025, 12, 30), 1, "RU", eod(2026, 1, 12), id="RU skips 31 Dec and the New Year holidays"),
        pytest.param(date(2025, 12, 24), 1, "EU", eod(2025, 12, 29), id="EU skips Christmas and the weekend"),
        pytest.param(
            datetime(2025, 6, 6, 23, 30, tzinfo=UTC), 1, "US", eod(2025, 6, 9), id="a late Friday start still counts from Friday"
        ),
        pytest.param(
            datetime(2025, 6, 7, 1, 0, tzinfo=timezone(timedelta(hours=8))),
            1,
            "US",
            eod(2025, 6, 9),
            id="Saturday 01:00 in Shanghai is Friday in UTC",
        ),
    ],
)
def test_add_business_days(start, days, country, expected):
    assert add_business_days(start, days, country) == expected


@pytest.mark.parametrize(
    ("days", "country", "message"),
    [
        pytest.param(-1, "US", "whole number", id="negative business days"),
        pytest.param(1.5, "US", "whole number", id="fractional business days"),
        pytest.param(1, "XX", "unknown holiday calendar", id="unknown country code"),
        pytest.param(1, "", "country code", id="empty country code"),
    ],
)
def test_add_business_days_rejects_impossible_input(days, country, message):
    with pytest.raises(ValueError, match=message):
        add_business_days(date(2025, 6, 2), days, country)


BUSINESS_COUNTRIES = st.sampled_from(["CN", "RU", "US", "EU"])


@settings(max_examples=60, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2026, 12, 1)), st.integers(0, 25), BUSINESS_COUNTRIES)
def test_add_business_days_always_lands_on_a_business_day(start, days, country):
    due = add_business_days(start, days, country) - timedelta(microseconds=1)  # the last moment of the last day
    assert due.tzinfo is not None and due.time() == (eod(2000, 1, 1) - timedelta(microseconds=1)).time()
    if days:
        assert is_business_day(due.date(), country)
        assert due.date().weekday() < 5 or due.date() in holiday_calendar(country, due.year).weekend_workdays
        assert due.date() not in holiday_calendar(country, due.year)
        counted = sum(
            is_business_day(start + timedelta(days=i), country) for i in range(1, (due.date() - start).days + 1)
        )
        assert counted == days


def test_holiday_calendar_is_cached_per_country_and_year():
    assert holiday_calendar("CN", 2025) is holiday_calendar("cn", [2025])
    assert holiday_calendar("CN", 2025) is not holiday_calendar("CN", 2026)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "country", "expected"),
    [
        pytest.param(date(2025, 1, 1), 7, "days", None, eod(2025, 1, 8), id="7 days from a delivery date end on day 8 at 24:00"),
        pytest.param(
            datetime(2025, 1, 1, 10, tzinfo=UTC), 7, "days", None, datetime(2025, 1, 8, 10, tzinfo=UTC),
            id="7 days from a datetime end exactly 7 days later",
        ),
        pytest.param(
            datetime(2025, 1, 1, 10, tzinfo=UTC), 1.5, "days", None, datetime(2025, 1, 2, 22, tzinfo=UTC),
            id="fractional days from a datetime",
        ),
        pytest.param(
            datetime(2025, 3, 3, 9, tzinfo=UTC), 72, "hours", None, datetime(2025, 3, 6, 9, tzinfo=UTC),
            id="Amazon 72 h from the claim",
        ),
        pytest.param(
            datetime(2025, 3, 3, 9, tzinfo=UTC), 48, "hours", None, datetime(2025, 3, 5, 9, tzinfo=UTC),
            id="Amazon 48 h from the information request",
        ),
        pytest.param(date(2025, 3, 3), 24, "hours", None, datetime(2025, 3, 4, tzinfo=UTC), id="hours from a date start at its midnight"),
        pytest.param(
            datetime(2025, 3, 3, 9, tzinfo=timezone(timedelta(hours=3))), 24, "hours", None,
            datetime(2025, 3, 4, 6, tzinfo=UTC), id="a Moscow time start is converted to UTC",
        ),
        pytest.param(date(2025, 1, 1), 2, "weeks", None, eod(2025, 1, 15), id="2 weeks from a date"),
        pytest.param(
            datetime(2025, 1, 1, 8, tzinfo=UTC), 1, "weeks", None, datetime(2025, 1, 8, 8, tzinfo=UTC), id="1 week from a datetime"
        ),
        pytest.param(date(2025, 1, 15), 3, "months", None, eod(2025, 4, 15), id="ZoZPP 3 months from a date"),
        pytest.param(date(2025, 1, 31), 1, "months", None, eod(2025, 2, 28), id="31 Jan + 1 month is clamped to 28 Feb"),
        pytest.param(date(2024, 1, 31), 1, "months", None, eod(2024, 2, 29), id="31 Jan + 1 month in a leap year is 29 Feb"),
        pytest.param(date(2025, 11, 30), 3, "months", None, eod(2026, 2, 28), id="months cross the year end"),
        pytest.param(date(2025, 1, 10), 12, "months", None, eod(2026, 1, 10), id="EU 12-month extension"),
        pytest.param(
            datetime(2025, 8, 31, 12, tzinfo=UTC), 1, "months", None, datetime(2025, 9, 30, 12, tzinfo=UTC),
            id="months from a datetime keep the time",
        ),
        pytest.param(date(2025, 11, 26), 2, "business_days", "US", eod(2025, 12, 1), id="Amazon 2 business days over Thanksgiving"),
        pytest.param(
            datetime(2025, 9, 30, 15, tzinfo=UTC), 1, "business_days", "CN", eod(2025, 10, 9),
            id="business days from a datetime end at end of day",
        ),
        pytest.param(date(2025, 1, 1), 0, "days", None, eod(2025, 1, 1), id="0 days from a date ends that day"),
    ],
)
def test_deadline_due(start, amount, unit, country, expected):
    assert deadline_due(start, amount, unit, country) == expected


@pytest.mark.parametrize(
    ("start", "amount", "unit", "country", "message"),
    [
        pytest.param(date(2025, 1, 1), 7, "fortnights", None, "unknown deadline unit 'fortnights'", id="unknown unit"),
        pytest.param(date(2025, 1, 1), -1, "days", None, ">= 0", id="negative amount"),
        pytest.param(date(2025, 1, 1), 2, "business_days", None, "holiday_country", id="business days without a calendar"),
        pytest.param(date(2025, 1, 1), 1.5, "months", None, "whole", id="fractional months"),
        pytest.param(date(2025, 1, 1), 1.5, "days", None, "whole days", id="fractional days from a date"),
        pytest.param(datetime(2025, 1, 1, 10), 1, "days", None, "naive datetime", id="naive datetime"),
        pytest.param("2025-01-01", 1, "days", None, "date or a datetime", id="a string is not a date"),
    ],
)
def test_deadline_due_rejects_impossible_input(start, amount, unit, country, message):
    with pytest.raises(ValueError, match=message):
        deadline_due(start, amount, unit, country)


@pytest.mark.parametrize(
    ("due", "now", "expected"),
    [
        pytest.param(datetime(2025, 3, 6, 9, tzinfo=UTC), datetime(2025, 3, 5, 9, tzinfo=UTC), 24.0, id="a day left"),
        pytest.param(datetime(2025, 3, 6, 9, tzinfo=UTC), datetime(2025, 3, 6, 9, tzinfo=UTC), 0.0, id="due now"),
        pytest.param(datetime(2025, 3, 6, 9, tzinfo=UTC), datetime(2025, 3, 6, 10, 30, tzinfo=UTC), -1.5, id="overdue by 1.5 h"),
        pytest.param(eod(2025, 1, 8), datetime(2025, 1, 8, 23, tzinfo=UTC), 1.0, id="last hour of a window"),
    ],
)
def test_hours_until(due, now, expected):
    assert hours_until(due, now) == pytest.approx(expected)


def test_importing_policy_does_not_import_holidays():
    import subprocess
    import sys

    code = "import sys, aftersales.policy; print('holidays' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
