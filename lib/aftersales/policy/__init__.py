"""Pure policy functions: facts and parameters in, decision out; no I/O, no clock.

Importing this package registers every function in :data:`POLICY_FUNCTIONS`, the names
playbook expressions may call. One module per concern: ``size``, ``returns``, ``warranty``,
``compensation``, ``resolution``, ``deadlines``, ``claims``, ``reviews``, ``dates``. The
``holidays`` package is imported only when a business-day deadline needs a calendar.
"""

from __future__ import annotations

from aftersales.policy import (  # noqa: F401  (imported to register their functions)
    claims,
    compensation,
    dates,
    deadlines,
    resolution,
    returns,
    reviews,
    size,
    warranty,
)
from aftersales.policy.claims import (
    claim_auto_granted,
    fba_reimbursement_eligible,
    fba_reimbursement_status,
    platform_covers_claim,
    refund_request_before_delivery,
)
from aftersales.policy.compensation import (
    cap_to_item_value,
    colour_difference_waived,
    late_shipment_compensation,
    minor_defect_offer,
    offer_range,
    raised_offer,
)
from aftersales.policy.dates import days_since, hours_between
from aftersales.policy.deadlines import (
    DEADLINE_UNITS,
    add_business_days,
    deadline_due,
    holiday_calendar,
    hours_until,
    is_business_day,
)
from aftersales.policy.registry import POLICY_FUNCTIONS, PolicyFunction, policy_function
from aftersales.policy.resolution import (
    RESOLUTION_COST_LADDER,
    cheapest_acceptable_resolution,
    resolution_cost_rank,
)
from aftersales.policy.returns import (
    RETURN_REASONS,
    is_resaleable,
    no_reason_return_eligible,
    return_shipping_payer,
    return_window_last_day,
    withdrawal_last_day,
)
from aftersales.policy.reviews import (
    REMOVAL_GROUNDS,
    REVIEW_TOPICS,
    review_removable,
    review_removal_grounds,
    review_request_window_open,
)
from aftersales.policy.size import size_conforms
from aftersales.policy.warranty import warranty_active, warranty_days_left

__all__ = [
    "POLICY_FUNCTIONS",
    "PolicyFunction",
    "policy_function",
    "DEADLINE_UNITS",
    "REMOVAL_GROUNDS",
    "RESOLUTION_COST_LADDER",
    "RETURN_REASONS",
    "REVIEW_TOPICS",
    "add_business_days",
    "cheapest_acceptable_resolution",
    "claim_auto_granted",
    "colour_difference_waived",
    "days_since",
    "deadline_due",
    "fba_reimbursement_eligible",
    "fba_reimbursement_status",
    "holiday_calendar",
    "hours_between",
    "hours_until",
    "is_business_day",
    "is_resaleable",
    "cap_to_item_value",
    "late_shipment_compensation",
    "minor_defect_offer",
    "no_reason_return_eligible",
    "offer_range",
    "platform_covers_claim",
    "raised_offer",
    "refund_request_before_delivery",
    "resolution_cost_rank",
    "return_shipping_payer",
    "return_window_last_day",
    "withdrawal_last_day",
    "review_removable",
    "review_removal_grounds",
    "review_request_window_open",
    "size_conforms",
    "warranty_active",
    "warranty_days_left",
]
