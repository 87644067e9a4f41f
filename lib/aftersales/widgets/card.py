"""The recommendation card: a decision as HTML, in the decision's language.

Pure functions of a :class:`~aftersales.engine.Decision` (no widgets, no clock): the wizard
shows the card at the end, headless notebook runs display it, tests read it. Everything
that comes from a playbook or from the case's facts is HTML-escaped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any, Iterable

from ..present.answers import answer_words
from ..present.formats import format_when, moment_text, relative_time
from ..present.sentences import compensation_text
from ..present.words import term, word

STYLE = """<style>
.as-card{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;
 border:1px solid #c9d3df;border-radius:8px;padding:12px 16px;max-width:960px;background:#fbfcfe}
.as-card h3{margin:0 0 8px 0}.as-card h4{margin:14px 0 6px 0}
.as-card table{border-collapse:collapse}.as-card td,.as-card th{padding:3px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #e3e8ef}
.as-card .as-key{color:#4a5566;white-space:nowrap}.as-card .as-src{color:#6b7585;font-size:90%}
.as-card pre.as-message{white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;user-select:all;-webkit-user-select:all;background:#fff;
 border:1px dashed #8aa2c0;border-radius:6px;padding:10px;font-family:inherit;font-size:105%}
.as-card .as-soon{color:#b3261e;font-weight:600}
.as-card .as-copy{margin:4px 0;padding:4px 12px;border:1px solid #8aa2c0;border-radius:6px;background:#eef3fa;cursor:pointer}
.as-card details.as-common>summary{cursor:pointer;color:#4a5566;margin:10px 0 4px 0}
.as-card .as-local,.as-card th{white-space:nowrap}
</style>"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _rows(rows: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<tr><td class="as-key">{_e(k)}</td><td>{v}</td></tr>' for k, v in rows)


def _local_text(due: datetime, lang: str) -> str:
    """``due`` as the buyer's wall clock names it ("16 Jan 2026, 17:00 (Beijing time)"); empty in UTC."""
    zone = getattr(due.tzinfo, "key", None)
    return format_when(due, lang, tz=zone) if zone and zone != "UTC" else ""


def due_html(deadline: Any, reference: datetime, lang: str) -> str:
    """When a deadline falls: the buyer's local wall time named the local way ("Beijing time"), the
    same moment in UTC for a team across zones, and how far off it is from the case's start."""
    rel = relative_time(deadline.due, reference, lang)
    soon = (deadline.due - reference).total_seconds() <= 24 * 3600
    local = _local_text(deadline.due, lang)
    shown = (f'<b class="as-local">{_e(local)}</b> · {_e(moment_text(deadline.due, lang))}' if local
             else f"<b>{_e(moment_text(deadline.due, lang))}</b>")
    return f'{shown} <span class="{"as-soon" if soon else ""}">({_e(rel)})</span>'


def deadlines_html(deadlines: list[Any], reference: datetime, lang: str) -> str:
    items = [f'<li>{due_html(deadline, reference, lang)} — {_e(deadline.rule)} '
             f'<span class="as-src">[{_e(deadline.source)}]</span></li>' for deadline in deadlines]
    return f"<ul>{''.join(items)}</ul>" if items else f"<p>{_e(word('none', lang))}</p>"


def checklist_html(items: list[tuple[str, str, Any]], reference: datetime, lang: str) -> str:
    """The checklist as a table: owner, action, due (absolute and relative)."""
    if not items:
        return f"<p>{_e(word('none', lang))}</p>"
    head = f"<tr><th>{_e(word('owner', lang))}</th><th>{_e(word('action', lang))}</th><th>{_e(word('due', lang))}</th></tr>"
    rows = []
    for text, owner, deadline in items:
        due = ""
        if deadline is not None:
            local = _local_text(deadline.due, lang)
            due = (f"{_e(local)} · " if local else "") + \
                f"{_e(moment_text(deadline.due, lang))} ({_e(relative_time(deadline.due, reference, lang))})"
        rows.append(f"<tr><td>{_e(term('owners', owner, lang))}</td><td>☐ {_e(text)}</td><td>{due}</td></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _values_text(value: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in value.items() if k != "condition")


def _step_title(decision: Any, step: str, lang: str) -> str:
    """What a trainee reads for a trace entry: the step's or outcome's title, a note's name in words."""
    playbook = getattr(decision, "playbook", None)
    if playbook is not None:
        if step in playbook.steps:
            return str(playbook.steps[step].title[lang])
        if step in playbook.outcomes:
            return str(playbook.outcomes[step].title[lang])
    return word("trail_note", lang)


def _reason_words(entry: dict[str, Any], lang: str, decision: Any) -> str:
    """A trace entry's reason as a trainee reads it. The engine's note of facts assumed for lack of
    an answer ("return_terms_given = true (not given)") is said with the questions' labels and the
    answers in words; every other reason is the playbook's own sentence."""
    if entry["step"] != "assumed" or decision is None or not isinstance(entry.get("value"), dict):
        return str(entry["reason"])
    inputs = decision.playbook.inputs
    parts = []
    for name, value in entry["value"].items():
        if name not in inputs:
            return str(entry["reason"])
        parts.append(word("assumed_fact", lang, label=inputs[name].spec.label[lang],
                          value=answer_words(decision.playbook, name, value, lang)))
    return "; ".join(parts)


def trail_html(trace: list[dict[str, Any]], lang: str, decision: Any = None) -> str:
    """Each step taken in words (its title, the reason, the source); the step ids and the values the
    engine looked at only under "technical details", for leads (no ``True`` or ids in trainee text)."""
    head = (f"<tr><th>{_e(word('step', lang))}</th><th>{_e(word('reason', lang))}</th>"
            f"<th>{_e(word('source', lang))}</th></tr>")
    rows = [
        f"<tr><td>{index}. {_e(_step_title(decision, entry['step'], lang))}</td><td>{_e(_reason_words(entry, lang, decision))}</td>"
        f"<td class=\"as-src\">{sources_html([entry['source']] if entry['source'] else [], lang)}</td></tr>"
        for index, entry in enumerate(trace, start=1)
    ]
    technical = "".join(
        f"<tr><td>{index}. <code>{_e(entry['step'])}</code></td><td><code>{_e(_values_text(entry['value']))}</code></td></tr>"
        for index, entry in enumerate(trace, start=1))
    return (f"<table>{head}{''.join(rows)}</table>"
            f"<details class=\"as-technical\"><summary>{_e(word('technical_details', lang))}</summary>"
            f"<table><tr><th>{_e(word('step', lang))}</th><th>{_e(word('values', lang))}</th></tr>{technical}</table>"
            "</details>")


def playbook_line(decision: Any, lang: str) -> str:
    """Which playbook decided, as a reader names it: "Wrong item · Ozon (version 1.2.0)"."""
    title = decision.playbook.title[lang]
    profile = getattr(decision.context, "profile", None)
    platform = profile.display_name.get(lang, decision.platform) if profile is not None else decision.platform
    return word("playbook_line", lang, title=title, platform=platform, version=decision.playbook_version)


def sources_html(sources: Iterable[str], lang: str) -> str:
    """The decision's sources, escaped; a seed citation carries its document's title (hover to read
    which source document it is; docs/sources.md describes each)."""
    from ..citations import SEEDS, citation_parts

    shown = []
    for source in sources:
        for part in citation_parts(source):
            seed = SEEDS.get(part["seed"].removeprefix("seed-")) if part["seed"] else None
            shown.append(f'<abbr title="{_e(seed.title(lang))}">{_e(part["text"])}</abbr>' if seed else _e(part["text"]))
    return "; ".join(shown)


def _summary_html(decision: Any, lang: str, reference: datetime) -> str:
    """The terms of ``decision``: resolution, who pays, compensation, the first deadline, playbook and start."""
    first = decision.deadlines[0] if decision.deadlines else None
    first_row = [(word("first_deadline", lang), f"{due_html(first, reference, lang)} — {_e(first.rule)}")] if first else []
    estimate = getattr(decision, "estimate", None)  # seed 001: the estimated resolution time the reply gives
    if estimate == "now":
        first_row.append((word("estimate", lang), _e(word("estimate_now", lang))))
    elif estimate is not None and not isinstance(estimate, str):
        first_row.append((word("estimate", lang), due_html(estimate, reference, lang)))
    return _rows([
        (word("resolution", lang), f"<b>{_e(term('resolutions', decision.resolution, lang))}</b>"),
        (word("shipping_payer", lang), _e(term("parties", decision.return_shipping_paid_by, lang))),
        (word("cost_bearer", lang), _e(term("parties", decision.cost_borne_by, lang))),
        (word("compensation", lang), _e(compensation_text(decision.compensation, lang))),
        *first_row,
        (word("playbook", lang), _e(playbook_line(decision, lang))),
        (word("as_of", lang), _e(moment_text(reference, lang))),
    ])


def checklists_html(decision: Any, reference: datetime, lang: str) -> str:
    """This case's own checklist, then the steps common to every case folded away (each text once)."""
    own, common = decision.checklist_parts()
    folded = (f'<details class="as-common"><summary>{_e(word("checklist_common", lang, n=len(common)))}</summary>'
              f"{checklist_html(common, reference, lang)}</details>") if common else ""
    return f"<h4>{_e(word('checklist', lang))}</h4>{checklist_html(own, reference, lang)}{folded}"


# inline (not in STYLE, which every recommendation card carries unchanged): a notice that the agent must act
_BY_HAND_STYLE = "background:#fff4e5;border:1px solid #e0a040;border-radius:6px;padding:10px;margin:6px 0"


def _by_hand(css: str, text: str) -> str:
    """A plain notice, set apart, that the agent must do this part by hand."""
    return f'<div class="{css}" style="{_BY_HAND_STYLE}"><b>{_e(text)}</b></div>'


_COPY_SCRIPT = ("var b=this,m=b.parentElement.querySelector('pre.as-message');"
                "navigator.clipboard.writeText(m.innerText).then(function(){b.textContent=b.dataset.done});")


def message_html(text: str | None, lang: str, reader: str | None = None) -> str:
    """The customer message (in ``lang``) ready to copy, with a Copy button, or (``text`` None) the
    plain notice that the agent must write it by hand; the frame in the ``reader``'s language."""
    reader = reader or lang
    heading = f"<h4>{_e(word('message_in', reader, language=term('language_names', lang, reader)))}</h4>"
    if text is None:
        return heading + _by_hand("as-message-by-hand", word("message_by_hand", reader))
    copy = (f'<button class="as-copy" type="button" data-done="{_e("✓ " + word("copied", reader))}" '
            f'onclick="{_e(_COPY_SCRIPT)}">{_e(word("copy", reader))}</button>')
    return (f'<div class="as-message-box" lang="{_e(lang)}">{heading}<pre class="as-message">{_e(text)}</pre>'
            f'{copy} <span class="as-src">{_e(word("message_hint", reader))}</span></div>')


def card_html(decision: Any, *, style: bool = True, chosen: Any = None) -> str:
    """The whole recommendation card for ``decision`` (deadlines relative to its ``as_of``).

    ``chosen`` (a :class:`~aftersales.widgets.session.ChosenOutcome`) shows the card of an
    override instead: the chosen outcome first, with the recommendation named beside it; its
    terms, deadlines, checklist and customer message as the engine re-made them for this case,
    or plain notices where they are to be settled or written by hand. The recommendation's
    message is not shown then: it is not what the customer will be told. The decision trail
    stays the recommendation's (it is why the playbook recommended it).
    """
    if chosen is not None:
        return _override_card_html(decision, chosen, style=style)
    lang = decision.lang
    reference = decision.as_of
    message = message_html(decision.message["text"], decision.message["lang"], lang) if decision.message else ""
    parts = [  # what to do and what to say first; the case's own steps; then the rest (issue 17)
        STYLE if style else "",
        '<div class="as-card">',
        f"<h3>{_e(word('recommendation', lang))}: {_e(decision.title)}</h3>",
        f"<table>{_summary_html(decision, lang, reference)}</table>",
        message,
        checklists_html(decision, reference, lang),
        f"<h4>{_e(word('deadlines', lang))}</h4>", deadlines_html(decision.deadlines, reference, lang),
        f"<h4>{_e(word('trail', lang))}</h4>", trail_html(decision.trace, lang, decision),
        f"<p class=\"as-src\">{_e(word('sources', lang))}: {sources_html(decision.sources, lang)}</p>",
        "</div>",
    ]
    return "".join(parts)


def _override_card_html(decision: Any, chosen: Any, *, style: bool) -> str:
    """The card when the agent chose ``chosen`` instead of ``decision``'s outcome."""
    lang = decision.lang
    reference = decision.as_of
    remade = chosen.decision
    recommended = word("override_recommended", lang, title=decision.title,
                       resolution=term("resolutions", decision.resolution, lang))
    parts = [
        STYLE if style else "",
        '<div class="as-card as-card-override">',
        f"<h3>{_e(word('override_chosen', lang))}: {_e(chosen.title)}</h3>",
        f'<p class="as-override-note" style="margin:0 0 8px 0;color:#4a5566">{_e(recommended)}</p>',
    ]
    if remade is not None:
        parts += [
            f'<p class="as-src">{_e(word("override_terms", lang))}</p>',
            f"<table>{_summary_html(remade, lang, reference)}</table>",
            _override_message_html(chosen.message, chosen.lang, lang),
            checklists_html(remade, reference, lang),
            f"<h4>{_e(word('deadlines', lang))}</h4>", deadlines_html(remade.deadlines, reference, lang),
        ]
    else:
        resolution = (f"<b>{_e(term('resolutions', chosen.resolution, lang))}</b> "
                      f"<code>{_e(chosen.resolution)}</code>")
        parts += [
            f"<table>{_rows([(word('resolution', lang), resolution)])}</table>",
            _by_hand("as-terms-by-hand", word("override_terms_by_hand", lang)),
            _override_message_html(chosen.message, chosen.lang, lang),
        ]
    parts += [
        f"<h4>{_e(word('trail_recommended', lang))}</h4>", trail_html(decision.trace, lang, decision),
        f"<p class=\"as-src\">{_e(word('sources', lang))}: {sources_html(chosen.sources, lang)}</p>",
        "</div>",
    ]
    return "".join(parts)


def _override_message_html(text: str | None, lang: str, reader: str) -> str:
    """The chosen outcome's message in ``lang`` (with a word on reading it first: its template was
    written for cases the playbook sends there) or the notice that it must be written by hand."""
    hint = "" if text is None else f'<div class="as-src">{_e(word("override_message_hint", reader))}</div>'
    return f'<div class="as-message-section">{message_html(text, lang, reader)}{hint}</div>'
