"""Each problem code, provoked by one small break in a copy of the real parameter files.

Every problem must point at the right ``file:line:col`` so a lead can jump to it.
"""

from __future__ import annotations

import pytest

from aftersales.errors import PlaybookError
from aftersales.platforms import load_catalogue, load_profiles, profile_problems

from .conftest import edit_in_block, line_of

AMAZON = "playbooks/platforms/amazon.yaml"


class Shown(str):
    """A problem as printed, from the copy's ``playbooks/`` on (the copy lives in tmp_path)."""

    def __new__(cls, problem):
        text = str(problem)
        return super().__new__(cls, text[text.index("playbooks/"):])

    def __init__(self, problem):
        self.message, self.location, self.code = problem.message, problem.location, problem.code


def only(problems, code):
    """The problems with ``code``, printed relative to the copy; fails if there is none."""
    found = [Shown(p) for p in problems if p.code == code]
    assert found, f"no [{code}] problem in {[str(p) for p in problems]}"
    return found


def test_schema_unknown_key_with_did_you_mean(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  reply_deadline_h:", "    source:", "    sourse:")
    problems = profile_problems(playbooks_copy)
    (problem,) = only(problems, "schema")
    assert str(problem).startswith(f"{AMAZON}:{line}:5: unknown key 'sourse' (did you mean 'source'?)")
    assert str(problem).endswith("[schema]")


def test_schema_bad_confidence_in_a_dated_value(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  safet_filing_window_days:", "confidence: medium", "confidence: certain")
    (problem,) = only(profile_problems(playbooks_copy), "schema")
    assert f"{AMAZON}:{line}:21:" in str(problem)
    assert "'certain'" in problem.message


def test_unknown_parameter_with_did_you_mean(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  reply_deadline_h:", "  reply_deadline_h:", "  reply_deadlin_h:")
    (problem,) = only(profile_problems(playbooks_copy), "unknown-parameter")
    assert str(problem).startswith(f"{AMAZON}:{line}:3: unknown parameter 'reply_deadlin_h'")
    assert "did you mean 'reply_deadline_h'" in problem.message


def test_missing_parameter_is_reported_at_the_platform_parameters_key(playbooks_copy):
    path = playbooks_copy / "platforms" / "ozon.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  order_execution_claim_window_days:")
    end = text.index("\n\n", start) + 2
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    (problem,) = only(profile_problems(playbooks_copy), "missing-parameter")
    line = line_of(path, "parameters:")
    assert str(problem).startswith(f"playbooks/platforms/ozon.yaml:{line}:1: parameter 'order_execution_claim_window_days'")
    assert "jurisdiction 'ru'" in problem.message


def test_no_source_when_empty(playbooks_copy):
    path = playbooks_copy / "jurisdictions" / "ru.yaml"
    line = edit_in_block(path, "  repair_max_days:", "source: sprashivalka.com (quotes ZoZPP Art. 20 p.1)", "source: ''")
    (problem,) = only(profile_problems(playbooks_copy), "no-source")
    assert str(problem).startswith(f"playbooks/jurisdictions/ru.yaml:{line}:13: parameter 'repair_max_days'")


def test_no_source_when_missing(playbooks_copy):
    path = playbooks_copy / "platforms" / "taobao.yaml"
    text = path.read_text(encoding="utf-8")
    block = text.index("  size_tolerance_cm:")
    cut = text.index("    source: seed 001\n", block)
    path.write_text(text[:cut] + text[cut + len("    source: seed 001\n"):], encoding="utf-8")
    (problem,) = only(profile_problems(playbooks_copy), "no-source")
    value_line = line_of(path, "  size_tolerance_cm:") + 1  # the entry's mapping starts at `value:`
    assert str(problem).startswith(f"playbooks/platforms/taobao.yaml:{value_line}:5:")


def test_duplicate_effective_from(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  fba_reimbursement_after_days:", "effective_from: 2024-10-23", "effective_from: unknown")
    (problem,) = only(profile_problems(playbooks_copy), "duplicate-date")
    assert str(problem).startswith(f"{AMAZON}:{line}:25: parameter 'fba_reimbursement_after_days': two values")


def test_type_mismatch(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  chargeback_response_days:", "value: 7", "value: seven")
    (problem,) = only(profile_problems(playbooks_copy), "type")
    assert str(problem) == (
        f"{AMAZON}:{line}:12: parameter 'chargeback_response_days': value 'seven' is not an int "
        "(catalogue type int; null is always allowed) [type]"
    )


def test_type_mismatch_of_a_bool(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  fashion_returns_seller_pays:", "value: true", "value: 'yes'")
    (problem,) = only(profile_problems(playbooks_copy), "type")
    assert f"{AMAZON}:{line}:12:" in str(problem) and "not a bool" in problem.message


def test_null_is_always_a_valid_value(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    edit_in_block(path, "  chargeback_response_days:", "value: 7", "value: null")
    assert profile_problems(playbooks_copy) == []


def test_choice_outside_the_vocabulary(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  return_shipping_payer:", "defective: seller", "defective: seler")
    (problem,) = only(profile_problems(playbooks_copy), "choice")
    assert f"{AMAZON}:" in str(problem) and "did you mean 'seller'" in problem.message
    assert str(problem).startswith(f"{AMAZON}:{line}:18:")


def test_unknown_jurisdiction_lists_the_allowed_ones(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "jurisdiction: us", "jurisdiction: us", "jurisdiction: usa")
    problems = profile_problems(playbooks_copy)
    (problem,) = only(problems, "unknown-jurisdiction")
    assert str(problem) == (
        f"{AMAZON}:{line}:15: unknown jurisdiction 'usa' (did you mean 'us'?); "
        "allowed: cn, de, eu, ru, us [unknown-jurisdiction]"
    )
    assert not [p for p in problems if p.code == "missing-parameter"]


def test_unknown_unit_with_did_you_mean(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  claim_response_window:", "unit: hours", "unit: hourz")
    (problem,) = only(profile_problems(playbooks_copy), "unit")
    assert str(problem).startswith(f"{AMAZON}:{line}:15: unknown unit 'hourz' (did you mean 'hours'?)")


def test_unit_of_another_kind(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  claim_response_window:", "unit: hours", "unit: cm")
    (problem,) = only(profile_problems(playbooks_copy), "unit")
    assert f"{AMAZON}:{line}:15:" in str(problem)
    assert "allowed: hours, days, business_days" in problem.message


def test_unknown_unit_in_the_catalogue(playbooks_copy):
    path = playbooks_copy / "parameters.yaml"
    line = edit_in_block(path, "  size_tolerance_cm:", "unit: cm", "unit: cms")
    (problem,) = only(profile_problems(playbooks_copy), "unit")
    assert str(problem).startswith(f"playbooks/parameters.yaml:{line}:11: unknown unit 'cms' (did you mean 'cm'?)")
    with pytest.raises(PlaybookError, match="unknown unit 'cms'"):
        load_catalogue(playbooks_copy)


def test_platform_name_must_match_the_file_name(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "platform: amazon", "platform: amazon", "platform: amazn")
    (problem,) = only(profile_problems(playbooks_copy), "name")
    assert str(problem).startswith(f"{AMAZON}:{line}:11: platform 'amazn' does not match the file name 'amazon.yaml'")


def test_jurisdiction_name_must_match_the_file_name(playbooks_copy):
    path = playbooks_copy / "jurisdictions" / "eu.yaml"
    line = edit_in_block(path, "jurisdiction: eu", "jurisdiction: eu", "jurisdiction: europe")
    (problem,) = only(profile_problems(playbooks_copy), "name")
    assert f"playbooks/jurisdictions/eu.yaml:{line}:15:" in str(problem)


def test_yaml_syntax_error_is_located(playbooks_copy):
    path = playbooks_copy / "platforms" / "ozon.yaml"
    edit_in_block(path, "  currency:", "value: RUB", "value: [RUB")
    (problem,) = only(profile_problems(playbooks_copy), "yaml")
    assert problem.location.file.endswith("playbooks/platforms/ozon.yaml") and problem.location.line > 0


def test_all_problems_are_reported_not_the_first(playbooks_copy):
    amazon = playbooks_copy / "platforms" / "amazon.yaml"
    edit_in_block(amazon, "  chargeback_response_days:", "value: 7", "value: seven")
    edit_in_block(amazon, "  claim_response_window:", "unit: hours", "unit: hourz")
    edit_in_block(playbooks_copy / "platforms" / "ozon.yaml", "  reply_deadline_h:", "source: seed 000", "source: ' '")
    edit_in_block(playbooks_copy / "jurisdictions" / "cn.yaml", "  replacement_days:", "confidence: unverified", "confidence: sure")
    problems = profile_problems(playbooks_copy)
    assert sorted(p.code for p in problems) == ["no-source", "schema", "type", "unit"]
    with pytest.raises(PlaybookError) as info:
        load_profiles(playbooks_copy)
    assert len(info.value.problems) == 4
    assert "(and 3 more)" in str(info.value)


def test_unknown_map_key(playbooks_copy):
    path = playbooks_copy / "platforms" / "ozon.yaml"
    line = edit_in_block(path, "  review_removal_grounds:", "seller_feedback:", "seller_feedbak:")
    (problem,) = only(profile_problems(playbooks_copy), "choice")
    assert str(problem).startswith(f"playbooks/platforms/ozon.yaml:{line}:7: parameter 'review_removal_grounds': "
                                   "unknown key 'seller_feedbak' (did you mean 'seller_feedback'?)")


def test_two_dated_values_on_one_day_are_a_duplicate_too(playbooks_copy):
    path = playbooks_copy / "platforms" / "taobao.yaml"
    edit_in_block(path, "  late_shipment_compensation_pct:", "effective_from: unknown", "effective_from: 2015-10-29")
    (problem,) = only(profile_problems(playbooks_copy), "duplicate-date")
    assert "late_shipment_compensation_pct" in str(problem)


def test_a_null_start_date_must_be_written_unknown(playbooks_copy):
    path = playbooks_copy / "platforms" / "taobao.yaml"
    edit_in_block(path, "  late_shipment_compensation_pct:", "effective_from: unknown", "effective_from: null")
    problems = [str(p) for p in profile_problems(playbooks_copy)]
    assert any("'unknown' when it is not known" in p for p in problems), problems


# ---------------------------------------------------------------- return_flow / return_route (task B)


def test_a_return_route_without_a_language_is_reported_at_its_flow(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon_de.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  return_route:")
    zh = text.index("        zh: ", start)
    path.write_text(text[:zh] + text[text.index("\n", zh) + 1:], encoding="utf-8")
    line = line_of(path, "      amazon:")
    (problem,) = only(profile_problems(playbooks_copy), "type")
    assert str(problem).startswith(f"playbooks/platforms/amazon_de.yaml:{line}:7: parameter 'return_route': "
                                   "'amazon' has no text in 'zh'")


def test_a_return_route_that_is_not_a_text_per_language_is_a_type_problem(playbooks_copy):
    path = playbooks_copy / "platforms" / "ozon.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  return_route:")
    end = text.index("    source:", start)
    path.write_text(text[:start] + "  return_route:\n    value:\n      ozon: hand it in at a pickup point\n"
                    + text[end:], encoding="utf-8")
    line = line_of(path, "      ozon: hand it in")
    problems = only(profile_problems(playbooks_copy), "type")
    assert any(p.startswith(f"playbooks/platforms/ozon.yaml:{line}:13: parameter 'return_route': 'ozon' must be a "
                            "text in each language") for p in problems), problems


def test_a_flow_without_a_route_is_reported_at_its_fulfilment_model(playbooks_copy):
    path = playbooks_copy / "platforms" / "amazon.yaml"
    line = edit_in_block(path, "  return_flow:", "FBA: amazon_fba", "FBA: amazon_fab")
    (problem,) = only(profile_problems(playbooks_copy), "return-route")
    assert str(problem).startswith(f"{AMAZON}:{line}:") and problem.location.line == line
    assert "flow 'amazon_fab' of fulfilment model 'FBA' has no customer sentence in return_route" in problem.message
    assert "did you mean 'amazon_fba'" in problem.message


def test_a_fulfilment_model_without_a_flow_is_reported(playbooks_copy):
    path = playbooks_copy / "platforms" / "ozon.yaml"
    line = edit_in_block(path, "  return_flow:", "value: {FBO: ozon, FBS: ozon, rFBS: seller}",
                         "value: {FBO: ozon, FBS: ozon}")
    (problem,) = only(profile_problems(playbooks_copy), "return-route")
    assert str(problem).startswith(f"playbooks/platforms/ozon.yaml:{line}:")
    assert "no flow for fulfilment model 'rFBS'" in problem.message


def test_a_fulfilment_model_unknown_to_the_catalogue_is_a_choice_problem(playbooks_copy):
    path = playbooks_copy / "platforms" / "taobao.yaml"
    line = edit_in_block(path, "  return_flow:", "value: {seller: seller}", "value: {seller: seller, FBX: seller}")
    (problem,) = only(profile_problems(playbooks_copy), "choice")
    assert str(problem).startswith(f"playbooks/platforms/taobao.yaml:{line}:")
    assert "unknown key 'FBX'" in problem.message
