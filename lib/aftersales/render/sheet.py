"""The one-page sheet a team pins on the wall: one scenario on one platform in one language
(issue 19, part 3). Made from the SOP document (already in words, already only what applies on
the platform): the questions to ask, the deadlines and thresholds in force, and each outcome as
"when → do → say" with the first words of the customer message. Printed on exactly one A4 page
(the printer scales a long sheet down to fit, see :meth:`~aftersales.render.pdf.PdfPrinter.print_pdf`).

Source: issue 19 ("A one-page sheet").
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["sheet_context", "SAY_CHARS", "WHEN_CHARS"]

#: How much of the customer message and of the reason an outcome row shows.
SAY_CHARS = 75
WHEN_CHARS = 55


def _cut(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word (or a character for CJK) before ``limit``, with "…"."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(" ,;:，、；：") + "…"


_GREETING = re.compile(r"^[^.!?。！？]{0,45}?(?:\[[^\]]*\]|【[^】]*】)[^.!?。！？,，]{0,20}[,，!！]\s*"
                       r"(?:您好[，,]?\s*)?")


def _first_sentences(text: str, limit: int) -> str:
    """The message's opening after the greeting ("Hello [Customer's name], "): its first
    sentences up to ``limit`` characters."""
    text = _GREETING.sub("", " ".join(text.split()), count=1)
    sentences = re.split(r"(?<=[.!?。！？])\s*", text)
    said = ""
    for sentence in sentences:
        if len(said) + len(sentence) > limit and said:
            break
        said = f"{said} {sentence}".strip() if said and not re.search(r"[\u4e00-\u9fff]", sentence) else said + sentence
    return _cut(said, limit)


def sheet_context(doc: Any) -> dict[str, Any]:
    """What the sheet shows, from the SOP document ``doc`` (a :class:`~aftersales.render.document.SopDocument`)."""
    asks: list[str] = []
    for step in doc.steps:
        for label in step["asks"]:
            if label not in asks:
                asks.append(label)
    deadlines: list[str] = []
    for step in doc.steps:
        for item in step["checklist"]:
            if item["deadline"] and item["deadline"] not in deadlines:
                deadlines.append(item["deadline"])
    for outcome in doc.outcomes:
        for deadline in outcome["deadlines"]:
            if deadline not in deadlines:
                deadlines.append(deadline)
    used = set(getattr(doc, "params_used", ()))
    numeric = [p for p in doc.parameters if p["in_force"] and re.search(r"\d", p["value"]) and len(p["value"]) < 40]
    numeric.sort(key=lambda p: p["name"] not in used)  # what this platform's branches compare with, first
    thresholds = [f"{_cut(p['description'], 50)}: {p['value']}" for p in numeric]
    says = {m["id"]: m["template"] for m in doc.messages}
    rows = []
    for outcome in doc.outcomes:
        when = [re.sub(r"^\d+\.\s*", "", w) for w in outcome["when"]]
        rows.append({"title": outcome["title"], "when": _cut("; ".join(when), WHEN_CHARS),
                     "do": outcome["resolution"], "shipping": outcome["shipping"], "cost": outcome["cost"],
                     "say": _first_sentences(says.get(outcome["id"], ""), SAY_CHARS)})
    return {"doc": doc, "w": doc.words, "asks": asks, "deadlines": deadlines[:6], "thresholds": thresholds[:4],
            "rows": rows}
