"""Warranty: active up to and including delivery + warranty days (seed 000, ZoZPP 19)."""

from datetime import date

import pytest

from aftersales.policy import warranty_active, warranty_days_left

D = date(2025, 3, 1)


@pytest.mark.parametrize(
    ("delivered_on", "today", "warranty_days", "active", "days_left"),
    [
        pytest.param(D, D, 365, True, 366, id="delivery day: whole Ozon year ahead"),
        pytest.param(D, date(2026, 3, 1), 365, True, 1, id="last day of a 365-day warranty"),
        pytest.param(D, date(2026, 3, 2), 365, False, 0, id="day after the warranty ends"),
        pytest.param(D, date(2025, 3, 15), 14, True, 1, id="last day of Ozon's 14-day minimum"),
        pytest.param(D, date(2025, 3, 16), 14, False, 0, id="15th day of a 14-day warranty"),
        pytest.param(D, date(2027, 3, 1), 730, True, 1, id="last day of the Russian 2-year default"),
        pytest.param(None, D, 365, False, 0, id="not delivered yet: no warranty"),
        pytest.param(D, D, None, False, 0, id="no warranty on this product"),
        pytest.param(D, D, 0, True, 1, id="zero-day warranty covers only delivery day"),
    ],
)
def test_warranty(delivered_on, today, warranty_days, active, days_left):
    assert warranty_active(delivered_on, today, warranty_days) is active
    assert warranty_days_left(delivered_on, today, warranty_days) == days_left
    assert (days_left > 0) is active


def test_negative_warranty_is_rejected():
    with pytest.raises(ValueError, match="warranty"):
        warranty_active(D, D, -1)
    with pytest.raises(ValueError, match="warranty"):
        warranty_days_left(D, D, -1)
