"""A playbook after loading: every expression parsed, every template compiled.

The engine only ever walks these frozen structures; nothing is parsed while deciding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..errors import Location, UnknownNameError
from .expressions import Expression
from .model import Example, InputSpec

if TYPE_CHECKING:  # templates needs Jinja; the model only names the type
    from .templates import LazyTemplate

#: A user-facing text in every language of the library: language code (``en``, ``zh``, ``ru``) → text.
Text = dict[str, str]


@dataclass(frozen=True)
class CompiledInput:
    """One input (fact) of a playbook: its spec from YAML, the function that coerces a raw value
    (JSON, CSV cell, form) to its type or raises ``FactError``, its default, and where it was written."""

    name: str
    spec: InputSpec
    coerce: Callable[[Any], Any] = field(repr=False)
    has_default: bool
    default: Any
    location: Location


@dataclass(frozen=True)
class Duration:
    """``within`` of a deadline: a platform parameter or a literal amount and unit."""

    param: str | None = None
    amount: float | None = None
    unit: str | None = None

    def describe(self) -> str:
        """The duration as the playbook wrote it: ``params.NAME`` or ``3 days``."""
        return f"params.{self.param}" if self.param else f"{_num(self.amount)} {self.unit}"


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class CompiledDeadline:
    """A deadline: ``within`` a duration ``start``-ing at an expression (a fact, a let, or ``now``);
    a null start or a null parameter means the deadline does not apply to the case."""

    name: str
    within: Duration
    start: Expression
    label: Text | None
    source: str | None


@dataclass(frozen=True)
class CompiledChecklistItem:
    """An action for someone on the team (``owner``), in each language, with an optional deadline."""

    text: Text
    owner: str
    deadline: CompiledDeadline | None
    source: str | None
    shared: bool = False  # from a shared checklist (``include_checklists``): common to many cases


@dataclass(frozen=True)
class CompiledBranch:
    """One branch of a step: taken when ``condition`` holds (the first that does wins); the
    ``reason`` is what the trace and the card say, ``source`` what it rests on."""

    index: int
    condition: Expression | None  # None: the default branch
    target: str
    reason: Text | None
    source: str | None


@dataclass(frozen=True)
class CompiledStep:
    """A step: the inputs it ``ask``s, the values it binds (``lets``), its checklist, and either
    ordered ``branches`` or one ``next`` node."""

    id: str
    kind: str
    title: Text
    help: Text | None
    ask: tuple[str, ...]
    lets: tuple[tuple[str, Expression], ...]
    checklist: tuple[CompiledChecklistItem, ...]
    branches: tuple[CompiledBranch, ...]
    next: str | None
    reason: Text | None
    source: str | None
    reads: frozenset[str]  # inputs this step needs (asked, or read by its expressions)
    location: Location

    @property
    def targets(self) -> tuple[str, ...]:
        """The ids of the nodes this step can lead to, in branch order."""
        if self.branches:
            return tuple(b.target for b in self.branches)
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class CompiledCompensation:
    """What an outcome pays the buyer: an amount (capped at ``item_value`` by the engine), an
    optional range, and its currency."""

    amount: Expression
    minimum: Expression | None
    maximum: Expression | None
    currency: Expression


@dataclass(frozen=True)
class CompiledOutcome:
    """An end of the flow: the resolution and its terms (who pays shipping, who bears the cost,
    compensation, deadlines), the checklist, and the customer message per language."""

    id: str
    title: Text
    resolution: str
    shipping: str | Expression
    cost: str | Expression
    compensation: CompiledCompensation | None
    deadlines: tuple[CompiledDeadline, ...]
    checklist: tuple[CompiledChecklistItem, ...]
    messages: dict[str, LazyTemplate]  # lang -> the customer message's template (render with templates.render)
    message_sources: Text
    message_variables: frozenset[str]
    sources: tuple[str, ...]
    reads: frozenset[str]  # inputs the outcome itself needs
    location: Location
    # the message rules its message is checked against: its own ``reply_kind``, else the playbook's
    reply_kind: str = "general"
    # the deadlines the first reply gives as the estimated resolution time (the first computed
    # wins), ("now",), or () when the playbook does not say (seed 001)
    estimate: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompiledPlaybook:
    """A whole scenario ready to decide: inputs, steps from ``start``, outcomes, worked examples,
    and the ``content_hash`` a decision record names. Frozen: the engine never parses while deciding."""

    scenario: str
    version: str
    content_hash: str
    file: str
    title: Text
    summary: Text
    reply_kind: str
    platforms: tuple[str, ...]
    start: str
    inputs: dict[str, CompiledInput]
    steps: dict[str, CompiledStep]
    outcomes: dict[str, CompiledOutcome]
    examples: tuple[tuple[Example, Location], ...]
    sources: tuple[str, ...]
    remaining: dict[str, int]  # longest number of steps from a node to an outcome
    defaults: dict[str, Any] = field(default_factory=dict)  # input name -> default, for inputs that have one
    coercers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)  # input name -> its coercer

    def node(self, node_id: str) -> CompiledStep | CompiledOutcome:
        """The step or outcome with ``node_id`` (``KeyError`` if neither)."""
        return self.steps.get(node_id) or self.outcomes[node_id]


def reply_kind_for(playbook: CompiledPlaybook, outcome: str) -> str:
    """The message kind (:data:`aftersales.compliance.KINDS`) that ``outcome``'s customer message,
    or a reply written for it, is checked as: the outcome's own ``reply_kind``, else its
    playbook's. Raises :class:`~aftersales.errors.UnknownNameError` for an outcome the playbook lacks.

    A decision carries its outcome: ``decision.outcome_node.reply_kind`` is the same value.
    """
    node = playbook.outcomes.get(outcome)
    if node is None:
        raise UnknownNameError(f"outcome for scenario '{playbook.scenario}'", outcome, playbook.outcomes)
    return node.reply_kind
