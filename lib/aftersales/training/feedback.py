"""A scored attempt as words: the misses with the playbook's reason and source, and the
playbook's path beside the trainee's (text for the command line, HTML for the notebook).

The HTML is in the trainee's interface language: every frame word from the word catalogue,
codes as words (resolutions, parties), money, dates and times as the presentation layer
writes them, the playbook's step titles instead of step ids, the message checker's findings
in that language. Never ``None``, ``True`` or an id.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from itertools import zip_longest
from typing import Any

from ..present.formats import format_money, format_number, format_when
from ..present.sentences import compensation_text
from ..present.words import term, word

LABELS = {"resolution": "Resolution", "return_shipping_paid_by": "Return shipping paid by",
          "cost_borne_by": "Cost borne by", "compensation": "Compensation", "reply": "Reply"}


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("deadline:", "Deadline: "))


def feedback_text(score: Any) -> str:
    lines = [f"case {score.case_id}: {score.points:g} / {score.max_points:g}"]
    for check in score.checks:
        mark = "ok  " if check.ok else "MISS"
        line = f"  {mark} {_label(check.name)}: expected {check.expected}, you gave {check.given}"
        if not check.ok and check.why:
            line += f"\n         why: {check.why}" + (f"  [{check.source}]" if check.source else "")
        lines.append(line)
    for finding in score.findings:
        lines.append(f"  reply {finding['severity']}: {finding['rule']}: {finding['message']} [{finding['source']}]")
    lines.append("  path (playbook | yours):")
    for ours, theirs in zip_longest(score.expected_path, score.trainee_path):
        left = ours["step"] if ours else ""
        right = theirs["step"] if theirs else ""
        lines.append(f"    {left:<28} | {right}" + ("" if left == right else "   <- differs"))
    return "\n".join(lines)


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _check_label(name: str, lang: str, decision: Any) -> str:
    """What a check is about, in words: "Return shipping paid by", "首次回复", "Срок первого ответа"."""
    words = {"resolution": "resolution", "return_shipping_paid_by": "shipping_payer", "cost_borne_by": "cost_bearer",
             "compensation": "compensation", "reply": "practice_reply_check"}
    if name in words:
        return word(words[name], lang)
    if name.startswith("deadline:"):
        deadline = name.split(":", 1)[1]
        for due in getattr(decision, "deadlines", None) or []:
            if due.name == deadline and due.spec.label:
                return str(due.spec.label.get(lang) or due.spec.label["en"])
        return word("deadline", lang)
    return name


def _currency(decision: Any) -> str | None:
    if decision is None:
        return None
    found = (decision.compensation or {}).get("currency") or (getattr(decision, "env", None) or {}).get("currency")
    return str(found) if found else None


def _zone(decision: Any, zone: str | None) -> str | None:
    if zone:
        return zone
    found = (getattr(decision, "env", None) or {}).get("customer_timezone")
    return str(found) if found else None


_RANGE = re.compile(r"^\s*(-?[\d.]+)\s*[–-]\s*(-?[\d.]+)\s*([A-Z]{3})?\s*$")


def _money_words(value: Any, currency: str | None, lang: str) -> str:
    if value is None or value == "":
        return word("none", lang)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_money(value, currency, lang) if currency else format_number(value, lang)
    match = _RANGE.match(str(value))
    if match:
        low, high, code = float(match.group(1)), float(match.group(2)), match.group(3) or currency
        return f"{_money_words(low, code, lang)} – {_money_words(high, code, lang)}"
    return str(value)


def _moment_words(value: Any, lang: str, zone: str | None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return word("practice_not_given", lang)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return str(value)
    return format_when(value, lang, zone)


def _value_words(name: str, value: Any, lang: str, *, decision: Any, zone: str | None, errors: int,
                 expected: bool) -> str:
    """A check's expected or given value in words."""
    if name == "resolution":
        return term("resolutions", value, lang) if value else word("practice_not_given", lang)
    if name in ("return_shipping_paid_by", "cost_borne_by"):
        return term("parties", value, lang) if value else word("practice_not_given", lang)
    if name == "compensation":
        if expected and decision is not None:
            return compensation_text(decision.compensation, lang)
        return _money_words(value, _currency(decision), lang)
    if name.startswith("deadline:"):
        return _moment_words(value, lang, zone)
    if name == "reply":
        if expected:
            return word("practice_reply_expected", lang)
        if value == "no reply":
            return word("practice_no_reply", lang)
        return word("practice_must_fix", lang, n=errors) if errors else word("practice_reply_clean", lang)
    return word("practice_not_given", lang) if value is None else str(value)


def _step_words(step: str, decision: Any, lang: str) -> str:
    """A path entry as a reader names it: the step's or outcome's title (a note: its word)."""
    playbook = getattr(decision, "playbook", None)
    if playbook is not None:
        for nodes in (playbook.steps, playbook.outcomes):
            if step in nodes:
                return str(nodes[step].title.get(lang) or nodes[step].title["en"])
        return word("trail_note", lang)
    return step


def _steps_only(path: list[dict[str, Any]], decision: Any) -> list[dict[str, Any]]:
    """The steps and the outcome of a path, without the engine's notes for leads (facts assumed,
    parameters of a case entry): those name facts by id and are not steps a trainee took."""
    playbook = getattr(decision, "playbook", None)
    if playbook is None:
        return list(path)
    return [entry for entry in path if entry["step"] in playbook.steps or entry["step"] in playbook.outcomes]


def _finding_message(finding: Any, lang: str) -> str:
    return finding.message_in(lang) if hasattr(finding, "message_in") else str(finding["message"])


def _finding_part(finding: Any, part: str) -> str:
    return str(getattr(finding, part)) if hasattr(finding, part) else str(finding[part])


def feedback_html(score: Any, lang: str = "en", *, decision: Any = None, findings: list[Any] | None = None,
                  zone: str | None = None, traps: list[str] | None = None) -> str:
    """The feedback on ``score`` in the interface language ``lang``.

    ``decision`` is the playbook's decision of the case (in ``lang``): its step titles, deadline
    labels, compensation and buyer zone put the checks into words; without it, codes and step
    names are shown as they are. ``findings`` are the message checker's :class:`Finding` objects
    on the reply (their messages in ``lang``); default: the score's own findings. ``zone``: the
    case's local zone for due times (default: the decision's buyer zone). ``traps``: the case's
    traps already in ``lang`` (:func:`~aftersales.training.cases.trap_texts`), shown after the
    score table as "What this case tests".
    """
    zone = _zone(decision, zone)
    shown = list(findings) if findings is not None else list(score.findings)
    errors = sum(1 for f in shown if _finding_part(f, "severity") == "error")
    rows = []
    for check in score.checks:
        colour = "#eef8ef" if check.ok else "#fdecea"
        why_text = check.why
        if check.name == "reply" and findings is not None:
            why_text = "; ".join(_finding_message(f, lang) for f in shown if _finding_part(f, "severity") == "error")
        why = (f"<div>{_e(why_text)} <span class='as-src'>[{_e(check.source)}]</span></div>"
               if not check.ok and why_text else "")
        expected = _value_words(check.name, check.expected, lang, decision=decision, zone=zone, errors=errors,
                                expected=True)
        given = _value_words(check.name, check.given, lang, decision=decision, zone=zone, errors=errors,
                             expected=False)
        rows.append(f"<tr style='background:{colour}'><td>{'✓' if check.ok else '✗'} "
                    f"{_e(_check_label(check.name, lang, decision))}</td>"
                    f"<td>{_e(expected)}</td><td>{_e(given)}{why}</td></tr>")
    items = "".join(
        f"<li><b>{_e(word('finding_' + _finding_part(f, 'severity'), lang))}</b>: {_e(_finding_message(f, lang))} "
        f"<span class='as-src'>[{_e(_finding_part(f, 'source'))}]</span></li>" for f in shown)
    differs = " style='background:#fff4e5'"
    path_rows = "".join(
        f"<tr{differs if (a or {}).get('step') != (b or {}).get('step') else ''}>"
        f"<td>{_e(_step_words(a['step'], decision, lang)) if a else ''}"
        f"<div style='color:#6b7585'>{_e(a['reason']) if a else ''}</div></td>"
        f"<td>{_e(_step_words(b['step'], decision, lang)) if b else ''}</td></tr>"
        for a, b in zip_longest(_steps_only(score.expected_path, decision), _steps_only(score.trainee_path, decision)))
    heading = word("practice_score", lang, points=format_number(score.points, lang),
                   total=format_number(score.max_points, lang))
    return (f"<div class='as-card as-feedback'><h3>{_e(heading)}</h3>"
            f"<table><tr><th>{_e(word('practice_point', lang))}</th><th>{_e(word('practice_playbook_answer', lang))}</th>"
            f"<th>{_e(word('practice_your_answer', lang))}</th></tr>{''.join(rows)}</table>"
            + (f"<h4>{_e(word('practice_traps', lang))}</h4><ul class='as-traps'>"
               + "".join(f"<li>{_e(trap)}</li>" for trap in traps) + "</ul>" if traps else "")
            + (f"<h4>{_e(word('message_check', lang))}</h4><ul>{items}</ul>" if items else "")
            + f"<h4>{_e(word('practice_path', lang))}</h4><table><tr><th>{_e(word('practice_playbook_answer', lang))}</th>"
            f"<th>{_e(word('practice_your_path', lang))}</th></tr>{path_rows}</table></div>")
