"""Playbooks and decisions as plain data and terminal text (``aftersales describe`` and ``decide``)."""

from __future__ import annotations

from typing import Any

from ..playbook.compiled import CompiledPlaybook
from ..playbook.expressions import Expression
from .formats import span_text
from .sentences import compensation_text
from .words import term


def _payer(value: Any) -> str:
    return value.source if isinstance(value, Expression) else value


def describe_playbook(playbook: CompiledPlaybook, lang: str = "en") -> dict[str, Any]:
    """The playbook's inputs, steps and outcomes as plain data in ``lang``."""
    return {
        "scenario": playbook.scenario,
        "version": playbook.version,
        "content_hash": playbook.content_hash,
        "title": playbook.title[lang],
        "summary": playbook.summary[lang],
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
            {"id": s.id, "kind": s.kind, "title": s.title[lang], "ask": list(s.ask),
             "let": {name: e.source for name, e in s.lets},
             "checklist": [{"do": c.text[lang], "owner": c.owner,
                            "deadline": c.deadline.within.describe() if c.deadline else None} for c in s.checklist],
             "branches": [{"when": b.condition.source if b.condition else "default", "goto": b.target,
                           "reason": b.reason[lang] if b.reason else None, "source": b.source} for b in s.branches],
             "next": s.next, "source": s.source}
            for s in playbook.steps.values()
        ],
        "outcomes": [
            {"id": o.id, "title": o.title[lang], "resolution": o.resolution,
             "return_shipping_paid_by": _payer(o.shipping), "cost_borne_by": _payer(o.cost),
             "compensation": o.compensation.amount.source if o.compensation else None,
             "deadlines": [{"name": d.name, "within": d.within.describe(), "from": d.start.source} for d in o.deadlines],
             "sources": list(o.sources)}
            for o in playbook.outcomes.values()
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
