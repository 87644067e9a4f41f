"""The engine's API: decide, next_question, the one documented error type, and as_of."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from aftersales.engine import decide, next_question, resolve_as_of
from aftersales.errors import FactError, UnknownNameError

AS_OF = "2026-01-15T09:00:00+00:00"
FACTS = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
         "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}


def test_decide_returns_the_outcome_with_its_trace() -> None:
    decision = decide("size_mismatch", FACTS, platform="taobao", lang="en", as_of=AS_OF)
    assert decision.outcome == "exchange_seller_pays"
    steps = [entry["step"] for entry in decision.trace]
    # "assumed" is a note (not a step): return_terms_given was not given and took its default
    assert steps == ["intake", "measurement", "tolerance", "quality_choice", "assumed", "exchange_seller_pays"]
    assert decision.trace[4]["note"] is True and decision.trace[4]["value"] == {"return_terms_given": True}
    tolerance = decision.trace[2]
    assert tolerance["value"]["conforms"] is False and tolerance["source"] == "seed 001"


def test_first_reply_deadline_counts_from_the_decision() -> None:
    decision = decide("size_mismatch", FACTS, platform="taobao", lang="en", as_of=AS_OF)
    due = {d.name: d.due for d in decision.deadlines}
    assert due["first_reply"] == datetime(2026, 1, 16, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("facts, field, words", [
    pytest.param({**FACTS, "size_deviaton_cm": 1}, "size_deviaton_cm", "did you mean 'size_deviation_cm'", id="unknown fact"),
    pytest.param({**FACTS, "order_value": "cheap"}, "order_value", "expected a number", id="wrong type"),
    pytest.param({**FACTS, "order_value": True}, "order_value", "expected a number", id="a boolean is not a number"),
    pytest.param({**FACTS, "size_deviation_cm": 201}, "size_deviation_cm", "out of range", id="out of range"),
    pytest.param({**FACTS, "category": "hats"}, "category", "not one of the choices", id="not a choice"),
    pytest.param({**FACTS, "delivered_on": "12/01/2026"}, "delivered_on", "expected a date", id="a bad date"),
    pytest.param({**FACTS, "evidence_provided": None}, "evidence_provided", "must not be null", id="null not allowed"),
    pytest.param({k: v for k, v in FACTS.items() if k != "category"}, "category", "missing", id="a missing fact"),
])
def test_bad_facts_raise_one_error_type_naming_the_field(facts: dict, field: str, words: str) -> None:
    with pytest.raises(FactError) as info:
        decide("size_mismatch", facts, platform="taobao", as_of=AS_OF)
    assert info.value.field == field
    assert words in str(info.value)


def test_missing_fact_error_says_what_is_allowed() -> None:
    with pytest.raises(FactError) as info:
        decide("size_mismatch", {k: v for k, v in FACTS.items() if k != "category"}, platform="taobao", as_of=AS_OF)
    assert info.value.allowed == "apparel, footwear, other"


def test_facts_needed_only_on_another_path_are_not_required() -> None:
    facts = {k: v for k, v in FACTS.items() if k not in ("size_deviation_cm", "customer_preference")}
    facts["delivered_on"] = None  # not delivered: the playbook stops before measuring
    decision = decide("size_mismatch", facts, platform="taobao", as_of=AS_OF)
    assert decision.outcome == "not_delivered"


def test_unknown_scenario_platform_and_language() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'size_mismatch'"):
        decide("size_mismtach", FACTS, platform="taobao")
    with pytest.raises(UnknownNameError, match="unknown platform 'ebay'"):
        decide("size_mismatch", FACTS, platform="ebay")
    with pytest.raises(UnknownNameError, match="unknown language 'fr'"):
        decide("size_mismatch", FACTS, platform="taobao", lang="fr")


def test_next_question_walks_one_question_at_a_time() -> None:
    answers = {"order_value": 50, "currency": "CNY", "delivered_on": "2026-01-12", "category": "apparel",
               "evidence_provided": True, "size_deviation_cm": 2, "item_resaleable": True, "customer_preference": "none",
               "return_terms_given": True, "ordered_on": None}  # the withdrawal-window facts (docs/law.md)
    facts: dict = {}
    asked = []
    while (question := next_question("size_mismatch", facts, platform="taobao", lang="en", as_of=AS_OF)) is not None:
        asked.append((question.name, question.step_number, question.steps_total))
        assert question.label and question.allowed
        facts[question.name] = answers[question.name]
    names = [name for name, _, _ in asked]
    assert names[:4] == ["order_value", "currency", "delivered_on", "category"]
    assert names[-1] == "customer_preference"
    assert "remote_region" not in names  # read by no step on this path, and it has a default
    assert all(1 <= k <= n for _, k, n in asked)
    assert decide("size_mismatch", facts, platform="taobao", as_of=AS_OF).outcome == "size_advice"


def test_next_question_labels_follow_the_language() -> None:
    zh = next_question("size_mismatch", {}, platform="taobao", lang="zh", as_of=AS_OF)
    ru = next_question("size_mismatch", {}, platform="taobao", lang="ru", as_of=AS_OF)
    assert zh.label == "订单金额" and ru.label == "Сумма заказа"


def test_next_question_offers_choices_with_labels() -> None:
    facts = {"order_value": 50, "currency": "CNY", "delivered_on": "2026-01-12"}
    question = next_question("size_mismatch", facts, platform="taobao", lang="ru", as_of=AS_OF)
    assert question.name == "category"
    assert ("apparel", "Одежда") in question.choices


def test_as_of_defaults_to_now_and_naive_means_utc() -> None:
    assert resolve_as_of("2026-01-15T09:00:00").tzinfo == timezone.utc
    assert abs((resolve_as_of(None) - datetime.now(timezone.utc)).total_seconds()) < 5
    with pytest.raises(FactError):
        resolve_as_of("soon")


def test_customer_text_is_data_not_template_code() -> None:
    from aftersales.playbook.templates import compile_template, render

    template, names = compile_template("Dear {{ customer_name }}")
    assert names == {"customer_name"}
    assert render(template, {"customer_name": "{{ 7 * 7 }} {% for x in y %}"}) == "Dear {{ 7 * 7 }} {% for x in y %}"


def test_templates_cannot_allocate_without_bound() -> None:
    from aftersales.errors import EvaluationError
    from aftersales.playbook.templates import compile_template, render

    template, _ = compile_template("{{ 'a' * 10000000000 }}")
    with pytest.raises(EvaluationError, match="too long"):
        render(template, {})
    template, _ = compile_template("{{ ''.__class__.__mro__ }}")
    with pytest.raises(EvaluationError):
        render(template, {})


@pytest.mark.parametrize("facts", [
    pytest.param({**FACTS, "delivered_on": "9999-12-30"}, id="a delivery date at the end of the calendar"),
    pytest.param({**FACTS, "delivered_on": "0001-01-01"}, id="a delivery date at the start of the calendar"),
])
def test_dates_outside_real_orders_are_a_fact_error(facts: dict) -> None:
    with pytest.raises(FactError, match="outside the supported dates") as info:
        decide("size_mismatch", facts, platform="taobao", as_of=AS_OF)
    assert info.value.allowed == "1970-01-01 to 2200-12-31"  # limits.MIN_YEAR..MAX_YEAR


def test_an_as_of_far_in_the_future_is_refused() -> None:
    with pytest.raises(FactError, match="as_of"):
        decide("size_mismatch", FACTS, platform="taobao", as_of="9999-12-31T23:00:00+00:00")


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")], ids=["inf", "-inf", "nan"])
def test_non_finite_numbers_are_refused(value: float) -> None:
    from aftersales.playbook.facts import make_coercer
    from aftersales.playbook.model import InputSpec

    coerce = make_coercer("amount", InputSpec(type="number", label={"en": "a", "zh": "a", "ru": "a"}))
    with pytest.raises(FactError, match="amount"):
        coerce(value)
    assert coerce(2.5) == 2.5 and coerce(3) == 3.0


def test_the_rules_hash_changes_with_a_profile_value_the_version_number_does_not(tmp_path):
    """Issue 16, part 7: "playbook 1.0.0" alone hides a lead's change of a parameter."""
    import shutil
    from pathlib import Path

    from aftersales.library import load_library

    root = tmp_path / "playbooks"
    shutil.copytree(Path(__file__).resolve().parents[1] / "playbooks", root)
    facts = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
             "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange",
             "item_resaleable": True}
    before = decide("size_mismatch", facts, "taobao", as_of="2026-01-15T09:00:00+00:00", library=load_library(root))
    again = decide("size_mismatch", facts, "taobao", as_of="2026-01-15T09:00:00+00:00", library=load_library(root))
    assert before.rules_hash == again.rules_hash and len(before.rules_hash) == 12
    taobao = root / "platforms" / "taobao.yaml"
    taobao.write_text(taobao.read_text(encoding="utf-8").replace("size_tolerance_cm:\n    value: 3",
                                                                 "size_tolerance_cm:\n    value: 4", 1), encoding="utf-8")
    import time
    time.sleep(1.1)  # the library re-checks its files at most once a second
    after = decide("size_mismatch", facts, "taobao", as_of="2026-01-15T09:00:00+00:00", library=load_library(root))
    assert after.playbook_version == before.playbook_version and after.rules_hash != before.rules_hash
    assert after.to_dict()["rules_hash"] == after.rules_hash
