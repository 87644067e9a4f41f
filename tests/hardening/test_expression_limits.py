"""Playbook expressions and deadlines cannot exhaust the machine (issue 13, "Overlay validation is shallow").

* 1,990 unary minus signs in a condition ended in a RecursionError in both ``validate`` and
  ``decide``: an expression nested deeper than MAX_EXPRESSION_DEPTH is now an
  ExpressionSyntaxError at the column where it gets too deep, when the playbook is read.
* ``add_business_days(today, 999999999999999, 'CN')`` cost 10 s per decision: spans longer than
  MAX_BUSINESS_DAYS business days or MAX_DEADLINE_DAYS calendar days are a ValueError, which the
  engine reports as its documented EvaluationError.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from aftersales import limits
from aftersales.errors import EvaluationError, PlaybookError
from aftersales.playbook.expressions import ExpressionSyntaxError, compile_expression
from aftersales.policy.deadlines import add_business_days, deadline_due

AS_OF = "2026-01-15T09:00:00+00:00"
FACTS = {"order_id": "TB-1", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
         "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
         "size_deviation_cm": 3.5, "customer_preference": "exchange"}
DEPTH = limits.MAX_EXPRESSION_DEPTH


# ---- expression depth ----------------------------------------------------------------------------

def test_1990_unary_minus_signs_are_a_located_syntax_error() -> None:
    with pytest.raises(ExpressionSyntaxError, match="MAX_EXPRESSION_DEPTH") as info:
        compile_expression("-" * 1990 + "1", {})
    assert info.value.offset == DEPTH  # the first sign past the limit


def test_an_expression_at_the_depth_limit_still_works() -> None:
    assert compile_expression("-" * (DEPTH - 1) + "1", {})({}) == (-1 if (DEPTH - 1) % 2 else 1)
    with pytest.raises(ExpressionSyntaxError, match="MAX_EXPRESSION_DEPTH"):
        compile_expression("-" * DEPTH + "1", {})


@pytest.mark.parametrize("text", [
    pytest.param("1" + " + 1" * 400, id="a long sum"),
    pytest.param("not " * 400 + "flag", id="not chain"),
    pytest.param("min(" * 150 + "1" + ")" * 150, id="nested calls"),
    pytest.param("[" * 150 + "]" * 150, id="nested lists"),
    pytest.param("x" + "[0]" * 300, id="subscript chain"),
    pytest.param("  " + "-" * 500 + "1", id="leading spaces"),
])
def test_deep_expressions_are_refused_without_a_recursion_error(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="MAX_EXPRESSION_DEPTH") as info:
        compile_expression(text, {})
    assert 0 <= info.value.offset < len(text)


def test_a_wide_but_flat_expression_is_fine() -> None:
    expression = compile_expression(" or ".join(f"x == {i}" for i in range(150)), {})
    assert expression({"x": 149}) is True
    assert compile_expression("1 < " + " < ".join(str(i) for i in range(2, 300)), {})({}) is True


def _overlay(tmp_path: Path, when: str) -> Path:
    path = tmp_path / "deep.yaml"
    quoted = when.replace("'", "''")
    path.write_text(
        "overlay: deep\nversion: '1'\nsources: [test]\nscenarios:\n  size_mismatch:\n    steps:\n      tolerance:\n"
        f"        add_branches:\n          - when: '{quoted}'\n            goto: refund_seller_pays\n"
        "            reason: {en: r, zh: r, ru: r}\n            source: test\n",
        encoding="utf-8")
    return path


def test_validating_an_overlay_with_1990_minus_signs_reports_the_overlays_line(tmp_path: Path) -> None:
    from aftersales.library import load_library

    overlay = _overlay(tmp_path, "-" * 1990 + "1 > 0")
    with pytest.raises(PlaybookError) as info:
        load_library(overlay=overlay)
    assert "MAX_EXPRESSION_DEPTH" in str(info.value)
    problem = next(p for p in info.value.problems if p.code == "expression")
    assert Path(problem.location.file).name == "deep.yaml" and problem.location.line == 9
    assert problem.location.col > DEPTH  # the column of the sign past the limit, not the start of the line


def test_a_huge_business_day_span_in_a_condition_is_a_quick_evaluation_error(tmp_path: Path) -> None:
    from aftersales.engine import decide
    from aftersales.library import load_library

    library = load_library(overlay=_overlay(tmp_path, "add_business_days(today, 999999999999999, 'CN') > now"))
    start = time.perf_counter()
    with pytest.raises(EvaluationError, match="MAX_BUSINESS_DAYS"):
        decide("size_mismatch", FACTS, platform="taobao", lang="en", as_of=AS_OF, library=library)
    assert time.perf_counter() - start < 1.0


# ---- business-day and calendar spans --------------------------------------------------------------

def test_business_days_are_bounded() -> None:
    start = time.perf_counter()
    with pytest.raises(ValueError, match="MAX_BUSINESS_DAYS"):
        add_business_days(date(2026, 1, 15), 999_999_999_999_999, "CN")
    with pytest.raises(ValueError, match="MAX_BUSINESS_DAYS"):
        add_business_days(date(2026, 1, 15), limits.MAX_BUSINESS_DAYS + 1, "CN")
    with pytest.raises(ValueError, match="MAX_BUSINESS_DAYS"):
        add_business_days(date(2026, 1, 15), float("inf"), "CN")
    with pytest.raises(ValueError, match="MAX_BUSINESS_DAYS.*2,600") as info:
        add_business_days(date(2026, 1, 15), 10**5000, "CN")  # no 5,000-digit message, no int() of it
    assert len(str(info.value)) < 100
    with pytest.raises(ValueError, match="whole number"):
        add_business_days(date(2026, 1, 15), float("nan"), "CN")
    assert time.perf_counter() - start < 0.5
    due = add_business_days(date(2026, 1, 15), limits.MAX_BUSINESS_DAYS, "CN")
    assert 2035 <= due.year <= 2037


@pytest.mark.parametrize("amount, unit", [
    (limits.MAX_DEADLINE_DAYS + 1, "days"),
    (limits.MAX_DEADLINE_DAYS // 7 + 1, "weeks"),
    (limits.MAX_DEADLINE_DAYS * 24 + 1, "hours"),
    (limits.MAX_DEADLINE_DAYS // 31 + 1, "months"),
    (1e300, "hours"),
    (limits.MAX_BUSINESS_DAYS + 1, "business_days"),
])
def test_deadline_spans_are_bounded(amount: float, unit: str) -> None:
    with pytest.raises(ValueError, match="MAX_DEADLINE_DAYS|MAX_BUSINESS_DAYS"):
        deadline_due(date(2026, 1, 15), amount, unit, "CN")


@pytest.mark.parametrize("amount, unit", [
    (limits.MAX_DEADLINE_DAYS, "days"), (limits.MAX_DEADLINE_DAYS // 7, "weeks"),
    (limits.MAX_DEADLINE_DAYS * 24, "hours"), (limits.MAX_DEADLINE_DAYS // 31, "months"),
])
def test_deadline_spans_up_to_the_limit_work(amount: float, unit: str) -> None:
    assert deadline_due(date(2026, 1, 15), amount, unit).year <= 2127


def test_a_window_past_the_end_of_the_calendar_is_a_value_error_not_an_overflow() -> None:
    with pytest.raises(ValueError, match="past the calendar's end"):
        deadline_due(date(9999, 1, 1), 3000, "days")
    with pytest.raises(ValueError, match="past the calendar's end"):
        deadline_due(datetime(9999, 12, 30, tzinfo=timezone.utc), 100, "hours")
    with pytest.raises(ValueError, match="past the end of the calendar"):
        add_business_days(date(9999, 12, 20), 20, "US")
