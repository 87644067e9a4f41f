"""Scoring an attempt: every check, the reasons given for a miss, and the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aftersales.engine import decide
from aftersales.errors import FactError
from aftersales.training.cases import get_case
from aftersales.training.scoring import Answer, score_attempt
from aftersales.training.store import ProgressStore

GOOD_REPLY_ZH = ("李女士您好，非常抱歉给您带来不便。商品与标注尺码相差3.5厘米，我们为您换货，来回运费由我们承担。"
                 "我们会改进测量流程，如有问题请随时联系我们。")


def perfect(case_id: str, reply: str = GOOD_REPLY_ZH) -> tuple[object, Answer]:
    case = get_case(case_id)
    expected = case.expected
    comp = expected.compensation
    return case, Answer(facts=dict(case.facts), resolution=expected.resolution,
                        return_shipping_paid_by=expected.return_shipping_paid_by, cost_borne_by=expected.cost_borne_by,
                        compensation=comp.amount if comp else None,
                        deadlines={k: str(v) for k, v in expected.deadlines.items()}, reply=reply)


def test_the_playbooks_own_answer_scores_full_marks():
    case, answer = perfect("size-001")
    score = score_attempt(case, answer)
    assert score.points == score.max_points and not score.misses
    assert score.divergence() is None and score.expected_path == score.trainee_path


def test_a_wrong_payer_is_a_miss_explained_by_the_step_where_the_path_left_the_playbooks():
    """Measuring 3.0 instead of 3.5 cm sends the trainee down the conforming-size path."""
    case, answer = perfect("size-001")
    answer.facts["size_deviation_cm"] = 3.0
    answer.facts["item_resaleable"] = True
    answer.return_shipping_paid_by = "buyer"
    score = score_attempt(case, answer, lang="en")
    (miss,) = score.misses
    assert miss.name == "return_shipping_paid_by" and miss.expected == "seller" and miss.given == "buyer"
    assert "beyond the tolerance" in miss.why and miss.source == "seed 001"
    assert score.divergence() == {"step": "tolerance", "expected": "quality_choice", "given": "resale_check"}
    kinds = {m["kind"] for m in score.mistakes()}
    assert kinds == {"miss", "path"}


@pytest.mark.parametrize("offer, ok", [(10, True), (12, False), (None, False)])
def test_a_minor_defect_offer_must_stay_within_the_playbooks_range(offer, ok):
    case, answer = perfect("quality-001", reply="")
    answer.compensation = offer
    score = score_attempt(case, answer)
    assert next(c for c in score.checks if c.name == "compensation").ok is ok


@pytest.mark.parametrize("shift_min, ok", [(0, True), (59, True), (61, False)])
def test_a_deadline_counts_within_an_hour(shift_min, ok):
    from datetime import datetime, timedelta

    case, answer = perfect("size-001")
    due = case.expected.deadlines["first_reply"]
    due = due if isinstance(due, datetime) else datetime.fromisoformat(due)
    answer.deadlines = {"first_reply": (due + timedelta(minutes=shift_min)).isoformat()}
    score = score_attempt(case, answer)
    assert next(c for c in score.checks if c.name == "deadline:first_reply").ok is ok


def test_a_reply_that_breaks_a_platform_rule_is_a_miss_with_the_rule_and_source():
    case, answer = perfect("review-001", reply="Sorry! We will refund you if you remove your review. Email me at a@b.com")
    score = score_attempt(case, answer)
    reply = next(c for c in score.checks if c.name == "reply")
    assert not reply.ok
    rules = {f["rule"] for f in score.findings}
    assert any(rule.startswith("amazon.") for rule in rules)


@pytest.mark.parametrize("scenario, facts, outcome, kind", [
    pytest.param("wrong_item", {"order_value": 2900, "currency": "RUB", "delivered_on": None, "problem": "missing_item"},
                 "not_delivered", "general", id="a still-in-transit note in the apology playbook is a general message"),
    pytest.param("size_mismatch", {"order_value": 1290, "currency": "RUB", "delivered_on": "2026-01-12",
                                   "evidence_provided": True, "category": "apparel", "size_deviation_cm": 3.5,
                                   "customer_preference": "exchange"},
                 "exchange_seller_pays", "apology", id="the seller's mistake in the general playbook is an apology"),
])
def test_the_reply_is_checked_as_the_expected_outcomes_reply_kind(scenario, facts, outcome, kind):
    """A reply that apologises for nothing passes for an outcome whose message is not an apology, and
    misses seed 002's elements for one whose message is (the outcome's reply_kind, not the playbook's)."""
    from types import SimpleNamespace

    case = SimpleNamespace(id="t-1", scenario=scenario, platform="ozon", lang="en", as_of="2026-01-15T09:00:00+00:00",
                           facts=facts)
    reply = "Hello, your parcel is on its way. When it arrives, please check it and reply here if anything is wrong."
    assert decide(scenario, facts, case.platform, as_of=case.as_of, render_message=False).outcome == outcome
    score = score_attempt(case, Answer(facts=dict(facts), reply=reply))
    errors = {f["rule"] for f in score.findings if f["severity"] == "error"}
    warnings = {f["rule"] for f in score.findings if f["severity"] == "warning"}
    assert next(c for c in score.checks if c.name == "reply").ok is (kind == "general")
    if kind == "general":
        assert not errors
    else:  # the prevention step is a warning in production, and still a miss in practice (COACHED_RULES)
        assert {"apology.missing_apology", "apology.missing_solution"} <= errors
        assert "apology.missing_improvement" in warnings


def test_practice_counts_a_missing_prevention_step_as_a_miss_that_production_only_warns_about():
    """Seed 002's letter has a commitment to improve: the checker lets a letter without one be sent
    with a warning; practice marks the reply wrong and says why in the trainee's language. Sending
    "the right item" is how the buyer hears an exchange of a wrong item."""
    from aftersales.compliance import check_message

    case, answer = perfect("wrong-001")  # Taobao, zh, an exchange
    answer.reply = ("亲，非常抱歉，我们给您发错了商品。正确的商品今天就给您补发，错发的那件请寄回，来回运费都由我们承担。"
                    "有问题随时在这里留言，我们会跟进到底。")
    findings = check_message(answer.reply, case.platform, case.lang, "apology")
    assert [(f.rule, f.severity) for f in findings] == [("apology.missing_improvement", "warning")]
    check = next(c for c in score_attempt(case, answer).checks if c.name == "reply")
    assert not check.ok and check.why == "道歉里没有改进承诺（要说明我们会改什么，保证不再发生）。"
    answer.reply += "我们会加强发货前的核对，避免再发生这种情况。"
    assert next(c for c in score_attempt(case, answer).checks if c.name == "reply").ok


def test_an_unknown_answer_field_is_refused_by_name():
    with pytest.raises(FactError, match="resolutoin"):
        Answer.from_mapping({"resolutoin": "refund"})


def test_train_score_prints_the_misses_and_records_the_attempt(tmp_path):
    case, answer = perfect("size-001")
    answer.return_shipping_paid_by = "buyer"
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answer.__dict__, ensure_ascii=False, default=str), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    result = subprocess.run([sys.executable, "-m", "aftersales", "train", "score", "size-001", "--answers", str(path),
                             "--trainee", "ana", "--progress-url", url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "MISS Return shipping paid by: expected seller, you gave buyer" in result.stdout
    assert "recorded as attempt" in result.stderr
    with ProgressStore(url) as store:
        (attempt,) = store.attempts(trainee="ana")
    assert attempt.case_id == "size-001" and attempt.score == attempt.max_score - 1
    as_json = subprocess.run([sys.executable, "-m", "aftersales", "train", "score", "size-001", "--answers", str(path),
                              "--json"], capture_output=True, text=True, timeout=120)
    assert json.loads(as_json.stdout)["misses"] == ["return_shipping_paid_by"]
