"""Bad reviews: which removal grounds apply, and when a review may be requested."""

from __future__ import annotations

from datetime import date

from aftersales.policy import sources as src
from aftersales.policy.registry import policy_function

#: Grounds on which a platform may remove a review or seller feedback.
REMOVAL_GROUNDS: tuple[str, ...] = (
    "abusive_or_personal_data",
    "factually_false",
    "about_seller_service",
    "about_shipping",
    "about_price",
    "about_product",
)

#: What a review is about; each (but "other") maps to the ground "about_<topic>".
REVIEW_TOPICS: tuple[str, ...] = ("product", "seller_service", "shipping", "price", "other")

_SOURCES = ["seed 002", src.AMAZON_REVIEW_GUIDELINES, src.AMAZON_FEEDBACK_REMOVAL, src.OZON_COMMUNICATION]


@policy_function(sources=_SOURCES)
def review_removal_grounds(
    review_kind: str,
    about: str,
    abusive_or_personal_data: bool,
    factually_false: bool,
    grounds_by_kind: dict[str, list[str]] | None,
) -> list[str]:
    """Decide which of the platform's removal grounds apply to a review (in the platform's order).

    ``grounds_by_kind`` is the platform profile's table, e.g. Amazon product reviews:
    abusive_or_personal_data, about_seller_service, about_shipping, about_price (a product
    review must be about the product); Amazon seller feedback: abusive_or_personal_data,
    about_product (feedback that is entirely a product review); Ozon: abusive_or_personal_data,
    factually_false. A review kind the platform does not list, or no table (None) → [].

    Args:
        review_kind: e.g. "product_review" or "seller_feedback".
        about: what the review is about, one of :data:`REVIEW_TOPICS`.
        abusive_or_personal_data: profanity, harassment or personal data in the review.
        factually_false: the review states something demonstrably false.
        grounds_by_kind: the profile's review kind → list of grounds, or None.

    Raises:
        ValueError: unknown ``about`` topic, or a ground outside :data:`REMOVAL_GROUNDS`.

    References:
        seed 002 (request removal of unfair, false or abusive reviews with facts and order
        details); POLICY-FACTS §5.3 Amazon review guidelines,
        https://amazon.com/gp/help/customer/display.html?nodeId=201602680; §5.4 seller
        feedback removal, https://sellercentral.amazon.com/gp/help/external/help.html?itemID=20231;
        §5.6 Ozon, https://docs.ozon.ru/global/en/policies/communication/
    """
    if about not in REVIEW_TOPICS:
        raise ValueError(f"unknown review topic {about!r}; use one of {', '.join(REVIEW_TOPICS)}")
    if grounds_by_kind is None:
        return []
    platform_grounds = grounds_by_kind.get(review_kind) or []
    unknown = [g for g in platform_grounds if g not in REMOVAL_GROUNDS]
    if unknown:
        raise ValueError(
            f"unknown removal ground(s) {', '.join(map(repr, unknown))} for {review_kind!r}; "
            f"known grounds: {', '.join(REMOVAL_GROUNDS)}"
        )
    present = set()
    if abusive_or_personal_data:
        present.add("abusive_or_personal_data")
    if factually_false:
        present.add("factually_false")
    if about != "other":
        present.add(f"about_{about}")
    return [g for g in platform_grounds if g in present]


@policy_function(sources=_SOURCES)
def review_removable(
    review_kind: str,
    about: str,
    abusive_or_personal_data: bool,
    factually_false: bool,
    grounds_by_kind: dict[str, list[str]] | None,
) -> bool:
    """Decide whether the seller can ask the platform to remove the review.

    True when :func:`review_removal_grounds` finds at least one ground.

    Args:
        review_kind: e.g. "product_review" or "seller_feedback".
        about: what the review is about, one of :data:`REVIEW_TOPICS`.
        abusive_or_personal_data: profanity, harassment or personal data in the review.
        factually_false: the review states something demonstrably false.
        grounds_by_kind: the profile's review kind → list of grounds, or None.

    References:
        seed 002; POLICY-FACTS §5.3, §5.4, §5.6,
        https://sellercentral.amazon.com/gp/help/external/help.html?itemID=20231
    """
    return bool(review_removal_grounds(review_kind, about, abusive_or_personal_data, factually_false, grounds_by_kind))


@policy_function(sources=["seed 001", src.AMAZON_SOLICITATIONS])
def review_request_window_open(
    delivered_on: date | None, today: date, earliest_days: int | None, latest_days: int | None
) -> bool:
    """Decide whether the seller may ask the buyer for a review today.

    Open from ``earliest_days`` to ``latest_days`` after delivery, both inclusive (Amazon
    "Request a Review": 5 to 30 days). Not delivered, or no such window on the platform
    (either bound None) → False.

    Args:
        delivered_on: the delivery date, or None.
        today: the current date, passed in.
        earliest_days: the first day after delivery a request may be sent (Amazon: 5).
        latest_days: the last day after delivery (Amazon: 30).

    Raises:
        ValueError: negative bounds or ``earliest_days > latest_days``.

    References:
        seed 001 (ask for feedback after closing the case); POLICY-FACTS §5.2,
        https://developer-docs.amazon.com/sp-api/docs/set-up-the-solicitations-api
    """
    if delivered_on is None or earliest_days is None or latest_days is None:
        return False
    if earliest_days < 0 or latest_days < earliest_days:
        raise ValueError(
            f"review request window {earliest_days}–{latest_days} days is impossible: "
            "it must start at >= 0 days and end no earlier than it starts"
        )
    elapsed = (today - delivered_on).days
    return earliest_days <= elapsed <= latest_days
