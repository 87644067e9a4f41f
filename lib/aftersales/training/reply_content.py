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
  resolution is not a refund of the whole order;
* **another remedy**: the reply promises a refund, an exchange, a repair or a reshipment, and never
  the one the decision gives (an exchange decided, "we will refund you" written);
* **the wrong payer**: the reply says the buyer pays the return postage when the seller does, or the
  reverse.

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
    "other_remedy": "reply_other_remedy",
    "wrong_payer": "reply_wrong_payer",
}
#: What a reply may promise, by remedy: the words of each remedy, per language.
_REMEDIES = {
    "refund": re.compile(
        r"\brefund|\bmoney back\b|\breimburs|退款|退钱|退您|退给您|返还.{0,4}款|"
        r"верн\w* (?:вам )?(?:деньги|средства|сумм)|возврат\w* (?:денег|средств|суммы)", re.IGNORECASE),
    "exchange": re.compile(
        r"\bexchange|\breplac|\bswap\b|\ba new one\b|换货|换新|换一[件个双条台]|调换|"
        r"\bобмен|\bзамен", re.IGNORECASE),
    "repair": re.compile(r"\brepair|维修|返修|\bремонт|\bпочин", re.IGNORECASE),
    "reship": re.compile(
        r"\bre-?send|\bre-?ship|\bsend (?:you )?(?:the )?(?:missing|another|the right)|\bsend\w* you (?:one|a new)|"
        r"\bnew part|\bspare part|补发|重发|重新发|补寄|配件|\bзапчаст|\bдетал|"
        r"\bдошл|\bдосыл|\bотправ\w* повторно|\bотправ\w* (?:недостающ|правильн)", re.IGNORECASE),
}
#: The remedies a resolution gives, in the words a reply may use (resolutions with none set no limit
#: on the words). An exchange sends the right item, so "补发正确商品" / "the right one ships today" says it.
_RESOLUTION_REMEDY = {"refund": ("refund",), "partial_refund": ("refund",), "refund_without_return": ("refund",),
                      "accept_claim": ("refund",), "exchange": ("exchange", "reship"), "repair": ("repair",),
                      "paid_repair": ("repair",), "reship": ("reship",), "send_part": ("reship",)}
#: Who pays the return postage, as a reply says it.
_BUYER_PAYS = re.compile(
    r"\byou(?:'ll| will)? (?:need to |have to )?(?:pay|cover) (?:for )?(?:the )?(?:return )?(?:shipping|postage)|"
    r"\bat your (?:own )?(?:cost|expense)|\b(?:return )?(?:shipping|postage) is on you\b|"
    r"运费(?:由|需要|要|得|请|需)?(?:您|你|亲|买家)(?:自己)?(?:承担|自理|支付|出)|(?:您|你|亲|买家)(?:自己)?(?:承担|支付|出)(?:一下)?(?:来回|退货|寄回)?运费|运费自理|"
    r"за ваш сч[её]т|(?:обратную )?доставку оплачиваете вы|вам (?:нужно |придется )?оплатить (?:обратную )?доставку",
    re.IGNORECASE)
_SELLER_PAYS = re.compile(
    r"\bwe(?:'ll| will)? (?:pay|cover) (?:for )?(?:the )?(?:return )?(?:shipping|postage)|\bfree return|"
    r"\bprepaid (?:return )?label|\bat our (?:own )?(?:cost|expense)|\b(?:shipping|postage) is on us\b|"
    r"运费(?:由|是|都由|全由)?(?:我们|本店|卖家)(?:来)?(?:承担|出)|(?:我们|本店|卖家)(?:来)?(?:承担|出)(?:来回|退货|寄回)?运费|包邮|运费险|"
    r"за наш сч[её]т|\bмы\b[^.!?]{0,40}за свой сч[её]т|доставку оплатим мы|мы оплатим (?:обратную )?доставку|бесплатн\w* (?:возврат|доставк)",
    re.IGNORECASE)
#: Resolutions that return the whole order's price (an intercepted parcel is refunded in full).
FULL_REFUNDS = frozenset({"refund", "refund_without_return", "accept_claim", "intercept"})
#: Scenarios whose every outcome may offer the full price back: in a safety recall the buyer can
#: always take a refund of at least the price paid instead of a repair or replacement (EU GPSR
#: art. 37(2)), so a trainee's "full refund" there is right, not a promise too many.
FULL_REFUND_ALWAYS_OPEN = frozenset({"recall"})

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
    if decision.resolution not in FULL_REFUNDS and decision.scenario not in FULL_REFUND_ALWAYS_OPEN \
            and _FULL_REFUND.search(text):
        problems.append("full_refund")
    wanted = _RESOLUTION_REMEDY.get(decision.resolution, ())
    if wanted and not any(_REMEDIES[remedy].search(text) for remedy in wanted) and any(
            pattern.search(text) for remedy, pattern in _REMEDIES.items() if remedy not in wanted):
        problems.append("other_remedy")  # another remedy promised, the decision's never named
    payer = decision.return_shipping_paid_by
    if (payer == "seller" and _BUYER_PAYS.search(text) and not _SELLER_PAYS.search(text)) or \
            (payer == "buyer" and _SELLER_PAYS.search(text) and not _BUYER_PAYS.search(text)):
        problems.append("wrong_payer")
    return problems


def reply_problems_text(problems: list[str], decision: Any, customer_lang: str, lang: str) -> str:
    """The problems in the trainee's language ``lang``, one sentence each."""
    language = term("language_names", customer_lang, lang)
    resolution = term("resolutions", decision.resolution, lang)
    return " ".join(word(PROBLEM_WORDS[p], lang, language=language, resolution=resolution) for p in problems)
