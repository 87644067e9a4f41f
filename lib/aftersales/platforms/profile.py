"""A platform's merged parameter profile: jurisdiction + platform, resolved by date.

A :class:`Profile` holds each parameter's dated history from the layer that wins (the
platform file if it names the parameter, otherwise the jurisdiction file) and answers
"what was the rule on this day?" like the ``holidays`` package answers "is this a holiday?".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal, Mapping

from ..errors import AftersalesError, UnknownNameError
from .model import Catalogue, Confidence, Law, ValueEntry, start_key

Layer = Literal["platform", "jurisdiction", "overlay"]


class NoValueInForceError(AftersalesError, LookupError):
    """A parameter has no value in force on the date asked for (before its first entry)."""

    def __init__(self, parameter: str, platform: str, as_of: date, earliest: date | None):
        self.parameter, self.platform, self.as_of, self.earliest = parameter, platform, as_of, earliest
        known = f"; the earliest known value is from {earliest.isoformat()}" if earliest else ""
        super().__init__(
            f"parameter '{parameter}' of platform '{platform}' has no value in force "
            f"on {as_of.isoformat()}{known}"
        )


@dataclass(frozen=True)
class ResolvedParam:
    """The value of one parameter in force on a date, with where it came from."""

    name: str
    value: Any
    unit: str
    source: str
    confidence: Confidence
    effective_from: date | None  # None: the value's start date is unknown
    note: str | None
    layer: Layer
    verified_on: date | None = None  # None: never verified
    cases: tuple[Any, ...] = ()  # CaseValue: a value when a condition on the case's facts holds

    @property
    def start_unknown(self) -> bool:
        """True when the value in force is one whose start date is unknown."""
        return self.effective_from is None

    @property
    def effective_text(self) -> str:
        """``effective_from`` as text: the ISO date, or ``unknown``."""
        return self.effective_from.isoformat() if self.effective_from else "unknown"


def as_date(as_of: date | datetime | str) -> date:
    """Accept a date, a datetime (its date is used) or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str):
        try:
            return date.fromisoformat(as_of)
        except ValueError:
            pass
    raise TypeError(f"as_of must be a date or an ISO date string, not {as_of!r}")


@dataclass(frozen=True, eq=False)
class Profile:
    """The merged parameters of one platform; resolve them with :meth:`resolve`."""

    name: str
    jurisdiction: str
    holiday_country: str
    display_name: Mapping[str, str]
    history: Mapping[str, tuple[ValueEntry, ...]] = field(repr=False)
    layers: Mapping[str, Layer] = field(repr=False)
    catalogue: Catalogue = field(repr=False)
    laws: tuple[Law, ...] = field(default=(), repr=False)
    overlaid_from: Mapping[str, date] = field(default_factory=dict, repr=False)  # name -> first overlay date
    _resolved: dict[date, dict[str, ResolvedParam]] = field(default_factory=dict, repr=False)
    _values: dict[date, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "display_name", MappingProxyType(dict(self.display_name)))
        object.__setattr__(self, "history", MappingProxyType(dict(self.history)))
        object.__setattr__(self, "layers", MappingProxyType(dict(self.layers)))

    def overridden(self, parameters: Mapping[str, Any]) -> "Profile":
        """This profile with ``parameters`` (name → :class:`~.model.Parameter`) laid on top.

        An overriding history takes over from its first ``effective_from``: the profile's own
        values before that day stay in force for earlier dates, so a store rule dated
        2026-03-01 does not erase what applied in 2025.
        """
        history = dict(self.history)
        overlaid_from = dict(self.overlaid_from)
        for name, param in parameters.items():
            unit = self.catalogue[name].unit
            entries = sorted((e if e.unit else e.model_copy(update={"unit": unit}) for e in param.values),
                             key=start_key)
            first = entries[0].effective_from
            # an overlay value of unknown start replaces the whole history; a dated one from its day
            earlier = () if first is None else tuple(
                e for e in history.get(name, ()) if e.effective_from is None or e.effective_from < first)
            history[name] = earlier + tuple(entries)
            overlaid_from[name] = first or date.min
        return Profile(name=self.name, jurisdiction=self.jurisdiction, holiday_country=self.holiday_country,
                       display_name=dict(self.display_name), history=history, layers=self.layers,
                       catalogue=self.catalogue, laws=self.laws, overlaid_from=overlaid_from)

    @property
    def parameter_names(self) -> frozenset[str]:
        return frozenset(self.history)

    def _check(self, name: str) -> tuple[ValueEntry, ...]:
        try:
            return self.history[name]
        except KeyError:
            raise UnknownNameError("parameter", name, self.history) from None

    def entries(self, name: str) -> list[ValueEntry]:
        """The dated history of ``name`` (oldest first, units filled in)."""
        return list(self._check(name))

    def layer(self, name: str) -> Layer:
        """Where ``name`` comes from: ``"platform"`` or ``"jurisdiction"``."""
        self._check(name)
        return self.layers[name]

    def get(self, name: str, as_of: date | datetime | str) -> ResolvedParam:
        """The value of ``name`` in force on ``as_of``."""
        as_of = as_date(as_of)
        entries = self._check(name)
        if as_of in self._resolved:
            return self._resolved[as_of][name]
        return self._pick(name, entries, as_of)

    def _pick(self, name: str, entries: tuple[ValueEntry, ...], as_of: date) -> ResolvedParam:
        # The dated value in force wins; a value whose start is unknown applies only on days no
        # dated value covers (before the first dated one, or when there is none).
        in_force = unknown = None
        for entry in entries:  # unknown starts first, then by effective_from
            if entry.effective_from is None:
                unknown = entry
                continue
            if entry.effective_from > as_of:
                break
            in_force = entry
        if in_force is None:
            in_force = unknown
        if in_force is None:
            dated = [e.effective_from for e in entries if e.effective_from is not None]
            raise NoValueInForceError(name, self.name, as_of, dated[0] if dated else None)
        return ResolvedParam(
            name=name,
            value=in_force.value,
            unit=in_force.unit or self.catalogue[name].unit,
            source=in_force.source or "",
            confidence=in_force.confidence,
            effective_from=in_force.effective_from,
            note=in_force.note,
            layer="overlay" if name in self.overlaid_from
            and (in_force.effective_from or date.min) >= self.overlaid_from[name] else self.layers[name],
            verified_on=in_force.verified_on,
            cases=in_force.cases,
        )

    def resolve(self, as_of: date | datetime | str) -> dict[str, ResolvedParam]:
        """Every parameter's value in force on ``as_of`` (cached per date)."""
        as_of = as_date(as_of)
        cached = self._resolved.get(as_of)
        if cached is None:
            cached = {name: self._pick(name, entries, as_of) for name, entries in self.history.items()}
            self._resolved[as_of] = cached
        return dict(cached)

    def values(self, as_of: date | datetime | str) -> dict[str, Any]:
        """Just ``name -> value`` in force on ``as_of``, for expression evaluation."""
        as_of = as_date(as_of)
        cached = self._values.get(as_of)
        if cached is None:
            cached = {name: param.value for name, param in self.resolve(as_of).items()}
            self._values[as_of] = cached
        return dict(cached)
