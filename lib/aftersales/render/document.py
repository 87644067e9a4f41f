"""One SOP document as plain data: what a lead prints for one scenario on one platform in one
language. Built from the playbook model and the platform profile (never from widget state);
the Markdown and HTML templates only lay it out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import AftersalesError
from ..examples import EXAMPLE_AS_OF, run_example
from ..playbook.compiled import CompiledDeadline, CompiledPlaybook
from ..playbook.expressions import Expression
from ..present.formats import format_quantity
from ..present.sentences import compensation_text, deadline_not_applicable, deadline_rule
from ..present.words import term, words_in
from .flowchart import step_numbers


@dataclass
class SopDocument:
    scenario: str
    platform: str
    lang: str
    title: str
    subtitle: str
    summary: str
    platform_name: str
    jurisdiction: str
    version: str
    content_hash: str
    rendered_on: str
    words: dict[str, str]
    parameters: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    flowchart_svg: str = ""
    flowchart_file: str = ""


def _source_of(value: Any) -> str:
    return value.source if isinstance(value, Expression) else str(value)


def scenario_parameters(playbook: CompiledPlaybook, catalogue: Any) -> list[str]:
    """The catalogue parameters that apply to ``playbook``'s scenario, in catalogue order."""
    names = []
    for name, entry in catalogue.parameters.items():
        if "all" in entry.scenarios or playbook.scenario in entry.scenarios:
            names.append(name)
    return names


def _value_text(value: Any, unit: str, lang: str) -> str:
    words = words_in(lang)
    if value is None:
        return words["not_applicable"]
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        # a map of texts per language (return_route) shows the document's language only
        text = "; ".join(f"{k}: {v.get(lang, v) if isinstance(v, dict) and lang in v else v}" for k, v in value.items())
    elif isinstance(value, (int, float)):
        return format_quantity(value, unit or "none", lang)
    else:
        text = str(value)
    if not unit or unit == "none":
        return text
    return f"{text} {unit}"


def _parameter_rows(playbook: CompiledPlaybook, profile: Any, catalogue: Any, day: date, lang: str) -> list[dict]:
    words = words_in(lang)
    rows = []
    for name in scenario_parameters(playbook, catalogue):
        entries = profile.entries(name)
        try:
            current = profile.get(name, day)
        except LookupError:
            current = None
        in_force = None if current is None else next(
            (e for e in entries if e.effective_from == current.effective_from), None)
        for entry in entries:
            status = ("in_force" if entry is in_force
                      else "scheduled" if entry.effective_from is not None and entry.effective_from > day
                      else "superseded")
            unit = entry.unit or catalogue.parameters[name].unit
            rows.append({
                "name": name,
                "description": catalogue.parameters[name].description.model_dump()[lang],
                "value": _value_text(entry.value, unit, lang),
                "source": entry.source or "",
                "confidence": entry.confidence,
                "effective_from": entry.effective_from.isoformat() if entry.effective_from else "unknown",
                "status": words[status], "in_force": status == "in_force",
                "note": entry.note or "",
            })
    return rows


def _deadline_text(spec: CompiledDeadline, resolved: dict[str, Any], lang: str) -> str:
    """"First reply: 24 hours from the complaint" with this platform's value (the SOP's parameter
    table names the parameter and its source)."""
    start = spec.start.source.strip()
    label = spec.label[lang] if spec.label else spec.name
    if spec.within.param:
        param = resolved.get(spec.within.param)
        if param is None or param.value is None:
            return deadline_not_applicable(label, lang)
        return deadline_rule(label, param.value, param.unit, start, lang)
    return deadline_rule(label, spec.within.amount, spec.within.unit, start, lang)


def _incoming(playbook: CompiledPlaybook, numbers: dict[str, int], lang: str) -> dict[str, list[str]]:
    """For each node, the branches that lead to it, as 'step n: reason or condition'."""
    words = words_in(lang)
    result: dict[str, list[str]] = {}
    for step in playbook.steps.values():
        for branch in step.branches:
            if branch.reason:
                why = branch.reason[lang]
            elif branch.condition is not None:
                why = branch.condition.source
            else:
                why = words["otherwise"]
            result.setdefault(branch.target, []).append(f"{numbers.get(step.id, '?')}. {step.title[lang]}: {why}")
        if step.next:
            result.setdefault(step.next, []).append(f"{numbers.get(step.id, '?')}. {step.title[lang]}")
    return result


def _facts_text(facts: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, json.dumps(value, ensure_ascii=False, default=str)) for name, value in facts.items()]


def sop_document(playbook: CompiledPlaybook, profile: Any, library: Any, lang: str, rendered_on: date) -> SopDocument:
    """The SOP of ``playbook`` on ``profile``'s platform in ``lang``, parameters as of ``rendered_on``."""
    words = words_in(lang)
    catalogue = library.catalogue
    resolved = profile.resolve(rendered_on)
    numbers = step_numbers(playbook)
    incoming = _incoming(playbook, numbers, lang)
    platform_name = profile.display_name.get(lang, profile.name)
    titles = {**{sid: s.title[lang] for sid, s in playbook.steps.items()},
              **{oid: o.title[lang] for oid, o in playbook.outcomes.items()}}

    steps = []
    for step_id in sorted(playbook.steps, key=lambda s: numbers.get(s, 10_000)):
        step = playbook.steps[step_id]
        steps.append({
            "number": numbers.get(step_id), "id": step_id, "title": step.title[lang], "kind": step.kind,
            "help": step.help[lang] if step.help else "",
            "asks": [playbook.inputs[name].spec.label[lang] for name in step.ask],
            "checklist": [{"do": item.text[lang], "owner": term("owners", item.owner, lang),
                           "deadline": _deadline_text(item.deadline, resolved, lang) if item.deadline else ""}
                          for item in step.checklist],
            "branches": [{"when": branch.condition.source if branch.condition is not None else "",
                          "reason": branch.reason[lang] if branch.reason else "",
                          "goto": f"{numbers[branch.target]}. {titles[branch.target]}" if branch.target in numbers
                          else f"⇒ {titles[branch.target]}",
                          "source": branch.source or ""} for branch in step.branches],
            "next": (f"{numbers[step.next]}. {titles[step.next]}" if step.next in numbers
                     else f"⇒ {titles[step.next]}") if step.next else "",
            "source": step.source or "",
        })

    outcomes, messages = [], []
    for outcome in playbook.outcomes.values():
        comp = outcome.compensation
        outcomes.append({
            "id": outcome.id, "title": outcome.title[lang], "when": incoming.get(outcome.id, []),
            "resolution": term("resolutions", outcome.resolution, lang), "resolution_code": outcome.resolution,
            "shipping": term("parties", _source_of(outcome.shipping), lang),
            "cost": term("parties", _source_of(outcome.cost), lang),
            "compensation": comp.amount.source if comp else words["none"],
            "deadlines": [_deadline_text(d, resolved, lang) for d in outcome.deadlines],
            "checklist": [{"do": item.text[lang], "owner": term("owners", item.owner, lang),
                           "deadline": _deadline_text(item.deadline, resolved, lang) if item.deadline else ""}
                          for item in outcome.checklist],
            "sources": list(outcome.sources),
        })
        messages.append({"outcome": outcome.title[lang], "id": outcome.id, "template": outcome.message_sources[lang]})

    examples = []
    for example, _location in playbook.examples:
        if example.platform != profile.name:
            continue
        try:
            decision = run_example(playbook, example.model_copy(update={"lang": lang}), library)
        except AftersalesError as exc:
            examples.append({"name": example.name, "facts": _facts_text(example.facts), "error": str(exc)})
            continue
        examples.append({
            "name": example.name, "as_of": str(example.as_of or EXAMPLE_AS_OF), "facts": _facts_text(example.facts),
            "outcome": decision.title, "resolution": term("resolutions", decision.resolution, lang),
            "shipping": term("parties", decision.return_shipping_paid_by, lang),
            "cost": term("parties", decision.cost_borne_by, lang),
            "compensation": compensation_text(decision.compensation, lang),
            "message": decision.message["text"] if decision.message else "", "error": "",
        })

    sources = sorted({*playbook.sources, *(s for o in playbook.outcomes.values() for s in o.sources),
                      *(row["source"] for row in _parameter_rows(playbook, profile, catalogue, rendered_on, lang)
                        if row["in_force"] and row["source"])})
    return SopDocument(
        scenario=playbook.scenario, platform=profile.name, lang=lang,
        title=f"{playbook.title[lang]} — {platform_name}", subtitle=words["sop"], summary=playbook.summary[lang],
        platform_name=platform_name, jurisdiction=profile.jurisdiction.upper(), version=playbook.version,
        content_hash=playbook.content_hash, rendered_on=rendered_on.isoformat(), words=words,
        parameters=_parameter_rows(playbook, profile, catalogue, rendered_on, lang), steps=steps, outcomes=outcomes,
        messages=messages, examples=examples, sources=sources,
    )
