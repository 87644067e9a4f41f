"""``aftersales case export ID``: one recorded case as a page for an appeal or a dispute.

The page holds what a platform's or a customer's appeal asks for: the facts as the agent entered
them (with their labels), the numbers (compensation, payers), the rules the decision followed
with their real sources, the message sent (or what the agent chose instead and why), and the
timeline (when the case started, its deadlines, when it was saved and by whom). HTML always;
PDF through the same Chromium the SOP library prints with.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from .caselog import redecide
from .files import write_atomic
from .present.formats import moment_text
from .present.sentences import compensation_text
from .present.words import term, word
from .widgets.card import STYLE, sources_html


def _rows(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><td class='as-key'>{escape(k)}</td><td>{v}</td></tr>" for k, v in rows)


def case_html(record: dict[str, Any]) -> str:
    """The case record as a self-contained HTML page in the case's language (the decision is
    re-made with its archived playbooks first, so a changed archive is an error, not a page)."""
    decision = redecide(record)
    lang = decision.lang
    labels = {name: spec.spec.label[lang] for name, spec in decision.playbook.inputs.items()}
    facts = _rows([(labels.get(name, name), escape(str(value))) for name, value in decision.facts.items()
                   if value is not None])
    terms = _rows([
        (word("resolution", lang), f"<b>{escape(term('resolutions', decision.resolution, lang))}</b>"),
        (word("shipping_payer", lang), escape(term("parties", decision.return_shipping_paid_by, lang))),
        (word("cost_bearer", lang), escape(term("parties", decision.cost_borne_by, lang))),
        (word("compensation", lang), escape(compensation_text(decision.compensation, lang))),
    ])
    rules = "".join(f"<tr><td>{escape(str(entry['reason']))}</td><td class='as-src'>"
                    f"{sources_html([entry['source']] if entry['source'] else [], lang)}</td></tr>"
                    for entry in decision.trace)
    timeline = [(moment_text(decision.as_of, lang), word("as_of", lang))]
    timeline += [(moment_text(d.due, lang), d.rule) for d in sorted(decision.deadlines, key=lambda d: d.due)]
    saved = record.get("saved_at")
    if saved:
        from datetime import datetime

        timeline.append((moment_text(datetime.fromisoformat(saved), lang), word("saved_by", lang, who=record.get("who") or "—")))
    timeline_html = "".join(f"<tr><td>{escape(when)}</td><td>{escape(what)}</td></tr>" for when, what in timeline)
    override = record.get("override")
    message = decision.message["text"] if decision.message else ""
    if override:
        sent = override.get("message") or {}
        message = sent.get("text") or f"(written by hand: {sent.get('why', '')})"
        chosen = "<p>" + escape(word("chosen_instead", lang, chosen=str(override.get("outcome")), title=decision.title,
                                      reason=str(override.get("reason") or ""))) + "</p>"
    else:
        chosen = ""
    title = f"{decision.playbook.title[lang]} · case {record.get('case_id')} · order {record.get('order_id') or '—'}"
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(title)}</title>{STYLE}"
            "</head><body><div class='as-card'>"
            f"<h2>{escape(title)}</h2><p class='as-src'>playbook {escape(decision.playbook_version)} · rules "
            f"{escape(decision.rules_hash)} · {escape(decision.platform)}</p>"
            f"<h3>{escape(word('recommendation', lang))}: {escape(decision.title)}</h3>{chosen}<table>{terms}</table>"
            f"<h3>{escape(word('facts', lang))}</h3><table>{facts}</table>"
            f"<h3>{escape(word('trail', lang))}</h3><table>{rules}</table>"
            f"<h3>{escape(word('deadlines', lang))}</h3><table>{timeline_html}</table>"
            f"<h3>{escape(word('message', lang))}</h3><pre class='as-message'>{escape(message)}</pre>"
            "</div></body></html>")


def export_case(record: dict[str, Any], out: Path) -> Path:
    """Write the case page to ``out`` (``.html``, or ``.pdf`` printed by Chromium)."""
    html = case_html(record)
    if out.suffix.lower() != ".pdf":
        write_atomic(out, html)
        return out
    from .render.pdf import PdfPrinter

    page = out.with_suffix(".html")
    write_atomic(page, html)
    with PdfPrinter() as printer:
        printer.print_pdf(page, out, title=f"case {record.get('case_id')}")
    return out
