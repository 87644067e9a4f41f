"""The recommendation card: relative times, money, languages, and nothing unescaped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aftersales.engine import decide
from aftersales.present.formats import relative_time, span_text
from aftersales.present.sentences import compensation_text
from aftersales.present.words import catalogue, word
from aftersales.widgets.card import card_html

START = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
FACTS = {"order_id": "TB-1", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
         "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
         "size_deviation_cm": 3.5, "customer_preference": "exchange"}


@pytest.mark.parametrize("hours, lang, text", [
    (31, "en", "in 31 hours"), (24, "zh", "24 小时后"), (31, "ru", "через 31 час"), (-2, "en", "overdue by 2 hours"),
    (0.5, "en", "in 30 minutes"), (72, "en", "in 3 days"), (76, "en", "in 3 days 4 hours"), (0, "en", "now"),
    (1, "en", "in 1 hour"), (22, "ru", "через 22 часа"), (26, "ru", "через 26 часов"), (121, "ru", "через 5 дней 1 час"),
])
def test_deadlines_are_also_said_relative_to_the_cases_start(hours, lang, text):
    assert relative_time(START + timedelta(hours=hours), START, lang) == text


def test_forty_eight_hours_stay_hours_and_forty_nine_become_days():
    assert span_text(48 * 3600, "en") == "48 hours"
    assert span_text(49 * 3600, "en") == "2 days 1 hour"


def test_compensation_shows_the_amount_and_the_range_a_raise_may_reach():
    assert compensation_text({"amount": 15, "currency": "CNY", "min": 15, "max": 20}, "en") == \
        "CN¥15.00 (allowed CN¥15.00 – CN¥20.00)"
    assert compensation_text({"amount": 4200, "currency": "RUB"}, "ru") == "4\u00a0200\u00a0₽"
    assert compensation_text(None, "ru") == "нет"


def test_the_card_escapes_whatever_the_case_brought_in():
    decision = decide("size_mismatch", {**FACTS, "customer_name": "<script>alert(1)</script>"}, "taobao",
                      lang="en", as_of=START)
    html = card_html(decision)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("lang, heading, payer", [("en", "Recommendation", "seller"), ("zh", "处理建议", "卖家"),
                                                  ("ru", "Рекомендация", "продавец")])
def test_the_card_speaks_the_decisions_language(lang, heading, payer):
    html = card_html(decide("size_mismatch", FACTS, "taobao", lang=lang, as_of=START))
    assert heading in html and payer in html
    assert {"en": "Jan 16, 2026, 09:00 UTC", "zh": "2026年1月16日 09:00 UTC",
            "ru": "16 янв. 2026 г., 09:00 UTC"}[lang] in html.replace("\u202f", " ")


def test_every_word_of_the_frame_exists_in_every_language():
    for section, entries in catalogue().items():
        for key, texts in entries.items():
            assert set(texts) == {"en", "zh", "ru"}, f"{section}.{key}"
            if section == "quantities":  # each language's plural forms, "other" always
                assert all("other" in forms and all("{n}" in f for f in forms.values()) for forms in texts.values())
                continue
            assert all(isinstance(t, str) and t.strip() for t in texts.values()), f"{section}.{key}"


def test_every_resolution_and_party_the_engine_can_return_has_words():
    from aftersales.playbook.model import COST_BEARERS, OWNERS, RESOLUTIONS, SHIPPING_PAYERS

    words = catalogue()
    assert set(RESOLUTIONS) <= set(words["resolutions"])
    assert set(SHIPPING_PAYERS) | set(COST_BEARERS) <= set(words["parties"])
    assert set(OWNERS) <= set(words["owners"])


@pytest.mark.parametrize("lang", ["en", "zh", "ru"])
def test_the_trail_speaks_in_words_and_keeps_ids_and_values_for_leads(lang):
    """Issue 17: no `conforms = False`, no step ids in what a trainee reads; a lead opens the details."""
    decision = decide("size_mismatch", FACTS, "taobao", lang=lang, as_of=START)
    html = card_html(decision)
    trail = html.split(f"<h4>{word('trail', lang)}</h4>", 1)[1]
    shown, technical = trail.split('<details class="as-technical">', 1)
    assert "conforms" not in shown and "False" not in shown and "True" not in shown and "None" not in shown
    assert "quality_choice" not in shown and decision.playbook.steps["tolerance"].title[lang] in shown
    assert "conforms = False" in technical and "quality_choice" in technical
