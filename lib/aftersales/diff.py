"""``aftersales diff OLD NEW``: what a change to the playbooks means, in a lead's terms, and
which cases it decides differently.

OLD and NEW are playbooks folders (or a repository folder holding ``playbooks/``) or git
revisions of this repository (``HEAD~1``, ``main``). Changes are listed as a lead would say
them ("size_tolerance_cm on taobao: 3 → 4 cm", "size_mismatch: new branch in step
'tolerance' → quality_choice", "size_mismatch: step 'Within the size tolerance?' computes
tolerance_cm = 2 (was params.size_tolerance_cm)"); the impact is every case of the practice
bank (and of an optional cases CSV) whose outcome, payer, compensation or deadlines change.

Nothing is hidden: a case one side cannot decide is never counted as unchanged (it is
refused on both sides, newly refused or newly decided), a case on a platform one side does
not offer is summed up per platform, and every changed ``let:``, branch (condition, target,
reason, source), message, deadline and parameter is a line of ``changes``. The impact can be
approved (:mod:`aftersales.diff_report`: ``--write-baseline``/``--baseline``) and read by a
manager (``--report impact.html``).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import AftersalesError, UnknownNameError
from .replay import csv_facts

IMPACT_FIELDS = ("outcome", "return_shipping_paid_by", "cost_borne_by", "compensation", "deadlines")
#: what a case's decision is, on one side, in the baseline and the report (deadlines are listed apart)
STATE_FIELDS = ("outcome", "resolution", "return_shipping_paid_by", "cost_borne_by", "compensation")
#: resolutions that give the buyer the order value back
REFUNDS = ("refund", "refund_without_return")

REFUSED_BOTH, NEWLY_REFUSED, NEWLY_DECIDED = "refused on both sides", "newly refused", "newly decided"


@dataclass
class DiffReport:
    old: str
    new: str
    changes: list[str] = field(default_factory=list)
    impact: list[dict[str, Any]] = field(default_factory=list)  # one row per case and field whose decision changes
    checked: int = 0  # cases decided on both sides, or offered on one side only
    #: cases refused on one side or both for their facts: ``{case, scenario, platform, old, new, kind}``,
    #: each side's reason or "decided"; ``kind`` one of REFUSED_BOTH, NEWLY_REFUSED, NEWLY_DECIDED;
    #: never counted as unchanged
    undecided: list[dict[str, Any]] = field(default_factory=list)
    #: cases on a platform or scenario that neither side offers (e.g. a platform both overlays turn off)
    not_offered: list[dict[str, Any]] = field(default_factory=list)
    #: every case with each side's state (``{"status": "decided", outcome, resolution, payers,
    #: compensation}`` or ``{"status": "refused"|"not offered", "reason"}``), its money per side,
    #: the fields that changed and the rule that moved it (the first step whose taken branch differs)
    cases: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # export rows the --map file could not read, in words
    old_name: str = ""  # the sides as a reader names them: "HEAD", "working tree", a folder's name
    new_name: str = ""

    @property
    def outcome_changes(self) -> bool:
        return bool(self.impact)

    @property
    def total(self) -> int:
        return self.checked + len(self.undecided) + len(self.not_offered)

    @property
    def moved(self) -> list[dict[str, Any]]:
        """The cases whose decision differs in any way, or that one side decides and the other does not."""
        return [case for case in self.cases if case["fields"]]

    @property
    def title(self) -> str:
        return f"{self.old_name or self.old} → {self.new_name or self.new}"


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


def side_name(spec: str, repo: Path, overlay: str | None = None) -> str:
    """How a reader names a side: the git revision as given, "working tree" for this repository's
    own ``playbooks/``, else the folder's name (its parent's when it is called ``playbooks``);
    with "+ overlay NAME" when a store overlay is laid over it."""
    path = Path(spec)
    if not path.is_dir():
        name = spec
    else:
        folder = path / "playbooks" if (path / "playbooks" / "parameters.yaml").is_file() else path
        folder = folder.resolve()
        if folder == (repo / "playbooks").resolve():
            name = "working tree"
        else:
            name = folder.parent.name if folder.name == "playbooks" and folder.parent.name else folder.name
    if overlay:
        name += f" + overlay {Path(overlay).stem}"
    return name


# ----------------------------------------------------------------------------- structural changes

def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _value_text(value: Any) -> str:
    """A parameter's or an input's value in words: lists and mappings as text, never JSON."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(_value_text(item) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_value_text(item)}" for key, item in value.items()) or "none"
    if isinstance(value, str) and "\n" in value:  # an address: its lines on one line
        return " / ".join(line.strip() for line in value.splitlines() if line.strip())
    return _number(value)


def _param_text(value: Any, unit: str) -> str:
    text = _value_text(value)
    return f"{text} {unit}" if unit and unit != "none" and value is not None else text


def parameter_changes(old: Any, new: Any, day: date) -> list[str]:
    changes = []
    for platform in sorted(set(old.profiles) | set(new.profiles)):
        if platform not in new.profiles:
            disabled = new.disabled_platforms.get(platform)
            changes.append(f"platform {platform} disabled by overlay {new.overlay.name}" if disabled
                           else f"platform {platform} removed")
            continue
        if platform not in old.profiles:
            enabled = old.disabled_platforms.get(platform)
            changes.append(f"platform {platform} enabled again (disabled by overlay {old.overlay.name} before)"
                           if enabled else f"platform {platform} added")
            continue
        before, after = old.profiles[platform].resolve(day), new.profiles[platform].resolve(day)
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name), after.get(name)
            if a is None or b is None:
                kept = b or a
                changes.append(f"parameter {name} on {platform} {'added' if a is None else 'removed'}: "
                               f"{_param_text(kept.value, kept.unit)}")
            elif (a.value, a.unit) != (b.value, b.unit):
                changes.append(f"{name} on {platform}: {_param_text(a.value, a.unit)} → {_param_text(b.value, b.unit)}"
                               f" (source: {b.source})")
            elif a.source != b.source:
                changes.append(f"{name} on {platform}: source {a.source} → {b.source}")
            else:
                changes += _dated_changes(name, platform, old.profiles[platform], new.profiles[platform])
    return changes


def _dated_changes(name: str, platform: str, before: Any, after: Any) -> list[str]:
    """Values of a parameter not in force today that one side dates differently (one that takes
    effect later, or an earlier value rewritten): listed so a dated change is not hidden."""
    def entries(profile: Any) -> dict[tuple, Any]:
        return {(e.effective_from, repr(e.value), e.unit): e for e in profile.history.get(name, ())}

    a, b = entries(before), entries(after)
    changes = []
    for key in [k for k in b if k not in a]:
        entry = b[key]
        changes.append(f"{name} on {platform}: dated value {_param_text(entry.value, entry.unit or '')} from "
                       f"{entry.effective_from or 'an unknown date'} added (source: {entry.source})")
    for key in [k for k in a if k not in b]:
        entry = a[key]
        changes.append(f"{name} on {platform}: dated value {_param_text(entry.value, entry.unit or '')} from "
                       f"{entry.effective_from or 'an unknown date'} removed")
    return changes


def _condition(branch: Any) -> str:
    return branch.condition.source.strip() if branch.condition is not None else "otherwise"


def _text(value: Any) -> str:
    """A playbook text (``{en, zh, ru}``) in English, or the plain value."""
    if isinstance(value, dict):
        return str(value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _pair_branches(a: tuple, b: tuple) -> tuple[list[tuple[Any, Any]], list[Any], list[Any]]:
    """Branches of one step on both sides matched up: same condition and target first, then the
    same target (a changed condition), then the same condition (a changed target)."""
    left, right = list(a), list(b)
    pairs: list[tuple[Any, Any]] = []
    for key in ((lambda x: (_condition(x), x.target)), (lambda x: x.target), _condition):
        for x in list(left):
            same = [y for y in right if key(y) == key(x)]
            if len(same) == 1 and len([z for z in left if key(z) == key(x)]) == 1:
                pairs.append((x, same[0]))
                left.remove(x)
                right.remove(same[0])
    return pairs, left, right


def _branch_changes(where: str, sa: Any, sb: Any) -> list[str]:
    changes = []
    pairs, removed, added = _pair_branches(sa.branches, sb.branches)
    for x, y in pairs:
        what = f"{where}: branch '{_condition(y)}' → {y.target}"
        if _condition(x) != _condition(y):
            changes.append(f"{where}: branch → {y.target}: condition '{_condition(x)}' → '{_condition(y)}'")
        if x.target != y.target:
            changes.append(f"{where}: branch '{_condition(y)}': goes to {x.target} → {y.target}")
        if _text(x.reason) != _text(y.reason):
            changes.append(f"{what}: reason '{_text(x.reason) or '(the step’s)'}' → '{_text(y.reason) or '(the step’s)'}'")
        if (x.source or "") != (y.source or ""):
            changes.append(f"{what}: source '{x.source or '(the step’s)'}' → '{y.source or '(the step’s)'}'")
    for y in added:
        reason = _text(y.reason) or _condition(y)
        changes.append(f"{where.split(': ')[0]}: new branch '{reason}' in step '{_text(sb.title)}' → {y.target}"
                       f" (when {_condition(y)})")
    for x in removed:
        changes.append(f"{where.split(': ')[0]}: branch '{_condition(x)}' → {x.target} removed from step '{_text(sa.title)}'")
    order_a = [(_condition(x), x.target) for x, _y in sorted(pairs, key=lambda p: p[0].index)]
    order_b = [(_condition(x), x.target) for x, _y in sorted(pairs, key=lambda p: p[1].index)]
    if order_a != order_b:
        changes.append(f"{where}: branches reordered (the first that holds wins)")
    return changes


def _step_changes(scenario: str, sa: Any, sb: Any) -> list[str]:
    where = f"{scenario}: step '{_text(sb.title)}'"
    changes = []
    if _text(sa.title) != _text(sb.title):
        changes.append(f"{scenario}: step {sb.id} renamed '{_text(sa.title)}' → '{_text(sb.title)}'")
    for name in sorted(set(sb.ask) - set(sa.ask)):
        changes.append(f"{where}: now asks for {name}")
    for name in sorted(set(sa.ask) - set(sb.ask)):
        changes.append(f"{where}: no longer asks for {name}")
    lets_a = {name: expr.source.strip() for name, expr in sa.lets}
    lets_b = {name: expr.source.strip() for name, expr in sb.lets}
    for name in sorted(set(lets_a) | set(lets_b)):
        x, y = lets_a.get(name), lets_b.get(name)
        if x is None:
            changes.append(f"{where}: now computes {name} = {y}")
        elif y is None:
            changes.append(f"{where}: no longer computes {name} (was {x})")
        elif x != y:
            changes.append(f"{where}: computes {name} = {y} (was {x})")
    changes += _branch_changes(where, sa, sb)
    if (sa.next or "") != (sb.next or ""):
        changes.append(f"{where}: next step {sa.next or 'none'} → {sb.next or 'none'}")
    if _text(sa.reason) != _text(sb.reason):
        changes.append(f"{where}: reason '{_text(sa.reason)}' → '{_text(sb.reason)}'")
    if (sa.source or "") != (sb.source or ""):
        changes.append(f"{where}: source '{sa.source or 'none'}' → '{sb.source or 'none'}'")
    if [_text(i.text) for i in sa.checklist] != [_text(i.text) for i in sb.checklist]:
        changes.append(f"{where}: checklist changed ({len(sa.checklist)} → {len(sb.checklist)} items)")
    return changes


def deadline_words(deadline: Any) -> str:
    """A playbook's deadline in words: "First reply: 24 hours from the complaint", or
    "First reply: the platform's reply_deadline_h from the complaint" for a parameter."""
    from .present.sentences import deadline_rule
    from .present.words import start_words

    label = _text(deadline.label) or deadline.name.replace("_", " ")
    start = deadline.start.source.strip()
    if deadline.within.param:
        return f"{label}: the platform's {deadline.within.param} from {start_words(start, 'en')}"
    return deadline_rule(label, deadline.within.amount or 0, deadline.within.unit or "", start, "en")


def _outcome_changes(scenario: str, outcome_id: str, oa: Any, ob: Any) -> list[str]:
    changes = []

    def expr(value: Any) -> Any:
        return getattr(value, "source", value)

    def money(comp: Any) -> str | None:
        if comp is None:
            return None
        text = f"{expr(comp.amount)} {expr(comp.currency)}"
        if comp.minimum is not None or comp.maximum is not None:
            text += f" (from {expr(comp.minimum)} to {expr(comp.maximum)})"
        return text

    for label, x, y in (("title", _text(oa.title), _text(ob.title)),
                        ("resolution", oa.resolution, ob.resolution),
                        ("return shipping paid by", expr(oa.shipping), expr(ob.shipping)),
                        ("cost borne by", expr(oa.cost), expr(ob.cost)),
                        ("compensation", money(oa.compensation), money(ob.compensation)),
                        ("reply kind", oa.reply_kind, ob.reply_kind),
                        ("sources", "; ".join(oa.sources), "; ".join(ob.sources))):
        if x != y:
            changes.append(f"{scenario}: {label} of outcome '{outcome_id}': {x or 'none'} → {y or 'none'}")
    before = {d.name: deadline_words(d) for d in oa.deadlines}
    after = {d.name: deadline_words(d) for d in ob.deadlines}
    for name in sorted(set(before) | set(after)):
        x, y = before.get(name), after.get(name)
        if x != y:
            changes.append(f"{scenario}: deadline of outcome '{outcome_id}': {x or 'none'} → {y or 'none'}")
    if [_text(i.text) for i in oa.checklist] != [_text(i.text) for i in ob.checklist]:
        changes.append(f"{scenario}: checklist of outcome '{outcome_id}' changed "
                       f"({len(oa.checklist)} → {len(ob.checklist)} items)")
    for lang in sorted(set(oa.message_sources) | set(ob.message_sources)):
        x, y = oa.message_sources.get(lang), ob.message_sources.get(lang)
        if x != y:
            changes.append(f"{scenario}: message {lang} for outcome '{outcome_id}' changed{_wording(x, y)}")
    return changes


def _wording(before: str | None, after: str | None, most: int = 80) -> str:
    """The first changed wording of a message: ": 'we are sorry' → 'we apologise'" (cut to ``most`` characters)."""
    import difflib

    if not before or not after:
        return " (added)" if after else " (removed)"
    split = (lambda text: list(text)) if any("\u4e00" <= ch <= "\u9fff" for ch in before + after) else str.split
    joiner = "" if split is not str.split else " "
    a, b = split(before), split(after)
    edits = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not edits:
        return ""
    _tag, i1, i2, j1, j2 = edits[0]
    old, new = joiner.join(a[i1:i2])[:most], joiner.join(b[j1:j2])[:most]
    text = f": '{old}' → '{new}'" if old and new else f": '{new}' added" if new else f": '{old}' removed"
    return text + (f" (and {len(edits) - 1} more edit(s))" if len(edits) > 1 else "")


def _input_changes(scenario: str, a: Any, b: Any) -> list[str]:
    changes = []
    for name in sorted(set(a.inputs) ^ set(b.inputs)):
        changes.append(f"{scenario}: input {name} {'added' if name in b.inputs else 'removed'}")
    for name in sorted(set(a.inputs) & set(b.inputs)):
        x, y = a.inputs[name].spec, b.inputs[name].spec
        for attribute in ("type", "required", "default", "min", "max", "unit", "choices"):
            vx, vy = getattr(x, attribute), getattr(y, attribute)
            if vx != vy:
                changes.append(f"{scenario}: input {name}: {attribute} {_value_text(vx)} → {_value_text(vy)}")
    return changes


def playbook_changes(old: Any, new: Any) -> list[str]:
    changes = []
    for scenario in sorted(set(old.playbooks) | set(new.playbooks)):
        a, b = old.playbooks.get(scenario), new.playbooks.get(scenario)
        if a is None or b is None:
            changes.append(f"scenario {scenario} {'added' if a is None else 'removed'}")
            continue
        if a.version != b.version:
            changes.append(f"{scenario}: version {a.version} → {b.version}")
        explained = (set(a.platforms) - set(b.platforms) <= set(new.disabled_platforms)
                     and set(b.platforms) - set(a.platforms) <= set(old.disabled_platforms))
        if a.platforms != b.platforms and not explained:  # else said once: "platform X disabled by overlay"
            changes.append(f"{scenario}: platforms {', '.join(a.platforms)} → {', '.join(b.platforms)}")
        if a.start != b.start:
            changes.append(f"{scenario}: starts at {a.start} → {b.start}")
        changes += _input_changes(scenario, a, b)
        for step_id in sorted(set(a.steps) | set(b.steps)):
            sa, sb = a.steps.get(step_id), b.steps.get(step_id)
            if sa is None or sb is None:
                title = _text((sb or sa).title)
                changes.append(f"{scenario}: step '{title}' ({step_id}) {'added' if sa is None else 'removed'}")
                continue
            changes += _step_changes(scenario, sa, sb)
        for outcome_id in sorted(set(a.outcomes) | set(b.outcomes)):
            oa, ob = a.outcomes.get(outcome_id), b.outcomes.get(outcome_id)
            if oa is None or ob is None:
                changes.append(f"{scenario}: outcome '{_text((ob or oa).title)}' ({outcome_id}) "
                               f"{'added' if oa is None else 'removed'}")
                continue
            changes += _outcome_changes(scenario, outcome_id, oa, ob)
    return changes


# ----------------------------------------------------------------------------- deciding both sides

class _NotOffered(str):
    """Why one side does not handle a case at all: its platform or scenario is not offered there."""


class _Refused(str):
    """Why one side cannot decide a case: a fact is missing, unknown or invalid."""


def _where(location: Any, root: Path) -> str:
    """A step's place as a lead finds it in that side's folder ("size_mismatch.yaml:139"), never a temporary path."""
    try:
        file = Path(location.file).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        file = location.file
    return f"{file}:{location.line}" if location.line else file


def _steps(decision: Any, root: Path) -> list[dict[str, Any]]:
    """The path of a decision: each step, the branch it took, that branch's reason and source."""
    steps = []
    for step, branch in decision.path:
        reason = (branch.reason if branch is not None and branch.reason else step.reason) or step.title
        source = (branch.source if branch is not None and branch.source else None) or step.source or ""
        steps.append({"step": step.id, "title": _text(step.title),
                      "branch": f"{_condition(branch)} → {branch.target}" if branch is not None else f"→ {step.next}",
                      "reason": _text(reason), "source": source, "where": _where(step.location, root)})
    return steps


def _money(decision: Any) -> list[dict[str, Any]]:
    """What a decision pays, each amount with its currency: the refund (the order value for a
    refund), the compensation, and the return shipping when the seller pays it and its cost is known."""
    env = decision.env
    currency = env.get("currency")
    paid: list[dict[str, Any]] = []
    value = env.get("order_value")
    if decision.resolution in REFUNDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        paid.append({"kind": "refunds", "amount": float(value), "currency": currency})
    if decision.compensation is not None and decision.compensation.get("amount"):
        paid.append({"kind": "compensation", "amount": float(decision.compensation["amount"]),
                     "currency": decision.compensation.get("currency") or currency})
    cost = env.get("return_shipping_cost")
    if decision.return_shipping_paid_by == "seller":  # the cost of a return label is counted when known
        known = isinstance(cost, (int, float)) and not isinstance(cost, bool)
        paid.append({"kind": "shipping", "amount": float(cost) if known else None, "currency": currency})
    return paid


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
        decision = decide(playbook, facts, case["platform"], lang=case.get("lang"), as_of=case["as_of"],
                          library=library, render_message=False)
    except UnknownNameError as exc:
        return _NotOffered(str(exc))
    except AftersalesError as exc:
        return _Refused(str(exc))
    return {**decision_summary(decision), "steps": _steps(decision, Path(library.root)), "money": _money(decision)}


def bank_cases(root: Path) -> list[dict[str, Any]]:
    """The practice bank's cases (from the NEW side's ``cases/``) as plain case mappings."""
    from .training.cases import cases_root, load_cases

    folder = cases_root(root / "cases")
    if not folder.is_dir():
        return []
    return [{"id": c.id, "scenario": c.scenario, "platform": c.platform, "lang": c.lang, "as_of": c.as_of,
             "facts": dict(c.facts)} for c in load_cases(folder)]


def mapped_cases(path: Path, mapping: Path, library: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Cases from a real export read through a ``--map`` file, exactly as ``replay --map`` reads it
    (column renames, value maps, dates, money cells, reason keywords, the scenario and platform
    columns, each row's own moment), and the rows the mapping refused, in words."""
    import csv as csv_module
    import tempfile

    from .replay import _known_facts, replay
    from .replay_mapping import load_mapping

    known = _known_facts(library)
    spec = load_mapping(mapping, set(known)).spec
    with tempfile.TemporaryDirectory(prefix="aftersales-diff-") as folder:
        out = Path(folder) / "mapped.csv"
        replay(path, None, None, out=out, mapping=mapping, library=library)
        rows = list(csv_module.DictReader(out.open(encoding="utf-8"))) if out.is_file() else []
        errors_file = out.with_name("mapped.errors.csv")
        refused = list(csv_module.DictReader(errors_file.open(encoding="utf-8"))) if errors_file.is_file() else []
    cases = []
    for number, row in enumerate(rows, start=1):
        scenario = row.get("scenario") or spec.scenario
        inputs = library.playbooks[scenario].inputs if scenario in library.playbooks else known
        facts = {name: value for name, value in row.items() if name in inputs and value != ""}
        cases.append({"id": row.get("id") or f"{path.name}:{number}", "scenario": scenario,
                      "platform": row.get("platform") or spec.platform, "lang": row.get("lang") or None,
                      "as_of": row.get("decided_as_of") or row.get("as_of"), "facts": facts, "raw": True})
    unmapped = [f"row {r.get('row')}: {r.get('column')}: {r.get('reason')}" for r in refused]
    return cases, unmapped


def csv_cases(path: Path) -> list[dict[str, Any]]:
    """Cases from a CSV: columns ``scenario``, ``platform``, optional ``id``, ``lang``, ``as_of``; the rest are facts,
    kept as text until each side reads them by its own input types."""
    import pandas as pd

    from .examples import EXAMPLE_AS_OF

    if not Path(path).is_file():
        raise AftersalesError(f"{path}: no such cases file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise AftersalesError(f"{path}: no such cases file") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise AftersalesError(f"{path}: cannot read the cases: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
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


def _state(result: dict[str, Any] | str) -> dict[str, Any]:
    """One side's result as the baseline and the report keep it."""
    if isinstance(result, _NotOffered):
        return {"status": "not offered", "reason": str(result)}
    if isinstance(result, _Refused):
        return {"status": "refused", "reason": str(result)}
    return {"status": "decided", **{name: result[name] for name in STATE_FIELDS}}


def moving_rule(before: dict[str, Any] | str, after: dict[str, Any] | str) -> dict[str, Any] | None:
    """The rule that moved a case: the first step whose taken branch differs between the sides,
    with the NEW side's branch, reason and source (None when one side did not decide, or the
    path is the same and only the outcome's terms changed, e.g. a parameter)."""
    if isinstance(before, str) or isinstance(after, str):
        return None
    for a, b in zip(before["steps"], after["steps"], strict=False):
        if a["step"] != b["step"] or a["branch"] != b["branch"]:
            return {**b, "was": a["branch"] if a["step"] == b["step"] else f"{a['title']}: {a['branch']}"}
    if len(before["steps"]) != len(after["steps"]):
        longer = after["steps"] if len(after["steps"]) > len(before["steps"]) else before["steps"]
        return {**longer[min(len(before["steps"]), len(after["steps"]))], "was": "(path ended here)"}
    return None


def _when(text: str | None) -> str:
    from .present.formats import format_when

    if not text:
        return "none"
    try:
        return format_when(datetime.fromisoformat(text))
    except ValueError:
        return text


def field_text(name: str, value: Any) -> str:
    """One field of a decision in words (no JSON): an outcome id, a party, money with its currency."""
    from .present.sentences import compensation_text
    from .present.words import term

    if name in ("return_shipping_paid_by", "cost_borne_by"):
        try:
            return term("parties", value, "en")
        except Exception:  # noqa: BLE001 - a party the catalogue does not name
            return str(value)
    if name == "compensation":
        return compensation_text(value, "en")
    return "none" if value is None else str(value)


def _deadline_rows(before: dict[str, str], after: dict[str, str]) -> tuple[str, str, str]:
    """The deadlines that moved, each side in words, and the move itself ("first reply 12 hours earlier")."""
    from .present.formats import span_text

    names = [name for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name)]
    label = {name: name.replace("_", " ") for name in names}
    shifts = []
    for name in names:
        x, y = before.get(name), after.get(name)
        if x is None or y is None:
            shifts.append(f"{label[name]} {'added' if x is None else 'removed'}")
            continue
        seconds = (datetime.fromisoformat(y) - datetime.fromisoformat(x)).total_seconds()
        shifts.append(f"{label[name]} {span_text(seconds, 'en')} {'earlier' if seconds < 0 else 'later'}")
    return ("; ".join(f"{label[n]} {_when(before.get(n))}" for n in names),
            "; ".join(f"{label[n]} {_when(after.get(n))}" for n in names), "; ".join(sorted(shifts)))


def _side(result: dict[str, Any] | str) -> str:
    """One side's result in a line: the outcome decided, or why there is none."""
    if isinstance(result, _NotOffered):
        return f"not offered: {result}"
    if isinstance(result, _Refused):
        return f"refused: {result}"
    return f"decided: {result['outcome']}"


def diff_libraries(old_spec: str, new_spec: str, *, repo: Path, cases_csv: Path | None = None,
                   day: date | None = None, old_overlay: str | None = None,
                   new_overlay: str | None = None, cases_map: Path | None = None) -> DiffReport:
    """Compare two playbook versions, each optionally with a store overlay laid over it (a name
    is looked up in that side's own ``overlays/``, so a git revision brings its own copy)."""
    from .library import load_library
    from .overlay import resolve_overlay

    if cases_csv and not Path(cases_csv).is_file():
        raise AftersalesError(f"{cases_csv}: no such cases file")
    cases_extra = csv_cases(cases_csv) if cases_csv and cases_map is None else []  # a bad file fails before any work
    old_root, new_root = resolve_side(old_spec, repo), resolve_side(new_spec, repo)
    old = load_library(old_root, overlay=resolve_overlay(old_overlay, old_root) if old_overlay else None)
    new = load_library(new_root, overlay=resolve_overlay(new_overlay, new_root) if new_overlay else None)
    unmapped: list[str] = []
    if cases_csv and cases_map is not None:
        cases_extra, unmapped = mapped_cases(Path(cases_csv), Path(cases_map), new)
    report = DiffReport(old_spec, new_spec, old_name=side_name(old_spec, repo, old_overlay),
                        new_name=side_name(new_spec, repo, new_overlay))
    report.changes = parameter_changes(old, new, day or date.today()) + playbook_changes(old, new)
    report.unmapped = unmapped
    for case in bank_cases(new_root) + cases_extra:
        before, after = _decide(old, case, new), _decide(new, case, old)
        where = {"case": case["id"], "scenario": case["scenario"], "platform": case["platform"]}
        entry = {**where, "old": _state(before), "new": _state(after), "fields": [],
                 "money": {"old": before["money"] if isinstance(before, dict) else [],
                           "new": after["money"] if isinstance(after, dict) else []},
                 "rule": moving_rule(before, after)}
        report.cases.append(entry)
        if isinstance(before, _NotOffered) and isinstance(after, _NotOffered):
            report.not_offered.append({**where, "reason": str(after)})
            continue
        if isinstance(before, _Refused) or isinstance(after, _Refused):
            kind = REFUSED_BOTH if isinstance(before, str) and isinstance(after, str) else \
                NEWLY_REFUSED if isinstance(after, _Refused) else NEWLY_DECIDED
            report.undecided.append({**where, "old": _side(before), "new": _side(after), "kind": kind})
            if kind != REFUSED_BOTH:
                entry["fields"].append("decision")
            continue
        report.checked += 1
        if isinstance(before, str) or isinstance(after, str):  # offered on one side only: a change in itself
            report.impact.append({**where, "field": "decision", "old": _side(before), "new": _side(after)})
            entry["fields"].append("decision")
            continue
        for name in IMPACT_FIELDS:
            if before[name] != after[name]:
                row = {**where, "field": name}
                if name == "deadlines":
                    row["old"], row["new"], row["shift"] = _deadline_rows(before[name], after[name])
                    entry["deadlines"] = row["shift"]
                else:
                    row["old"], row["new"] = field_text(name, before[name]), field_text(name, after[name])
                report.impact.append(row)
                entry["fields"].append(name)
    return report


def withdrawn(report: DiffReport) -> list[dict[str, Any]]:
    """Cases one side decides and the other does not offer (a platform an overlay disables, a
    scenario removed), one entry per reason: ``{side, reason, cases, outcomes}``."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for case in report.cases:
        for side, other in (("new", "old"), ("old", "new")):
            if case[side]["status"] == "not offered" and case[other]["status"] == "decided":
                reason = case[side]["reason"].split(" (")[0].split(";")[0]
                group = groups.setdefault((side, reason), {"side": side, "reason": reason, "cases": [], "scenarios": {}})
                group["cases"].append(case["case"])
                group["scenarios"][case["scenario"]] = group["scenarios"].get(case["scenario"], 0) + 1
    return list(groups.values())

