"""What message templates get from the presentation layer (issue 15, part 2): numbers, quantities
with plural forms, money in the message's language, and where the buyer answers us."""

from __future__ import annotations

import pytest

from aftersales.engine.core import in_chat
from aftersales.library import load_library
from aftersales.playbook.templates import compile_template, render


@pytest.mark.parametrize("lang, text", [
    ("en", "3.01 cm; 1 business day; 5 business days; $12.50"),
    ("zh", "3.01 厘米; 1 个工作日; 5 个工作日; US$12.50"),
    ("ru", "3,01 см; 1 рабочий день; 5 рабочих дней; 12,50\u00a0$"),
])
def test_templates_write_numbers_plurals_and_money_the_local_way(lang, text):
    template, _names = compile_template(
        "{{ d | quantity('cm') }}; {{ 1 | quantity('business_days') }}; {{ 5 | quantity('business_days') }}; "
        "{{ 12.5 | money('USD') }}")
    assert render(template, {"lang": lang, "d": 3.01}) == text


def test_a_missing_number_prints_nothing_rather_than_none():
    template, _names = compile_template("[{{ x | number }}]")
    assert render(template, {"lang": "ru", "x": None}) == "[]"


@pytest.mark.parametrize("platform, lang, phrase", [
    ("ozon", "ru", "в чате на Ozon"), ("taobao", "zh", "在旺旺聊天中"), ("amazon", "en", "in Amazon Buyer-Seller Messaging"),
    ("generic", "ru", "в сообщениях нашего магазина"), ("generic", "en", "in our store's messages"),
])
def test_every_platform_names_where_the_buyer_answers_in_each_language(platform, lang, phrase):
    profile = load_library().profile(platform)
    params = {name: p.value for name, p in profile.resolve("2026-01-15").items()}
    assert in_chat(params, "ignored", lang) == phrase


def test_a_platform_without_the_phrase_falls_back_to_its_name():
    assert in_chat({}, "Myshop", "ru") == "в сообщениях Myshop"
