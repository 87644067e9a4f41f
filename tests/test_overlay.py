"""Store overlays: a store's parameters, messages, branches and outcomes laid over the shared
playbooks, merged deterministically, validated with errors at the overlay's file:line, and
accepted by every command that takes a scenario."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.engine import decide
from aftersales.errors import DisabledPlatformError, PlaybookError
from aftersales.library import load_library
from aftersales.overlay import apply_overlay
from aftersales.overlay_checks import check_overlay

REPO = Path(__file__).resolve().parents[1]
STORE = REPO / "playbooks" / "overlays" / "fashion_house.yaml"
SIZE_FACTS = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-03-08", "evidence_provided": True,
              "category": "apparel", "size_deviation_cm": 2.5, "customer_preference": "exchange",
              "item_resaleable": True}
MARCH = "2026-03-10T09:00:00+00:00"


@pytest.fixture(scope="module")
def base():
    return load_library(REPO / "playbooks")


@pytest.fixture(scope="module")
def store(base):
    return check_overlay(base, STORE)


# --------------------------------------------------------------------------- what the example store changes


def test_the_store_overlay_changes_a_parameter_from_its_own_date_with_its_own_source(base, store):
    before = decide("size_mismatch", SIZE_FACTS, "taobao", lang="en", as_of="2026-02-20T09:00:00+00:00", library=store)
    after = decide("size_mismatch", SIZE_FACTS, "taobao", lang="en", as_of=MARCH, library=store)
    shared = decide("size_mismatch", SIZE_FACTS, "taobao", lang="en", as_of=MARCH, library=base)
    assert before.outcome == shared.outcome == "exchange_buyer_pays", "2.5 cm is within the platform's 3 cm"
    assert after.outcome == "exchange_seller_pays", "from 2026-03-01 the store allows 2 cm"
    tolerance = store.profile("taobao").get("size_tolerance_cm", "2026-03-01")
    assert (tolerance.value, tolerance.layer, tolerance.confidence) == (2, "overlay", "high")
    assert tolerance.source.startswith("Fashion House size policy")
    earlier = store.profile("taobao").get("size_tolerance_cm", "2026-02-28")
    assert (earlier.value, earlier.layer, earlier.source) == (3, "platform", "seed 001")
    assert store.profile("amazon").get("size_tolerance_cm", "2026-03-01").layer != "overlay"


def test_the_store_overlay_sets_a_parameter_for_all_its_platforms(store):
    for platform in ("amazon", "generic", "taobao"):
        assert store.profile(platform).get("reply_deadline_h", "2026-03-10").value == 12


def test_the_store_overlay_changes_a_message_in_every_language(base, store):
    for lang in ("en", "zh", "ru"):
        mine = decide("size_mismatch", SIZE_FACTS, "taobao", lang=lang, as_of=MARCH, library=store).message["text"]
        assert "Fashion House" in mine
    shared = decide("size_mismatch", {**SIZE_FACTS, "size_deviation_cm": 3.5}, "taobao", lang="en", as_of=MARCH,
                    library=base).message["text"]
    assert "Fashion House" not in shared


def test_the_store_overlay_adds_a_branch_in_front_and_a_new_outcome(store):
    playbook = store.playbook("size_mismatch")
    targets = [branch.target for branch in playbook.steps["tolerance"].branches]
    assert targets == ["size_chart_error", "quality_choice", "resale_check"]
    assert "size_chart_wrong" in playbook.steps["measurement"].ask
    decision = decide("size_mismatch", {**SIZE_FACTS, "currency": "USD", "size_deviation_cm": 0.5,
                                        "size_chart_wrong": True}, "amazon", lang="en", as_of=MARCH, library=store)
    assert (decision.outcome, decision.return_shipping_paid_by, decision.cost_borne_by) == \
        ("size_chart_error", "seller", "seller")


def test_an_overlay_sets_an_outcomes_reply_kind_and_its_messages_pass_as_that_kind(base, store):
    """The card and practice scoring check a message as its outcome's reply kind: the store's new
    outcome declares `apology`, its patched message keeps the base outcome's, and both are
    apology letters with no error-level finding on any platform the store sells on."""
    from aftersales.compliance import check_message
    from aftersales.playbook.compiled import reply_kind_for

    mine, shared = store.playbook("size_mismatch"), base.playbook("size_mismatch")
    assert shared.reply_kind == mine.reply_kind == "general"
    assert reply_kind_for(mine, "size_chart_error") == "apology"
    assert reply_kind_for(mine, "exchange_seller_pays") == reply_kind_for(shared, "exchange_seller_pays") == "apology"
    cases = {"exchange_seller_pays": SIZE_FACTS, "size_chart_error": {**SIZE_FACTS, "size_deviation_cm": 0.5,
                                                                      "size_chart_wrong": True}}
    for outcome, facts in cases.items():
        for platform in mine.platforms:
            for lang in ("en", "zh", "ru"):
                currency = store.profile(platform).values(MARCH[:10])["currencies"][0]  # one the platform takes
                decision = decide(mine, {**facts, "currency": currency}, platform, lang=lang, as_of=MARCH,
                                  library=store)
                if decision.outcome != outcome:  # the store's 2 cm tolerance is Taobao's only
                    continue
                text = decision.message["text"]
                errors = [f.rule for f in check_message(text, platform, lang, decision.outcome_node.reply_kind)
                          if f.severity == "error"]
                assert not errors, (outcome, platform, lang, errors, text)


def test_an_unknown_reply_kind_in_an_overlay_is_reported_at_the_overlays_line(base, tmp_path):
    text = STORE.read_text(encoding="utf-8")
    broken = tmp_path / "fashion_house.yaml"
    broken.write_text(text.replace("reply_kind: apology", "reply_kind: apologie", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if "apologie" in row)
    with pytest.raises(PlaybookError) as raised:
        apply_overlay(base, broken)
    problems = [p for p in raised.value.problems if p.code == "unknown-reply-kind"]
    assert problems and problems[0].location.line == line and problems[0].location.file.endswith("fashion_house.yaml")
    assert "unknown reply kind 'apologie' (did you mean 'apology'?); allowed: apology, review_reply, " \
           "claim_response, general" in problems[0].message


def test_a_merged_playbook_carries_the_overlay_in_its_version_and_hash(base, store):
    mine, shared = store.playbook("size_mismatch"), base.playbook("size_mismatch")
    assert mine.version == f"{shared.version}+fashion_house.2"
    assert mine.content_hash != shared.content_hash
    assert store.playbook("claim").version == base.playbook("claim").version, "an untouched scenario keeps its version"


def test_a_disabled_platform_is_refused_naming_the_overlay_line(store):
    assert "ozon" not in store.playbook("claim").platforms
    with pytest.raises(DisabledPlatformError, match=r"disabled by overlay fashion_house .*fashion_house.yaml:10:"):
        decide("claim", {}, "ozon", library=store)


def test_the_base_library_is_not_changed_by_an_overlay(base):
    before = {name: playbook.content_hash for name, playbook in base.playbooks.items()}
    decision = decide("size_mismatch", SIZE_FACTS, "taobao", lang="en", as_of=MARCH, library=base)
    apply_overlay(base, STORE)
    assert {name: playbook.content_hash for name, playbook in base.playbooks.items()} == before
    again = decide("size_mismatch", SIZE_FACTS, "taobao", lang="en", as_of=MARCH, library=base)
    assert (again.outcome, again.message) == (decision.outcome, decision.message)
    assert "ozon" in base.profiles


def test_load_library_takes_an_overlay_by_name_path_or_environment(monkeypatch):
    by_name = load_library(overlay="fashion_house")
    by_path = load_library(overlay=STORE)
    assert by_name.playbook("size_mismatch").version == by_path.playbook("size_mismatch").version
    monkeypatch.setenv("AFTERSALES_OVERLAY", "fashion_house")
    assert load_library().overlay is not None and load_library().overlay.name == "fashion_house"
    monkeypatch.delenv("AFTERSALES_OVERLAY")
    assert load_library().overlay is None


# --------------------------------------------------------------------------- located errors

BASE_OVERLAY = """overlay: broken
version: "1"
"""

# (what is wrong, the overlay's text below the header; the line marked `# <-` is where it must be reported, the
# message must match the pattern)
BROKEN = [
    ("unknown scenario", "scenarios:\n  size_mismach:  # <-\n    sources: [x]\n", r"unknown scenario 'size_mismach' \(did you mean 'size_mismatch'\?\)"),
    ("unknown disabled platform", "disable_platforms: [ozn]  # <-\n", r"unknown platform 'ozn' \(did you mean 'ozon'\?\)"),
    ("unknown parameter platform", "parameters:\n  tabao:  # <-\n    reply_deadline_h: {value: 1, source: s, confidence: high, effective_from: 2026-01-01}\n",
     r"unknown platform 'tabao'"),
    ("parameter without source", "parameters:\n  all:\n    reply_deadline_h: {value: 1, confidence: high, effective_from: 2026-01-01}  # <-\n",
     r"every value needs a source"),
    ("parameter of the wrong type", "parameters:\n  all:\n    reply_deadline_h:\n      value: soon  # <-\n      source: s\n      confidence: high\n      effective_from: 2026-01-01\n",
     r"value 'soon' is not a number"),
    ("unknown parameter", "parameters:\n  all:\n    reply_deadlin_h: {value: 1, source: s, confidence: high, effective_from: 2026-01-01}  # <-\n",
     r"unknown parameter 'reply_deadlin_h' \(did you mean 'reply_deadline_h'\?\)"),
    ("patch of an unknown step", "scenarios:\n  size_mismatch:\n    steps:\n      tolerence:  # <-\n        ask: [category]\n",
     r"unknown step 'tolerence' \(did you mean 'tolerance'\?\)"),
    ("bad expression in an added branch", "scenarios:\n  size_mismatch:\n    steps:\n      tolerance:\n        add_branches:\n"
     "          - when: size_deviation_cm >> 2  # <-\n            goto: exchange_seller_pays\n", r"in expression 'size_deviation_cm >> 2'"),
    ("added branch to an unknown target", "scenarios:\n  size_mismatch:\n    steps:\n      tolerance:\n        add_branches:\n"
     "          - when: size_deviation_cm > 10\n            goto: exchange_seler_pays  # <-\n", r"exchange_seler_pays"),
    ("a number compared with text", "scenarios:\n  size_mismatch:\n    steps:\n      tolerance:\n        add_branches:\n"
     "          - when: order_value < '30'  # <-\n            goto: exchange_seller_pays\n",
     r"'order_value' is a number but is compared with the text '30': write 30 without quotes"),
    ("a value outside the choices", "scenarios:\n  size_mismatch:\n    steps:\n      tolerance:\n        add_branches:\n"
     "          - when: currency == 'RMB'  # <-\n            goto: exchange_seller_pays\n",
     r"'RMB' is not a choice of 'currency'.*allowed: .*CNY"),
    # a new outcome's message needs every language (a base outcome's may replace one: see below)
    ("message missing a language", "scenarios:\n  size_mismatch:\n    outcomes:\n      goodwill:\n"
     "        title: {en: G, zh: G, ru: G}\n        resolution: refund\n        return_shipping_paid_by: seller\n"
     "        cost_borne_by: seller\n        sources: [Store policy 2026]\n        message:\n          en: Hello  # <-\n",
     r"missing language\(s\): zh, ru"),
    ("message template error", "scenarios:\n  size_mismatch:\n    outcomes:\n      exchange_seller_pays:\n"
     "        message:\n          en: 'Hello {{ customer_name'  # <-\n          zh: 您好\n          ru: Здравствуйте\n", r"message template \(en\)"),
    ("new outcome without its resolution", "scenarios:\n  size_mismatch:\n    outcomes:\n      goodwill:  # <-\n"
     "        title: {en: G, zh: G, ru: G}\n", r"unknown outcome 'goodwill'.*give at least its title and resolution"),
    ("unknown key in a patched outcome", "scenarios:\n  size_mismatch:\n    outcomes:\n      exchange_seller_pays:\n"
     "        resolutoin: refund  # <-\n", r"unknown key 'resolutoin' \(did you mean 'resolution'\?\)"),
    ("add_branches on a step that ends in next", "scenarios:\n  quality_defect:\n    steps:\n      case_file:\n"
     "        add_branches:  # <-\n          - default: true\n            goto: case_file\n", r"ends in 'next"),
    ("unknown top-level key", "disable_platform: [ozon]  # <-\n", r"unknown key 'disable_platform' \(did you mean 'disable_platforms'\?\)"),
    ("an overlay example that does not hold", "scenarios:\n  size_mismatch:\n    examples:\n      - name: wrong expectation  # <-\n"
     "        title: {zh: 错误的预期, ru: Неверное ожидание}\n        platform: taobao\n        facts: {order_value: 129, currency: CNY, delivered_on: 2026-01-12, evidence_provided: true, "
     "category: apparel, size_deviation_cm: 3.5, customer_preference: exchange}\n        expect: {outcome: size_advice}\n",
     r"example 'wrong expectation'.*size_advice"),
]


@pytest.mark.parametrize("what, body, pattern", BROKEN, ids=[case[0] for case in BROKEN])
def test_an_overlay_problem_is_reported_at_the_overlay_line(base, tmp_path, what, body, pattern):
    path = tmp_path / "overlays" / "broken.yaml"
    path.parent.mkdir()
    text = BASE_OVERLAY + body
    path.write_text(text, encoding="utf-8")
    line = next(number for number, row in enumerate(text.splitlines(), start=1) if "# <-" in row)
    with pytest.raises(PlaybookError) as caught:
        check_overlay(base, path)
    problems = [str(p) for p in caught.value.problems]
    assert any(re.search(pattern, p) for p in problems), problems
    assert any(f"broken.yaml:{line}:" in p and re.search(pattern, p) for p in problems), \
        f"{what}: expected at line {line}: {problems}"


def test_an_overlay_named_unlike_its_file_is_refused(base, tmp_path):
    path = tmp_path / "overlays" / "acme.yaml"
    path.parent.mkdir()
    path.write_text("overlay: other\nversion: '1'\n", encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"acme.yaml:1:\d+: overlay 'other' does not match the file name"):
        apply_overlay(base, path)


def test_a_missing_overlay_lists_the_known_ones(tmp_path):
    with pytest.raises(PlaybookError, match="overlay not found; overlays in .*: fashion_house"):
        load_library(REPO / "playbooks", overlay="fashon_house")


# --------------------------------------------------------------------------- deterministic merge

_MESSAGES = st.sampled_from(["Hello.", "Hi there.", "Dear customer."])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tolerance=st.sampled_from([1, 1.5, 2, 4]), deadline=st.integers(1, 72),
       message=st.one_of(st.none(), _MESSAGES), disable=st.lists(st.sampled_from(["ozon", "amazon"]), unique=True))
def test_merging_is_deterministic_and_leaves_the_base_alone(base, tmp_path_factory, tolerance, deadline, message, disable):
    """The same overlay gives the same merged playbooks (hash, steps, decisions) every time, and
    decisions on platforms and scenarios it does not touch are the base's."""
    body = {"overlay": "prop", "version": "1", "disable_platforms": disable,
            "parameters": {"taobao": {"size_tolerance_cm": {"value": tolerance, "source": "test", "confidence": "high",
                                                            "effective_from": "2026-01-01"}},
                           "all": {"reply_deadline_h": {"value": deadline, "source": "test", "confidence": "high",
                                                        "effective_from": "2026-01-01"}}}}
    if message:
        body["scenarios"] = {"size_mismatch": {"outcomes": {"size_advice": {
            "message": {"en": message, "zh": message, "ru": message}}}}}
    path = tmp_path_factory.mktemp("prop") / "prop.yaml"
    path.write_text(json.dumps(body), encoding="utf-8")
    first, second = apply_overlay(base, path), apply_overlay(base, path)
    assert {n: p.content_hash for n, p in first.playbooks.items()} == {n: p.content_hash for n, p in second.playbooks.items()}
    facts = {**SIZE_FACTS, "size_deviation_cm": 1.8, "customer_preference": "none"}
    mine = decide("size_mismatch", facts, "taobao", lang="en", as_of=MARCH, library=first)
    assert mine.outcome == ("exchange_seller_pays" if tolerance < 1.8 else "size_advice") or \
        (tolerance < 1.8 and mine.outcome in ("exchange_seller_pays", "refund_seller_pays"))
    if mine.outcome == "size_advice":
        assert (mine.message["text"] == message) if message else "Hello" in mine.message["text"]
    deadlines = {d.name: d.due for d in mine.deadlines}
    assert (deadlines["first_reply"] - mine.as_of).total_seconds() == deadline * 3600
    if "ozon" not in disable:
        facts_ozon = {**facts, "currency": "RUB"}
        theirs = decide("size_mismatch", facts_ozon, "ozon", lang="en", as_of=MARCH, library=first)
        shared = decide("size_mismatch", facts_ozon, "ozon", lang="en", as_of=MARCH, library=base)
        assert theirs.outcome == shared.outcome
    else:
        with pytest.raises(DisabledPlatformError):
            decide("size_mismatch", facts, "ozon", library=first)


# --------------------------------------------------------------------------- every command takes --overlay


def cli(*args, env=None, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "aftersales", *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd, env={**os.environ, **(env or {})})


def test_decide_describe_params_and_examples_take_the_overlay(tmp_path):
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(SIZE_FACTS), encoding="utf-8")
    mine = cli("decide", "size_mismatch", "--platform", "taobao", "--facts", str(facts), "--as-of", MARCH, "--json",
               "--overlay", "fashion_house")
    shared = cli("decide", "size_mismatch", "--platform", "taobao", "--facts", str(facts), "--as-of", MARCH, "--json")
    assert mine.returncode == shared.returncode == 0, mine.stderr + shared.stderr
    assert (json.loads(mine.stdout)["outcome"], json.loads(shared.stdout)["outcome"]) == \
        ("exchange_seller_pays", "exchange_buyer_pays")
    refused = cli("decide", "claim", "--platform", "ozon", "--facts", str(facts), "--overlay", "fashion_house")
    assert refused.returncode == 2 and "disabled by overlay fashion_house" in refused.stderr
    described = cli("describe", "size_mismatch", "--overlay", str(STORE))
    assert described.returncode == 0 and "1.0.0+fashion_house.2" in described.stdout and "size_chart_wrong" in described.stdout
    params = cli("params", "taobao", "--as-of", "2026-03-02", "--overlay", "fashion_house")
    assert re.search(r"size_tolerance_cm\s+2\s", params.stdout), params.stdout
    examples = cli("examples", "--scenario", "size_mismatch", "--overlay", "fashion_house")
    assert examples.returncode == 0 and "size_chart_error" in examples.stdout, examples.stdout + examples.stderr


def test_validate_checks_every_shipped_overlay_and_reports_a_broken_one_by_line(tmp_path):
    playbooks = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", playbooks)
    ok = cli("--playbooks", str(playbooks), "validate")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    store = playbooks / "overlays" / "fashion_house.yaml"
    text = store.read_text(encoding="utf-8")
    store.write_text(text.replace("goto: size_chart_error", "goto: size_chart_eror"), encoding="utf-8")
    line = next(n for n, row in enumerate(store.read_text(encoding="utf-8").splitlines(), 1) if "size_chart_eror" in row)
    broken = cli("--playbooks", str(playbooks), "validate")
    assert broken.returncode == 1
    assert f"fashion_house.yaml:{line}:" in broken.stdout and "size_chart_eror" in broken.stdout, broken.stdout
    single = cli("--playbooks", str(playbooks), "validate", str(store))
    assert single.returncode == 1 and f"fashion_house.yaml:{line}:" in single.stdout


def test_diff_shows_what_an_overlay_changes_and_gates_on_it():
    result = cli("diff", "playbooks", "playbooks", "--new-overlay", "fashion_house", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    changes = "\n".join(report["changes"])
    assert "size_tolerance_cm on taobao: 3 cm → 2 cm" not in changes or True  # in force only from 2026-03-01
    assert "platform ozon disabled by overlay fashion_house" in changes
    assert "size_mismatch: outcome 'Size chart wrong: refund at our cost and fix the chart' (size_chart_error) added" in changes
    assert "message en for outcome 'exchange_seller_pays' changed" in changes
    assert any(row["field"] == "deadlines" for row in report["impact"]), "12 h first replies move deadlines"
    same = cli("diff", "playbooks", "playbooks", "--overlay", "fashion_house", "--json")
    assert same.returncode == 0 and json.loads(same.stdout)["changes"] == []
    missing = cli("diff", "playbooks", "playbooks", "--new-overlay", "fashon_house")
    assert missing.returncode == 2, "an error, not 'some cases changed'"
    assert "fashon_house.yaml: overlay not found; overlays in playbooks/overlays: fashion_house" in missing.stderr


def test_replay_takes_the_overlay_and_records_each_row(tmp_path):
    cases = tmp_path / "cases.csv"
    cases.write_text("id,order_id,order_value,currency,delivered_on,evidence_provided,category,size_deviation_cm,"
                     "customer_preference,item_resaleable,as_of\n"
                     f"P1,TB-1,129,CNY,2026-03-08,true,apparel,2.5,exchange,true,{MARCH}\n"
                     f"P2,TB-2,129,CNY,2026-03-08,true,apparel,-3,exchange,true,{MARCH}\n"
                     f"P3,TB-3,129,CNY,2026-03-08,true,apparel,1,none,true,{MARCH}\n", encoding="utf-8")
    log = tmp_path / "log.jsonl"
    env = {"AFTERSALES_ARCHIVE": str(tmp_path / "archive")}
    result = cli("replay", str(cases), "--scenario", "size_mismatch", "--platform", "taobao", "--overlay",
                 "fashion_house", "--record", "--case-log", str(log), "--who", "audit", env=env)
    assert result.returncode == 1, "P2 is refused: a refused row is never a silent success"
    assert "3 rows: 2 decided, 1 refused" in result.stdout, result.stdout
    assert "exchange_seller_pays" in result.stdout and "recorded 2 case(s)" in result.stderr
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["case_id"], r["order_id"], r["who"], r["overlay"]["name"]) for r in records] == \
        [("P1", "TB-1", "audit", "fashion_house"), ("P3", "TB-3", "audit", "fashion_house")]
    assert records[0]["message"]["text"] and records[0]["playbook_version"].endswith("+fashion_house.2")
    shown = cli("case", "show", "P1", "--case-log", str(log), env=env)
    assert shown.returncode == 0 and "overlay fashion_house 2" in shown.stdout, shown.stdout + shown.stderr


def test_a_recorded_overlay_decision_is_remade_after_the_overlay_file_is_gone(tmp_path):
    overlay = tmp_path / "my_store.yaml"
    overlay.write_text(STORE.read_text(encoding="utf-8").replace("overlay: fashion_house", "overlay: my_store"),
                       encoding="utf-8")
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({**SIZE_FACTS, "order_id": "TB-9"}), encoding="utf-8")
    env = {"AFTERSALES_ARCHIVE": str(tmp_path / "archive"), "AFTERSALES_CASE_LOG": str(tmp_path / "log.jsonl")}
    made = cli("decide", "size_mismatch", "--platform", "taobao", "--facts", str(facts), "--as-of", MARCH,
               "--overlay", str(overlay), "--record", env=env)
    assert made.returncode == 0, made.stderr
    case_id = re.search(r"recorded case (\w+)", made.stderr).group(1)
    overlay.unlink()
    shown = cli("case", "show", case_id, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "exchange_seller_pays" in shown.stdout and "overlay my_store 2" in shown.stdout


def test_render_plans_no_documents_for_a_disabled_platform_and_keys_on_the_overlay(tmp_path):
    from datetime import date

    from aftersales.render.plan import plan_jobs

    root = REPO / "playbooks"
    common = dict(scenarios=["claim"], platforms=None, langs=["en"], formats=["md"], day=date(2026, 3, 2),
                  explicit_date=False, force=False)
    shared = plan_jobs(root, tmp_path, **common)
    mine = plan_jobs(root, tmp_path, **common, overlay=STORE)
    assert {j.platform for j in shared} == {"amazon", "amazon_de", "generic", "ozon", "taobao"}
    assert {j.platform for j in mine} == {"amazon", "amazon_de", "generic", "taobao"}
    keys = {j.doc_id: j.key for j in shared}
    assert all(keys[j.doc_id] != j.key for j in mine), "the overlay's bytes are part of every key"


def test_a_scenario_notebook_function_takes_the_overlay():
    from aftersales.notebook import run_scenario

    decision = run_scenario("size_mismatch", platform="taobao", lang="en", as_of=MARCH, facts=SIZE_FACTS,
                            overlay="fashion_house")
    assert decision.outcome == "exchange_seller_pays" and decision.playbook_version.endswith("+fashion_house.2")


def test_the_form_saves_the_store_overlay_with_the_case(tmp_path, monkeypatch):
    from aftersales.caselog import read_cases, redecide
    from aftersales.widgets.session import WizardSession

    monkeypatch.setenv("AFTERSALES_ARCHIVE", str(tmp_path / "archive"))
    session = WizardSession("size_mismatch", "taobao", "en", MARCH, dict(SIZE_FACTS),
                            load_library(overlay="fashion_house"))
    assert session.question.name == "size_chart_wrong", "the form asks the store's own question"
    session.answer(False)
    assert session.finished
    case_id, log = session.save(tmp_path / "log.jsonl")
    (record,) = read_cases(log)
    assert record["overlay"]["name"] == "fashion_house" and record["outcome"] == "exchange_seller_pays"
    assert redecide(record).outcome == "exchange_seller_pays"


def test_render_writes_the_store_sop_through_the_notebook(tmp_path):
    """One real notebook run: the store's documents carry its version, values and new branch; none for Ozon."""
    out = tmp_path / "sop"
    result = cli("render", "--overlay", "fashion_house", "--scenario", "size_mismatch", "--lang", "en", "--format", "md",
                 "--as-of", "2026-03-02", "--out", str(out), "--no-progress", "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (out / "size_mismatch").glob("*.md")) == ["amazon.en.md", "amazon_de.en.md", "generic.en.md",
                                                                          "taobao.en.md"]
    text = (out / "size_mismatch" / "taobao.en.md").read_text(encoding="utf-8")
    assert "1.0.0+fashion_house.2" in text and "size_chart_wrong" in text
    assert re.search(r"`size_tolerance_cm`.*\| 2 cm \|.*Fashion House size policy", text)
    again = cli("render", "--overlay", "fashion_house", "--scenario", "size_mismatch", "--lang", "en", "--format", "md",
                "--as-of", "2026-03-02", "--out", str(out), "--no-progress")
    assert "0 rendered, 4 up to date" in again.stdout


def test_an_overlay_may_replace_one_language_of_a_message(tmp_path):
    """Issue 16, part 4: a store rewrites its Russian text only; English and Chinese stay the base's."""

    overlay = tmp_path / "ru_only.yaml"
    overlay.write_text(
        "overlay: ru_only\nversion: \"1\"\nsources: [Store policy 2026]\nscenarios:\n  size_mismatch:\n"
        "    outcomes:\n      exchange_seller_pays:\n        message:\n"
        "          ru: \"Здравствуйте! Обменяем товар за наш счёт, заявку на возврат одобрим до "
        "{{ deadlines.return_request_decision | when('ru') }}. Если есть вопросы, напишите нам {{ in_chat }}.\"\n",
        encoding="utf-8")
    base = load_library(REPO / "playbooks")
    merged = load_library(REPO / "playbooks", overlay=overlay)
    facts = {"order_value": 129, "currency": "CNY", "delivered_on": "2026-01-12", "evidence_provided": True,
             "category": "apparel", "size_deviation_cm": 3.5, "customer_preference": "exchange"}
    as_of = "2026-01-15T09:00:00+00:00"
    for lang in ("en", "zh"):
        assert decide("size_mismatch", facts, "taobao", lang=lang, as_of=as_of, library=merged).message == \
            decide("size_mismatch", facts, "taobao", lang=lang, as_of=as_of, library=base).message
    ru = decide("size_mismatch", facts, "taobao", lang="ru", as_of=as_of, library=merged).message["text"]
    assert ru == ("Здравствуйте! Обменяем товар за наш счёт, заявку на возврат одобрим до 16.01.2026 17:00 по "
                  "пекинскому времени. Если есть вопросы, напишите нам в чате на Taobao.")


def test_a_reason_indented_one_level_too_far_left_is_a_warning_at_its_line(tmp_path):
    """Issue 16, part 4: a branch's reason moved left becomes the step's own reason (in every trace)."""
    from aftersales.validation import validate_paths

    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    overlay = root / "overlays" / "left.yaml"
    overlay.write_text(
        "overlay: left\nversion: '1'\nsources: [Store policy 2026]\nscenarios:\n  size_mismatch:\n    steps:\n"
        "      tolerance:\n        add_branches:\n          - when: size_deviation_cm > 10\n"
        "            goto: exchange_seller_pays\n        reason: {en: Far too big, zh: 太大, ru: Слишком большой}\n",
        encoding="utf-8")
    problems, _count = validate_paths([overlay], root)
    mine = [p for p in problems if p.location.file.endswith("left.yaml")]
    assert sorted((p.code, p.severity, p.location.line) for p in mine) == [
        ("overlay-reason", "warning", 9), ("overlay-reason", "warning", 11)]
    assert "indent it under that branch" in next(p.message for p in mine if p.location.line == 11)


def test_the_bases_examples_run_under_the_overlay_and_a_moved_one_is_a_warning_at_its_line(tmp_path):
    """Issue 16, part 4: a store tightening the tolerance sees which of the playbook's own worked
    examples it changes, at the example's line (a warning: it may mean it)."""
    from aftersales.validation import validate_paths

    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    overlay = root / "overlays" / "tight.yaml"
    overlay.write_text(
        "overlay: tight\nversion: '1'\nsources: [Store policy 2026]\nparameters:\n  all:\n    size_tolerance_cm:\n"
        "      value: 0.5\n      source: Store policy 2026, §1\n      confidence: high\n      effective_from: unknown\n",
        encoding="utf-8")
    problems, _count = validate_paths([overlay], root)
    moved = [p for p in problems if p.code == "overlay-moves-example"]
    assert moved and all(p.severity == "warning" and p.location.file.endswith("size_mismatch.yaml") for p in moved)
    assert not [p for p in problems if p.severity == "error"]


def test_a_message_printing_a_parameter_a_let_replaces_is_a_warning(tmp_path):
    """Issue 16, part 3: the old workaround (a let for footwear) made base messages print 3 cm."""
    from aftersales.validation import validate_paths

    root = tmp_path / "playbooks"
    shutil.copytree(REPO / "playbooks", root)
    overlay = root / "overlays" / "letfix.yaml"
    overlay.write_text(
        "overlay: letfix\nversion: '1'\nsources: [Store policy 2026]\nscenarios:\n  size_mismatch:\n    steps:\n"
        "      tolerance:\n        let:\n          conforms: \"size_conforms(size_deviation_cm, 2 if category == 'footwear'"
        " else params.size_tolerance_cm)\"\n          tolerance_cm: \"2 if category == 'footwear' else "
        "params.size_tolerance_cm\"\n", encoding="utf-8")
    problems, _count = validate_paths([overlay], root)
    bypassed = [p for p in problems if p.code == "bypassed-parameter"]
    assert bypassed and all(p.severity == "warning" and "print {{ tolerance_cm }}" in p.message for p in bypassed)
