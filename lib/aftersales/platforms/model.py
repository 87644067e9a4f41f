"""Pydantic models of the parameter files: the catalogue, jurisdictions and platforms.

The files are data a team lead edits (``playbooks/parameters.yaml``,
``playbooks/jurisdictions/*.yaml``, ``playbooks/platforms/*.yaml``); these models only
describe their shape. Cross-file rules (known parameter names, value types, units,
coverage of the catalogue) are checked in :mod:`aftersales.platforms.load`, which reports
every problem with ``file:line:col``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..strict import StrictModel

Confidence = Literal["high", "medium", "low", "unverified"]
#: ``texts``: a map of names to a text in each customer language (``{en: ..., zh: ..., ru: ...}``),
#: e.g. ``return_route``, the sentence a message tells the buyer per return flow.
ParamType = Literal["number", "int", "bool", "text", "list", "map", "money", "texts"]
Scenario = Literal["all", "quality_defect", "wrong_item", "size_mismatch", "claim", "bad_review", "change_of_mind",
                   "service_complaint", "recall", "refund_only"]

#: Units a value may carry, grouped by what they measure. A value may use another unit of
#: its catalogue unit's group (e.g. 3 ``days`` then 48 ``hours``), never another group.
UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "time": ("hours", "days", "business_days"),
    "length": ("cm",),
    "mass": ("kg",),
    "percent": ("percent",),
    "ratio": ("ratio",),
    "currency": ("currency",),
    "none": ("none",),
}
UNITS: tuple[str, ...] = tuple(unit for group in UNIT_GROUPS.values() for unit in group)
LANGUAGES: tuple[str, ...] = ("en", "zh", "ru")
#: How a value whose start date is unknown spells its ``effective_from``.
UNKNOWN_START = "unknown"


def start_key(entry: Any) -> date:
    """Sort key of value entries: unknown starts first (they never follow a dated value)."""
    return entry.effective_from or date.min


def unit_group(unit: str) -> str | None:
    """The group (``time``, ``length``...) of ``unit``, or None for an unknown unit."""
    for group, units in UNIT_GROUPS.items():
        if unit in units:
            return group
    return None


class _Strict(StrictModel):
    model_config = ConfigDict(frozen=True)


class LocalText(_Strict):
    """A text in each customer language of the toolkit."""

    en: str
    zh: str
    ru: str


class CatalogueEntry(_Strict):
    """One parameter of the catalogue: its type, default unit, meaning and scenarios.

    ``keys`` (for ``map``) lists the allowed keys; ``choices`` lists the allowed values of
    a ``text`` value, of the items of a ``list`` and of the values (or value items) of a
    ``map``.
    """

    type: ParamType
    unit: str = "none"
    description: LocalText
    scenarios: tuple[Scenario, ...] = Field(min_length=1)
    keys: tuple[str, ...] | None = None
    choices: tuple[str, ...] | None = None
    #: What an empty (null) value means, where "not on this platform" would mislead (a store's own
    #: setting not made yet); shown in the SOP's parameter table.
    if_null: LocalText | None = None


class Catalogue(_Strict):
    """``playbooks/parameters.yaml``: every parameter name exactly once."""

    parameters: dict[str, CatalogueEntry]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.parameters)

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __getitem__(self, name: str) -> CatalogueEntry:
        return self.parameters[name]


class CaseValue(_Strict):
    """A value of a parameter for some cases only: ``when`` a condition on the case's facts holds
    (``category == 'footwear'``), with its own source (a store's rule for that category)."""

    when: str
    value: Any
    source: str
    note: str | None = None


class ValueEntry(_Strict):
    """One dated value of a parameter, with the source it rests on.

    ``value: null`` means "this rule does not exist / does not apply here"; it still needs a
    source and a confidence. ``unit`` defaults to the catalogue's unit. ``source`` is
    checked by the loader (reported as ``[no-source]`` when missing or empty).
    """

    value: Any
    unit: str | None = None
    source: str | None = None
    confidence: Confidence
    #: the day the value took effect; None = its start is unknown (YAML ``effective_from: unknown``):
    #: it then applies only on days no dated value of the parameter covers (docs/parameters.md)
    effective_from: date | None
    #: the day someone last checked the value against its source; missing = never verified
    verified_on: date | None = None
    note: str | None = None
    #: values for some cases only, tried in order before ``value`` (issue 16, part 3)
    cases: tuple[CaseValue, ...] = ()

    @field_validator("effective_from", mode="before")
    @classmethod
    def _unknown_start(cls, value: Any) -> Any:
        if value == UNKNOWN_START:
            return None
        if value is None:
            raise ValueError(f"write the day the value took effect, or '{UNKNOWN_START}' when it is not known")
        return value

    @property
    def start_unknown(self) -> bool:
        """True for a value whose start date is unknown (``effective_from: unknown``)."""
        return self.effective_from is None


class Parameter(_Strict):
    """A parameter's dated history; YAML gives one entry directly or ``values:`` a list."""

    values: tuple[ValueEntry, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _single_entry(cls, data: Any) -> Any:
        if isinstance(data, ValueEntry) or (isinstance(data, dict) and "values" not in data):
            return {"values": [data]}
        return data


class Law(_Strict):
    """A law or regulation a jurisdiction's parameters come from."""

    name: str
    source: str


class JurisdictionFile(_Strict):
    """``playbooks/jurisdictions/<code>.yaml``: the consumer law behind platforms."""

    jurisdiction: str
    name: LocalText
    holidays: str
    laws: tuple[Law, ...] = ()
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    # legal floors (checked by aftersales.platforms.floors; docs/law.md)
    floors: dict[str, Any] = Field(default_factory=dict)


class PlatformFile(_Strict):
    """``playbooks/platforms/<name>.yaml``: a platform's rules; they override its
    jurisdiction's parameter of the same name (the whole dated history)."""

    platform: str
    name: LocalText
    jurisdiction: str
    parameters: dict[str, Parameter] = Field(default_factory=dict)
