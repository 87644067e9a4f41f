"""The lead's dashboard over the progress store: scores per trainee over time and per scenario,
the most common mistakes (which check, which step the path left the playbook's), the cases
nobody has tried, and a CSV export. Pure pandas on the attempts table; charts with matplotlib.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd


def attempts_frame(store: Any) -> pd.DataFrame:
    """Every attempt as a row, with ``percent`` (score as a share of the maximum) and ``day``."""
    frame = store.dataframe()
    if frame.empty:
        return frame.assign(percent=pd.Series(dtype=float), day=pd.Series(dtype="datetime64[ns]"))
    frame = frame.copy()
    frame["percent"] = (100 * frame["score"] / frame["max_score"]).round(1)
    when = frame["finished_at"] if "finished_at" in frame and frame["finished_at"].notna().all() else frame["created_at"]
    frame["day"] = pd.to_datetime(when, utc=True).dt.tz_convert(None).dt.normalize()
    return frame


def scores_over_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean score (%) per trainee per week."""
    if frame.empty:
        return pd.DataFrame()
    weekly = frame.assign(week=frame["day"].dt.to_period("W").dt.start_time)
    return weekly.pivot_table(index="week", columns="trainee", values="percent", aggfunc="mean").round(1)


def scores_per_scenario(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean score (%) and number of attempts per trainee and scenario."""
    if frame.empty:
        return pd.DataFrame()
    return frame.pivot_table(index="trainee", columns="scenario", values="percent", aggfunc="mean").round(1)


def common_mistakes(frame: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The most frequent misses: a check (resolution, payer, ...), a wrong branch (step → where the
    trainee went instead of where the playbook went), or a reply rule."""
    counter: Counter = Counter()
    for scenario, findings in zip(frame.get("scenario", []), frame.get("findings", []), strict=False):
        for finding in findings or []:
            kind = finding.get("kind")
            if kind == "miss":
                counter[(scenario, "miss", finding["check"])] += 1
            elif kind == "path":
                counter[(scenario, "wrong branch", f"{finding['step']}: {finding.get('given')} instead of "
                                                   f"{finding.get('expected')}")] += 1
            elif kind == "reply":
                counter[(scenario, "reply", finding.get("rule", "?"))] += 1
    rows = [{"scenario": s, "kind": k, "what": what, "count": n}
            for (s, k, what), n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]]
    return pd.DataFrame(rows, columns=["scenario", "kind", "what", "count"])


def never_attempted(frame: pd.DataFrame, cases: list[Any]) -> pd.DataFrame:
    tried = set(frame["case_id"]) if not frame.empty else set()
    rows = [{"case": c.id, "scenario": c.scenario, "platform": c.platform, "difficulty": c.difficulty}
            for c in cases if c.id not in tried]
    return pd.DataFrame(rows, columns=["case", "scenario", "platform", "difficulty"])


def export_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """The attempts as CSV (answers and findings as JSON text), written atomically."""
    import json

    from ..files import write_atomic

    flat = frame.copy()
    for column in ("answers", "findings"):
        if column in flat:
            flat[column] = flat[column].map(lambda value: json.dumps(value, ensure_ascii=False, default=str))
    target = Path(path)
    write_atomic(target, flat.to_csv(index=False))
    return target


def charts(frame: pd.DataFrame) -> Any:
    """A figure: scores over time per trainee, and mean score per scenario. Headless: a plain
    :class:`~matplotlib.figure.Figure`, no pyplot, so it neither changes the notebook's backend
    nor stays open in pyplot's list of figures."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 4))
    left, right = figure.subplots(1, 2)
    over_time = scores_over_time(frame)
    if not over_time.empty:
        over_time.plot(ax=left, marker="o")
    left.set_title("Score per trainee (weekly mean, %)")
    left.set_ylim(0, 105)
    per_scenario = frame.groupby("scenario")["percent"].mean() if not frame.empty else pd.Series(dtype=float)
    if not per_scenario.empty:
        per_scenario.sort_values().plot.barh(ax=right, color="#4a7bd0")
    right.set_title("Mean score per scenario (%)")
    right.set_xlim(0, 100)
    figure.tight_layout()
    return figure


#: The demo team: each trainee works one platform and starts with a chance of a slip per check that
#: shrinks as they practise (a coherent store: real cases, real scores, real findings).
DEMO_TEAM = (("trainee-1", "taobao", 0.45), ("trainee-2", "ozon", 0.35), ("trainee-3", "amazon", 0.55),
             ("trainee-4", "generic", 0.25))


def _demo_answer(case: Any, decision: Any, rng: random.Random, slip: float) -> dict[str, Any]:
    """The playbook's own answer to ``case``, with each part slipped at chance ``slip``: another
    resolution or payer, too much money, a due time a day late, a reply that is too short."""
    from ..playbook.model import COST_BEARERS, RESOLUTIONS, SHIPPING_PAYERS

    comp = decision.compensation
    answer: dict[str, Any] = {
        "facts": dict(case.facts), "resolution": decision.resolution,
        "return_shipping_paid_by": decision.return_shipping_paid_by, "cost_borne_by": decision.cost_borne_by,
        "compensation": comp["amount"] if comp else None,
        "deadlines": {name: due.isoformat() for name, due in case.expected.deadlines.items()
                      if name == "first_reply"} if case.expected else {},
        "reply": decision.message["text"] if decision.message else ""}
    flippable = sorted(name for name, value in case.facts.items() if isinstance(value, bool))
    if flippable and rng.random() < min(0.9, 1.5 * slip):  # a fact misread: the path leaves the playbook's
        name = rng.choice(flippable)
        answer["facts"][name] = not case.facts[name]
    if rng.random() < slip:
        answer["resolution"] = rng.choice(sorted(set(RESOLUTIONS) - {decision.resolution}))
    if rng.random() < slip / 2:
        answer["return_shipping_paid_by"] = rng.choice(sorted(set(SHIPPING_PAYERS) - {decision.return_shipping_paid_by}))
    if rng.random() < slip / 2:
        answer["cost_borne_by"] = rng.choice(sorted(set(COST_BEARERS) - {decision.cost_borne_by}))
    if comp and rng.random() < slip / 2:
        answer["compensation"] = round(float(comp["amount"]) * 1.5 + 1, 2)
    if answer["deadlines"] and rng.random() < slip / 3:
        answer["deadlines"] = {"first_reply": (case.expected.deadlines["first_reply"] + timedelta(days=1)).isoformat()}
    if rng.random() < slip / 2:
        answer["reply"] = {"zh": "好的亲", "ru": "Хорошо.", "en": "OK."}.get(case.lang, "OK.")
    return answer


def seed_demo(store: Any, cases: list[Any], *, trainees: int = 4, attempts: int = 60, seed: int = 7) -> int:
    """Fill ``store`` with a reproducible, coherent set of attempts (for the demo and the golden
    notebook): each trainee of :data:`DEMO_TEAM` works the cases ``aftersales train next`` gives
    them on their platform, answers as the playbook would with slips that grow rarer with
    practice, and every attempt is scored by the real scorer (its findings, expected and given)."""
    from ..engine import decide
    from ..library import load_library
    from .mastery import load_training_profile, next_case
    from .scoring import Answer, score_attempt
    from .store import scored_attempt

    rng = random.Random(seed)
    library = load_library()
    profile = load_training_profile()
    start = datetime(2026, 10, 5, 9, 0, tzinfo=timezone.utc)
    team = DEMO_TEAM[:trainees]
    done: dict[str, list[Any]] = {name: [] for name, _platform, _slip in team}
    decisions: dict[str, Any] = {}
    for n in range(attempts):
        name, platform, slip = team[n % len(team)]
        try:
            case = next_case(cases, done[name], platform=platform, profile=profile)
        except Exception:  # no case on that platform in this bank: any case
            case = next_case(cases, done[name], profile=profile)
        if case.id not in decisions:
            decisions[case.id] = decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of,
                                        library=library)
        practised = len(done[name])
        answer = _demo_answer(case, decisions[case.id], rng, slip * 0.85 ** practised)
        score = score_attempt(case, Answer.from_mapping(answer), library=library, lang="en")
        began = start + timedelta(days=n // len(team), hours=(n % len(team)) * 2)
        minutes = 3 + 3 * case.difficulty + rng.randint(0, 6) - min(practised, 4) // 2
        attempt = scored_attempt(trainee=name, case=case, answers=answer, score=score, started_at=began,
                                 finished_at=began + timedelta(minutes=minutes))
        store.record(attempt)
        done[name].append(attempt)
    return attempts


def readiness(cases: list[Any], attempts: list[Any], profile: Any = None) -> pd.DataFrame:
    """The readiness board: per trainee x scenario x platform, mastered / in progress / not started
    against the lead's bar (``playbooks/training.yaml``), first-attempt passes of the needed, the
    pass rate and the median minutes per case."""
    from .mastery import board_rows, load_training_profile

    rows = board_rows(cases, attempts, profile or load_training_profile())
    columns = ["trainee", "scenario", "platform", "status", "first_attempt_passes", "needed", "attempts",
               "pass_rate", "median_minutes"]
    return pd.DataFrame(rows, columns=columns)


def case_difficulty(frame: pd.DataFrame) -> pd.DataFrame:
    """How hard each case is, from the data: attempts, the share passed with full marks, and the
    median minutes; the hardest first."""
    if frame.empty:
        return pd.DataFrame(columns=["case_id", "attempts", "pass_rate", "median_minutes"])
    passed = frame["score"] >= frame["max_score"]
    table = frame.assign(passed=passed, minutes=frame["duration_s"] / 60).groupby("case_id").agg(
        attempts=("passed", "size"), pass_rate=("passed", "mean"), median_minutes=("minutes", "median"))
    table["pass_rate"] = table["pass_rate"].round(2)
    table["median_minutes"] = table["median_minutes"].round(1)
    return table.reset_index().sort_values(["pass_rate", "attempts", "case_id"], ascending=[True, False, True])


def review_queue(frame: pd.DataFrame, cases: list[Any], top: int = 10) -> pd.DataFrame:
    """Replies for the lead to read, newest first: those the reply check failed, each beside the
    playbook's model reply (the engine's message in the customer's language) and why it failed."""
    from ..engine import decide

    by_id = {c.id: c for c in cases}
    rows = []
    if frame.empty:
        return pd.DataFrame(columns=["when", "trainee", "case_id", "reply", "model_reply", "why"])
    for _index, row in frame.sort_values("created_at", ascending=False).iterrows():
        miss = next((f for f in row["findings"] or [] if f.get("kind") == "miss" and f.get("check") == "reply"), None)
        case = by_id.get(row["case_id"])
        if miss is None or case is None:
            continue
        decision = decide(case.scenario, case.facts, case.platform, lang=case.lang, as_of=case.as_of)
        rows.append({"when": row["finished_at"], "trainee": row["trainee"], "case_id": case.id,
                     "reply": (row["answers"] or {}).get("reply", ""),
                     "model_reply": decision.message["text"] if decision.message else "",
                     "why": miss.get("why") or miss.get("given", "")})
        if len(rows) >= top:
            break
    return pd.DataFrame(rows, columns=["when", "trainee", "case_id", "reply", "model_reply", "why"])
