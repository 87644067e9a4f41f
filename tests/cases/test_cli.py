"""``aftersales decide --record``, ``case show``, ``cases --order`` and ``cases import | status |
due | followed-up`` through :func:`aftersales.cli.main`, on temp files only."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from aftersales.caselog import read_cases
from aftersales.cases.store import CaseStore
from aftersales.cli import main

FACTS = {"order_id": "TB-20260112-0042", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
         "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
         "size_deviation_cm": 3.5, "customer_preference": "exchange", "item_resaleable": True}


@pytest.fixture
def where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    paths = {"log": tmp_path / "log.jsonl", "db": tmp_path / "cases.db", "facts": tmp_path / "facts.json"}
    monkeypatch.setenv("AFTERSALES_CASE_LOG", str(paths["log"]))
    monkeypatch.setenv("AFTERSALES_DB_URL", f"sqlite:///{paths['db']}")
    paths["facts"].write_text(json.dumps(FACTS), encoding="utf-8")
    return paths


def _decide(where: dict[str, Path], capsys: pytest.CaptureFixture[str], lang: str = "zh", who: str = "ana") -> str:
    code = main(["decide", "size_mismatch", "--platform", "taobao", "--facts", str(where["facts"]), "--lang", lang,
                 "--as-of", "2026-01-14T10:00:00+08:00", "--record", "--who", who])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "in the case store sqlite:///" in err
    return next(line.split()[2] for line in err.splitlines() if line.startswith("recorded case"))


def test_decide_record_writes_the_log_and_the_store_and_show_reads_the_store(where, capsys):
    case_id = _decide(where, capsys)
    [record] = list(read_cases(where["log"]))
    with CaseStore() as store:
        case = store.get(case_id)
        assert case is not None and case.decision == record and case.owner == "ana" and case.status == "open"
    assert main(["case", "show", case_id]) == 0
    out = capsys.readouterr().out
    assert "status open · owner ana" in out and "TB-20260112-0042" in out
    assert main(["cases", "--order", "TB-20260112-0042"]) == 0
    out = capsys.readouterr().out
    assert case_id in out and "[open · owner ana]" in out


def test_a_teammates_case_is_shown_from_the_store(where, capsys, tmp_path):
    """Decided on another machine (another case log), shared through the store."""
    case_id = _decide(where, capsys)
    mine = tmp_path / "mine.jsonl"
    assert main(["case", "show", case_id, "--case-log", str(mine)]) == 0
    out = capsys.readouterr().out
    assert "status open · owner ana" in out and "exchange_seller_pays" in out
    assert main(["cases", "--order", "TB-20260112-0042", "--case-log", str(mine)]) == 0
    assert case_id in capsys.readouterr().out


def test_show_and_order_fall_back_to_the_log_when_the_store_lacks_the_case(where, capsys, tmp_path):
    case_id = _decide(where, capsys)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert main(["case", "show", case_id, "--db", other]) == 0
    assert "status open" not in capsys.readouterr().out
    assert main(["cases", "--order", "TB-20260112-0042", "--db", other]) == 0
    out = capsys.readouterr().out
    assert case_id in out and "owner" not in out


def test_import_is_lossless_and_idempotent(where, capsys, tmp_path):
    for lang, who in (("en", "ana"), ("ru", "bo"), ("zh", "chen")):
        _decide(where, capsys, lang, who)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert main(["cases", "import", "--db", fresh]) == 0
    assert "imported 3 new decision record(s) of 3" in capsys.readouterr().out
    assert main(["cases", "import", "--db", fresh, "--case-log", str(where["log"])]) == 0
    assert "imported 0 new decision record(s) of 3" in capsys.readouterr().out
    with CaseStore(fresh) as store:
        assert list(store.decision_records()) == list(read_cases(where["log"]))


def test_status_due_and_followed_up_on_the_command_line(where, capsys):
    case_id = _decide(where, capsys, "ru", "bo")
    assert main(["cases", "status", case_id, "closed", "--satisfaction", "5"]) == 2
    assert "allowed next: waiting_customer, return_in_transit, repair_in_progress, resolved" in capsys.readouterr().err
    assert main(["cases", "status", case_id, "repair_in_progress", "--who", "bo", "--expected", "2026-02-01"]) == 0
    assert "open → repair_in_progress" in capsys.readouterr().out

    assert main(["cases", "due", "--date", "2026-01-20"]) == 0
    table = capsys.readouterr().out
    assert "== bo (1)" in table and "Ваш товар сейчас в ремонте, ожидаем закончить его до 01.02.2026" in table
    assert main(["cases", "due", "--date", "2026-01-20", "--format", "csv", "--owner", "bo"]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["case_id"], row["status"], row["customer_lang"], row["overdue"]) == (case_id, "repair_in_progress", "ru", "True")
    assert main(["cases", "due", "--date", "2026-01-20", "--format", "json", "--owner", "nobody"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 0

    assert main(["cases", "followed-up", case_id, "--who", "bo", "--note", "called"]) == 0
    assert "follow-up recorded" in capsys.readouterr().out
    assert main(["cases", "due", "--date", "2026-01-20", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 0  # due again tomorrow (today's date: long after)

    assert main(["cases", "status", case_id, "resolved"]) == 0
    assert main(["cases", "status", case_id, "closed"]) == 2
    assert "satisfaction" in capsys.readouterr().err
    assert main(["cases", "status", case_id, "closed", "--satisfaction", "not-asked"]) == 0
    with CaseStore() as store:
        kinds = [e.kind for e in store.events(case_id)]
    assert kinds == ["decision", "status", "follow_up", "status", "status"]


def test_cases_without_order_or_subcommand_says_what_to_give(where, capsys):
    assert main(["cases"]) == 2
    assert "give --order ORDER_ID, or a subcommand" in capsys.readouterr().err
    assert main(["cases", "status", "ghost", "resolved"]) == 2
    assert "unknown case 'ghost'" in capsys.readouterr().err


def test_a_store_that_cannot_be_reached_still_leaves_the_record_in_the_log(where, capsys, monkeypatch):
    monkeypatch.setenv("AFTERSALES_DB_URL", "mysql://nobody@nowhere/db")
    code = main(["decide", "size_mismatch", "--platform", "taobao", "--facts", str(where["facts"]),
                 "--as-of", "2026-01-14T10:00:00+08:00", "--record"])
    err = capsys.readouterr().err
    assert code == 2 and "is recorded in the case log" in err and "aftersales cases import" in err
    assert len(list(read_cases(where["log"]))) == 1


def test_owner_and_note_on_the_command_line(where, capsys):
    case_id = _decide(where, capsys, "en", "ana")
    assert main(["cases", "owner", case_id, "bo", "--who", "lead"]) == 0
    assert "owner ana → bo" in capsys.readouterr().out
    assert main(["cases", "note", case_id, "customer prefers phone calls", "--who", "bo"]) == 0
    with CaseStore() as store:
        case = store.get(case_id)
        events = store.events(case_id)
    assert case is not None and case.owner == "bo"
    assert [(e.kind, e.who) for e in events] == [("decision", "ana"), ("owner", "lead"), ("note", "bo")]
    assert events[-1].data == {"text": "customer prefers phone calls"}
