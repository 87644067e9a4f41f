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
from ..engine.core import in_chat
from ..errors import AftersalesError
from ..examples import EXAMPLE_AS_OF, run_example
from ..playbook.compiled import CompiledPlaybook
from ..playbook.expressions import Expression
from ..present.formats import format_quantity
from ..present.sentences import compensation_text
from ..present.template_text import readable_template
from ..present.view import playbook_view
from ..present.words import term, words_in
from .applicable import applicable


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
    #: what of the playbook applies on this platform (its flowchart shows only that)
    keep: Any = None
    #: the flowchart's sub-charts: number, title, svg (HTML) and file (Markdown), after the main chart
    subcharts: list[dict[str, Any]] = field(default_factory=list)
    #: the parameters the platform's steps and outcomes read (the sheet shows their values first)
    params_used: frozenset[str] = frozenset()


def _source_of(value: Any) -> str:
    return value.source if isinstance(value, Expression) else str(value)


def scenario_parameters(playbook: CompiledPlaybook, catalogue: Any) -> list[str]:
    """The catalogue parameters that apply to ``playbook``'s scenario, in catalogue order."""
    names = []
    for name, entry in catalogue.parameters.items():
        if "all" in entry.scenarios or playbook.scenario in entry.scenarios:
            names.append(name)
    return names


def _value_text(value: Any, unit: str, lang: str, codes: dict[str, str] | None = None,
                if_null: str | None = None) -> str:
    words = words_in(lang)
    if value is None:
        return if_null or words["not_applicable"]
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        # a map of texts per language (return_route) shows the document's language only; codes as words
        codes = codes or {}
        text = "; ".join(f"{codes.get(k, k)}: {v.get(lang, v) if isinstance(v, dict) and lang in v else term('parties', str(v), lang) if isinstance(v, str) else v}"
                         for k, v in value.items())
    elif isinstance(value, (int, float)):
        return format_quantity(value, unit or "none", lang)
    else:
        text = str(value)
    if not unit or unit == "none":
        return text
    return f"{text} {unit}"


def _parameter_rows(playbook: CompiledPlaybook, profile: Any, catalogue: Any, day: date, lang: str,
                    codes: dict[str, str] | None = None) -> list[dict]:
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
            spec = catalogue.parameters[name]
            unit = entry.unit or spec.unit
            if_null = spec.if_null.model_dump()[lang] if spec.if_null is not None else None
            rows.append({
                "name": name,
                "description": spec.description.model_dump()[lang],
                "value": _value_text(entry.value, unit, lang, codes, if_null),
                "cases": [f"{_value_text(case.value, unit, lang)} {words['when_case']} {case.when} ({case.source})"
                          for case in entry.cases],
                "source": entry.source or "",
                "confidence": entry.confidence,
                "effective_from": entry.effective_from.isoformat() if entry.effective_from else "unknown",
                "status": words[status], "in_force": status == "in_force",
                "note": entry.note or "",
            })
    return rows


def _facts_text(facts: dict[str, Any], playbook: CompiledPlaybook | None = None, lang: str = "en") -> list[tuple[str, str]]:
    """A worked example's facts as (label, value) in words (with ``playbook``), else as written."""
    if playbook is None:
        return [(name, json.dumps(value, ensure_ascii=False, default=str)) for name, value in facts.items()]
    from ..present.answers import answer_words

    rows = []
    for name, value in facts.items():
        compiled = playbook.inputs.get(name)
        label = str(compiled.spec.label.get(lang) or compiled.spec.label["en"]) if compiled is not None else name
        rows.append((label, answer_words(playbook, name, value, lang) if compiled is not None
                     else json.dumps(value, ensure_ascii=False, default=str)))
    return rows


def _example_error(exc: AftersalesError, playbook: CompiledPlaybook, lang: str) -> str:
    """Why a worked example cannot be decided here, in the document's words: the question it never
    answered (by its label) when a store's rules lead it there, else the engine's reason."""
    from ..errors import FactError
    from ..present.words import word

    if isinstance(exc, FactError) and exc.field in playbook.inputs and exc.problem.startswith("missing"):
        label = playbook.inputs[exc.field].spec.label
        return word("example_needs_fact", lang, label=f"“{label.get(lang) or label.get('en') or exc.field}”")
    return word("example_not_decided", lang, error=str(exc))


def _code_words(playbooks: Any, lang: str) -> dict[str, str]:
    """Every choice code of the playbooks (and each scenario id) with its words in ``lang``: a
    parameter's map keys (return reasons) are shown with them."""
    words: dict[str, str] = {}
    for playbook in playbooks:
        words.setdefault(playbook.scenario, str(playbook.title.get(lang) or playbook.title["en"]))
        for compiled in playbook.inputs.values():
            for code, labels in (compiled.spec.choice_labels or {}).items():
                words.setdefault(code, str(labels.get(lang) or labels["en"]))
    return words


def sop_document(playbook: CompiledPlaybook, profile: Any, library: Any, lang: str, rendered_on: date) -> SopDocument:
    """The SOP of ``playbook`` on ``profile``'s platform in ``lang``, parameters as of ``rendered_on``."""
    words = words_in(lang)
    catalogue = library.catalogue
    resolved = profile.resolve(rendered_on)
    keep = applicable(playbook, resolved, profile.name, profile.jurisdiction)  # only what applies here
    view = playbook_view(playbook, lang, resolved=resolved, keep=keep, platform=profile.name)
    platform_name = profile.display_name.get(lang, profile.name)
    steps, outcomes = view["steps"], view["outcomes"]
    reply_here = in_chat({name: getattr(p, "value", p) for name, p in resolved.items()},
                         profile.display_name.get(lang, profile.name), lang)
    messages = [{"outcome": outcome.title[lang], "id": outcome.id,  # example text; as written in the appendix
                 "template": readable_template(outcome.message_sources[lang], playbook, lang,
                                               extra={"in_chat": reply_here}),
                 "template_source": outcome.message_sources[lang]}
                for outcome in playbook.outcomes.values() if outcome.id in keep.outcomes]

    examples = []
    for example, _location in playbook.examples:
        if example.platform != profile.name:
            continue
        try:
            decision = run_example(playbook, example.model_copy(update={"lang": lang}), library)
        except AftersalesError as exc:  # a store overlay's rules may lead an example to a question it never answered
            examples.append({"name": example.title.get(lang) or example.name,
                             "facts": _facts_text(example.facts, playbook, lang),
                             "error": _example_error(exc, playbook, lang), "message": ""})
            continue
        examples.append({
            "name": example.title.get(lang) or example.name, "as_of": str(example.as_of or EXAMPLE_AS_OF), "facts": _facts_text(example.facts, playbook, lang),
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
        parameters=_parameter_rows(playbook, profile, catalogue, rendered_on, lang,
                                   _code_words(list(library.playbooks.values()), lang)),
        steps=steps, outcomes=outcomes,
        messages=messages, examples=examples, sources=sources,
        source_links=[citation_parts(source) for source in sources], keep=keep,
        params_used=frozenset(_params_read(playbook, keep)),
    )


def _params_read(playbook: CompiledPlaybook, keep: Any) -> set[str]:
    """The parameters the steps and branches a platform keeps read (conditions and computed values)."""
    names: set[str] = set()
    for step_id in keep.steps:
        step = playbook.steps[step_id]
        for _name, expression in step.lets:
            names |= set(expression.params)
        for branch in step.branches:
            if branch.condition is not None and branch.index in keep.branches.get(step_id, ()):
                names |= set(branch.condition.params)
    return names
