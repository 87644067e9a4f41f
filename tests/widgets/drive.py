"""Driving a wizard the way a person does: put a value into the shown control, press a button."""

from __future__ import annotations

from typing import Any, Iterator

from aftersales.examples import EXAMPLE_AS_OF
from aftersales.library import load_library
from aftersales.widgets.wizard import Wizard


def put(wizard: Wizard, value: Any) -> None:
    """Type, pick or toggle ``value`` into the current question's control (no Next)."""
    wizard.put(value)


def answer(wizard: Wizard, value: Any) -> None:
    wizard.put(value)
    wizard.next_button.click()


def asked(wizard: Wizard) -> str | None:
    return wizard.field.question.name if wizard.field is not None else None


def value_for(wizard: Wizard, facts: dict[str, Any]) -> Any:
    """The example's value for the question asked now, else the input's default."""
    question = wizard.field.question
    return facts[question.name] if question.name in facts else question.default


def examples() -> Iterator[tuple[str, Any]]:
    """(scenario, example) for every worked example of every playbook."""
    library = load_library()
    for scenario in library.scenarios:
        for example, _location in library.playbook(scenario).examples:
            yield scenario, example


def as_of_of(example: Any) -> Any:
    return example.as_of or EXAMPLE_AS_OF
