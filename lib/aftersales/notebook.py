"""What the notebooks call: one function per notebook, so notebooks hold no logic.

Both display their widget and return it; the notebooks assign the result (``result = ...``)
so a cell does not show it twice.

* :func:`run_scenario` — a scenario notebook. With ``facts`` (Papermill) it decides at once,
  displays the recommendation card and returns the :class:`~aftersales.engine.Decision`;
  without, it shows the wizard form.
* :func:`show_result` — prints a headless decision as JSON (the notebook's result cell).
* :func:`run_hub` — the start page: pick scenario, platform and language, then the wizard.

Bad input raises the engine's :class:`~aftersales.errors.FactError`, which notebooks and
Papermill show as one line instead of a deep traceback.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

from IPython.display import HTML, display

from .errors import FactError

__all__ = ["parse_facts", "run_scenario", "show_result", "run_hub"]


def parse_facts(facts: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """The ``facts`` parameter as a dict: a mapping, a JSON object text, or empty/None for none."""
    if facts is None:
        return {}
    if isinstance(facts, str):
        if not facts.strip():
            return {}
        try:
            facts = json.loads(facts)
        except json.JSONDecodeError as exc:
            raise FactError("facts", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                            'a JSON object such as {"size_deviation_cm": 3.5}') from None
    if not isinstance(facts, Mapping):
        raise FactError("facts", f"expected a JSON object of fact names to values, got {type(facts).__name__}")
    return dict(facts)


def _as_of(as_of: datetime | date | str | None) -> datetime | date | str | None:
    return as_of if as_of not in ("", None) else None


def run_scenario(scenario: str, *, platform: str = "generic", lang: str = "en",
                 as_of: datetime | date | str | None = None, facts: Mapping[str, Any] | str | None = None,
                 interactive: bool = True, case_log: Path | str | None = None,
                 sop: Mapping[str, Any] | str | None = None) -> Any:
    """Decide headless when ``facts`` are given, else show the wizard (when ``interactive``).

    ``sop`` (set by ``aftersales render``) lists SOP documents of this scenario to write
    instead; each document's status is displayed and returned.
    """
    if sop:
        from .render.sop import render_documents, show_statuses

        spec = json.loads(sop) if isinstance(sop, str) else sop
        statuses = render_documents(scenario, spec)
        show_statuses(statuses)
        return statuses
    given = parse_facts(facts)
    if given:
        from .engine import decide
        from .widgets.card import card_html

        decision = decide(scenario, given, platform=platform, lang=lang, as_of=_as_of(as_of))
        display(HTML(card_html(decision)))
        return decision
    if not interactive:
        from .widgets.i18n import word

        raise FactError("facts", word("headless_needs_facts", lang))
    from .widgets.wizard import Wizard

    wizard = Wizard(scenario, platform=platform, lang=lang, as_of=_as_of(as_of), case_log=case_log)
    display(wizard)
    return wizard


def show_result(result: Any) -> None:
    """Print a headless decision as indented JSON (what a batch run reads); nothing for a form."""
    from .engine import Decision

    if isinstance(result, Decision):
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def run_hub(*, scenario: str | None = None, platform: str = "generic", lang: str = "en",
            interactive: bool = True, case_log: Path | str | None = None) -> Any:
    """The start page: the scenarios' overview, then (interactive) pickers and the wizard."""
    if not interactive:
        from .widgets.hub import overview_html

        display(HTML(overview_html(lang)))
        return None
    from .widgets.hub import Hub

    hub = Hub(scenario=scenario, platform=platform, lang=lang, case_log=case_log)
    display(hub)
    return hub
