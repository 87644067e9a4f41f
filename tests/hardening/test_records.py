"""Issue 13, decision records: the case log never drops a complete record, ``case show`` trusts
an archive only when it matches its hash, and a full or read-only disk is a one-line error that
says the decision was not recorded."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales import caselog
from aftersales.caselog import ARCHIVE_LISTING, append_case, append_cases, read_cases
from aftersales.cli import main

REPO = Path(__file__).resolve().parents[2]
FACTS = {"order_id": "TB-20260112-0042", "customer_name": "Li Na", "order_value": 129, "currency": "CNY",
         "delivered_on": "2026-01-12", "evidence_provided": True, "category": "apparel",
         "size_deviation_cm": 3.5, "customer_preference": "exchange", "item_resaleable": True}


# ---------------------------------------------------------------- the case log keeps every whole record


def _read_only(monkeypatch, target) -> None:
    """Make ``os.open`` of ``target`` fail as on a read-only disk (tests may run as root)."""
    real_open = os.open

    def read_only(path, *args, **kwargs):
        if str(path) == str(target):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)

def test_a_one_line_log_without_a_newline_keeps_its_record(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"case_id":"only"}')  # whole, only the newline is missing (an editor, a copy)
    assert [r["case_id"] for r in read_cases(log)] == ["only"], "readers do not skip a whole last record"
    append_case({"case_id": "next"}, log)
    assert [r["case_id"] for r in read_cases(log)] == ["only", "next"]
    assert log.read_bytes() == b'{"case_id":"only"}\n{"case_id":"next"}\n', "the newline is added, nothing cut"


def test_a_whole_last_record_without_a_newline_survives_an_append(tmp_path):
    log = tmp_path / "log.jsonl"
    append_cases([{"case_id": "a"}, {"case_id": "b"}], log)
    with log.open("ab") as handle:
        handle.write(json.dumps({"case_id": "c", "text": "ñ界 }"}, ensure_ascii=False).encode())
    append_cases([{"case_id": "d"}], log)
    assert [r["case_id"] for r in read_cases(log)] == ["a", "b", "c", "d"]


@pytest.mark.parametrize("torn", [b'{"case_id":"torn","text":"xx', b'{"case_id":"torn","text":"\xe7\x95', b'{"case_id"',
                                  b"[1, 2"])
def test_only_a_tail_that_does_not_parse_is_torn(tmp_path, torn):
    log = tmp_path / "log.jsonl"
    append_case({"case_id": "whole"}, log)
    with log.open("ab") as handle:
        handle.write(torn)  # a writer killed mid-write (the second one cut inside a character)
    assert [r["case_id"] for r in read_cases(log)] == ["whole"]
    append_case({"case_id": "next"}, log)
    assert [r["case_id"] for r in read_cases(log)] == ["whole", "next"]
    assert b"torn" not in log.read_bytes()


def test_a_middle_line_that_is_not_a_record_is_a_located_error(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"case_id":"a"}\n[1]\n{"case_id":"b"}\n')
    with pytest.raises(caselog.AftersalesError, match=r"log.jsonl:2: not a case record"):
        list(read_cases(log))


WRITERS = """
import sys
from aftersales.caselog import append_case
for n in range(int(sys.argv[2])):
    append_case({"case_id": f"{sys.argv[3]}-{n}", "text": "x" * 2000}, sys.argv[1])
"""


def test_concurrent_writers_keep_a_record_left_without_a_newline(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_bytes(b'{"case_id":"first"}')
    writers = [subprocess.Popen([sys.executable, "-c", WRITERS, str(log), "40", f"w{i}"]) for i in range(4)]
    assert all(w.wait(timeout=60) == 0 for w in writers)
    ids = [r["case_id"] for r in read_cases(log)]
    assert ids[0] == "first" and len(ids) == 1 + 4 * 40 and len(set(ids)) == len(ids)


def test_a_read_only_or_full_case_log_is_one_error_saying_nothing_was_recorded(tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    with monkeypatch.context() as patch:
        _read_only(patch, log)
        with pytest.raises(caselog.AftersalesError, match="Read-only file system; the decision was not recorded"):
            append_case({"case_id": "x"}, log)
    monkeypatch.setattr(os, "write", lambda fd, data: len(data) // 2)  # the disk filled up mid-line
    with pytest.raises(caselog.AftersalesError, match="not recorded"):
        append_case({"case_id": "x"}, log)


# ---------------------------------------------------------------- case show trusts only a matching archive

@pytest.fixture(scope="module")
def shipped_copy(tmp_path_factory):
    """One copy of the shipped playbooks for the module. The tests only read it (each records into
    its own case log and archive, and tampers only with those), so the library it holds is loaded
    once for the module instead of once per test."""
    playbooks = tmp_path_factory.mktemp("shipped") / "playbooks"
    shutil.copytree(REPO / "playbooks", playbooks, ignore=shutil.ignore_patterns("cases"))
    return playbooks


@pytest.fixture
def env(tmp_path, monkeypatch, shipped_copy):
    playbooks = shipped_copy
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS), encoding="utf-8")
    monkeypatch.setenv("AFTERSALES_CASE_LOG", str(tmp_path / "log.jsonl"))
    monkeypatch.setenv("AFTERSALES_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.delenv("AFTERSALES_OVERLAY", raising=False)
    return tmp_path, playbooks, facts


def _decide(playbooks, facts, *extra):
    return main(["--playbooks", str(playbooks), "decide", "size_mismatch", "--platform", "taobao", "--facts", str(facts),
                 "--as-of", "2026-01-15T09:00:00+00:00", "--lang", "en", *extra])


def _recorded(env, capsys):
    tmp_path, playbooks, facts = env
    assert _decide(playbooks, facts, "--record", "--who", "ana") == 0
    capsys.readouterr()
    (record,) = read_cases(tmp_path / "log.jsonl")
    return record, tmp_path / "archive" / record["library_hash"]


def _show(capsys, case_id):
    code = main(["case", "show", case_id])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_untouched_archive_is_shown(env, capsys):
    record, _folder = _recorded(env, capsys)
    code, out, err = _show(capsys, record["case_id"])
    assert code == 0, err
    assert "exchange_seller_pays" in out


def test_an_edited_archived_playbook_is_an_error_naming_the_file(env, capsys):
    record, folder = _recorded(env, capsys)
    archived = folder / "size_mismatch.yaml"
    text = archived.read_text(encoding="utf-8")
    assert "return_shipping_paid_by: seller" in text
    archived.write_text(text.replace("return_shipping_paid_by: seller", "return_shipping_paid_by: buyer"), encoding="utf-8")
    code, out, err = _show(capsys, record["case_id"])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and str(archived) in err and record["library_hash"] in err


def test_an_edit_in_an_archive_without_its_listing_names_the_archive(env, capsys):
    record, folder = _recorded(env, capsys)
    (folder / ARCHIVE_LISTING).unlink()  # archived before the listing existed
    checklist = folder / "size_mismatch.yaml"
    checklist.write_text(checklist.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    code, out, err = _show(capsys, record["case_id"])
    assert code == 2 and str(folder) in err and "changed" in err and len(err.strip().splitlines()) == 1


def test_a_file_added_to_an_archive_is_an_error(env, capsys):
    record, folder = _recorded(env, capsys)
    (folder / "platforms" / "extra.yaml").write_text("platform: extra\n", encoding="utf-8")
    code, _out, err = _show(capsys, record["case_id"])
    assert code == 2 and "extra.yaml" in err


@pytest.mark.parametrize("library_hash", ["../../../elsewhere/playbooks", "/etc", "ABCDEF0123456789abcd", "abc", "",
                                          None, 5, ["x"]])
def test_a_library_hash_that_is_not_one_is_refused(env, capsys, library_hash):
    tmp_path = env[0]
    record, _folder = _recorded(env, capsys)
    record["library_hash"] = library_hash
    (tmp_path / "log.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, out, err = _show(capsys, record["case_id"])
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "not a library hash" in err or "not archived" in err


def test_a_path_as_library_hash_is_refused_even_when_it_leads_to_playbooks(env, capsys):
    tmp_path, playbooks, _facts = env
    record, _folder = _recorded(env, capsys)
    shutil.copytree(playbooks, tmp_path / "elsewhere" / "playbooks")  # a folder the path really reaches
    record["library_hash"] = "../elsewhere/playbooks"
    (tmp_path / "log.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, out, err = _show(capsys, record["case_id"])
    assert code == 2 and out == "" and "not a library hash" in err and len(err.strip().splitlines()) == 1


def test_a_foreign_archive_under_a_valid_hash_is_an_error(env, capsys):
    tmp_path = env[0]
    record, folder = _recorded(env, capsys)
    foreign = tmp_path / "archive" / ("0" * 20)
    shutil.copytree(folder, foreign)  # another library's folder, or this one renamed: not what the hash names
    record["library_hash"] = "0" * 20
    (tmp_path / "log.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _out, err = _show(capsys, record["case_id"])
    assert code == 2 and str(foreign) in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("overlay", [{"name": "../../x", "version": "1", "hash": "0" * 20},
                                     {"name": "store", "version": "1", "hash": "../../overlays"},
                                     {"name": "store", "version": "1", "hash": "0" * 20}])
def test_an_overlay_that_is_not_archived_as_recorded_is_refused(env, capsys, overlay):
    tmp_path = env[0]
    record, _folder = _recorded(env, capsys)
    record["overlay"] = overlay
    target = tmp_path / "archive" / "overlays" / ("0" * 20) / "store.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("overlay: store\nversion: '1'\n", encoding="utf-8")  # does not hash to 000…
    (tmp_path / "log.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _out, err = _show(capsys, record["case_id"])
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "not an overlay" in err or str(target) in err


def test_a_record_edited_in_the_log_is_reported_as_differing(env, capsys):
    tmp_path = env[0]
    record, _folder = _recorded(env, capsys)
    record["cost_borne_by"] = "platform"
    (tmp_path / "log.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    code, _out, err = _show(capsys, record["case_id"])
    assert code == 1 and "differs from the record" in err


# ---------------------------------------------------------------- decide --record on a full or read-only disk

@pytest.mark.parametrize("code_", [errno.ENOSPC, errno.EROFS])
def test_decide_record_with_the_archive_on_a_full_or_read_only_disk(env, capsys, monkeypatch, code_):
    tmp_path, playbooks, facts = env

    def fail(*args, **kwargs):
        raise OSError(code_, os.strerror(code_))

    monkeypatch.setattr(shutil, "copy2", fail)
    assert _decide(playbooks, facts, "--record") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "the decision was not recorded" in err and os.strerror(code_) in err
    assert not (tmp_path / "log.jsonl").exists()
    assert not [p for p in (tmp_path / "archive").iterdir()], "no half archive left behind"


def test_decide_record_with_the_case_log_on_a_read_only_disk(env, capsys, monkeypatch):
    tmp_path, playbooks, facts = env
    log = tmp_path / "log.jsonl"
    _read_only(monkeypatch, log)
    assert _decide(playbooks, facts, "--record") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "not recorded" in err and "Read-only" in err


def test_an_unknown_case_names_a_close_id_but_never_lists_the_others(tmp_path):
    from aftersales.caselog import find_case
    from aftersales.errors import UnknownNameError

    log = tmp_path / "log.jsonl"
    append_cases([{"case_id": f"case{n:03d}"} for n in range(60)], log)
    with pytest.raises(UnknownNameError) as caught:
        find_case("case0599", log)
    message = str(caught.value)
    assert message.startswith("unknown case 'case0599'") and str(log) in message
    assert message.count("case0") <= 2, message
