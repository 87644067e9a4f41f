"""Ask the customer in the buyer's voice (issue 18, part 4): a fact the buyer knows comes as the
buyer's own words in their language, a fact the agent must judge or look up as the record found,
in the trainee's language; never the fact's label with its value, never a code."""

from __future__ import annotations

from html import escape
from types import SimpleNamespace

import pytest

from aftersales.library import load_library
from aftersales.present.words import word
from aftersales.training.cases import CUSTOMER_FACTS, ORDER_FACTS, TOLD_FACTS, case_problems, cases_root, load_cases
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
