"""Mastery and the next case (issue 18, part 5): a path per platform and language, mastery after N
first-attempt passes on different cases, a missed rule returning as a sibling case, the lead's profile."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from aftersales.errors import AftersalesError
from aftersales.training.mastery import TrainingProfile, load_training_profile, mastery, next_case

PROFILE = TrainingProfile(mastery_first_attempt_passes=2, retry_after=1)


def case(cid, scenario="size_mismatch", platform="taobao", lang="zh", difficulty=1):
    return SimpleNamespace(id=cid, scenario=scenario, platform=platform, lang=lang, difficulty=difficulty)


def attempt(cid, passed, n):
    return SimpleNamespace(case_id=cid, score=6.0 if passed else 4.0, max_score=6.0, created_at=None, id=n)


BANK = [case("s1"), case("s2", difficulty=2), case("s3", difficulty=3), case("a1", "claim", "amazon", "en"),
        case("o1", "claim", "ozon", "ru")]


def test_the_path_keeps_to_the_trainees_platform_and_language():
    assert next_case(BANK, [], platform="amazon").id == "a1"
    assert next_case(BANK, [], lang="ru").id == "o1"
    assert next_case(BANK, [], platform="taobao", lang="zh").id == "s1"  # the easiest first
    with pytest.raises(AftersalesError):
        next_case(BANK, [], platform="amazon", lang="zh")


def test_a_missed_rule_returns_as_a_sibling_not_the_same_case():
    attempts = [attempt("s1", False, 1), attempt("a1", True, 2)]  # missed s1, then one other attempt
    chosen = next_case(BANK, attempts, profile=PROFILE)
    assert chosen.id in {"s2", "s3"} and chosen.scenario == "size_mismatch"


def test_a_rule_shown_learned_on_a_sibling_does_not_return():
    attempts = [attempt("s1", False, 1), attempt("s2", True, 2), attempt("a1", True, 3)]
    assert next_case(BANK, attempts, platform="ozon", profile=PROFILE).id == "o1"
    assert next_case(BANK, attempts, platform="taobao", profile=PROFILE).id == "s3"


def test_mastery_needs_first_attempt_passes_on_different_cases():
    retried = [attempt("s1", False, 1), attempt("s1", True, 2), attempt("s2", True, 3)]
    board = mastery(BANK, retried, PROFILE)
    assert board[("size_mismatch", "taobao")] == {"status": "in_progress", "first_attempt_passes": 1, "needed": 2}
    board = mastery(BANK, retried + [attempt("s3", True, 4)], PROFILE)
    assert board[("size_mismatch", "taobao")]["status"] == "mastered"
    assert board[("claim", "amazon")]["status"] == "not_started"


def test_the_leads_profile_is_read_and_checked(tmp_path):
    assert load_training_profile(tmp_path) == TrainingProfile()  # no file: the defaults
    (tmp_path / "training.yaml").write_text("mastery_first_attempt_passes: 5\nretry_after: 0\n", encoding="utf-8")
    assert load_training_profile(tmp_path) == TrainingProfile(5, 0)
    (tmp_path / "training.yaml").write_text("mastery_first_attempt_passes: 0\n", encoding="utf-8")
    with pytest.raises(AftersalesError, match="mastery_first_attempt_passes: 0 is not allowed"):
        load_training_profile(tmp_path)
    (tmp_path / "training.yaml").write_text("mastry: 3\n", encoding="utf-8")
    with pytest.raises(AftersalesError, match="unknown setting 'mastry'"):
        load_training_profile(tmp_path)


def test_the_repositorys_profile_is_valid():
    profile = load_training_profile()
    assert profile.mastery_first_attempt_passes >= 1 and profile.retry_after >= 0


def test_train_next_names_the_case_and_the_mastery_so_far(tmp_path):
    result = subprocess.run([sys.executable, "-m", "aftersales", "train", "next", "--trainee", "ann",
                             "--platform", "ozon", "--lang", "ru", "--progress-url", f"sqlite:///{tmp_path}/p.db"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    case_id, scenario, platform, lang, status = result.stdout.strip().split("\t")
    assert platform == "ozon" and lang == "ru" and status.startswith("not_started (0/")


def test_the_board_shows_each_trainee_against_the_bar():
    from aftersales.training.mastery import board_rows

    attempts = [SimpleNamespace(trainee=t, **vars(a)) for t, a in
                (("ann", attempt("s1", True, 1)), ("ann", attempt("s2", True, 2)), ("bo", attempt("s1", False, 3)))]
    rows = {(r["trainee"], r["scenario"], r["platform"]): r for r in board_rows(BANK, attempts, PROFILE)}
    assert rows["ann", "size_mismatch", "taobao"]["status"] == "mastered"
    assert rows["bo", "size_mismatch", "taobao"] == {
        "trainee": "bo", "scenario": "size_mismatch", "platform": "taobao", "status": "in_progress",
        "first_attempt_passes": 0, "needed": 2, "attempts": 1, "pass_rate": 0.0, "median_minutes": None}
    assert rows["ann", "claim", "ozon"]["status"] == "not_started" and rows["ann", "claim", "ozon"]["pass_rate"] is None


def test_train_board_prints_a_row_per_trainee_scenario_and_platform(tmp_path):
    url = f"sqlite:///{tmp_path}/p.db"
    score = subprocess.run([sys.executable, "-m", "aftersales", "train", "score", "size-001", "--answers", "-",
                            "--trainee", "ann", "--progress-url", url], input='{"reply": "好的"}',
                           capture_output=True, text=True, timeout=120)
    assert score.returncode in (0, 1), score.stderr
    board = subprocess.run([sys.executable, "-m", "aftersales", "train", "board", "--progress-url", url,
                            "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert board.returncode == 0, board.stderr
    lines = board.stdout.strip().splitlines()
    assert lines[0].startswith("trainee,scenario,platform,status")
    assert any(line.startswith("ann,size_mismatch,taobao,in_progress") for line in lines[1:])


def test_a_profile_that_is_not_yaml_says_where(tmp_path):
    (tmp_path / "training.yaml").write_text("mastery_first_attempt_passes: [3\n", encoding="utf-8")
    with pytest.raises(AftersalesError, match=r"training.yaml:\d+:\d+: not valid YAML"):
        load_training_profile(tmp_path)
