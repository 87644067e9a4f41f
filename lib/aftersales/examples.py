"""A playbook's worked examples, run through the engine and compared with what they expect.

Examples are part of validation: a playbook whose example disagrees with its own rules is
invalid, with the example's file:line in the message.
"""

from __future__ import annotations

from typing import Any

from .errors import AftersalesError, Problem

# Examples decide at a fixed moment unless they name one, so they never depend on the day they run.
EXAMPLE_AS_OF = "2026-01-15T09:00:00+00:00"


def run_example(playbook: Any, example: Any, library: Any, render_message: bool = True) -> Any:
    """Decide one example case (a Decision; raises AftersalesError as the engine does)."""
    from .engine import decide

    return decide(playbook, example.facts, example.platform, lang=example.lang, as_of=example.as_of or EXAMPLE_AS_OF,
                  render_message=render_message, library=library)


def mismatches(example: Any, decision: Any) -> list[str]:
    """What differs between an example's expectation and the decision (empty: it matches)."""
    expect = example.expect
    found = []
    for name in ("outcome", "resolution", "return_shipping_paid_by", "cost_borne_by"):
        wanted = getattr(expect, name)
        got = getattr(decision, name)
        if wanted is not None and wanted != got:
            found.append(f"{name}: expected '{wanted}', got '{got}'")
    amount = decision.compensation["amount"] if decision.compensation else None
    if expect.compensation is not None and (amount is None or abs(amount - expect.compensation) > 0.005):
        found.append(f"compensation: expected {expect.compensation}, got {amount}")
    if expect.no_compensation and amount is not None:
        found.append(f"compensation: expected none, got {amount}")
    return found


def example_problems(playbook: Any, library: Any) -> list[Problem]:
    """Every example of ``playbook`` that fails or disagrees, as located problems."""
    problems = []
    for example, location in playbook.examples:
        try:
            decision = run_example(playbook, example, library)
        except AftersalesError as exc:
            problems.append(Problem(location, f"example '{example.name}' fails: {exc}", "example"))
            continue
        for difference in mismatches(example, decision):
            problems.append(Problem(location, f"example '{example.name}': {difference}", "example"))
    return problems
