"""Ask the customer in the buyer's voice (issue 18, part 4): a fact the buyer knows comes as the
buyer's own words in their language, a fact the agent must judge or look up as the record found,
in the trainee's language; never the fact's label with its value, never a code."""

from __future__ import annotations

from html import escape
from types import SimpleNamespace

import pytest

from aftersales.library import load_library
from aftersales.present.words import word
from aftersales.training.cases import CUSTOMER_FACTS, ORDER_FACTS, TOLD_FACTS, case_problems, load_cases
from aftersales.training.practice import said_html

LANGS = ("en", "zh", "ru")


@pytest.fixture(scope="module")
def inputs():
    return load_library().playbook("quality_defect").inputs


RECORD = {"en": "Photos: the base plate is scorched brown; the buyer's video shows the kettle on a gas hob.",
          "zh": "照片：底盘烧成了棕色；买家自己发的视频里水壶放在燃气灶上。",
          "ru": "Фото: дно подгорело до коричневого цвета; на видео покупателя чайник стоит на газовой плите."}
CASE = SimpleNamespace(lang="zh", replies={"evidence_provided": "照片发你们了，底下那一圈都黄了😭"},
                       records={"misuse_suspected": RECORD})


@pytest.mark.parametrize("lang", LANGS)
def test_a_told_fact_is_the_buyers_words_in_their_language_not_the_value(inputs, lang):
    said = said_html("evidence_provided", inputs["evidence_provided"].spec, {"evidence_provided": True}, lang,
                     case=CASE)
    assert "照片发你们了，底下那一圈都黄了😭" in said and "lang='zh'" in said
    assert word("answer_yes", lang) not in said and "True" not in said
    assert escape(word("practice_customer_answers", lang, label=inputs["evidence_provided"].spec.label[lang])) in said


@pytest.mark.parametrize("lang", LANGS)
def test_a_looked_up_fact_is_the_record_in_the_trainees_language_not_the_answer(inputs, lang):
    said = said_html("misuse_suspected", inputs["misuse_suspected"].spec, {"misuse_suspected": True}, lang, case=CASE)
    assert escape(RECORD[lang]) in said
    assert word("answer_yes", lang) not in said and "misuse_suspected" not in said and "True" not in said


def test_without_words_for_a_fact_the_page_still_says_it_in_words(inputs):
    said = said_html("misuse_suspected", inputs["misuse_suspected"].spec, {"misuse_suspected": True}, "en",
                     case=SimpleNamespace(lang="en", replies={}, records={}))
    assert word("answer_yes", "en") in said and "True" not in said


def test_the_fact_kinds_split_the_customers_facts():
    assert ORDER_FACTS <= CUSTOMER_FACTS and TOLD_FACTS == CUSTOMER_FACTS - ORDER_FACTS
    assert "misuse_suspected" not in CUSTOMER_FACTS and "size_deviation_cm" in TOLD_FACTS


def test_every_case_answers_in_the_buyers_words_and_with_records_not_codes():
    """Each fact the buyer tells has their words, each fact the agent checks has a record in every
    interface language; none of them is a code, a yes/no or the fact's own value as the tool writes it."""
    library = load_library()
    assert case_problems() == []
    for case in load_cases():
        told = set(case.facts) & TOLD_FACTS
        checked = set(case.facts) - CUSTOMER_FACTS
        assert told <= set(case.replies), (case.id, sorted(told - set(case.replies)))
        assert checked <= set(case.records), (case.id, sorted(checked - set(case.records)))
        inputs = library.playbook(case.scenario).inputs
        for name, text in [*case.replies.items(), *((n, t) for n, r in case.records.items() for t in r.values())]:
            value = case.facts[name]
            assert "None" not in text and "True" not in text and "False" not in text, (case.id, text)
            assert "_" not in name or name not in text, (case.id, text)  # a fact's id; "about" is also a word
            if isinstance(value, str) and name in inputs and inputs[name].spec.type == "choice" and "_" in value:
                assert not re_word(value).search(text), (case.id, name, text)


def re_word(code: str):
    """A choice code written as a word of its own (``wrong_item``, ``fbo``), not a part of another word."""
    import re

    return re.compile(rf"(?<![A-Za-z_]){re.escape(code)}(?![A-Za-z_])")
