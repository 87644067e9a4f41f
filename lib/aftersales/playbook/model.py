"""The playbook file format, as pydantic models (the schema a lead's YAML must follow).

A playbook is read top to bottom: ``inputs`` (the facts it may ask, typed, labelled in
en/zh/ru), ``steps`` (questions, checks and checklist actions, each ending in ordered
``branches`` with a ``default`` or in ``next``), and ``outcomes`` (the recommendation:
resolution, who pays, compensation, deadlines, checklist, the customer message per language,
sources). ``examples`` are worked cases that run as tests. See docs/playbook-format.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from pydantic import ConfigDict, Field

from ..languages import LANGS as LANGS  # re-exported: the playbook model's languages
from ..strict import StrictModel

Resolution = Literal[
    "guide", "send_part", "repair", "paid_repair", "exchange", "refund", "partial_refund",
    "refund_without_return", "reship", "wait", "intercept", "dispute", "accept_claim",
    "reimbursement_claim", "reply", "request_removal", "escalate", "reject", "inspect",
]
# ``items``: a list of ``{sku, name, quantity, unit_price, supplier, batch}`` (the order lines a case is about; seed 003):
# never asked by the form, given by an export or the command line, printed on the return slip
InputType = Literal["bool", "int", "number", "money", "date", "datetime", "choice", "text", "items"]
# the message rules a customer message is checked against (aftersales.compliance.KINDS)
ReplyKind = Literal["apology", "review_reply", "claim_response", "general"]
Owner = Literal["agent", "lead", "warehouse", "finance", "quality", "logistics"]
RESOLUTIONS: tuple[str, ...] = get_args(Resolution)
OWNERS: tuple[str, ...] = get_args(Owner)
REPLY_KINDS: tuple[str, ...] = get_args(ReplyKind)
SHIPPING_PAYERS: tuple[str, ...] = ("seller", "buyer", "platform", "insurer", "none")
COST_BEARERS: tuple[str, ...] = ("seller", "buyer", "platform", "insurer", "none")

Text = dict[str, str]
Sources = list[str]


class Strict(StrictModel):
    """A playbook shape: unknown keys refused; fields with a YAML alias (``from``) also take their name."""

    model_config = ConfigDict(populate_by_name=True)


class InputSpec(Strict):
    """One fact the playbook may ask for."""

    type: InputType
    label: Text
    help: Text | None = None
    required: bool = True
    default: Any = None
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    choices: list[str] | None = None
    choice_labels: dict[str, Text] | None = None
    #: Choices that exist only on some platforms: choice -> a condition over ``params``, ``platform``
    #: and ``jurisdiction`` (``"params.chargeback_response_days is not null"``). The SOP of a platform
    #: where it is false leaves out the branches only that choice reaches.
    choices_where: dict[str, str] | None = None
    max_length: int | None = Field(default=None, gt=0, le=100_000)
    source: str | None = None


class DeadlineSpec(Strict):
    """A deadline: ``within`` a duration (a ``params.NAME`` or ``"24 hours"``) ``from`` a moment."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    within: str
    from_: str = Field(default="now", alias="from")
    label: Text | None = None
    source: str | None = None


class ChecklistItem(Strict):
    """An action for someone on the team, optionally with a deadline."""

    do: Text
    owner: Owner = "agent"
    deadline: DeadlineSpec | None = None
    source: str | None = None


class Branch(Strict):
    """One ordered branch: the first whose ``when`` holds is taken; ``default`` catches the rest."""

    when: str | bool | None = None
    default: bool = False
    goto: str
    reason: Text | None = None
    source: str | None = None


class Step(Strict):
    """A question (``ask``), a check (``let`` + ``branches``) or an action (``checklist``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["question", "check", "action"] | None = None
    title: Text
    help: Text | None = None
    ask: list[str] = []
    let: dict[str, str] = {}
    include_checklists: list[str] = []
    checklist: list[ChecklistItem] = []
    branches: list[Branch] = []
    next: str | None = None
    reason: Text | None = None
    source: str | None = None


class Compensation(Strict):
    """Money offered to the customer: amounts are expressions, usually policy function calls."""

    amount: str | float
    min: str | float | None = None
    max: str | float | None = None
    currency: str = "currency"


class Outcome(Strict):
    """The recommendation at the end of a path."""

    title: Text
    resolution: Resolution
    return_shipping_paid_by: str
    cost_borne_by: str
    compensation: Compensation | None = None
    deadlines: list[DeadlineSpec] = []
    include_checklists: list[str] = []
    checklist: list[ChecklistItem] = []
    message: Text
    # the message rules this outcome's message is checked against, when not the playbook's
    # ``reply_kind`` (e.g. ``general`` for a "still on its way" note in an apology playbook);
    # checked against REPLY_KINDS when loading, so a typo is a located error
    reply_kind: str | None = None
    # seed 001: a first reply that cannot settle the case at once says when it will be settled:
    # the name of one of this outcome's deadlines (its own or its checklist's) that the message
    # gives in every language, or ``now`` when this reply itself settles it. A list names
    # fallbacks, the first computed for the case wins (a parameter null on some platform, a fact
    # not known yet at the first reply)
    estimate: str | list[str] | None = None
    sources: Sources = Field(min_length=1)


class Expectation(Strict):
    """What an example case must decide."""

    outcome: str
    resolution: str | None = None
    return_shipping_paid_by: str | None = None
    cost_borne_by: str | None = None
    compensation: float | None = None
    no_compensation: bool = False


class Example(Strict):
    """A worked case: facts on a platform, and the decision the playbook must reach.

    ``name`` says it in English; ``title`` says it in the other languages (``{zh: …, ru: …}``), for
    the SOP documents in those languages."""

    name: str
    title: Text = {}
    platform: str
    as_of: datetime | date | str | None = None
    lang: str | None = None
    facts: dict[str, Any]
    expect: Expectation


class PlaybookHeader(Strict):
    """Top-level keys (validated separately so one bad step does not hide other problems)."""

    scenario: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: Text
    summary: Text
    # which message rules the customer replies of this scenario are checked against (aftersales.compliance;
    # one of REPLY_KINDS, checked when loading); an outcome may declare its own
    reply_kind: str = "general"
    include: list[str] = []
    platforms: list[str] | None = None
    start: str
    sources: Sources = []
    inputs: dict[str, Any]
    steps: list[Any]
    outcomes: dict[str, Any]
    examples: list[Any] = []


class InputSet(Strict):
    """A shared file that playbooks ``include`` (e.g. playbooks/common.yaml): inputs, and
    named checklists that a step pulls in with ``include_checklists``."""

    inputs: dict[str, Any] = {}
    checklists: dict[str, list[Any]] = {}
    description: Text | None = None
