"""Sentences the card, the CLI and the SOP show for a decision: its deadlines and its compensation.

Built once here from the word catalogue (``words.yaml``) and the formats (Babel), so a deadline
reads the same on the card, in ``decide``'s JSON and in the SOP document.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from .formats import format_money, format_quantity
from .words import sentence, start_words, window_end_words, word


@lru_cache(maxsize=4096)  # pure, and asked for every deadline of every decision (a recall decides thousands)
def deadline_rule(label: str, amount: float, unit: str, start: str, lang: str) -> str:
    """A deadline's rule in words: "First reply: 24 hours from the complaint",
    "首次回复：收到投诉后 24 小时内", "Первый ответ: 24 часа с момента получения обращения".

    ``start`` is what the deadline counts from (a fact's name, or ``now``); it is said in words,
    never as the fact's id. A window of 0 counted from a day the rules computed closes with
    that day ("at the end of the last day to return (in the buyer's time zone)").
    """
    end = window_end_words(start, lang)
    if amount == 0 and end is not None:
        return sentence("deadline_window_end", lang, label=label, end=end)
    return sentence("deadline_rule", lang, label=label, quantity=format_quantity(amount, unit, lang),
                    start=start_words(start, lang))


def deadline_not_applicable(label: str, lang: str) -> str:
    """A deadline whose rule the platform does not have: "Refund: not on this platform"."""
    return sentence("deadline_not_applicable", lang, label=label)


def compensation_text(compensation: Mapping[str, Any] | None, lang: str) -> str:
    """The compensation in words: "US$15.00 (allowed US$15.00 – US$20.00)", or "none"."""
    if not compensation:
        return word("none", lang)
    currency = compensation.get("currency") or ""
    amount = format_money(compensation["amount"], currency, lang)
    if compensation.get("min") is not None and compensation.get("max") is not None:
        return sentence("compensation_range", lang, amount=amount, min=format_money(compensation["min"], currency, lang),
                        max=format_money(compensation["max"], currency, lang))
    return amount
