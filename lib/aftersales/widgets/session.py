"""The state of one guided case, apart from any widget: answers so far, the question now,
the decision at the end.

The wizard is a view over this object (it never decides anything itself); tests and the
benchmark drive it directly. Every answer is checked by the playbook's own coercer and by
the engine before it is kept, so a bad value never advances the case.

Step times: each answer records how long its question was on screen (from the moment it was
shown to the moment it was answered, on the session's :class:`Clock`). **Back** takes the
last answer's time away with the answer (it is no longer part of the case); the question asked
again is timed afresh from when it is shown again, and its new time is marked ``revisited``.
**Restart** forgets every time and starts timing the first question anew. A language switch
changes no time. The saved record carries the times of the answers it holds, in order.

An agent who disagrees with the recommendation saves the case with an :class:`Override`: another
of the playbook's outcomes and the reason. The record keeps the engine's recommendation as
``outcome`` (with its message, as always) and the agent's choice as ``override``: the chosen
outcome, its resolution, the reason, the chosen outcome's terms and the message sent for it, both
re-made by the engine for this case (:meth:`WizardSession.chosen`). Where the engine cannot make
them (the chosen outcome needs a fact never asked on this path, or has no message in the case's
language) they are marked ``by_hand``: the agent settles the terms or writes the message.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from ..engine import Decision, Question, _coerce, checklist_so_far, decide, decide_outcome, next_question, resolve_as_of
from ..errors import AftersalesError, FactError, did_you_mean
from ..library import load_library
from ..sessionlog import log_event

__all__ = ["ChosenOutcome", "Clock", "ManualClock", "Override", "StepTime", "SystemClock", "WizardSession"]


class Clock(Protocol):
    """Where a session reads the time: ``monotonic`` for durations, ``now`` for timestamps."""

    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock: :func:`time.monotonic` for durations, the UTC wall clock for timestamps."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that moves only when told (tests, the demo case log): ``advance(seconds)``."""

    def __init__(self, start: datetime = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)):
        self.start = start
        self.elapsed = 0.0

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self.elapsed += seconds

    def monotonic(self) -> float:
        return self.elapsed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)


@dataclass(frozen=True)
class StepTime:
    """How long one question was on screen before it was answered."""

    step: str  # the playbook step that asked it
    input: str  # the fact it asked for
    seconds: float
    answered_at: datetime
    revisited: bool = False  # asked again after Back took an earlier answer away

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "input": self.input, "seconds": round(self.seconds, 2),
                "answered_at": self.answered_at.replace(microsecond=0).isoformat(), "revisited": self.revisited}


@dataclass(frozen=True)
class Override:
    """An agent's disagreement with the recommendation: another outcome of the playbook, and why."""

    outcome: str
    reason: str


@dataclass(frozen=True)
class ChosenOutcome:
    """What choosing ``outcome`` instead of the recommendation means for the customer on this case.

    ``decision`` is the case re-made by the engine for ``outcome`` (:func:`~aftersales.engine.decide_outcome`):
    its payers, compensation, deadlines and checklist, and in ``decision.message`` the customer
    message. ``decision`` is ``None`` when the terms cannot be worked out for this case, ``message``
    is ``None`` when the message cannot be made: then the agent settles the terms, or writes the
    message, by hand. ``problem`` and ``terms_problem`` say why (the engine's one line, for the
    record; never shown to the agent on the card).
    """

    outcome: str
    title: str  # in ``lang``
    resolution: str
    lang: str
    sources: tuple[str, ...]
    decision: Decision | None
    message: str | None
    problem: str | None = None  # why the message cannot be made
    terms_problem: str | None = None  # why the terms cannot be worked out

    @property
    def terms_by_hand(self) -> bool:
        return self.decision is None

    @property
    def message_by_hand(self) -> bool:
        return self.message is None

    def to_record(self) -> dict[str, Any]:
        """The chosen outcome's ``terms`` and ``message`` as the case log stores them in ``override``."""
        if self.decision is None:
            terms: dict[str, Any] = {"by_hand": True, "why": self.terms_problem}
        else:
            data = self.decision.to_dict()
            terms = {"by_hand": False, **{key: data[key] for key in (
                "return_shipping_paid_by", "cost_borne_by", "compensation", "deadlines")}}
        if self.message is None:
            message: dict[str, Any] = {"lang": self.lang, "text": None, "by_hand": True, "why": self.problem}
        else:
            message = {"lang": self.lang, "text": self.message, "by_hand": False}
        return {"terms": terms, "message": message}


@dataclass
class WizardSession:
    """One case in progress: ``answer`` the current question until ``decision`` is ready.

    ``as_of`` is the case's start (default: now, fixed when the case starts); deadlines on
    the checklist and the card count from it. ``facts`` pre-fills answers (e.g. the order).

    Two languages (issue 17): ``lang`` is the agent's (questions, card, checklist), and
    ``customer_lang`` the customer's (the message; default the same). A Chinese agent answering a
    Russian Ozon buyer reads the case in Chinese and sends the message in Russian; the record is
    the customer-language decision, as the customer was told.
    """

    scenario: str
    platform: str
    lang: str = "en"
    as_of: datetime | date | str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    library: Any = None
    clock: Clock = field(default_factory=SystemClock, repr=False)
    log_sessions: bool = True  # False: write no start/answer/back events (a demo, not a real agent)
    customer_lang: str | None = None  # the message's language; None: the agent's ``lang``
    answers: dict[str, Any] = field(init=False, default_factory=dict)
    order: list[str] = field(init=False, default_factory=list)  # names answered, in order
    timings: list[StepTime] = field(init=False, default_factory=list)  # one per name in ``order``
    started: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.library = self.library if self.library is not None else load_library()
        self.playbook = self.library.playbook(self.scenario)
        self.restart()
        _warm_holidays(self.library.profile(self.platform).holiday_country, self.started.year)

    # --- reading the state -------------------------------------------------------------
    def _args(self) -> tuple:
        return (self.playbook, self.answers, self.platform, self.lang, self.started)

    @property
    def question(self) -> Question | None:
        """What to ask now, or ``None`` when the case can be decided."""
        if self._question_cache is None:
            self._question_cache = (next_question(*self._args(), library=self.library),)
        return self._question_cache[0]

    @property
    def finished(self) -> bool:
        return self.question is None

    @property
    def message_lang(self) -> str:
        """The language the customer is written to."""
        return self.customer_lang or self.lang

    def decision(self) -> Decision | None:
        """The recommendation once every needed question is answered, else ``None``: in the agent's
        language, with the customer message in the customer's."""
        if not self.finished:
            return None
        if self._decision_cache is None:
            customer = self.customer_decision()
            if self.message_lang == self.lang:
                self._decision_cache = customer
            else:
                view = decide(*self._args(), render_message=False, library=self.library)
                view.message = customer.message if customer is not None else None
                self._decision_cache = view
        return self._decision_cache

    def customer_decision(self) -> Decision | None:
        """The recommendation made in the customer's language (what the record keeps)."""
        if not self.finished:
            return None
        if self._customer_cache is None:
            self._customer_cache = decide(self.playbook, self.answers, self.platform, self.message_lang, self.started,
                                          library=self.library)
        return self._customer_cache

    def buyer_zone(self) -> str | None:
        """The buyer's IANA zone, as the engine counts deadlines in it: the fact ``customer_timezone``,
        else the platform's ``timezone`` parameter (None: neither)."""
        zone = self.answers.get("customer_timezone")
        if zone:
            return str(zone)
        values = self.library.profile(self.platform).values(self.started)
        return values.get("timezone") or None

    def answered(self) -> list[tuple[str, Any]]:
        """The questions answered so far on this case, in order, with their values."""
        return [(name, self.answers.get(name)) for name in self.order]

    def progress(self) -> tuple[int, int]:
        """(this question's number, about how many questions this path asks): counted in questions,
        not steps, so that it moves with every answer; the total is an estimate (one question per
        step still ahead) that never falls below the questions already asked."""
        question = self.question
        asked = len(self.order)
        if question is None:
            return asked, asked
        step = self.playbook.steps[question.step]
        inputs = self.playbook.inputs
        here = [name for name in step.reads if name != question.name and name not in self.answers
                and name in inputs and (name in step.ask or not inputs[name].has_default)]
        estimate = asked + 1 + len(here) + max(0, question.steps_total - question.step_number)
        self._progress_high = max(self._progress_high, estimate)  # "about n" never shrinks mid-case
        return asked + 1, self._progress_high

    def back_to(self, name: str) -> bool:
        """Go back until ``name`` is asked again (its answer and every later one taken away)."""
        if name not in self.order:
            return False
        while self.order and self.order[-1] != name:
            self.back()
        return self.back()

    def set_intake(self, order_id: str | None = None, customer_name: str | None = None) -> None:
        """The order number and the customer's name from intake (optional, any time before saving):
        the message greets the customer by name and the record carries the order."""
        for name, value in (("order_id", order_id), ("customer_name", customer_name)):
            if name not in self.playbook.inputs:
                continue
            value = (value or "").strip() or None
            if value is None:
                self.facts.pop(name, None)
                self.answers.pop(name, None)
            else:
                self.facts[name] = value
                self.answers[name] = self.playbook.coercers[name](value)
        self._changed()

    def checklist(self) -> list[tuple[str, str, Any]]:
        """The checklist of the path so far (text, owner, deadline or None)."""
        if self.finished:
            return self.decision().checklist_items
        return checklist_so_far(*self._args(), library=self.library)

    @property
    def step_times(self) -> list[dict[str, Any]]:
        """The time of each answer the case holds, in order, as the case log stores them."""
        return [timing.to_dict() for timing in self.timings]

    def other_outcomes(self) -> list[str]:
        """The outcomes an agent may choose instead of the recommendation (empty until decided)."""
        decision = self.decision()
        return [] if decision is None else [o for o in self.playbook.outcomes if o != decision.outcome]

    def checked_override(self, override: Override) -> dict[str, Any]:
        """``override`` as the record stores it; :class:`FactError` unless it names another of the
        playbook's outcomes than the recommended one and gives a reason."""
        decision = self.decision()
        if decision is None:
            raise FactError("override", "not decided yet: there is no recommendation to override")
        outcomes = self.playbook.outcomes
        others = ", ".join(self.other_outcomes())
        chosen = override.outcome
        if chosen not in outcomes:
            raise FactError("override", f"unknown outcome '{chosen}' for scenario '{self.scenario}'"
                                        f"{did_you_mean(chosen, outcomes)}", others)
        if chosen == decision.outcome:
            raise FactError("override", f"'{chosen}' is what the playbook recommends: "
                                        "an override chooses another outcome", others)
        reason = (override.reason or "").strip()
        if not reason:
            raise FactError("override", "say why the recommendation does not fit this case",
                            "a reason in a few words")
        return {"outcome": chosen, "resolution": outcomes[chosen].resolution, "reason": reason,
                **self.chosen(chosen).to_record()}

    def chosen(self, outcome: str) -> ChosenOutcome:
        """``outcome`` re-made for this case in the current language (see :class:`ChosenOutcome`):
        its terms and its customer message, or which of them must be done by hand.
        :class:`FactError` before there is a decision or for an outcome the playbook lacks."""
        decision = self.decision()
        if decision is None:
            raise FactError("override", "not decided yet: there is no recommendation to override")
        outcomes = self.playbook.outcomes
        if outcome not in outcomes:
            raise FactError("override", f"unknown outcome '{outcome}' for scenario '{self.scenario}'"
                                        f"{did_you_mean(outcome, outcomes)}", ", ".join(self.other_outcomes()))
        cached = self._chosen_cache.get(outcome)
        if cached is not None:
            return cached
        node = outcomes[outcome]
        remade: Decision | None = None
        message: str | None = None
        problem: str | None = None
        terms_problem: str | None = None
        decision = self.customer_decision() or decision
        try:
            remade = decide_outcome(decision, outcome)
            message = remade.message["text"] if remade.message else None
        except AftersalesError as exc:  # the message (or the terms it quotes) cannot be made here
            problem = str(exc)
            try:
                remade = decide_outcome(decision, outcome, render_message=False)
            except AftersalesError as terms_exc:
                remade, terms_problem = None, str(terms_exc)
        chosen = ChosenOutcome(outcome, node.title[self.lang], node.resolution, self.message_lang, tuple(node.sources),
                               remade, message, problem, terms_problem)
        self._chosen_cache[outcome] = chosen
        return chosen

    # --- changing it -------------------------------------------------------------------
    def answer(self, value: Any) -> None:
        """Answer the current question; raises :class:`FactError` (and keeps nothing) when bad."""
        question = self.question
        if question is None:
            raise FactError("answer", "the case is already decided; go Back or Restart to change an answer")
        coerced = self.playbook.coercers[question.name](value)
        trial = {**self.answers, question.name: coerced}
        next_question(self.playbook, trial, self.platform, self.lang, self.started, library=self.library)
        self.answers = trial
        self.order.append(question.name)
        self._log("answer", scenario=self.scenario, platform=self.platform, step=question.step,
                  question=question.name)
        now = self.clock.monotonic()
        self.timings.append(StepTime(question.step, question.name, max(0.0, now - self._shown_at), self.clock.now(),
                                     question.name in self._taken_back))
        self._shown_at = now  # the next question (or the card) shows at once
        self._changed()

    def back(self) -> bool:
        """Forget the last answer and its time; False when there is nothing to go back to."""
        if not self.order:
            return False
        name = self.order.pop()
        self._log("back", scenario=self.scenario, platform=self.platform, question=name)
        self.timings.pop()
        self._taken_back.add(name)
        self.answers.pop(name, None)
        self._shown_at = self.clock.monotonic()
        self._changed()
        return True

    def restart(self) -> None:
        """Start the case again: no answers but the pre-filled facts, a new start time, no times."""
        self.started = resolve_as_of(self.as_of)
        self.session_id = uuid.uuid4().hex[:12]
        self._log("start", scenario=self.scenario, platform=self.platform, lang=self.lang)
        self.answers = _coerce(self.playbook, self.facts)  # an unknown or bad fact is a FactError naming it
        self.order = []
        self.timings = []
        self._taken_back: set[str] = set()
        self._progress_high = 0
        self._shown_at = self.clock.monotonic()
        self._changed()

    def set_lang(self, lang: str) -> None:
        """Show the case in another language; the answers stay."""
        self.lang = lang
        self._changed()

    def set_customer_lang(self, lang: str | None) -> None:
        """Write the customer in another language (None: the agent's); the answers stay."""
        self.customer_lang = lang
        self._changed()

    def record(self, *, override: Override | None = None, **extra: Any) -> dict[str, Any]:
        """The case-log record of the decision (see :mod:`aftersales.caselog`), with the step
        times and the agent's override, if any (checked: see :meth:`checked_override`)."""
        from ..caselog import case_record

        decision = self.customer_decision()
        if decision is None:
            raise FactError("case", "not decided yet: answer the remaining questions first")
        checked = self.checked_override(override) if override is not None else None
        record = case_record(decision, library_root=self.library.root, step_times=self.step_times, override=checked,
                             overlay=self.library.overlay, session=self.session_id, **extra)
        record.setdefault("override", None)  # the form offered an override: none chosen is known, not unknown
        return record

    def save(self, path: Path | str | None = None, *, override: Override | None = None,
             store_url: str | None = None) -> tuple[str, Path]:
        """Append the decision to the case log, then add it to the shared case store (issue 20:
        the team's follow-up list reads it); returns (case id, log path). The log is written first:
        when the store cannot be reached the case is kept there (``store_problem`` says why, and
        ``aftersales cases import`` adds it later)."""
        from ..caselog import append_case
        from ..cases.store import CaseStore

        record = self.record(override=override)
        written = append_case(record, path)
        self.store_problem: str | None = None
        try:
            with CaseStore(store_url) as store:
                store.record_decision(record)
        except AftersalesError as exc:
            self.store_problem = str(exc)
        return record["case_id"], written

    def _log(self, event: str, **fields: Any) -> None:
        if self.log_sessions:
            log_event(event, self.session_id, **fields)

    def _changed(self) -> None:
        self._question_cache: tuple[Question | None] | None = None
        self._decision_cache: Decision | None = None
        self._customer_cache: Decision | None = None
        self._chosen_cache: dict[str, ChosenOutcome] = {}


def _warm_holidays(country: str | None, year: int) -> None:
    """Build the platform's holiday calendar while the first questions are being answered:
    China's takes about a second the first time, which would otherwise freeze the last Next."""
    if not country:
        return
    from ..policy.deadlines import holiday_calendar

    def build() -> None:
        for y in (year, year + 1):
            try:
                holiday_calendar(country, y)
            except ValueError:
                return

    threading.Thread(target=build, name="aftersales-holidays", daemon=True).start()
