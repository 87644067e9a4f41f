"""The seller's recall, as a lead writes it down (seed 004: announce, find the affected buyers, a
return/refund plan, talk to each buyer in their language).

A recall file (YAML) names the recall, the product in each language, the SKUs and batches, the
hazard and its description in each language, the remedy, how buyers reach the seller, and
optionally a picture and the incidents known. :func:`load_recall` reads it and reports every
problem at its line; a hazard text that makes the risk sound smaller ("voluntary",
"precautionary", "in rare cases", "no injuries reported"...) is refused, as EU GPSR art. 36(2)(c)
forbids such words in a recall notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import AftersalesError
from ..languages import LANGS

__all__ = ["Recall", "load_recall", "platform_channel", "recall_words", "softening_words"]

WORDS_FILE = Path(__file__).with_name("words.yaml")
_KEYS = ("recall", "seller", "product_name", "sku", "batch", "hazard", "hazard_description", "remedy", "contact",
         "picture", "incidents", "date", "text_lang")
_TEXTS = ("seller", "product_name", "hazard_description", "contact")
_PICTURE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
                  ".svg": "image/svg+xml"}
MAX_PICTURE_BYTES = 5_000_000


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    with WORDS_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def recall_words(key: str, lang: str, **values: Any) -> Any:
    """The recall notice's word ``key`` in ``lang`` (``aftersales/recall/words.yaml``; English when
    missing), with ``{name}`` filled in (each item of a list too). Source: seed 004, GPSR art. 36."""
    entry = _catalogue()[key]
    text = entry.get(lang) or entry["en"]
    if isinstance(text, list):
        return [item.format(**values) if values else item for item in text]
    return text.format(**values) if values else text


def platform_channel(platform: str, lang: str) -> str | None:
    """Where the marketplace ``platform`` takes a seller's recall notice, in ``lang``; None for a
    platform that is the seller's own store (no marketplace to tell). Source: seed 004."""
    channels = _catalogue()["platform_channels"].get(platform)
    return None if channels is None else str(channels.get(lang) or channels["en"])


def softening_words(text: str, lang: str) -> list[str]:
    """The words of ``text`` that would make a recall's risk sound smaller (EU GPSR art. 36(2)(c):
    "voluntary", "precautionary", "discretionary", "in rare/specific situations", "no accidents
    reported"), in ``lang``'s list and the English one; empty when there are none."""
    lowered = text.casefold()
    found = []
    for word in dict.fromkeys([*_catalogue()["softening"].get(lang, []), *_catalogue()["softening"]["en"]]):
        pattern = re.escape(word.casefold())
        if re.search(rf"(?<!\w){pattern}" if word.isascii() else pattern, lowered):
            found.append(word)
    return found


@dataclass(frozen=True)
class Recall:
    """One recall: what is recalled, why, the remedy and how buyers reach us (texts per language)."""

    recall_id: str
    product_name: Mapping[str, str]
    skus: tuple[str, ...]
    batches: tuple[str, ...]
    hazard: str
    hazard_description: Mapping[str, str]
    remedy: str
    contact: Mapping[str, str]
    seller: Mapping[str, str] = field(default_factory=dict)
    picture: Path | None = None
    incidents: int = 0
    day: date | None = None
    source: str = "the command line"

    def languages(self) -> set[str]:
        """The languages every buyer-facing text of the recall is written in."""
        langs = set(LANGS)
        for texts in (self.product_name, self.hazard_description, self.contact):
            langs &= {lang for lang, text in texts.items() if text}
        return langs

    def text(self, name: str, lang: str) -> str:
        texts: Mapping[str, str] = getattr(self, name)
        return texts.get(lang) or ""


def _as_texts(value: Any, text_lang: str) -> dict[str, str] | None:
    if isinstance(value, str):
        return {text_lang: value.strip()} if value.strip() else {}
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return {k: v.strip() for k, v in value.items() if v.strip()}
    return None


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    if isinstance(value, list) and all(isinstance(v, (str, int)) and str(v).strip() for v in value):
        return [str(v).strip() for v in value]
    return None


def load_recall(data: Mapping[str, Any] | None = None, *, path: Path | str | None = None, hazards: tuple[str, ...] = (),
                remedies: tuple[str, ...] = ()) -> Recall:
    """The recall in ``path`` (a YAML file; values in ``data`` take precedence, e.g. ``--sku`` on
    the command line), checked: every problem at its line, in one :class:`AftersalesError`.

    ``hazards``/``remedies``: the choices the recall playbook allows (its ``hazard`` and ``remedy``
    inputs). A text is ``{en: …, zh: …, ru: …}`` or plain text in ``text_lang`` (default en).
    Source: seed 004; EU GPSR arts. 36-37; 16 CFR 1115.27.
    """
    from ..yamlsource import load_yaml

    doc = None
    merged: dict[str, Any] = {}
    shown = "the command line"
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise AftersalesError(f"{file}: no such recall file")
        doc = load_yaml(file)
        shown = str(file)
        if not isinstance(doc.data, dict):
            raise AftersalesError(f"{file}:1: a recall file is a mapping with the keys {', '.join(_KEYS)}")
        merged.update(doc.data)
    given = {k: v for k, v in (data or {}).items() if v not in (None, [], "")}
    merged.update(given)
    problems: list[str] = []

    def refuse(key: str, message: str, *inner: str) -> None:
        in_file = doc is not None and key in (doc.data or {}) and key not in given
        where = f"{doc.at((key, *inner))}" if doc is not None and in_file else shown
        problems.append(f"{where}: {'.'.join((key, *inner))}: {message}")

    for key in merged:
        if key not in _KEYS:
            refuse(key, f"unknown key; allowed: {', '.join(_KEYS)}")
    text_lang = str(merged.get("text_lang") or "en")
    if text_lang not in LANGS:
        refuse("text_lang", f"{text_lang!r} is not a language; allowed: {', '.join(LANGS)}")
        text_lang = "en"
    texts: dict[str, dict[str, str]] = {}
    for key in _TEXTS:
        value = _as_texts(merged.get(key, ""), text_lang)
        if value is None:
            refuse(key, "expected text, or {en: …, zh: …, ru: …}")
            value = {}
        unknown = [lang for lang in value if lang not in LANGS]
        if unknown:
            refuse(key, f"unknown language {unknown[0]!r}; allowed: {', '.join(LANGS)}")
        texts[key] = {lang: text for lang, text in value.items() if lang in LANGS}
    for key in ("product_name", "hazard_description", "contact"):
        if not texts[key]:
            refuse(key, "missing: say it in the buyers' languages, e.g. {en: …, zh: …, ru: …}")
    for lang, text in texts["hazard_description"].items():
        softer = softening_words(text, lang)
        if softer:
            inner = (lang,) if isinstance(merged.get("hazard_description"), dict) else ()
            refuse("hazard_description", f"the {lang} text makes the risk sound smaller ({', '.join(map(repr, softer))}); "
                    "a recall notice names the hazard plainly (EU GPSR art. 36(2)(c))", *inner)
    skus = _as_list(merged.get("sku"))
    if not skus:
        refuse("sku", "missing: the SKUs recalled (a list, or one SKU)")
    batches = _as_list(merged.get("batch"))
    if batches is None:
        refuse("batch", "expected a batch or a list of batches")
    hazard, remedy = str(merged.get("hazard") or ""), str(merged.get("remedy") or "")
    if hazards and hazard not in hazards:
        refuse("hazard", f"{hazard or '(missing)'!s}; allowed: {', '.join(hazards)}")
    if remedies and remedy not in remedies:
        refuse("remedy", f"{remedy or '(missing)'!s}; allowed: {', '.join(remedies)}")
    incidents = merged.get("incidents", 0)
    if isinstance(incidents, bool) or not isinstance(incidents, int) or incidents < 0:
        refuse("incidents", f"{incidents!r}: expected a whole number ≥ 0 (the incidents known)")
        incidents = 0
    day = merged.get("date")
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            refuse("date", f"{day!r} is not a date such as 2026-12-05")
            day = None
    elif day is not None and not isinstance(day, date):
        refuse("date", f"{day!r} is not a date such as 2026-12-05")
        day = None
    picture = merged.get("picture")
    picture_path = None
    if picture:
        picture_path = Path(str(picture))
        if not picture_path.is_absolute() and path is not None and "picture" not in given:
            picture_path = Path(path).parent / picture_path
        if picture_path.suffix.lower() not in _PICTURE_TYPES:
            refuse("picture", f"{picture_path.name}: allowed: {', '.join(_PICTURE_TYPES)}")
        elif not picture_path.is_file():
            refuse("picture", f"no such file {picture_path}")
        elif picture_path.stat().st_size > MAX_PICTURE_BYTES:
            refuse("picture", f"{picture_path.name} is larger than {MAX_PICTURE_BYTES // 1_000_000} MB")
    recall_id = str(merged.get("recall") or "").strip()
    if not recall_id:
        refuse("recall", "missing: the recall's number, e.g. R-2026-014")
    elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,40}", recall_id):
        refuse("recall", f"{recall_id!r}: letters, digits, '.', '_' and '-', at most 41 characters")
    if problems:
        raise AftersalesError("the recall is not complete:\n  " + "\n  ".join(problems))
    return Recall(recall_id=recall_id, product_name=texts["product_name"], skus=tuple(skus or ()),
                  batches=tuple(batches or ()), hazard=hazard, hazard_description=texts["hazard_description"],
                  remedy=remedy, contact=texts["contact"], seller=texts["seller"], picture=picture_path,
                  incidents=int(incidents), day=day, source=shown)


def picture_data_uri(path: Path) -> str:
    """The picture as a data: URI, so the notice's HTML and PDF carry it (no link to a local file)."""
    import base64

    kind = _PICTURE_TYPES[path.suffix.lower()]
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
