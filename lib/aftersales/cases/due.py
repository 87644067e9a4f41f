"""The daily follow-up list (seed 001: follow up every open case daily and tell the customer
what happened): the open cases overdue or due on a day, by owner, each with the team's next
step for its status and a follow-up message to the customer in the customer's language.

A case in repair whose repair stages are recorded (:mod:`aftersales.cases.repair`) gets the
next step and the message of its current stage (defect being checked, being repaired, on its way
back...) instead of the general "in repair" ones.

The day is a UTC calendar day: a case is *due* on ``D`` when its due date falls before the end
of ``D``, *overdue* when it fell before ``D`` began. The words come from the catalogue
(``present/words.yaml``, keys ``followup_*``, ``due_*``, ``case_status_*``) and every date a
person reads is formatted by :mod:`aftersales.present` — never an ISO date, a case id or a code
in a customer's text. CSV and JSON carry ISO moments for machines.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

from ..present.formats import format_day, moment_text
from ..present.words import LANGUAGES, word
from .life import OPEN_STATUSES
from .repair import IN_REPAIR_STAGES, stage_message, stage_next_step

__all__ = ["DueCase", "due_cases", "follow_up_message", "next_step", "status_name", "due_table", "due_csv",
           "due_json", "FORMATS", "collector_paused"]

#: The formats ``cases due --format`` writes.
FORMATS = ("table", "csv", "json")


@dataclass(slots=True)
class DueCase:
    """One line of the follow-up list: the case, whether it is overdue, what to do, what to say."""

    case_id: str
    order_id: str | None
    owner: str | None
    status: str
    due_at: datetime
    overdue: bool
    scenario: str | None
    platform: str | None
    customer_lang: str
    next_step: str
    message: str


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a follow-up list is built and written.

    The list makes hundreds of thousands of small objects and no reference cycles; left on, the
    collector walks the whole heap again and again (a third of the time over 100,000 open cases).
    Reference counting still frees everything; the collector's previous state comes back after.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _lang(lang: str | None) -> str:
    return lang if lang in LANGUAGES else "en"


@lru_cache(maxsize=4096)
def _day(day: date, lang: str) -> str:
    return format_day(day, lang)


def status_name(status: str, lang: str = "en") -> str:
    """A status as the team reads it ("waiting for the customer", "等待客户回复")."""
    return word(f"case_status_{status}", _lang(lang))


def next_step(status: str, lang: str = "en") -> str:
    """What the owner does today for a case in ``status`` (seeds 001/000/003/004)."""
    return word(f"due_next_{status}", _lang(lang))


def follow_up_message(status: str, lang: str | None, *, customer_name: str | None = None,
                      expected_on: date | None = None, today: date | None = None) -> str:
    """The follow-up message for a case in ``status``, in the customer's language ``lang``.

    A greeting (with the customer's name when known), what is happening for this status, the day
    by which it should be settled (``expected_on``, through :func:`~aftersales.present.formats.format_day`)
    unless that day is unknown or already past ``today``, and a closing line. Source: seed 001
    (tell the customer what happened; give an estimated resolution time).
    """
    lang = _lang(lang)
    if status not in OPEN_STATUSES:
        raise ValueError(f"no follow-up message for a case that is {status}")
    name = customer_name.strip() if isinstance(customer_name, str) else ""
    greeting = _text("followup_greeting_name", lang).format(name=name) if name else _text("followup_greeting", lang)
    promised = expected_on if expected_on is not None and (today is None or expected_on >= today) else None
    return greeting + _rest(status, lang, promised)


@lru_cache(maxsize=8192)
def _rest(status: str, lang: str, expected_on: date | None) -> str:
    """A follow-up message after its greeting (the same for every customer of a status, language and day)."""
    if expected_on is not None:
        body = _text(f"followup_{status}_by", lang).format(date=_day(expected_on, lang))
    else:
        body = _text(f"followup_{status}", lang)
    separator = "" if lang == "zh" else " "
    return separator + separator.join((body, _text("followup_closing", lang)))


@lru_cache(maxsize=256)
def _text(key: str, lang: str) -> str:
    """A catalogue word, unfilled (the follow-up list fills thousands of messages from a few words)."""
    return word(key, lang)


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def due_cases(store: Any, day: date | None = None, owner: str | None = None,
              team_lang: str = "en") -> list[DueCase]:
    """The open cases of ``store`` (a :class:`~aftersales.cases.store.CaseStore`) overdue or due
    on ``day`` (default: today, UTC), only ``owner``'s if given, by owner then due date.

    ``team_lang`` is the language of the next steps; each message is in its customer's language.
    Source: seed 001 (follow up every open case daily).
    """
    with collector_paused():
        return _due_cases(store, day or datetime.now(timezone.utc).date(), owner, team_lang)


def _due_cases(store: Any, day: date, owner: str | None, team_lang: str) -> list[DueCase]:
    start, end = _bounds(day)
    lines: list[DueCase] = []
    steps = {status: next_step(status, team_lang) for status in OPEN_STATUSES}
    rows = store.due_rows(end, owner)
    in_repair = [row[0] for row in rows if row[7] == "repair_in_progress"]  # case_id, status
    stages = store.repair_stages(in_repair) if in_repair and hasattr(store, "repair_stages") else {}
    named = {lang: _text("followup_greeting_name", lang) for lang in LANGUAGES}
    plain = {lang: _text("followup_greeting", lang) for lang in LANGUAGES}
    rests: dict[tuple[str, str, date | None], str] = {}
    line = DueCase
    append = lines.append
    # the rows unpacked positionally (due_rows' column order): 100,000 attribute look-ups on
    # SQLAlchemy rows cost more than the messages themselves
    for case_id, order_id, scenario, platform, customer_lang, customer_name, owner_, status, due_at, expected_on in rows:
        lang = customer_lang if customer_lang in named else "en"
        stage = stages.get(case_id) if status == "repair_in_progress" else None
        if stage is not None and stage.get("stage") not in IN_REPAIR_STAGES:
            stage = None  # a round that ended (not repairable, checked): the case was put in repair by hand since
        if stage is not None:
            step = stage_next_step(str(stage.get("stage")), team_lang, stage.get("ok"))
            message = stage_message(stage, lang, customer_name=customer_name, today=day)
        else:  # follow_up_message, inlined: the same words, looked up once per language, status and day
            step = steps[status]
            name = customer_name.strip() if customer_name else ""
            key = (status, lang, expected_on if expected_on is not None and expected_on >= day else None)
            rest = rests.get(key)
            if rest is None:
                rest = rests[key] = _rest(*key)
            message = (named[lang].format(name=name) if name else plain[lang]) + rest
        append(line(case_id, order_id, owner_, status, due_at, due_at < start, scenario, platform, lang, step, message))
    return lines


def _groups(lines: Sequence[DueCase]) -> list[tuple[str | None, list[DueCase]]]:
    groups: dict[str | None, list[DueCase]] = {}
    for line in lines:
        groups.setdefault(line.owner, []).append(line)
    return list(groups.items())


def due_table(lines: Sequence[DueCase], day: date, lang: str = "en") -> str:
    """The follow-up list as the team reads it: a heading, then each owner's cases with whether
    overdue, the status, the next step and the message to send (dates by :mod:`aftersales.present`)."""
    lang = _lang(lang)
    if not lines:
        return word("due_none", lang, date=_day(day, lang))
    out = [word("due_title", lang, date=_day(day, lang), n=len(lines))]
    colon = "：" if lang == "zh" else ": "
    statuses = {status: status_name(status, lang) for status in OPEN_STATUSES}
    next_label, message_label = f"  {word('due_next', lang)}{colon}", f"  {word('due_message', lang)} ("
    overdue_text, today_text = _text("due_overdue", lang), _text("due_today", lang)
    overdue_on: dict[date, str] = {}
    add = out.append
    for owner, cases in _groups(lines):
        add("")
        add(f"== {owner or word('due_no_owner', lang)} ({len(cases)})")
        for line in cases:
            # overdue: the day it fell due (UTC) is enough; due today: the hour matters
            if line.overdue:
                on = line.due_at.date()
                when = overdue_on.get(on)
                if when is None:
                    when = overdue_on[on] = overdue_text.format(when=_day(on, lang))
            else:
                when = today_text.format(when=moment_text(line.due_at, lang))
            status = statuses.get(line.status) or status_name(line.status, lang)
            add(f"- {line.case_id} · {line.order_id or '-'} · {status} · {when}")
            add(next_label + line.next_step)
            add(f"{message_label}{line.customer_lang}){colon}{line.message}")
    return "\n".join(out)


_COLUMNS = tuple(field.name for field in fields(DueCase))


def _values(line: DueCase) -> tuple[Any, ...]:
    return (line.case_id, line.order_id, line.owner, line.status, line.due_at.isoformat(), line.overdue, line.scenario,
            line.platform, line.customer_lang, line.next_step, line.message)


def _plain(line: DueCase) -> dict[str, Any]:
    # a literal, not dict(zip(_COLUMNS, ...)): twice as fast over 100,000 cases
    return {"case_id": line.case_id, "order_id": line.order_id, "owner": line.owner, "status": line.status,
            "due_at": line.due_at.isoformat(), "overdue": line.overdue, "scenario": line.scenario,
            "platform": line.platform, "customer_lang": line.customer_lang, "next_step": line.next_step,
            "message": line.message}


def due_csv(lines: Sequence[DueCase]) -> str:
    """The follow-up list as CSV, one row per case (owner order), ISO moments."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_COLUMNS)
    writer.writerows([_values(line) for line in lines])
    return buffer.getvalue()


def due_json(lines: Sequence[DueCase], day: date) -> str:
    """The follow-up list as JSON: ``{date, count, owners: [{owner, cases: [...]}]}``, ISO moments."""
    data = {"date": day.isoformat(), "count": len(lines),
            "owners": [{"owner": owner, "cases": [_plain(line) for line in cases]} for owner, cases in _groups(lines)]}
    return json.dumps(data, ensure_ascii=False)  # one line: the C encoder (indent is the slow Python one)
