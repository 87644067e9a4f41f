"""Every worked example of every playbook, walked through the wizard by setting values and
clicking, the way a trainee would: a rejected value first, Back once, a language switch
mid-way, then the card, then Restart. The card must say what the engine decides."""

from __future__ import annotations

from collections import Counter
from html import escape

import pytest

from aftersales.citations import citation_parts
from aftersales.engine import decide
from aftersales.library import load_library
from aftersales.present.formats import moment_text
from aftersales.present.sentences import compensation_text
from aftersales.present.words import term
from aftersales.widgets.wizard import Wizard

from .drive import answer, as_of_of, asked, examples, put, value_for

EXAMPLES = list(examples())
BAD_VALUE = {"int": "abc", "number": "abc", "money": "abc", "choice": None, "bool": None, "date": None,
             "datetime": None}


def known_from_the_order(playbook, facts):
    """Facts no step asks and that have a default: the wizard takes them as given (pre-filled)."""
    asked_somewhere = {name for step in playbook.steps.values() for name in step.ask}
    return {k: v for k, v in facts.items() if k not in asked_somewhere and playbook.inputs[k].has_default}


def test_every_scenario_has_at_least_three_paths():
    """The table below walks at least three paths through each scenario's wizard."""
    counts = Counter(scenario for scenario, _example in EXAMPLES)
    assert set(counts) == set(load_library().scenarios)
    assert min(counts.values()) >= 3, counts


@pytest.mark.parametrize("scenario, example", EXAMPLES, ids=[f"{s}:{e.name}" for s, e in EXAMPLES])
def test_walking_the_wizard_reaches_the_engines_decision(scenario, example):
    playbook = load_library().playbook(scenario)
    given = known_from_the_order(playbook, example.facts)
    wizard = Wizard(scenario, example.platform, "en", as_of_of(example), facts=given)
    first = asked(wizard)
    assert first is not None
    assert wizard.back_button.disabled, "nothing to go back to on the first question"
    assert "Question 1 of about" in wizard.progress_text.value

    # A bad value never advances: the error names the field by its label (no id), the question stays.
    question = wizard.field.question
    if question.type in BAD_VALUE and not question.nullable:
        put(wizard, BAD_VALUE[question.type])
        wizard.next_button.click()
        assert asked(wizard) == first
        assert "Not accepted" in wizard.error.value and escape(question.label) in wizard.error.value
        assert f"[{question.name}]" not in wizard.error.value
        assert question.name not in wizard.session.answers

    answered = 0
    switched = False
    while asked(wizard) is not None:
        name = asked(wizard)
        value = value_for(wizard, example.facts)
        if answered == 1:  # Back once: the previous question comes back with its answer shown
            previous = wizard.session.order[-1]
            wizard.back_button.click()
            assert asked(wizard) == previous
            assert previous not in wizard.session.answers
            wizard.next_button.click()  # the remembered value is accepted again
            assert wizard.error.value == ""
            assert asked(wizard) == name
        if answered == 2 and not switched:  # switch language with a value typed but not sent
            put(wizard, value)
            wizard.lang_select.value = "zh"
            switched = True
            label = playbook.inputs[name].spec.label["zh"]
            assert escape(label) in wizard.question_box.children[0].value
            wizard.next_button.click()  # what was typed survived the switch
        else:
            answer(wizard, value)
        assert wizard.error.value == "", wizard.error.value
        answered += 1
        assert answered < 40, "the wizard keeps asking"

    lang = wizard.lang
    decision = wizard.session.decision()
    expected = decide(scenario, {**example.facts}, example.platform, lang=lang, as_of=as_of_of(example))
    assert decision.outcome == example.expect.outcome == expected.outcome
    assert (decision.resolution, decision.return_shipping_paid_by, decision.cost_borne_by) == (
        expected.resolution, expected.return_shipping_paid_by, expected.cost_borne_by)

    card = wizard.card.value
    assert escape(decision.title) in card
    assert escape(term("resolutions", decision.resolution, lang)) in card
    assert escape(term("parties", decision.return_shipping_paid_by, lang)) in card
    assert escape(compensation_text(decision.compensation, lang)) in card
    assert escape(decision.message["text"]) in card
    for deadline in decision.deadlines:
        assert moment_text(deadline.due, lang) in card
    for entry in decision.trace:
        assert escape(entry["step"]) in card
        assert all(escape(part["text"]) in card for part in citation_parts(entry["source"]))
    assert wizard.next_button.disabled and wizard.field is None
    assert wizard.save_row.layout.display is None  # Save case is offered

    wizard.restart_button.click()
    wizard.confirm_box.yes.click()  # answers would be lost: Restart asks first
    assert asked(wizard) == first
    assert wizard.card.value == ""
    assert wizard.back_button.disabled
    assert set(wizard.session.answers) == set(given)
