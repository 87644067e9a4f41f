"""Compensation: minor-defect offers below the shipping saved (seed 001), late shipment."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.policy import (
    colour_difference_waived,
    late_shipment_compensation,
    minor_defect_offer,
    offer_range,
    raised_offer,
)

SEED_RATIO = 10 / 12


@pytest.mark.parametrize(
    ("shipping_saved", "ratio", "expected"),
    [
        pytest.param(12, SEED_RATIO, 10.0, id="return shipping 12 gives an offer of 10"),
        pytest.param(24, SEED_RATIO, 20.0, id="exchange both ways 24 gives an offer of 20"),
        pytest.param(13, SEED_RATIO, 10.0, id="13 saved rounds 10.83 down to 10"),
        pytest.param(12, 1.0, 11.0, id="full ratio still stays one unit below the shipping"),
        pytest.param(10, 1.0, 9.0, id="10 saved with full ratio offers 9"),
        pytest.param(9.99, SEED_RATIO, 8.32, id="below 10 the offer is rounded down to cents"),
        pytest.param(6, 1.0, 5.99, id="below 10 full ratio stays one cent below"),
        pytest.param(0.01, 1.0, 0.0, id="one cent saved leaves nothing to offer"),
        pytest.param(0, SEED_RATIO, 0.0, id="nothing saved, nothing offered"),
        pytest.param(-5, SEED_RATIO, 0.0, id="negative shipping saved offers nothing"),
    ],
)
def test_minor_defect_offer(shipping_saved, ratio, expected):
    assert minor_defect_offer(shipping_saved, ratio) == expected


@pytest.mark.parametrize(
    "ratio",
    [
        pytest.param(0, id="zero ratio"),
        pytest.param(-0.5, id="negative ratio"),
        pytest.param(1.2, id="ratio above 1"),
        pytest.param(math.nan, id="NaN ratio"),
    ],
)
def test_minor_defect_offer_rejects_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        minor_defect_offer(12, ratio)


@given(
    st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
    st.floats(min_value=0.001, max_value=1.0, allow_nan=False),
)
def test_minor_defect_offer_is_always_below_the_shipping_saved(shipping_saved, ratio):
    offer = minor_defect_offer(shipping_saved, ratio)
    assert 0 <= offer < shipping_saved
    assert offer == round(offer, 2)


@pytest.mark.parametrize(
    ("first_offer", "raise_amount", "expected"),
    [
        pytest.param(10, 3, 13.0, id="seed: refused 10, add 3"),
        pytest.param(10, 5, 15.0, id="seed: refused 10, add 5"),
        pytest.param(20.5, 0, 20.5, id="no raise keeps the first offer"),
        pytest.param(0.1, 0.2, 0.3, id="cents are rounded"),
    ],
)
def test_raised_offer(first_offer, raise_amount, expected):
    assert raised_offer(first_offer, raise_amount) == expected


@pytest.mark.parametrize(
    ("first_offer", "raise_amount"),
    [pytest.param(10, -3, id="negative raise"), pytest.param(-1, 3, id="negative first offer")],
)
def test_raised_offer_rejects_negative_amounts(first_offer, raise_amount):
    with pytest.raises(ValueError):
        raised_offer(first_offer, raise_amount)


def test_offer_range_is_first_offer_plus_three_to_five():
    assert offer_range(10, 3, 5) == [13.0, 15.0]


def test_offer_range_rejects_an_inverted_range():
    with pytest.raises(ValueError, match="above maximum"):
        offer_range(10, 5, 3)


@pytest.mark.parametrize(
    ("order_value", "pct", "minimum", "maximum", "expected"),
    [
        pytest.param(200, 30, None, None, 60.0, id="seed 001: 30 % of 200"),
        pytest.param(200, 5, 5, 30, 10.0, id="2015 rule: 5 % of 200 is 10"),
        pytest.param(40, 5, 5, 30, 5.0, id="2015 rule: 5 % of 40 is raised to the 5 minimum"),
        pytest.param(1000, 5, 5, 30, 30.0, id="2015 rule: 5 % of 1000 is capped at 30"),
        pytest.param(600, 5, 5, 30, 30.0, id="2015 rule: exactly at the cap"),
        pytest.param(99.99, 10, 5, 100, 10.0, id="older rule: 10 % rounded to cents"),
        pytest.param(200, None, 5, 30, None, id="no late-shipment rule on this platform"),
    ],
)
def test_late_shipment_compensation(order_value, pct, minimum, maximum, expected):
    assert late_shipment_compensation(order_value, pct, minimum, maximum) == expected


@pytest.mark.parametrize(
    ("order_value", "pct", "minimum", "maximum"),
    [
        pytest.param(-1, 5, None, None, id="negative order value"),
        pytest.param(100, -5, None, None, id="negative percentage"),
        pytest.param(100, 5, 30, 5, id="minimum above maximum"),
    ],
)
def test_late_shipment_compensation_rejects_impossible_input(order_value, pct, minimum, maximum):
    with pytest.raises(ValueError):
        late_shipment_compensation(order_value, pct, minimum, maximum)


@pytest.mark.parametrize(
    ("price_difference", "waive_max", "expected"),
    [
        pytest.param(3, 5, True, id="3 more is waived"),
        pytest.param(5, 5, True, id="exactly 5 more is waived"),
        pytest.param(5.0000001, 5, True, id="float noise at 5 is waived"),
        pytest.param(5.01, 5, False, id="5.01 more is not waived"),
        pytest.param(-4, 5, True, id="a cheaper model within 5 is waived too"),
        pytest.param(0, 5, True, id="same price: nothing to waive"),
        pytest.param(3, None, False, id="no waiver rule on this platform"),
    ],
)
def test_colour_difference_waived(price_difference, waive_max, expected):
    assert colour_difference_waived(price_difference, waive_max) is expected


def test_colour_difference_waiver_rejects_negative_maximum():
    with pytest.raises(ValueError, match="waive maximum"):
        colour_difference_waived(3, -5)


@pytest.mark.parametrize("shipping, ratio, offer", [
    pytest.param(12, 0.8333, 10.0, id="return 12 with the profile's four-decimal ratio offers 10"),
    pytest.param(24, 0.8333, 20.0, id="exchange 24 with the profile's four-decimal ratio offers 20"),
    pytest.param(36, 0.8333, 30.0, id="36 with the four-decimal ratio offers 30"),
])
def test_four_decimal_ratio_from_profiles(shipping: float, ratio: float, offer: float) -> None:
    assert minor_defect_offer(shipping, ratio) == offer
