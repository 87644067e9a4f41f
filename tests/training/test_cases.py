"""The case bank (playbooks/cases/*.yaml): complete, decided by the engine, and guarded.

Every practice case's ``expected`` decision is written by the engine; these tests check that the
real bank agrees with the playbooks, that it covers what the issue asks for (10+ cases per
scenario, every platform, language and difficulty, the seed traps), and that a hand-edited
expectation, a typo, a duplicate id or a fact the engine rejects is reported where it is.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.errors import PlaybookError, UnknownNameError
from aftersales.library import load_library
from aftersales.training.cases import (
    MIN_CASES_PER_SCENARIO,
    case_problems,
    cases_root,
    compute_expected,
    get_case,
    load_cases,
    refresh_expectations,
    trap_texts,
)
from aftersales.training.cases_cli import add_train_parser, run_train

PLATFORMS = {"amazon", "ozon", "taobao", "generic"}
LANGS = {"en", "zh", "ru"}


@pytest.fixture(scope="module")
def library():
    return load_library()




def edit_text(text: str, case_id: str, old: str, new: str) -> tuple[str, int]:
    """Replace the first ``old`` after ``- id: case_id``; return the text and the 1-based line edited."""
    lines = text.split("\n")
    start = lines.index(f"  - id: {case_id}")
    for index in range(start, len(lines)):
        if old in lines[index]:
            lines[index] = lines[index].replace(old, new, 1)
            return "\n".join(lines), index + 1
    raise AssertionError(f"{old!r} not found in case {case_id}")


def edit_case(path: Path, case_id: str, old: str, new: str) -> int:
    """Edit ``path`` as :func:`edit_text` does; return the line edited."""
    text, line = edit_text(path.read_text(encoding="utf-8"), case_id, old, new)
    path.write_text(text, encoding="utf-8")
    return line


def codes(problems) -> list[str]:
    return [p.code for p in problems]


# --- the real bank ------------------------------------------------------------------------------

def test_the_real_bank_has_no_problems(library):
    problems = case_problems(library=library)
    assert problems == [], "\n".join(map(str, problems))


def test_every_scenario_has_at_least_ten_cases(cases, library):
    counts = Counter(case.scenario for case in cases)
    assert set(counts) == set(library.scenarios)
    assert all(count >= MIN_CASES_PER_SCENARIO for count in counts.values()), counts
    assert sum(counts.values()) >= 55


@pytest.mark.parametrize("scenario", ["quality_defect", "wrong_item", "size_mismatch", "claim", "bad_review",
                                      "change_of_mind", "service_complaint", "recall", "refund_only"])
def test_each_scenario_spreads_over_platforms_languages_and_difficulties(cases, scenario):
    mine = [case for case in cases if case.scenario == scenario]
    assert {case.platform for case in mine} == PLATFORMS
    assert {case.lang for case in mine} == LANGS
    assert {case.difficulty for case in mine} == {1, 2, 3}


def test_ids_are_unique_and_carry_their_scenario(cases):
    prefixes = {"quality_defect": "quality", "wrong_item": "wrong", "size_mismatch": "size", "claim": "claim",
                "bad_review": "review", "change_of_mind": "mind", "service_complaint": "service",
                "recall": "recall", "refund_only": "refund"}
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids))
    for case in cases:
        assert re.fullmatch(rf"{prefixes[case.scenario]}-\d{{3}}", case.id), case.id


def test_stored_expectations_are_the_engines(cases, library):
    for case in cases:
        stored = case.expected.model_dump()
        stored["deadlines"] = {name: due.isoformat() for name, due in case.expected.deadlines.items()}
        assert stored == compute_expected(case, library), case.id


# --- the seed traps, one case each (DOMAIN.md) ----------------------------------------------------

TRAPS = [
    # (case, outcome, what makes it the trap)
    ("size-001", "exchange_seller_pays", "3.5 cm is beyond the 3 cm tolerance: a quality problem, the seller pays"),
    ("size-002", "return_buyer_pays", "exactly 3.0 cm conforms: a no-reason return, the buyer pays"),
    ("size-004", "reject_not_resaleable", "tags cut: no return without a reason"),
    ("claim-001", "wait_for_delivery", "a refund asked while the parcel is in transit: ask the buyer to wait"),
    ("claim-002", "intercept_parcel", "in transit and the buyer will not wait: the courier returns it"),
    ("claim-005", "dispute_with_proof", "a claim past its 48 h response window is overdue, not granted: dispute it with the proof at once"),
    ("claim-006", "claim_lost", "the buyer's message unanswered 72 h got the claim granted; without evidence it is lost"),
    ("review-001", "request_removal", "a product review only about the courier can be reported on Amazon"),
    ("quality-001", "offer_partial_refund", "a minor defect: the offer stays below the return shipping"),
    ("quality-002", "offer_partial_refund", "for an exchange the offer stays below the shipping both ways"),
]


@pytest.mark.parametrize(("case_id", "outcome", "sentence"), TRAPS)
def test_trap_case(case_id, outcome, sentence, library):
    case = get_case(case_id)
    assert case.traps, f"{case_id} names no trap"
    assert case.expected.outcome == outcome, sentence
    assert compute_expected(case, library)["outcome"] == outcome, sentence


def test_trap_3_0_versus_3_5_cm():
    conforming, beyond = get_case("size-002"), get_case("size-001")
    assert conforming.facts["size_deviation_cm"] == 3.0 and conforming.expected.return_shipping_paid_by == "buyer"
    assert beyond.facts["size_deviation_cm"] == 3.5 and beyond.expected.return_shipping_paid_by == "seller"


def test_trap_tags_cut():
    case = get_case("size-004")
    assert case.facts["item_resaleable"] is False and case.facts["size_deviation_cm"] <= 3
    assert "tags cut" in " ".join(trap_texts(case, "en")).lower()


def test_trap_refund_while_in_transit():
    for case_id in ("claim-001", "claim-002"):
        case = get_case(case_id)
        assert case.facts["shipped"] is True and case.facts["in_transit"] is True
        assert "transit_wait" in case.expected.path
    assert get_case("claim-001").expected.resolution == "wait"


def test_trap_claim_past_its_response_window():
    # issue 12: time alone never grants a claim; only the platform's word or the 72 h contact rule does
    overdue, lost = get_case("claim-005"), get_case("claim-006")
    for case in (overdue, lost):
        assert case.platform == "amazon"
        opened = datetime.fromisoformat(case.facts["claim_opened_on"])
        assert case.as_of - opened > timedelta(hours=48)  # Amazon: answer within 48 h
        assert case.facts["claim_granted_by_platform"] is False
    assert "appeal_check" not in overdue.expected.path and overdue.expected.cost_borne_by == "none"
    assert overdue.expected.deadlines["claim_response"] < overdue.as_of  # shown overdue, not "open"
    contacted = datetime.fromisoformat(lost.facts["buyer_contacted_at"])
    assert lost.facts["buyer_contact_unanswered"] is True and lost.as_of - contacted > timedelta(hours=72)
    assert "timing" in lost.expected.path and lost.expected.cost_borne_by == "seller"


def test_trap_review_only_about_the_courier():
    amazon = get_case("review-001")
    assert amazon.facts["about"] == "shipping" and amazon.expected.resolution == "request_removal"
    taobao = get_case("review-002")  # the same complaint is no removal ground on Taobao
    assert taobao.facts["about"] == "shipping" and taobao.expected.outcome == "contact_and_solve"


@pytest.mark.parametrize(("case_id", "shipping_saved", "offer"), [
    ("quality-001", 12, 10),    # return shipping 12 -> offer 10 (seed 001)
    ("quality-002", 24, 20),    # exchange, both ways 24 -> offer 20 (seed 001)
    ("quality-003", 6, 4.99),   # a small shipping cost still caps the offer
])
def test_trap_minor_defect_offer_stays_below_shipping(case_id, shipping_saved, offer):
    case = get_case(case_id)
    assert case.facts["defect_severity"] == "minor"
    assert case.expected.compensation.amount == pytest.approx(offer)
    assert case.expected.compensation.amount < shipping_saved
    assert case.expected.return_shipping_paid_by == "none"


# --- a broken bank is reported where it is broken -----------------------------------------------

def test_hand_edited_expectation_fails_with_its_line(bank, library):
    line = edit_case(bank / "size_mismatch.yaml", "size-002", "outcome: return_buyer_pays", "outcome: refund_seller_pays")
    problems = case_problems(bank, library)
    assert codes(problems) == ["expected"]
    problem = problems[0]
    assert problem.location.file.endswith("size_mismatch.yaml")
    assert problem.location.line == line
    assert "expected.outcome 'refund_seller_pays' but the playbook decides 'return_buyer_pays'" in problem.message
    assert re.match(rf".*size_mismatch\.yaml:{line}:\d+: expected\.outcome", str(problem))


def test_hand_edited_deadline_and_compensation_fail(bank, library):
    deadline_line = edit_case(bank / "quality_defect.yaml", "quality-001", 'first_reply: "2026-01-16T17:00:00+08:00"',
                              'first_reply: "2026-01-17T09:00:00+00:00"')
    amount_line = edit_case(bank / "quality_defect.yaml", "quality-001", "amount: 10,", "amount: 12,")
    problems = case_problems(bank, library)
    by_line = {p.location.line: p.message for p in problems}
    assert codes(problems) == ["expected", "expected"]
    assert "expected.deadlines.first_reply '2026-01-17T09:00:00+00:00' but the playbook decides" in by_line[deadline_line]
    assert "expected.compensation.amount 12.0 but the playbook decides 10.0" in by_line[amount_line]


def test_unknown_key_gets_a_did_you_mean(bank, library):
    line = edit_case(bank / "claim.yaml", "claim-004", "opening_message:", "opening_mesage:")
    problems = case_problems(bank, library)
    schema = [p for p in problems if p.code == "schema"]
    assert any("unknown key 'opening_mesage' (did you mean 'opening_message'?)" in p.message and p.location.line == line
               for p in schema), problems
    with pytest.raises(PlaybookError) as raised:
        load_cases(bank)
    assert any("did you mean 'opening_message'" in p.message for p in raised.value.problems)


def test_duplicate_id_is_reported_at_the_second(bank, library):
    line = edit_case(bank / "wrong_item.yaml", "wrong-002", "id: wrong-002", "id: wrong-001")
    problems = [p for p in case_problems(bank, library) if p.code == "duplicate-id"]
    assert len(problems) == 1
    assert problems[0].location.line == line and "duplicate case id 'wrong-001'" in problems[0].message


def test_a_fact_the_engine_rejects_is_located(bank, library):
    line = edit_case(bank / "size_mismatch.yaml", "size-001", "size_deviation_cm: 3.5", "size_deviaton_cm: 3.5")
    problems = {p.code: p for p in case_problems(bank, library)}
    assert set(problems) == {"fact", "replies"}  # the buyer's words about it now name no fact either
    assert problems["fact"].location.line == line
    assert "unknown fact" in problems["fact"].message and "did you mean 'size_deviation_cm'" in problems["fact"].message
    assert "replies: 'size_deviation_cm' is not a fact of this case (did you mean 'size_deviaton_cm'?)" \
        in problems["replies"].message


def test_facts_that_leave_a_question_unanswered(bank, library):
    edit_case(bank / "quality_defect.yaml", "quality-001", "customer_accepts_partial_refund: null", "customer_name: Lin")
    problems = {p.code: p for p in case_problems(bank, library)}
    assert set(problems) == {"incomplete-facts", "replies"}  # the buyer's words about it name no fact now
    assert "customer_accepts_partial_refund" in problems["incomplete-facts"].message
    assert "replies: 'customer_accepts_partial_refund' is not a fact of this case" in problems["replies"].message


def test_unknown_platform_and_mislabelled_language(bank, library):
    edit_case(bank / "wrong_item.yaml", "wrong-002", "platform: amazon", "platform: amazn")
    edit_case(bank / "wrong_item.yaml", "wrong-001", "lang: zh", "lang: ru")
    problems = case_problems(bank, library)
    messages = {p.code: p.message for p in problems}
    assert "unknown platform 'amazn' (did you mean 'amazon'?)" in messages["unknown-platform"]
    language = [p.message for p in problems if p.code == "language"]
    assert "opening_message does not look like 'ru'" in language
    assert "replies: 'customer_preference' is not written in 'ru', the buyer's language" in language


def test_a_file_for_an_unknown_scenario(bank, library):
    text = (bank / "claim.yaml").read_text(encoding="utf-8").replace("scenario: claim", "scenario: claims", 1)
    (bank / "claims.yaml").write_text(text.replace("- id: claim-", "- id: claims-"), encoding="utf-8")
    messages = {p.code: p.message for p in case_problems(bank, library)}
    assert "unknown scenario 'claims' (did you mean 'claim'?)" in messages["unknown-scenario"]


def test_too_few_cases_and_missing_expectation(tmp_path, library):
    folder = tmp_path / "cases"
    folder.mkdir()
    text = (cases_root() / "claim.yaml").read_text(encoding="utf-8")
    first_case = text.split("\n\n  - id: claim-002")[0]
    without_expected = first_case.split("    expected:")[0]
    (folder / "claim.yaml").write_text(without_expected, encoding="utf-8")
    problems = case_problems(folder, library)
    found = set(codes(problems))
    assert {"too-few-cases", "missing-expected"} <= found
    assert any("scenario 'claim' has 1 practice case(s)" in p.message for p in problems)
    assert any("scenario 'size_mismatch' has 0 practice case(s)" in p.message for p in problems)


# --- refresh: the engine writes the expectations ------------------------------------------------

def test_refresh_restores_a_tampered_expectation_and_keeps_the_rest(bank, library):
    path = bank / "size_mismatch.yaml"
    original = path.read_text(encoding="utf-8")
    edit_case(path, "size-002", "outcome: return_buyer_pays", "outcome: refund_seller_pays")
    edit_case(path, "size-002", "path: [intake", "path: [intake, tolerance")
    note = "    # a lead's note about this case, kept by refresh"
    edit_case(path, "size-002", "    source: [seed 001]", f"{note}\n    source: [seed 001]")
    assert case_problems(bank, library)

    assert refresh_expectations(bank, library) == ["size-002"]

    refreshed = path.read_text(encoding="utf-8")
    assert refreshed == edit_text(original, "size-002", "    source: [seed 001]", f"{note}\n    source: [seed 001]")[0]
    assert note in refreshed and "# --- the tolerance: 3.0 cm conforms" in refreshed
    assert case_problems(bank, library) == []
    assert refresh_expectations(bank, library) == []


def test_refresh_writes_a_missing_expectation(bank, library):
    path = bank / "wrong_item.yaml"
    original = path.read_text(encoding="utf-8")
    block = re.search(r"\n    expected:\n(?:      .*\n)+", original.split("  - id: wrong-001")[1]).group(0)
    path.write_text(original.replace(block, "\n", 1), encoding="utf-8")
    assert "missing-expected" in codes(case_problems(bank, library))
    assert refresh_expectations(bank, library) == ["wrong-001"]
    assert path.read_text(encoding="utf-8") == original


def test_refresh_rewrites_a_malformed_expectation(bank, library):
    path = bank / "claim.yaml"
    original = path.read_text(encoding="utf-8")
    line = edit_case(path, "claim-003", "resolution: wait", "resolutoin: wait")
    problems = case_problems(bank, library)
    assert [(p.code, p.location.line) for p in problems if "resolutoin" in p.message] == [("schema", line)]
    assert "did you mean 'resolution'" in str(problems)
    assert refresh_expectations(bank, library) == ["claim-003"]
    assert path.read_text(encoding="utf-8") == original


def test_refresh_writes_nothing_when_a_case_cannot_be_decided(bank, library):
    path = bank / "size_mismatch.yaml"
    edit_case(path, "size-002", "outcome: return_buyer_pays", "outcome: refund_seller_pays")
    edit_case(path, "size-001", "size_deviation_cm: 3.5", "size_deviation_cm: -4")
    before = path.read_text(encoding="utf-8")
    with pytest.raises(PlaybookError, match="size_deviation_cm"):
        refresh_expectations(bank, library)
    assert path.read_text(encoding="utf-8") == before


# --- the command line ---------------------------------------------------------------------------

def train(capsys, *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="aftersales")
    add_train_parser(parser.add_subparsers(dest="command"))
    assert run_train(parser.parse_args(["train", *argv])) == 0
    return capsys.readouterr().out


def test_train_list_is_one_case_per_line_id_scenario_platform_difficulty(capsys, cases):
    lines = train(capsys, "list").splitlines()
    assert len(lines) == len(cases)
    for line, case in zip(lines, cases, strict=False):
        assert line.split() == [case.id, case.scenario, case.platform, str(case.difficulty)]
    only = train(capsys, "list", "--scenario", "claim").splitlines()
    assert only and all(line.split()[1] == "claim" for line in only)


def test_train_show_hides_the_facts_without_reveal(capsys):
    case = get_case("size-002")
    hidden = train(capsys, "show", "size-002")
    assert case.title["en"] in hidden and case.opening_message in hidden
    assert "taobao" in hidden and "difficulty: 2" in hidden
    for secret in ("size_deviation_cm", "item_resaleable", "return_buyer_pays", "Traps"):
        assert secret not in hidden
    revealed = train(capsys, "show", "size-002", "--reveal", "--lang", "zh")
    assert case.title["zh"] in revealed
    for secret in ("size_deviation_cm: 3.0", "item_resaleable: true", "outcome: return_buyer_pays", "Traps"):
        assert secret in revealed


def test_train_show_unknown_id_says_did_you_mean(capsys):
    parser = argparse.ArgumentParser(prog="aftersales")
    add_train_parser(parser.add_subparsers(dest="command"))
    with pytest.raises(UnknownNameError, match="unknown case 'size_002' \\(did you mean 'size-002'\\?\\)"):
        run_train(parser.parse_args(["train", "show", "size_002"]))


def test_train_refresh_on_an_up_to_date_bank(capsys, bank):
    out = train(capsys, "--cases", str(bank), "refresh")
    assert "every expectation agrees with the playbooks" in out
