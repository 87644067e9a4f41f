"""Causes (issue 20, part 7; seeds 000 and 001: tag every case by its cause, count the causes and
feed them back to the product team and the suppliers): the rules of playbooks/causes.yaml, their
checks at file:line, the store's cause/SKU/supplier columns and ``aftersales cases causes``."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aftersales.cases.cause_report import cause_report, read_catalogue
from aftersales.cases.causes import OTHER, case_cause, case_sku_supplier, cause_label, cause_problems, load_causes
from aftersales.cases.store import CaseStore
from aftersales.cli import main
from aftersales.errors import AftersalesError
from aftersales.library import load_library
from aftersales.paths import default_playbooks_dir

from . import real_records, synthetic_record


def _record(scenario: str, facts: dict, computed: dict | None = None, outcome: str = "x") -> dict:
    return {"scenario": scenario, "facts": facts, "computed": computed or {}, "outcome": outcome}


@pytest.mark.parametrize(("scenario", "facts", "computed", "cause"), [
    ("quality_defect", {"inspection_finding": "handling_damage"}, {}, "handling_damage"),
    ("quality_defect", {"inspection_finding": "manufacturing_defect"}, {}, "product_defect"),
    ("quality_defect", {}, {}, "product_defect"),  # no finding yet: the defect the buyer reports
    ("wrong_item", {"problem": "wrong_item"}, {}, "picking_error"),
    ("wrong_item", {"problem": "missing_item"}, {}, "packing_error"),
    ("wrong_item", {"problem": "damaged_in_transit"}, {}, "transit_damage"),
    ("wrong_item", {}, {}, "other"),
    # the size playbook's own verdict (size_conforms: deviation ≤ tolerance) decides, not the raw cm
    ("size_mismatch", {"size_deviation_cm": 3.01}, {"conforms": False}, "size_chart"),
    ("size_mismatch", {"size_deviation_cm": 3.0}, {"conforms": True}, "fit"),
    ("size_mismatch", {}, {}, "other"),  # not measured yet
    ("claim", {"claim_type": "fba_return_not_received"}, {}, "not_received"),
    ("claim", {"claim_type": "personal_injury"}, {}, "harm"),
    ("claim", {"claim_type": "chargeback"}, {}, "payment_dispute"),
    ("bad_review", {"about": "seller_service"}, {}, "service"),
    ("bad_review", {"about": "other"}, {}, "other"),
    ("change_of_mind", {}, {}, "change_of_mind"),
    ("no_such_scenario", {}, {}, OTHER),
])
def test_each_case_is_tagged_by_the_first_rule_of_its_scenario_that_holds(scenario, facts, computed, cause):
    assert case_cause(_record(scenario, facts, computed)) == cause


def test_every_worked_example_is_tagged_and_the_shipped_table_is_valid():
    library = load_library()
    assert cause_problems(default_playbooks_dir(), library.playbooks) == []
    table = load_causes()
    tagged = {case_cause(record, table) for record in real_records()}
    assert {"product_defect", "picking_error", "size_chart", "fit", "not_received", "change_of_mind"} <= tagged
    for cause in table.labels:  # every cause has its words in the three languages
        assert {cause_label(cause, lang, table) for lang in ("en", "zh", "ru")} == {table.labels[cause][lang]
                                                                                  for lang in ("en", "zh", "ru")}


@pytest.mark.parametrize(("edit", "line", "code", "words"), [
    ("    - {when: \"problem == 'wrong_item'\", cause: picking_eror}", 6, "unknown-cause", "unknown cause 'picking_eror'"),
    ("    - {when: \"problem == \", cause: picking_error}", 6, "expression", "syntax error"),
    ("    - {when: \"problm == 'wrong_item'\", cause: picking_error}", 6, "unknown-fact", "'problm' is not a fact"),
    ("    - {when: \"problem == 'wrong_item'\", cause: picking_error, owner: lead}", 6, "schema", "unknown key 'owner'"),
])
def test_a_lead_s_mistake_in_the_causes_file_is_reported_at_its_line(tmp_path, edit, line, code, words):
    root = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    (root / "causes.yaml").write_text("causes:\n  picking_error: {en: Wrong item sent, zh: 发错货, ru: Не тот товар}\n"
                                      "  other: {en: Other, zh: 其他}\nscenarios:\n  wrong_item:\n" + edit + "\n",
                                      encoding="utf-8")
    problems = cause_problems(root, load_library(root).playbooks)
    assert any(p.code == "missing-language" and p.location.line == 3 and "ru" in p.message for p in problems)
    found = [p for p in problems if p.code == code]
    assert found and found[0].location.line == line and words in found[0].message, problems
    assert str(found[0].location).startswith(str(root / "causes.yaml"))


def test_validate_reports_the_causes_file_and_an_unknown_scenario(tmp_path, capsys):
    root = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    text = (root / "causes.yaml").read_text(encoding="utf-8")
    (root / "causes.yaml").write_text(text + "  returns_desk:\n    - {cause: other}\n", encoding="utf-8")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "causes.yaml:" in out and "no playbook for scenario 'returns_desk'" in out and "[unknown-scenario]" in out


def test_the_sku_and_supplier_come_from_the_case_s_facts_or_its_first_order_line():
    assert case_sku_supplier({"facts": {"sku": "K-1", "supplier": "Acme"}}) == ("K-1", "Acme")
    line = {"sku": "T-9", "name": "Tee", "quantity": 1, "supplier": "Hangzhou Textile"}
    assert case_sku_supplier({"facts": {"items": [line]}}) == ("T-9", "Hangzhou Textile")
    assert case_sku_supplier({"facts": {"items": [{"sku": "T-9", "name": "Tee", "quantity": 1}]}}) == ("T-9", None)
    assert case_sku_supplier({"facts": {}}) == (None, None)


def _tagged(n: int, scenario: str, facts: dict, saved: datetime) -> dict:
    record = synthetic_record(n, saved_at=saved)
    record.update(scenario=scenario, facts={**record["facts"], **facts}, computed={})
    return record


def test_the_store_counts_cases_per_cause_sku_and_supplier_in_a_period(tmp_path):
    jan, feb = datetime(2026, 1, 10, tzinfo=timezone.utc), datetime(2026, 2, 10, tzinfo=timezone.utc)
    lamp = {"items": [{"sku": "LAMP-77", "name": "Lamp", "quantity": 1, "supplier": "Ningbo Lighting"}]}
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        store.import_records([
            _tagged(1, "quality_defect", lamp, jan), _tagged(2, "quality_defect", lamp, feb),
            _tagged(3, "wrong_item", {"problem": "wrong_item"}, feb),
            _tagged(4, "quality_defect", {"inspection_finding": "handling_damage", **lamp}, feb)])
        assert store.get("C0000002").cause == "product_defect" and store.get("C0000002").supplier == "Ningbo Lighting"
        rows = store.cause_counts(since=datetime(2026, 2, 1, tzinfo=timezone.utc))
    assert sorted(rows, key=str) == sorted([("product_defect", "LAMP-77", "Ningbo Lighting", 1),
                                            ("picking_error", None, None, 1),
                                            ("handling_damage", "LAMP-77", "Ningbo Lighting", 1)], key=str)


def test_a_store_made_before_the_cause_columns_gets_them(tmp_path):
    path = tmp_path / "old.db"
    with CaseStore(f"sqlite:///{path}") as store:
        store.import_records([synthetic_record(1)])
    with sqlite3.connect(path) as conn:  # the table as an older version created it
        conn.execute("DROP INDEX ix_cases_follow_up")
        for column in ("cause", "sku", "supplier"):
            conn.execute(f"DROP INDEX IF EXISTS ix_cases_{column}")
            conn.execute(f"ALTER TABLE cases DROP COLUMN {column}")
    with CaseStore(f"sqlite:///{path}") as store:
        assert store.get("C0000001").cause is None  # an old case: not tagged until its next decision
        store.import_records([synthetic_record(2)])
        assert store.get("C0000002").cause == "product_defect"
        assert store.cause_counts() == [(None, None, None, 1), ("product_defect", None, None, 1)]
    with sqlite3.connect(path) as conn:  # and the follow-up list's index
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ix_cases_follow_up'").fetchone()


def test_a_broken_causes_file_never_loses_a_case(tmp_path, monkeypatch):
    root = tmp_path / "playbooks"
    shutil.copytree(default_playbooks_dir(), root)
    (root / "causes.yaml").write_text("causes: [1, 2\n", encoding="utf-8")
    monkeypatch.setenv("AFTERSALES_PLAYBOOKS", str(root))
    with pytest.raises(AftersalesError, match="causes table is not valid"):
        load_causes(root)
    with CaseStore(f"sqlite:///{tmp_path / 'c.db'}") as store:
        assert store.import_records([synthetic_record(7)]) == 1
        assert store.get("C0000007").cause is None


def test_the_catalogue_names_a_missing_supplier_and_its_mistakes_name_the_line(tmp_path):
    good = tmp_path / "catalogue.csv"
    good.write_text("SKU,Supplier,Price\nLAMP-77,Ningbo Lighting,12\nMUG-1,,3\n", encoding="utf-8")
    assert read_catalogue(good) == {"LAMP-77": "Ningbo Lighting"}
    report = cause_report([("product_defect", "LAMP-77", None, 3), ("product_defect", "LAMP-77", "Ningbo Lighting", 2)],
                          catalogue=read_catalogue(good), lang="zh")
    assert report.rows == [("product_defect", "LAMP-77", "Ningbo Lighting", 5)]
    assert report.by_supplier() == [("Ningbo Lighting", "产品质量问题", 5)]
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,supplier\nA,X\n,Y\n", encoding="utf-8")
    with pytest.raises(AftersalesError, match=r"bad.csv:3: the sku cell is empty"):
        read_catalogue(bad)
    (tmp_path / "nocol.csv").write_text("code,vendor\n", encoding="utf-8")
    with pytest.raises(AftersalesError, match="needs the columns sku and supplier; it has: code, vendor"):
        read_catalogue(tmp_path / "nocol.csv")


def test_cases_causes_on_the_command_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with CaseStore(url) as store:
        store.import_records(list(real_records()))
    assert main(["cases", "causes", "--db", url, "--lang", "ru", "--chart", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Обращения по причинам: {len(real_records())}") and "Брак товара" in out
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["cases", "causes", "--db", url, "--format", "json", "--since", "2030-01-01"]) == 0
    assert json.loads(capsys.readouterr().out) == {"since": "2030-01-01", "until": None, "total": 0, "rows": []}
    assert main(["cases", "causes", "--db", url, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "cause,cause_words,sku,supplier,cases"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == len(real_records())
    assert main(["cases", "causes", "--db", url, "--since", "2026-02-01", "--until", "2026-01-01"]) == 2
    assert "--until 2026-01-01 must be after --since 2026-02-01" in capsys.readouterr().err


def test_an_order_line_may_name_its_supplier_and_batch_but_nothing_else():
    from aftersales.engine import decide

    library = load_library()
    example, _where = library.playbook("quality_defect").examples[0]
    line = {"sku": "LAMP-77", "name": "Lamp", "quantity": 1, "supplier": " Ningbo Lighting ", "batch": "B-2407"}
    decision = decide("quality_defect", {**example.facts, "items": [line]}, example.platform, as_of=example.as_of)
    assert decision.facts["items"][0]["supplier"] == "Ningbo Lighting" and decision.facts["items"][0]["batch"] == "B-2407"


def test_the_causes_file_is_not_taken_for_a_scenario():
    assert "causes" not in load_library().playbooks
    assert Path(default_playbooks_dir() / "causes.yaml").is_file()
