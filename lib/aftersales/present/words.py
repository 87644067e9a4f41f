"""The one word catalogue: every frame word a person reads, in en, zh and ru.

The words live in ``words.yaml`` beside this module, as data, so a translator edits one file:
the frame's words (buttons, headings, SOP sections), what deadlines count from, sentence
patterns, quantities in each plural form, and the codes the engine returns (resolutions,
parties, owners). The playbooks carry their own text (questions, reasons, messages).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

TEXT_FILE = Path(__file__).with_name("words.yaml")

#: The languages every entry has.
LANGUAGES = ("en", "zh", "ru")

#: The CLDR locale of each language (plural rules here; money, numbers and dates in formats).
_PLURAL_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN", "ru": "ru_RU"}

Catalogue = dict[str, dict[str, Any]]


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The whole catalogue: section → key → language → text (``quantities``: → plural form → text)."""
    with TEXT_FILE.open(encoding="utf-8") as handle:
        data: Catalogue = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return data


def _pick(entry: dict[str, Any], lang: str) -> Any:
    return entry.get(lang) or entry["en"]


def word(key: str, lang: str, **values: Any) -> str:
    """The frame's word ``key`` in ``lang`` (English when missing), with ``{name}`` filled in."""
    text: str = _pick(catalogue()["words"][key], lang)
    return text.format(**values) if values else text


def words_in(lang: str) -> dict[str, str]:
    """Every frame word in ``lang`` (English where a translation is missing), for templates (a copy:
    the caller may change it)."""
    return dict(_words_in(lang))


@lru_cache(maxsize=8)
def _words_in(lang: str) -> dict[str, str]:
    return {key: _pick(texts, lang) for key, texts in catalogue()["words"].items()}


def term(kind: str, code: str | None, lang: str) -> str:
    """A code the engine returns (``resolutions``, ``parties``, ``owners``) as a word; the code itself if unknown."""
    entry = catalogue()[kind].get(code) if code is not None else None
    if entry is None:
        return str(code)
    return str(_pick(entry, lang))


def unit_name(unit: str | None, lang: str) -> str:
    """An input's unit on its own in ``lang`` ("см", "天"); empty for no unit (``none``)."""
    if not unit or unit == "none":
        return ""
    return term("unit_names", unit, lang)


def sentence(key: str, lang: str, **values: Any) -> str:
    """A sentence pattern of the catalogue (``deadline_rule``...) in ``lang``, filled in."""
    text: str = _pick(catalogue()["sentences"][key], lang)
    return text.format(**values)


def start_words(start: str, lang: str) -> str:
    """What a deadline counts from, in words ("the complaint", "收到投诉"): the decision for
    ``now``, the event's name for a known fact, else "its start date" (never a fact's id)."""
    starts = catalogue()["starts"]
    return str(_pick(starts.get(start) or starts["unknown"], lang))


def window_end_words(start: str, lang: str) -> str | None:
    """The words of a window that closes with the day ``start`` names, or None when there are none."""
    entry = catalogue()["window_ends"].get(start)
    return None if entry is None else str(_pick(entry, lang))


def plural_category(count: float, lang: str) -> str:
    """CLDR plural category of ``count`` in ``lang`` (Babel): ``one``, ``few``, ``many`` or ``other``."""
    locale = Locale.parse(_PLURAL_LOCALES.get(lang, _PLURAL_LOCALES["en"]))
    return str(locale.plural_form(abs(count)))


def plural_text(unit: str, lang: str, *, number: str, count: float) -> str:
    """``number`` with ``unit``'s word in the plural form ``count`` takes in ``lang``.

    A unit the catalogue does not know is written after the number as it is.
    """
    entry = catalogue()["quantities"].get(unit)
    if entry is None:
        return f"{number} {unit}".strip()
    forms: dict[str, str] = _pick(entry, lang)
    form = forms.get(plural_category(count, lang)) or forms["other"]
    return form.format(n=number)
