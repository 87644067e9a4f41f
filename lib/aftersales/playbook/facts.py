"""Checking and converting the facts of a case against a playbook's typed inputs.

Each input type has one coercer; a bad value raises :class:`FactError` naming the fact and
what is allowed. JSON-friendly spellings are accepted (ISO strings for dates, ``"true"`` for
booleans from CSV files); anything else of the wrong type is refused, never guessed.
"""

from __future__ import annotations

import math
import sys
from datetime import date, datetime, timezone
from typing import Any, Callable

from ..errors import FactError
from .model import InputSpec

Coercer = Callable[[Any], Any]

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
DEFAULT_TEXT_LENGTH = 5000


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "whole number", float: "number", str: "text", list: "list",
            dict: "object"}.get(type(value), type(value).__name__)


def _coerce_bool(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise FactError(name, f"expected true or false, got {value!r} ({_kind(value)})", "true, false")

    return coerce


def _range_text(spec: InputSpec, unit: str) -> str:
    low = "" if spec.min is None else f"{_num(spec.min)} ≤ "
    high = "" if spec.max is None else f" ≤ {_num(spec.max)}"
    return f"{low}value{high}{unit}" if (low or high) else f"any {unit.strip() or 'number'}"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_range(name: str, spec: InputSpec, value: float) -> None:
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        unit = f" {spec.unit}" if spec.unit else ""
        raise FactError(name, f"{_num(value)} is out of range", _range_text(spec, unit))


def _coerce_int(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FactError(name, f"expected a whole number, got {value!r} ({_kind(value)})",
                            _range_text(spec, f" {spec.unit}" if spec.unit else ""))
        if isinstance(value, float) and not value.is_integer():
            raise FactError(name, f"expected a whole number, got {value!r}", "whole numbers")
        value = int(value)
        _check_range(name, spec, value)
        return value

    return coerce


def _coerce_number(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FactError(name, f"expected a number, got {value!r} ({_kind(value)})",
                            _range_text(spec, f" {spec.unit}" if spec.unit else ""))
        value = float(value)
        if not math.isfinite(value):
            raise FactError(name, f"{value!r} is not a finite number", "finite numbers")
        _check_range(name, spec, value)
        return value

    return coerce


# Dates of after-sales cases: wide enough for any real order, narrow enough that deadline
# arithmetic never runs off the calendar (year 9999 + 30 days overflows).
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2199, 12, 31)
_DATE_RANGE = f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"


def _in_range(name: str, value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FactError(name, f"{value.isoformat()} is outside the supported dates", _DATE_RANGE)


def _coerce_date(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> date:
        if isinstance(value, datetime):
            raise FactError(name, "expected a date without a time", "YYYY-MM-DD")
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value.strip())
            except ValueError:
                pass
        if isinstance(value, date):
            _in_range(name, value)
            return value
        raise FactError(name, f"expected a date, got {value!r}", "YYYY-MM-DD")

    return coerce


def _coerce_datetime(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise FactError(name, f"expected a date and time, got {value!r}",
                                "ISO 8601, e.g. 2026-11-23T09:30:00+00:00") from None
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if not isinstance(value, datetime):
            raise FactError(name, f"expected a date and time, got {value!r} ({_kind(value)})",
                            "ISO 8601, e.g. 2026-11-23T09:30:00+00:00")
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        _in_range(name, value)
        return value

    return coerce


def _coerce_choice(name: str, spec: InputSpec) -> Coercer:
    choices = tuple(spec.choices or ())
    allowed = ", ".join(choices)

    def coerce(value: Any) -> str:
        if isinstance(value, str) and value in choices:
            return value
        from ..errors import did_you_mean

        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise FactError(name, f"{value!r} is not one of the choices{hint}", allowed)

    return coerce


def _coerce_text(name: str, spec: InputSpec) -> Coercer:
    limit = spec.max_length or DEFAULT_TEXT_LENGTH

    def coerce(value: Any) -> str:
        if not isinstance(value, str):
            raise FactError(name, f"expected text, got {value!r} ({_kind(value)})", "text")
        if len(value) > limit:
            raise FactError(name, f"text of {len(value)} characters is too long", f"at most {limit} characters")
        return value

    return coerce


COERCERS: dict[str, Callable[[str, InputSpec], Coercer]] = {
    "bool": _coerce_bool,
    "int": _coerce_int,
    "number": _coerce_number,
    "money": _coerce_number,
    "date": _coerce_date,
    "datetime": _coerce_datetime,
    "choice": _coerce_choice,
    "text": _coerce_text,
}


def make_coercer(name: str, spec: InputSpec) -> Coercer:
    """The coercer for one input, with null handling according to ``nullable``.

    Values that already have the input's Python type and fit its range return at once (one
    call); anything else takes the full path, which converts or explains what is allowed.
    """
    inner = COERCERS[spec.type](name, spec)
    if spec.nullable:
        def full(value: Any) -> Any:
            return None if value is None else inner(value)
    else:
        def full(value: Any) -> Any:
            if value is None:
                raise FactError(name, "must not be null", _allowed_for(spec))
            return inner(value)
    accepts = _fast_check(spec)

    def coerce(value: Any) -> Any:
        if accepts(value):
            return value
        return full(value)

    return coerce


def _fast_check(spec: InputSpec) -> Callable[[Any], bool]:
    """A cheap test for values that need no conversion and no further checks."""
    kind = spec.type
    if kind == "bool":
        return lambda value: value is True or value is False
    if kind in ("number", "money"):
        # finite bounds, so inf and nan always take the full path (which refuses them)
        low = -sys.float_info.max if spec.min is None else spec.min
        high = sys.float_info.max if spec.max is None else spec.max
        return lambda value: type(value) is float and low <= value <= high
    if kind == "int":
        low = -math.inf if spec.min is None else spec.min
        high = math.inf if spec.max is None else spec.max
        return lambda value: type(value) is int and low <= value <= high
    if kind == "choice":
        choices = frozenset(spec.choices or ())
        return lambda value: type(value) is str and value in choices
    if kind == "date":
        return lambda value: type(value) is date and EARLIEST_DATE <= value <= LATEST_DATE
    if kind == "text":
        limit = spec.max_length or DEFAULT_TEXT_LENGTH
        return lambda value: type(value) is str and len(value) <= limit
    return lambda value: False  # datetimes are normalised to UTC on the full path


def _allowed_for(spec: InputSpec) -> str:
    if spec.type == "choice":
        return ", ".join(spec.choices or ())
    return {"bool": "true, false", "date": "YYYY-MM-DD", "datetime": "ISO 8601 date and time",
            "text": "text"}.get(spec.type, _range_text(spec, f" {spec.unit}" if spec.unit else ""))


def describe_allowed(spec: InputSpec) -> str:
    """What a value of this input may be, for messages and forms."""
    text = _allowed_for(spec)
    return f"{text}, or null" if spec.nullable else text
