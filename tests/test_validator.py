"""Every class of playbook problem, shown with a broken copy of a real playbook.

Each case edits one snippet of playbooks/size_mismatch.yaml in a temporary copy of the
playbooks folder and checks that ``validate`` reports it with the right code, on the line
of the edit, with a helpful message.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aftersales.validation import validate_paths

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS = REPO / "playbooks"
BASE = "size_mismatch.yaml"


@pytest.fixture()
def library_copy(tmp_path: Path) -> Path:
    root = tmp_path / "playbooks"
    shutil.copytree(PLAYBOOKS, root)
    return root


def validate_edit(root: Path, old: str, new: str, count: int = 1, at: str | None = None) -> tuple[list, int]:
    """Replace ``old`` by ``new`` in the base playbook; return the problems and the expected line.

    The expected line is the edit's first line, or the line of the ``at`` snippet after the edit.
    """
    path = root / BASE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"snippet not found: {old!r}"
    line = text[: text.index(old)].count("\n") + 1
    text = text.replace(old, new, count)
    if at is not None:
        assert at in text, f"snippet not found: {at!r}"
        line = text[: text.index(at)].count("\n") + 1
    path.write_text(text, encoding="utf-8")
    problems, _ = validate_paths([path], root)
    return problems, line


def codes(problems: list) -> set[str]:
    return {p.code for p in problems}


def test_the_unbroken_library_is_valid(library_copy: Path) -> None:
    problems, checked = validate_paths([], library_copy)
    assert problems == []
    assert checked >= 5


TOLERANCE_BRANCHES = """      - when: not conforms
        goto: quality_choice
        reason:
          en: The deviation is beyond the tolerance, so it counts as a quality problem.
          zh: 偏差超出误差范围，属于质量问题。
          ru: Отклонение больше допуска — это брак.
        source: seed 001
      - default: true
        goto: resale_check
"""

CASES = [
    pytest.param('    title: {en: "Within the size tolerance?"', '    titel: {en: "Within the size tolerance?"', "schema",
                 "unknown key 'titel' (did you mean 'title'?)", id="an unknown key gets a did-you-mean"),
    pytest.param("    max: 200\n", "    max: lots\n", "schema", "max", id="a wrong type names the field"),
    pytest.param("size_conforms(size_deviation_cm, params.size_tolerance_cm)",
                 "size_conforms(size_deviaton_cm, params.size_tolerance_cm)", "unknown-fact",
                 "unknown fact 'size_deviaton_cm' (did you mean 'size_deviation_cm'?)", id="a misspelt fact"),
    pytest.param("params.size_tolerance_cm)\n", "params.size_tolerence_cm)\n", "unknown-parameter",
                 "did you mean 'size_tolerance_cm'", id="a misspelt parameter"),
    pytest.param("size_conforms(size_deviation_cm, params.size_tolerance_cm)",
                 "size_conform(size_deviation_cm, params.size_tolerance_cm)", "expression",
                 "unknown function 'size_conform'", id="an unknown function"),
    pytest.param("size_conforms(size_deviation_cm, params.size_tolerance_cm)", "size_conforms(size_deviation_cm)",
                 "arguments", "bad arguments for size_conforms", id="a call with missing arguments"),
    pytest.param("      - when: not conforms\n", "      - when: not (conforms\n", "expression", "syntax error",
                 id="an expression syntax error"),
    pytest.param("      - when: not conforms\n", "      - when: conforms.__class__\n", "expression",
                 "attribute access is only allowed", id="an attribute escape is refused"),
    pytest.param("      - when: not conforms\n", "      - when: size_deviation_cm ** 99 > 1\n", "expression",
                 "'**' is not allowed", id="the power operator is refused"),
    pytest.param("        goto: quality_choice\n", "        goto: quality_choise\n", "dangling",
                 "did you mean 'quality_choice'", id="a dangling goto"),
    pytest.param("    ask: [item_resaleable, return_terms_given, ordered_on]\n",
                 "    ask: [item_resalable, return_terms_given, ordered_on]\n", "unknown-input",
                 "unknown input 'item_resalable'", id="asking an undeclared input"),
    pytest.param("      - default: true\n        goto: exchange_seller_pays\n",
                 "      - default: true\n        goto: tolerance\n", "cycle", "cycle: tolerance", id="a cycle"),
    pytest.param("      - when: customer_preference == 'refund'\n        goto: return_buyer_pays\n",
                 "      - when: customer_preference == 'refund'\n        goto: refund_seller_pays\n", "unreachable",
                 "outcome 'return_buyer_pays' can never be reached", id="an unreachable outcome",
                 marks=pytest.mark.at("  return_buyer_pays:\n")),
    pytest.param("      - default: true\n        goto: size_advice\n", "", "dead-end",
                 "cannot be shown to cover every case", id="branches without a default that do not cover",
                 marks=pytest.mark.at("    branches:\n      - when: customer_preference == 'exchange'\n        goto: exchange_buyer_pays")),
    pytest.param("      - when: not conforms\n", "      - when: size_deviation_cm <= 3\n        goto: resale_check\n"
                 "      - when: size_deviation_cm >= 3\n", "overlap", "overlap on 'size_deviation_cm' for values = 3",
                 id="numeric branches that overlap at the boundary",
                 marks=pytest.mark.at("      - when: size_deviation_cm >= 3\n")),
    pytest.param(TOLERANCE_BRANCHES,
                 "      - when: size_deviation_cm > 3.01\n        goto: quality_choice\n"
                 "      - when: size_deviation_cm <= 3\n        goto: resale_check\n", "gap",
                 "no branch covers 'size_deviation_cm' (3, 3.01]", id="numeric branches with a gap and no default",
                 marks=pytest.mark.at("      - when: size_deviation_cm > 3.01")),
    pytest.param("      - when: customer_preference == 'refund'\n        goto: return_buyer_pays\n",
                 "      - when: customer_preference == 'exchange'\n        goto: return_buyer_pays\n", "never-taken",
                 "can never be taken", id="a branch that earlier branches already cover"),
    pytest.param("    title: {en: \"Wait for delivery\", zh: \"等待签收\", ru: \"Дождаться доставки\"}",
                 "    title: {en: \"Wait for delivery\", zh: \"等待签收\"}", "missing-language",
                 "missing language(s): ru", id="an outcome title missing a language"),
    pytest.param("    sources: [seed 001]\n  ask_for_measurement:", "    sources: [seed 001]\n  ask_for_measurement:\n"
                 "    oops: [", "yaml", "YAML syntax error", id="a YAML syntax error is located",
                 marks=pytest.mark.at('    title: {en: "Ask for a photo of the measurement"')),
    pytest.param("  - id: low_price_check\n", "  - id: quality_choice\n", "duplicate-id", "duplicate id 'quality_choice'",
                 id="a duplicate step id"),
    pytest.param("we are sorry: the item differs", "we are sorry {{ : the item differs", "template",
                 "message template (en)", id="a template syntax error"),
    pytest.param("      - when: remote_region and item_value", "      - when: return_eligible and remote_region and item_value",
                 "undefined-on-path", "'return_eligible' is not defined on every path", id="a let-value used before it is set"),
    pytest.param("    expect: {outcome: exchange_seller_pays, resolution: exchange, return_shipping_paid_by: seller}",
                 "    expect: {outcome: refund_seller_pays, resolution: exchange, return_shipping_paid_by: seller}",
                 "example", "expected 'refund_seller_pays', got 'exchange_seller_pays'", id="an example that disagrees",
                 marks=pytest.mark.at("  - name: A Taobao dress 3.5 cm")),
    pytest.param("    default: false\n    required: false\n", "    default: maybe\n    required: false\n", "type",
                 "default does not fit the input", id="a default of the wrong type"),
    pytest.param("      - default: true\n        goto: resale_check\n",
                 "      - default: true\n        when: conforms\n        goto: resale_check\n", "branch",
                 "exactly one of 'when: CONDITION' or 'default: true'", id="a branch with both when and default"),
    pytest.param("      conforms: size_conforms(", "      category: size_conforms(", "shadow",
                 "would hide the input", id="a let that hides an input"),
    pytest.param("within: params.reply_deadline_h", "within: soon", "duration",
                 "'within' must be 'params.NAME' or an amount and unit", id="a deadline without a duration"),
    pytest.param("within: params.reply_deadline_h", "within: params.size_tolerance_cm", "unit",
                 "is in cm, not a duration", id="a deadline counted in centimetres"),
    pytest.param("include: [common]", "include: [commons]", "include", "included input set 'commons' not found",
                 id="an include that does not exist"),
    pytest.param("    platform: ozon\n", "    platform: ebay\n", "unknown-platform", "unknown platform 'ebay'",
                 id="an example on an unknown platform"),
    pytest.param("    reply_kind: apology  # beyond", "    reply_kind: apologie  # beyond", "unknown-reply-kind",
                 "unknown reply kind 'apologie' (did you mean 'apology'?); allowed: apology, review_reply, "
                 "claim_response, general", id="an outcome's unknown reply kind names the allowed ones"),
    pytest.param("include: [common]\n", "reply_kind: revew_reply\ninclude: [common]\n", "unknown-reply-kind",
                 "unknown reply kind 'revew_reply' (did you mean 'review_reply'?)", id="a playbook's unknown reply kind"),
]


@pytest.mark.parametrize("old, new, code, message", CASES)
def test_each_problem_class_is_reported_on_its_line(request: pytest.FixtureRequest, library_copy: Path, old: str,
                                                     new: str, code: str, message: str) -> None:
    marker = request.node.get_closest_marker("at")
    problems, line = validate_edit(library_copy, old, new, at=marker.args[0] if marker else None)
    matching = [p for p in problems if p.code == code]
    assert matching, f"no [{code}] problem; got: {[str(p) for p in problems]}"
    assert any(message in p.message for p in matching), [p.message for p in matching]
    assert any(abs(p.location.line - line) <= 1 for p in matching), (line, [str(p) for p in matching])
    assert all(str(p).startswith(str(library_copy / BASE)) or "playbooks" in str(p) for p in matching)


def test_template_variable_defined_on_only_some_paths(library_copy: Path) -> None:
    problems, _ = validate_edit(
        library_copy,
        "we will refund {{ item_value | money(currency) }} as soon as it reaches us.",
        "we will refund {{ item_value | money(currency) }} as soon as it reaches us. {{ conforms }}",
    )
    assert "undefined-on-path" not in codes(problems)  # conforms is set on every path to return_buyer_pays
    problems, _ = validate_edit(
        library_copy,
        "we are sorry: the item differs from the listed size by {{ size_deviation_cm | quantity('cm') }}, more than",
        "we are sorry: {{ return_eligible }} the item differs from the listed size by {{ size_deviation_cm | quantity('cm') }}, more than",
    )
    assert any(p.code == "undefined-on-path" and "return_eligible" in p.message for p in problems)


def test_a_message_using_an_unknown_variable(library_copy: Path) -> None:
    problems, _ = validate_edit(library_copy, "{{ size_deviation_cm | quantity('cm') }}, more than",
                                "{{ size_deviaton_cm | quantity('cm') }}, more than")
    assert any(p.code == "unknown-fact" and "size_deviaton_cm" in p.message for p in problems)


def test_all_problems_are_reported_at_once(library_copy: Path) -> None:
    path = library_copy / BASE
    text = path.read_text(encoding="utf-8")
    text = text.replace('    title: {en: "Within the size tolerance?"', '    titel: {en: "Within the size tolerance?"')
    text = text.replace("        goto: size_advice\n", "        goto: size_advise\n")
    text = text.replace("params.low_price_refund_instead_of_exchange_below", "params.low_price_refund_below")
    path.write_text(text, encoding="utf-8")
    problems, _ = validate_paths([path], library_copy)
    assert {"schema", "dangling", "unknown-parameter"} <= codes(problems)
    assert len(problems) >= 3


def test_a_parameter_without_a_source(library_copy: Path) -> None:
    profile = library_copy / "platforms" / "taobao.yaml"
    text = profile.read_text(encoding="utf-8")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("source:"))
    lines[index] = lines[index].split("source:")[0] + "source: ''"
    profile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems, _ = validate_paths([], library_copy)
    hits = [p for p in problems if p.code == "no-source"]
    assert hits and hits[0].location.line == index + 1


def test_problems_print_as_file_line_col(library_copy: Path) -> None:
    problems, line = validate_edit(library_copy, "        goto: quality_choice\n", "        goto: nowhere\n")
    text = str(next(p for p in problems if p.code == "dangling"))
    file_part, line_part, col_part, _rest = text.split(":", 3)
    assert file_part.endswith(BASE) and int(line_part) == line and int(col_part) > 0


def test_an_unknown_shared_checklist(library_copy: Path) -> None:
    problems, line = validate_edit(library_copy, "    include_checklists: [case_file]\n", "    include_checklists: [case_files]\n")
    hit = next(p for p in problems if p.code == "include")
    assert "unknown checklist 'case_files' (did you mean 'case_file'?)" in hit.message
    assert hit.location.line == line


def test_a_problem_in_a_shared_checklist_points_at_common_yaml(library_copy: Path) -> None:
    common = library_copy / "common.yaml"
    text = common.read_text(encoding="utf-8")
    common.write_text(text.replace("within: params.reply_deadline_h", "within: params.reply_deadline_hours"), encoding="utf-8")
    problems, _ = validate_paths([library_copy / BASE], library_copy)
    hit = next(p for p in problems if p.code == "unknown-parameter")
    assert hit.location.file.endswith("common.yaml")
    assert hit.location.line == text[: text.index("within: params.reply_deadline_h")].count("\n") + 1


def test_shared_checklists_come_first_and_keep_their_sources() -> None:
    from aftersales.engine import decide

    facts = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
             "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    decision = decide("size_mismatch", facts, platform="taobao", lang="en", as_of="2026-01-15T09:00:00+00:00")
    assert decision.checklist[0].startswith("Check that the person writing is the order's buyer")  # seed 001
    assert decision.checklist[1].startswith("Give the case its own number under its order")
    assert "Inspect the returned item on arrival before refunding or exchanging it" in decision.checklist
    assert {d.name for d in decision.deadlines} >= {"owner_assigned", "next_follow_up", "first_reply"}
