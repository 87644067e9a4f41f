"""Resolutions of a defect, cheapest first (seed 000, seed 003)."""

import pytest

from aftersales.policy import RESOLUTION_COST_LADDER, cheapest_acceptable_resolution, resolution_cost_rank


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        pytest.param({}, "refund", id="nothing else possible: refund"),
        pytest.param({"guide": True}, "guide", id="remote guidance beats everything"),
        pytest.param({"send_part": True, "repair": True}, "send_part", id="a spare part beats a repair"),
        pytest.param({"repair": True, "exchange": True}, "repair", id="repair beats exchange"),
        pytest.param({"exchange": True}, "exchange", id="exchange beats refund"),
        pytest.param({"exchange": True, "refund": False}, "exchange", id="exchange when refund is not allowed"),
        pytest.param(
            {"guide": True, "send_part": True, "repair": True, "exchange": True}, "guide", id="all possible: guide"
        ),
    ],
)
def test_cheapest_acceptable_resolution(flags, expected):
    assert cheapest_acceptable_resolution(**flags) == expected


def test_no_acceptable_resolution_is_a_playbook_bug():
    with pytest.raises(ValueError, match="no acceptable resolution"):
        cheapest_acceptable_resolution(refund=False)


def test_positional_flags_follow_the_ladder():
    assert cheapest_acceptable_resolution(False, False, True, True, True) == "repair"


@pytest.mark.parametrize(
    ("resolution", "rank"),
    [pytest.param(name, rank, id=f"{name} is rank {rank}") for rank, name in enumerate(RESOLUTION_COST_LADDER)],
)
def test_resolution_cost_rank(resolution, rank):
    assert resolution_cost_rank(resolution) == rank


def test_repair_is_cheaper_than_exchange_and_refund():
    assert resolution_cost_rank("repair") < resolution_cost_rank("exchange") < resolution_cost_rank("refund")


def test_unknown_resolution_is_rejected():
    with pytest.raises(ValueError, match="unknown resolution 'voucher'"):
        resolution_cost_rank("voucher")
