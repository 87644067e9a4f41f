"""Element detection by meaning (issue 15): words as stems and lemmas, concepts, relations."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aftersales.compliance.concepts import Relation, analyse, compile_lexicon, find, holds, parse_relation
from aftersales.compliance.rules import RulesError, parse_rules


def _found(terms: list[str], text: str, lang: str) -> list[str]:
    analysis = analyse(text.lower(), lang)
    return [analysis.text[s:e] for s, e in find(compile_lexicon(terms, lang), analysis)]


def test_english_words_match_by_their_stem() -> None:
    assert _found(["refund", "replacement"], "We refunded you and replaced it.", "en") == ["refunded", "replaced"]
    assert _found(["replac*"], "We refunded you and replaced it.", "en") == ["replaced"]
    assert _found(["send ... again"], "We will send the parcel again.", "en") == ["send the parcel again"]


def test_english_clitics_are_dropped_but_negations_kept() -> None:
    assert _found(["and we"], "Rate us and we'll pay", "en") == ["and we'll"]
    assert _found(["don't need"], "You don't need to do anything", "en") == ["don't need"]


def test_russian_words_match_by_their_lemma() -> None:
    assert _found(["вернуть"], "Деньги мы уже вернули.", "ru") == ["вернули"]
    assert _found(["без озон"], "Давайте решим вопрос напрямую, без Озона.", "ru") == ["без озона"]


def test_a_russian_form_as_written_is_not_its_lemma() -> None:
    assert _found(["=отмените"], "Отмените заказ.", "ru") == ["отмените"]
    assert _found(["=отмените"], "Мы отменим заказ.", "ru") == []


def test_chinese_terms_respect_jieba_word_boundaries() -> None:
    assert _found(["好评"], "您给好评后我们再给您打款", "zh") == ["好评"]
    # a one-character term must be a word of its own: 改 is not found inside 改进
    assert _found(["改"], "我们会改进包装", "zh") == []
    assert _found(["运费...我们"], "运费由我们承担", "zh") == ["运费由我们"]


def _lexicons(lang: str, **concepts: list[str]):
    return {name: compile_lexicon(terms, lang) for name, terms in concepts.items()}


def test_a_relation_needs_every_concept_in_one_window_and_no_veto() -> None:
    lexicons = _lexicons("en", incentive=["discount"], review=["review"], refusal=["cannot offer"])
    relation = Relation(all=("incentive", "review"), none=("refusal",))
    hit = analyse("leave a review and get a discount.", "en")
    assert [hit.text[s:e] for s, e in holds(relation, hit, lexicons)] == ["review and get a discount"]
    apart = analyse("leave a review. thanks. we give a discount.", "en")
    assert holds(relation, apart, lexicons) == []
    assert holds(Relation(all=("incentive", "review"), within=3), apart, lexicons)
    vetoed = analyse("we cannot offer a discount for a review.", "en")
    assert holds(relation, vetoed, lexicons) == []


def test_near_bounds_the_words_between_the_concepts() -> None:
    lexicons = _lexicons("en", incentive=["discount"], review=["review"])
    text = analyse("a discount is here, and after many many many many other words a review", "en")
    assert holds(Relation(all=("incentive", "review")), text, lexicons)
    assert not holds(Relation(all=("incentive", "review"), near=5), text, lexicons)


@pytest.mark.parametrize("raw", [{"any": ["x"]}, {"all": ["nope"]}, {"all": ["x"], "within": 0}, {"all": ["x"], "odd": 1}])
def test_malformed_relations_are_refused(raw: dict) -> None:
    with pytest.raises(ValueError):
        parse_relation(raw, "rule 'a.b'", ["x"])
    data = {"concepts": {"x": {"en": ["x"]}},
            "rules": [{"id": "a.b", "check": "forbidden", "severity": "error", "message": "m", "source": "s",
                       "relations": [raw]}]}
    with pytest.raises(RulesError, match="a.b"):
        parse_rules(data)


def test_a_rule_may_be_only_relations() -> None:
    data = {"concepts": {"x": {"en": ["x"]}},
            "rules": [{"id": "a.b", "check": "forbidden", "severity": "error", "message": "m", "source": "s",
                       "relations": ["x"]}]}
    (rule,) = parse_rules(data)
    assert rule.relations == (Relation(all=("x",)),)


def test_the_language_tools_load_lazily() -> None:
    code = ("import sys; import aftersales.compliance.checker; "
            "print(any(m in sys.modules for m in ('jieba', 'pymorphy3', 'snowballstemmer')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
