"""What the notebooks call, without a kernel: headless decisions, the form, and one-line errors."""

from __future__ import annotations

import json

import pytest

from aftersales.engine import Decision
from aftersales.errors import FactError
from aftersales.notebook import parse_facts, run_hub, run_scenario, show_result
from aftersales.widgets.hub import Hub
from aftersales.widgets.wizard import Wizard

FACTS = {"order_id": "TB-1", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
         "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
         "size_deviation_cm": 3.5, "customer_preference": "exchange"}


@pytest.mark.parametrize("given, expected", [
    (None, {}), ("", {}), ("  ", {}), ({}, {}), ('{"a": 1}', {"a": 1}), ({"a": 1}, {"a": 1}),
])
def test_facts_may_be_a_mapping_json_text_or_nothing(given, expected):
    assert parse_facts(given) == expected


@pytest.mark.parametrize("given, complaint", [('{"a": 1', "not valid JSON"), ("[1, 2]", "expected a JSON object")])
def test_bad_facts_text_is_a_fact_error_about_facts(given, complaint):
    with pytest.raises(FactError, match=complaint) as caught:
        parse_facts(given)
    assert caught.value.field == "facts"


def test_with_facts_the_notebook_decides_at_once_and_prints_json(capsys):
    result = run_scenario("size_mismatch", platform="taobao", lang="en", as_of="2026-01-15T09:00:00+00:00",
                          facts=json.dumps(FACTS), interactive=True)
    assert isinstance(result, Decision) and result.outcome == "exchange_seller_pays"
    capsys.readouterr()
    show_result(result)
    printed = json.loads(capsys.readouterr().out)
    assert printed["outcome"] == "exchange_seller_pays" and printed["platform"] == "taobao"


def test_without_facts_the_notebook_shows_the_form():
    assert isinstance(run_scenario("wrong_item", platform="ozon", lang="ru"), Wizard)
    assert isinstance(run_hub(scenario="claim", platform="amazon"), Hub)


def test_a_headless_run_without_facts_says_what_it_needs():
    with pytest.raises(FactError, match="needs the case's facts"):
        run_scenario("claim", platform="amazon", interactive=False)


def test_notebooks_show_an_aftersales_error_as_one_line_not_a_traceback():
    with pytest.raises(FactError) as caught:
        run_scenario("size_mismatch", platform="taobao", facts={**FACTS, "size_deviation_cm": -1})
    assert caught.value._render_traceback_() == [f"FactError: {caught.value}"]
    assert "size_deviation_cm" in str(caught.value)


def test_headless_practice_feedback_speaks_the_trainees_language(monkeypatch):
    """Issue 17: a headless practice run (papermill) shows its feedback in the page's language, in words."""
    import aftersales.notebook as notebook

    shown = []
    monkeypatch.setattr(notebook, "display", lambda thing: shown.append(thing.data))
    notebook.run_practice(case_id="review-001", lang="zh", interactive=False,
                          answers={"resolution": "guide", "reply": "您好，感谢您的评价。"})
    html = shown[-1]
    assert "None" not in html and "True" not in html
    assert any(ch in html for ch in "得分回复"), html[:300]


def test_a_headless_practice_run_is_recorded_for_the_trainee(monkeypatch, tmp_path):
    """Issue 18, part 5: an attempt scored headless (papermill) counts on the lead's board too."""
    import aftersales.notebook as notebook
    from aftersales.training.store import ProgressStore

    shown = []
    monkeypatch.setattr(notebook, "display", lambda thing: shown.append(thing.data))
    url = f"sqlite:///{tmp_path / 'progress.db'}"
    score = notebook.run_practice(trainee="tess", case_id="review-001", lang="ru", interactive=False, progress_url=url,
                                  answers={"resolution": "guide", "reply": "Здравствуйте, спасибо за отзыв."})
    with ProgressStore(url) as store:
        (attempt,) = store.attempts(trainee="tess")
    assert (attempt.case_id, attempt.score, attempt.max_score) == ("review-001", score.points, score.max_points)
    assert attempt.answers["resolution"] == "guide" and attempt.scenario == "bad_review"
    assert f"№ {attempt.id}" in shown[-1]


def test_the_pages_next_case_stays_on_the_trainees_platform_and_customer_language():
    from aftersales.training.practice import Practice

    page = Practice("tess", store=None, lang="en", platform="ozon", customer_lang="ru")
    nxt = page.recommended()
    assert (nxt.platform, nxt.lang) == ("ozon", "ru")
    page.next_button.click()
    assert page.case.id == nxt.id
