"""The decision engine: one walk over a compiled playbook serves every front end.

* :func:`decide` takes the facts of a case and returns a :class:`Decision` (outcome,
  resolution, who pays, compensation, deadlines, checklist, customer message, trace).
* :func:`next_question` takes partial facts and returns the next :class:`Question` the
  wizard or the CLI should ask, or ``None`` when the facts are enough to decide.
* :func:`decide_outcome` re-makes a decision for another outcome of its playbook (an agent's
  override): the same facts, path, platform, language, moment and parameters, that outcome's
  terms and message.

Bad facts (unknown name, wrong type, out of range, missing when needed) raise
:class:`~aftersales.errors.FactError`, the one documented error for input problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, timezone
from typing import Any, Mapping

from .errors import EvaluationError, FactError, UnknownNameError, did_you_mean
from .library import load_library
from .playbook.compiled import CompiledDeadline, CompiledOutcome, CompiledPlaybook, CompiledStep
from .playbook.expressions import MissingFactError
from .playbook.facts import EARLIEST_DATE, LATEST_DATE, describe_allowed
from .playbook.model import COST_BEARERS, LANGS, SHIPPING_PAYERS
from .policy.deadlines import deadline_due

__all__ = ["Decision", "Question", "checklist_so_far", "decide", "decide_outcome", "next_question", "resolve_as_of"]


@dataclass(slots=True)
class Deadline:
    """A computed deadline; ``rule`` explains it in the decision's language."""

    name: str
    due: datetime
    source: str
    spec: CompiledDeadline = field(repr=False, compare=False)
    amount: float = 0
    unit: str = ""
    lang: str = "en"

    @property
    def rule(self) -> str:
        words = UNIT_WORDS[self.lang]
        start = self.spec.start.source.strip()
        start_name = words["now"] if start == "now" else start if start.isidentifier() else words["start"]
        number = int(self.amount) if float(self.amount).is_integer() else self.amount
        label = self.spec.label[self.lang] if self.spec.label else self.name
        rule = f"{label}: {number} {words.get(self.unit, self.unit)} {words['from']} {start_name}"
        if self.spec.within.param:
            rule += f" (params.{self.spec.within.param})"
        return rule

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "due": self.due.isoformat(), "rule": self.rule, "source": self.source}


@dataclass(slots=True)
class Decision:
    """What the playbook recommends for one case (see ``to_dict`` for the JSON contract)."""

    scenario: str
    platform: str
    lang: str
    as_of: datetime
    playbook_version: str
    playbook_hash: str
    outcome: str
    resolution: str
    return_shipping_paid_by: str
    cost_borne_by: str
    compensation: dict[str, Any] | None
    deadlines: list[Deadline]
    message: dict[str, str] | None
    env: dict[str, Any] = field(repr=False)  # facts (given and defaulted), let-values, built-ins
    items: list[Any] = field(repr=False)  # the checklist items of the path, then of the outcome
    dues: dict[int, Deadline] = field(repr=False)  # item index -> its computed deadline
    path: list[tuple[CompiledStep, Any]] = field(repr=False)
    playbook: CompiledPlaybook = field(repr=False)
    outcome_node: CompiledOutcome = field(repr=False)
    context: Any = field(default=None, repr=False, compare=False)  # the _Context it was made in

    @property
    def facts(self) -> dict[str, Any]:
        """Every input of the playbook that has a value in this case (given or default)."""
        env = self.env
        return {name: env[name] for name in self.playbook.inputs if name in env}

    @property
    def computed(self) -> dict[str, Any]:
        """The values the steps on the path computed with ``let``."""
        return {name: self.env[name] for step, _branch in self.path for name, _expr in step.lets}

    @property
    def checklist_items(self) -> list[tuple[str, str, Deadline | None]]:
        """(text in the decision's language, owner, deadline or None), path order."""
        return [(item.text[self.lang], item.owner, self.dues.get(index)) for index, item in enumerate(self.items)]

    @property
    def checklist(self) -> list[str]:
        return [text for text, _owner, _deadline in self.checklist_items]

    @property
    def title(self) -> str:
        return self.outcome_node.title[self.lang]

    @property
    def sources(self) -> list[str]:
        return list(self.outcome_node.sources)

    @property
    def trace(self) -> list[dict[str, Any]]:
        """Each step taken: what was looked at, why the branch was taken, and its source."""
        lang = self.lang
        entries = []
        known = {**self.facts, **self.computed}
        for step, branch in self.path:
            looked_at = set(step.ask) | {name for name, _ in step.lets}
            for _name, expression in step.lets:
                looked_at |= expression.names
            if branch is not None and branch.condition is not None:
                looked_at |= branch.condition.names
            value: dict[str, Any] = {name: _jsonable(known[name]) for name in sorted(looked_at) if name in known}
            if branch is not None:
                value["condition"] = branch.condition.source if branch.condition is not None else "default"
            reason_text = (branch.reason if branch and branch.reason else step.reason) or step.title
            source = (branch.source if branch and branch.source else None) or step.source or ""
            entries.append({"step": step.id, "value": value, "reason": reason_text[lang], "source": source})
        entries.append({"step": self.outcome, "value": {"resolution": self.resolution},
                        "reason": self.title, "source": "; ".join(self.sources)})
        return entries

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``aftersales decide --json``."""
        return {
            "scenario": self.scenario,
            "platform": self.platform,
            "playbook_version": self.playbook_version,
            "playbook_hash": self.playbook_hash,
            "as_of": self.as_of.isoformat(),
            "lang": self.lang,
            "outcome": self.outcome,
            "title": self.title,
            "resolution": self.resolution,
            "return_shipping_paid_by": self.return_shipping_paid_by,
            "cost_borne_by": self.cost_borne_by,
            "compensation": self.compensation,
            "deadlines": [d.to_dict() for d in self.deadlines],
            "checklist": self.checklist,
            "checklist_items": [
                {"do": text, "owner": owner, "due": deadline.due.isoformat() if deadline else None}
                for text, owner, deadline in self.checklist_items
            ],
            "message": self.message,
            "trace": self.trace,
            "sources": self.sources,
            "facts": {k: _jsonable(v) for k, v in self.facts.items()},
            "computed": {k: _jsonable(v) for k, v in self.computed.items()},
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Question:
    """The next fact to ask: what it is, how to ask it, and where the case stands."""

    name: str
    type: str
    label: str
    help: str | None
    unit: str | None
    choices: list[tuple[str, str]] | None
    minimum: float | None
    maximum: float | None
    nullable: bool
    default: Any
    has_default: bool
    allowed: str
    step: str
    step_title: str
    step_number: int
    steps_total: int
    path: list[str]


def resolve_as_of(as_of: datetime | date | str | None) -> datetime:
    """The moment of the decision as an aware UTC datetime (default: now)."""
    if as_of is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if isinstance(as_of, str):
        return _parse_as_of(as_of)
    if not isinstance(as_of, datetime):
        as_of = datetime(as_of.year, as_of.month, as_of.day)
    moment = as_of.replace(tzinfo=timezone.utc) if as_of.tzinfo is None else as_of.astimezone(timezone.utc)
    if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        raise FactError("as_of", f"{moment.isoformat()} is outside the supported dates",
                        f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}")
    return moment


@lru_cache(maxsize=256)
def _parse_as_of(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FactError("as_of", f"{text!r} is not an ISO date or date-time", "e.g. 2026-11-23T09:00:00+00:00") from None
    return resolve_as_of(moment)


class _Missing(Exception):
    def __init__(self, name: str, step: CompiledStep | CompiledOutcome, path: list):
        self.name, self.step, self.path = name, step, path


@dataclass(slots=True)
class _Context:
    playbook: CompiledPlaybook
    profile: Any
    lang: str
    as_of: datetime
    params: dict[str, Any]
    resolved: dict[str, Any]
    library: Any = field(default=None, repr=False)


_CONTEXTS: dict[tuple, _Context] = {}


def _context(scenario: str | CompiledPlaybook, platform: str, lang: str | None, as_of: Any, library: Any) -> _Context:
    """The playbook, profile, language and parameters in force for one decision (memoised)."""
    library = library if library is not None else load_library()
    key = (id(library), scenario if isinstance(scenario, str) else id(scenario), platform, lang, as_of)
    if as_of is not None and not isinstance(as_of, (dict, list)):
        cached = _CONTEXTS.get(key)
        if cached is not None and cached.library is library:
            return cached
    ctx = _new_context(scenario, platform, lang, as_of, library)
    if as_of is not None:
        if len(_CONTEXTS) > 1024:
            _CONTEXTS.clear()
        _CONTEXTS[key] = ctx
    return ctx


def _new_context(scenario: str | CompiledPlaybook, platform: str, lang: str | None, as_of: Any, library: Any) -> _Context:
    playbook = scenario if isinstance(scenario, CompiledPlaybook) else library.playbook(scenario)
    profile = library.profile(platform)
    if platform not in playbook.platforms:
        raise UnknownNameError(f"platform for scenario '{playbook.scenario}'", platform, playbook.platforms)
    moment = resolve_as_of(as_of)
    day = moment.date()
    params = profile.values(day)
    if lang is None:
        languages = params.get("languages") or ["en"]
        lang = languages[0]
    elif lang not in LANGS:
        raise UnknownNameError("language", lang, LANGS)
    return _Context(playbook, profile, lang, moment, params, profile.resolve(day), library)


def _coerce(playbook: CompiledPlaybook, facts: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(facts, Mapping):
        raise FactError("facts", f"expected an object of fact names to values, got {type(facts).__name__}")
    coercers = playbook.coercers
    coerced = {}
    for name, value in facts.items():
        coerce = coercers.get(name)
        if coerce is None:
            inputs = playbook.inputs
            raise FactError(str(name), f"unknown fact for scenario '{playbook.scenario}'{did_you_mean(name, inputs)}",
                            ", ".join(inputs))
        coerced[name] = coerce(value)
    return coerced


def _environment(ctx: _Context, coerced: dict[str, Any]) -> dict[str, Any]:
    env = dict(ctx.playbook.defaults)
    env.update(coerced)
    env["params"] = ctx.params
    env["now"] = ctx.as_of
    env["today"] = ctx.as_of.date()
    env["platform"] = ctx.profile.name
    env["jurisdiction"] = ctx.profile.jurisdiction
    return env


def _walk(playbook: CompiledPlaybook, env: dict[str, Any], provided: Mapping[str, Any] | None) -> tuple[CompiledOutcome, list]:
    """Follow the playbook from its start. ``provided`` set: also stop at asked-but-unanswered inputs."""
    steps = playbook.steps
    node_id = playbook.start
    path: list[tuple[CompiledStep, Any]] = []
    while True:
        step = steps.get(node_id)
        if step is None:
            return playbook.outcomes[node_id], path
        for name in step.ask:
            if name not in env or (provided is not None and name not in provided):
                raise _Missing(name, step, path)
        try:
            for name, expression in step.lets:
                env[name] = expression.evaluate(env)
            taken = None
            for branch in step.branches:
                if branch.condition is None or branch.condition.evaluate(env):
                    taken = branch
                    break
        except MissingFactError as exc:
            raise _Missing(exc.name, step, path) from None
        except EvaluationError as exc:
            raise EvaluationError(f"{step.location}: step '{step.id}': {exc}") from None
        path.append((step, taken))
        node_id = taken.target if taken is not None else step.next


def decide(
    scenario: str | CompiledPlaybook,
    facts: Mapping[str, Any],
    platform: str,
    lang: str | None = None,
    as_of: datetime | date | str | None = None,
    *,
    render_message: bool = True,
    library: Any = None,
) -> Decision:
    """Decide a case of ``scenario`` on ``platform`` from ``facts``.

    ``lang`` picks the customer message's language (default: the platform's first
    language); ``as_of`` is the moment of the decision (default now) and selects the platform
    parameters in force. Raises :class:`FactError` for bad or missing facts.
    """
    ctx = _context(scenario, platform, lang, as_of, library)
    coerced = _coerce(ctx.playbook, facts)
    env = _environment(ctx, coerced)
    try:
        outcome, path = _walk(ctx.playbook, env, None)
    except _Missing as missing:
        raise _missing_error(ctx, missing) from None
    for name in outcome.reads:
        if name not in env:
            raise _missing_error(ctx, _Missing(name, outcome, path))
    return _decision(ctx, env, coerced, outcome, path, render_message)


def decide_outcome(decision: Decision, outcome: str, *, render_message: bool = True) -> Decision:
    """``decision``'s case as if its playbook had ended at ``outcome`` (an agent's override).

    The facts (given and defaulted), the let-values of the path walked, the path itself, the
    platform, language, moment and parameters stay those of ``decision``; the resolution, who
    pays, the compensation, the deadlines, the checklist (the path's, then ``outcome``'s) and the
    customer message are ``outcome``'s, worked out exactly as :func:`decide` works out its own.
    ``decision.outcome`` itself gives an equal decision.

    Raises :class:`UnknownNameError` for an outcome the playbook lacks; :class:`FactError` when
    ``outcome`` needs a fact this case never had (e.g. one asked only on another path: with
    ``render_message`` every name the outcome reads, else those its terms read);
    :class:`EvaluationError` when it cannot be worked out otherwise (e.g. a value computed only on
    another path, or no message in the decision's language).
    """
    ctx = decision.context
    if ctx is None:  # pragma: no cover - every Decision the engine makes carries its context
        raise EvaluationError(f"outcome '{outcome}': the decision does not carry the context it was made in")
    node = ctx.playbook.outcomes.get(outcome)
    if node is None:
        raise UnknownNameError(f"outcome for scenario '{ctx.playbook.scenario}'", outcome, ctx.playbook.outcomes)
    env = dict(decision.env)
    path = list(decision.path)
    try:
        if render_message:
            for name in sorted(node.reads):
                if name not in env:
                    raise _missing_error(ctx, _Missing(name, node, path))
        return _decision(ctx, env, {}, node, path, render_message)
    except FactError as exc:
        if exc.field in ctx.playbook.inputs:
            raise
        walked = " → ".join(step.id for step, _branch in path)
        raise FactError(exc.field, f"is computed only on other paths than this case's ({walked}); "
                                   f"outcome '{outcome}' needs it") from None


def _missing_error(ctx: _Context, missing: _Missing) -> FactError:
    spec = ctx.playbook.inputs.get(missing.name)
    if spec is None:
        return FactError(missing.name, f"is not defined at step '{missing.step.id}' (playbook error)")
    where = f"step '{missing.step.id}'"
    return FactError(missing.name, f"missing: needed at {where}", describe_allowed(spec.spec))


def _decision(ctx: _Context, env: dict[str, Any], coerced: dict[str, Any], outcome: CompiledOutcome,
              path: list, render_message: bool) -> Decision:
    try:
        shipping = _vocabulary(outcome.shipping, env, SHIPPING_PAYERS, "return_shipping_paid_by")
        cost = _vocabulary(outcome.cost, env, COST_BEARERS, "cost_borne_by")
        compensation = _compensation(outcome, env) if outcome.compensation is not None else None
        items = [item for step, _branch in path for item in step.checklist]
        items.extend(outcome.checklist)
        dues: dict[int, Deadline] = {}
        deadlines: list[Deadline] = []
        for index, item in enumerate(items):
            if item.deadline is not None:
                due = _deadline(ctx, item.deadline, env)
                if due is not None:
                    dues[index] = due
                    deadlines.append(due)
        for spec in outcome.deadlines:
            due = _deadline(ctx, spec, env)
            if due is not None:
                deadlines.append(due)
    except MissingFactError as exc:
        raise _missing_error(ctx, _Missing(exc.name, outcome, path)) from None
    except EvaluationError as exc:
        raise EvaluationError(f"{outcome.location}: outcome '{outcome.id}': {exc}") from None
    if len(deadlines) > 1:
        deadlines.sort(key=_due_of)
    decision = Decision(
        scenario=ctx.playbook.scenario, platform=ctx.profile.name, lang=ctx.lang, as_of=ctx.as_of,
        playbook_version=ctx.playbook.version, playbook_hash=ctx.playbook.content_hash,
        outcome=outcome.id, resolution=outcome.resolution, return_shipping_paid_by=shipping, cost_borne_by=cost,
        compensation=compensation, deadlines=deadlines, message=None, env=env, items=items, dues=dues,
        path=path, playbook=ctx.playbook, outcome_node=outcome, context=ctx,
    )
    if render_message:
        decision.message = {"lang": ctx.lang, "text": render_decision_message(decision, env, ctx)}
    return decision


# deadline_due is pure and its arguments repeat across cases (the same "now", the same
# delivery days, the same parameters), so remember recent answers.
_due = lru_cache(maxsize=65536)(deadline_due)


def _due_of(deadline: Deadline) -> datetime:
    return deadline.due


def render_decision_message(decision: Decision, env: dict[str, Any], ctx: _Context) -> str:
    from .playbook.templates import render

    context = dict(env)
    context.update(
        compensation=decision.compensation,
        deadlines={d.name: d.due for d in decision.deadlines},
        outcome=decision.outcome,
        resolution=decision.resolution,
        return_shipping_paid_by=decision.return_shipping_paid_by,
        cost_borne_by=decision.cost_borne_by,
        platform_name=ctx.profile.display_name.get(decision.lang, ctx.profile.name),
        lang=decision.lang,
        scenario=decision.scenario,
    )
    template = decision.outcome_node.messages.get(decision.lang)
    if template is None:
        raise EvaluationError(f"{decision.outcome_node.location}: outcome '{decision.outcome}' has no message "
                              f"in '{decision.lang}'")
    try:
        return render(template, context)
    except EvaluationError as exc:
        raise EvaluationError(f"{decision.outcome_node.location}: outcome '{decision.outcome}': {exc}") from None


def _vocabulary(value: Any, env: dict[str, Any], allowed: tuple[str, ...], what: str) -> str:
    if isinstance(value, str):
        return value
    result = value.evaluate(env)
    if result not in allowed:
        raise EvaluationError(f"{what} evaluated to {result!r}; allowed: {', '.join(allowed)}")
    return result


def _money(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EvaluationError(f"compensation {what} must be a number, got {value!r}")
    return round(float(value), 2)


def _compensation(outcome: CompiledOutcome, env: dict[str, Any]) -> dict[str, Any] | None:
    spec = outcome.compensation
    if spec is None:
        return None
    amount = _money(spec.amount.evaluate(env), "amount")
    if amount is None:
        return None
    result: dict[str, Any] = {"amount": amount, "currency": spec.currency.evaluate(env)}
    if spec.minimum is not None:
        result["min"] = _money(spec.minimum.evaluate(env), "min")
    if spec.maximum is not None:
        result["max"] = _money(spec.maximum.evaluate(env), "max")
    return result


UNIT_WORDS = {
    "en": {"hours": "hours", "days": "calendar days", "business_days": "business days", "weeks": "weeks",
           "months": "months", "from": "from", "now": "the decision", "start": "its start date"},
    "zh": {"hours": "小时", "days": "个自然日", "business_days": "个工作日", "weeks": "周", "months": "个月",
           "from": "起算自", "now": "处理时刻", "start": "起算日"},
    "ru": {"hours": "ч", "days": "календарных дней", "business_days": "рабочих дней", "weeks": "недель",
           "months": "месяцев", "from": "с момента", "now": "решения", "start": "начальной даты"},
}


def _deadline(ctx: _Context, spec: CompiledDeadline, env: dict[str, Any]) -> Deadline | None:
    """Due moment of a deadline, or None where its rule does not apply (null start or parameter)."""
    start = spec.start.evaluate(env)
    if start is None:
        return None
    if not isinstance(start, (date, datetime)):
        raise EvaluationError(f"deadline '{spec.name}': 'from' must give a date or date-time, got {start!r}")
    within = spec.within
    if within.param:
        resolved = ctx.resolved[within.param]
        if resolved.value is None:
            return None
        amount, unit = resolved.value, resolved.unit
        # cite the value in force (it may be the seed's or a current rule's), then the playbook's
        source = resolved.source if spec.source in (None, resolved.source) else f"{resolved.source}; {spec.source}"
    else:
        amount, unit, source = within.amount, within.unit, spec.source or ""
    try:
        due = _due(start, amount, unit, ctx.profile.holiday_country)
    except (ValueError, OverflowError) as exc:
        raise EvaluationError(f"deadline '{spec.name}': {exc}") from None
    return Deadline(spec.name, due, source, spec, amount, unit, ctx.lang)


def next_question(
    scenario: str | CompiledPlaybook,
    facts: Mapping[str, Any],
    platform: str,
    lang: str | None = None,
    as_of: datetime | date | str | None = None,
    *,
    library: Any = None,
) -> Question | None:
    """The next fact to ask given partial ``facts``, or ``None`` when a decision can be made.

    Inputs a step ``ask``s are asked even if they have a default (the default is offered);
    inputs read by conditions are asked only when they have no default.
    """
    ctx = _context(scenario, platform, lang, as_of, library)
    coerced = _coerce(ctx.playbook, facts)
    env = _environment(ctx, coerced)
    try:
        outcome, path = _walk(ctx.playbook, env, coerced)
    except _Missing as missing:
        return _question(ctx, missing)
    for name in sorted(outcome.reads):
        if name not in env:
            return _question(ctx, _Missing(name, outcome, path))
    return None


def _question(ctx: _Context, missing: _Missing) -> Question:
    lang = ctx.lang
    compiled = ctx.playbook.inputs[missing.name]
    spec = compiled.spec
    step = missing.step
    number = len(missing.path) + 1
    remaining = ctx.playbook.remaining.get(step.id, 0)
    choices = None
    if spec.type == "choice":
        labels = spec.choice_labels or {}
        choices = [(c, labels.get(c, {}).get(lang, c)) for c in spec.choices or ()]
    return Question(
        name=missing.name, type=spec.type, label=spec.label[lang], help=spec.help[lang] if spec.help else None,
        unit=spec.unit, choices=choices, minimum=spec.min, maximum=spec.max, nullable=spec.nullable,
        default=compiled.default, has_default=compiled.has_default, allowed=describe_allowed(spec),
        step=step.id, step_title=step.title[lang], step_number=number,
        steps_total=max(number + remaining - 1, number), path=[s.id for s, _ in missing.path],
    )


def checklist_so_far(
    scenario: str | CompiledPlaybook,
    facts: Mapping[str, Any],
    platform: str,
    lang: str | None = None,
    as_of: datetime | date | str | None = None,
    *,
    library: Any = None,
) -> list[tuple[str, str, Deadline | None]]:
    """The checklist of the path walked so far with partial ``facts``, including the step
    being asked; (text, owner, deadline or None while its start is not known yet).

    Deadlines count from the case's start (``as_of``) or the fact their rule names.
    """
    ctx = _context(scenario, platform, lang, as_of, library)
    coerced = _coerce(ctx.playbook, facts)
    env = _environment(ctx, coerced)
    try:
        outcome, path = _walk(ctx.playbook, env, coerced)
        items = [item for step, _branch in path for item in step.checklist]
        items.extend(outcome.checklist)
    except _Missing as missing:
        items = [item for step, _branch in missing.path for item in step.checklist]
        if isinstance(missing.step, CompiledStep):
            items.extend(missing.step.checklist)
    result = []
    for item in items:
        due = None
        if item.deadline is not None:
            try:
                due = _deadline(ctx, item.deadline, env)
            except MissingFactError:
                due = None
        result.append((item.text[ctx.lang], item.owner, due))
    return result
