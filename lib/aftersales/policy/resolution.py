"""Resolutions of a quality defect, cheapest first."""

from __future__ import annotations

from aftersales.policy.registry import policy_function

#: Ways to resolve a defect, cheapest for the seller first.
RESOLUTION_COST_LADDER: tuple[str, ...] = ("guide", "send_part", "repair", "exchange", "refund")


@policy_function(sources=["seed 000", "seed 003"])
def cheapest_acceptable_resolution(
    guide: bool = False,
    send_part: bool = False,
    repair: bool = False,
    exchange: bool = False,
    refund: bool = True,
) -> str:
    """Decide the cheapest resolution that is acceptable here (each flag says whether it is).

    Walks :data:`RESOLUTION_COST_LADDER` (guide, send_part, repair, exchange, refund) and
    returns the first acceptable one: remote guidance beats a spare part, which beats a
    repair, an exchange and finally a refund.

    Args:
        guide: the customer can fix it with remote guidance.
        send_part: sending a spare part solves it.
        repair: a repair (by the seller, a third party or an authorised centre) is possible
            and the customer accepts it.
        exchange: an exchange is acceptable (serious defect soon after purchase, or repair
            costs too much).
        refund: a return and refund is possible (default True).

    Raises:
        ValueError: no resolution is acceptable.

    References:
        seed 000 (ways to resolve, roughly cheapest first); seed 003 (repair is cheapest,
        raise the share of repairs).
    """
    flags = {"guide": guide, "send_part": send_part, "repair": repair, "exchange": exchange, "refund": refund}
    for resolution in RESOLUTION_COST_LADDER:
        if flags[resolution]:
            return resolution
    raise ValueError(
        "no acceptable resolution: at least one of " + ", ".join(RESOLUTION_COST_LADDER) + " must be True"
    )


@policy_function(sources=["seed 000", "seed 003"])
def resolution_cost_rank(resolution: str) -> int:
    """Decide the cost rank of a resolution: 0 for the cheapest (guide) up to 4 (refund).

    Args:
        resolution: one of :data:`RESOLUTION_COST_LADDER`.

    Raises:
        ValueError: unknown resolution.

    References:
        seed 000 (ways to resolve, roughly cheapest first); seed 003 (repair is cheapest).
    """
    try:
        return RESOLUTION_COST_LADDER.index(resolution)
    except ValueError:
        raise ValueError(
            f"unknown resolution {resolution!r}; known: {', '.join(RESOLUTION_COST_LADDER)}"
        ) from None
