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


def seed_demo(store: Any, cases: list[Any], *, trainees: int = 4, attempts: int = 60, seed: int = 7) -> int:
    """Fill ``store`` with a reproducible set of attempts (for the demo and the golden notebook)."""
    from .store import Attempt

    rng = random.Random(seed)
    start = datetime(2026, 10, 5, 9, 0, tzinfo=timezone.utc)
    names = [f"trainee-{n + 1}" for n in range(trainees)]
    checks = ["resolution", "return_shipping_paid_by", "cost_borne_by", "compensation", "reply"]
    for n in range(attempts):
        case = rng.choice(cases)
        trainee = names[n % trainees]
        missed = rng.sample(checks, k=rng.choice([0, 0, 1, 1, 2, 3]))
        findings = [{"kind": "miss", "check": c, "expected": "", "given": "", "source": ""} for c in missed]
        if "resolution" in missed:
            findings.append({"kind": "path", "step": "intake", "expected": "evidence", "given": "what_went_wrong"})
        when = start + timedelta(days=n // 3, hours=n % 3)
        store.record(Attempt(trainee=trainee, case_id=case.id, scenario=case.scenario, platform=case.platform,
                             answers={}, score=float(len(checks) - len(missed)), max_score=float(len(checks)),
                             findings=findings, playbook_version="1.0.0", playbook_hash="demo",
                             started_at=when, finished_at=when + timedelta(minutes=4)))
    return attempts
