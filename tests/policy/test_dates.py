"""Elapsed days and hours: the day of the event is day 0."""

from datetime import date, datetime, timedelta, timezone

import pytest

from aftersales.policy import days_since, hours_between

UTC = timezone.utc


@pytest.mark.parametrize(
    ("start", "today", "expected"),
    [
        pytest.param(date(2025, 1, 1), date(2025, 1, 1), 0, id="same day is day 0"),
        pytest.param(date(2025, 1, 1), date(2025, 1, 8), 7, id="8 Jan is day 7 after 1 Jan"),
        pytest.param(date(2024, 12, 31), date(2025, 1, 1), 1, id="across the year end"),
        pytest.param(date(2024, 2, 28), date(2024, 3, 1), 2, id="leap day counts"),
        pytest.param(None, date(2025, 1, 1), None, id="no start: no answer"),
        pytest.param(date(2025, 1, 5), date(2025, 1, 1), -4, id="start after today is negative"),
        pytest.param(
            datetime(2025, 1, 1, 23, tzinfo=UTC), datetime(2025, 1, 2, 1, tzinfo=UTC), 1, id="datetimes count by calendar date"
        ),
        pytest.param(datetime(2025, 1, 1, 23, tzinfo=UTC), date(2025, 1, 3), 2, id="datetime start, date today"),
        pytest.param(
            datetime(2025, 1, 2, 1, tzinfo=timezone(timedelta(hours=8))), date(2025, 1, 2), 1,
            id="a Beijing-time start counts by its UTC date",
        ),
    ],
)
def test_days_since(start, today, expected):
    assert days_since(start, today) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 3, 12, tzinfo=UTC), 60.0, id="two and a half days"),
        pytest.param(datetime(2025, 1, 3, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC), -48.0, id="end before start is negative"),
        pytest.param(date(2025, 1, 1), datetime(2025, 1, 1, 6, tzinfo=UTC), 6.0, id="a date means midnight UTC"),
        pytest.param(
            datetime(2025, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))), datetime(2025, 1, 1, 1, tzinfo=UTC), 1.0,
            id="time zones are respected",
        ),
    ],
)
def test_hours_between(start, end, expected):
    assert hours_between(start, end) == pytest.approx(expected)


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="naive"):
        hours_between(datetime(2025, 1, 1), datetime(2025, 1, 2, tzinfo=UTC))
