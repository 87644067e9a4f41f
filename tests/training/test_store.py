"""The progress store against SQLite (always) and a real PostgreSQL server (when installed).

Round trips (JSON with Chinese and Russian text, aware UTC datetimes), filters, the DataFrame,
append-only enforcement by the database, the default location, error messages (bad URL,
locked or unreachable database, passwords hidden), and 16 processes recording 500 attempts
each at once: none lost, no error reaching a worker.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import queue
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aftersales.errors import AftersalesError
from aftersales.training.store import COLUMNS, Attempt, ProgressStore

CST = timezone(timedelta(hours=8))  # China Standard Time
MSK = timezone(timedelta(hours=3))  # Moscow
WORKERS, PER_WORKER = 16, 500
CONCURRENCY_TIMEOUT_S = 300


def attempt(**overrides: Any) -> Attempt:
    """A complete attempt; keywords override fields."""
    fields: dict[str, Any] = dict(
        trainee="王芳", case_id="size-mismatch-01", scenario="size_mismatch", platform="taobao",
        answers={"reply": "您好，我们马上为您办理退货。",
                 "facts": {"size": "XL", "note": "Здравствуйте, размер не подошёл"},
                 "compensation": 12.5, "photos": [1, 2], "agreed": True, "missing": None},
        score=4.5, max_score=5.0,
        findings=[{"kind": "miss", "check": "reply", "expected": "извинение", "given": ""},
                  {"kind": "path", "step": "intake", "expected": "evidence", "given": "退货"}],
        playbook_version="1.2.0", playbook_hash="9f86d081884c",
        started_at=datetime(2026, 10, 5, 9, 0, 0, 250_000, tzinfo=CST),
        finished_at=datetime(2026, 10, 5, 9, 4, 30, 250_000, tzinfo=CST),
    )
    fields.update(overrides)
    return Attempt(**fields)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- round trip, filters, DataFrame ---------------------------------------------------------------

def test_round_trip_keeps_json_unicode_and_aware_utc_datetimes(store_url: str) -> None:
    original = attempt()
    before = datetime.now(timezone.utc)
    with ProgressStore(store_url) as store:
        new_id = store.record(original)
    after = datetime.now(timezone.utc)
    assert original.id is None and original.created_at is None, "record() must not change its argument"

    with ProgressStore(store_url) as reopened:  # another connection: what is on disk
        [back] = reopened.attempts()
    assert back.id == new_id and isinstance(new_id, int)
    assert (back.trainee, back.case_id, back.scenario, back.platform) == ("王芳", "size-mismatch-01",
                                                                           "size_mismatch", "taobao")
    assert back.answers == original.answers
    assert back.findings == original.findings
    assert (back.score, back.max_score) == (4.5, 5.0)
    assert (back.playbook_version, back.playbook_hash) == ("1.2.0", "9f86d081884c")
    for name in ("started_at", "finished_at", "created_at"):
        value = getattr(back, name)
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0), f"{name} is not aware UTC: {value!r}"
    assert back.started_at == original.started_at  # same instant...
    assert (back.started_at.hour, back.started_at.microsecond) == (1, 250_000)  # ...shown in UTC
    assert back.duration_s == pytest.approx(270.0)
    assert before - timedelta(seconds=1) <= back.created_at <= after + timedelta(seconds=1)
    assert back.uid and len(back.uid) == 32


def test_duration_given_and_json_friendly_values(store_url: str) -> None:
    with ProgressStore(store_url) as store:
        store.record(attempt(started_at=None, finished_at=None, duration_s=42,
                             answers={"delivered": date(2026, 10, 1), "sizes": ("M", "L"), "at": datetime(
                                 2026, 10, 1, 8, 0, tzinfo=MSK)}))
        [back] = store.attempts()
    assert (back.started_at, back.finished_at, back.duration_s) == (None, None, 42.0)
    assert back.answers == {"delivered": "2026-10-01", "sizes": ["M", "L"], "at": "2026-10-01T08:00:00+03:00"}


def test_filters_order_and_trainees(store_url: str) -> None:
    plan = [("li", "c1", "size_mismatch"), ("ivan", "c1", "late_delivery"), ("li", "c2", "late_delivery"),
            ("王芳", "c1", "size_mismatch"), ("li", "c1", "size_mismatch")]
    with ProgressStore(store_url) as store:
        assert store.attempts() == [] and store.trainees() == []
        ids = [store.record(attempt(trainee=t, case_id=c, scenario=s)) for t, c, s in plan]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)

        def picked(**filters: str) -> list[int]:
            return [a.id for a in store.attempts(**filters)]

        assert picked() == ids
        assert picked(trainee="li") == [ids[0], ids[2], ids[4]]
        assert picked(case_id="c1") == [ids[0], ids[1], ids[3], ids[4]]
        assert picked(scenario="late_delivery") == [ids[1], ids[2]]
        assert picked(trainee="li", case_id="c1", scenario="size_mismatch") == [ids[0], ids[4]]
        assert picked(trainee="nobody") == []
        assert store.trainees() == sorted({"li", "ivan", "王芳"})


def test_dataframe_has_one_column_per_field(store_url: str) -> None:
    with ProgressStore(store_url) as store:
        empty = store.dataframe()
        assert list(empty.columns) == list(COLUMNS) and empty.empty
        store.record(attempt())
        store.record(attempt(trainee="ivan", started_at=None, finished_at=None))
        frame = store.dataframe()
        only_ivan = store.dataframe(trainee="ivan")
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 2 and list(only_ivan["trainee"]) == ["ivan"]
    assert isinstance(frame.loc[0, "answers"], dict) and frame.loc[0, "answers"]["facts"]["size"] == "XL"
    assert isinstance(frame.loc[0, "findings"], list) and frame.loc[0, "findings"][1]["given"] == "退货"
    for name in ("started_at", "finished_at", "created_at"):
        assert str(frame[name].dt.tz) == "UTC", name
    assert frame["started_at"].isna().tolist() == [False, True]
    assert frame["score"].dtype == float and frame["id"].dtype == "int64"
    assert (frame["score"] / frame["max_score"]).tolist() == [0.9, 0.9]


def test_recording_the_same_uid_twice_stores_it_once(store_url: str) -> None:
    with ProgressStore(store_url) as store:
        first = store.record(attempt(uid="a1b2c3"))
        again = store.record(attempt(uid="a1b2c3"))
        assert first == again
        assert [a.uid for a in store.attempts()] == ["a1b2c3"]


# --- append-only --------------------------------------------------------------------------------

def test_the_database_refuses_update_and_delete(store_url: str) -> None:
    with ProgressStore(store_url) as store:
        store.record(attempt(score=1.0))
        store.record(attempt(score=2.0))
        assert not any(hasattr(store, name) for name in ("update", "delete", "remove", "clear"))

    raw = sa.create_engine(store_url)
    statements = ["UPDATE attempts SET score = 5", "DELETE FROM attempts", "DELETE FROM attempts WHERE score = 1"]
    if raw.dialect.name == "postgresql":
        statements.append("TRUNCATE attempts")
    try:
        for statement in statements:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), raw.begin() as conn:
                conn.exec_driver_sql(statement)
    finally:
        raw.dispose()

    with ProgressStore(store_url) as store:
        assert [a.score for a in store.attempts()] == [1.0, 2.0]


# --- where the store lives -------------------------------------------------------------------

def test_default_location_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AFTERSALES_PROGRESS_URL", raising=False)
    monkeypatch.delenv("AFTERSALES_PROGRESS_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with ProgressStore() as store:  # ~/.aftersales/progress.db, folder created
        assert store.url == f"sqlite:///{tmp_path / 'home' / '.aftersales' / 'progress.db'}"
        store.record(attempt())
    assert (tmp_path / "home" / ".aftersales" / "progress.db").is_file()

    monkeypatch.setenv("AFTERSALES_PROGRESS_DB", str(tmp_path / "team" / "db" / "progress.db"))
    with ProgressStore() as store:
        store.record(attempt())
    assert (tmp_path / "team" / "db" / "progress.db").is_file()

    monkeypatch.setenv("AFTERSALES_PROGRESS_URL", f"sqlite:///{tmp_path / 'from-url.db'}")
    with ProgressStore() as store:
        assert store.url.endswith("from-url.db") and store.dialect == "sqlite"
    with ProgressStore(f"sqlite:///{tmp_path / 'argument.db'}") as store:  # the argument wins
        assert store.url.endswith("argument.db")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with ProgressStore(f"sqlite:///{path}") as store:
        store.record(attempt())
        with store._engine.connect() as conn:  # the store's own connection settings
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # stored in the file


def test_import_does_not_load_pandas_or_sqlalchemy() -> None:
    code = ("import sys, aftersales.training.store; "
            "print(sorted(m for m in ('pandas', 'sqlalchemy', 'psycopg') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, says", [
    ("mysql://trainer:hunter2@db.example.com/progress", "is not supported"),
    ("postgresql+psycopg2://trainer:hunter2@db.example.com/progress", "is not supported"),
    ("not a url", "is not a database URL"),
    ("postgresql://trainer:hunter2@db.example.com:port/progress", "is not a database URL"),
    ("sqlite://", "in-memory"),
    ("sqlite:///:memory:", "in-memory"),
    ("   ", "empty database URL"),
])
def test_bad_url_says_which_forms_are_accepted(url: str, says: str) -> None:
    with pytest.raises(AftersalesError) as info:
        ProgressStore(url)
    message = str(info.value)
    assert says in message
    assert "sqlite:///" in message and "postgresql://user:password@host:5432/database" in message
    assert "hunter2" not in message


@pytest.mark.parametrize("url", ["postgresql://trainer:hunter2@db.example.com:5432/progress",
                                 "postgres://trainer:hunter2@db.example.com:5432/progress",
                                 "postgresql+psycopg://trainer:hunter2@db.example.com:5432/progress"])
def test_postgresql_urls_go_through_psycopg(url: str) -> None:
    store = ProgressStore(url)  # nothing is connected before the first use
    assert store.dialect == "postgresql"
    assert store.url == "postgresql+psycopg://trainer:***@db.example.com:5432/progress"
    assert "hunter2" not in repr(store)
    store.close()


def test_bad_url_from_the_environment_says_where_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERSALES_PROGRESS_URL", "oracle://trainer:hunter2@db/progress")
    with pytest.raises(AftersalesError, match=r"\$AFTERSALES_PROGRESS_URL") as info:
        ProgressStore()
    assert "hunter2" not in str(info.value) and "trainer:***@db" in str(info.value)


def test_unreachable_postgresql_is_retried_then_reported_without_the_password(
        caplog: pytest.LogCaptureFixture) -> None:
    url = f"postgresql://trainer:hunter2@127.0.0.1:{_free_port()}/progress"  # nothing listens there
    store = ProgressStore(url, retry_for_s=1.0)
    assert "hunter2" not in repr(store) and "hunter2" not in store.url and "***" in store.url
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger="aftersales"), pytest.raises(AftersalesError) as info:
        store.record(attempt())
    elapsed = time.monotonic() - started
    message = str(info.value)
    assert "gave up" in message and "127.0.0.1" in message and "trainer:***@" in message, message
    assert "hunter2" not in message and "hunter2" not in caplog.text
    assert "try 1 failed" in caplog.text  # it was retried
    assert info.value.__cause__ is None and info.value.__suppress_context__  # no driver traceback
    assert 0.5 <= elapsed < 20, elapsed
    store.close()


def test_locked_sqlite_database_waits_then_says_so(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with ProgressStore(f"sqlite:///{path}") as store:
        store.record(attempt())
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program keeps the write lock
    try:
        with ProgressStore(f"sqlite:///{path}", retry_for_s=1.0) as store:
            assert len(store.attempts()) == 1  # WAL: reading does not wait for the writer
            started = time.monotonic()
            with pytest.raises(AftersalesError) as info:
                store.record(attempt())
            elapsed = time.monotonic() - started
            holder.execute("ROLLBACK")
            store.record(attempt())  # the lock is gone: the same store works again
            assert len(store.attempts()) == 2
    finally:
        holder.close()
    message = str(info.value)
    assert str(path) in message and "gave up" in message and "database is locked" in message, message
    assert "OperationalError" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert 0.9 <= elapsed < 10, elapsed


def test_a_short_lock_is_waited_out(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with ProgressStore(f"sqlite:///{path}") as store:
        store.record(attempt())
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.5, lambda: holder.execute("ROLLBACK"))
        release.start()
        try:
            started = time.monotonic()
            store.record(attempt())
            assert time.monotonic() - started >= 0.3
        finally:
            release.join()
            holder.close()
        assert len(store.attempts()) == 2


@pytest.mark.parametrize("change, says", [
    ({"started_at": datetime(2026, 10, 5, 9, 0)}, "timezone-aware"),
    ({"score": math.nan}, "finite number"),
    ({"score": "4"}, "finite number"),
    ({"trainee": ""}, "trainee"),
    ({"answers": {"x": object()}}, "cannot be stored as JSON"),
    ({"answers": ["not", "a", "dict"]}, "answers must be a dict"),
    ({"findings": ["text"]}, "findings must be a list of dicts"),
    ({"started_at": datetime(2026, 10, 5, 10, tzinfo=CST), "finished_at": datetime(2026, 10, 5, 9, tzinfo=CST)},
     "negative"),
])
def test_bad_attempt_is_refused_before_writing(tmp_path: Path, change: dict[str, Any], says: str) -> None:
    with ProgressStore(f"sqlite:///{tmp_path / 'progress.db'}") as store:
        with pytest.raises(AftersalesError, match=says):
            store.record(attempt(**change))
        assert store.attempts() == []


def test_closed_store_says_so(tmp_path: Path) -> None:
    store = ProgressStore(f"sqlite:///{tmp_path / 'progress.db'}")
    store.close()
    with pytest.raises(AftersalesError, match="closed"):
        store.attempts()


# --- 16 processes at once ---------------------------------------------------------------------

def _record_many(url: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    """In a spawned process: open a store, wait for the others, record ``count`` attempts (one
    transaction each); report (worker, start, end, None) or (worker, None, None, traceback)."""
    try:
        from aftersales.training.store import Attempt, ProgressStore

        with ProgressStore(url) as store:
            barrier.wait(timeout=120)  # all start together, on a store whose table does not exist yet
            started = time.time()
            for n in range(count):
                store.record(Attempt(trainee=f"worker-{worker:02d}", case_id=f"case-{n % 10}",
                                     scenario="concurrency", answers={"worker": worker, "n": n},
                                     score=float(n % 5), max_score=4.0))
            results.put((worker, started, time.time(), None))
    except BaseException:  # report everything, the test asserts none happened
        results.put((worker, None, None, traceback.format_exc()))


def test_16_processes_record_500_attempts_each_and_none_is_lost(
        store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    processes = [context.Process(target=_record_many, args=(store_url, worker, PER_WORKER, barrier, results),
                                 name=f"recorder-{worker}") for worker in range(WORKERS)]
    launched = time.time()
    for process in processes:
        process.start()
    outcomes: list[tuple[int, float | None, float | None, str | None]] = []
    deadline = time.monotonic() + CONCURRENCY_TIMEOUT_S
    try:
        while len(outcomes) < WORKERS:
            try:
                outcomes.append(results.get(timeout=1))
            except queue.Empty:
                if time.monotonic() > deadline:
                    pytest.fail(f"only {len(outcomes)} of {WORKERS} workers finished in {CONCURRENCY_TIMEOUT_S} s")
                dead = [p for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    pytest.fail(f"{dead[0].name} died with exit code {dead[0].exitcode} without reporting")
        for process in processes:
            process.join(timeout=60)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    wall = time.time() - launched

    errors = [error for *_, error in outcomes if error]
    assert not errors, f"{len(errors)} worker(s) failed; the first:\n{errors[0]}"
    assert [p.exitcode for p in processes] == [0] * WORKERS
    write_s = max(o[2] for o in outcomes if o[2]) - min(o[1] for o in outcomes if o[1])

    with ProgressStore(store_url) as store:
        rows = store.attempts(scenario="concurrency")
        dialect = store.dialect
    pairs = {(row.answers["worker"], row.answers["n"]) for row in rows}
    assert len(rows) == WORKERS * PER_WORKER
    assert pairs == {(w, n) for w in range(WORKERS) for n in range(PER_WORKER)}
    assert len({row.id for row in rows}) == len(rows)
    assert all(row.trainee == f"worker-{row.answers['worker']:02d}" for row in rows)

    total = WORKERS * PER_WORKER
    with capsys.disabled():
        print(f"\n[{dialect}] {WORKERS} processes x {PER_WORKER} attempts: {wall:.1f} s wall "
              f"(spawn + import + write), {write_s:.1f} s writing = {total / write_s:.0f} attempts/s")


def test_one_team_database_url_serves_the_progress_store_too(monkeypatch, tmp_path):
    """Issue 20: ``$AFTERSALES_DB_URL`` names the team database for the cases and, unless
    ``$AFTERSALES_PROGRESS_URL`` says otherwise, for the trainees' attempts."""
    from aftersales.training.store import default_progress_url

    team = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.delenv("AFTERSALES_PROGRESS_URL", raising=False)
    monkeypatch.setenv("AFTERSALES_DB_URL", team)
    assert default_progress_url() == team
    monkeypatch.setenv("AFTERSALES_PROGRESS_URL", f"sqlite:///{tmp_path / 'own.db'}")
    assert default_progress_url().endswith("own.db")
