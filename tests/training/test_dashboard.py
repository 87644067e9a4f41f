"""The lead's dashboard on a seeded store: every table has what a lead looks for."""

from __future__ import annotations

import pandas as pd

from aftersales.training import dashboard as board
from aftersales.training.cases import load_cases
from aftersales.training.store import ProgressStore


def seeded(tmp_path):
    store = ProgressStore(f"sqlite:///{tmp_path / 'p.db'}")
    cases = load_cases()
    board.seed_demo(store, cases, attempts=40)
    return store, cases


def test_scores_per_trainee_over_time_and_per_scenario(tmp_path):
    store, _cases = seeded(tmp_path)
    frame = board.attempts_frame(store)
    assert len(frame) == 40 and frame["percent"].between(0, 100).all()
    weekly = board.scores_over_time(frame)
    assert list(weekly.columns) == ["trainee-1", "trainee-2", "trainee-3", "trainee-4"]
    assert set(board.scores_per_scenario(frame).columns) <= {c.scenario for c in load_cases()}


def test_common_mistakes_name_the_check_and_the_wrong_branch(tmp_path):
    store, _cases = seeded(tmp_path)
    mistakes = board.common_mistakes(board.attempts_frame(store))
    assert {"miss", "wrong branch"} <= set(mistakes["kind"])
    assert mistakes["count"].is_monotonic_decreasing


def test_cases_never_attempted_and_the_csv_export(tmp_path):
    store, cases = seeded(tmp_path)
    frame = board.attempts_frame(store)
    untried = board.never_attempted(frame, cases)
    assert set(untried["case"]) == {c.id for c in cases} - set(frame["case_id"])
    path = board.export_csv(frame, tmp_path / "out" / "attempts.csv")
    back = pd.read_csv(path)
    assert len(back) == 40 and {"trainee", "case_id", "score", "findings"} <= set(back.columns)


def test_an_empty_store_gives_empty_tables_not_errors(tmp_path):
    store = ProgressStore(f"sqlite:///{tmp_path / 'empty.db'}")
    frame = board.attempts_frame(store)
    assert board.scores_over_time(frame).empty and board.common_mistakes(frame).empty
    assert len(board.never_attempted(frame, load_cases())) == len(load_cases())


def test_the_charts_are_shown_as_a_picture_whatever_the_backend(tmp_path, monkeypatch):
    """In Papermill, Voila and exported notebooks a bare Figure shows as "<Figure size ...>":
    the notebook helpers display a PNG, and drawing the charts never switches the backend."""
    import base64

    import matplotlib
    from IPython.core.formatters import DisplayFormatter

    from aftersales import analytics, notebook

    store, _cases = seeded(tmp_path)
    shown: list = []
    monkeypatch.setattr(notebook, "display", shown.append)
    backend = matplotlib.get_backend()
    notebook.show_charts(board.attempts_frame(store))
    notebook.show_path_charts(analytics.load_case_log(analytics.write_demo_case_log(tmp_path / "log.jsonl")))
    assert matplotlib.get_backend() == backend
    assert len(shown) == 2
    for picture in shown:
        bundle, _metadata = DisplayFormatter().format(picture)
        assert "image/png" in bundle, bundle.get("text/plain")
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_the_demo_store_is_coherent_real_cases_scored_by_the_real_scorer(tmp_path):
    """Issue 18, part 6: each attempt's score and findings are what the scorer gives its answers,
    each trainee works their own platform, and slips grow rarer with practice."""
    from aftersales.training.cases import get_case
    from aftersales.training.scoring import Answer, score_attempt

    store, _cases = seeded(tmp_path)
    attempts = store.attempts()
    platforms = {trainee: platform for trainee, platform, _slip in board.DEMO_TEAM}
    for attempt in attempts[:12]:
        case = get_case(attempt.case_id)
        assert case.platform == platforms[attempt.trainee] and attempt.scenario == case.scenario
        again = score_attempt(case, Answer.from_mapping(attempt.answers), lang="en")
        assert (again.points, again.max_points) == (attempt.score, attempt.max_score)
        assert again.mistakes() == attempt.findings
    assert all(f["expected"] and f["why"] for a in attempts for f in a.findings if f["kind"] == "miss")


def test_the_readiness_board_difficulty_and_review_queue(tmp_path):
    store, cases = seeded(tmp_path)
    frame = board.attempts_frame(store)
    ready = board.readiness(cases, store.attempts())
    assert set(ready["status"]) <= {"mastered", "in_progress", "not_started"} and (ready["needed"] == 3).all()
    worked = ready[ready["attempts"] > 0]
    assert worked["median_minutes"].notna().all() and worked["pass_rate"].between(0, 1).all()
    hardest = board.case_difficulty(frame)
    assert hardest["pass_rate"].is_monotonic_increasing and hardest["attempts"].sum() == len(frame)
    queue = board.review_queue(frame, cases, top=5)
    assert 0 < len(queue) <= 5 and (queue["model_reply"].str.len() > 20).all()
    assert (queue["reply"] != queue["model_reply"]).all() and queue["why"].str.len().gt(0).all()
