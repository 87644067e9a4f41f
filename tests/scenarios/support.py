"""What every scenario table checks about a decision."""

from __future__ import annotations

from typing import Any


def summary(decision: Any) -> tuple[str, str, str, str, float | None]:
    """(outcome, resolution, who pays return shipping, who bears the cost, compensation amount)."""
    amount = decision.compensation["amount"] if decision.compensation else None
    return (decision.outcome, decision.resolution, decision.return_shipping_paid_by, decision.cost_borne_by, amount)
