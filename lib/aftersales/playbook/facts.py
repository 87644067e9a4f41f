"""Checking and converting the facts of a case against a playbook's typed inputs.

Each input type has one coercer; a bad value raises :class:`FactError` naming the fact and
what is allowed. JSON-friendly spellings are accepted (ISO strings for dates, ``"true"`` for
booleans from CSV files); anything else of the wrong type is refused, never guessed.
"""

from __future__ import annotations

import codecs
import json
import math
import re
import reprlib
from datetime import date, datetime, timezone
from typing import IO, Any, Callable

from ..errors import FactError, InputError
from ..limits import MAX_FACTS_BYTES, MAX_JSON_DEPTH, MAX_NUMBER_DIGITS, MAX_YEAR, MIN_YEAR
from .model import InputSpec

Coercer = Callable[[Any], Any]

_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
DEFAULT_TEXT_LENGTH = 5000


#: Numbers of a fact are below this in magnitude (limits.MAX_NUMBER_DIGITS digits before the point).
NUMBER_BOUND = 10 ** MAX_NUMBER_DIGITS
_DIGITS_ALLOWED = f"at most {MAX_NUMBER_DIGITS} digits before the decimal point"


class OversizedNumber:
    """A JSON or CSV number with more digits than :data:`MAX_NUMBER_DIGITS`, kept as its length
    only (never converted: Python refuses to turn 4,300+ digits into an int, and they mean
    nothing as a fact); every coercer refuses it, naming the fact."""

    __slots__ = ("digits",)

    def __init__(self, text: str):
        self.digits = sum(ch.isdigit() for ch in text)

    def __repr__(self) -> str:
        return f"<a number of {self.digits} digits>"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlevel = 3
_REPR.maxlong = 40


def show(value: Any) -> str:
    """A short, always-safe ``repr`` of a (possibly hostile) value for an error message: long
    text and deep or long lists are cut, huge ints are described (never converted to text)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= NUMBER_BOUND:
        return f"{'-' if value < 0 else ''}a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        return _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not replace the real error
        return f"<{type(value).__name__}>"


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "whole number", float: "number", str: "text", list: "list",
            dict: "object", OversizedNumber: "number"}.get(type(value), type(value).__name__)


def _check_magnitude(name: str, value: Any) -> None:
    """Refuse numbers with more than MAX_NUMBER_DIGITS digits, infinities and NaN (limits.py)."""
    if isinstance(value, OversizedNumber):
        raise FactError(name, f"a number of {value.digits} digits is too large", _DIGITS_ALLOWED)
    if isinstance(value, float) and not math.isfinite(value):
        raise FactError(name, f"{value!r} is not a finite number", "finite numbers")
    if not -NUMBER_BOUND < value < NUMBER_BOUND:
        raise FactError(name, f"{show(value)} is too large", _DIGITS_ALLOWED)


def _coerce_bool(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise FactError(name, f"expected true or false, got {show(value)} ({_kind(value)})", "true, false")

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
        if isinstance(value, OversizedNumber):
            _check_magnitude(name, value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FactError(name, f"expected a whole number, got {show(value)} ({_kind(value)})",
                            _range_text(spec, f" {spec.unit}" if spec.unit else ""))
        _check_magnitude(name, value)
        if isinstance(value, float) and not value.is_integer():
            raise FactError(name, f"expected a whole number, got {value!r}", "whole numbers")
        whole = int(value)
        _check_range(name, spec, whole)
        return whole

    return coerce


def _coerce_number(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> float:
        if isinstance(value, OversizedNumber):
            _check_magnitude(name, value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FactError(name, f"expected a number, got {show(value)} ({_kind(value)})",
                            _range_text(spec, f" {spec.unit}" if spec.unit else ""))
        _check_magnitude(name, value)  # before float(): an int of 10**400 overflows a float
        number = float(value)
        _check_range(name, spec, number)
        return number

    return coerce


# Dates of after-sales cases: wide enough for any real order, narrow enough that deadline
# arithmetic never runs off the calendar (year 9999 + 30 days overflows): limits.MIN_YEAR..MAX_YEAR.
EARLIEST_DATE = date(MIN_YEAR, 1, 1)
LATEST_DATE = date(MAX_YEAR, 12, 31)
_DATE_RANGE = f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"


def _in_range(name: str, value: date) -> None:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise FactError(name, f"{value.isoformat()} is outside the supported dates", _DATE_RANGE)


def to_utc(name: str, value: datetime) -> datetime:
    """``value`` as an aware UTC datetime within the supported dates, or a :class:`FactError`.

    The local date is checked first: converting 0001-01-01T00:00+01:00 or 9999-12-31T23:00-05:00
    to UTC would run off Python's calendar (OverflowError); a hostile ``tzinfo`` is refused too.
    """
    _in_range(name, value)
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        moment = value.astimezone(timezone.utc)
    except (ValueError, OverflowError, TypeError, AttributeError) as exc:
        raise FactError(name, f"{show(value)} has an unusable time zone ({exc})",
                        "ISO 8601 with an offset, e.g. 2026-11-23T09:30:00+00:00") from None
    _in_range(name, moment)
    return moment


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
        raise FactError(name, f"expected a date, got {show(value)}", "YYYY-MM-DD")

    return coerce


def _coerce_datetime(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> datetime:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise FactError(name, f"expected a date and time, got {show(value)}",
                                "ISO 8601, e.g. 2026-11-23T09:30:00+00:00") from None
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        if not isinstance(value, datetime):
            raise FactError(name, f"expected a date and time, got {show(value)} ({_kind(value)})",
                            "ISO 8601, e.g. 2026-11-23T09:30:00+00:00")
        return to_utc(name, value)

    return coerce


def _coerce_choice(name: str, spec: InputSpec) -> Coercer:
    choices = tuple(spec.choices or ())
    allowed = ", ".join(choices)

    def coerce(value: Any) -> str:
        if isinstance(value, str) and value in choices:
            return value
        from ..errors import did_you_mean

        hint = did_you_mean(value, choices) if isinstance(value, str) and len(value) <= 100 else ""
        raise FactError(name, f"{show(value)} is not one of the choices{hint}", allowed)

    return coerce


def _coerce_text(name: str, spec: InputSpec) -> Coercer:
    limit = spec.max_length or DEFAULT_TEXT_LENGTH

    def coerce(value: Any) -> str:
        if not isinstance(value, str):
            raise FactError(name, f"expected text, got {show(value)} ({_kind(value)})", "text")
        if len(value) > limit:
            raise FactError(name, f"text of {len(value)} characters is too long", f"at most {limit} characters")
        if not _valid_unicode(value):
            raise FactError(name, "text with an unpaired surrogate (\\ud800-\\udfff) is not valid Unicode",
                            "text that can be written as UTF-8")
        return value

    return coerce


#: The fields of one entry of an ``items`` fact (seed 003: the slip lists SKU, name and quantity).
ITEM_FIELDS = ("sku", "name", "quantity", "unit_price", "supplier", "batch")
#: At most this many entries in an ``items`` fact (more lines than any real parcel holds).
MAX_ITEMS = 200
_ITEMS_ALLOWED = (f"a list of at most {MAX_ITEMS} objects {{sku, name, quantity, unit_price, supplier, batch}}: sku "
                  "and name text, quantity a whole number ≥ 1, unit_price money ≥ 0, supplier and batch text (the "
                  "last three optional)")
_ITEM_TEXT_LENGTH = {"sku": 64, "name": 300}
#: Optional text fields of an item: who supplied it and its batch (seeds 000, 001: causes go back to suppliers).
_ITEM_OPTIONAL_TEXT = {"supplier": 200, "batch": 100}


def _item_text(field: str, value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FactError(field, f"expected text, got {show(value)} ({_kind(value)})", "non-empty text")
    if len(value) > limit:
        raise FactError(field, f"text of {len(value)} characters is too long", f"at most {limit} characters")
    if not _valid_unicode(value):
        raise FactError(field, "text with an unpaired surrogate (\\ud800-\\udfff) is not valid Unicode",
                        "text that can be written as UTF-8")
    return value.strip()


def _coerce_item(name: str, index: int, value: Any) -> dict[str, Any]:
    where = f"{name}[{index}]"
    if not isinstance(value, dict):
        raise FactError(where, f"expected an object, got {show(value)} ({_kind(value)})",
                        "{sku, name, quantity, unit_price, supplier, batch}")
    unknown = [key for key in value if key not in ITEM_FIELDS]
    if unknown:
        raise FactError(where, f"{show(unknown[0])} is not a field of an item", ", ".join(ITEM_FIELDS))
    for key in ("sku", "name", "quantity"):
        if value.get(key) is None:
            raise FactError(f"{where}.{key}", "is missing", _ITEMS_ALLOWED)
    item: dict[str, Any] = {key: _item_text(f"{where}.{key}", value[key], limit)
                            for key, limit in _ITEM_TEXT_LENGTH.items()}
    quantity = value["quantity"]
    if isinstance(quantity, OversizedNumber):
        _check_magnitude(f"{where}.quantity", quantity)
    if isinstance(quantity, float) and quantity.is_integer() and math.isfinite(quantity):
        quantity = int(quantity)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise FactError(f"{where}.quantity", f"expected a whole number, got {show(quantity)} ({_kind(quantity)})",
                        "whole numbers ≥ 1")
    _check_magnitude(f"{where}.quantity", quantity)
    if quantity < 1:
        raise FactError(f"{where}.quantity", f"{quantity} is out of range", "whole numbers ≥ 1")
    item["quantity"] = quantity
    price = value.get("unit_price")
    if price is not None:
        if isinstance(price, OversizedNumber):
            _check_magnitude(f"{where}.unit_price", price)
        if isinstance(price, bool) or not isinstance(price, (int, float)):
            raise FactError(f"{where}.unit_price", f"expected a number, got {show(price)} ({_kind(price)})",
                            "money ≥ 0, or null")
        _check_magnitude(f"{where}.unit_price", price)
        if price < 0:
            raise FactError(f"{where}.unit_price", f"{_num(price)} is out of range", "money ≥ 0, or null")
        price = float(price)
    item["unit_price"] = price
    for key, limit in _ITEM_OPTIONAL_TEXT.items():
        if value.get(key) is not None:
            item[key] = _item_text(f"{where}.{key}", value[key], limit)
    return item


def _coerce_items(name: str, spec: InputSpec) -> Coercer:
    def coerce(value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, (list, tuple)):
            raise FactError(name, f"expected a list of items, got {show(value)} ({_kind(value)})", _ITEMS_ALLOWED)
        if len(value) > MAX_ITEMS:
            raise FactError(name, f"a list of {len(value)} items is too long", f"at most {MAX_ITEMS} items")
        return [_coerce_item(name, index, item) for index, item in enumerate(value)]

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
    "items": _coerce_items,
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
        # finite bounds within the digit limit, so inf, nan and 1e300 always take the full path
        low = -NUMBER_BOUND + 1 if spec.min is None else max(spec.min, -NUMBER_BOUND + 1)
        high = NUMBER_BOUND - 1 if spec.max is None else min(spec.max, NUMBER_BOUND - 1)
        return lambda value: type(value) is float and low <= value <= high
    if kind == "int":
        low = -NUMBER_BOUND + 1 if spec.min is None else max(spec.min, -NUMBER_BOUND + 1)
        high = NUMBER_BOUND - 1 if spec.max is None else min(spec.max, NUMBER_BOUND - 1)
        return lambda value: type(value) is int and low <= value <= high
    if kind == "choice":
        choices = frozenset(spec.choices or ())
        return lambda value: type(value) is str and value in choices
    if kind == "date":
        return lambda value: type(value) is date and EARLIEST_DATE <= value <= LATEST_DATE
    if kind == "text":
        limit = spec.max_length or DEFAULT_TEXT_LENGTH
        return lambda value: type(value) is str and len(value) <= limit and (value.isascii() or _valid_unicode(value))
    return lambda value: False  # datetimes are normalised to UTC on the full path


def _allowed_for(spec: InputSpec) -> str:
    if spec.type == "choice":
        return ", ".join(spec.choices or ())
    return {"bool": "true, false", "date": "YYYY-MM-DD", "datetime": "ISO 8601 date and time",
            "text": "text", "items": _ITEMS_ALLOWED}.get(spec.type, _range_text(spec, f" {spec.unit}" if spec.unit else ""))


def describe_allowed(spec: InputSpec) -> str:
    """What a value of this input may be, for messages and forms."""
    text = _allowed_for(spec)
    return f"{text}, or null" if spec.nullable else text


# ---------------------------------------------------------------- facts documents (JSON files, CSV cells)

_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(text: str) -> bool:
    """No unpaired surrogate (JSON's ``"\\ud800"``): such text cannot be printed or stored as UTF-8."""
    return _SURROGATE.search(text) is None


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
#: The encodings tried, in order, for a file without a byte-order mark (Excel in China saves GB18030/GBK).
TEXT_ENCODINGS = ("utf-8", "gb18030")
_ENCODINGS_ALLOWED = "UTF-8 text (with or without BOM) or GB18030/GBK text"


def detect_encoding(head: bytes, source: str) -> str:
    """The encoding of a text file from its first bytes: a byte-order mark, else UTF-8, else
    GB18030; binary data (a NUL byte) or bytes valid in neither is an :class:`InputError`.
    ``head`` may end inside a character (a block of a larger file)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        raise InputError(source, "is binary data, not text (it contains NUL bytes)", _ENCODINGS_ALLOWED)
    for encoding in TEXT_ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise InputError(source, "is neither UTF-8 nor GB18030 text (binary data or another encoding?)",
                     _ENCODINGS_ALLOWED)


def decode_text(data: bytes, source: str) -> str:
    """``data`` as text (:func:`detect_encoding`); never a UnicodeDecodeError."""
    encoding = detect_encoding(data, source)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(source, f"is not valid {encoding} text at byte {exc.start}", _ENCODINGS_ALLOWED) from None
    if "\x00" in text:
        raise InputError(source, "is binary data, not text (it contains NUL characters)", _ENCODINGS_ALLOWED)
    return text


def read_limited(stream: IO[bytes] | IO[str], source: str, limit: int = MAX_FACTS_BYTES) -> bytes:
    """At most ``limit`` bytes from a binary stream; more is an :class:`InputError` (limits.py)."""
    data: bytes | str = stream.read(limit + 1)
    if isinstance(data, str):  # a text stream (a test's StringIO): measure its UTF-8 size
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        raise InputError(source, f"is larger than {limit:,} bytes", f"at most {limit:,} bytes (limits.MAX_FACTS_BYTES)")
    return data


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]')


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON ``text`` (strings skipped); stops counting
    past ``limit`` (returns ``limit + 1``). Checked before parsing: ``json.loads`` recurses."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif token in "]}":
            depth -= 1
    return deepest


def _parse_int(text: str) -> Any:
    return OversizedNumber(text) if len(text.lstrip("-")) > MAX_NUMBER_DIGITS else int(text)


def _parse_float(text: str) -> Any:
    if len(text) > 400:  # thousands of digits: refuse by size, whatever the value
        return OversizedNumber(text.split("e")[0].split("E")[0])
    return float(text)


def load_json(text: str, source: str, what: str = "facts") -> Any:
    """Parse JSON ``text`` within the limits: nesting deeper than MAX_JSON_DEPTH is an
    :class:`InputError`; numbers of more than MAX_NUMBER_DIGITS digits become
    :class:`OversizedNumber` (refused by the coercers, naming the fact); invalid JSON is an
    :class:`InputError` with its line and column."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InputError(source, f"{what} nest deeper than {MAX_JSON_DEPTH} levels",
                         f"at most {MAX_JSON_DEPTH} levels of lists and objects (limits.MAX_JSON_DEPTH)")
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"{what} are not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # pragma: no cover - json_depth bounds the nesting first
        raise InputError(source, f"{what} nest too deep", f"at most {MAX_JSON_DEPTH} levels") from None
