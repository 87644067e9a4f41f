"""Load a playbook file: schema-check every part, compile it, and collect every problem.

:func:`build_playbook` never stops at the first problem: the header, each input, each step,
each outcome and each example are validated on their own, so one typo does not hide the
others. Semantic and graph checks (names, references, cycles, paths, branch coverage,
template variables) live in :mod:`aftersales.playbook.validate`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Location, PlaybookError, Problem, did_you_mean
from ..paths import display_path
from ..yamlsource import PathKey, SourceDoc, load_yaml, pydantic_problems
from .compiled import (
    CompiledBranch,
    CompiledChecklistItem,
    CompiledCompensation,
    CompiledDeadline,
    CompiledInput,
    CompiledOutcome,
    CompiledPlaybook,
    CompiledStep,
    Duration,
)
from .draft import BuildContext as BuildContext  # re-exported: library.py builds one
from .draft import Draft
from .expressions import Expression, ExpressionSyntaxError, compile_expression
from .facts import make_coercer
from .model import (
    COST_BEARERS,
    LANGS,
    REPLY_KINDS,
    SHIPPING_PAYERS,
    ChecklistItem,
    DeadlineSpec,
    Example,
    InputSet,
    InputSpec,
    Outcome,
    PlaybookHeader,
    Step,
)
from .templates import LazyTemplate, compile_template
from .validate import check_playbook

TIME_UNITS = ("hours", "days", "business_days", "weeks", "months")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z_]+)\s*$")
_Model = TypeVar("_Model", bound=BaseModel)


def build_playbook(path: str | Path, context: BuildContext, display_name: str | None = None) -> tuple[CompiledPlaybook | None, Draft | None, list[Problem]]:
    """Load and compile ``path``. Returns the playbook (or None), the draft, and all problems."""
    try:
        doc = load_yaml(path, display_name=display_name)
    except PlaybookError as exc:
        return None, None, list(exc.problems)
    return build_playbook_doc(doc, Path(path).parent, context, [Path(path).read_bytes()])


def build_playbook_doc(doc: SourceDoc, folder: Path, context: BuildContext,
                       hash_parts: list[bytes]) -> tuple[CompiledPlaybook | None, Draft | None, list[Problem]]:
    """Compile an already parsed playbook document (a file, or a base merged with an overlay).

    ``folder`` is where its ``include`` files are looked for; ``hash_parts`` are the bytes its
    content hash starts from (the file, plus the overlay's for a merged playbook).
    """
    draft = Draft(doc, context)
    draft.hash_parts.extend(hash_parts)
    if not isinstance(doc.data, dict):
        draft.add((), "a playbook must be a mapping with scenario, version, inputs, steps, outcomes", "schema")
        return None, draft, draft.problems
    _header(draft)
    _inputs(draft, folder)
    _steps(draft)
    _outcomes(draft)
    _examples(draft)
    check_playbook(draft)  # the semantic and graph checks
    if any(p.severity == "error" for p in draft.problems) or draft.header is None:
        return None, draft, draft.problems
    header = draft.header
    playbook = CompiledPlaybook(
        scenario=header.scenario,
        version=header.version,
        content_hash=hashlib.sha256(b"\0".join(draft.hash_parts)).hexdigest(),
        file=doc.file,
        title=header.title,
        summary=header.summary,
        reply_kind=header.reply_kind,
        platforms=tuple(header.platforms or context.platforms),
        start=header.start,
        inputs=draft.inputs,
        steps=draft.steps,
        outcomes=draft.outcomes,
        examples=tuple(draft.examples),
        sources=tuple(header.sources),
        remaining=_remaining(draft),
        defaults={name: spec.default for name, spec in draft.inputs.items() if spec.has_default},
        coercers={name: spec.coerce for name, spec in draft.inputs.items()},
    )
    return playbook, draft, draft.problems  # warnings only: they do not stop a playbook


def _validate(draft: Draft, model: type[_Model], data: Any, path: PathKey, doc: SourceDoc | None = None) -> _Model | None:
    doc = doc or draft.doc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        draft.problems.extend(pydantic_problems(doc, exc, model, path))
        return None


def _header(draft: Draft) -> None:
    data = draft.doc.data
    header_data = {k: v for k, v in data.items()}
    draft.header = _validate(draft, PlaybookHeader, header_data, ())
    if draft.header is not None:
        _check_text(draft, draft.header.title, ("title",))
        _check_text(draft, draft.header.summary, ("summary",))
        _check_reply_kind(draft, draft.header.reply_kind, ("reply_kind",))
        for index, name in enumerate(draft.header.platforms or ()):
            if name not in draft.context.platforms:
                draft.add(("platforms", index), f"unknown platform '{name}'{did_you_mean(name, draft.context.platforms)}; "
                          f"allowed: {', '.join(draft.context.platforms)}", "unknown-platform")


def _check_reply_kind(draft: Draft, kind: str | None, path: PathKey) -> None:
    """A ``reply_kind`` (of the playbook or of one outcome) must name the checker's message rules."""
    if kind is not None and kind not in REPLY_KINDS:
        draft.add(path, f"unknown reply kind '{kind}'{did_you_mean(kind, REPLY_KINDS)}; "
                  f"allowed: {', '.join(REPLY_KINDS)}", "unknown-reply-kind")


def _check_text(draft: Draft, text: Mapping[str, str] | None, path: PathKey, doc: SourceDoc | None = None, what: str = "text") -> None:
    """Every user-facing text needs en, zh and ru, and nothing else."""
    if text is None:
        return
    for lang in text:
        if lang not in LANGS:
            draft.add(path + (lang,), f"unknown language '{lang}'{did_you_mean(lang, LANGS)}; allowed: {', '.join(LANGS)}",
                      "language", key=True, doc=doc)
    missing = [lang for lang in LANGS if not str(text.get(lang) or "").strip()]
    if missing:
        draft.add(path, f"{what} is missing language(s): {', '.join(missing)}", "missing-language", doc=doc)


# inputs -----------------------------------------------------------------------------

def _inputs(draft: Draft, folder: Path) -> None:
    data = draft.doc.data
    sources: list[tuple[SourceDoc, Any]] = []  # (file, its raw `inputs:` mapping, checked below)
    includes = data.get("include") or []
    if isinstance(includes, list):
        for index, name in enumerate(includes):
            doc = _load_include(draft, str(name), folder, ("include", index))
            if doc is not None:
                sources.append((doc, doc.data.get("inputs") or {}))
                _shared_checklists(draft, doc)
    own = data.get("inputs")
    if isinstance(own, dict):
        sources.append((draft.doc, own))
    for doc, inputs in sources:
        if not isinstance(inputs, dict):
            continue
        for name, raw in inputs.items():
            path = ("inputs", name)
            if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
                draft.add(path, f"input name '{name}' must be snake_case", "schema", key=True, doc=doc)
                continue
            spec = _validate(draft, InputSpec, raw, path, doc)
            draft.input_docs[name] = (doc, path)
            if spec is None:
                draft.inputs.pop(name, None)
                continue
            compiled = _compile_input(draft, doc, path, name, spec)
            if compiled is not None:
                draft.inputs[name] = compiled


def _shared_checklists(draft: Draft, doc: SourceDoc) -> None:
    """Compile the named checklists of an included file (steps use them by name)."""
    for name, items in (doc.data.get("checklists") or {}).items():
        path = ("checklists", name)
        valid = []
        for index, raw in enumerate(items if isinstance(items, list) else []):
            item = _validate(draft, ChecklistItem, raw, path + (index,), doc)
            if item is not None:
                valid.append(item)
        draft.shared_checklists[name] = _checklist(draft, valid, path, f"checklist '{name}'", doc)


def _included(draft: Draft, names: list[str], path: PathKey) -> tuple[CompiledChecklistItem, ...]:
    """The items of the shared checklists a step or outcome names, in order."""
    items: list[CompiledChecklistItem] = []
    for index, name in enumerate(names):
        if name in draft.shared_checklists:
            items.extend(replace(item, shared=True) for item in draft.shared_checklists[name])
        else:
            known = sorted(draft.shared_checklists)
            draft.add(path + ("include_checklists", index), f"unknown checklist '{name}'{did_you_mean(name, known)}; "
                      f"included files define: {', '.join(known) or 'none'}", "include")
    return tuple(items)


def _load_include(draft: Draft, name: str, folder: Path, path: PathKey) -> SourceDoc | None:
    candidates = [folder / f"{name}.yaml", *[d / f"{name}.yaml" for d in draft.context.include_dirs]]
    for candidate in candidates:
        if candidate.is_file():
            try:
                doc = load_yaml(candidate, display_name=display_path(candidate))
            except PlaybookError as exc:
                draft.problems.extend(exc.problems)
                return None
            draft.hash_parts.append(candidate.read_bytes())
            if _validate(draft, InputSet, doc.data, (), doc) is None:
                return None
            return doc
    draft.add(path, f"included input set '{name}' not found (looked for {name}.yaml beside the playbook "
              "and in the playbooks folder)", "include")
    return None


def _platform_only_problem(condition: Any) -> str | None:
    """Why ``condition`` cannot say where a choice exists (None: it can): it must be an expression
    over ``params.NAME``, ``platform`` and ``jurisdiction`` only, known before any case."""
    import ast

    if not isinstance(condition, str) or not condition.strip():
        return "needs a condition over params, platform and jurisdiction"
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError as exc:
        return f"not a valid condition ({exc.msg})"
    allowed = {"params", "platform", "jurisdiction", "true", "false", "null", "none", "True", "False", "None"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in allowed:
            return (f"reads '{node.id}', a fact of the case; allowed: params.NAME, platform, jurisdiction "
                    "(the platform decides whether the choice exists)")
        if isinstance(node, ast.Call):
            return "calls a function; allowed: comparisons of params.NAME, platform and jurisdiction"
    return None


def _compile_input(draft: Draft, doc: SourceDoc, path: PathKey, name: str, spec: InputSpec) -> CompiledInput | None:
    ok = True
    _check_text(draft, spec.label, path + ("label",), doc, "label")
    _check_text(draft, spec.help, path + ("help",), doc, "help")
    if spec.type == "choice":
        if not spec.choices:
            draft.add(path, f"choice input '{name}' needs a non-empty 'choices' list", "schema", doc=doc)
            ok = False
        for choice, labels in (spec.choice_labels or {}).items():
            if choice not in (spec.choices or []):
                draft.add(path + ("choice_labels", choice), f"label for unknown choice '{choice}'"
                          f"{did_you_mean(choice, spec.choices or [])}", "schema", key=True, doc=doc)
            _check_text(draft, labels, path + ("choice_labels", choice), doc, "choice label")
        for choice, condition in (spec.choices_where or {}).items():
            where = path + ("choices_where", choice)
            if choice not in (spec.choices or []):
                draft.add(where, f"condition for unknown choice '{choice}'{did_you_mean(choice, spec.choices or [])}",
                          "schema", key=True, doc=doc)
            problem = _platform_only_problem(condition)
            if problem:
                draft.add(where, f"choices_where of '{choice}': {problem}", "expression", doc=doc)
    elif spec.choices is not None:
        draft.add(path + ("choices",), f"'choices' only applies to type choice, not {spec.type}", "schema", key=True, doc=doc)
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        draft.add(path + ("min",), f"min {spec.min} is greater than max {spec.max}", "schema", doc=doc)
        ok = False
    if (spec.min is not None or spec.max is not None) and spec.type not in ("int", "number", "money"):
        draft.add(path, f"min/max only apply to numbers, not {spec.type}", "schema", doc=doc)
    given = set(spec.model_fields_set)
    has_default = "default" in given
    if has_default and spec.required and "required" in given:
        draft.add(path + ("default",), "an input cannot be both 'required: true' and have a 'default'", "schema", doc=doc)
    if not ok:
        return None
    coerce = make_coercer(name, spec)
    default = None
    if has_default:
        try:
            default = coerce(spec.default)
        except Exception as exc:  # FactError: the default does not fit the input's own type
            draft.add(path + ("default",), f"default does not fit the input: {exc}", "type", doc=doc)
            return None
    elif not spec.required:
        has_default, default = True, None
        if not spec.nullable:
            draft.add(path, f"optional input '{name}' needs a 'default' or 'nullable: true'", "schema", doc=doc)
    return CompiledInput(name, spec, coerce, has_default, default, doc.at(path, key=True))


# steps ------------------------------------------------------------------------------

def _expr(draft: Draft, text: Any, path: PathKey, owner: str, doc: SourceDoc | None = None) -> Expression | None:
    try:
        expression = compile_expression(text, draft.context.functions)
    except ExpressionSyntaxError as exc:
        loc = (doc or draft.doc).at(path)
        loc = Location(loc.file, loc.line, loc.col + exc.offset) if loc.line else loc
        draft.problems.append(Problem(loc, f"in expression {str(text)!r}: {exc}", "expression"))
        return None
    draft.expressions.append((expression, path, owner, doc or draft.doc))
    return expression


def _duration(draft: Draft, text: str, path: PathKey, doc: SourceDoc | None = None) -> Duration | None:
    text = text.strip()
    if text.startswith("params."):
        name = text[len("params."):]
        unit = draft.context.parameters.get(name)
        if unit is None:
            draft.add(path, f"unknown parameter '{name}'{did_you_mean(name, draft.context.parameters)}",
                      "unknown-parameter", doc=doc)
            return None
        if unit not in TIME_UNITS:
            draft.add(path, f"parameter '{name}' is in {unit}, not a duration ({', '.join(TIME_UNITS)})", "unit", doc=doc)
            return None
        return Duration(param=name)
    match = _DURATION.match(text)
    if not match or match.group(2) not in TIME_UNITS:
        draft.add(path, f"'within' must be 'params.NAME' or an amount and unit like '24 hours'; "
                  f"units: {', '.join(TIME_UNITS)}", "duration", doc=doc)
        return None
    return Duration(amount=float(match.group(1)), unit=match.group(2))


def _deadline(draft: Draft, spec: DeadlineSpec, path: PathKey, owner: str, doc: SourceDoc | None = None) -> CompiledDeadline | None:
    within = _duration(draft, spec.within, path + ("within",), doc)
    start = _expr(draft, spec.from_, path + ("from",), owner, doc)
    _check_text(draft, spec.label, path + ("label",), doc, what="deadline label")
    if within is None or start is None:
        return None
    return CompiledDeadline(spec.name, within, start, spec.label, spec.source)


def _checklist(draft: Draft, items: list[ChecklistItem], path: PathKey, owner: str,
               doc: SourceDoc | None = None) -> tuple[CompiledChecklistItem, ...]:
    compiled = []
    for index, item in enumerate(items):
        item_path = path + (index,)
        _check_text(draft, item.do, item_path + ("do",), doc, what="checklist item")
        deadline = _deadline(draft, item.deadline, item_path + ("deadline",), owner, doc) if item.deadline else None
        compiled.append(CompiledChecklistItem(item.do, item.owner, deadline, item.source))
    return tuple(compiled)


def _steps(draft: Draft) -> None:
    raw_steps = draft.doc.data.get("steps")
    if not isinstance(raw_steps, list):
        return
    for index, raw in enumerate(raw_steps):
        path = ("steps", index)
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str):
            if raw_id in draft.declared_ids:
                draft.add(path + ("id",), f"duplicate id '{raw_id}'", "duplicate-id")
            draft.declared_ids[raw_id] = path
        step = _validate(draft, Step, raw, path)
        if step is None:
            continue
        _check_text(draft, step.title, path + ("title",), what="step title")
        _check_text(draft, step.help, path + ("help",), what="step help")
        _check_text(draft, step.reason, path + ("reason",), what="step reason")
        lets: list[tuple[str, Expression]] = []
        for name, text in step.let.items():
            if name in draft.inputs or name in ("params", "today", "now", "platform", "jurisdiction"):
                draft.add(path + ("let", name), f"'let {name}' would hide the input or built-in of that name", "shadow", key=True)
            expression = _expr(draft, text, path + ("let", name), step.id)
            if expression is not None:
                lets.append((name, expression))
        branches: list[CompiledBranch] = []
        for b_index, branch in enumerate(step.branches):
            b_path = path + ("branches", b_index)
            _check_text(draft, branch.reason, b_path + ("reason",), what="branch reason")
            if branch.default == (branch.when is not None):
                draft.add(b_path, "a branch needs exactly one of 'when: CONDITION' or 'default: true'", "branch")
                continue
            if branch.default and b_index != len(step.branches) - 1:
                draft.add(b_path, "the default branch must be the last one", "branch")
            condition = None if branch.default else _expr(draft, branch.when, b_path + ("when",), step.id)
            if condition is None and not branch.default:
                continue
            branches.append(CompiledBranch(b_index, condition, branch.goto, branch.reason, branch.source))
        if step.branches and step.next:
            draft.add(path + ("next",), "a step has either 'branches' or 'next', not both", "branch", key=True)
        checklist = _included(draft, step.include_checklists, path) + _checklist(draft, step.checklist, path + ("checklist",), step.id)
        kind = step.kind or ("question" if step.ask else "check" if step.branches else "action")
        read_names = set(step.ask)
        for _, expression in lets:
            read_names |= expression.names
        for compiled_branch in branches:
            read_names |= compiled_branch.condition.names if compiled_branch.condition else set()
        for item in checklist:
            read_names |= item.deadline.start.names if item.deadline else set()
        reads = read_names & set(draft.inputs)
        draft.steps[step.id] = CompiledStep(
            id=step.id, kind=kind, title=step.title, help=step.help, ask=tuple(step.ask), lets=tuple(lets),
            checklist=checklist, branches=tuple(branches), next=step.next, reason=step.reason,
            source=step.source, reads=frozenset(reads), location=draft.doc.at(path),
        )


# outcomes ---------------------------------------------------------------------------

def _payer(draft: Draft, value: str, path: PathKey, allowed: tuple[str, ...], owner: str) -> str | Expression | None:
    if value in allowed:
        return value
    if re.fullmatch(r"[a-z_]+", value):
        draft.add(path, f"'{value}' is not one of {', '.join(allowed)}{did_you_mean(value, allowed)} "
                  "(or write an expression that returns one)", "schema")
        return None
    return _expr(draft, value, path, owner)


def _outcomes(draft: Draft) -> None:
    raw_outcomes = draft.doc.data.get("outcomes")
    if not isinstance(raw_outcomes, dict):
        return
    for outcome_id, raw in raw_outcomes.items():
        path = ("outcomes", outcome_id)
        if not isinstance(outcome_id, str) or not re.match(r"^[a-z][a-z0-9_]*$", outcome_id):
            draft.add(path, f"outcome id '{outcome_id}' must be snake_case", "schema", key=True)
            continue
        if outcome_id in draft.declared_ids:
            draft.add(path, f"outcome id '{outcome_id}' is also a step id", "duplicate-id", key=True)
        draft.declared_ids[outcome_id] = path
        outcome = _validate(draft, Outcome, raw, path)
        if outcome is None:
            continue
        _check_text(draft, outcome.title, path + ("title",), what="outcome title")
        _check_text(draft, outcome.message, path + ("message",), what=f"message of outcome '{outcome_id}'")
        _check_reply_kind(draft, outcome.reply_kind, path + ("reply_kind",))
        shipping = _payer(draft, outcome.return_shipping_paid_by, path + ("return_shipping_paid_by",), SHIPPING_PAYERS, outcome_id)
        cost = _payer(draft, outcome.cost_borne_by, path + ("cost_borne_by",), COST_BEARERS, outcome_id)
        compensation = None
        if outcome.compensation is not None:
            c_path = path + ("compensation",)
            amount = _expr(draft, outcome.compensation.amount, c_path + ("amount",), outcome_id)
            low = _expr(draft, outcome.compensation.min, c_path + ("min",), outcome_id) if outcome.compensation.min is not None else None
            high = _expr(draft, outcome.compensation.max, c_path + ("max",), outcome_id) if outcome.compensation.max is not None else None
            currency = _expr(draft, outcome.compensation.currency, c_path + ("currency",), outcome_id)
            if amount is not None and currency is not None:
                compensation = CompiledCompensation(amount, low, high, currency)
        deadlines = []
        for index, spec in enumerate(outcome.deadlines):
            deadline = _deadline(draft, spec, path + ("deadlines", index), outcome_id)
            if deadline is not None:
                deadlines.append(deadline)
        checklist = _included(draft, outcome.include_checklists, path) + _checklist(
            draft, outcome.checklist, path + ("checklist",), outcome_id)
        messages: dict[str, LazyTemplate] = {}
        variables: set[str] = set()
        for lang, source in outcome.message.items():
            if lang not in LANGS:
                continue
            try:
                template, names = compile_template(source)
            except Exception as exc:  # jinja2.TemplateSyntaxError
                loc = draft.doc.at(path + ("message", lang))
                # a block scalar (``|``) starts on the line after its key; a quoted one on the key's line
                below = max(getattr(exc, "lineno", 1) or 1, 1) if "\n" in source.rstrip("\n") or source.endswith("\n") else 0
                line = loc.line + below if loc.line else 0
                draft.problems.append(Problem(Location(loc.file, line, loc.col), f"message template ({lang}): {exc}", "template"))
                continue
            messages[lang] = template
            variables |= names
        _check_estimate(draft, outcome, path, deadlines, checklist)
        if shipping is None or cost is None:
            continue
        draft.outcomes[outcome_id] = CompiledOutcome(
            id=outcome_id, title=outcome.title, resolution=outcome.resolution, shipping=shipping, cost=cost,
            compensation=compensation, deadlines=tuple(deadlines), checklist=checklist, messages=messages,
            message_sources=outcome.message, message_variables=frozenset(variables), sources=tuple(outcome.sources),
            reads=frozenset(_outcome_names(shipping, cost, compensation, deadlines, checklist, variables) & set(draft.inputs)),
            location=draft.doc.at(path, key=True),
            reply_kind=outcome.reply_kind or (draft.header.reply_kind if draft.header is not None else "general"),
            estimate=_estimates(outcome.estimate),
        )


#: ``estimate: now``: the reply itself settles the case (an answer, a refusal with its reasons).
ESTIMATE_NOW = "now"


def _estimates(value: str | list[str] | None) -> tuple[str, ...]:
    """``estimate:`` as a tuple of names, in order of preference (``()``: not given)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _check_estimate(draft: Draft, outcome: Outcome, path: PathKey, deadlines: list[CompiledDeadline],
                    checklist: tuple[CompiledChecklistItem, ...]) -> None:
    """Seed 001: when a problem cannot be solved at once, the reply says it will be followed up and
    gives an estimated resolution time. Every outcome names the deadline its message gives as that
    time (one of its own deadlines or its checklist's), or ``now``; the message says it in every
    language (``{{ deadlines.NAME | when('en') }}``)."""
    names = [d.name for d in deadlines] + [item.deadline.name for item in checklist if item.deadline]
    estimates = _estimates(outcome.estimate)
    if not estimates:
        draft.add(path, "no `estimate`: name the deadline this first reply gives as the estimated resolution time "
                  f"({', '.join(names) or 'add one under deadlines'}), or `estimate: now` when the reply settles it "
                  "(seed 001)", "no-estimate", key=True)
        return
    if estimates == (ESTIMATE_NOW,):
        return
    for name in estimates:
        if name not in names:
            draft.add(path + ("estimate",), f"estimate '{name}' is not a deadline of this outcome; its deadlines: "
                      f"{', '.join(names) or '(none)'}{did_you_mean(name, tuple(names))}, or now", "estimate")
            return
    for lang, source in outcome.message.items():
        for name in estimates:
            if lang in LANGS and not re.search(rf"deadlines\.{re.escape(name)}\b", source):
                draft.add(path + ("message", lang), f"the {lang} message never says when: give the estimate with "
                          f"{{{{ deadlines.{name} | when('{lang}') }}}} (seed 001)", "estimate")


def _outcome_names(shipping: Any, cost: Any, compensation: CompiledCompensation | None,
                   deadlines: list[CompiledDeadline], checklist: tuple[CompiledChecklistItem, ...],
                   variables: set[str]) -> set[str]:
    """Every name an outcome reads: payer expressions, compensation, deadlines, templates."""
    names = set(variables)
    for value in (shipping, cost):
        if isinstance(value, Expression):
            names |= value.names
    if compensation is not None:
        for expression in (compensation.amount, compensation.minimum, compensation.maximum, compensation.currency):
            names |= expression.names if expression is not None else set()
    for deadline in [*deadlines, *(item.deadline for item in checklist if item.deadline)]:
        names |= deadline.start.names
    return names


def _examples(draft: Draft) -> None:
    raw_examples = draft.doc.data.get("examples")
    if not isinstance(raw_examples, list):
        return
    for index, raw in enumerate(raw_examples):
        path = ("examples", index)
        example = _validate(draft, Example, raw, path)
        if example is None:
            continue
        # the SOP documents show the example in their language: `name` is its English, `title` the rest
        _check_text(draft, {"en": example.name, **example.title}, path + ("title",), what="the example's title")
        if example.platform not in draft.context.platforms:
            draft.add(path + ("platform",), f"unknown platform '{example.platform}'"
                      f"{did_you_mean(example.platform, draft.context.platforms)}", "unknown-platform")
            continue
        draft.examples.append((example, draft.doc.at(path)))


def _remaining(draft: Draft) -> dict[str, int]:
    """Longest number of steps from each node to an outcome (graph is acyclic here)."""
    memo: dict[str, int] = {oid: 0 for oid in draft.outcomes}

    def longest(node: str) -> int:
        if node in memo:
            return memo[node]
        step = draft.steps[node]
        memo[node] = 1 + max((longest(t) for t in step.targets), default=0)
        return memo[node]

    for step_id in draft.steps:
        longest(step_id)
    return memo
