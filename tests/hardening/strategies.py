"""Reusable hypothesis strategies for hostile input (issue 13), shared by the hardening tests and
the fuzz suite: JSON-like values, huge and non-finite numbers, odd dates and date-times, odd
strings, and whole hostile fact mappings built from a valid base.

Every strategy draws only values a caller can really pass (from JSON, a CSV cell, a notebook);
:func:`assert_documented` is the one oracle: a call ends in a result or a documented error.

    from tests.hardening.strategies import hostile_facts, odd_as_of
    @given(facts=hostile_facts(BASE), as_of=odd_as_of())
    def test_decide(facts, as_of): ...
"""

from __future__ import annotations

import math
from datetime import date, timedelta, timezone
from typing import Any, Callable, Mapping

from hypothesis import strategies as st

from aftersales.limits import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS, MAX_YEAR, MIN_YEAR
from aftersales.playbook.facts import OversizedNumber

__all__ = [
    "assert_documented", "huge_numbers", "hostile_facts", "hostile_value", "json_like", "nested",
    "numbers", "odd_as_of", "odd_dates", "odd_datetime_texts", "odd_strings",
]

# ---------------------------------------------------------------- numbers

#: Python cannot print ints of more than 4,300 digits (hypothesis reports draws with repr), so the
#: strategies stop below; a 5,000-digit JSON number reaches the engine as an OversizedNumber.
MAX_DRAWN_DIGITS = 4_000

#: Numbers just inside, at and past the digit limit, floats' edges, JSON's oversized numbers.
EDGE_NUMBERS = [
    0, -0.0, 1, -1, 10 ** MAX_NUMBER_DIGITS - 1, 10 ** MAX_NUMBER_DIGITS, -(10 ** MAX_NUMBER_DIGITS),
    10 ** 400, -(10 ** 400), OversizedNumber("9" * 5000), 2 ** 63, 2 ** 64 + 1, 1e20, 1e300, -1e308, 5e-324,
    math.inf, -math.inf, math.nan, 3.0000001, 0.1 + 0.2,
]


def huge_numbers() -> st.SearchStrategy[Any]:
    """Ints and floats too large for a fact (10**20 .. 10**4000, 1e21 .. 1e308, inf, nan) and
    the :class:`OversizedNumber` JSON gives for more digits."""
    return st.one_of(
        st.sampled_from([n for n in EDGE_NUMBERS if isinstance(n, float) and not math.isfinite(n)]),
        st.integers(min_value=MAX_NUMBER_DIGITS + 1, max_value=MAX_DRAWN_DIGITS).map(lambda d: 10 ** d - 1),
        st.integers(min_value=MAX_NUMBER_DIGITS, max_value=MAX_DRAWN_DIGITS).map(lambda d: -(10 ** d)),
        st.integers(min_value=MAX_NUMBER_DIGITS + 1, max_value=5000).map(lambda d: OversizedNumber("9" * d)),
        st.floats(min_value=10.0 ** (MAX_NUMBER_DIGITS + 1), max_value=1e308),
    )


def numbers() -> st.SearchStrategy[Any]:
    """Any number a JSON parser can hand over: small, edge, huge, non-finite."""
    return st.one_of(
        st.integers(min_value=-(10 ** 6), max_value=10 ** 6),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(EDGE_NUMBERS),
        huge_numbers(),
    )


# ---------------------------------------------------------------- strings

ODD_STRINGS = [
    "", " ", "\x00", "\ufeff", "\u200b", "\u00ad", "null", "None", "NaN", "Infinity", "-inf", "1e999", "0x10",
    "true ", "TRUE", "١٢٣", "１２３", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202ertl", "\ud800", "a\udfffb", "'; DROP TABLE cases; --",
    "{{ 7 * 7 }}", "{% for x in range(10) %}", "../../etc/passwd", "\r\n", "a" * 10_001, "é" * 5_001,
]


def odd_strings() -> st.SearchStrategy[str]:
    """Empty, whitespace, control and format characters, lone surrogates, look-alike digits,
    template and path syntax, very long text, and arbitrary text."""
    return st.one_of(st.sampled_from(ODD_STRINGS), st.text(max_size=50),
                     st.text(alphabet=st.characters(categories=("Cc", "Cf", "Cs", "Zs")), max_size=20))


# ---------------------------------------------------------------- dates

ODD_DATE_TEXTS = [
    "0001-01-01", "9999-12-31", "1969-12-31", f"{MIN_YEAR}-01-01", f"{MAX_YEAR}-12-31", f"{MAX_YEAR + 1}-01-01",
    "1995-06-01", "2026-02-30", "2026-13-01", "2026-1-5", "20260115", "yesterday", "2026-01-15 ", " 2026-01-15",
]
ODD_DATETIME_TEXTS = [
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59+00:00",
    f"{MIN_YEAR}-01-01T00:00:00+01:00", f"{MAX_YEAR}-12-31T23:00:00-05:00", "2026-01-15T25:00:00",
    "2026-01-15T09:00:00+25:00", "2026-01-15T09:00:00Z", "2026-01-15T09:00:00", "2026-01-15T09:00:00+00:00",
    "1995-01-20T00:00:00+00:00", "now", "",
]


def odd_dates() -> st.SearchStrategy[Any]:
    """Dates as text or objects across Python's whole calendar, around the supported bounds."""
    return st.one_of(st.sampled_from(ODD_DATE_TEXTS), st.dates().map(date.isoformat), st.dates(),
                     st.dates(min_value=date(MIN_YEAR, 1, 1) - timedelta(days=3),
                              max_value=date(MIN_YEAR, 1, 1) + timedelta(days=3)),
                     st.dates(min_value=date(MAX_YEAR, 12, 28), max_value=date(MAX_YEAR + 1, 1, 3)))


def odd_datetime_texts() -> st.SearchStrategy[str]:
    """ISO date-times at the ends of the calendar with offsets that push them past it."""
    offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
        lambda m: timezone(timedelta(minutes=m)))
    return st.one_of(st.sampled_from(ODD_DATETIME_TEXTS),
                     st.builds(lambda moment, zone: moment.replace(tzinfo=zone).isoformat(), st.datetimes(), offsets))


def odd_as_of() -> st.SearchStrategy[Any]:
    """Anything a caller might pass as ``as_of``: texts, dates, datetimes (naive and aware, at the
    calendar's ends), None, and wrong types (5, 5.5, True, [], {}, b"...")."""
    aware = st.datetimes(timezones=st.just(timezone(timedelta(hours=-5))) | st.just(timezone(timedelta(hours=14))))
    return st.one_of(odd_datetime_texts(), odd_dates(), st.datetimes(), aware, st.none(),
                     st.sampled_from([5, 5.5, True, False, [], {}, b"2026-01-15", 10 ** 400, math.nan, ""]))


# ---------------------------------------------------------------- JSON-like values

def nested(depth: int, leaf: Any = 1, kind: str = "list") -> Any:
    """``leaf`` inside ``depth`` lists (or objects): past MAX_JSON_DEPTH (and Python's recursion)."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


def json_like(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """JSON values (null, booleans, numbers incl. huge and non-finite, odd strings, lists, objects)."""
    leaves = st.one_of(st.none(), st.booleans(), numbers(), odd_strings())
    return st.recursive(leaves, lambda children: st.one_of(st.lists(children, max_size=4),
                                                           st.dictionaries(st.text(max_size=8), children, max_size=4)),
                        max_leaves=max_leaves)


def hostile_value() -> st.SearchStrategy[Any]:
    """One value to put in a fact: any of the above, or nesting deeper than the JSON limit."""
    deep = st.integers(min_value=MAX_JSON_DEPTH, max_value=3 * MAX_JSON_DEPTH).map(nested)
    return st.one_of(json_like(), huge_numbers(), odd_strings(), odd_dates(), odd_datetime_texts(), deep)


def hostile_facts(base: Mapping[str, Any], extra_names: list[str] | None = None) -> st.SearchStrategy[dict]:
    """``base`` (valid facts) with 1–4 facts replaced by hostile values, some dropped, and some
    unknown names added (``__class__``, ``params``, ``today``, very long names...)."""
    names = sorted(base)
    unknown = extra_names or ["x", "__class__", "params", "today", "now", "ñ" * 50, "", "order_value "]

    @st.composite
    def build(draw: Callable) -> dict:
        facts = dict(base)
        for _ in range(draw(st.integers(min_value=1, max_value=4))):
            action = draw(st.sampled_from(["replace", "replace", "replace", "add", "drop"]))
            if action == "replace" and names:
                facts[draw(st.sampled_from(names))] = draw(hostile_value())
            elif action == "add":
                facts[draw(st.sampled_from(unknown))] = draw(hostile_value())
            elif names:
                facts.pop(draw(st.sampled_from(names)), None)
        return facts

    return build()


# ---------------------------------------------------------------- the oracle

def assert_documented(call: Callable[[], Any], documented: tuple[type[BaseException], ...] | None = None) -> Any:
    """Run ``call``: a result, or one of the ``documented`` errors (default: FactError and
    UnknownNameError) whose message is one line; any other exception fails the test as is."""
    from aftersales.errors import FactError, UnknownNameError

    documented = documented or (FactError, UnknownNameError)
    try:
        return call()
    except documented as exc:
        text = str(exc)
        assert text and "\n" not in text, f"{type(exc).__name__} is not one line: {text!r}"
        assert len(text) < 2_000, f"{type(exc).__name__} message of {len(text)} characters"
        return exc
