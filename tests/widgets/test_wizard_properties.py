"""Property: whatever a trainee clicks, in whatever order, the form never breaks, never keeps a
bad value, and its card always says what the engine decides for the answers kept."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aftersales.engine import decide
from aftersales.library import load_library
from aftersales.widgets.wizard import Wizard

AS_OF = "2026-01-15T09:00:00+00:00"
LIBRARY = load_library()
SCENARIOS = sorted(LIBRARY.playbooks)


def typed_value(question: Any) -> st.SearchStrategy:
    """What a person can put into the control for ``question``: mostly sensible, sometimes not."""
    low = question.minimum if question.minimum is not None else -1e6
    high = question.maximum if question.maximum is not None else 1e6
    number = st.floats(min_value=low - 10, max_value=high + 10, allow_nan=False, allow_infinity=False)
    by_type = {
        "bool": st.sampled_from([True, False, None]),
        "int": st.one_of(st.integers(min_value=math.ceil(low) - 3, max_value=math.floor(high) + 3).map(str),
                         st.sampled_from(["", "2.5", "x"])),
        "number": st.one_of(number.map(repr), number.map(lambda n: repr(n).replace(".", ",")),
                            st.sampled_from(["", "abc", "1e400", "nan"])),
        "date": st.one_of(st.none(), st.dates(min_value=date(1980, 1, 1), max_value=date(2210, 1, 1))),
        "datetime": st.one_of(st.none(), st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1))),
        "choice": st.sampled_from([code for code, _label in question.choices or []] + [None]),
        "text": st.text(max_size=40),
    }
    by_type["money"] = by_type["number"]
    return by_type[question.type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_sequence_of_clicks_keeps_the_form_consistent(data: st.DataObject) -> None:
    scenario = data.draw(st.sampled_from(SCENARIOS), label="scenario")
    playbook = LIBRARY.playbooks[scenario]
    platform = data.draw(st.sampled_from(list(playbook.platforms)), label="platform")
    wizard = Wizard(scenario, platform, data.draw(st.sampled_from(["en", "zh", "ru"])), AS_OF, library=LIBRARY)
    for _ in range(data.draw(st.integers(min_value=1, max_value=30), label="actions")):
        action = data.draw(st.sampled_from(["answer"] * 6 + ["back", "restart", "language"]))
        if action == "answer" and wizard.field is not None:
            wizard.put(data.draw(typed_value(wizard.field.question)))
            wizard.next_button.click()
        elif action == "back":
            wizard.back_button.click()
        elif action == "restart":
            wizard.restart_button.click()
            if wizard.confirm_box.layout.display is None:  # answers would be lost: it asks first
                wizard.confirm_box.yes.click()
            assert wizard.session.answers == {} and wizard.back_button.disabled
        elif action == "language":
            wizard.lang_select.value = data.draw(st.sampled_from(["en", "zh", "ru"]))

        error = wizard.error.value
        assert error == "" or ("Not accepted" in error or "无法接受" in error or "Не принято" in error), error
        session = wizard.session
        for name, value in session.answers.items():  # only good values are ever kept
            assert playbook.coercers[name](value) == value
        assert list(session.answers) == session.order
        if wizard.field is None:
            decision = decide(playbook, session.answers, platform, lang=wizard.lang, as_of=session.started,
                              library=LIBRARY)
            assert decision.title in wizard.card.value or decision.title.replace("'", "&#x27;") in wizard.card.value
            assert session.decision().outcome == decision.outcome
            event("reached a recommendation")
        else:
            assert wizard.field.question.name == session.question.name
            assert session.question.step_number <= session.question.steps_total
            assert wizard.card.value == ""
