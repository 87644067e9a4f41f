"""US / Amazon.com (Amazon's return policy is the operative floor): one sentence per case, each citing its source."""

from __future__ import annotations

import pytest

from aftersales.platforms import load_profiles

from .support import QUALITY, SIZE, run

MONEY = {"order_value": 40, "currency": "USD"}


def s(delivered_on: str, **facts) -> dict:
    return {**MONEY, **SIZE, "delivered_on": delivered_on, **facts}


def q(delivered_on: str, **facts) -> dict:
    return {**MONEY, **QUALITY, "warranty_days": 365, "delivered_on": delivered_on, **facts}


CASES = [
    pytest.param(s("2025-11-17"), "2026-01-10T12:00:00+00:00", "return_buyer_pays",
                 id="Amazon holiday policy 2025: delivered 17 Nov, asked 10 Jan - the extension runs to 31 Jan"),
    pytest.param(s("2025-11-17"), "2026-02-02T12:00:00+00:00", "reject_window_passed",
                 id="Amazon holiday policy 2025: 2 Feb is past the 31 Jan extension"),
    pytest.param(s("2025-10-28", ordered_on="2025-10-25"), "2026-01-10T12:00:00+00:00", "reject_window_passed",
                 id="Amazon holiday policy 2025: ordered 25 Oct, before the 1 Nov season - 30 days only"),
    pytest.param(s("2025-11-03", ordered_on="2025-10-31"), "2025-12-01T12:00:00+00:00", "return_buyer_pays",
                 id="Amazon return policy: ordered 31 Oct, delivered 3 Nov - day 28 of the 30 days"),
    pytest.param(s("2026-06-01"), "2026-07-01T12:00:00+00:00", "return_buyer_pays",
                 id="Amazon return policy (200708210): day 30 is the last day of the window"),
    pytest.param(s("2026-06-01"), "2026-07-02T12:00:00+00:00", "reject_window_passed",
                 id="Amazon return policy (200708210): day 31 is past the window, no holiday in June"),
    pytest.param(s("2026-06-20", return_terms_given=False), "2026-07-25T12:00:00+00:00", "reject_window_passed",
                 id="No US withdrawal statute: untold return terms do not extend Amazon's 30 days"),
    pytest.param(s("2026-06-20", item_resaleable=False), "2026-06-25T12:00:00+00:00", "return_with_restocking_fee",
                 id="Amazon restocking-fee policy: a worn item inside the window is taken back, fee at most 50 %, never refused"),
    pytest.param(s("2026-05-20", item_resaleable=False), "2026-06-25T12:00:00+00:00", "reject_not_resaleable",
                 id="Amazon return policy: worn and past the 30 days - nothing left to return"),
]


@pytest.mark.parametrize("facts, as_of, outcome", CASES)
def test_amazon_returns(facts: dict, as_of: str, outcome: str) -> None:
    assert run("size_mismatch", "amazon", facts, as_of=as_of).outcome == outcome


QUALITY_CASES = [
    pytest.param(q("2025-10-07", customer_preference="refund"), "repair_by_seller",
                 id="seller warranty 365 days: day 100, repairable - repair under warranty"),
    pytest.param(q("2025-10-07", misuse_suspected=True), "inspect_item",
                 id="a suspicion alone: inspect at the seller's cost, never a straight refusal"),
    pytest.param(q("2024-10-07"), "paid_repair",
                 id="past the seller's 365-day warranty: a paid repair, the price told first"),
]


@pytest.mark.parametrize("facts, outcome", QUALITY_CASES)
def test_amazon_quality(facts: dict, outcome: str) -> None:
    assert run("quality_defect", "amazon", facts, as_of="2026-01-15T09:00:00+00:00").outcome == outcome


def test_the_holiday_return_is_due_by_31_january() -> None:
    decision = run("size_mismatch", "amazon", s("2025-11-17"), as_of="2026-01-10T12:00:00+00:00")
    due = decision.to_dict()["deadlines"]
    end = [d for d in due if d["name"] == "return_window_end"][0]
    assert str(end["due"]).startswith(("2026-01-31", "2026-02-01"))


@pytest.mark.parametrize("as_of, ordered_on, delivered_on, last_day", [
    pytest.param("2022-01-20", "2021-10-15", "2021-10-20", "2022-01-31",
                 id="Amazon holiday policy 2021: bought 1 Oct-31 Dec 2021, returnable until 31 Jan 2022"),
    pytest.param("2021-01-25", "2020-12-01", "2020-12-05", "2021-01-31",
                 id="Amazon holiday policy 2020: the 2020 season ran to 31 Jan 2021"),
    pytest.param("2026-01-10", "2025-10-31", "2025-11-03", "2025-12-03",
                 id="Amazon holiday policy 2025: ordered the day before the season - 30 days from delivery"),
])
def test_each_holiday_season_is_dated_data(as_of: str, ordered_on: str, delivered_on: str, last_day: str) -> None:
    from datetime import date

    from aftersales.policy import withdrawal_last_day

    profile = load_profiles()["amazon"]
    season = profile.get("holiday_return_extension", as_of).value
    found = withdrawal_last_day(date.fromisoformat(delivered_on), date.fromisoformat(ordered_on),
                                profile.get("return_window_days", as_of).value, None, True, season)
    assert found == date.fromisoformat(last_day)


def test_amazon_keeps_its_30_day_window() -> None:
    assert load_profiles()["amazon"].get("return_window_days", "2026-01-10").value >= 30
