"""The trainee's and the agent's form: a wizard generated from a playbook, and the start page.

* :class:`~aftersales.widgets.session.WizardSession` — the case's state, without widgets.
* :class:`~aftersales.widgets.wizard.Wizard` — the ipywidgets view over it.
* :class:`~aftersales.widgets.hub.Hub` — scenario, platform and language pickers.
* :func:`~aftersales.widgets.card.card_html` — the recommendation card (also used headless).
"""

from __future__ import annotations

from typing import Any

__all__ = ["WizardSession", "Wizard", "Hub", "card_html"]

_LAZY = {
    "WizardSession": "session",
    "Wizard": "wizard",
    "Hub": "hub",
    "card_html": "card",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'aftersales.widgets' has no attribute {name!r}")
