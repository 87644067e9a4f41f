"""A case's life: its statuses, the transitions allowed between them, and its due date.

Seed 001 follows every open case until it is resolved and asks the customer, at the close, how
satisfied they are; seeds 000/003/004 name the middle states a case waits in (the customer's
answer, the parcel on its way back, the repair)::

    open → waiting_customer | return_in_transit | repair_in_progress → resolved → closed

A middle state may go back to ``open`` (the customer answered, the parcel arrived with a new
problem) or on to another middle state through ``open``; ``open`` may be resolved at once (a
reply settled it). Nothing else is allowed: ``closed`` is final, and ``resolved`` only closes
(a resolved case that comes back is a new case under the same order, seed 003).

The due date of a case is when it must next be looked at: the earliest deadline of its decision
that had not passed when it was decided (the first reply, the refund...), else the earliest
one (already overdue), else one day after the decision (seed 001: follow up daily). A follow-up
moves it to the next day (:func:`next_follow_up`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ..errors import AftersalesError

__all__ = ["STATUSES", "OPEN_STATUSES", "TRANSITIONS", "SATISFACTION_NOT_ASKED", "TransitionError",
           "check_transition", "allowed_next", "due_from_deadlines", "expected_from_deadlines", "next_follow_up",
           "parse_satisfaction", "DueDates"]

#: Every status, in the order of a case's life.
STATUSES: tuple[str, ...] = ("open", "waiting_customer", "return_in_transit", "repair_in_progress",
                             "resolved", "closed")
#: The statuses of a case someone still has to act on (the daily follow-up list shows these).
OPEN_STATUSES: tuple[str, ...] = ("open", "waiting_customer", "return_in_transit", "repair_in_progress")
_MIDDLE = ("waiting_customer", "return_in_transit", "repair_in_progress")

#: status → the statuses it may move to.
TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "open": (*_MIDDLE, "resolved"),
    **{middle: ("open", "resolved") for middle in _MIDDLE},
    "resolved": ("closed",),
    "closed": (),
}

#: What ``--satisfaction`` takes when the customer was not asked or did not answer.
SATISFACTION_NOT_ASKED = "not_asked"


class TransitionError(AftersalesError):
    """A status change the case's life does not allow; the message names the allowed ones."""


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses a case in ``status`` may move to (empty for ``closed``); source: seed 001."""
    if status not in TRANSITIONS:
        raise TransitionError(f"unknown status {status!r}; the statuses are: {', '.join(STATUSES)}")
    return TRANSITIONS[status]


def check_transition(case_id: str, current: str, new: str) -> None:
    """Refuse a move from ``current`` to ``new`` that the case's life does not allow.

    Raises :class:`TransitionError` naming the case, both statuses and the allowed next ones
    (or that ``closed`` is final); an unknown ``new`` lists every status. Source: seed 001.
    """
    if new not in TRANSITIONS:
        raise TransitionError(f"case {case_id}: unknown status {new!r}; the statuses are: {', '.join(STATUSES)}")
    allowed = allowed_next(current)
    if new in allowed:
        return
    if not allowed:
        raise TransitionError(f"case {case_id} is {current}, which is final: it cannot become {new} "
                              f"(a problem that comes back is a new case under the same order)")
    raise TransitionError(f"case {case_id} is {current}: it cannot become {new}; allowed next: {', '.join(allowed)}")


def parse_satisfaction(value: Any) -> int | str:
    """The customer's satisfaction as recorded on the close event: 1-5, or ``"not_asked"``.

    Accepts an int or its text, and ``not_asked`` / ``not-asked`` / ``not asked``; anything else
    raises :class:`AftersalesError`. It is the customer's word on the service, never tied to a
    review (seed 001; platforms forbid trading anything for a review).
    """
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        text = value.strip().lower().replace("-", "_").replace(" ", "_")
        if text == SATISFACTION_NOT_ASKED:
            return SATISFACTION_NOT_ASKED
        value = int(text) if text.isdigit() else None
    if isinstance(value, int) and 1 <= value <= 5:
        return value
    raise AftersalesError(f"satisfaction must be 1 to 5 (how satisfied the customer says they are) or "
                          f"{SATISFACTION_NOT_ASKED!r}, got {value!r}")


@dataclass(frozen=True)
class DueDates:
    """When a decided case is next due (UTC) and when its customer may expect it settled (their day)."""

    due_at: datetime
    expected_on: date | None


def _moments(deadlines: Iterable[Mapping[str, Any]]) -> list[tuple[datetime, bool]]:
    found = []
    for deadline in deadlines:
        due = deadline.get("due") if isinstance(deadline, Mapping) else None
        if not isinstance(due, str):
            continue
        try:
            moment = datetime.fromisoformat(due)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        found.append((moment, bool(deadline.get("overdue"))))
    return found


def due_from_deadlines(deadlines: Iterable[Mapping[str, Any]], decided_at: datetime) -> datetime:
    """The case's due date (UTC) from its decision's ``deadlines`` (``{name, due, overdue, ...}``).

    The earliest deadline still open when it was decided (not ``overdue``, not before
    ``decided_at``); when every one had passed, the earliest (the case is overdue at once);
    with none, one day after ``decided_at`` (seed 001: every open case is followed up daily).
    """
    moments = _moments(deadlines)
    decided = decided_at.astimezone(timezone.utc)
    open_ones = [m for m, overdue in moments if not overdue and m >= decided]
    if open_ones:
        return min(open_ones).astimezone(timezone.utc)
    if moments:
        return min(m for m, _ in moments).astimezone(timezone.utc)
    return decided + timedelta(days=1)


def expected_from_deadlines(deadlines: Iterable[Mapping[str, Any]]) -> date | None:
    """The customer's day by which everything the decision promised is due: the latest deadline's
    date in its own zone (the buyer's), a deadline ending at midnight counted as the day before;
    None without deadlines. Source: seed 001 (give an estimated resolution time)."""
    moments = _moments(deadlines)
    if not moments:
        return None
    last = max((m for m, _ in moments), key=lambda m: m.astimezone(timezone.utc))
    midnight = (last.hour, last.minute, last.second) == (0, 0, 0)
    return (last - timedelta(days=1)).date() if midnight else last.date()


def next_follow_up(at: datetime) -> datetime:
    """When a case followed up at ``at`` is due again: one day later (seed 001: daily)."""
    return at.astimezone(timezone.utc) + timedelta(days=1)
