"""Returns: resaleable condition, the no-reason window, who pays the return shipping."""

from datetime import date

import pytest

from aftersales.policy import (
    is_resaleable,
    no_reason_return_eligible,
    return_shipping_payer,
    return_window_last_day,
)

AMAZON_US_PAYERS = {
    "defective": "seller",
    "damaged_in_transit": "seller",
    "wrong_item": "seller",
    "missing_item": "seller",
    "not_as_described": "seller",
    "size_nonconforming": "seller",
    "size_conforming": "buyer",
    "change_of_mind": "buyer",
}


@pytest.mark.parametrize(
    ("tags_attached", "washed", "used", "expected"),
    [
        pytest.param(True, False, False, True, id="tags on, unwashed, unused can be resold"),
        pytest.param(False, False, False, False, id="cut tags cannot be resold"),
        pytest.param(True, True, False, False, id="washed cannot be resold"),
        pytest.param(True, False, True, False, id="used cannot be resold"),
        pytest.param(False, True, True, False, id="everything wrong cannot be resold"),
    ],
)
def test_is_resaleable(tags_attached, washed, used, expected):
    assert is_resaleable(tags_attached, washed, used) is expected


D = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("delivered_on", "today", "window_days", "resaleable", "expected"),
    [
        pytest.param(D, date(2025, 1, 1), 7, True, True, id="day of delivery is inside the window"),
        pytest.param(D, date(2025, 1, 8), 7, True, True, id="day 7 after delivery is the last day"),
        pytest.param(D, date(2025, 1, 9), 7, True, False, id="day 8 after delivery is too late"),
        pytest.param(D, date(2025, 1, 5), 7, False, False, id="not resaleable is never a no-reason return"),
        pytest.param(None, date(2025, 1, 5), 7, True, False, id="not delivered is not a return yet"),
        pytest.param(D, date(2025, 1, 5), None, True, False, id="no window on this platform"),
        pytest.param(D, date(2025, 1, 15), 14, True, True, id="EU 14-day window last day"),
        pytest.param(D, date(2025, 1, 31), 30, True, True, id="Amazon 30-day window last day"),
        pytest.param(D, date(2025, 2, 1), 30, True, False, id="Amazon 30-day window day 31"),
        pytest.param(date(2024, 12, 28), date(2025, 1, 4), 7, True, True, id="window crosses the year end"),
    ],
)
def test_no_reason_return_eligible(delivered_on, today, window_days, resaleable, expected):
    assert no_reason_return_eligible(delivered_on, today, window_days, resaleable) is expected


@pytest.mark.parametrize(
    ("delivered_on", "window_days", "expected"),
    [
        pytest.param(D, 7, date(2025, 1, 8), id="delivered 1 Jan, 7 days, last day 8 Jan"),
        pytest.param(D, 0, D, id="zero-day window ends on delivery day"),
        pytest.param(date(2024, 2, 25), 7, date(2024, 3, 3), id="leap February is counted"),
    ],
)
def test_return_window_last_day(delivered_on, window_days, expected):
    assert return_window_last_day(delivered_on, window_days) == expected


def test_negative_return_window_is_rejected():
    with pytest.raises(ValueError, match="return window"):
        return_window_last_day(D, -1)
    with pytest.raises(ValueError, match="return window"):
        no_reason_return_eligible(D, D, -1, True)


@pytest.mark.parametrize(
    ("reason", "category", "fashion_seller_pays", "expected"),
    [
        pytest.param("defective", "other", False, "seller", id="defective: seller pays"),
        pytest.param("damaged_in_transit", "other", False, "seller", id="damaged in transit: seller pays"),
        pytest.param("wrong_item", "other", False, "seller", id="wrong item: seller pays"),
        pytest.param("missing_item", "other", False, "seller", id="missing item: seller pays"),
        pytest.param("not_as_described", "other", False, "seller", id="not as described: seller pays"),
        pytest.param("size_nonconforming", "apparel", False, "seller", id="size beyond tolerance: seller pays"),
        pytest.param("size_conforming", "apparel", False, "buyer", id="conforming size: buyer pays"),
        pytest.param("change_of_mind", "electronics", True, "buyer", id="change of mind on electronics: buyer pays"),
        pytest.param("size_conforming", "apparel", True, "seller", id="Amazon US fashion: seller pays whatever the reason"),
        pytest.param("change_of_mind", "footwear", True, "seller", id="Amazon US shoes: seller pays"),
        pytest.param("change_of_mind", "Jewellery", True, "seller", id="category is case-insensitive"),
        pytest.param("change_of_mind", "watches", True, "seller", id="Amazon US watches: seller pays"),
        pytest.param("change_of_mind", "watches", False, "buyer", id="no fashion rule: buyer pays for watches"),
    ],
)
def test_return_shipping_payer(reason, category, fashion_seller_pays, expected):
    assert return_shipping_payer(reason, AMAZON_US_PAYERS, category, fashion_seller_pays) == expected


def test_return_shipping_payer_default_category_is_not_fashion():
    assert return_shipping_payer("change_of_mind", AMAZON_US_PAYERS, fashion_seller_pays=True) == "buyer"


def test_unknown_return_reason_names_the_allowed_reasons():
    with pytest.raises(ValueError, match="unknown return reason 'buyer_regret'.*change_of_mind"):
        return_shipping_payer("buyer_regret", AMAZON_US_PAYERS)


def test_unknown_reason_is_rejected_even_for_fashion():
    with pytest.raises(ValueError, match="unknown return reason"):
        return_shipping_payer("typo", AMAZON_US_PAYERS, "apparel", True)


def test_unknown_payer_in_profile_is_rejected():
    with pytest.raises(ValueError, match="'customer'"):
        return_shipping_payer("defective", {"defective": "customer"})
