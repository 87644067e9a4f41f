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
    edit(copy / "size_mismatch.yaml", "we are sorry: the item differs from the listed size",
         "we apologise: the item differs from the listed size")
    edit(copy / "size_mismatch.yaml", "    reply_kind: apology  # beyond", "    reply_kind: general  # beyond")
    edit(copy / "size_mismatch.yaml", "      - default: true\n        goto: resale_check",
         "      - when: size_deviation_cm > 150\n        goto: quality_choice\n"
         "        reason: {en: Absurd deviation, zh: 偏差异常, ru: Аномальное отклонение}\n"
         "      - default: true\n        goto: resale_check")
    result = diff(str(REPO / "playbooks"), str(copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "size_mismatch: message en for outcome 'exchange_seller_pays' changed" in result.stdout
    assert "size_mismatch: reply kind of outcome 'exchange_seller_pays': apology → general" in result.stdout
    assert "size_mismatch: new branch 'Absurd deviation' in step" in result.stdout
    assert "impact: 0 of" in result.stdout


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, timeout=60)


def test_git_revisions_work_as_sides(tmp_path):
    """Sides are revisions of a throwaway repository with two commits: independent of this
    repository's own history and of uncommitted changes in it."""
    from aftersales.diff import diff_libraries

    repo = tmp_path / "repo"
    shutil.copytree(REPO / "playbooks", repo / "playbooks")
    git(repo, "init", "-q")
    git(repo, "add", "playbooks")
    git(repo, "commit", "-q", "-m", "as shipped")
    edit(repo / "playbooks" / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 3",
         "size_tolerance_cm:\n    value: 2")
    git(repo, "commit", "-q", "-am", "2 cm")
    report = diff_libraries("HEAD~1", "HEAD", repo=repo)
    assert report.title == "HEAD~1 → HEAD"
    assert any(c.startswith("size_tolerance_cm on taobao: 3 cm → 2 cm") for c in report.changes), report.changes
    assert "size-002" in {row["case"] for row in report.impact}
    same = diff_libraries("HEAD", str(repo / "playbooks"), repo=repo)
    assert same.changes == [] and same.impact == [] and same.title == "HEAD → working tree"


def test_past_cases_from_a_csv_are_checked_too(copy, tmp_path):
    edit(copy / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 3", "size_tolerance_cm:\n    value: 4")
    csv = tmp_path / "past.csv"
    csv.write_text("id,scenario,platform,lang,order_value,currency,delivered_on,evidence_provided,category,"
                   "size_deviation_cm,customer_preference,item_resaleable\n"
                   "past-1,size_mismatch,taobao,en,129,CNY,2026-01-12,true,apparel,3.5,exchange,true\n", encoding="utf-8")
    result = diff(str(REPO / "playbooks"), str(copy), "--cases", str(csv), "--json")
    assert result.returncode == 2, "two bank cases at 3.5 cm now reach a question they have no answer for"
    undecided = {row["case"]: row["new"] for row in json.loads(result.stdout)["undecided"]}
    assert "item_resaleable" in undecided["size-001"] and "missing" in undecided["size-001"]
    result = diff(str(REPO / "playbooks"), str(copy), "--cases", str(csv), "--json", "--allow-undecided")
    assert result.returncode == 1
    assert "past-1" in {row["case"] for row in json.loads(result.stdout)["impact"]}


def test_a_side_that_is_neither_folder_nor_revision_is_one_line():
    result = diff("no-such-revision", "playbooks")
    assert result.returncode == 2 and "neither a playbooks folder nor a git revision" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# ---- issue 11: every past case is decided on both sides, or counted and listed as undecided ------

PAST_HEADER = ("id,scenario,platform,order_id,order_value,currency,delivered_on,evidence_provided,category,"
               "size_deviation_cm,customer_preference,item_resaleable\n")


def past_cases(path: Path, count: int, extra: str = "") -> Path:
    """``count`` Taobao size cases at 2.5 cm, each with an all-digit order id (how Taobao numbers orders)."""
    rows = [f"p{i},size_mismatch,taobao,2026011200{i:03d},129,CNY,2026-01-12,true,apparel,2.5,exchange,true\n"
            for i in range(count)]
    path.write_text(PAST_HEADER + "".join(rows) + extra, encoding="utf-8")
    return path


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    from aftersales.cli import main

    code = main(["diff", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_past_cases_with_all_digit_order_ids_all_move_with_the_tolerance(copy, tmp_path, capsys):
    edit(copy / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 3", "size_tolerance_cm:\n    value: 2")
    csv = past_cases(tmp_path / "past.csv", 100)
    code, out, err = run_main(capsys, str(REPO / "playbooks"), str(copy), "--cases", str(csv), "--json")
    assert code == 1, err
    report = json.loads(out)
    moved = {row["case"] for row in report["impact"] if row["field"] == "outcome"}
    assert {f"p{i}" for i in range(100)} <= moved, "2.5 cm was within 3 cm and is beyond 2 cm"
    assert report["undecided"] == [] and report["cases"] == report["checked"]


def test_a_case_that_cannot_be_decided_is_listed_and_exits_2_unless_allowed(copy, tmp_path, capsys):
    csv = past_cases(tmp_path / "past.csv", 2,
                     extra="bad,size_mismatch,taobao,42,abc,CNY,2026-01-12,true,apparel,2.5,exchange,true\n")
    code, out, err = run_main(capsys, str(REPO / "playbooks"), str(copy), "--cases", str(csv))
    assert code == 2, "an undecided case makes the gate fail as an error, never pass as unchanged"
    assert "undecided: 1 of" in out and "bad " in out and "order_value" in out and "--allow-undecided" in err
    code, out, _err = run_main(capsys, str(REPO / "playbooks"), str(copy), "--cases", str(csv), "--allow-undecided",
                               "--json")
    report = json.loads(out)
    assert code == 0 and [row["case"] for row in report["undecided"]] == ["bad"]
    assert report["undecided"][0]["old"].startswith("refused: fact 'order_value'")


def test_a_missing_cases_file_is_one_line_and_exit_2(tmp_path, capsys):
    code, _out, err = run_main(capsys, "playbooks", "playbooks", "--cases", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv: no such cases file" in err and len(err.strip().splitlines()) == 1


def test_a_fact_only_the_new_version_knows_is_left_out_on_the_old_side_but_a_typo_is_refused(copy, tmp_path, capsys):
    edit(copy / "size_mismatch.yaml", "inputs:\n", "inputs:\n  gift_wrapped:\n    type: bool\n    required: false\n"
         "    default: false\n    label: {en: Gift wrapped, zh: 礼品包装, ru: Подарочная упаковка}\n")
    csv = past_cases(tmp_path / "past.csv", 1).read_text(encoding="utf-8").splitlines()
    header, row = csv[0], csv[1]
    (tmp_path / "new.csv").write_text(f"{header},gift_wrapped\n{row},true\n", encoding="utf-8")
    (tmp_path / "typo.csv").write_text(f"{header},gift_wraped\n{row},true\n", encoding="utf-8")
    code, out, err = run_main(capsys, str(REPO / "playbooks"), str(copy), "--cases", str(tmp_path / "new.csv"), "--json")
    assert code == 0 and json.loads(out)["undecided"] == [], err
    code, out, _err = run_main(capsys, str(REPO / "playbooks"), str(copy), "--cases", str(tmp_path / "typo.csv"), "--json")
    assert code == 2 and "unknown fact" in json.loads(out)["undecided"][0]["new"]
