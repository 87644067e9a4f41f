"""Property-based tests: whatever the facts or the playbook, the answer is a decision or a
documented error — never another exception.
"""

from __future__ import annotations

import copy
import functools
import math
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.engine import decide
from aftersales.errors import AftersalesError, FactError
from aftersales.library import load_library
from aftersales.playbook.validate import _empty, _uncovered
from aftersales.validation import check_file

AS_OF = "2026-01-15T09:00:00+00:00"
LIBRARY = load_library()
SCENARIOS = sorted(LIBRARY.playbooks)
PLATFORMS = sorted(LIBRARY.profiles)

garbage = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12), st.floats(),
    st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2026-01-10", "2026-01-10T08:00:00Z", "true", "{{ 7*7 }}", "", "nan"]),
)


def valid_value(spec: Any) -> st.SearchStrategy:
    low = spec.min if spec.min is not None else -1e6
    high = spec.max if spec.max is not None else 1e6
    by_type = {
        "bool": st.booleans(),
        "int": st.integers(min_value=math.ceil(low), max_value=math.floor(high)),
        "number": st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False),
        "money": st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False),
        "date": st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)).map(date.isoformat),
        "datetime": st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2026, 6, 1),
                                 timezones=st.just(timezone.utc)).map(datetime.isoformat),
        "choice": st.sampled_from(spec.choices or ["x"]),
        "text": st.text(max_size=80),
        "items": st.lists(st.fixed_dictionaries({"sku": st.text(min_size=1, max_size=12).filter(str.strip),
                                                 "name": st.text(min_size=1, max_size=30).filter(str.strip),
                                                 "quantity": st.integers(min_value=1, max_value=50)}), max_size=4),
    }
    strategy = by_type[spec.type]
    return st.one_of(st.none(), strategy) if spec.nullable else strategy


@st.composite
def case(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    scenario = draw(st.sampled_from(SCENARIOS))
    platform = draw(st.sampled_from(PLATFORMS))
    playbook = LIBRARY.playbooks[scenario]
    facts: dict[str, Any] = {}
    for name, compiled in playbook.inputs.items():
        choice = draw(st.sampled_from(["valid", "valid", "valid", "valid", "absent", "garbage"]))
        if choice == "valid":
            facts[name] = draw(valid_value(compiled.spec))
        elif choice == "garbage":
            facts[name] = draw(garbage)
    if draw(st.booleans()) and draw(st.booleans()):
        facts[draw(st.text(min_size=1, max_size=12))] = draw(garbage)
    return scenario, platform, facts


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case(), st.sampled_from(["en", "zh", "ru", None]))
def test_any_facts_give_a_decision_or_a_fact_error(args: tuple, lang: str | None) -> None:
    scenario, platform, facts = args
    try:
        decision = decide(scenario, facts, platform=platform, lang=lang, as_of=AS_OF)
    except FactError as exc:
        assert exc.field and str(exc)
        return
    assert decision.outcome in LIBRARY.playbooks[scenario].outcomes
    assert decision.message and decision.message["text"].strip()
    assert decision.to_dict()["outcome"] == decision.outcome


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_the_same_facts_always_give_the_same_decision(args: tuple) -> None:
    scenario, platform, facts = args
    try:
        first = decide(scenario, facts, platform=platform, as_of=AS_OF, render_message=False)
    except FactError:
        return
    second = decide(scenario, dict(facts), platform=platform, as_of=AS_OF, render_message=False)
    assert (first.outcome, first.compensation, first.deadlines) == (second.outcome, second.compensation, second.deadlines)


# --- mutated playbooks --------------------------------------------------------------

PALETTE = [None, 0, -1, 3.01, True, "", "x", [], {}, {"en": "only"}, "not (", "a ** 2", "params.nope", "nowhere",
           "__import__('os')", "size_conforms(1)", "{{ undefined_thing }}", "{% if %}", "default", "refund",
           "seller", [1, 2], {"when": "true", "goto": "x"}]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _dump(data: Any) -> str:
    import yaml

    # libyaml's emitter when PyYAML has it: the same text as safe_dump's (checked on every shipped
    # playbook), several times faster, and the mutant is written once per example.
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False)


def _load(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def _shipped(scenario: str) -> Any:
    """A shipped playbook's data, parsed once per session; each example mutates a deep copy."""
    return _load(LIBRARY.root / f"{scenario}.yaml")


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    scenario = draw(st.sampled_from(SCENARIOS))
    data = copy.deepcopy(_shipped(scenario))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        key = path[-1]
        operation = draw(st.sampled_from(["replace", "replace", "delete", "rename", "duplicate"]))
        if operation == "replace":
            parent[key] = draw(st.sampled_from(PALETTE))
        elif operation == "delete":
            del parent[key]
        elif operation == "rename" and isinstance(parent, dict):
            parent[f"{key}_x"] = parent.pop(key)
        elif operation == "duplicate" and isinstance(parent, list):
            parent.append(parent[key])
    return scenario, _dump(data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated(), case())
def test_any_mutated_playbook_validates_or_reports_problems(tmp_path_factory: pytest.TempPathFactory,
                                                              mutation: tuple[str, str], facts_case: tuple) -> None:
    scenario, text = mutation
    folder = tmp_path_factory.mktemp("mutant")
    path = folder / f"{scenario}.yaml"
    path.write_text(text, encoding="utf-8")
    playbook, problems = check_file(LIBRARY, path)  # built, and its worked examples decided
    if playbook is None:
        assert problems and all(str(p) for p in problems)
        return
    _scenario, platform, facts = facts_case
    if platform not in playbook.platforms:
        return
    try:
        decide(playbook, facts, platform=platform, as_of=AS_OF)
    except AftersalesError as exc:
        assert str(exc)


# --- branch coverage arithmetic -------------------------------------------------------

interval = st.tuples(st.integers(-5, 5), st.booleans(), st.integers(-5, 5), st.booleans()).map(
    lambda t: (float(t[0]), t[1], float(t[2]), t[3]))


def _contains(i: tuple, x: float) -> bool:
    low, low_closed, high, high_closed = i
    return (x > low or (low_closed and x == low)) and (x < high or (high_closed and x == high))


@settings(max_examples=300, deadline=None)
@given(st.lists(interval, max_size=4), st.booleans())
def test_gap_detection_agrees_with_brute_force(covered: list, integer: bool) -> None:
    domain = (-6.0, True, 6.0, True)
    covered = [i for i in covered if not _empty(i)]
    gaps = _uncovered(domain, covered, integer)
    points = [x / 4 for x in range(-24, 25)] if not integer else [float(x) for x in range(-6, 7)]
    for x in points:
        in_gap = any(_contains(g, x) for g in gaps)
        in_cover = any(_contains(i, x) for i in covered)
        assert in_gap != in_cover, (x, gaps, covered)
