"""A platform, store or jurisdiction value below its jurisdiction's legal floor never validates
(floors: in playbooks/jurisdictions/*.yaml; lib/aftersales/platforms/floors.py; docs/law.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.library import default_playbooks_dir
from aftersales.platforms.floors import floor_problems, read_floors, violation

PLATFORMS = {"amazon": "us", "amazon_de": "de", "generic": "eu", "ozon": "ru", "taobao": "cn"}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("floors") / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    return root


def _numeric_floors() -> list[tuple[str, str, dict]]:
    floors, problems = read_floors(default_playbooks_dir())
    assert not problems
    return [(code, name, floor) for code, mine in floors.items() for name, floor in mine.items()
            if floor["bound"] in ("min", "max")]


def _overlay(root: Path, platform: str, param: str, value, unit: str | None = None) -> Path:
    unit_line = f"\n      unit: {unit}" if unit else ""
    path = root / "overlays" / "below_floor.yaml"
    path.write_text(
        "overlay: below_floor\nversion: \"1\"\ntitle: {en: t, zh: t, ru: t}\nsources: [test]\n"
        f"parameters:\n  {platform}:\n    {param}:\n      value: {value}{unit_line}\n"
        "      source: test\n      confidence: high\n      effective_from: 2026-01-01\n",
        encoding="utf-8")
    return path


def test_the_shipped_playbooks_are_at_or_above_every_floor() -> None:
    assert floor_problems(default_playbooks_dir()) == []


def test_every_floor_names_its_article_and_source() -> None:
    floors, problems = read_floors(default_playbooks_dir())
    assert not problems
    assert set(floors) == {"ru", "eu", "cn", "us", "de"}
    for mine in floors.values():
        assert len(mine) >= 5
        for floor in mine.values():
            assert floor["article"] and floor["source"] and floor["confidence"] and floor["effective_from"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_store_value_below_a_floor_never_validates(library: Path, data: st.DataObject) -> None:
    code, name, floor = data.draw(st.sampled_from(_numeric_floors()))
    platform = next(p for p, j in PLATFORMS.items() if j == code)
    need = floor["value"]
    if floor["bound"] == "min":
        value = data.draw(st.integers(min_value=0, max_value=int(need) - 1)) if need >= 1 else None
    else:
        value = data.draw(st.integers(min_value=int(need) + 1, max_value=int(need) + 1000))
    if value is None:
        return
    path = _overlay(library, platform, floor["parameter"], value, floor.get("unit"))
    try:
        found = [p for p in floor_problems(library) if p.code == "below-floor"]
    finally:
        path.unlink()
    assert found, (code, name, value)
    assert any(floor["article"] in p.message and floor["parameter"] in p.message
               and p.location.file.endswith("below_floor.yaml") and p.location.line > 1 for p in found)


@given(need=st.integers(min_value=1, max_value=5000), below=st.integers(min_value=1, max_value=5000))
def test_violation_is_exact_at_the_bound(need: int, below: int) -> None:
    floor_min = {"bound": "min", "value": need, "unit": "days"}
    floor_max = {"bound": "max", "value": need, "unit": "days"}
    assert violation(floor_min, need) is None and violation(floor_max, need) is None
    assert violation(floor_min, need - below) is not None
    assert violation(floor_max, need + below) is not None
    assert violation(floor_min, need + below) is None


# the real cases: what a lead or a store could write, and the floor each breaks
REAL = [
    pytest.param("ozon", "default_warranty_days", 365, None, "ZoZPP art. 19",
                 id="Ozon's own 365-day default would shorten the 2-year claim period (ZoZPP art. 19)"),
    pytest.param("ozon", "return_window_days", 5, None, "ZoZPP art. 26.1",
                 id="a 5-day remote-sale window is below 7 days (ZoZPP art. 26.1 p.4)"),
    pytest.param("ozon", "return_window_if_not_informed_days", 30, None, "ZoZPP art. 26.1",
                 id="30 days when terms were not given is below 3 months (ZoZPP art. 26.1 p.4)"),
    pytest.param("ozon", "refund_after_return_days", 14, None, "ZoZPP art. 22",
                 id="a 14-day refund is slower than 10 days (ZoZPP art. 22)"),
    pytest.param("ozon", "repair_max_days", 60, None, "ZoZPP art. 20",
                 id="a 60-day repair is longer than 45 days (ZoZPP art. 20)"),
    pytest.param("ozon", "buyer_remedy_choice", "[repair]", None, "ZoZPP art. 18",
                 id="taking refund and replacement away from the buyer (ZoZPP art. 18 p.1)"),
    pytest.param("generic", "return_window_days", 10, None, "2011/83 art. 9",
                 id="a 10-day EU withdrawal is below 14 days (Directive 2011/83 art. 9)"),
    pytest.param("generic", "return_window_if_not_informed_days", 14, None, "2011/83 art. 10",
                 id="no 12-month extension when not informed (Directive 2011/83 art. 10)"),
    pytest.param("generic", "legal_guarantee_days", 365, None, "2019/771 art. 10",
                 id="a 1-year legal guarantee is below 2 years (Directive 2019/771 art. 10)"),
    pytest.param("generic", "withdrawal_worn_deduction_only", "false", None, "2011/83 art. 14(2)",
                 id="refusing worn goods inside the withdrawal period (Directive 2011/83 art. 14(2))"),
    pytest.param("generic", "refund_after_return_days", 3, "weeks", "2011/83 art. 13",
                 id="a 3-week refund is slower than 14 days (Directive 2011/83 art. 13), units converted"),
    pytest.param("taobao", "return_window_days", 168, "hours", None,
                 id="168 hours is exactly 7 days - at the floor, allowed (CPL art. 25)"),
    pytest.param("taobao", "return_window_days", 120, "hours", "CPL art. 25",
                 id="120 hours is below the 7-day no-reason return (CPL art. 25)"),
    pytest.param("taobao", "early_defect_exchange_days", 7, None, "三包",
                 id="a 7-day exchange right is below the 15 days of 三包"),
    pytest.param("amazon_de", "return_window_days", 10, None, "§§ 312g(1), 355(2), 356(2) BGB",
                 id="a 10-day window on amazon.de is below the 14-day Widerrufsfrist (§355(2) BGB)"),
    pytest.param("amazon_de", "return_window_if_not_informed_days", 365, None, "§356(3) BGB",
                 id="12 months without the 14 days when not informed (§356(3) BGB)"),
    pytest.param("amazon_de", "legal_guarantee_days", 365, None, "§438(1) Nr. 3 BGB",
                 id="a 1-year Gewährleistung is below 2 years (§438(1) Nr. 3 BGB)"),
    pytest.param("amazon_de", "refund_after_return_days", 3, "weeks", "§357(1), (4) BGB",
                 id="a 3-week refund is slower than 14 days (§357(1) BGB)"),
    pytest.param("amazon_de", "withdrawal_worn_deduction_only", "false", None, "§357a(1) BGB",
                 id="refusing worn goods inside the Widerrufsfrist (§357a(1) BGB)"),
    pytest.param("amazon", "return_window_days", 14, None, "Amazon return policy",
                 id="a 14-day window is below Amazon's 30 days"),
    pytest.param("amazon", "return_window_days", 60, None, None,
                 id="a 60-day window is more generous than the floor - allowed"),
]


@pytest.mark.parametrize("platform, param, value, unit, article", REAL)
def test_real_cases(library: Path, platform: str, param: str, value, unit: str | None, article: str | None) -> None:
    path = _overlay(library, platform, param, value, unit)
    try:
        found = [p for p in floor_problems(library) if p.code == "below-floor"]
    finally:
        path.unlink()
    if article is None:
        assert found == []
    else:
        assert len(found) == 1 and article in found[0].message and param in found[0].message
        assert (found[0].location.file, found[0].location.line) != ("", 0)


def test_ozon_365_in_the_platform_file_is_an_error_at_its_line(library: Path) -> None:
    from aftersales.validation import validate_paths

    ozon = library / "platforms" / "ozon.yaml"
    text = ozon.read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, row in enumerate(lines, 1) if row.startswith("  default_warranty_days:")) + 1
    assert lines[line - 1].strip() == "value: 730"
    ozon.write_text(text.replace(lines[line - 1], "    value: 365", 1), encoding="utf-8")
    try:
        problems, _count = validate_paths([library])
    finally:
        ozon.write_text(text, encoding="utf-8")
    found = [p for p in problems if p.code == "below-floor"]
    assert len(found) == 1
    assert found[0].location.file.endswith("platforms/ozon.yaml")
    assert (found[0].location.line, found[0].location.col) == (line, 12)
    assert "730" in found[0].message and "ZoZPP art. 19" in found[0].message
