"""``aftersales diff OLD NEW``: what a change to the playbooks means, in a lead's terms, and
which cases it decides differently.

OLD and NEW are playbooks folders (or a repository folder holding ``playbooks/``) or git
revisions of this repository (``HEAD~1``, ``main``). Changes are listed as a lead would say
them ("size_tolerance_cm on taobao: 3 → 4 cm", "size_mismatch: new branch in step
'tolerance' → quality_choice", "size_mismatch: message en of outcome 'x' changed"); the
impact is every case of the practice bank (and of an optional cases CSV) whose outcome,
payer, compensation or deadlines change.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import AftersalesError, UnknownNameError
from .replay import csv_facts

IMPACT_FIELDS = ("outcome", "return_shipping_paid_by", "cost_borne_by", "compensation", "deadlines")


@dataclass
class DiffReport:
    old: str
    new: str
    changes: list[str] = field(default_factory=list)
    impact: list[dict[str, Any]] = field(default_factory=list)  # one row per case whose decision changes
    checked: int = 0  # cases decided on both sides, or offered on one side only
    #: cases refused on one side or both for their facts: ``{case, scenario, platform, old, new}``,
    #: each side's reason or "decided"; never counted as unchanged
    undecided: list[dict[str, Any]] = field(default_factory=list)
    #: cases on a platform or scenario that neither side offers (e.g. a platform both overlays turn off)
    not_offered: list[dict[str, Any]] = field(default_factory=list)

    @property
    def outcome_changes(self) -> bool:
        return bool(self.impact)

    @property
    def total(self) -> int:
        return self.checked + len(self.undecided) + len(self.not_offered)


def resolve_side(spec: str, repo: Path) -> Path:
    """A playbooks folder for ``spec``: a folder as given, or ``playbooks/`` of a git revision."""
    path = Path(spec)
    if path.is_dir():
        return path / "playbooks" if (path / "playbooks" / "parameters.yaml").is_file() else path
    try:
        archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", spec, "playbooks"],
                                 capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1] if getattr(exc, "stderr", None) else str(exc)
        raise AftersalesError(f"'{spec}' is neither a playbooks folder nor a git revision of {repo}: {detail}") from None
    target = Path(tempfile.mkdtemp(prefix="aftersales-diff-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "playbooks"


def _param_text(value: Any, unit: str) -> str:
    if value is None:
        return "none"
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else json.dumps(value, ensure_ascii=False) \
        if isinstance(value, (list, dict)) else str(value)
    return f"{text} {unit}" if unit and unit != "none" else text


def parameter_changes(old: Any, new: Any, day: date) -> list[str]:
    changes = []
    for platform in sorted(set(old.profiles) | set(new.profiles)):
        if platform not in new.profiles:
            disabled = new.disabled_platforms.get(platform)
            changes.append(f"platform {platform} disabled by overlay {new.overlay.name}" if disabled
                           else f"platform {platform} removed")
            continue
        if platform not in old.profiles:
            changes.append(f"platform {platform} added")
            continue
        before, after = old.profiles[platform].resolve(day), new.profiles[platform].resolve(day)
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name), after.get(name)
            if a is None or b is None:
                changes.append(f"parameter {name} on {platform} {'added' if a is None else 'removed'}")
            elif (a.value, a.unit) != (b.value, b.unit):
                changes.append(f"{name} on {platform}: {_param_text(a.value, a.unit)} → {_param_text(b.value, b.unit)}"
                               f" (source: {b.source})")
            elif a.source != b.source:
                changes.append(f"{name} on {platform}: source {a.source} → {b.source}")
    return changes


def _branches(step: Any) -> dict[tuple[str, str], Any]:
    return {(b.condition.source if b.condition is not None else "default", b.target): b for b in step.branches}


def playbook_changes(old: Any, new: Any) -> list[str]:
    changes = []
    for scenario in sorted(set(old.playbooks) | set(new.playbooks)):
        a, b = old.playbooks.get(scenario), new.playbooks.get(scenario)
        if a is None or b is None:
            changes.append(f"scenario {scenario} {'added' if a is None else 'removed'}")
            continue
        if a.version != b.version:
            changes.append(f"{scenario}: version {a.version} → {b.version}")
        if a.platforms != b.platforms:
            changes.append(f"{scenario}: platforms {', '.join(a.platforms)} → {', '.join(b.platforms)}")
        for name in sorted(set(a.inputs) ^ set(b.inputs)):
            changes.append(f"{scenario}: input {name} {'added' if name in b.inputs else 'removed'}")
        for step_id in sorted(set(a.steps) | set(b.steps)):
            sa, sb = a.steps.get(step_id), b.steps.get(step_id)
            if sa is None or sb is None:
                title = (sb or sa).title["en"]
                changes.append(f"{scenario}: step '{title}' ({step_id}) {'added' if sa is None else 'removed'}")
                continue
            ba, bb = _branches(sa), _branches(sb)
            for key in bb.keys() - ba.keys():
                reason = bb[key].reason["en"] if bb[key].reason else key[0]
                changes.append(f"{scenario}: new branch '{reason}' in step '{sb.title['en']}' → {key[1]}")
            for key in ba.keys() - bb.keys():
                changes.append(f"{scenario}: branch '{key[0]}' → {key[1]} removed from step '{sa.title['en']}'")
            if [(k) for k in _branches(sa)] != [(k) for k in _branches(sb)] and ba.keys() == bb.keys():
                changes.append(f"{scenario}: branches of step '{sb.title['en']}' reordered")
        for outcome_id in sorted(set(a.outcomes) | set(b.outcomes)):
            oa, ob = a.outcomes.get(outcome_id), b.outcomes.get(outcome_id)
            if oa is None or ob is None:
                changes.append(f"{scenario}: outcome '{(ob or oa).title['en']}' ({outcome_id}) "
                               f"{'added' if oa is None else 'removed'}")
                continue
            for label, x, y in (("resolution", oa.resolution, ob.resolution),
                                ("return shipping paid by", getattr(oa.shipping, "source", oa.shipping),
                                 getattr(ob.shipping, "source", ob.shipping)),
                                ("cost borne by", getattr(oa.cost, "source", oa.cost), getattr(ob.cost, "source", ob.cost)),
                                ("compensation", oa.compensation.amount.source if oa.compensation else None,
                                 ob.compensation.amount.source if ob.compensation else None),
                                ("reply kind", oa.reply_kind, ob.reply_kind)):
                if x != y:
                    changes.append(f"{scenario}: {label} of outcome '{outcome_id}': {x} → {y}")
            for lang in sorted(set(oa.message_sources) | set(ob.message_sources)):
                if oa.message_sources.get(lang) != ob.message_sources.get(lang):
                    changes.append(f"{scenario}: message {lang} for outcome '{outcome_id}' changed")
    return changes


class _NotOffered(str):
    """Why one side does not handle a case at all: its platform or scenario is not offered there."""


class _Refused(str):
    """Why one side cannot decide a case: a fact is missing, unknown or invalid."""


def _decide(library: Any, case: dict[str, Any], other: Any = None) -> dict[str, Any] | _NotOffered | _Refused:
    """The decision summary of ``case`` on one side, or why there is none. A case from a CSV
    (``raw``) has its cells read by that side's input types, so an all-digit order id stays text.

    A fact that this side's playbook does not have but the ``other`` side's does (an input one
    version added) is left out here: that version of the rules never asked for it. A fact
    neither side knows (a typo) is still refused."""
    from .engine import decide
    from .training.cases import decision_summary

    try:
        playbook = library.playbook(case["scenario"])
        facts = case["facts"]
        if other is not None and case["scenario"] in other.playbooks:
            elsewhere = set(other.playbook(case["scenario"]).inputs) - set(playbook.inputs)
            facts = {name: value for name, value in facts.items() if name not in elsewhere}
        facts = csv_facts(facts, playbook, skip=()) if case.get("raw") else facts
        return decision_summary(decide(playbook, facts, case["platform"], lang=case.get("lang"),
                                       as_of=case["as_of"], library=library, render_message=False))
    except UnknownNameError as exc:
        return _NotOffered(str(exc))
    except AftersalesError as exc:
        return _Refused(str(exc))


def bank_cases(root: Path) -> list[dict[str, Any]]:
    """The practice bank's cases (from the NEW side's ``cases/``) as plain case mappings."""
    from .training.cases import cases_root, load_cases

    folder = cases_root(root / "cases")
    if not folder.is_dir():
        return []
    return [{"id": c.id, "scenario": c.scenario, "platform": c.platform, "lang": c.lang, "as_of": c.as_of,
             "facts": dict(c.facts)} for c in load_cases(folder)]


def csv_cases(path: Path) -> list[dict[str, Any]]:
    """Cases from a CSV: columns ``scenario``, ``platform``, optional ``id``, ``lang``, ``as_of``; the rest are facts,
    kept as text until each side reads them by its own input types."""
    import pandas as pd

    from .examples import EXAMPLE_AS_OF

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise AftersalesError(f"{path}: no such cases file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AftersalesError(f"{path}: cannot read the cases: {exc}") from None
    missing = {"scenario", "platform"} - set(frame.columns)
    if missing:
        raise AftersalesError(f"{path}: missing column(s) {', '.join(sorted(missing))}; needed: scenario, platform")
    cases = []
    for number, row in enumerate(frame.to_dict("records"), start=2):
        facts = {k: v for k, v in row.items() if k not in ("id", "scenario", "platform", "lang", "as_of") and v != ""}
        cases.append({"id": row.get("id") or f"{path.name}:{number}", "scenario": row["scenario"],
                      "platform": row["platform"], "lang": row.get("lang") or None,
                      "as_of": row.get("as_of") or EXAMPLE_AS_OF, "facts": facts, "raw": True})
    return cases


def diff_libraries(old_spec: str, new_spec: str, *, repo: Path, cases_csv: Path | None = None,
                   day: date | None = None, old_overlay: str | None = None,
                   new_overlay: str | None = None) -> DiffReport:
    """Compare two playbook versions, each optionally with a store overlay laid over it (a name
    is looked up in that side's own ``overlays/``, so a git revision brings its own copy)."""
    from .library import load_library
    from .overlay import resolve_overlay

    old_root, new_root = resolve_side(old_spec, repo), resolve_side(new_spec, repo)
    old = load_library(old_root, overlay=resolve_overlay(old_overlay, old_root) if old_overlay else None)
    new = load_library(new_root, overlay=resolve_overlay(new_overlay, new_root) if new_overlay else None)
    report = DiffReport(old_spec, new_spec)
    report.changes = parameter_changes(old, new, day or date.today()) + playbook_changes(old, new)
    cases = bank_cases(new_root) + (csv_cases(cases_csv) if cases_csv else [])
    for case in cases:
        before, after = _decide(old, case, new), _decide(new, case, old)
        where = {"case": case["id"], "scenario": case["scenario"], "platform": case["platform"]}
        if isinstance(before, _NotOffered) and isinstance(after, _NotOffered):
            report.not_offered.append({**where, "reason": str(after)})
            continue
        if isinstance(before, _Refused) or isinstance(after, _Refused):
            report.undecided.append({**where, "old": _side(before), "new": _side(after)})
            continue
        report.checked += 1
        if isinstance(before, str) or isinstance(after, str):  # offered on one side only: a change in itself
            report.impact.append({**where, "field": "decision", "old": _side(before), "new": _side(after)})
            continue
        for name in IMPACT_FIELDS:
            if before[name] != after[name]:
                report.impact.append({**where, "field": name, "old": json.dumps(before[name], ensure_ascii=False),
                                      "new": json.dumps(after[name], ensure_ascii=False)})
    return report


def _side(result: dict[str, Any] | str) -> str:
    """One side's result in a line: the outcome decided, or why there is none."""
    if isinstance(result, _NotOffered):
        return f"not offered: {result}"
    if isinstance(result, _Refused):
        return f"refused: {result}"
    return f"decided: {result['outcome']}"


def impact_chart(report: DiffReport, path: Path) -> Path:
    """Changed cases per scenario and field, as a PNG bar chart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    frame = pd.DataFrame(report.impact, columns=["case", "scenario", "platform", "field", "old", "new"])
    figure, axis = plt.subplots(figsize=(8, 3.5))
    if frame.empty:
        axis.text(0.5, 0.5, "no case decided differently", ha="center", va="center")
        axis.set_axis_off()
    else:
        frame.groupby(["scenario", "field"])["case"].nunique().unstack(fill_value=0).plot.barh(ax=axis, stacked=True)
        axis.set_xlabel("cases decided differently")
    axis.set_title(f"Impact of {report.old} → {report.new}")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
