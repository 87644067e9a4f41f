"""Claims: auto-granted claims, Amazon-paid claims, FBA reimbursement, refunds before delivery."""

from datetime import date, datetime, timedelta, timezone

import pytest

from aftersales.policy import (
    claim_auto_granted,
    fba_reimbursement_eligible,
    fba_reimbursement_status,
    platform_covers_claim,
    refund_request_before_delivery,
)

UTC = timezone.utc
OPENED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "window", "unit", "country", "expected"),
    [
        pytest.param(OPENED + timedelta(hours=47), 48, "hours", None, False, id="47 h into a 48 h window: still in time"),
        pytest.param(OPENED + timedelta(hours=48), 48, "hours", None, False, id="exactly at 48 h: still in time"),
        pytest.param(OPENED + timedelta(hours=48, seconds=1), 48, "hours", None, True, id="one second past 48 h: granted"),
        pytest.param(OPENED + timedelta(hours=71), 72, "hours", None, False, id="US 72 h window at 71 h"),
        pytest.param(OPENED + timedelta(hours=73), 72, "hours", None, True, id="US 72 h window at 73 h"),
        pytest.param(OPENED + timedelta(days=3, minutes=1), 3, "days", None, True, id="seed: 3 days passed"),
        pytest.param(OPENED + timedelta(days=30), None, "hours", None, False, id="no response window on this platform"),
        pytest.param(
            datetime(2025, 11, 28, 12, tzinfo=UTC), 2, "business_days", "US", False, id="business-day window over Thanksgiving"
        ),
        pytest.param(
            datetime(2025, 12, 2, 0, 0, 1, tzinfo=UTC), 2, "business_days", "US", True, id="business-day window ran out on Monday"
        ),
    ],
)
def test_claim_auto_granted(now, window, unit, country, expected):
    opened = OPENED if unit != "business_days" else datetime(2025, 11, 26, 9, tzinfo=UTC)
    assert claim_auto_granted(opened, now, window, unit, country) is expected


def test_claim_opened_on_a_date_counts_from_midnight():
    assert claim_auto_granted(date(2025, 3, 3), datetime(2025, 3, 5, 0, 0, 1, tzinfo=UTC), 48) is True


def test_claim_auto_granted_rejects_an_unknown_unit():
    with pytest.raises(ValueError, match="unknown deadline unit"):
        claim_auto_granted(OPENED, OPENED, 3, "fortnights")


@pytest.mark.parametrize(
    ("claim_type", "amount", "threshold", "compliant", "expected"),
    [
        pytest.param("property_damage", 999.99, 1000, True, True, id="999.99 USD property damage: Amazon pays"),
        pytest.param("property_damage", 1000, 1000, True, False, id="1000 USD is not below the threshold"),
        pytest.param("personal_injury", 250, 1000, True, True, id="personal injury below threshold: Amazon pays"),
        pytest.param("personal_injury", 250, 1000, False, False, id="non-compliant or uninsured seller pays"),
        pytest.param("item_not_received", 20, 1000, True, False, id="other claim types are the seller's"),
        pytest.param("property_damage", 10, None, True, False, id="no such rule on this platform"),
        pytest.param("property_damage", 0, 1000, True, True, id="zero amount is below the threshold"),
    ],
)
def test_platform_covers_claim(claim_type, amount, threshold, compliant, expected):
    assert platform_covers_claim(claim_type, amount, threshold, compliant) is expected


@pytest.mark.parametrize(
    ("amount", "threshold"),
    [pytest.param(-1, 1000, id="negative amount"), pytest.param(10, -1000, id="negative threshold")],
)
def test_platform_covers_claim_rejects_negative_amounts(amount, threshold):
    with pytest.raises(ValueError):
        platform_covers_claim("property_damage", amount, threshold, True)


REFUND = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("today", "after", "end", "expected"),
    [
        pytest.param(REFUND + timedelta(days=59), 60, 120, "too_early", id="day 59 after the refund is too early"),
        pytest.param(REFUND + timedelta(days=60), 60, 120, "eligible", id="day 60 opens the claim window"),
        pytest.param(REFUND + timedelta(days=120), 60, 120, "eligible", id="day 120 is the last claim day"),
        pytest.param(REFUND + timedelta(days=121), 60, 120, "expired", id="day 121 is too late"),
        pytest.param(REFUND + timedelta(days=45), 45, 120, "eligible", id="seed 002's old 45-day rule"),
        pytest.param(REFUND - timedelta(days=1), 60, 120, "too_early", id="today before the refund is too early"),
        pytest.param(REFUND + timedelta(days=90), None, 120, "not_applicable", id="no FBA on this platform"),
        pytest.param(REFUND + timedelta(days=90), 45, None, "eligible", id="the seed's 45-day rule names no last day"),
        pytest.param(REFUND + timedelta(days=44), 45, None, "too_early", id="day 44 under the seed's rule is too early"),
    ],
)
def test_fba_reimbursement_status(today, after, end, expected):
    assert fba_reimbursement_status(REFUND, today, after, end) == expected
    assert fba_reimbursement_eligible(REFUND, today, after, end) is (expected == "eligible")


def test_fba_reimbursement_without_refund_is_not_applicable():
    assert fba_reimbursement_status(None, REFUND, 60, 120) == "not_applicable"
    assert fba_reimbursement_eligible(None, REFUND, 60, 120) is False


@pytest.mark.parametrize(
    ("after", "end"),
    [pytest.param(120, 60, id="window ends before it starts"), pytest.param(-1, 120, id="negative start")],
)
def test_fba_reimbursement_rejects_impossible_windows(after, end):
    with pytest.raises(ValueError, match="impossible"):
        fba_reimbursement_status(REFUND, REFUND, after, end)


@pytest.mark.parametrize(
    ("shipped", "in_transit", "expected"),
    [
        pytest.param(False, False, "refund", id="not shipped yet: refund"),
        pytest.param(True, True, "wait", id="in transit: ask the customer to wait"),
    ],
)
def test_refund_request_before_delivery(shipped, in_transit, expected):
    assert refund_request_before_delivery(shipped, in_transit) == expected


@pytest.mark.parametrize(
    ("shipped", "in_transit", "expected"),
    [
        pytest.param(False, True, "wait", id="reported in transit counts as shipped even if 'shipped' says no"),
        pytest.param(True, False, "not_applicable", id="delivered or lost is not a refund before delivery"),
    ],
)
def test_refund_request_before_delivery_is_defined_for_every_combination(shipped, in_transit, expected):
    assert refund_request_before_delivery(shipped, in_transit) == expected
