"""Path analytics over the case log, for team leads: which steps cases pass through, where they
leave the flow for an outcome, the outcome mix per platform, how often agents overrode the
recommendation (and with what), and how long each step takes in the form.

Everything starts from :func:`load_case_log` (one row per saved case); :func:`step_frame`
expands it to one row per step visited. The functions after them are pure pandas on those
frames and return tables; :func:`charts` draws the ones people would rather look at.

Records saved before the form timed its questions have no ``step_times``; records saved before
overrides were recorded, or made outside the form (``decide --record``, ``replay --record``),
have no ``override`` key. Both are *unknown* here (``NaN`` seconds, ``<NA>`` overridden), never
zero: they neither shorten the times nor lower the override rate.

:func:`write_demo_case_log` writes a reproducible log of real records (practice-bank cases and
worked examples walked through the form's session on every platform, with seeded step times,
a seeded share of overrides and a share of records in the old format), for the demo notebook
and its golden copy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .caselog import append_case, read_cases

__all__ = [
    "CASE_COLUMNS",
    "STEP_COLUMNS",
    "cases_frame",
    "charts",
    "exit_steps",
    "load_case_log",
    "outcome_mix",
    "abandoned_sessions",
    "back_tracks",
    "cost_per_outcome",
    "override_changes",
    "override_rate",
    "override_reasons",
    "per_agent",
    "per_version",
    "weekly_trend",
    "popular_steps",
    "report",
    "section_html",
    "step_frame",
    "summary",
    "time_per_step",
    "write_demo_case_log",
]

#: The columns of :func:`load_case_log`'s frame, one row per case.
CASE_COLUMNS = [
    "case_id", "order_id", "session", "saved_at", "who", "scenario", "platform", "lang", "playbook_version", "overlay",
    "compensation", "currency",
    "outcome", "resolution", "path", "steps", "exit_step", "overridden", "override_outcome",
    "override_resolution", "override_reason", "final_outcome", "final_resolution", "timed", "seconds",
    "step_times",
]
#: The columns of :func:`step_frame`, one row per step a case passed through.
STEP_COLUMNS = ["case_id", "scenario", "platform", "position", "step", "last", "seconds"]


# --- loading -------------------------------------------------------------------------------------

def load_case_log(path: Path | str | None = None) -> pd.DataFrame:
    """The case log at ``path`` (default: ``$AFTERSALES_CASE_LOG`` or ``~/.aftersales/case-log.jsonl``)
    as one row per case; a missing log is an empty frame, a torn last line is skipped."""
    return cases_frame(read_cases(path))


def _seconds(value: Any) -> float:
    """A recorded duration, ``NaN`` when it is missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def _case_row(record: dict[str, Any]) -> dict[str, Any]:
    path = [str(step) for step in record.get("path") or []]
    override = record.get("override") or None
    times = record.get("step_times")
    timed = isinstance(times, list)
    return {
        "case_id": record.get("case_id"),
        "order_id": record.get("order_id"),
        "session": record.get("session"),
        "saved_at": record.get("saved_at"),
        "who": record.get("who"),
        "scenario": record.get("scenario"),
        "platform": record.get("platform"),
        "lang": record.get("lang"),
        "playbook_version": record.get("playbook_version"),
        "overlay": (record.get("overlay") or {}).get("name") if isinstance(record.get("overlay"), dict) else None,
        "compensation": _amount(record.get("compensation")),
        "currency": (record.get("compensation") or {}).get("currency") if isinstance(record.get("compensation"), dict)
        else None,
        "outcome": record.get("outcome"),
        "resolution": record.get("resolution"),
        "path": path,
        "steps": len(path),
        "exit_step": path[-1] if path else None,
        "overridden": (override is not None) if "override" in record else pd.NA,
        "override_outcome": override.get("outcome") if override else None,
        "override_resolution": override.get("resolution") if override else None,
        "override_reason": override.get("reason") if override else None,
        "final_outcome": override.get("outcome") if override else record.get("outcome"),
        "final_resolution": override.get("resolution") if override else record.get("resolution"),
        "timed": timed,
        "seconds": math.fsum(_seconds(t.get("seconds")) for t in times) if timed else math.nan,
        "step_times": times if timed else None,
    }


def _amount(compensation: Any) -> float:
    """The compensation amount of a record, ``NaN`` when there is none."""
    if isinstance(compensation, dict):
        return _seconds(compensation.get("amount"))
    return math.nan


def cases_frame(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Case-log records as :data:`CASE_COLUMNS` (``overridden`` is a nullable boolean: ``<NA>``
    for records that do not say; ``seconds`` is the time the questions took, ``NaN`` untimed)."""
    frame = pd.DataFrame([_case_row(record) for record in records], columns=CASE_COLUMNS)
    frame["saved_at"] = pd.to_datetime(frame["saved_at"], utc=True, errors="coerce", format="ISO8601")
    frame["overridden"] = frame["overridden"].astype("boolean")
    frame["timed"] = frame["timed"].astype(bool)
    frame["steps"] = frame["steps"].astype(int)
    frame["seconds"] = frame["seconds"].astype(float)
    frame["compensation"] = frame["compensation"].astype(float)
    return frame


def step_frame(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per step each case passed through (:data:`STEP_COLUMNS`), in path order.

    ``seconds`` is the time the step's questions were on screen, summed; ``NaN`` when the case
    was not timed, or when the step asked nothing in the form (a check, or facts given up front).
    ``last`` marks the step the case left the flow from.
    """
    rows = []
    for case in cases.itertuples(index=False):
        asked: dict[str, list[float]] = {}
        for timing in case.step_times or []:
            asked.setdefault(str(timing.get("step")), []).append(_seconds(timing.get("seconds")))
        for position, step in enumerate(case.path, start=1):
            seconds = math.fsum(asked[step]) if step in asked else math.nan
            rows.append({"case_id": case.case_id, "scenario": case.scenario, "platform": case.platform,
                         "position": position, "step": step, "last": position == len(case.path),
                         "seconds": seconds})
    frame = pd.DataFrame(rows, columns=STEP_COLUMNS)
    frame["seconds"] = frame["seconds"].astype(float)
    return frame


# --- tables --------------------------------------------------------------------------------------

def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100 * part / whole).round(1)


def summary(cases: pd.DataFrame) -> pd.DataFrame:
    """One row: cases, how many were timed, how many say whether they were overridden, and how
    many were; first and last save."""
    known = cases["overridden"].dropna()
    return pd.DataFrame([{
        "cases": len(cases),
        "scenarios": cases["scenario"].nunique(),
        "platforms": cases["platform"].nunique(),
        "timed": int(cases["timed"].sum()),
        "override_known": len(known),
        "overridden": int(known.sum()),
        "first_saved": cases["saved_at"].min() if len(cases) else pd.NaT,
        "last_saved": cases["saved_at"].max() if len(cases) else pd.NaT,
    }])


def popular_steps(cases: pd.DataFrame) -> pd.DataFrame:
    """Visits per step per scenario, and the share (%) of the scenario's cases that visit it."""
    columns = ["scenario", "step", "visits", "percent"]
    steps = step_frame(cases)
    if steps.empty:
        return pd.DataFrame(columns=columns)
    visits = steps.groupby(["scenario", "step"]).size().rename("visits").reset_index()
    per_scenario = cases.groupby("scenario").size()
    visits["percent"] = _percent(visits["visits"], visits["scenario"].map(per_scenario))
    return visits.sort_values(["scenario", "visits", "step"], ascending=[True, False, True],
                              ignore_index=True)[columns]


def exit_steps(cases: pd.DataFrame) -> pd.DataFrame:
    """The last step of each path (where cases leave the flow for an outcome): cases per step and
    their share (%) of the scenario's cases."""
    columns = ["scenario", "step", "cases", "percent"]
    leaving = cases.dropna(subset=["exit_step"])
    if leaving.empty:
        return pd.DataFrame(columns=columns)
    exits = leaving.groupby(["scenario", "exit_step"]).size().rename("cases").reset_index()
    exits = exits.rename(columns={"exit_step": "step"})
    exits["percent"] = _percent(exits["cases"], exits["scenario"].map(cases.groupby("scenario").size()))
    return exits.sort_values(["scenario", "cases", "step"], ascending=[True, False, True], ignore_index=True)[columns]


def outcome_mix(cases: pd.DataFrame, *, by: str = "resolution", scenario: str | None = None,
                chosen: bool = True, percent: bool = False) -> pd.DataFrame:
    """Cases per platform (rows) and ``by`` (``"resolution"`` or ``"outcome"``, columns), for one
    ``scenario`` or all; ``percent``: each platform's row as shares (%) summing to 100.

    ``chosen`` counts what the case ended with (the agent's override where there was one);
    ``chosen=False`` counts the engine's recommendations.
    """
    if by not in ("resolution", "outcome"):
        raise ValueError(f"by must be 'resolution' or 'outcome', not {by!r}")
    column = f"final_{by}" if chosen else by
    selected = cases if scenario is None else cases[cases["scenario"] == scenario]
    if selected.empty:
        return pd.DataFrame()
    mix = pd.crosstab(selected["platform"], selected[column].rename(by))
    if percent:
        mix = (100 * mix.div(mix.sum(axis=1), axis=0)).round(1)
    mix.columns.name = by
    return mix


def override_rate(cases: pd.DataFrame, by: Sequence[str] = ("scenario", "platform")) -> pd.DataFrame:
    """Per group: cases, how many say whether they were overridden (``known``), how many were,
    and the rate (% of the known ones; ``NaN`` when none is known)."""
    columns = [*by, "cases", "known", "overridden", "percent"]
    if cases.empty:
        return pd.DataFrame(columns=columns)
    grouped = cases.groupby(list(by))["overridden"]
    table = pd.DataFrame({"cases": grouped.size(), "known": grouped.count(),
                          "overridden": grouped.sum().astype(int)}).reset_index()
    table["percent"] = _percent(table["overridden"], table["known"].where(table["known"] > 0))
    return table[columns]


def override_changes(cases: pd.DataFrame) -> pd.DataFrame:
    """Which recommendation agents replaced with which outcome, most frequent first."""
    columns = ["scenario", "recommended", "chosen", "cases"]
    overridden = cases[cases["overridden"].fillna(False).astype(bool)]
    if overridden.empty:
        return pd.DataFrame(columns=columns)
    changes = (overridden.groupby(["scenario", "outcome", "override_outcome"]).size().rename("cases").reset_index()
               .rename(columns={"outcome": "recommended", "override_outcome": "chosen"}))
    return changes.sort_values(["cases", "scenario", "recommended", "chosen"], ascending=[False, True, True, True],
                               ignore_index=True)[columns]


def override_reasons(cases: pd.DataFrame) -> pd.DataFrame:
    """Why agents overrode, most frequent first: the reason as written, how often, for which
    recommendation and choice (a lead reads these to see where the playbook misses cases)."""
    columns = ["scenario", "recommended", "chosen", "reason", "cases"]
    overridden = cases[cases["overridden"].fillna(False).astype(bool)]
    if overridden.empty:
        return pd.DataFrame(columns=columns)
    reasons = overridden.assign(reason=overridden["override_reason"].fillna("(no reason given)").str.strip())
    table = (reasons.groupby(["scenario", "outcome", "override_outcome", "reason"]).size().rename("cases")
             .reset_index().rename(columns={"outcome": "recommended", "override_outcome": "chosen"}))
    return table.sort_values(["cases", "scenario", "reason"], ascending=[False, True, True], ignore_index=True)[columns]


def per_agent(cases: pd.DataFrame) -> pd.DataFrame:
    """Per agent or trainee (``who``): cases saved, overrides (of the cases that say), and the
    median seconds the questions took (timed cases only)."""
    columns = ["who", "cases", "overridden", "override_percent", "median_s"]
    if cases.empty:
        return pd.DataFrame(columns=columns)
    named = cases.assign(who=cases["who"].fillna("(not named)"))
    grouped = named.groupby("who")
    table = pd.DataFrame({"cases": grouped.size(), "known": grouped["overridden"].count(),
                          "overridden": grouped["overridden"].sum().astype(int),
                          "median_s": grouped["seconds"].median().round(1)}).reset_index()
    table["override_percent"] = _percent(table["overridden"], table["known"].where(table["known"] > 0))
    return table.sort_values(["cases", "who"], ascending=[False, True], ignore_index=True)[columns]


def per_version(cases: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, playbook version and store overlay: cases and overrides, so a lead sees whether
    a new version is overridden less."""
    columns = ["scenario", "playbook_version", "overlay", "cases", "overridden", "override_percent"]
    if cases.empty:
        return pd.DataFrame(columns=columns)
    frame = cases.assign(overlay=cases["overlay"].fillna("(none)"),
                         playbook_version=cases["playbook_version"].fillna("(unknown)"))
    grouped = frame.groupby(["scenario", "playbook_version", "overlay"])
    table = pd.DataFrame({"cases": grouped.size(), "known": grouped["overridden"].count(),
                          "overridden": grouped["overridden"].sum().astype(int)}).reset_index()
    table["override_percent"] = _percent(table["overridden"], table["known"].where(table["known"] > 0))
    return table[columns]


def cost_per_outcome(cases: pd.DataFrame) -> pd.DataFrame:
    """Compensation paid per final outcome and currency (never added across currencies): cases,
    cases with a compensation, total and median amount."""
    columns = ["scenario", "outcome", "currency", "cases", "compensated", "total", "median"]
    paid = cases.dropna(subset=["compensation"])
    if paid.empty:
        return pd.DataFrame(columns=columns)
    counts = cases.groupby(["scenario", "final_outcome"]).size().rename("cases")
    grouped = paid.assign(currency=paid["currency"].fillna("(no currency)")).groupby(
        ["scenario", "final_outcome", "currency"])["compensation"]
    table = pd.DataFrame({"compensated": grouped.size(), "total": grouped.sum().round(2),
                          "median": grouped.median().round(2)}).reset_index()
    table = table.join(counts, on=["scenario", "final_outcome"]).rename(columns={"final_outcome": "outcome"})
    return table.sort_values(["scenario", "total"], ascending=[True, False], ignore_index=True)[columns]


def weekly_trend(cases: pd.DataFrame) -> pd.DataFrame:
    """Cases per ISO week (Monday) and final resolution: a row per week, a column per resolution."""
    dated = cases.dropna(subset=["saved_at"])
    if dated.empty:
        return pd.DataFrame()
    weeks = dated["saved_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("W-SUN").dt.start_time.dt.date
    table = dated.assign(week=weeks).pivot_table(index="week", columns="final_resolution", values="case_id",
                                                 aggfunc="count", fill_value=0)
    table.columns.name = None
    return table


def abandoned_sessions(events: list[dict[str, Any]], cases: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: form sessions started, saved as a case, abandoned (started, never saved), the
    share abandoned, and the question most abandoned sessions stopped after (from the session log,
    :mod:`aftersales.sessionlog`)."""
    columns = ["scenario", "started", "saved", "abandoned", "abandoned_percent", "most_left_after"]
    starts = [e for e in events if e.get("event") == "start"]
    if not starts:
        return pd.DataFrame(columns=columns)
    saved_ids = set(cases["session"].dropna()) if "session" in cases else set()
    answered: dict[str, list[str]] = {}  # per session, the questions answered and not taken back
    for event in events:
        stack = answered.setdefault(event["session"], [])
        if event.get("event") == "answer":
            stack.append(str(event.get("question")))
        elif event.get("event") == "back" and stack and stack[-1] == event.get("question"):
            stack.pop()
    last = {session: stack[-1] for session, stack in answered.items() if stack}
    rows = []
    frame = pd.DataFrame(starts)
    for scenario, group in frame.groupby("scenario"):
        sessions = set(group["session"])
        abandoned = sessions - saved_ids
        left = [s for s in abandoned if s in last]  # a session opened and left without an answer says little
        left_after = pd.Series([last[s] for s in left]).value_counts()
        rows.append({"scenario": scenario, "started": len(sessions), "saved": len(sessions & saved_ids),
                     "abandoned": len(abandoned), "most_left_after": left_after.index[0] if len(left_after) else "—"})
    table = pd.DataFrame(rows)
    table["abandoned_percent"] = _percent(table["abandoned"], table["started"])
    return table[columns]


def back_tracks(events: list[dict[str, Any]]) -> pd.DataFrame:
    """Per scenario and question: how often agents went Back from it (a question they doubt)."""
    columns = ["scenario", "question", "backs", "sessions"]
    backs = [e for e in events if e.get("event") == "back"]
    if not backs:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(backs)
    grouped = frame.groupby(["scenario", "question"])
    table = pd.DataFrame({"backs": grouped.size(), "sessions": grouped["session"].nunique()}).reset_index()
    return table.sort_values(["backs", "scenario"], ascending=[False, True], ignore_index=True)[columns]


def time_per_step(cases: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and step asked in the form: how many timed visits, and the median and 90th
    percentile of the seconds its questions were on screen (untimed visits are left out)."""
    columns = ["scenario", "step", "timed", "median_s", "p90_s"]
    steps = step_frame(cases).dropna(subset=["seconds"])
    if steps.empty:
        return pd.DataFrame(columns=columns)
    grouped = steps.groupby(["scenario", "step"])["seconds"]
    table = pd.DataFrame({"timed": grouped.size(), "median_s": grouped.median().round(1),
                          "p90_s": grouped.quantile(0.9).round(1)}).reset_index()
    return table.sort_values(["scenario", "median_s", "step"], ascending=[True, False, True],
                             ignore_index=True)[columns]


def report(cases: pd.DataFrame, events: list[dict[str, Any]] | None = None) -> list[tuple[str, pd.DataFrame]]:
    """The tables of the path analytics notebook, titled, in reading order (``events``: the form's
    session log, for abandoned sessions and back-tracks)."""
    sections = [
        ("Case log", summary(cases)),
        ("Popular steps: visits per step", popular_steps(cases)),
        ("Exit steps: where cases leave the flow", exit_steps(cases)),
        ("Resolution mix per platform (cases)", outcome_mix(cases).T),  # a column per platform reads better
        ("Resolution mix per platform (% of the platform's cases)", outcome_mix(cases, percent=True).T),
    ]
    for scenario in sorted(cases["scenario"].dropna().unique()):
        sections.append((f"Outcomes of {scenario} per platform (cases)",
                         outcome_mix(cases, by="outcome", scenario=scenario).T))
    sections += [
        ("Overrides per scenario", override_rate(cases, by=("scenario",))),
        ("Overrides per platform", override_rate(cases, by=("platform",))),
        ("Overrides: recommended → chosen", override_changes(cases)),
        ("Why agents overrode", override_reasons(cases)),
        ("Per agent", per_agent(cases)),
        ("Per playbook version and store overlay", per_version(cases)),
        ("Compensation per outcome and currency", cost_per_outcome(cases)),
        ("Cases per week and resolution", weekly_trend(cases)),
        *([("Form sessions abandoned (started, never saved)", abandoned_sessions(events, cases)),
           ("Where agents go Back", back_tracks(events))] if events else []),
        ("Time per step (seconds)", time_per_step(cases)),
    ]
    return sections


def section_html(title: str, table: pd.DataFrame) -> str:
    """One titled table as HTML (row numbers left out where the index is only a count)."""
    from html import escape

    numbered = isinstance(table.index, pd.RangeIndex)
    # a lead reads "unknown", never pandas' <NA> or NaN
    shown = table.astype(object).where(table.notna(), "unknown") if not table.empty else table
    return f"<h3>{escape(title)}</h3>{shown.to_html(border=0, index=not numbered)}"


# --- charts --------------------------------------------------------------------------------------

def charts(cases: pd.DataFrame, *, top_steps: int = 12) -> Any:
    """A figure: the resolution mix per platform as stacked bars (%), the override rate per
    scenario, and the median time of the slowest ``top_steps`` steps. Headless (no pyplot)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(15, 4.5))
    mix_axes, override_axes, time_axes = figure.subplots(1, 3)
    mix = outcome_mix(cases, percent=True)
    if not mix.empty:
        mix.plot.bar(ax=mix_axes, stacked=True, rot=0, colormap="tab20", width=0.7)
        mix_axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    mix_axes.set_title("Resolution mix per platform (%)")
    mix_axes.set_ylim(0, 100)
    rates = override_rate(cases, by=("scenario",)).dropna(subset=["percent"])
    if not rates.empty:
        rates.set_index("scenario")["percent"].sort_values().plot.barh(ax=override_axes, color="#d07a4a")
    override_axes.set_title("Overridden recommendations (% of known)")
    override_axes.set_ylabel("")
    times = time_per_step(cases)
    if not times.empty:
        times = times.nlargest(top_steps, "median_s")
        labels = times["scenario"] + " · " + times["step"]
        times.set_index(labels)["median_s"].sort_values().plot.barh(ax=time_axes, color="#4a7bd0")
    time_axes.set_title(f"Median seconds per step (slowest {top_steps})")
    time_axes.set_ylabel("")
    figure.tight_layout()
    return figure


# --- the demo log --------------------------------------------------------------------------------

#: Typical seconds an agent spends on a question of each input type (the demo's medians).
_DEMO_SECONDS = {"bool": 7.0, "choice": 10.0, "int": 14.0, "number": 16.0, "money": 15.0, "date": 12.0,
                 "datetime": 18.0, "text": 35.0}
_DEMO_REASONS = (
    "Repeat customer: goodwill approved by the lead",
    "The photos show more damage than the customer described",
    "The customer agreed by phone to another solution",
    "Out of stock: the replacement cannot ship in time",
    "The platform's support advised another route",
)


def _demo_sources(library: Any) -> list[tuple[str, str, str, Any, dict[str, Any]]]:
    """(scenario, platform, lang, as_of, facts) of every practice-bank case and worked example."""
    from .examples import EXAMPLE_AS_OF
    from .training.cases import load_cases

    sources = [(case.scenario, case.platform, case.lang, case.as_of, dict(case.facts)) for case in load_cases()]
    for scenario in library.scenarios:
        for example, _location in library.playbook(scenario).examples:
            sources.append((scenario, example.platform, example.lang or "en", example.as_of or EXAMPLE_AS_OF,
                            dict(example.facts)))
    return sources


def _demo_record(source: tuple, library: Any, rng: random.Random, *, case_id: str, who: str, speed: float,
                 override_share: float) -> dict[str, Any]:
    """Walk one source case through the form's session on a manual clock, as an agent would."""
    from .engine import resolve_as_of
    from .widgets.session import ManualClock, Override, WizardSession

    scenario, platform, lang, as_of, facts = source
    playbook = library.playbook(scenario)
    asked = {name for step in playbook.steps.values() for name in step.ask}
    given = {name: value for name, value in facts.items() if name not in asked}  # from the order system
    clock = ManualClock(resolve_as_of(as_of))
    session = WizardSession(scenario, platform, lang, as_of, given, library, clock, log_sessions=False)
    while (question := session.question) is not None:
        value = facts[question.name] if question.name in facts else question.default
        clock.advance(speed * rng.lognormvariate(math.log(_DEMO_SECONDS.get(question.type, 12.0)), 0.5))
        session.answer(value)
        if len(session.order) > 1 and rng.random() < 0.04:  # went back to check the answer, then on again
            clock.advance(rng.uniform(2, 8))
            session.back()
            clock.advance(rng.uniform(3, 10))
            session.answer(value)
    override = None
    if rng.random() < override_share:
        override = Override(rng.choice(session.other_outcomes()), rng.choice(_DEMO_REASONS))
    clock.advance(rng.uniform(20, 90))  # reading the card, copying the message
    record = session.record(override=override, case_id=case_id, who=who, saved_at=clock.now())
    record.pop("session", None)  # a random id: the demo log stays byte-for-byte reproducible
    return record


def write_demo_case_log(path: Path | str, *, cases: int = 240, seed: int = 6, override_share: float = 0.12,
                        legacy_share: float = 0.1, library: Any = None) -> Path:
    """Write a reproducible case log of ``cases`` real records to ``path`` (replacing it).

    Practice-bank cases and worked examples on all four platforms are walked through the form's
    session with seeded step times (per agent speed and question type), the odd Back, and a
    share ``override_share`` of overrides; the first ``legacy_share`` are written as records
    from before step times and overrides (without those fields). Decisions, times and ids depend
    only on ``seed`` and the playbooks. Like every saved case, the playbooks are archived by hash.
    """
    from .library import load_library

    library = library if library is not None else load_library()
    rng = random.Random(seed)
    sources = _demo_sources(library)
    agents = {f"agent-{n}": rng.uniform(0.7, 1.4) for n in range(1, 6)}
    legacy = round(cases * legacy_share)
    target = Path(path)
    target.unlink(missing_ok=True)
    for n in range(cases):
        who = rng.choice(sorted(agents))
        record = _demo_record(rng.choice(sources), library, rng, case_id=f"demo-{n + 1:04d}", who=who,
                              speed=agents[who], override_share=override_share)
        if n < legacy:
            del record["step_times"], record["override"]
        append_case(record, target)
    return target
