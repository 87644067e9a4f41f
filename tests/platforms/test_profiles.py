"""Rules every profile obeys: full coverage, sourced values, resolution by date, discovery."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from aftersales.platforms import (
    UNITS,
    load_catalogue,
    load_profiles,
    profile_problems,
)

from .conftest import PLAYBOOKS, TODAY


def test_real_files_have_no_problems():
    assert profile_problems(PLAYBOOKS) == []


def test_platforms_are_the_files(profiles):
    assert sorted(profiles) == ["amazon", "amazon_de", "generic", "ozon", "taobao"]
    assert {p.name: p.jurisdiction for p in profiles.values()} == {
        "amazon": "us", "amazon_de": "de", "generic": "eu", "ozon": "ru", "taobao": "cn"
    }


def test_every_profile_defines_every_catalogue_parameter(profiles):
    catalogue = load_catalogue(PLAYBOOKS)
    for profile in profiles.values():
        assert profile.parameter_names == catalogue.names, profile.name


@pytest.mark.parametrize("as_of", [date(2000, 1, 1), date(2015, 10, 29), date(2024, 10, 23), TODAY])
def test_every_profile_resolves_from_2000_on(profiles, as_of):
    for profile in profiles.values():
        resolved = profile.resolve(as_of)
        assert set(resolved) == profile.parameter_names
        assert all(param.unit in UNITS for param in resolved.values())


def test_every_value_has_a_source_that_resolves(profiles):
    """The same rule as `aftersales validate` (aftersales.citations): every citation of a value's
    source is a described seed, a URL, a research-note section, an article, an issue or a named page."""
    from aftersales.citations import parse, split

    for profile in profiles.values():
        for name in profile.parameter_names:
            for entry in profile.entries(name):
                assert entry.source, (profile.name, name)
                bad = [c.problem for c in (parse(part) for part in split(entry.source)) if not c.ok]
                assert not bad, (profile.name, name, entry.source, bad)


def test_histories_are_sorted_by_date(profiles):
    """At most one value of unknown start per parameter, first; then the dated ones in order."""
    for profile in profiles.values():
        for name in profile.parameter_names:
            dates = [entry.effective_from for entry in profile.entries(name)]
            unknown = [d for d in dates if d is None]
            dated = [d for d in dates if d is not None]
            assert len(unknown) <= 1 and dates[: len(unknown)] == unknown, (profile.name, name)
            assert dated == sorted(dated) and len(dated) == len(set(dated)), (profile.name, name)


def test_seed_values_have_an_unknown_start_with_the_convention_note(profiles):
    """The seeds are undated articles: their values' start is ``unknown``, never a made-up date."""
    for profile in profiles.values():
        for name in profile.parameter_names:
            for entry in profile.entries(name):
                if entry.source.startswith("seed ") and entry.value is not None:
                    assert entry.effective_from is None, (profile.name, name)
                    assert "seed undated" in (entry.note or "").lower(), (profile.name, name)


@pytest.mark.parametrize(
    "name, value",
    [("size_tolerance_cm", 3), ("minor_defect_offer_ratio", 0.8333), ("review_incentive_allowed", False)],
)
def test_same_value_on_every_platform_today(profiles, name, value):
    assert {p.name: p.get(name, TODAY).value for p in profiles.values()} == {p: value for p in profiles}


def test_currency_and_languages(profiles):
    today = {p.name: p.values(TODAY) for p in profiles.values()}
    assert {n: v["currency"] for n, v in today.items()} == {
        "amazon": "USD", "amazon_de": "EUR", "ozon": "RUB", "taobao": "CNY", "generic": "EUR"
    }
    assert today["generic"]["languages"] == ["en", "zh", "ru"]
    assert today["amazon_de"]["languages"] == ["en", "zh", "ru"]  # German is not a toolkit language; English first


def test_resolve_is_cached_per_date_and_values_match(profiles):
    amazon = profiles["amazon"]
    first, second = amazon.resolve(TODAY), amazon.resolve(TODAY)
    assert first == second and first is not second  # callers get their own dict
    assert amazon.values(TODAY) == {name: param.value for name, param in first.items()}


def test_catalogue_describes_every_parameter_in_three_languages():
    catalogue = load_catalogue(PLAYBOOKS)
    for name, spec in catalogue.parameters.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
        assert spec.description.en and spec.description.zh and spec.description.ru
        assert spec.unit in UNITS


def test_a_new_platform_is_one_file(playbooks_copy):
    text = (playbooks_copy / "platforms" / "generic.yaml").read_text(encoding="utf-8")
    (playbooks_copy / "platforms" / "myshop.yaml").write_text(
        text.replace("platform: generic", "platform: myshop"), encoding="utf-8"
    )
    profiles = load_profiles(playbooks_copy)
    assert sorted(profiles) == ["amazon", "amazon_de", "generic", "myshop", "ozon", "taobao"]
    assert profiles["myshop"].get("return_window_days", TODAY).value == 14


def test_files_starting_with_underscore_are_ignored(playbooks_copy):
    shutil.copy(playbooks_copy / "platforms" / "amazon.yaml", playbooks_copy / "platforms" / "_draft.yaml")
    (playbooks_copy / "platforms" / "_broken.yaml").write_text("platform: [", encoding="utf-8")
    assert profile_problems(playbooks_copy) == []
    assert "_draft" not in load_profiles(playbooks_copy)


def test_changed_files_are_reloaded(playbooks_copy):
    assert load_profiles(playbooks_copy)["ozon"].get("order_execution_claim_window_days", TODAY).value == 3
    path = playbooks_copy / "platforms" / "ozon.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    value: 3\n", "    value: 4\n", 1), encoding="utf-8")
    assert load_profiles(playbooks_copy)["ozon"].get("order_execution_claim_window_days", TODAY).value == 4
