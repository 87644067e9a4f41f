"""Path analytics: a small hand-made case log with known answers for each table, old records
(no step times, no override field) counted as unknown, an empty log, a torn last line, and the
demo log of real records."""

from __future__ import annotations

import io
import json
import math
from typing import Any, Callable

import pandas as pd
import pytest

from aftersales import analytics as an
from aftersales import decide
from aftersales.caselog import append_case, read_cases
from aftersales.library import load_library

UNSET: Any = object()


def record(case_id: str, scenario: str, platform: str, path: list[str], outcome: str, resolution: str, *,
           override: Any = UNSET, times: Any = UNSET) -> dict[str, Any]:
    """A case-log record with what the analytics read; UNSET leaves a field out, as old records do."""
    data = {"case_id": case_id, "order_id": f"O-{case_id}", "saved_at": f"2026-01-15T09:0{case_id[-1]}:00+00:00",
            "who": "ana", "scenario": scenario, "platform": platform, "lang": "en", "playbook_version": "1.0.0",
            "path": path, "outcome": outcome, "resolution": resolution}
    if override is not UNSET:
        data["override"] = override
    if times is not UNSET:
        data["step_times"] = [{"step": step, "input": name, "seconds": seconds} for step, name, seconds in times]
    return data


SIZE_PATH = ["intake", "measurement", "tolerance", "quality_choice"]
LOG = [
    # 1: timed, followed the recommendation; 'tolerance' asks nothing, so it has no time
    record("c1", "size_mismatch", "taobao", SIZE_PATH, "exchange_seller_pays", "exchange", override=None,
           times=[("intake", "order_value", 10), ("intake", "currency", 4), ("measurement", "size_deviation_cm", 20),
                  ("quality_choice", "customer_preference", 6)]),
    # 2: timed, the agent chose the exchange instead of the recommended refund
    record("c2", "size_mismatch", "taobao", ["intake", "measurement", "tolerance", "resale_check"],
           "refund_seller_pays", "refund",
           override={"outcome": "exchange_seller_pays", "resolution": "exchange", "reason": "stock"},
           times=[("intake", "order_value", 8), ("measurement", "size_deviation_cm", 30),
                  ("resale_check", "item_resaleable", 5)]),
    # 3: an old record, saved before step times and overrides were recorded: both unknown
    record("c3", "size_mismatch", "ozon", SIZE_PATH, "exchange_seller_pays", "exchange"),
    # 4: every fact given up front: timed, but nothing asked
    record("c4", "claim", "amazon", ["intake", "evidence"], "dispute_with_proof", "dispute", override=None, times=[]),
    # 5: timed, overridden
    record("c5", "claim", "amazon", ["intake", "evidence"], "accept_claim", "accept_claim",
           override={"outcome": "dispute_with_proof", "resolution": "dispute", "reason": "proof of delivery"},
           times=[("intake", "claim_type", 12), ("evidence", "seller_evidence", 40)]),
]


@pytest.fixture()
def cases(tmp_path) -> pd.DataFrame:
    log = tmp_path / "log.jsonl"
    for entry in LOG:
        append_case(entry, log)
    return an.load_case_log(log)


def rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A table's rows as lists, NaN and <NA> as None (so they compare)."""
    return [[None if (not isinstance(v, str) and pd.isna(v)) else v for v in row]
            for row in frame.astype(object).values.tolist()]


def only(scenario: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda table: table[table["scenario"] == scenario]


TABLES = [
    ("popular steps: every size case passes intake, two of three end at quality_choice",
     lambda c: only("size_mismatch")(an.popular_steps(c)),
     [["size_mismatch", "intake", 3, 100.0], ["size_mismatch", "measurement", 3, 100.0],
      ["size_mismatch", "tolerance", 3, 100.0], ["size_mismatch", "quality_choice", 2, 66.7],
      ["size_mismatch", "resale_check", 1, 33.3]]),
    ("popular steps of claims",
     lambda c: only("claim")(an.popular_steps(c)),
     [["claim", "evidence", 2, 100.0], ["claim", "intake", 2, 100.0]]),
    ("exit steps: the last step of each path, with its share of the scenario's cases",
     an.exit_steps,
     [["claim", "evidence", 2, 100.0], ["size_mismatch", "quality_choice", 2, 66.7],
      ["size_mismatch", "resale_check", 1, 33.3]]),
    ("resolution mix per platform: what cases ended with, overrides included",
     lambda c: an.outcome_mix(c).reset_index(),
     [["amazon", 2, 0], ["ozon", 0, 1], ["taobao", 0, 2]]),
    ("resolution mix of the recommendations",
     lambda c: an.outcome_mix(c, chosen=False).reset_index(),
     [["amazon", 1, 1, 0, 0], ["ozon", 0, 0, 1, 0], ["taobao", 0, 0, 1, 1]]),
    ("outcome mix of one scenario, as shares of each platform's cases",
     lambda c: an.outcome_mix(c, by="outcome", scenario="size_mismatch", chosen=False, percent=True).reset_index(),
     [["ozon", 100.0, 0.0], ["taobao", 50.0, 50.0]]),
    ("override rate per scenario: the old record is unknown, not 'not overridden'",
     lambda c: an.override_rate(c, by=("scenario",)),
     [["claim", 2, 2, 1, 50.0], ["size_mismatch", 3, 2, 1, 50.0]]),
    ("override rate per platform: no known record, no rate",
     lambda c: an.override_rate(c, by=("platform",)),
     [["amazon", 2, 2, 1, 50.0], ["ozon", 1, 0, 0, None], ["taobao", 2, 2, 1, 50.0]]),
    ("override rate per scenario and platform",
     an.override_rate,
     [["claim", "amazon", 2, 2, 1, 50.0], ["size_mismatch", "ozon", 1, 0, 0, None],
      ["size_mismatch", "taobao", 2, 2, 1, 50.0]]),
    ("which recommendations were replaced with what",
     an.override_changes,
     [["claim", "accept_claim", "dispute_with_proof", 1], ["size_mismatch", "refund_seller_pays",
                                                           "exchange_seller_pays", 1]]),
    ("time per step: untimed and question-less visits left out; median and p90 of the rest",
     an.time_per_step,
     [["claim", "evidence", 1, 40.0, 40.0], ["claim", "intake", 1, 12.0, 12.0],
      ["size_mismatch", "measurement", 2, 25.0, 29.0], ["size_mismatch", "intake", 2, 11.0, 13.4],
      ["size_mismatch", "quality_choice", 1, 6.0, 6.0], ["size_mismatch", "resale_check", 1, 5.0, 5.0]]),
]


@pytest.mark.parametrize("what, table, expected", TABLES, ids=[t[0] for t in TABLES])
def test_each_table_gives_the_known_answer(cases, what, table, expected):
    assert rows(table(cases)) == expected


def test_the_column_names_of_the_crosstabs():
    frame = an.cases_frame(LOG)
    assert list(an.outcome_mix(frame).columns) == ["dispute", "exchange"]
    assert list(an.outcome_mix(frame, chosen=False).columns) == ["accept_claim", "dispute", "exchange", "refund"]


def test_one_row_per_case_with_unknowns_kept_unknown(cases):
    """Old records: overridden <NA> and seconds NaN; a timed case that asked nothing took 0 s."""
    by_id = cases.set_index("case_id")
    assert list(cases["case_id"]) == ["c1", "c2", "c3", "c4", "c5"]
    assert rows(by_id[["overridden", "timed", "seconds", "final_outcome", "exit_step", "steps"]].reset_index()) == [
        ["c1", False, True, 40.0, "exchange_seller_pays", "quality_choice", 4],
        ["c2", True, True, 43.0, "exchange_seller_pays", "resale_check", 4],
        ["c3", None, False, None, "exchange_seller_pays", "quality_choice", 4],
        ["c4", False, True, 0.0, "dispute_with_proof", "evidence", 2],
        ["c5", True, True, 52.0, "dispute_with_proof", "evidence", 2],
    ]
    assert str(cases["saved_at"].dt.tz) == "UTC"


def test_the_step_frame_has_a_row_per_step_visited_with_seconds_when_known(cases):
    steps = an.step_frame(cases)
    assert len(steps) == sum(len(entry["path"]) for entry in LOG)
    first = steps[steps["case_id"] == "c1"]
    assert rows(first[["position", "step", "last", "seconds"]]) == [
        [1, "intake", False, 14.0], [2, "measurement", False, 20.0], [3, "tolerance", False, None],
        [4, "quality_choice", True, 6.0]]
    assert steps[steps["case_id"] == "c3"]["seconds"].isna().all(), "an untimed case's steps are unknown"


def test_the_summary_counts_timed_and_known_override_records(cases):
    (row,) = an.summary(cases).to_dict("records")
    assert {k: row[k] for k in ("cases", "scenarios", "platforms", "timed", "override_known", "overridden")} == {
        "cases": 5, "scenarios": 2, "platforms": 3, "timed": 4, "override_known": 4, "overridden": 2}


def test_a_torn_last_line_is_skipped(tmp_path):
    log = tmp_path / "log.jsonl"
    append_case(LOG[0], log)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(LOG[1])[:40])
    assert list(an.load_case_log(log)["case_id"]) == ["c1"]


@pytest.mark.parametrize("content", [None, ""], ids=["no log yet", "empty log"])
def test_an_empty_log_gives_empty_tables_with_their_columns(tmp_path, content):
    log = tmp_path / "log.jsonl"
    if content is not None:
        log.write_text(content)
    cases = an.load_case_log(log)
    assert cases.empty and list(cases.columns) == an.CASE_COLUMNS
    assert an.step_frame(cases).empty and list(an.step_frame(cases).columns) == an.STEP_COLUMNS
    assert list(an.popular_steps(cases).columns) == ["scenario", "step", "visits", "percent"]
    assert list(an.exit_steps(cases).columns) == ["scenario", "step", "cases", "percent"]
    assert list(an.override_rate(cases).columns) == ["scenario", "platform", "cases", "known", "overridden", "percent"]
    assert list(an.override_changes(cases).columns) == ["scenario", "recommended", "chosen", "cases"]
    assert list(an.time_per_step(cases).columns) == ["scenario", "step", "timed", "median_s", "p90_s"]
    assert an.outcome_mix(cases).empty
    assert an.summary(cases).loc[0, "cases"] == 0
    assert [title for title, _table in an.report(cases)][0] == "Case log"
    an.charts(cases).savefig(io.BytesIO(), format="png")


def test_outcome_mix_refuses_an_unknown_grouping(cases):
    with pytest.raises(ValueError, match="by must be"):
        an.outcome_mix(cases, by="platform")


def test_the_charts_draw_headless(cases):
    """Three panels (resolution mix, overrides, time per step), written as a PNG without a display."""
    figure = an.charts(cases)
    assert [axes.get_title() for axes in figure.axes[:3]] == [
        "Resolution mix per platform (%)", "Overridden recommendations (% of known)",
        "Median seconds per step (slowest 12)"]
    png = io.BytesIO()
    figure.savefig(png, format="png")
    assert png.getvalue()[:4] == b"\x89PNG"


# --- the demo log --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Any, list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AFTERSALES_ARCHIVE", str(folder / "archive"))
        first = an.write_demo_case_log(folder / "a.jsonl", cases=60, seed=3)
        second = an.write_demo_case_log(folder / "b.jsonl", cases=60, seed=3)
    return (first, second), list(read_cases(first))


def test_the_demo_log_is_reproducible(demo):
    (first, second), records = demo
    assert first.read_bytes() == second.read_bytes()
    assert len(records) == 60 and len({r["case_id"] for r in records}) == 60


def test_the_demo_records_are_real_decisions_on_every_platform(demo):
    """Each record's outcome is what the engine decides from its facts; all four platforms appear."""
    _paths, records = demo
    assert {r["platform"] for r in records} == {"amazon", "generic", "ozon", "taobao"}
    assert {r["scenario"] for r in records} == set(load_library().scenarios)
    for entry in records:
        again = decide(entry["scenario"], entry["facts"], entry["platform"], lang=entry["lang"], as_of=entry["as_of"])
        assert again.outcome == entry["outcome"], entry["case_id"]
        assert entry["path"] == [step["step"] for step in entry["trace"][:-1] if not step.get("note")]


def test_the_demo_has_old_records_timed_records_and_valid_overrides(demo):
    _paths, records = demo
    old = [r for r in records if "step_times" not in r]
    assert len(old) == 6 and all("override" not in r for r in old)
    timed = [r for r in records if "step_times" in r]
    assert all(t["step"] in r["path"] and t["seconds"] > 0 for r in timed for t in r["step_times"])
    overridden = [r for r in timed if r["override"]]
    assert overridden, "a seeded share of overrides"
    for entry in overridden:
        assert entry["override"]["outcome"] != entry["outcome"] and entry["override"]["reason"].strip()
    frame = an.cases_frame(records)
    assert frame["overridden"].isna().sum() == 6 and frame["seconds"].isna().sum() == 6
    assert not math.isnan(an.time_per_step(frame)["median_s"].max())


# --- what a lead asks of the log (issue 16, part 9) ----------------------------------------------

def _lead_records() -> list[dict]:
    base = {"scenario": "size_mismatch", "platform": "taobao", "lang": "zh", "playbook_version": "1.0.0",
            "outcome": "exchange_seller_pays", "resolution": "exchange", "path": ["intake", "tolerance"]}
    return [
        {**base, "case_id": "a", "who": "ana", "saved_at": "2026-01-05T09:00:00+00:00", "override": None,
         "compensation": {"amount": 10, "currency": "CNY"}},
        {**base, "case_id": "b", "who": "ana", "saved_at": "2026-01-06T09:00:00+00:00",
         "override": {"outcome": "refund_seller_pays", "resolution": "refund", "reason": "Out of stock"},
         "compensation": {"amount": 20, "currency": "CNY"}},
        {**base, "case_id": "c", "who": "bo", "saved_at": "2026-01-13T09:00:00+00:00", "platform": "ozon",
         "playbook_version": "1.1.0", "overlay": {"name": "fashion_house", "version": "2"},
         "override": {"outcome": "refund_seller_pays", "resolution": "refund", "reason": "Out of stock"},
         "compensation": {"amount": 300, "currency": "RUB"}},
        {**base, "case_id": "d", "saved_at": "2026-01-14T09:00:00+00:00"},  # no who, no override key: unknown
    ]


def test_the_leads_tables_count_reasons_agents_versions_money_and_weeks() -> None:
    cases = an.cases_frame(_lead_records())
    reasons = an.override_reasons(cases)
    assert reasons.to_dict("records") == [{"scenario": "size_mismatch", "recommended": "exchange_seller_pays",
                                           "chosen": "refund_seller_pays", "reason": "Out of stock", "cases": 2}]
    agents = an.per_agent(cases).set_index("who")
    assert agents.loc["ana", "cases"] == 2 and agents.loc["ana", "override_percent"] == 50.0
    assert agents.loc["(not named)", "cases"] == 1
    versions = an.per_version(cases).set_index(["playbook_version", "overlay"])
    assert versions.loc[("1.1.0", "fashion_house"), "overridden"] == 1
    money = an.cost_per_outcome(cases)
    assert set(money["currency"]) == {"CNY", "RUB"}  # never added across currencies
    cny = money[money["currency"] == "CNY"].set_index("outcome")
    assert cny.loc["exchange_seller_pays", "total"] == 10 and cny.loc["refund_seller_pays", "total"] == 20
    weeks = an.weekly_trend(cases)
    assert [str(w) for w in weeks.index] == ["2026-01-05", "2026-01-12"]
    assert weeks.loc[weeks.index[0]].to_dict() == {"exchange": 1, "refund": 1}


def test_a_lead_never_reads_na_or_nan() -> None:
    html = "".join(an.section_html(title, table) for title, table in an.report(an.cases_frame(_lead_records())))
    assert "&lt;NA&gt;" not in html and "<NA>" not in html and "NaN" not in html and "unknown" in html


def test_abandoned_sessions_and_back_tracks_come_from_the_form_session_log(tmp_path, monkeypatch) -> None:
    """Issue 16, part 9: a session started and never saved is abandoned; Back is counted per question."""
    from aftersales.sessionlog import read_events
    from aftersales.widgets.session import WizardSession

    log = tmp_path / "sessions.jsonl"
    monkeypatch.setenv("AFTERSALES_SESSION_LOG", str(log))
    facts = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
             "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    saved = WizardSession("size_mismatch", "taobao", as_of="2026-01-15T09:00:00+00:00")
    while saved.question is not None:
        saved.answer(facts.get(saved.question.name, saved.question.default))
    case_id, _path = saved.save(tmp_path / "cases.jsonl")
    left = WizardSession("size_mismatch", "taobao", as_of="2026-01-15T09:00:00+00:00")
    first = left.question.name
    left.answer(facts[first])
    second = left.question.name
    left.answer(facts[second])
    left.back()  # takes the second answer back, then the agent closes the tab
    events = read_events(log)
    cases = an.load_case_log(tmp_path / "cases.jsonl")
    table = an.abandoned_sessions(events, cases).set_index("scenario")
    assert table.loc["size_mismatch", ["started", "saved", "abandoned"]].tolist() == [2, 1, 1]
    assert table.loc["size_mismatch", "most_left_after"] == first
    backs = an.back_tracks(events)
    assert backs.to_dict("records") == [{"scenario": "size_mismatch", "question": second, "backs": 1, "sessions": 1}]
    titles = [title for title, _table in an.report(cases, events)]
    assert "Form sessions abandoned (started, never saved)" in titles and "Where agents go Back" in titles
