"""The presentation layer (issue 14, part 1): one catalogue, CLDR formats and plurals, one
deadline sentence, one playbook view, and nothing else formatting money or dates for a person."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from aftersales.engine import decide
from aftersales.library import load_library
from aftersales.present.formats import format_money, format_number, format_quantity, moment_text
from aftersales.present.sentences import compensation_text, deadline_rule
from aftersales.present.view import describe_playbook, playbook_view, step_numbers
from aftersales.present.words import catalogue, plural_category

PACKAGE = Path(__file__).resolve().parents[2] / "lib" / "aftersales"


@pytest.mark.parametrize("count, lang, text", [
    (1, "en", "1 business day"), (2, "en", "2 business days"), (0, "en", "0 business days"),
    (1, "ru", "1 рабочий день"), (2, "ru", "2 рабочих дня"), (4, "ru", "4 рабочих дня"), (5, "ru", "5 рабочих дней"),
    (11, "ru", "11 рабочих дней"), (21, "ru", "21 рабочий день"), (22, "ru", "22 рабочих дня"),
    (1.5, "ru", "1,5 рабочего дня"), (1, "zh", "1 个工作日"), (7, "zh", "7 个工作日"),
])
def test_quantities_take_the_plural_form_of_their_language(count, lang, text):
    assert format_quantity(count, "business_days", lang) == text


@pytest.mark.parametrize("lang, text", [
    ("en", "First reply: 24 hours from the complaint"),
    ("zh", "First reply：收到投诉后 24 小时内"),
    ("ru", "First reply: 24 часа с момента получения обращения"),
])
def test_the_deadline_sentence_reads_as_each_language_says_it(lang, text):
    assert deadline_rule("First reply", 24, "hours", "complaint_received_at", lang) == text


def test_a_deadline_never_names_a_fact_or_a_parameter():
    decision = decide("size_mismatch", {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12",
                                        "evidence_provided": True, "category": "apparel", "size_deviation_cm": 3.5,
                                        "customer_preference": "exchange"}, "taobao", lang="ru",
                      as_of="2026-01-15T09:00:00+00:00")
    for deadline in decision.deadlines:
        assert "params." not in deadline.rule and "_" not in deadline.rule, deadline.rule
    reply = next(d for d in decision.deadlines if d.name == "first_reply")
    assert reply.to_dict()["parameter"] == "reply_deadline_h"


@pytest.mark.parametrize("amount, currency, lang, text", [
    (12.5, "USD", "en", "$12.50"), (4200, "RUB", "ru", "4\u00a0200\u00a0₽"), (4200.5, "RUB", "ru", "4\u00a0200,50\u00a0₽"), (199, "CNY", "zh", "¥199.00"),
    (3400, "RUB", "en", "3,400.00\u00a0₽"), (15, "EUR", "ru", "15\u00a0€"), (7, None, "en", "7.00"),
])
def test_money_is_written_as_its_reader_writes_it(amount, currency, lang, text):
    assert format_money(amount, currency, lang) == text


def test_the_compensation_sentence_never_exceeds_its_range_in_words():
    text = compensation_text({"amount": 15, "currency": "USD", "min": 10, "max": 20}, "en")
    assert text == "$15.00 (allowed $10.00 – $20.00)"


def test_numbers_and_moments_follow_the_locale():
    assert format_number(3.5, "ru") == "3,5" and format_number(1200, "en") == "1,200" and format_number(3.0, "en") == "3"
    moment = datetime(2026, 1, 16, 9, 0, tzinfo=timezone.utc)
    assert moment_text(moment, "zh") == "2026年1月16日 09:00 UTC"
    assert plural_category(1, "ru") == "one" and plural_category(3, "ru") == "few" and plural_category(7, "ru") == "many"


def test_every_quantity_has_every_plural_form_its_language_uses():
    needed = {"en": {"one", "other"}, "ru": {"one", "few", "many", "other"}, "zh": {"other"}}
    for unit, forms in catalogue()["quantities"].items():
        if unit in ("cm", "kg", "percent", "ratio", "currency", "none"):
            continue  # written the same whatever the number
        for lang, wanted in needed.items():
            assert set(forms[lang]) == wanted, (unit, lang)


def test_the_sop_the_start_page_and_describe_share_one_playbook_view():
    from aftersales.render.document import sop_document

    library = load_library()
    playbook = library.playbook("size_mismatch")
    profile = library.profile("ozon")
    from aftersales.render.applicable import applicable

    resolved = profile.resolve(date(2026, 1, 15))
    view = playbook_view(playbook, "ru", resolved=resolved)
    document = sop_document(playbook, profile, library, "ru", date(2026, 1, 15))
    # the SOP is the platform's view: what applies on Ozon, in words
    ozon = playbook_view(playbook, "ru", resolved=resolved, keep=applicable(playbook, resolved, "ozon"), platform="ozon")
    assert document.steps == ozon["steps"] and document.outcomes == ozon["outcomes"]
    assert {s["id"] for s in ozon["steps"]} <= {s["id"] for s in view["steps"]}
    numbers = step_numbers(playbook)
    assert [s["number"] for s in view["steps"]] == sorted(numbers.values())
    described = describe_playbook(playbook, "ru")
    assert [s["id"] for s in described["steps"]] == [s["id"] for s in view["steps"]]
    assert all("params." not in d for o in view["outcomes"] for d in o["deadlines"])


def test_nothing_outside_present_formats_money_or_dates_for_a_person():
    """Dates by strftime and money by ``:.2f`` belong to present/ (errors for developers use ``:,``)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "present" in path.relative_to(PACKAGE).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"strftime\(|:[<>^]?\d*,?\.2f\}", line) and "strptime(" not in line:  # a pattern self-check
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert found == []


def _unique_keys_loader() -> type:
    """A YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            assert key not in seen, f"'{key}' twice: lines {seen[key]} and {key_node.start_mark.line + 1}"
            seen[key] = key_node.start_mark.line + 1
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                           lambda loader, node: mapping(loader, node))
    return Loader


@pytest.mark.parametrize("path", ["lib/aftersales/present/words.yaml", "lib/aftersales/compliance/rules.yaml",
                                  "playbooks/training.yaml"])
def test_a_data_file_never_gives_one_key_twice(path):
    """A second entry of a word would silently replace the first (a new word once hid "The customer writes")."""
    import yaml

    yaml.load((Path(__file__).parents[2] / path).read_text(encoding="utf-8"), Loader=_unique_keys_loader())
