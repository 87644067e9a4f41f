"""An answer to a playbook's question as a person reads it (the wizard's trail of answers, the card's
note of facts the playbook assumed): yes/no, a choice's label, a date, a number with its unit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.numbers import format_percent

from .formats import format_day, format_number, format_when, locale_of
from .words import unit_name, word


def answer_words(playbook: Any, name: str, value: Any, lang: str) -> str:
    """``value`` of the input ``name`` of ``playbook`` in words in ``lang``: "Yes", "Apparel",
    "12 Jan 2026", "3.5 cm"; "Not known / none" for no value. A date-time is the buyer's wall time."""
    spec = playbook.inputs[name].spec
    if value is None:
        return word("unknown", lang)
    if isinstance(value, bool):
        return word("answer_yes" if value else "answer_no", lang)
    if spec.type == "choice":
        labels = spec.choice_labels or {}
        return str(labels.get(value, {}).get(lang, value))
    if isinstance(value, datetime):
        return format_when(value, lang, tz=getattr(value.tzinfo, "key", None))
    if isinstance(value, date):
        return format_day(value, lang)
    if isinstance(value, (int, float)) and spec.unit == "ratio":  # a share of the price: 0.3 is "30%"
        return str(format_percent(value, locale=locale_of(lang)))
    if isinstance(value, (int, float)):
        text = format_number(value, lang)
        unit = unit_name(spec.unit, lang)
        return f"{text} {unit}" if unit else text
    if spec.type == "items" and isinstance(value, list):  # "2 × LED bulb (BULB-E27-9W)"
        return "; ".join(f"{format_number(item.get('quantity', 1), lang)} × {item.get('name', '')} ({item.get('sku', '')})"
                         for item in value if isinstance(item, dict)) or word("unknown", lang)
    return str(value)
