"""Which case a trainee should work next, and when a scenario on a platform is mastered (issue 18, part 5).

A lead sets the bar in ``playbooks/training.yaml`` (a training profile: data, not code):

    mastery_first_attempt_passes: 3   # a scenario x platform is mastered after this many cases
                                      # passed at the first attempt, each a different case
    retry_after: 2                    # a missed rule comes back after this many other cases

**Next case** (:func:`next_case`): on the trainee's platform and in their customer language when
given, a case they have not passed; a scenario x platform whose rule they missed comes back after
``retry_after`` other attempts as a *sibling* (another case of the same scenario and platform,
never the same case again, so that passing means knowing the rule rather than remembering the
feedback); otherwise the easiest case not yet mastered, least tried first.

**Mastery** (:func:`mastery`): per scenario x platform, ``mastered`` once the first attempts at
``mastery_first_attempt_passes`` different cases scored full marks, ``in_progress`` once tried,
else ``not_started``.

Source: issue 18 ("Mastery"); seed 001 (trainees learn from the team's cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from ..errors import AftersalesError

__all__ = ["TrainingProfile", "board_rows", "load_training_profile", "mastery", "next_case"]

PROFILE_FILE = "training.yaml"


@dataclass(frozen=True)
class TrainingProfile:
    """The lead's bar for mastery and how soon a missed rule returns."""

    mastery_first_attempt_passes: int = 3
    retry_after: int = 2


def load_training_profile(playbooks: Path | str | None = None) -> TrainingProfile:
    """``training.yaml`` of the playbooks folder (defaults when it is absent); a bad value is an
    :class:`AftersalesError` naming the file, the field and what is allowed."""
    from ..paths import default_playbooks_dir

    folder = Path(playbooks) if playbooks is not None else default_playbooks_dir()
    path = folder / PROFILE_FILE
    if not path.is_file():
        return TrainingProfile()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:  # a lead's typo: say where, not a traceback
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise AftersalesError(f"{path.name}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if not isinstance(data, dict):
        raise AftersalesError(f"{path.name}: expected a mapping of settings")
    values: dict[str, int] = {}
    for name in ("mastery_first_attempt_passes", "retry_after"):
        if name in data:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name.startswith("mastery") else 0):
                raise AftersalesError(f"{path.name}: {name}: {value!r} is not allowed; allowed: a whole number "
                                      f"{'≥ 1' if name.startswith('mastery') else '≥ 0'}")
            values[name] = value
    unknown = sorted(set(data) - {"mastery_first_attempt_passes", "retry_after"})
    if unknown:
        raise AftersalesError(f"{path.name}: unknown setting '{unknown[0]}'; allowed: mastery_first_attempt_passes, "
                              "retry_after")
    return TrainingProfile(**values)


def _passed(attempt: Any) -> bool:
    return bool(attempt.max_score) and attempt.score >= attempt.max_score


def _in_order(attempts: Iterable[Any]) -> list[Any]:
    """Attempts oldest first (the store's order: created_at, then id)."""
    return sorted(attempts, key=lambda a: (getattr(a, "created_at", None) is None, getattr(a, "created_at", None)
                                           or 0, getattr(a, "id", None) or 0))


def mastery(cases: list[Any], attempts: list[Any], profile: TrainingProfile = TrainingProfile()
            ) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (scenario, platform) of the bank: ``status`` (mastered / in_progress / not_started),
    ``first_attempt_passes`` (different cases passed at their first attempt) and ``needed``."""
    by_id = {c.id: c for c in cases}
    first: dict[str, Any] = {}
    for attempt in _in_order(attempts):
        first.setdefault(attempt.case_id, attempt)
    board: dict[tuple[str, str], dict[str, Any]] = {}
    for case in cases:
        board.setdefault((case.scenario, case.platform), {"status": "not_started", "first_attempt_passes": 0,
                                                          "needed": profile.mastery_first_attempt_passes})
    for case_id, attempt in first.items():
        case = by_id.get(case_id)
        if case is None:
            continue
        entry = board[(case.scenario, case.platform)]
        entry["status"] = "in_progress"
        entry["first_attempt_passes"] += _passed(attempt)
    for entry in board.values():
        if entry["first_attempt_passes"] >= entry["needed"]:
            entry["status"] = "mastered"
    return board


def next_case(cases: list[Any], attempts: list[Any], *, platform: str | None = None, lang: str | None = None,
              profile: TrainingProfile = TrainingProfile()) -> Any:
    """The case to work next (see the module's doc); :class:`AftersalesError` when the bank has none
    on ``platform`` in ``lang``."""
    pool = [c for c in cases if (platform is None or c.platform == platform) and (lang is None or c.lang == lang)]
    if not pool:
        raise AftersalesError(f"no practice case on platform {platform or 'any'} in language {lang or 'any'}")
    ordered = _in_order(attempts)
    passed = {a.case_id for a in ordered if _passed(a)}
    tried: dict[str, int] = {}
    for attempt in ordered:
        tried[attempt.case_id] = tried.get(attempt.case_id, 0) + 1
    by_id = {c.id: c for c in cases}
    # a missed rule comes back as a sibling once retry_after other attempts were made since the miss
    for index, attempt in enumerate(ordered):
        case = by_id.get(attempt.case_id)
        if case is None or _passed(attempt) or attempt.case_id in passed:
            continue
        since = len(ordered) - index - 1
        later = {a.case_id for a in ordered[index + 1:]}
        if any(_passed(a) and a.case_id in by_id and (by_id[a.case_id].scenario, by_id[a.case_id].platform)
               == (case.scenario, case.platform) for a in ordered[index + 1:]):
            continue  # the rule was shown learned on a later case
        siblings = [c for c in pool if c.scenario == case.scenario and c.platform == case.platform
                    and c.id != case.id and c.id not in passed and c.id not in later]
        if since >= profile.retry_after and siblings:
            return min(siblings, key=lambda c: (tried.get(c.id, 0), c.difficulty, c.id))
    board = mastery(cases, attempts, profile)
    open_cases = [c for c in pool if c.id not in passed and board[(c.scenario, c.platform)]["status"] != "mastered"]
    open_cases = open_cases or [c for c in pool if c.id not in passed] or pool
    return min(open_cases, key=lambda c: (tried.get(c.id, 0) > 0, c.difficulty, tried.get(c.id, 0), c.id))


def board_rows(cases: list[Any], attempts: list[Any], profile: TrainingProfile = TrainingProfile()
               ) -> list[dict[str, Any]]:
    """The readiness board: one row per trainee x scenario x platform of the bank, with the status
    against the lead's bar, the first-attempt passes, the attempts and their pass rate."""
    rows = []
    for trainee in sorted({a.trainee for a in attempts}):
        own = [a for a in attempts if a.trainee == trainee]
        board = mastery(cases, own, profile)
        by_id = {c.id: c for c in cases}
        for (scenario, platform), entry in sorted(board.items()):
            tries = [a for a in own if a.case_id in by_id
                     and (by_id[a.case_id].scenario, by_id[a.case_id].platform) == (scenario, platform)]
            passed = sum(_passed(a) for a in tries)
            minutes = sorted(a.duration_s / 60 for a in tries if getattr(a, "duration_s", None) is not None)
            median = (minutes[len(minutes) // 2] if len(minutes) % 2 else
                      (minutes[len(minutes) // 2 - 1] + minutes[len(minutes) // 2]) / 2) if minutes else None
            rows.append({"trainee": trainee, "scenario": scenario, "platform": platform, "status": entry["status"],
                         "first_attempt_passes": entry["first_attempt_passes"], "needed": entry["needed"],
                         "attempts": len(tries), "pass_rate": round(passed / len(tries), 2) if tries else None,
                         "median_minutes": round(median, 1) if median is not None else None})
    return rows
