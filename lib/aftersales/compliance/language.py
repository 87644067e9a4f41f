"""Which language a message is written in (lingua-language-detector), so that a reply in the
wrong language is a warning: answer in the customer's language (seed 004; DOMAIN.md
"Cross-border specifics").

The detector knows only the languages the toolkit writes (en, zh, ru), loads its models on the
first check (offline: they ship inside the wheel), and says nothing about a text too short to
judge or when it is not sure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

#: Fewer letters than this and a message is too short to say which language it is in.
MIN_LETTERS = 12
#: How sure the detector must be (0..1) before a different language is reported.
MIN_CONFIDENCE = 0.9
RULE = "language.mismatch"
SOURCE = "seed 004"

@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.CHINESE, Language.RUSSIAN).build()


def _code(language: Any) -> str:
    return {"ENGLISH": "en", "CHINESE": "zh", "RUSSIAN": "ru"}[language.name]


def detect_language(text: str) -> tuple[str, float] | None:
    """``(code, confidence)`` of the language ``text`` is written in (en, zh or ru), or None when
    the text has fewer than :data:`MIN_LETTERS` letters."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None
    best = values[0]
    return _code(best.language), float(best.value)


def mismatch_message(found: str, wanted: str, reader: str = "en") -> str:
    """The warning in the reader's language: found ``found``, the customer reads ``wanted``."""
    from ..present.words import sentence, term

    return sentence("language_mismatch", reader, found=term("language_names", found, reader),
                    wanted=term("language_names", wanted, reader))


def language_mismatch(text: str, lang: str) -> str | None:
    """The language ``text`` is written in when the detector is sure it is not ``lang``, else None."""
    detected = detect_language(text)
    if detected is None:
        return None
    found, confidence = detected
    return found if found != lang and confidence >= MIN_CONFIDENCE else None
