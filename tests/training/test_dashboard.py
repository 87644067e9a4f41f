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
