"""Repair tracking (issue 20, part 4; seeds 000, 003 and 004): the stages of a repair, the
durations the platform profile gives them, and what the customer is told at each stage.

A repair goes through these stages, each a ``repair`` event on the case with who and when::

    received → defect_confirmed → repaired → shipped_back → customer_checked
        └───────────┴──► not_repairable

* ``received`` — the item reached the repair point (seed 000: check it at once). The case
  becomes ``repair_in_progress`` (from ``open``, or through ``open`` from another waiting
  state); it is due again after ``repair_confirm_days`` (the defect is confirmed by then).
* ``defect_confirmed`` — the fault is confirmed (seed 004: detailed check). Where the law sets
  the repair time (``repair_max_days``; Russia: at most 45 days when agreed in writing, ZoZPP
  art. 20 p.1, LAW-FLOORS.md §1) it runs from the start of the round (``received``), the check
  included (art. 18 p.5), and a decision that carries the legal ``repair_due`` deadline (counted
  from the complaint) caps it; elsewhere the seller's ``repair_default_days`` (30, a seed
  assumption, unverified) run from the confirmation (from ``received`` + the confirmation days
  until then).
* ``repaired`` — fixed; ship it back at once (seed 000).
* ``shipped_back`` — on its way back, with the repair warranty recorded (``--warranty-days``,
  default ``repair_warranty_days``; Russia: ZoZPP art. 20 p.3 also extends the item's warranty by
  the time it spent in repair, which the event records).
* ``customer_checked`` — the customer checked the repaired item: ``ok`` resolves the case; not ok
  reopens it (``open``, due the next day), and a new repair round may start with ``received``.
* ``not_repairable`` — from ``received`` or ``defect_confirmed``: the case goes back to ``open``
  and the customer is offered a replacement or a refund.

Between stages the case is followed up daily (seed 001), so it is due one day after each stage
except ``received``. Every stage has a message to the customer in their language: what happened,
what comes next and, while it is still ahead, the expected date through
:func:`aftersales.present.formats.format_day` — never an id or an ISO date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from ..errors import AftersalesError
from . import life

__all__ = ["STAGES", "IN_REPAIR_STAGES", "STAGE_TRANSITIONS", "RepairDurations", "repair_durations", "allowed_next_stages",
           "check_stage", "plan_stage", "stage_message", "stage_next_step", "stage_name"]

#: Every repair stage, in the order of a repair.
STAGES: tuple[str, ...] = ("received", "defect_confirmed", "repaired", "shipped_back", "customer_checked",
                           "not_repairable")

#: The stages a case is still in repair after (the follow-up list uses their messages).
IN_REPAIR_STAGES: tuple[str, ...] = ("received", "defect_confirmed", "repaired", "shipped_back")

#: The last stage of a case (None: no repair yet) → the stages that may follow it. After a failed
#: check (``customer_checked`` not ok) a new round may start; see :func:`allowed_next_stages`.
STAGE_TRANSITIONS: Mapping[str | None, tuple[str, ...]] = {
    None: ("received",),
    "received": ("defect_confirmed", "not_repairable"),
    "defect_confirmed": ("repaired", "not_repairable"),
    "repaired": ("shipped_back",),
    "shipped_back": ("customer_checked",),
    "customer_checked": (),
    "not_repairable": (),
}

#: The case status each stage moves the case to (None: it stays ``repair_in_progress``).
_STATUS_AFTER: Mapping[str, str] = {"received": "repair_in_progress", "not_repairable": "open"}
_DURATION_PARAMETERS = ("repair_confirm_days", "repair_max_days", "repair_default_days", "repair_warranty_days")


@dataclass(frozen=True)
class RepairDurations:
    """The durations of a repair on one platform on one day, with where each came from.

    ``repair_days`` is the legal limit (``repair_max_days``) where the law sets one
    (``repair_is_legal``), else the seller's ``repair_default_days``.
    """

    confirm_days: int
    repair_days: int
    repair_is_legal: bool
    repair_source: str
    warranty_days: int
    warranty_source: str
    warranty_note: str | None


def _days(value: Any, name: str, platform: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise AftersalesError(f"platform {platform}: parameter {name} must be a number of days, got {value!r}")
    return int(value)


def repair_durations(profile: Any, as_of: date | datetime) -> RepairDurations:
    """The repair durations of ``profile`` (a :class:`~aftersales.platforms.Profile`) in force on ``as_of``.

    Decides the repair time: ``repair_max_days`` when the law sets it (Russia: 45 days, ZoZPP
    art. 20 p.1), else ``repair_default_days`` (the seller's promise; seeds 000/004, unverified).
    Confirming the defect takes ``repair_confirm_days``; the repair's warranty is
    ``repair_warranty_days``. Raises :class:`AftersalesError` when a needed value is missing.
    """
    day = as_of.date() if isinstance(as_of, datetime) else as_of
    got = {name: profile.get(name, day) for name in _DURATION_PARAMETERS}
    values = {name: _days(param.value, name, profile.name) for name, param in got.items()}
    legal = values["repair_max_days"]
    repair = legal if legal is not None else values["repair_default_days"]
    used = "repair_max_days" if legal is not None else "repair_default_days"
    for name, value in (("repair_confirm_days", values["repair_confirm_days"]), (used, repair),
                        ("repair_warranty_days", values["repair_warranty_days"])):
        if value is None:
            raise AftersalesError(f"platform {profile.name}: parameter {name} has no value on {day.isoformat()}; "
                                  f"set it in playbooks/platforms/{profile.name}.yaml")
    assert repair is not None and values["repair_confirm_days"] is not None and values["repair_warranty_days"] is not None
    warranty = got["repair_warranty_days"]
    return RepairDurations(confirm_days=values["repair_confirm_days"], repair_days=repair,
                           repair_is_legal=legal is not None, repair_source=f"{used}: {got[used].source}",
                           warranty_days=values["repair_warranty_days"],
                           warranty_source=f"repair_warranty_days: {warranty.source}", warranty_note=warranty.note)


def allowed_next_stages(last: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The stages that may follow ``last`` (the data of the case's last ``repair`` event, None
    without one). A failed check (``customer_checked`` with ``ok`` false) lets a new round start
    with ``received``; a passed check and ``not_repairable`` end the repair. Source: seeds 000/004."""
    stage = last.get("stage") if last else None
    if stage == "customer_checked" and last is not None and last.get("ok") is False:
        return ("received",)
    return STAGE_TRANSITIONS.get(stage, ())


def check_stage(case_id: str, last: Mapping[str, Any] | None, stage: str) -> None:
    """Refuse ``stage`` when it may not follow the case's last stage; the
    :class:`~aftersales.cases.life.TransitionError` names the allowed next stages."""
    if stage not in STAGES:
        raise life.TransitionError(f"case {case_id}: unknown repair stage {stage!r}; the stages are: {', '.join(STAGES)}")
    allowed = allowed_next_stages(last)
    if stage in allowed:
        return
    current = last.get("stage") if last else None
    where = f"its repair is {current}" if current else "it has no repair yet"
    if not allowed:
        raise life.TransitionError(f"case {case_id}: {where}, which ends the repair: it cannot become {stage} "
                                   f"(a problem that comes back is a new case under the same order)")
    raise life.TransitionError(f"case {case_id}: {where}: it cannot become {stage}; allowed next: {', '.join(allowed)}")


def _legal_cap(deadlines: Iterable[Mapping[str, Any]] | None) -> date | None:
    """The customer's last day of the legal repair time, when the decision carries it (``repair_due``)."""
    due = [d for d in deadlines or [] if isinstance(d, Mapping) and d.get("name") == "repair_due"]
    return life.expected_from_deadlines(due) if due else None


def _status_move(case_id: str, current: str, target: str) -> list[str]:
    """The statuses a case goes through from ``current`` to ``target`` (through ``open`` from
    another waiting state, as the case's life allows); empty when it is there already."""
    if current == target:
        return []
    if target not in life.allowed_next(current) and current in life.OPEN_STATUSES and current != "open":
        life.check_transition(case_id, current, "open")
        life.check_transition(case_id, "open", target)
        return ["open", target]
    life.check_transition(case_id, current, target)
    return [target]


def plan_stage(case_id: str, status: str, last: Mapping[str, Any] | None, stage: str, at: datetime,
               durations: RepairDurations, *, ok: bool | None = None, warranty_days: int | None = None,
               note: str | None = None, deadlines: Iterable[Mapping[str, Any]] | None = None
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """What recording ``stage`` at ``at`` does to a case in ``status`` whose last repair event
    has the data ``last``: the new event's data and the case row's changes.

    Decides the stage order (:func:`check_stage`), the status (``received`` → in repair,
    ``customer_checked`` → resolved or, not ok, open; ``not_repairable`` → open), the due date
    (``received``: + ``repair_confirm_days``; otherwise the next day, seed 001) and the expected
    day (``received``/``defect_confirmed``: the legal repair time from the round's start, capped by
    the decision's ``repair_due``; or the seller's from the confirmation), and records the warranty
    on ``shipped_back``. Pure: no clock, no I/O.
    """
    check_stage(case_id, last, stage)
    if stage == "customer_checked" and ok is None:
        raise AftersalesError(f"case {case_id}: say whether the customer found the repaired item working: --ok or --not-ok")
    if stage != "customer_checked" and ok is not None:
        raise AftersalesError(f"case {case_id}: --ok / --not-ok is the customer's check on return (customer_checked), "
                              f"not {stage}")
    if warranty_days is not None and stage != "shipped_back":
        raise AftersalesError(f"case {case_id}: the repair warranty is recorded when the item is shipped back, not {stage}")
    if warranty_days is not None and warranty_days < 0:
        raise AftersalesError(f"case {case_id}: --warranty-days must be 0 or more, got {warranty_days}")
    if stage != "received" and status != "repair_in_progress":
        raise life.TransitionError(f"case {case_id} is {status}, not in repair: it cannot become {stage}")
    at = at.astimezone(timezone.utc)
    day = at.date()
    target = "resolved" if stage == "customer_checked" and ok else "open" if stage == "customer_checked" else \
        _STATUS_AFTER.get(stage, status)
    moves = _status_move(case_id, status, target)
    received_at = at.isoformat() if stage == "received" else (last or {}).get("received_at")
    earlier = int((last or {}).get("round") or 0)
    data: dict[str, Any] = {"stage": stage, "from_stage": (last or {}).get("stage"), "received_at": received_at,
                            "round": earlier + 1 if stage == "received" else max(earlier, 1)}
    changes: dict[str, Any] = {}
    if moves:
        data["status_from"], data["status_to"] = status, target
        if len(moves) > 1:
            data["status_path"] = moves
        changes["status"] = target
    if stage in ("received", "defect_confirmed"):
        if durations.repair_is_legal:  # the legal time runs from the demand: checking it is inside it (ZoZPP art. 18 p.5)
            start = datetime.fromisoformat(received_at).astimezone(timezone.utc).date() if received_at else day
        else:  # the seller's promise: the repair starts once the defect is confirmed
            start = day + timedelta(days=durations.confirm_days) if stage == "received" else day
        expected = start + timedelta(days=durations.repair_days)
        cap = _legal_cap(deadlines) if data["round"] == 1 else None  # the decision's deadline is the first repair's
        if durations.repair_is_legal and cap is not None and cap < expected:
            expected = cap
        data.update(expected_on=expected.isoformat(), repair_days=durations.repair_days,
                    repair_source=durations.repair_source)
        changes["expected_on"] = expected
    if stage == "received":
        due = at + timedelta(days=durations.confirm_days)
        data["confirm_by"] = due.date().isoformat()
    elif stage == "customer_checked" and ok:
        due = None
    else:
        due = life.next_follow_up(at)
    if due is not None:
        data["due_at"] = due.isoformat()
        changes["due_at"] = due
    if stage == "shipped_back":
        data.update(warranty_days=warranty_days if warranty_days is not None else durations.warranty_days,
                    warranty_source="given by the agent" if warranty_days is not None else durations.warranty_source)
        if durations.warranty_note:
            data["warranty_note"] = durations.warranty_note
        if received_at:
            data["days_in_repair"] = max(0, (at - datetime.fromisoformat(received_at)).days)
    if stage == "customer_checked":
        data["ok"] = bool(ok)
        data["warranty_days"] = (last or {}).get("warranty_days")
    if note:
        data["note"] = note
    return data, changes


# --- words --------------------------------------------------------------------------------------

def _lang(lang: str | None) -> str:
    return lang if lang in ("en", "zh", "ru") else "en"  # present.words.LANGUAGES (imported when words are needed)


@lru_cache(maxsize=256)
def _text(key: str, lang: str) -> str:
    from ..present.words import word

    return word(key, lang)


def _key(stage: str, ok: bool | None) -> str:
    if stage == "customer_checked":
        return "customer_checked_ok" if ok else "customer_checked_not_ok"
    return stage


def stage_name(stage: str, lang: str = "en", ok: bool | None = None) -> str:
    """A repair stage as the team reads it ("defect confirmed", "故障已确认", "неисправность подтверждена")."""
    return _text(f"repair_stage_{_key(stage, ok)}", _lang(lang))


def stage_next_step(stage: str, lang: str = "en", ok: bool | None = None) -> str:
    """What the owner does next after ``stage`` (seeds 000/004: keep the customer informed at each stage)."""
    return _text(f"repair_next_{_key(stage, ok)}", _lang(lang))


def _on(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def stage_message(data: Mapping[str, Any], lang: str | None, *, customer_name: str | None = None,
                  today: date | None = None) -> str:
    """The message to the customer, in their language ``lang``, for the repair event ``data``.

    A greeting (with the name when known), what happened and what comes next for the stage, the
    expected day (``confirm_by`` while the defect is being checked, else ``expected_on``) unless it
    is unknown or already before ``today``, the repair warranty on ``shipped_back`` (and, when the
    case was checked fine, a reminder of it), and the closing line. Sources: seeds 000/004 (keep the
    customer informed at each stage of the repair), seed 001 (give an estimated time).
    """
    from ..present.formats import format_day, format_quantity

    lang = _lang(lang)
    stage = str(data.get("stage"))
    if stage not in STAGES:
        raise ValueError(f"no repair message for stage {stage!r}")
    key = f"repair_msg_{_key(stage, data.get('ok'))}"
    name = customer_name.strip() if isinstance(customer_name, str) else ""
    greeting = _text("followup_greeting_name", lang).format(name=name) if name else _text("followup_greeting", lang)
    when = _on(data.get("confirm_by") if stage == "received" else data.get("expected_on"))
    values: dict[str, str] = {}
    if stage in ("received", "defect_confirmed") and when is not None and (today is None or when >= today):
        key += "_by"
        values["date"] = format_day(when, lang)
    warranty = data.get("warranty_days")
    if (stage == "shipped_back" or (stage == "customer_checked" and data.get("ok"))) and isinstance(warranty, int) \
            and warranty > 0:
        key += "_warranty"
        values["warranty"] = format_quantity(warranty, "days", lang)
    body = _text(key, lang).format(**values)
    separator = "" if lang == "zh" else " "
    return greeting + separator + separator.join((body, _text("followup_closing", lang)))
