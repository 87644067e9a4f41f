"""The frame's words (buttons, headings, party and resolution names) in en, zh and ru.

They live in ``ui_text.yaml`` beside this module, as data, so a translator edits one file;
the playbooks carry their own text (questions, reasons, messages).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEXT_FILE = Path(__file__).with_name("ui_text.yaml")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    with TEXT_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def word(key: str, lang: str, **values: Any) -> str:
    """The frame's word ``key`` in ``lang`` (English when missing), with ``{name}`` filled in."""
    entry = catalogue()["words"][key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def term(kind: str, code: str, lang: str) -> str:
    """A code the engine returns (``resolutions``, ``parties``, ``owners``) as a word; the code itself if unknown."""
    entry = catalogue()[kind].get(code)
    if entry is None:
        return code
    return entry.get(lang) or entry["en"]
