"""aftersales diff, issue 16: nothing hidden (undecided cases counted by kind, a disabled platform in
one line, every changed let/branch/deadline listed in words), an approved baseline a CI gate
compares against, the impact report a manager reads and a chart whose axis counts cases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aftersales.diff import NEWLY_DECIDED, NEWLY_REFUSED, REFUSED_BOTH, diff_libraries
from aftersales.diff_report import impact_figure, markdown_report, moved_pairs, outcome_matrix

REPO = Path(__file__).resolve().parents[1]
SHIPPED = str(REPO / "playbooks")
HEADER = ("id,scenario,platform,order_id,order_value,currency,delivered_on,evidence_provided,category,"
          "size_deviation_cm,customer_preference,item_resaleable\n")


@pytest.fixture(autouse=True)
def _reload_each_time(monkeypatch):
    """A test edits its copy between two runs in one process: load the YAML again every time."""
    monkeypatch.setattr("aftersales.library.RECHECK_SECONDS", 0)


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "store" / "playbooks"
    shutil.copytree(REPO / "playbooks", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tolerance(copy: Path, cm: str) -> None:
    edit(copy / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 3", f"size_tolerance_cm:\n    value: {cm}")


def past(path: Path, count: int, *, platform: str = "taobao", extra: str = "") -> Path:
    """``count`` size cases at 2.5 cm with all-digit order ids (how Taobao and Ozon number orders)."""
    currency = "RUB" if platform == "ozon" else "CNY"
    rows = [f"p{i},size_mismatch,{platform},2026011200{i:03d},129,{currency},2026-01-12,true,apparel,2.5,exchange,true\n"
            for i in range(count)]
    path.write_text(HEADER + "".join(rows) + extra, encoding="utf-8")
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    from aftersales.cli import main

    code = main(["diff", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- 1. nothing hidden ------------------------------------------------------------------------------

def test_all_digit_order_ids_still_decide_and_move(copy, tmp_path):
    tolerance(copy, "2")
    report = diff_libraries(SHIPPED, str(copy), repo=REPO, cases_csv=past(tmp_path / "past.csv", 7))
    assert report.undecided == []
    moved = {c["case"]: c for c in report.moved}
    assert {f"p{i}" for i in range(7)} <= set(moved)
    assert moved["p0"]["old"]["outcome"] == "exchange_buyer_pays" and moved["p0"]["new"]["outcome"] == "exchange_seller_pays"


def test_a_row_with_order_value_abc_is_reported_not_dropped(copy, tmp_path, capsys):
    csv = past(tmp_path / "past.csv", 1, extra="bad,size_mismatch,taobao,42,abc,CNY,2026-01-12,true,apparel,2.5,"
                                              "exchange,true\n")
    report = diff_libraries(SHIPPED, str(copy), repo=REPO, cases_csv=csv)
    assert [(row["case"], row["kind"]) for row in report.undecided] == [("bad", REFUSED_BOTH)]
    assert "bad" in {c["case"] for c in report.cases}, "every row is a case of the report"
    code, out, err = run(capsys, SHIPPED, str(copy), "--cases", str(csv))
    assert code == 2 and "1 refused on both sides, 0 newly refused, 0 newly decided" in out
    assert "bad" in out and "order_value" in out and "--allow-undecided" in err


def test_newly_refused_and_newly_decided_are_counted_apart(copy):
    tolerance(copy, "4")  # 3.5 cm now conforms: the bank's size-001 reaches a question it has no answer for
    forward = diff_libraries(SHIPPED, str(copy), repo=REPO)
    assert {row["case"]: row["kind"] for row in forward.undecided}.get("size-001") == NEWLY_REFUSED
    backward = diff_libraries(str(copy), SHIPPED, repo=REPO)
    kinds = {row["case"]: row["kind"] for row in backward.undecided}
    assert kinds.get("size-001") == NEWLY_DECIDED
    assert all(case["fields"] for case in backward.cases if case["case"] in kinds), "a newly decided case is a change"


def test_a_missing_cases_file_is_one_line_exit_2(tmp_path, capsys):
    code, _out, err = run(capsys, "playbooks", "playbooks", "--cases", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv: no such cases file" in err and len(err.strip().splitlines()) == 1


def test_a_disabled_platform_is_one_line_and_nothing_is_printed_as_a_dict(capsys):
    code, out, _err = run(capsys, SHIPPED, SHIPPED, "--new-overlay", "fashion_house")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "changes working tree → working tree + overlay fashion_house:"
    summary = [line for line in lines if "disabled by overlay fashion_house:" in line]
    assert len(summary) == 1 and "cases no longer offered" in summary[0], out
    assert not any("ozon" in line for line in lines if line not in summary and "platform ozon disabled" not in line)
    assert "{" not in out and "'\"" not in out, "no raw dicts, no JSON in strings"
    assert "deadlines of " in out and "first reply 12 hours earlier" in out
    assert len(lines) < 40, "a summary a lead reads, not one line per case and field"


def test_every_changed_let_branch_reason_source_and_deadline_is_listed_in_words(copy):
    sizes = copy / "size_mismatch.yaml"
    edit(sizes, "conforms: size_conforms(size_deviation_cm, params.size_tolerance_cm)",
         "conforms: size_conforms(size_deviation_cm, 2 if category == 'footwear' else params.size_tolerance_cm)")
    edit(sizes, "      - when: not conforms\n        goto: quality_choice",
         "      - when: not conforms or size_deviation_cm > 10\n        goto: quality_choice")
    edit(sizes, "en: The deviation is within the tolerance; the size conforms to the listing.\n"
         "          zh: 偏差在误差范围内，尺码符合描述。\n          ru: Отклонение в пределах допуска; размер соответствует описанию.\n"
         "        source: seed 001",
         "en: Within our tolerance.\n"
         "          zh: 偏差在误差范围内，尺码符合描述。\n          ru: Отклонение в пределах допуска; размер соответствует описанию.\n"
         "        source: Store size policy §3")
    edit(sizes, "within: params.return_request_decision_h", "within: 48 hours")
    report = diff_libraries(SHIPPED, str(copy), repo=REPO)
    step = "size_mismatch: step 'Within the size tolerance?'"
    assert (f"{step}: computes conforms = size_conforms(size_deviation_cm, 2 if category == 'footwear' else "
            "params.size_tolerance_cm) (was size_conforms(size_deviation_cm, params.size_tolerance_cm))") in report.changes
    assert f"{step}: branch → quality_choice: condition 'not conforms' → 'not conforms or size_deviation_cm > 10'" \
        in report.changes
    assert (f"{step}: branch 'otherwise' → resale_check: reason 'The deviation is within the tolerance; the size "
            "conforms to the listing.' → 'Within our tolerance.'") in report.changes
    assert f"{step}: branch 'otherwise' → resale_check: source 'seed 001' → 'Store size policy §3'" in report.changes
    deadline = [c for c in report.changes if c.startswith("size_mismatch: deadline of outcome")]
    assert deadline and "48 hours" in deadline[0] and "return_request_decision_h" in deadline[0], report.changes
    assert not any("{" in change or '"' in change for change in report.changes), report.changes


# ---- 2. the approved baseline -----------------------------------------------------------------------

def test_a_baseline_passes_when_the_impact_is_the_approved_one_and_lists_what_differs(copy, tmp_path, capsys):
    tolerance(copy, "2")
    csv = past(tmp_path / "past.csv", 3)
    approved = tmp_path / "impact.json"
    code, _out, err = run(capsys, SHIPPED, str(copy), "--cases", str(csv), "--write-baseline", str(approved))
    assert code == 0 and "approved baseline" in err
    saved = json.loads(approved.read_text(encoding="utf-8"))
    assert saved["cases"]["p0"]["old"]["outcome"] == "exchange_buyer_pays"
    assert saved["cases"]["p0"]["new"] == {"status": "decided", "outcome": "exchange_seller_pays", "resolution": "exchange",
                                           "return_shipping_paid_by": "seller", "cost_borne_by": "seller",
                                           "compensation": None}
    assert any(c.startswith("size_tolerance_cm on taobao: 3 cm → 2 cm") for c in saved["changes"])

    code, _out, err = run(capsys, SHIPPED, str(copy), "--cases", str(csv), "--baseline", str(approved))
    assert code == 0 and "equals the approved baseline" in err, err

    edit(copy / "platforms" / "taobao.yaml", "size_tolerance_cm:\n    value: 2", "size_tolerance_cm:\n    value: 2.5")
    code, _out, err = run(capsys, SHIPPED, str(copy), "--cases", str(csv), "--baseline", str(approved))
    assert code == 1, err
    assert "differs from the approved baseline" in err
    assert "change not approved: size_tolerance_cm on taobao: 3 cm → 2.5 cm" in err
    assert "approved change no longer made: size_tolerance_cm on taobao: 3 cm → 2 cm" in err
    assert "case p0: approved as exchange_seller_pays" in err, "2.5 cm conforms again: the approved move is gone"


def test_a_baseline_that_is_missing_or_not_one_is_an_error(tmp_path, capsys):
    code, _out, err = run(capsys, SHIPPED, SHIPPED, "--baseline", str(tmp_path / "none.json"))
    assert code == 2 and "no such baseline file" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    code, _out, err = run(capsys, SHIPPED, SHIPPED, "--baseline", str(tmp_path / "bad.json"))
    assert code == 2 and "not a baseline" in err


# ---- 3. the report and the chart -------------------------------------------------------------------

def test_the_report_matrix_counts_each_old_new_pair(copy, tmp_path, capsys):
    tolerance(copy, "2")
    csv = past(tmp_path / "past.csv", 5)
    report = diff_libraries(SHIPPED, str(copy), repo=REPO, cases_csv=csv)
    rows, columns, counts = outcome_matrix(report, "size_mismatch")
    size_cases = [c for c in report.cases if c["scenario"] == "size_mismatch"]
    assert sum(counts.values()) == len(size_cases)
    moved = {(c["old"]["outcome"], c["new"]["outcome"]) for c in report.moved if c["scenario"] == "size_mismatch"}
    assert ("exchange_buyer_pays", "exchange_seller_pays") in moved
    # 5 past cases and the bank's own cases that moved the same way
    same_way = sum(1 for c in size_cases if (c["old"].get("outcome"), c["new"].get("outcome"))
                   == ("exchange_buyer_pays", "exchange_seller_pays"))
    assert counts[("exchange_buyer_pays", "exchange_seller_pays")] == same_way >= 5
    text = markdown_report(report)
    header = "| old \\ new | " + " | ".join(columns) + " | total |"
    assert header in text, text[:2000]
    row = next(line for line in text.splitlines() if line.startswith("| exchange_buyer_pays |") and "total" not in line)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1 + columns.index("exchange_seller_pays")] == str(same_way)
    assert int(cells[-1]) == sum(counts.get(("exchange_buyer_pays", col), 0) for col in columns)
    assert "Within the size tolerance?" in text and "seed 001" in text and "size_mismatch.yaml:" in text
    # money per outcome keeps its currency; CNY and RUB are never added together
    assert "| CNY |" in text and "CN¥" in text and "₽" in text

    page = tmp_path / "impact.html"
    code, _out, _err = run(capsys, SHIPPED, str(copy), "--cases", str(csv), "--report", str(page), "--chart",
                           str(tmp_path / "impact.png"))
    assert code == 1
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<table>" in html and "exchange_seller_pays" in html
    assert '<td id="r1">R1</td>' in html and '<a href="#r1">R1</a>' in html, "each moved case links to its rule"
    assert "Impact of working tree → store" in html
    assert (tmp_path / "impact.png").read_bytes().startswith(b"\x89PNG")
    run(capsys, SHIPPED, str(copy), "--cases", str(csv), "--report", str(tmp_path / "impact.md"))
    assert (tmp_path / "impact.md").read_text(encoding="utf-8").startswith("# Impact of working tree → store")


def test_the_chart_counts_cases_per_pair_and_its_axis_ends_at_the_largest(copy, tmp_path):
    tolerance(copy, "2")
    report = diff_libraries(SHIPPED, str(copy), repo=REPO, cases_csv=past(tmp_path / "past.csv", 12))
    pairs = moved_pairs(report)
    figure = impact_figure(report)
    axis = figure.axes[0]
    assert axis.get_ylim()[1] == max(pairs.values()) >= 12
    assert sorted(round(bar.get_height()) for bar in axis.patches) == sorted(pairs.values())
    assert axis.get_ylabel() == "number of cases"
    assert axis.get_title() == "Cases moved: working tree → store"
    import matplotlib.pyplot as plt

    plt.close(figure)


def test_a_value_dated_to_take_effect_later_is_listed_too(copy):
    profile = copy / "platforms" / "taobao.yaml"
    text = profile.read_text(encoding="utf-8")
    start = text.index("  size_tolerance_cm:\n")
    end = text.index("\n\n", start)
    profile.write_text(text[:start] + "  size_tolerance_cm:\n    values:\n      - value: 3\n        source: seed 001\n"
                       "        confidence: unverified\n        effective_from: unknown\n      - value: 2\n"
                       "        source: Store size policy 2031\n        confidence: high\n"
                       "        effective_from: 2031-01-01" + text[end:], encoding="utf-8")
    report = diff_libraries(SHIPPED, str(copy), repo=REPO)
    assert ("size_tolerance_cm on taobao: dated value 2 cm from 2031-01-01 added (source: Store size policy 2031)"
            in report.changes), report.changes


def test_diff_reads_a_real_export_through_the_same_mapping_as_replay(tmp_path: Path) -> None:
    """Issue 16, part 5: `diff --cases export.csv --map mapping.yaml`; rows the mapping refuses are listed."""
    import shutil

    from aftersales.diff import diff_libraries
    from aftersales.diff_report import text_lines

    new = tmp_path / "pb"
    shutil.copytree(REPO / "playbooks", new)
    taobao = new / "platforms" / "taobao.yaml"
    taobao.write_text(taobao.read_text(encoding="utf-8").replace("size_tolerance_cm:\n    value: 3",
                                                                 "size_tolerance_cm:\n    value: 2", 1), encoding="utf-8")
    report = diff_libraries(str(REPO / "playbooks"), str(new), repo=REPO, cases_csv=REPO / "examples" / "taobao-export.csv",
                            cases_map=REPO / "examples" / "taobao-mapping.yaml")
    moved = {row["case"] for row in report.impact}
    assert "TK-0002" in moved  # the 3 cm waist in the export moves with the 2 cm tolerance
    assert not [r for r in report.undecided if r["case"].startswith("TK-")]
    lines = "\n".join(text_lines(report))
    assert "not read: 3 row(s)" in lines and "row 8: scenario" in lines
