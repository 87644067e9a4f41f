"""What a trainee's reply says, held against the playbook's decision (issue 18, part 1).

The message checker (:mod:`aftersales.compliance`) stops what no reply may say; this module scores
what *this* reply promises the customer, so that "好的" or a full refund against a partial-refund
decision no longer earns the reply's point:

* **too short**: an empty reply, or a word or two ("OK", "好的"), says nothing to the customer;
* **wrong language**: the reply must be written in the customer's language (lingua's detector,
  as the checker's language warning uses);
* **more money than the case allows**: an amount with a currency (``$15``, ``4 200 ₽``, ``20元``)
  above the most the decision may pay: its compensation's upper bound, or what the customer paid
  (the order value) for a refund. Money never exceeds what was paid (the guide's "Trust");
* **a full refund the decision does not give**: "full refund", "全额退款", "полный возврат" when the
  resolution is not a refund of the whole order.

Each problem is a code; :data:`PROBLEM_WORDS` keys in the word catalogue say it in the trainee's
language. Source: issue 18 ("score what the reply says"); DOMAIN.md (seed 002: a concrete solution).
"""

from __future__ import annotations

import re
from typing import Any

from ..compliance.language import language_mismatch
from ..present.words import term, word

__all__ = ["PROBLEM_WORDS", "amounts", "reply_problems", "reply_problems_text"]

#: Fewer words than this (Chinese: characters) say nothing to the customer.
MIN_WORDS = 4
MIN_CHARS_ZH = 8
#: Problem code -> word key of the catalogue (present/words.yaml).
PROBLEM_WORDS = {
    "too_short": "reply_too_short",
    "wrong_language": "reply_wrong_language",
    "too_much_money": "reply_too_much_money",
    "full_refund": "reply_full_refund",
}
#: Resolutions that return the whole order's price.
FULL_REFUNDS = frozenset({"refund", "refund_without_return", "accept_claim"})

_CURRENCY = r"(?:\$|US\$|€|¥|CN¥|₽|£|usd|eur|cny|rmb|rub|dollars?|euros?|元|块钱|块|美元|欧元|рубл\w*|руб\.?|р\.)"
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_MONEY = re.compile(rf"(?<![\d.,])(?:{_CURRENCY}\s?(?P<a>{_NUMBER})|(?P<b>{_NUMBER})\s?{_CURRENCY})(?![A-Za-z\d])",
                    re.IGNORECASE)
_FULL_REFUND = re.compile(
    r"\bfull refund\b|\brefund (?:you )?in full\b|\brefund the (?:full|whole|entire) (?:amount|price|order)\b|"
    r"全额退款|退全款|全部退款|全款退|"
    r"полн\w* возврат|верн\w* (?:вам )?(?:всю|полную) сумм\w*|возврат\w* (?:всей|полной) сумм\w*",
    re.IGNORECASE)


def _number(text: str) -> float:
    """``1 200``, ``1,200.50``, ``1 200,50``, ``3,5`` as a number."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    if re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+(?:\.\d{1,2})?", text):
        return float(text.replace(" ", "").replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?: \d{3})+(?:,\d{1,2})?", text):
        return float(text.replace(" ", "").replace(",", "."))
    return float(text.replace(" ", "").replace(",", "."))


def amounts(reply: str) -> list[float]:
    """The money amounts ``reply`` names: numbers next to a currency sign, code or word."""
    return [_number(m.group("a") or m.group("b")) for m in _MONEY.finditer(reply)]


def _ceiling(decision: Any) -> float | None:
    """The most the case may pay the customer: the compensation's upper bound, or the order value
    when the resolution refunds the order (None: the case names no money at all)."""
    values: list[float] = []
    comp = decision.compensation
    if comp:
        values.append(float(comp.get("max", comp["amount"])))
    order_value = decision.env.get("order_value")
    if order_value is not None:
        values.append(float(order_value))
    return max(values) if values else None


def reply_problems(reply: str, decision: Any, customer_lang: str, model: str | None = None) -> list[str]:
    """What is wrong with what ``reply`` tells the customer of ``decision`` (problem codes, see
    :data:`PROBLEM_WORDS`; empty when the reply may be sent as far as its content goes).

    ``decision`` is the playbook's decision of the case; ``customer_lang`` the case's language;
    ``model`` the playbook's own message for it: an amount it quotes (the buyer's claim, the price)
    may be quoted by the reply too.
    """
    text = (reply or "").strip()
    words = len(text) if customer_lang == "zh" else len(re.findall(r"\w+", text))
    if words < (MIN_CHARS_ZH if customer_lang == "zh" else MIN_WORDS):
        return ["too_short"]
    problems = []
    if language_mismatch(text, customer_lang):
        problems.append("wrong_language")
    ceiling = _ceiling(decision)
    quoted = set(amounts(model)) if model else set()
    if ceiling is not None and any(amount > ceiling + 0.01 and amount not in quoted for amount in amounts(text)):
        problems.append("too_much_money")
    if decision.resolution not in FULL_REFUNDS and _FULL_REFUND.search(text):
        problems.append("full_refund")
    return problems


def reply_problems_text(problems: list[str], decision: Any, customer_lang: str, lang: str) -> str:
    """The problems in the trainee's language ``lang``, one sentence each."""
    language = term("language_names", customer_lang, lang)
    resolution = term("resolutions", decision.resolution, lang)
    return " ".join(word(PROBLEM_WORDS[p], lang, language=language, resolution=resolution) for p in problems)
