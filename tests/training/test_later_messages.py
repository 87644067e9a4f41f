"""Buyers who write more than once (issue 18, part 7): a case's later messages arrive as the trainee
asks, and a later message may change a fact (the case's facts hold the final values)."""

from __future__ import annotations

import pytest

from aftersales.present.words import word
from aftersales.training.cases import LaterMessage, case_problems, get_case, load_cases
from aftersales.training.practice import Practice


@pytest.fixture(scope="module")
def library():
    from aftersales.library import load_library

    return load_library()


def edit_case(path, case_id: str, old: str, new: str) -> int:
    """Replace the first ``old`` after ``- id: case_id`` in ``path``; return the 1-based line edited."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  - id: {case_id}")
    index = next(i for i in range(start, len(lines)) if old in lines[i])
    lines[index] = lines[index].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return index + 1


def _with_later(case_id: str, *later: LaterMessage):
    case = get_case(case_id)
    changed = case.model_copy(update={"later_messages": list(later)})
    changed._scenario = case.scenario
    return changed


def test_a_later_message_arrives_when_its_fact_is_asked_and_not_before():
    case = _with_later("size-001", LaterMessage(after="customer_preference", text="算了，还是退款吧，不想换了",
                                                was={"customer_preference": "refund"}))
    page = Practice("tess", case.id, store=None, lang="en", cases=[case])
    assert "算了，还是退款吧" not in page.story.value
    asked = []
    while page.wizard.field is not None:
        name = page.wizard.field.question.name
        page.ask_button.click()
        asked.append(name)
        arrived = "算了，还是退款吧" in page.story.value
        assert arrived == ("customer_preference" in asked), (asked, page.story.value[-300:])
        page.wizard.answer(case.facts.get(name, page.wizard.field.question.default))
    assert word("practice_customer_writes_again", "en") in page.story.value
    page.open_case(case.id)  # a fresh start hides it again
    assert "算了，还是退款吧" not in page.story.value


def test_later_messages_that_name_no_fact_or_no_change_are_reported_where_they_are(bank, library):
    path = bank / "size_mismatch.yaml"
    line = edit_case(path, "size-001", "    source: [seed 001]",
                     "    later_messages:\n"
                     "      - after: size_deviaton_cm\n"
                     "        text: 量错了\n"
                     "      - after: customer_preference\n"
                     "        text: I changed my mind\n"
                     "        was: {customer_preference: exchange}\n"
                     "    source: [seed 001]")
    problems = [p for p in case_problems(bank, library) if p.code in ("later-messages", "language")]
    messages = [p.message for p in problems]
    assert any("'after: size_deviaton_cm' is not a fact of this case (did you mean 'size_deviation_cm'?)" in m
               for m in messages)
    assert any("'customer_preference' was 'exchange' and is still" in m for m in messages)
    assert any("later_messages: the text is not written in 'zh'" in m for m in messages)
    assert all(p.location.line >= line for p in problems)



def test_the_bank_has_buyers_who_write_more_than_once():
    several = [c for c in load_cases() if c.later_messages]
    assert len(several) >= 10, [c.id for c in several]
    assert sum(1 for c in several if any(m.was for m in c.later_messages)) >= 5
