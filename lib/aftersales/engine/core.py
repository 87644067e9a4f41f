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
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..errors import EvaluationError, FactError, UnknownNameError, did_you_mean
from ..library_model import Library
from ..playbook.compiled import CompiledDeadline, CompiledOutcome, CompiledPlaybook, CompiledStep
from ..playbook.expressions import MissingFactError
from ..playbook.facts import EARLIEST_DATE, LATEST_DATE, describe_allowed, show, to_utc
from ..playbook.model import COST_BEARERS, LANGS, SHIPPING_PAYERS
from ..policy.deadlines import deadline_due
from ..present.sentences import deadline_rule

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
    as_of: datetime | None = None  # the decision time: a due moment before it has passed

    @property
    def overdue(self) -> bool:
        """The deadline passed before the decision (issue 12: overdue: true in the JSON)."""
        return self.as_of is not None and self.due < self.as_of

    @property
    def overdue_hours(self) -> float:
        """How many hours past due at the decision (0 when not overdue)."""
        if not self.overdue:
            return 0.0
        assert self.as_of is not None  # overdue implies a decision time
        return (self.as_of - self.due).total_seconds() / 3600.0

    @property
    def rule(self) -> str:
        """The deadline's rule in words, in the decision's language ("First reply: 24 hours from the
        complaint"); never a fact's or a parameter's id (those are in :attr:`parameter`)."""
        label = self.spec.label[self.lang] if self.spec.label else self.name
        return deadline_rule(label, self.amount, self.unit, self.spec.start.source.strip(), self.lang)

    @property
    def parameter(self) -> str | None:
        """The platform parameter the period comes from (``reply_deadline_h``), None for a fixed period."""
        return self.spec.within.param or None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of a deadline: name, due (ISO-8601 with its offset), overdue, rule, source."""
        data = {"name": self.name, "due": self.due.isoformat(), "overdue": self.overdue, "rule": self.rule,
                "source": self.source}
        if self.parameter:
            data["parameter"] = self.parameter
        return data


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
    given: frozenset[str] | None = field(default=None, repr=False, compare=False)  # names of the facts given (None: unknown)

    @property
    def facts(self) -> dict[str, Any]:
        """Every input of the playbook that has a value in this case (given or default)."""
        env = self.env
        return {name: env[name] for name in self.playbook.inputs if name in env}

    @property
    def estimate(self) -> Deadline | str | None:
        """The estimated resolution time the first reply gives (seed 001): the first of the outcome's
        estimate deadlines computed for this case, ``"now"`` when the reply settles the case, None
        when the playbook does not say or none of them applies here."""
        names = self.outcome_node.estimate
        if names == ("now",):
            return "now"
        return next((d for name in names for d in self.deadlines if d.name == name), None)

    @property
    def computed(self) -> dict[str, Any]:
        """The values the steps on the path computed with ``let``."""
        return {name: self.env[name] for step, _branch in self.path for name, _expr in step.lets}

    @property
    def checklist_items(self) -> list[tuple[str, str, Deadline | None]]:
        """(text in the decision's language, owner, deadline or None), path order."""
        return [(item.text[self.lang], item.owner, self.dues.get(index)) for index, item in enumerate(self.items)]

    def checklist_parts(self) -> tuple[list[tuple[str, str, Deadline | None]], list[tuple[str, str, Deadline | None]]]:
        """The checklist split for a reader: (this case's own items, the items common to every case
        from shared checklists), each in path order, a text that repeats an earlier one left out."""
        own: list[tuple[str, str, Deadline | None]] = []
        common: list[tuple[str, str, Deadline | None]] = []
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            text = item.text[self.lang]
            key = " ".join(text.casefold().split())
            if key in seen:
                continue
            seen.add(key)
            (common if getattr(item, "shared", False) else own).append((text, item.owner, self.dues.get(index)))
        return own, common

    @property
    def checklist(self) -> list[str]:
        """The checklist's texts in the decision's language, path order."""
        return [text for text, _owner, _deadline in self.checklist_items]

    @property
    def title(self) -> str:
        """The outcome's title in the decision's language."""
        return self.outcome_node.title[self.lang]

    @property
    def sources(self) -> list[str]:
        """What the outcome rests on (seeds, URLs, articles; docs/sources.md)."""
        return list(self.outcome_node.sources)

    @property
    def trace(self) -> list[dict[str, Any]]:
        """Each step taken: what was looked at, why the branch was taken, and its source.

        Before the outcome's entry come notes (``"note": true``, not steps of the path): a
        compensation at the ``item_value`` cap, and parameters whose start date is unknown."""
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
        entries.extend(self._assumed_trace())
        entries.extend(self._money_trace())
        entries.extend(self._unknown_start_trace())
        entries.extend(self._case_parameter_trace())
        entries.append({"step": self.outcome, "value": {"resolution": self.resolution},
                        "reason": self.title, "source": "; ".join(self.sources)})
        return entries

    @property
    def assumed(self) -> dict[str, Any]:
        """The inputs this case's path read that were not given and took their playbook default
        or were derived from other facts (docs/playbook-format.md, "The minimum facts"); a
        default of null ("not known") is not an assumption and is left out."""
        given = self.given
        if given is None:
            return {}
        read: set[str] = set(self.outcome_node.reads)
        for step, branch in self.path:
            read |= set(step.ask)
            for _name, expression in step.lets:
                read |= expression.names
            if branch is not None and branch.condition is not None:
                read |= branch.condition.names
        defaults = self.playbook.defaults
        env = self.env
        return {name: _jsonable(env[name]) for name in sorted(read)
                if name not in given and name in env and name not in _CLOCK_FACTS
                and (name in _DERIVED or name in defaults) and env[name] is not None}

    def _assumed_trace(self) -> list[dict[str, Any]]:
        """A note naming the facts assumed or derived because they were not given, so a lead sees
        them: step ``assumed``, reason "seller_evidence = false (not given)" (the CLI prints
        "assumed: seller_evidence = false (not given)")."""
        assumed = self.assumed
        if not assumed:
            return []
        lang = self.lang
        parts = []
        for name, value in assumed.items():
            shown = "true" if value is True else "false" if value is False else str(value)
            derived = _DERIVED.get(name)
            if derived is not None and self.env.get(f"__derived_{name}"):
                parts.append(_DERIVED_REASON[lang].format(name=name, value=shown, source=derived[1]))
            else:
                parts.append(_ASSUMED_REASON[lang].format(name=name, value=shown))
        return [{"step": "assumed", "value": assumed, "reason": "; ".join(parts),
                 "source": "docs/playbook-format.md", "note": True}]

    def _money_trace(self) -> list[dict[str, Any]]:
        """A trace entry when the compensation is capped at the value of the affected items."""
        comp = self.compensation
        item_value = self.env.get("item_value")
        if not comp or item_value is None:
            return []
        if "capped_from" not in comp and comp["amount"] < round(float(item_value), 2):
            return []
        value = {"amount": comp["amount"], "item_value": _jsonable(item_value)}
        if "capped_from" in comp:
            value["computed"] = comp["capped_from"]
        return [{"step": "item_value_cap", "value": value, "reason": _CAP_REASON[self.lang],
                 "source": "seed 001", "note": True}]

    def _case_parameter_trace(self) -> list[dict[str, Any]]:
        """One note per parameter whose value for this case came from a ``cases:`` entry, citing
        that entry's source (not the playbook's): "size_tolerance_cm = 2 (category == 'footwear')"."""
        applied = self.env.get("__case_params") or {}
        return [{"step": "parameter_for_this_case", "value": {name: _jsonable(value), "condition": when},
                 "reason": _CASE_PARAM_REASON[self.lang].format(name=name, value=_jsonable(value), when=when),
                 "source": source, "note": True}
                for name, (value, when, source) in sorted(applied.items())]

    def _unknown_start_trace(self) -> list[dict[str, Any]]:
        """A trace entry naming the parameters read on the path whose value has an unknown start."""
        ctx = self.context
        if ctx is None:
            return []
        names: set[str] = set()
        for step, branch in self.path:
            for _name, expression in step.lets:
                names |= expression.params
            if branch is not None and branch.condition is not None:
                names |= branch.condition.params
        spec = self.outcome_node.compensation
        if spec is not None:
            for bound in (spec.amount, spec.minimum, spec.maximum):
                if bound is not None:
                    names |= bound.params
        # only where it matters: the value of unknown start applies because the as-of day is before
        # every dated value of the parameter (a parameter with no dated value has no order to keep)
        unknown = {name: _jsonable(ctx.resolved[name].value) for name in sorted(names)
                   if name in ctx.resolved and ctx.resolved[name].effective_from is None
                   and any(e.effective_from is not None for e in ctx.profile.entries(name))}
        if not unknown:
            return []
        return [{"step": "parameters_of_unknown_date", "value": unknown,
                 "reason": _UNKNOWN_START_REASON[self.lang], "source": "docs/parameters.md", "note": True}]

    @property
    def rules_hash(self) -> str:
        """A short hash of everything the decision's rules were: the playbook's content and every
        platform parameter in force for the case. The version number says which playbook; this
        changes too when only a profile's value changed (a lead raising a tolerance)."""
        import hashlib
        import json as _json

        known: str | None = self.context.rules_hashes.get(self.playbook_hash) if self.context is not None else None
        if known is not None:  # the same context (playbook, platform, day): the same rules
            return known
        resolved = self.context.resolved if self.context is not None else {}
        params = {name: [_jsonable(p.value), [[c.when, _jsonable(c.value)] for c in getattr(p, "cases", ())]]
                  for name, p in sorted(resolved.items())}
        text = _json.dumps([self.playbook_hash, params], sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        if self.context is not None:
            self.context.rules_hashes[self.playbook_hash] = digest
        return digest

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``aftersales decide --json``."""
        return {
            "scenario": self.scenario,
            "platform": self.platform,
            "playbook_version": self.playbook_version,
            "playbook_hash": self.playbook_hash,
            "rules_hash": self.rules_hash,
            "as_of": self.as_of.isoformat(),
            "lang": self.lang,
            "outcome": self.outcome,
            "title": self.title,
            "resolution": self.resolution,
            "return_shipping_paid_by": self.return_shipping_paid_by,
            "cost_borne_by": self.cost_borne_by,
            "compensation": self.compensation,
            "deadlines": [d.to_dict() for d in self.deadlines],
            "estimate": _estimate_dict(self.estimate),
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


def _estimate_dict(estimate: Deadline | str | None) -> dict[str, Any] | str | None:
    """``Decision.estimate`` in the JSON contract: ``{"name", "due"}``, ``"now"`` or null."""
    if estimate is None or isinstance(estimate, str):
        return estimate
    return {"name": estimate.name, "due": estimate.due.isoformat()}


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
    if not isinstance(as_of, date):
        raise FactError("as_of", f"expected a date or date-time, got {show(as_of)} ({type(as_of).__name__})",
                        _AS_OF_ALLOWED)
    if not isinstance(as_of, datetime):
        as_of = datetime(as_of.year, as_of.month, as_of.day)
    return to_utc("as_of", as_of)  # bounded to the supported dates before converting (no OverflowError)


_AS_OF_ALLOWED = (f"an ISO date or date-time from {EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}, "
                  "e.g. 2026-11-23T09:00:00+00:00, a datetime or date, or None for now")


@lru_cache(maxsize=256)
def _parse_as_of(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FactError("as_of", f"{show(text)} is not an ISO date or date-time", _AS_OF_ALLOWED) from None
    return resolve_as_of(moment)


class _Missing(Exception):
    def __init__(self, name: str, step: CompiledStep | CompiledOutcome, path: list[tuple[CompiledStep, Any]]):
        self.name, self.step, self.path = name, step, path


@dataclass(slots=True)
class _Context:
    playbook: CompiledPlaybook
    profile: Any
    lang: str
    as_of: datetime
    params: dict[str, Any]
    resolved: dict[str, Any]
    library: Library = field(repr=False)
    rules_hashes: dict[str, str] = field(default_factory=dict, repr=False)  # playbook hash -> Decision.rules_hash


_CONTEXTS: dict[tuple[Any, ...], _Context] = {}


def _context(scenario: str | CompiledPlaybook, platform: str, lang: str | None, as_of: Any, library: Library) -> _Context:
    """The playbook, profile, language and parameters in force for one decision (memoised)."""
    if library is None:
        raise TypeError("the engine decides with the Library it is given (aftersales.engine loads the default one)")
    if as_of is not None and not isinstance(as_of, (str, date)):
        resolve_as_of(as_of)  # a FactError naming as_of and what is allowed (never an AttributeError)
    key = (id(library), scenario if isinstance(scenario, str) else id(scenario), platform, lang, as_of)
    if as_of is not None:
        cached = _CONTEXTS.get(key)
        if cached is not None and cached.library is library:
            return cached
    ctx = _new_context(scenario, platform, lang, as_of, library)
    if as_of is not None:
        if len(_CONTEXTS) > 1024:
            _CONTEXTS.clear()
        _CONTEXTS[key] = ctx
    return ctx


def _new_context(scenario: str | CompiledPlaybook, platform: str, lang: str | None, as_of: Any, library: Library) -> _Context:
    playbook = scenario if isinstance(scenario, CompiledPlaybook) else library.playbook(scenario)
    profile = library.profile(platform)
    if platform not in playbook.platforms:
        raise UnknownNameError(f"platform for scenario '{playbook.scenario}'", platform, playbook.platforms)
    moment = resolve_as_of(as_of)
    day = moment.date()
    from ..platforms.profile import NoValueInForceError

    try:
        params = profile.values(day)
        resolved = profile.resolve(day)
    except NoValueInForceError as exc:  # a moment before the platform's rules are known is a bad as_of
        since = f" before {exc.earliest.isoformat()}" if exc.earliest else " on that day"
        raise FactError("as_of", f"{day.isoformat()} is before the known rules of platform '{exc.platform}' "
                                 f"(parameter '{exc.parameter}' has no value{since})",
                        f"{exc.earliest.isoformat()} or later" if exc.earliest else "") from None
    if lang is None:
        languages = params.get("languages") or ["en"]
        lang = languages[0]
    elif lang not in LANGS:
        raise UnknownNameError("language", lang, LANGS)
    return _Context(playbook, profile, lang, moment, _with_units(params, resolved, profile), resolved, library)


class _WithUnit:
    """A number that remembers its unit (3 days where hours are usual); pickles as itself."""

    _number: Any = int  # int or float: the built-in the subclass derives from
    unit: str

    def __new__(cls, value: Any, unit: str) -> Any:
        obj: Any = cls._number.__new__(cls, value)
        obj.unit = unit
        return obj

    def __reduce__(self) -> tuple[type, tuple[Any, str]]:
        return (type(self), (self._number(self), self.unit))


class DurationInt(_WithUnit, int):
    """A whole duration whose unit differs from its catalogue unit (3 days where hours are usual)."""

    _number = int


class DurationFloat(_WithUnit, float):
    """A fractional duration whose unit differs from its catalogue unit."""

    _number = float


_DURATION_UNITS = frozenset({"hours", "days", "business_days", "weeks", "months"})


def _with_units(params: dict[str, Any], resolved: dict[str, Any], profile: Any) -> dict[str, Any]:
    """``params`` where a duration value in force is in another unit than its catalogue's
    (Amazon's seed "3 days" claim window beside today's 48 hours) carries that unit, so a
    policy function such as ``claim_auto_granted`` counts it right (a plain number elsewhere)."""
    catalogue = getattr(profile, "catalogue", {})
    changed = None
    for name, value in params.items():
        entry = resolved.get(name)
        unit = getattr(entry, "unit", None)
        if unit not in _DURATION_UNITS or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        spec = catalogue.get(name) if hasattr(catalogue, "get") else None
        if spec is not None and getattr(spec, "unit", unit) == unit:
            continue
        changed = changed if changed is not None else dict(params)
        changed[name] = DurationInt(value, unit) if isinstance(value, int) else DurationFloat(value, unit)
    return changed if changed is not None else params


def _coerce(playbook: CompiledPlaybook, facts: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(facts, Mapping):
        raise FactError("facts", f"expected an object of fact names to values, got {type(facts).__name__}")
    coercers = playbook.coercers
    coerced = {}
    for name, value in facts.items():
        coerce = coercers.get(name)
        if coerce is None:
            inputs = playbook.inputs
            # a hostile name (a newline, 100 kB, not text) is shown safely: the error stays one line
            label = name if isinstance(name, str) and name.isprintable() and len(name) <= 100 else show(name)
            hint = did_you_mean(name, inputs) if isinstance(name, str) and len(name) <= 100 else ""
            raise FactError(label, f"unknown fact for scenario '{playbook.scenario}'{hint}", ", ".join(inputs))
        coerced[name] = coerce(value)
    return coerced


def _environment(ctx: _Context, coerced: dict[str, Any]) -> dict[str, Any]:
    env = dict(ctx.playbook.defaults)
    env.update(coerced)
    _check_money_facts(ctx, env)
    _clock_facts(ctx, env)
    _derived_facts(ctx, env, coerced)
    _fulfilment_facts(ctx, env)
    env["params"] = _params_for_case(ctx, env)
    env["now"] = ctx.as_of
    env["today"] = ctx.as_of.date()
    env["platform"] = ctx.profile.name
    env["jurisdiction"] = ctx.profile.jurisdiction
    return env


@lru_cache(maxsize=256)
def _case_condition(text: str) -> Any:
    """A parameter case's ``when`` compiled once (the loader has checked that it parses)."""
    from ..playbook.expressions import compile_expression
    from ..policy import POLICY_FUNCTIONS

    return compile_expression(text, {name: f.func for name, f in POLICY_FUNCTIONS.items()})


def _params_for_case(ctx: _Context, env: dict[str, Any]) -> dict[str, Any]:
    """The parameters in force with each value given for some cases only (``cases:``, e.g. a
    store's 2 cm tolerance for footwear) replaced where its condition holds for this case's facts.

    Which ones applied is kept in the environment (``__case_params``) for the trace. A case
    whose condition reads a fact this case does not have does not apply."""
    params = ctx.params
    applied: dict[str, tuple[Any, str, str]] = {}
    for name, resolved in ctx.resolved.items():
        for case in getattr(resolved, "cases", ()):
            try:
                holds = _case_condition(case.when).evaluate(env)
            except (MissingFactError, EvaluationError):
                continue
            if holds:
                applied[name] = (case.value, case.when, case.source)
                break
    if not applied:
        return params
    changed = dict(params)
    for name, (value, _when, _source) in applied.items():
        changed[name] = value
    env["__case_params"] = applied
    return changed


def _derived_facts(ctx: _Context, env: dict[str, Any], coerced: Mapping[str, Any]) -> None:
    """Facts not given that follow from other facts (``shipped`` from the delivery date or the
    tracking); the playbook default applies when nothing can be derived."""
    inputs = ctx.playbook.inputs
    for name, (derive, _reads) in _DERIVED.items():
        if name in inputs and name not in coerced:
            value = derive(env)
            if value is not None:
                env[name] = value
                env[f"__derived_{name}"] = True


def _check_money_facts(ctx: _Context, env: dict[str, Any]) -> None:
    """The order's currency must be one the platform takes; ``item_value`` defaults to
    ``order_value`` and cannot exceed it (docs/parameters.md, "Money")."""
    currency = env.get("currency")
    allowed = ctx.params.get("currencies")
    if currency is not None and allowed is not None and currency not in allowed:
        raise FactError("currency", f"{currency} is not a currency of platform '{ctx.profile.name}' "
                                    "(params.currencies; a store adds its own through an overlay)",
                        ", ".join(allowed))
    if "item_value" in ctx.playbook.inputs:
        order_value = env.get("order_value")
        if env.get("item_value") is None:
            if order_value is not None:
                env["item_value"] = order_value
        elif order_value is not None and env["item_value"] > order_value + 1e-9:
            raise FactError("item_value", f"{env['item_value']} is more than the order value {order_value}: "
                                          "it is the value of the affected items of this order",
                            f"0 to {order_value}")


#: Zones named in the error for a bad ``customer_timezone`` (any IANA name is accepted).
_ZONE_EXAMPLES = "an IANA time zone name, e.g. Europe/Moscow, Europe/Kaliningrad, Asia/Shanghai, America/Los_Angeles, Europe/Berlin, UTC"


def _clock_facts(ctx: _Context, env: dict[str, Any]) -> None:
    """Defaults of the clock facts (docs/playbook-format.md, "Clocks and local time").

    ``complaint_received_at`` defaults to the decision time, ``return_requested_at`` to the
    complaint, ``customer_timezone`` to the platform's ``timezone``; a zone name must be a
    real IANA zone (zoneinfo).
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    inputs = ctx.playbook.inputs
    if "complaint_received_at" in inputs and env.get("complaint_received_at") is None:
        env["complaint_received_at"] = ctx.as_of
    if "return_requested_at" in inputs and env.get("return_requested_at") is None:
        env["return_requested_at"] = env.get("complaint_received_at") or ctx.as_of
    if "customer_timezone" in inputs:
        name = env.get("customer_timezone")
        if name is None or (isinstance(name, str) and not name.strip()):
            env["customer_timezone"] = ctx.params.get("timezone") or "UTC"
        else:
            try:
                ZoneInfo(str(name).strip())
            except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
                raise FactError("customer_timezone", f"{name!r} is not a time zone the system knows",
                                _ZONE_EXAMPLES) from None
            env["customer_timezone"] = str(name).strip()


#: The return flow in which the seller runs the return itself (the message names the couriers).
#: Which flow each fulfilment model uses and what the buyer is told in it are platform data:
#: the parameters ``return_flow`` and ``return_route`` (playbooks/platforms/*.yaml).
SELLER_FLOW = "seller"


def return_flow(params: Mapping[str, Any], fulfilment: str | None) -> str:
    """Who runs the return of ``fulfilment`` on a platform (``params.return_flow``); ``seller``
    for a model the profile does not map (``aftersales validate`` requires every model of
    ``params.fulfilment_options``, an overlay's added model falls back to the seller)."""
    flows = params.get("return_flow") or {}
    flow = flows.get(fulfilment) if isinstance(flows, Mapping) and fulfilment is not None else None
    return str(flow) if flow else SELLER_FLOW


def return_route(params: Mapping[str, Any], flow: str | None, lang: str) -> str:
    """The sentence telling the buyer how to send the item back in ``flow`` (``params.return_route``),
    in ``lang``; empty for the seller's own flow or a flow without one."""
    routes = params.get("return_route") or {}
    texts = routes.get(flow) if isinstance(routes, Mapping) and flow else None
    return str(texts.get(lang, "")) if isinstance(texts, Mapping) else ""


def _fulfilment_facts(ctx: _Context, env: dict[str, Any]) -> None:
    """``fulfilment`` defaults to ``params.default_fulfilment`` and must be one of the platform's
    ``params.fulfilment_options``; ``return_via`` names who runs the return (``params.return_flow``)."""
    if "fulfilment" not in ctx.playbook.inputs:
        env.setdefault("return_via", SELLER_FLOW)
        return
    allowed = list(ctx.params.get("fulfilment_options") or ["seller"])
    value = env.get("fulfilment")
    if value is None:
        value = ctx.params.get("default_fulfilment") or allowed[0]
    elif value not in allowed:
        raise FactError("fulfilment", f"{value} is not a fulfilment model of platform '{ctx.profile.name}' "
                                      "(params.fulfilment_options)", ", ".join(allowed))
    env["fulfilment"] = value
    env["return_via"] = return_flow(ctx.params, value)
    if "shipping_insurance" in ctx.playbook.inputs and env.get("shipping_insurance") is None:
        env["shipping_insurance"] = False


def _walk(playbook: CompiledPlaybook, env: dict[str, Any],
          provided: Mapping[str, Any] | None) -> tuple[CompiledOutcome, list[tuple[CompiledStep, Any]]]:
    """Follow the playbook from its start. ``provided`` set: also stop at asked-but-unanswered inputs."""
    steps = playbook.steps
    node_id: str | None = playbook.start
    path: list[tuple[CompiledStep, Any]] = []
    while True:
        assert node_id is not None  # the validator: every step has a branch taken or a next
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
    library: Library,
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
    return _decision(ctx, env, coerced, outcome, path, render_message, given=frozenset(coerced))


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
        return _decision(ctx, env, {}, node, path, render_message, given=decision.given)
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
              path: list[tuple[CompiledStep, Any]], render_message: bool,
              given: frozenset[str] | None = None) -> Decision:
    try:
        shipping = _vocabulary(outcome.shipping, env, SHIPPING_PAYERS, "return_shipping_paid_by")
        if shipping == "buyer" and env.get("shipping_insurance") and ctx.params.get("shipping_insurance_pays_return"):
            shipping = "insurer"  # return-shipping insurance pays the buyer's postage (issue 12, part 7)
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
        path=path, playbook=ctx.playbook, outcome_node=outcome, context=ctx, given=given,
    )
    if render_message:
        decision.message = {"lang": ctx.lang, "text": render_decision_message(decision, env, ctx)}
    return decision


# deadline_due is pure and its arguments repeat across cases (the same "now", the same
# delivery days, the same parameters), so remember recent answers.
_due = lru_cache(maxsize=65536)(deadline_due)


def _due_of(deadline: Deadline) -> datetime:
    return deadline.due


def in_chat(params: Mapping[str, Any], platform_name: str, lang: str) -> str:
    """Where the buyer answers us, as a message says it ("in the Ozon chat", "在旺旺聊天中",
    "в чате на Ozon"): the platform's ``message_channel``; its display name where it has none."""
    channel = params.get("message_channel") or {}
    phrase = channel.get("reply_here", {}).get(lang) if isinstance(channel, Mapping) else None
    if phrase:
        return str(phrase)
    return {"zh": f"在{platform_name}消息中", "ru": f"в сообщениях {platform_name}"}.get(lang, f"in the {platform_name} messages")


def render_decision_message(decision: Decision, env: dict[str, Any], ctx: _Context) -> str:
    """The customer message of ``decision``'s outcome in its language: the outcome's template
    rendered (sandboxed, bounded) with the case's values, its terms, deadlines and return route."""
    from ..playbook.templates import render

    context = dict(env)
    context.update(
        compensation=decision.compensation,
        deadlines={d.name: d.due for d in decision.deadlines},
        outcome=decision.outcome,
        resolution=decision.resolution,
        return_shipping_paid_by=decision.return_shipping_paid_by,
        cost_borne_by=decision.cost_borne_by,
        platform_name=ctx.profile.display_name.get(decision.lang, ctx.profile.name),
        in_chat=in_chat(ctx.params, ctx.profile.display_name.get(decision.lang, ctx.profile.name), decision.lang),
        return_route=return_route(ctx.params, env.get("return_via", SELLER_FLOW), decision.lang),
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
    if not isinstance(result, str) or result not in allowed:
        raise EvaluationError(f"{what} evaluated to {result!r}; allowed: {', '.join(allowed)}")
    return result


def _money(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EvaluationError(f"compensation {what} must be a number, got {value!r}")
    return round(float(value), 2)


_ASSUMED_REASON = {
    "en": "{name} = {value} (not given)",
    "zh": "{name} = {value}（未提供）",
    "ru": "{name} = {value} (не указано, принято по умолчанию)",
}
_DERIVED_REASON = {
    "en": "{name} = {value} (not given; derived from {source})",
    "zh": "{name} = {value}（未提供；由 {source} 推出）",
    "ru": "{name} = {value} (не указано; выведено из {source})",
}
#: Facts whose defaults are documented on their own (the clocks: the decision time, the platform's
#: zone; item_value: the order value), not repeated as assumptions in every trace.
_CLOCK_FACTS = frozenset({"complaint_received_at", "return_requested_at", "customer_timezone", "item_value"})


def _derive_shipped(env: dict[str, Any]) -> Any:
    """A parcel the carrier delivered, or with a delivery date, was shipped."""
    if env.get("delivered_on") is not None or env.get("tracking_shows_delivered") is True:
        return True
    return None


#: Facts derived from other facts when not given: name -> (function of env, what it reads).
_DERIVED: dict[str, tuple[Any, str]] = {
    "shipped": (_derive_shipped, "delivered_on / tracking_shows_delivered"),
}

_CASE_PARAM_REASON = {
    "en": "{name} = {value} for this case, because {when}",
    "zh": "本案例的 {name} = {value}，因为 {when}",
    "ru": "{name} = {value} для этого обращения, потому что {when}",
}

_CAP_REASON = {
    "en": "No refund or offer exceeds the value of the affected items (item_value); this amount is at that limit.",
    "zh": "任何退款或补偿都不超过涉及商品的金额（item_value）；本次金额已达该上限。",
    "ru": "Ни возврат, ни предложение не превышают стоимость затронутых товаров (item_value); эта сумма на этом пределе.",
}
_UNKNOWN_START_REASON = {
    "en": "These rules' start date is unknown: they apply only because no dated value is in force on this day.",
    "zh": "这些规则的生效日期不明：仅因当天没有带日期的规则生效而适用。",
    "ru": "Дата начала действия этих правил неизвестна: они применены только потому, что на этот день нет датированного значения.",
}


def _compensation(outcome: CompiledOutcome, env: dict[str, Any]) -> dict[str, Any] | None:
    spec = outcome.compensation
    if spec is None:
        return None
    amount = _money(spec.amount.evaluate(env), "amount")
    if amount is None:
        return None
    if amount <= 0:
        # never "refund you 0.00": a playbook must route a non-positive amount to another path
        raise EvaluationError(f"compensation amount {amount} is not above 0: the playbook must not offer money "
                              "here (route it to a path without compensation)")
    result: dict[str, Any] = {"amount": amount, "currency": spec.currency.evaluate(env)}
    item_value = env.get("item_value")
    if item_value is not None and amount > round(float(item_value), 2):
        result["amount"] = round(float(item_value), 2)
        result["capped_from"] = amount
    if spec.minimum is not None:
        result["min"] = _money(spec.minimum.evaluate(env), "min")
    if spec.maximum is not None:
        result["max"] = _money(spec.maximum.evaluate(env), "max")
    return result


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
    zone = _buyer_zone(ctx, env)
    if (isinstance(start, datetime) and unit in ("days", "weeks", "months") and within.param
            and getattr(ctx.resolved[within.param], "layer", None) == "jurisdiction"):
        # a legal period in days counted from an event (the buyer's demand): the event day is
        # not counted and the period closes at 24:00 of its last day in the buyer's zone
        # (LAW-FLOORS §5), so count it from the event's local date; platform windows stay rolling
        start = start.astimezone(ZoneInfo(zone)).date()
    try:
        # legal day windows end at 24:00 local in the buyer's zone; hours are rolling
        due = _due(start, amount, unit, ctx.profile.holiday_country, zone)
    except (ValueError, OverflowError) as exc:
        raise EvaluationError(f"deadline '{spec.name}': {exc}") from None
    return Deadline(spec.name, due, source, spec, amount, unit, ctx.lang, ctx.as_of)


def _buyer_zone(ctx: _Context, env: dict[str, Any]) -> str:
    """The buyer's IANA zone: the fact ``customer_timezone``, else the platform's ``timezone``."""
    return env.get("customer_timezone") or ctx.params.get("timezone") or "UTC"


def next_question(
    scenario: str | CompiledPlaybook,
    facts: Mapping[str, Any],
    platform: str,
    lang: str | None = None,
    as_of: datetime | date | str | None = None,
    *,
    library: Library,
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
        from ..playbook.static import available_choices

        labels = spec.choice_labels or {}
        offered = available_choices(ctx.playbook, missing.name, {  # only what exists on the platform
            "params": ctx.params, "platform": ctx.profile.name, "jurisdiction": ctx.profile.jurisdiction})
        choices = [(c, labels.get(c, {}).get(lang, c)) for c in spec.choices or () if offered is None or c in offered]
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
    library: Library,
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
