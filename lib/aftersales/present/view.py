"""Playbooks and decisions as plain data and terminal text.

:func:`playbook_view` is the one plain-data view of a playbook in a language: its steps in
their numbered order (what to ask, the checklist with owners and deadlines in words, where
each branch leads) and its outcomes (resolution and payers as words, deadlines as sentences,
how each is reached). The SOP document, the start page and ``aftersales describe`` read it;
``describe`` adds the code-level fields a playbook editor wants (:func:`describe_playbook`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from typing import Any

from ..playbook.compiled import CompiledDeadline, CompiledPlaybook
from ..playbook.expressions import Expression
from .formats import span_text
from .sentences import compensation_text, deadline_not_applicable, deadline_rule
from .words import term, word


def step_numbers(playbook: CompiledPlaybook, keep: Any = None) -> dict[str, int]:
    """Step id → its number (1, 2, …): breadth-first from the start, branches in their order.

    Only steps are numbered, outcomes are not. A step the start does not lead to (the
    validator forbids them) is numbered after the others, in file order. The flowchart and
    the SOP's numbered steps use the same numbers. With ``keep`` (what applies on a platform,
    :class:`aftersales.render.applicable.Applicable`) only its steps are numbered, with no gaps.
    """
    order: list[str] = []
    seen: set[str] = set()
    queue = deque([playbook.start])
    while queue:
        node_id = queue.popleft()
        if node_id in seen or node_id not in playbook.steps or (keep is not None and node_id not in keep.steps):
            continue
        seen.add(node_id)
        order.append(node_id)
        step = playbook.steps[node_id]
        if keep is None:
            queue.extend(step.targets)
        else:
            queue.extend([step.branches[i].target for i in keep.branches.get(node_id, ())]
                         + ([step.next] if not step.branches and step.next else []))
    if keep is None:
        order.extend(step_id for step_id in playbook.steps if step_id not in seen)
    return {step_id: number for number, step_id in enumerate(order, start=1)}


def deadline_text(spec: CompiledDeadline, resolved: Mapping[str, Any] | None, lang: str) -> str:
    """A deadline rule in words with the platform's value ("First reply: 24 hours from the complaint").

    ``resolved`` holds the platform's parameters in force (name → a value with ``value`` and
    ``unit``); without them, a deadline whose period is a parameter names the parameter.
    """
    start = spec.start.source.strip()
    label = spec.label[lang] if spec.label else spec.name
    if spec.within.param:
        if resolved is None:
            return f"{label}: {spec.within.describe()}"
        param = resolved.get(spec.within.param)
        if param is None or param.value is None:
            return deadline_not_applicable(label, lang)
        return deadline_rule(label, param.value, param.unit, start, lang)
    amount, unit = spec.within.amount, spec.within.unit
    assert amount is not None and unit is not None  # a period without a parameter is a literal
    return deadline_rule(label, amount, unit, start, lang)


def _payer(value: Any) -> str:
    return value.source if isinstance(value, Expression) else str(value)


def _incoming(playbook: CompiledPlaybook, numbers: dict[str, int], lang: str, keep: Any = None,
              said: Any = None) -> dict[str, list[str]]:
    """For each node, the branches that lead to it, as 'step n: reason or condition' (``said``:
    how a reason is shown, its parameters as the platform's values)."""
    result: dict[str, list[str]] = {}
    for step in playbook.steps.values():
        if keep is not None and step.id not in keep.steps:
            continue
        for branch in step.branches:
            if keep is not None and branch.index not in keep.branches.get(step.id, ()):
                continue
            if branch.reason:
                why = said(branch.reason[lang]) if said is not None else branch.reason[lang]
            elif branch.condition is not None:
                why = branch.condition.source
            else:
                why = word("otherwise", lang)
            result.setdefault(branch.target, []).append(f"{numbers.get(step.id, '?')}. {step.title[lang]}: {why}")
        if step.next:
            result.setdefault(step.next, []).append(f"{numbers.get(step.id, '?')}. {step.title[lang]}")
    return result


def _party_words(value: Any, playbook: CompiledPlaybook, resolved: Mapping[str, Any] | None, platform: str | None,
                 lang: str) -> str:
    """Who pays, as a word: a fixed party, or a payer formula worked out for the platform when it
    reads only the platform's parameters, else "depends on the case"."""
    if not isinstance(value, Expression):
        return term("parties", str(value), lang)
    if resolved is not None and not (value.names - {"params", "platform", "jurisdiction"}):
        env = {"params": {name: getattr(p, "value", p) for name, p in resolved.items()}, "platform": platform,
               "jurisdiction": None}
        try:
            return term("parties", str(value(env)), lang)
        except Exception:  # a formula the platform's values do not settle: say so in words
            pass
    return word("depends_on_case", lang)


_PARAM_IN_TEXT = re.compile(r"\(?params\.([a-z_][a-z0-9_]*)\)?")


def _params_in_text(text: str, resolved: Mapping[str, Any] | None, lang: str) -> str:
    """``text`` with each ``params.NAME`` it names replaced by the platform's value in force ("48
    hours"), or removed when the platform has none: a reader never meets a parameter's id."""
    from .formats import format_quantity

    def value(match: re.Match[str]) -> str:
        found = (resolved or {}).get(match.group(1))
        amount = getattr(found, "value", None)
        if isinstance(amount, (int, float)) and not isinstance(amount, bool):
            quantity = format_quantity(amount, getattr(found, "unit", None) or "none", lang)
            return f"({quantity})" if match.group(0).startswith("(") else quantity
        # a yes/no rule, a list, or none on this platform: the sentence around it already says it
        # in words ("treats it as not allowed (params.x)"); a dash or "False" would say nothing
        return ""

    said = re.sub(r"\s+([，。,.;；:：)）])", r"\1", _PARAM_IN_TEXT.sub(value, text)).replace("（：", "（").replace("(: ", "(")
    return re.sub(r"\s*[（(]\s*[)）]", "", said)


def playbook_view(playbook: CompiledPlaybook, lang: str, *, resolved: Mapping[str, Any] | None = None,
                  platform_names: Mapping[str, str] | None = None, keep: Any = None,
                  platform: str | None = None) -> dict[str, Any]:
    """The playbook as plain data in ``lang``: title, summary, platforms, numbered steps, outcomes.

    ``resolved`` (a platform's parameters in force) turns deadline periods into that platform's
    values; ``platform_names`` names the platforms as readers know them (else their ids). With
    ``keep`` (what applies on ``platform``), only its steps, branches and outcomes are shown, and
    conditions, payers and amounts are said in words (``when_words``; the expression stays in
    ``when`` for the leads' appendix).
    """
    from .conditions import condition_words

    numbers = step_numbers(playbook, keep)
    incoming = _incoming(playbook, numbers, lang, keep,
                         (lambda text: _params_in_text(text, resolved, lang)) if keep is not None else None)
    titles = {**{sid: s.title[lang] for sid, s in playbook.steps.items()},
              **{oid: o.title[lang] for oid, o in playbook.outcomes.items()}}

    def leads_to(target: str) -> str:
        return f"{numbers[target]}. {titles[target]}" if target in numbers else f"⇒ {titles[target]}"

    def checklist(items: Any) -> list[dict[str, str]]:
        return [{"do": item.text[lang], "owner": term("owners", item.owner, lang),
                 "deadline": deadline_text(item.deadline, resolved, lang) if item.deadline else ""} for item in items]

    def said(text: str) -> str:
        """A help or reason text with each ``params.NAME`` it quotes replaced by the value in force."""
        return _params_in_text(text, resolved, lang) if keep is not None else text

    def branch_rows(step: Any) -> list[dict[str, Any]]:
        taken = keep.branches.get(step.id, ()) if keep is not None else tuple(b.index for b in step.branches)
        rows = []
        for branch in step.branches:
            if branch.index not in taken:
                continue
            only = keep is not None and len(taken) == 1  # the platform settles it: no condition to read
            words = "" if branch.condition is None or only else (
                condition_words(branch.condition, playbook, lang, resolved) or "")
            rows.append({"when": branch.condition.source if branch.condition is not None else "",
                         "when_words": words, "settled": only and branch.condition is not None,
                         "reason": said(branch.reason[lang]) if branch.reason else "", "target": branch.target,
                         "goto": leads_to(branch.target), "source": branch.source or ""})
        return rows

    steps = []
    for step_id in sorted(playbook.steps, key=lambda s: numbers.get(s, 10_000)):
        if keep is not None and step_id not in keep.steps:
            continue
        step = playbook.steps[step_id]
        steps.append({
            "number": numbers.get(step_id), "id": step_id, "title": step.title[lang], "kind": step.kind,
            "help": said(step.help[lang]) if step.help else "",
            "asks": [playbook.inputs[name].spec.label[lang] for name in step.ask],
            "checklist": checklist(step.checklist),
            "branches": branch_rows(step),
            "next": leads_to(step.next) if step.next else "",
            "source": step.source or "",
        })
    outcomes = []
    for outcome in playbook.outcomes.values():
        if keep is not None and outcome.id not in keep.outcomes:
            continue
        comp = outcome.compensation
        outcomes.append({
            "id": outcome.id, "title": outcome.title[lang], "when": incoming.get(outcome.id, []),
            "resolution": term("resolutions", outcome.resolution, lang), "resolution_code": outcome.resolution,
            "shipping": _party_words(outcome.shipping, playbook, resolved, platform, lang) if keep is not None
            else term("parties", _payer(outcome.shipping), lang),
            "cost": _party_words(outcome.cost, playbook, resolved, platform, lang) if keep is not None
            else term("parties", _payer(outcome.cost), lang),
            "shipping_rule": _payer(outcome.shipping), "cost_rule": _payer(outcome.cost),
            "compensation_words": (word("calculated_per_case", lang) if comp else word("none", lang)),
            "compensation": comp.amount.source if comp else word("none", lang),
            "deadlines": [deadline_text(d, resolved, lang) for d in outcome.deadlines],
            "checklist": checklist(outcome.checklist),
            "sources": list(outcome.sources),
        })
    names = platform_names or {}
    return {
        "scenario": playbook.scenario, "version": playbook.version, "content_hash": playbook.content_hash,
        "title": playbook.title[lang], "summary": playbook.summary[lang],
        "platforms": [names.get(p, p) for p in playbook.platforms],
        "steps": steps, "outcomes": outcomes,
    }


def describe_playbook(playbook: CompiledPlaybook, lang: str = "en") -> dict[str, Any]:
    """What ``aftersales describe`` prints: :func:`playbook_view`'s words plus what a playbook
    editor needs besides: the inputs, the ids, the conditions and formulas as written."""
    view = playbook_view(playbook, lang)
    return {
        "scenario": view["scenario"],
        "version": view["version"],
        "content_hash": view["content_hash"],
        "title": view["title"],
        "summary": view["summary"],
        "platforms": list(playbook.platforms),
        "start": playbook.start,
        "inputs": [
            {"name": name, "type": i.spec.type, "label": i.spec.label[lang], "unit": i.spec.unit,
             "choices": i.spec.choices, "min": i.spec.min, "max": i.spec.max, "nullable": i.spec.nullable,
             "default": str(i.default) if i.has_default and i.default is not None else None,
             "required": not i.has_default}
            for name, i in playbook.inputs.items()
        ],
        "steps": [
            {"number": v["number"], "id": s.id, "kind": s.kind, "title": v["title"], "ask": list(s.ask),
             "let": {name: e.source for name, e in s.lets},
             "checklist": [{"do": c.text[lang], "owner": c.owner,
                            "deadline": c.deadline.within.describe() if c.deadline else None} for c in s.checklist],
             "branches": [{"when": b.condition.source if b.condition else "default", "goto": b.target,
                           "reason": b.reason[lang] if b.reason else None, "source": b.source} for b in s.branches],
             "next": s.next, "source": s.source}
            for v in view["steps"] for s in (playbook.steps[v["id"]],)
        ],
        "outcomes": [
            {"id": o.id, "title": o.title[lang], "resolution": o.resolution, "resolution_words": v["resolution"],
             "return_shipping_paid_by": _payer(o.shipping), "cost_borne_by": _payer(o.cost),
             "compensation": o.compensation.amount.source if o.compensation else None,
             "deadlines": [{"name": d.name, "within": d.within.describe(), "from": d.start.source} for d in o.deadlines],
             "sources": list(o.sources)}
            for v, o in zip(view["outcomes"], playbook.outcomes.values(), strict=True)
        ],
        "examples": len(playbook.examples),
    }


def describe_text(playbook: CompiledPlaybook, lang: str = "en") -> str:
    """The playbook as ``aftersales describe`` prints it: inputs, steps and outcomes, one per line."""
    data = describe_playbook(playbook, lang)
    lines = [f"{data['scenario']} {data['version']} — {data['title']}", f"  {data['summary']}",
             f"  platforms: {', '.join(data['platforms'])}", "", "INPUTS"]
    for i in data["inputs"]:
        extra = f" [{', '.join(i['choices'])}]" if i["choices"] else ""
        unit = f" ({i['unit']})" if i["unit"] else ""
        need = "required" if i["required"] else f"default {i['default']}"
        if i["required"] and i["nullable"]:
            need += ", may be null"
        lines.append(f"  {i['name']:<34} {i['type']:<9}{unit}{extra} — {i['label']} ({need})")
    lines += ["", f"STEPS (start: {data['start']})"]
    for s in data["steps"]:
        lines.append(f"  {s['id']} [{s['kind']}] — {s['title']}")
        if s["ask"]:
            lines.append(f"      ask: {', '.join(s['ask'])}")
        for name, expr in s["let"].items():
            lines.append(f"      let {name} = {expr}")
        for c in s["checklist"]:
            due = f" (within {c['deadline']})" if c["deadline"] else ""
            lines.append(f"      [{c['owner']}] {c['do']}{due}")
        for b in s["branches"]:
            lines.append(f"      if {b['when']} → {b['goto']}")
        if s["next"]:
            lines.append(f"      → {s['next']}")
    lines += ["", "OUTCOMES"]
    for o in data["outcomes"]:
        comp = f", compensation {o['compensation']}" if o["compensation"] else ""
        lines.append(f"  {o['id']}: {o['resolution']} — shipping paid by {o['return_shipping_paid_by']}, "
                     f"cost borne by {o['cost_borne_by']}{comp}")
        lines.append(f"      {o['title']}  [sources: {'; '.join(o['sources'])}]")
    return "\n".join(lines)


def overdue_span(hours: float, lang: str = "en") -> str:
    """How long past due, as a lead says it: "45 minutes", "3 hours" (up to two days), "2 days 5 hours"."""
    return span_text(max(hours, 1 / 60) * 3600, lang)


def _overdue_mark(deadline: Any) -> str:
    return f"  — overdue by {overdue_span(deadline.overdue_hours)}" if getattr(deadline, "overdue", False) else ""


def decision_text(decision: Any) -> str:
    """A readable card of a decision for the terminal."""
    lines = [f"{decision.scenario} on {decision.platform} (playbook {decision.playbook_version}, "
             f"rules {decision.rules_hash}, "
             f"as of {decision.as_of.isoformat()})",
             f"  outcome:      {decision.outcome} — {decision.title}",
             f"  resolution:   {term('resolutions', decision.resolution, 'en')}",
             f"  return shipping paid by: {term('parties', decision.return_shipping_paid_by, 'en')};  "
             f"cost borne by: {term('parties', decision.cost_borne_by, 'en')}"]
    if decision.compensation:
        lines.append(f"  compensation: {compensation_text(decision.compensation, 'en')}")
    if decision.deadlines:
        lines.append("  deadlines:")
        for d in decision.deadlines:
            lines.append(f"    {d.due.isoformat()}  {d.rule}  [{d.source}]{_overdue_mark(d)}")
    if decision.checklist:
        lines.append("  checklist:")
        for text, owner, deadline in decision.checklist_items:
            due = f" (due {deadline.due.isoformat()}{'; ' + _overdue_mark(deadline).strip(' —') if deadline.overdue else ''})" if deadline else ""
            lines.append(f"    [ ] [{owner}] {text}{due}")
    if decision.message:
        lines.append(f"  message ({decision.message['lang']}):")
        lines.extend(f"    {line}" for line in decision.message["text"].splitlines())
    lines.append("  trace:")
    for entry in decision.trace:
        source = f"  [{entry['source']}]" if entry["source"] else ""
        lines.append(f"    {entry['step']}: {entry['reason']}{source}")
    return "\n".join(lines)
