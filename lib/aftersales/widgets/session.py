"""The state of one guided case, apart from any widget: answers so far, the question now,
the decision at the end.

The wizard is a view over this object (it never decides anything itself); tests and the
benchmark drive it directly. Every answer is checked by the playbook's own coercer and by
the engine before it is kept, so a bad value never advances the case.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..engine import Decision, Question, checklist_so_far, decide, next_question, resolve_as_of
from ..errors import FactError
from ..library import load_library


@dataclass
class WizardSession:
    """One case in progress: ``answer`` the current question until ``decision`` is ready.

    ``as_of`` is the case's start (default: now, fixed when the case starts); deadlines on
    the checklist and the card count from it. ``facts`` pre-fills answers (e.g. the order).
    """

    scenario: str
    platform: str
    lang: str = "en"
    as_of: datetime | date | str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    library: Any = None
    answers: dict[str, Any] = field(init=False, default_factory=dict)
    order: list[str] = field(init=False, default_factory=list)  # names answered, in order
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

    def decision(self) -> Decision | None:
        """The recommendation once every needed question is answered, else ``None``."""
        if not self.finished:
            return None
        if self._decision_cache is None:
            self._decision_cache = decide(*self._args(), library=self.library)
        return self._decision_cache

    def checklist(self) -> list[tuple[str, str, Any]]:
        """The checklist of the path so far (text, owner, deadline or None)."""
        if self.finished:
            return self.decision().checklist_items
        return checklist_so_far(*self._args(), library=self.library)

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
        self._changed()

    def back(self) -> bool:
        """Forget the last answer; False when there is nothing to go back to."""
        if not self.order:
            return False
        name = self.order.pop()
        self.answers.pop(name, None)
        self._changed()
        return True

    def restart(self) -> None:
        """Start the case again: no answers but the pre-filled facts, a new start time."""
        self.started = resolve_as_of(self.as_of)
        self.answers = {name: self.playbook.coercers[name](value) for name, value in self.facts.items()}
        self.order = []
        self._changed()

    def set_lang(self, lang: str) -> None:
        """Show the case in another language; the answers stay."""
        self.lang = lang
        self._changed()

    def record(self, **extra: Any) -> dict[str, Any]:
        """The case-log record of the decision (see :mod:`aftersales.caselog`)."""
        from ..caselog import case_record

        decision = self.decision()
        if decision is None:
            raise FactError("case", "not decided yet: answer the remaining questions first")
        return case_record(decision, library_root=self.library.root, **extra)

    def save(self, path: Path | str | None = None) -> tuple[str, Path]:
        """Append the decision to the case log; returns (case id, log path)."""
        from ..caselog import append_case

        record = self.record()
        return record["case_id"], append_case(record, path)

    def _changed(self) -> None:
        self._question_cache: tuple[Question | None] | None = None
        self._decision_cache: Decision | None = None


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
