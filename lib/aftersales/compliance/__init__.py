"""Message compliance: check an after-sales message before it is sent.

    from aftersales.compliance import check_message
    findings = check_message(text, platform="amazon", lang="en", kind="apology")

Each :class:`Finding` names a rule from ``rules.yaml`` (with its source: seed 002, DOMAIN.md,
POLICY-FACTS §5 and §11, or the platform's policy page), a severity, and the span of the
offending text. The rules are data; ``checker.py`` runs them, ``cli.py`` is the
``aftersales check-message`` command.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KINDS", "LANGS", "MAX_CHARS", "PLATFORMS", "Finding", "check_message", "has_errors", "load_rules",
           "rule_catalogue"]

_LAZY = {"MAX_CHARS": "checker", "Finding": "checker", "check_message": "checker", "has_errors": "checker",
         "KINDS": "rules", "LANGS": "rules", "PLATFORMS": "rules", "load_rules": "rules", "rule_catalogue": "rules"}


def __getattr__(name: str) -> Any:  # lazy, so that `aftersales --help` does not import pydantic
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'aftersales.compliance' has no attribute {name!r}")
