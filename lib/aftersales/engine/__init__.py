"""The decision engine, as notebooks, the CLI and the app call it.

The engine itself (:mod:`aftersales.engine.core`) decides with the
:class:`~aftersales.library_model.Library` it is given and never loads one. These functions
are the same calls with ``library`` optional: without one they use the playbooks folder as
configured (:func:`aftersales.library.load_library`), which is what a notebook or a command
wants. Everything else is the core's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping

from ..library import load_library
from ..library_model import Library
from ..playbook.compiled import CompiledPlaybook
from . import core
from .core import (
    Deadline,
    Decision,
    Question,
    _coerce,  # noqa: F401  (the wizard session coerces one answer as the engine does)
    decide_outcome,
    resolve_as_of,
)

__all__ = ["Deadline", "Decision", "Question", "checklist_so_far", "decide", "decide_outcome", "next_question",
           "resolve_as_of"]


def _given_or_default(library: Library | None) -> Library:
    return library if library is not None else load_library()


def decide(scenario: str | CompiledPlaybook, facts: Mapping[str, Any], platform: str, lang: str | None = None,
           as_of: datetime | date | str | None = None, *, render_message: bool = True,
           library: Library | None = None) -> Decision:
    """:func:`aftersales.engine.core.decide` with the configured playbooks when no ``library`` is given."""
    return core.decide(scenario, facts, platform, lang, as_of, render_message=render_message,
                       library=_given_or_default(library))


def next_question(scenario: str | CompiledPlaybook, facts: Mapping[str, Any], platform: str, lang: str | None = None,
                  as_of: datetime | date | str | None = None, *, library: Library | None = None) -> Question | None:
    """:func:`aftersales.engine.core.next_question` with the configured playbooks when no ``library`` is given."""
    return core.next_question(scenario, facts, platform, lang, as_of, library=_given_or_default(library))


def checklist_so_far(scenario: str | CompiledPlaybook, facts: Mapping[str, Any], platform: str,
                     lang: str | None = None, as_of: datetime | date | str | None = None, *,
                     library: Library | None = None) -> list[tuple[str, str, Deadline | None]]:
    """:func:`aftersales.engine.core.checklist_so_far` with the configured playbooks when no ``library`` is given."""
    return core.checklist_so_far(scenario, facts, platform, lang, as_of, library=_given_or_default(library))

