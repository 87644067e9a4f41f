"""The SOP documents' frame words in en, zh and ru (data in ``sop_text.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TEXT_FILE = Path(__file__).with_name("sop_text.yaml")


@lru_cache(maxsize=1)
def sop_words() -> dict[str, dict[str, str]]:
    with TEXT_FILE.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["words"]


def words_in(lang: str) -> dict[str, str]:
    """Every frame word in ``lang`` (English where a translation is missing), for templates."""
    return {key: texts.get(lang) or texts["en"] for key, texts in sop_words().items()}
