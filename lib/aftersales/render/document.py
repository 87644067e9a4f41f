"""One SOP document as plain data: what a lead prints for one scenario on one platform in one
language. Built from the playbook model and the platform profile (never from widget state);
the Markdown and HTML templates only lay it out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..citations import citation_parts
from ..errors import AftersalesError
from ..examples import EXAMPLE_AS_OF, run_example
from ..playbook.compiled import CompiledPlaybook
from ..playbook.expressions import Expression
from ..present.formats import format_quantity
from ..present.sentences import compensation_text
from ..present.view import playbook_view
from ..present.words import term, words_in


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
    #: each source cut into its citations: text, the seed entry's anchor or a web address
    source_links: list[list[dict[str, str]]] = field(default_factory=list)
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
                "cases": [f"{_value_text(case.value, unit, lang)} {words['when_case']} {case.when} ({case.source})"
                          for case in entry.cases],
                "source": entry.source or "",
                "confidence": entry.confidence,
                "effective_from": entry.effective_from.isoformat() if entry.effective_from else "unknown",
                "status": words[status], "in_force": status == "in_force",
                "note": entry.note or "",
            })
    return rows


def _facts_text(facts: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, json.dumps(value, ensure_ascii=False, default=str)) for name, value in facts.items()]


def sop_document(playbook: CompiledPlaybook, profile: Any, library: Any, lang: str, rendered_on: date) -> SopDocument:
    """The SOP of ``playbook`` on ``profile``'s platform in ``lang``, parameters as of ``rendered_on``."""
    words = words_in(lang)
    catalogue = library.catalogue
    resolved = profile.resolve(rendered_on)
    view = playbook_view(playbook, lang, resolved=resolved)
    platform_name = profile.display_name.get(lang, profile.name)
    steps, outcomes = view["steps"], view["outcomes"]
    messages = [{"outcome": outcome.title[lang], "id": outcome.id, "template": outcome.message_sources[lang]}
                for outcome in playbook.outcomes.values()]

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
        source_links=[citation_parts(source) for source in sources],
    )
