"""The case's traps in plain words, in the trainee's interface language (issue 18, part 2).

Every trap of the bank is written in en, zh and ru (the zh and ru not a copy of the English, in
Chinese and Cyrillic script, citing the same seeds); an older bank's plain-string trap (English)
still loads; a trap mapping that lacks a language is a located error; ``train show --reveal
--lang`` prints the traps in that language; and after a submission the practice page lists
them under "What this case tests" in the interface language.
"""

from __future__ import annotations

import argparse
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aftersales.errors import PlaybookError
from aftersales.present.words import word
from aftersales.training.cases import get_case, load_cases, trap_texts
from aftersales.training.cases_cli import add_train_parser, run_train
from aftersales.training.feedback import feedback_html
from aftersales.training.practice import Practice

LANGS = ("en", "zh", "ru")
SCRIPT = {"zh": re.compile(r"[\u4e00-\u9fff]"), "ru": re.compile(r"[\u0400-\u04ff]")}
SEED = re.compile(r"\b00\d\b")




def replace_first_trap(bank: Path, case_id: str, new_lines: list[str]) -> int:
    """Replace the first trap of ``case_id`` in its file by ``new_lines``; return its 1-based line."""
    for path in sorted(bank.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        if f"  - id: {case_id}" not in lines:
            continue
        start = lines.index(f"  - id: {case_id}")
        first = lines.index("    traps:", start) + 1
        end = first + 3  # the first trap: en, zh, ru lines
        assert lines[first].startswith("      - en: ") and lines[end - 1].startswith("        ru: ")
        lines[first:end] = new_lines
        path.write_text("\n".join(lines), encoding="utf-8")
        return first + 1
    raise AssertionError(f"no case {case_id}")


# --- the bank ------------------------------------------------------------------------------------

def test_every_case_has_traps(cases):
    assert [case.id for case in cases if not case.traps] == []


def test_every_trap_of_the_bank_is_written_in_en_zh_and_ru(cases):
    for case in cases:
        for index, trap in enumerate(case.traps):
            where = f"{case.id} trap {index + 1}"
            assert isinstance(trap, dict), f"{where} is English only"
            assert set(trap) == set(LANGS), where
            assert all(trap[lang].strip() for lang in LANGS), where
            for lang in ("zh", "ru"):
                assert trap[lang] != trap["en"], f"{where}: the {lang} text is the English one"
                assert SCRIPT[lang].search(trap[lang]), f"{where}: the {lang} text is not in {lang} script"


def test_every_translation_cites_the_same_seeds_in_its_own_words(cases):
    for case in cases:
        for trap in case.traps:
            seeds = set(SEED.findall(trap["en"]))
            assert set(SEED.findall(trap["zh"])) == seeds == set(SEED.findall(trap["ru"])), case.id
            if seeds:
                assert "种子" in trap["zh"] and "seed" not in trap["zh"], case.id
                assert "источник" in trap["ru"] and "seed" not in trap["ru"], case.id


@pytest.mark.parametrize("lang", LANGS)
def test_trap_texts_gives_the_traps_in_the_language(cases, lang):
    for case in cases:
        assert trap_texts(case, lang) == [trap[lang] for trap in case.traps]


def test_the_english_of_the_seed_traps_is_unchanged():
    assert trap_texts(get_case("size-001"), "en")[0].startswith("3.5 cm is beyond the 3 cm tolerance")
    assert "3,5 см" in trap_texts(get_case("size-001"), "ru")[0]
    assert "3.5 厘米" in trap_texts(get_case("size-001"), "zh")[0]


# --- old banks and mistakes ------------------------------------------------------------------------

def test_a_plain_string_trap_still_loads_as_english(bank):
    replace_first_trap(bank, "size-001", ['      - "An old English-only trap (seed 001)."'])
    case = next(case for case in load_cases(bank) if case.id == "size-001")
    assert case.traps[0] == "An old English-only trap (seed 001)."
    for lang in LANGS:  # shown as it is, whatever the language
        assert trap_texts(case, lang)[0] == "An old English-only trap (seed 001)."
    assert trap_texts(case, "ru")[1] == case.traps[1]["ru"]


@pytest.mark.parametrize(("lines", "missing"), [
    (['      - {en: "English", zh: "中文（种子 001）"}'], "ru"),
    (['      - {en: "English", zh: "  ", ru: "По-русски"}'], "zh"),
    (['      - en: "English"'], "zh, ru"),
])
def test_a_trap_missing_a_language_is_a_located_error(bank, lines, missing):
    line = replace_first_trap(bank, "size-001", lines)
    with pytest.raises(PlaybookError) as raised:
        load_cases(bank)
    (problem,) = raised.value.problems
    text = str(problem)
    assert re.search(rf"size_mismatch\.yaml:{line}:\d+: ", text), text
    assert "cases.0.traps.0" in text and f"missing: {missing}" in text


def test_a_trap_in_an_unknown_language_is_a_located_error_with_a_hint(bank):
    line = replace_first_trap(bank, "size-001", ['      - {en: "English", zh: "中文", ru: "Русский", rus: "x"}'])
    with pytest.raises(PlaybookError, match=rf"size_mismatch\.yaml:{line}:\d+: .*unknown language 'rus'"):
        load_cases(bank)


def test_a_trap_that_is_neither_text_nor_mapping_is_a_located_error(bank):
    line = replace_first_trap(bank, "size-001", ["      - 42"])
    with pytest.raises(PlaybookError, match=rf"size_mismatch\.yaml:{line}:\d+: cases\.0\.traps\.0: .*a trap is a text"):
        load_cases(bank)


# --- the command line ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_train_show_reveal_prints_the_traps_in_the_language(capsys, lang):
    parser = argparse.ArgumentParser(prog="aftersales")
    add_train_parser(parser.add_subparsers(dest="command"))
    assert run_train(parser.parse_args(["train", "show", "size-002", "--reveal", "--lang", lang])) == 0
    out = capsys.readouterr().out
    for trap in trap_texts(get_case("size-002"), lang):
        assert f"  - {trap}" in out


def test_train_show_reveal_defaults_to_english(capsys):
    parser = argparse.ArgumentParser(prog="aftersales")
    add_train_parser(parser.add_subparsers(dest="command"))
    assert run_train(parser.parse_args(["train", "show", "size-002", "--reveal"])) == 0
    out = capsys.readouterr().out
    case = get_case("size-002")
    assert all(trap["en"] in out for trap in case.traps)
    assert not any(trap["zh"] in out for trap in case.traps)


# --- the practice page -----------------------------------------------------------------------------

class _Sections(HTMLParser):
    """The ``<li>`` texts under each ``<h4>`` heading of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, list[str]] = {}
        self.heading: str | None = None
        self.tag: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h4", "li"):
            self.tag, self.text = tag, ""

    def handle_endtag(self, tag):
        if tag == "h4" and self.tag == "h4":
            self.heading = self.text.strip()
            self.sections[self.heading] = []
        elif tag == "li" and self.tag == "li" and self.heading is not None:
            self.sections[self.heading].append(self.text.strip())
        if tag == self.tag:
            self.tag = None

    def handle_data(self, data):
        if self.tag:
            self.text += data


def sections(html: str) -> dict[str, list[str]]:
    parser = _Sections()
    parser.feed(html)
    parser.close()
    return parser.sections


def submit(page: Practice) -> None:
    """Answer every question from the case, decide as the playbook does and submit."""
    case = page.case
    for _ in range(40):
        if page.wizard.field is None:
            break
        question = page.wizard.field.question
        page.wizard.answer(case.facts.get(question.name, question.default))
        if page.wizard.error.value:
            break
    expected = case.expected
    page.resolution.value = expected.resolution
    page.shipping.value = expected.return_shipping_paid_by
    page.cost.value = expected.cost_borne_by
    page.submit.click()


@pytest.mark.parametrize("lang", ["zh", "ru", "en"])
@pytest.mark.parametrize("case_id", ["size-001", "claim-003"])
def test_after_a_submission_the_page_lists_the_traps_in_the_interface_language(lang, case_id):
    page = Practice("tess", case_id, store=None, lang=lang)
    assert page.result.value == ""
    submit(page)
    assert page.last_score is not None, page.result.value
    found = sections(page.result.value)
    heading = word("practice_traps", lang)
    assert found.get(heading) == trap_texts(page.case, lang), found
    html = page.result.value
    assert html.index(heading) > html.index("</table>"), "the traps follow the score table"
    if lang != "en":
        assert not any(trap["en"] in html for trap in page.case.traps)


def test_the_traps_follow_the_language_the_trainee_switches_to():
    page = Practice("tess", "size-001", store=None, lang="zh")
    submit(page)
    page.set_lang("ru")
    found = sections(page.result.value)
    assert found.get(word("practice_traps", "ru")) == trap_texts(page.case, "ru")


def test_feedback_without_traps_has_no_traps_section():
    page = Practice("tess", "size-001", store=None, lang="en")
    submit(page)
    html = feedback_html(page.last_score, "en")
    assert word("practice_traps", "en") not in html
    assert word("practice_traps", "en") in feedback_html(page.last_score, "en", traps=["a trap"])
