"""Bad reviews: removal grounds by platform (seed 002, POLICY-FACTS §5) and review requests."""

from datetime import date, timedelta

import pytest

from aftersales.policy import review_removable, review_removal_grounds, review_request_window_open

AMAZON = {
    "product_review": ["abusive_or_personal_data", "about_seller_service", "about_shipping", "about_price"],
    "seller_feedback": ["abusive_or_personal_data", "about_product"],
}
OZON = {"product_review": ["abusive_or_personal_data", "factually_false"]}


@pytest.mark.parametrize(
    ("grounds_by_kind", "kind", "about", "abusive", "false", "expected"),
    [
        pytest.param(AMAZON, "product_review", "product", False, False, [], id="Amazon honest product review stays"),
        pytest.param(AMAZON, "product_review", "shipping", False, False, ["about_shipping"], id="Amazon product review about shipping"),
        pytest.param(AMAZON, "product_review", "seller_service", False, False, ["about_seller_service"], id="Amazon product review about the seller"),
        pytest.param(AMAZON, "product_review", "price", False, False, ["about_price"], id="Amazon product review about the price"),
        pytest.param(
            AMAZON, "product_review", "shipping", True, False, ["abusive_or_personal_data", "about_shipping"],
            id="Amazon abusive review about shipping: both grounds in the platform's order",
        ),
        pytest.param(AMAZON, "product_review", "product", False, True, [], id="Amazon has no 'false' ground for reviews"),
        pytest.param(AMAZON, "seller_feedback", "product", False, False, ["about_product"], id="Amazon feedback that is a product review"),
        pytest.param(AMAZON, "seller_feedback", "shipping", False, False, [], id="Amazon feedback about shipping stays"),
        pytest.param(AMAZON, "seller_feedback", "other", True, False, ["abusive_or_personal_data"], id="Amazon feedback with a phone number"),
        pytest.param(OZON, "product_review", "product", False, True, ["factually_false"], id="Ozon false review"),
        pytest.param(OZON, "product_review", "shipping", False, False, [], id="Ozon review about shipping stays"),
        pytest.param(OZON, "seller_feedback", "product", True, False, [], id="Ozon has no seller feedback kind"),
        pytest.param(None, "product_review", "product", True, True, [], id="no removal rules on this platform"),
    ],
)
def test_review_removal_grounds(grounds_by_kind, kind, about, abusive, false, expected):
    assert review_removal_grounds(kind, about, abusive, false, grounds_by_kind) == expected
    assert review_removable(kind, about, abusive, false, grounds_by_kind) is bool(expected)


def test_unknown_review_topic_is_rejected():
    with pytest.raises(ValueError, match="unknown review topic 'packaging'"):
        review_removal_grounds("product_review", "packaging", False, False, AMAZON)


def test_unknown_ground_in_a_profile_is_rejected():
    with pytest.raises(ValueError, match="unknown removal ground"):
        review_removal_grounds("product_review", "product", False, False, {"product_review": ["rude"]})


D = date(2025, 5, 1)


@pytest.mark.parametrize(
    ("delivered_on", "today", "earliest", "latest", "expected"),
    [
        pytest.param(D, D + timedelta(days=4), 5, 30, False, id="day 4 after delivery is too early"),
        pytest.param(D, D + timedelta(days=5), 5, 30, True, id="day 5 opens the window"),
        pytest.param(D, D + timedelta(days=30), 5, 30, True, id="day 30 is the last day"),
        pytest.param(D, D + timedelta(days=31), 5, 30, False, id="day 31 is too late"),
        pytest.param(None, D, 5, 30, False, id="not delivered yet"),
        pytest.param(D, D + timedelta(days=10), None, 30, False, id="no review requests on this platform"),
        pytest.param(D, D + timedelta(days=10), 5, None, False, id="no upper bound defined"),
    ],
)
def test_review_request_window_open(delivered_on, today, earliest, latest, expected):
    assert review_request_window_open(delivered_on, today, earliest, latest) is expected


def test_review_request_window_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="impossible"):
        review_request_window_open(D, D, 30, 5)
