"""A customer-message template as a reader sees it in an SOP: example text with readable
placeholders ("[Customer name]") and its variants side by side ("⟨damaged | different from its
description⟩"), never Jinja (issue 19, part 1). The template as written goes to the leads' appendix.

Source: issue 19 ("message templates shown as example text with readable placeholders").
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["readable_template"]

_EXPR = re.compile(r"{{\s*(.*?)\s*}}", re.S)
_IF = re.compile(r"{%-?\s*if\b(?:(?!{%).)*?%}((?:(?!{%-?\s*if\b).)*?){%-?\s*endif\s*-?%}", re.S)
_BRANCH = re.compile(r"{%-?\s*(?:elif\b.*?|else)\s*-?%}", re.S)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TAG = re.compile(r"{%.*?%}", re.S)
#: Words of the engine's own message variables (not playbook inputs).
_OWN = {
    "compensation": {"en": "amount", "zh": "金额", "ru": "сумма"},
    "deadlines": {"en": "date", "zh": "日期", "ru": "дата"},
    "return_route": {"en": "how to return the item", "zh": "退货方式", "ru": "как вернуть товар"},
    "platform_name": {"en": "platform", "zh": "平台", "ru": "площадка"},
}
_QUOTE = {"en": "[{}]", "zh": "【{}】", "ru": "[{}]"}
_ALTERNATIVES = {"en": "⟨{}⟩", "zh": "〈{}〉", "ru": "⟨{}⟩"}


_LEADING = re.compile(r"""^(['"])(.*?)\1\s*~""")
_TRAILING = re.compile(r"""~\s*(['"])(.*?)\1\s*(?:if\b.*)?$""", re.S)


def _placeholder(expression: str, playbook: Any, lang: str, extra: dict[str, str]) -> str:
    """What ``{{ expression }}`` stands for, with the text it adds around it (``' ' ~ name``)."""
    lead, trail = _LEADING.match(expression), _TRAILING.search(expression)
    core = _LEADING.sub("", expression)
    return (lead.group(2) if lead else "") + _words_for(core, playbook, lang, extra) + (trail.group(2) if trail else "")


def _words_for(expression: str, playbook: Any, lang: str, extra: dict[str, str]) -> str:
    """The first name in ``expression`` that has words, as a bracketed placeholder."""
    for name in _NAME.findall(re.sub(r"""(['"]).*?\1""", "", expression)):
        if name in extra:
            return extra[name]
        compiled = playbook.inputs.get(name) if playbook is not None else None
        if compiled is not None:
            label = str(compiled.spec.label.get(lang) or compiled.spec.label["en"]).rstrip("?？")
            return _QUOTE[lang].format(label)
        if name in _OWN:
            return _QUOTE[lang].format(_OWN[name][lang])
    return _QUOTE[lang].format("…")


def readable_template(source: str, playbook: Any, lang: str, *, extra: dict[str, str] | None = None) -> str:
    """``source`` (a message template) as example text in ``lang``: each ``{{ … }}`` a bracketed
    placeholder named by the input it shows (``extra`` gives fixed words, e.g. the platform's
    "reply here" phrase for ``in_chat``), each ``{% if %}…{% endif %}`` its variants in angle
    brackets (an empty variant: nothing), every other tag removed."""
    text = _EXPR.sub(lambda m: _placeholder(m.group(1), playbook, lang, extra or {}), source)
    for _ in range(20):  # innermost ifs first
        changed = _IF.sub(lambda m: _variants(m.group(1), lang), text)
        if changed == text:
            break
        text = changed
    text = _TAG.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _variants(body: str, lang: str) -> str:
    parts = [part.strip() for part in _BRANCH.split(body)]
    shown = [part for part in parts if part]
    if not shown:
        return ""
    if len(parts) == 1:  # an optional piece: shown in brackets, it may be left out
        return _ALTERNATIVES[lang].format(shown[0])
    return _ALTERNATIVES[lang].format(" | ".join(part or "—" for part in parts))
