"""aftersales diff: changes in a lead's terms, and the cases they decide differently (a CI gate)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aftersales", "diff", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=180)


def test_a_tolerance_change_is_named_and_its_cases_make_the_gate_fail(copy, tmp_path):
    edit(copy / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 3", "size_tolerance_cm:\n    value: 2")
    result = diff(str(REPO / "playbooks"), str(copy), "--json", "--chart", str(tmp_path / "impact.png"))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert "size_tolerance_cm on taobao: 3 cm → 2 cm (source: seed 001)" in report["changes"]
    changed = {(row["case"], row["field"]) for row in report["impact"]}
    assert ("size-002", "outcome") in changed, "exactly 3.0 cm no longer conforms"
    assert report["checked"] >= 50
    assert (tmp_path / "impact.png").read_bytes().startswith(b"\x89PNG")


def test_a_message_or_branch_change_is_listed_and_without_impact_passes(copy):
    edit(copy / "size_mismatch.yaml", "We are checking this batch's measurements", "We re-measure this batch")
    edit(copy / "size_mismatch.yaml", "      - default: true\n        goto: resale_check",
         "      - when: size_deviation_cm > 150\n        goto: quality_choice\n"
         "        reason: {en: Absurd deviation, zh: 偏差异常, ru: Аномальное отклонение}\n"
         "      - default: true\n        goto: resale_check")
    result = diff(str(REPO / "playbooks"), str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "size_mismatch: message en for outcome 'exchange_seller_pays' changed" in result.stdout
    assert "size_mismatch: new branch 'Absurd deviation' in step" in result.stdout
    assert "impact: 0 of" in result.stdout


def test_git_revisions_work_as_sides(copy):
    result = diff("HEAD", str(copy))
    assert result.returncode == 0 and "no change to rules or messages" in result.stdout, result.stdout + result.stderr


def test_past_cases_from_a_csv_are_checked_too(copy, tmp_path):
    edit(copy / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 3", "size_tolerance_cm:\n    value: 4")
    csv = tmp_path / "past.csv"
    csv.write_text("id,scenario,platform,lang,order_value,currency,delivered_on,evidence_provided,category,"
                   "size_deviation_cm,customer_preference,item_resaleable\n"
                   "past-1,size_mismatch,taobao,en,129,CNY,2026-01-12,true,apparel,3.5,exchange,true\n", encoding="utf-8")
    result = diff(str(REPO / "playbooks"), str(copy), "--cases", str(csv), "--json")
    assert result.returncode == 1
    assert "past-1" in {row["case"] for row in json.loads(result.stdout)["impact"]}


def test_a_side_that_is_neither_folder_nor_revision_is_one_line():
    result = diff("no-such-revision", "playbooks")
    assert result.returncode == 2 and "neither a playbooks folder nor a git revision" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
