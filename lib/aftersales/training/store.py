"""The progress store: every practice attempt, recorded once and never changed.

An attempt is who (``trainee``), which case (``case_id``, ``scenario``, ``platform``), what they
answered (``answers``, JSON), how it scored (``score`` of ``max_score``, ``findings``, JSON),
when (``started_at``/``finished_at`` or ``duration_s``) and against which playbook
(``playbook_version``, ``playbook_hash``). The store adds ``id``, ``uid`` and ``created_at``.

Where it lives, first match wins:

* the ``url`` given to :class:`ProgressStore`;
* ``$AFTERSALES_PROGRESS_URL``, a SQLAlchemy URL: ``postgresql://user:password@host:5432/db``
  for a team sharing one database on JupyterHub, or ``sqlite:///path/to/progress.db``;
* ``$AFTERSALES_DB_URL``, the team database, which the case store (:mod:`aftersales.cases.store`)
  uses too: one URL may serve both;
* ``$AFTERSALES_PROGRESS_DB``, the path of a SQLite file;
* ``~/.aftersales/progress.db`` (the folder is created).

Each attempt is its own committed transaction. SQLite runs in WAL mode (readers never wait
for the writer) with ``synchronous=NORMAL`` and a busy timeout; each write takes the write lock
up front (``BEGIN IMMEDIATE``), so writers from many processes queue instead of failing.
PostgreSQL is reached through psycopg 3; an attempt is one autocommitted ``INSERT``. The table
is created on first use; processes starting together take a lock first (SQLite's write lock,
a PostgreSQL advisory lock), so exactly one creates it.

The store is append-only: there is no update or delete API, and the database itself refuses
``UPDATE`` and ``DELETE`` on the attempts table (triggers in both, ``TRUNCATE`` too in
PostgreSQL). Busy, locked, serialization and connection errors are retried with jittered
backoff for up to ``retry_for_s`` seconds (30 by default); after that, and for every other
database error, an :class:`~aftersales.errors.AftersalesError` names the database (password
hidden) and says what went wrong.

Importing this module is cheap: SQLAlchemy is imported when a store is first opened, pandas
only by :meth:`ProgressStore.dataframe`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timezone
from datetime import time as dtime
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar

from ..dbstore import create_tables_once, run_retrying, sqlite_engine
from ..errors import AftersalesError

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    from sqlalchemy import URL, Engine, MetaData, Table

__all__ = ["Attempt", "ProgressStore", "default_progress_url", "ACCEPTED_URLS"]

log = logging.getLogger(__name__)

TABLE = "attempts"
ACCEPTED_URLS = ("sqlite:///relative/path.db or sqlite:////absolute/path.db (a SQLite file), "
                 "postgresql://user:password@host:5432/database (PostgreSQL through psycopg 3; "
                 "postgresql+psycopg:// is the same)")
DEFAULT_RETRY_FOR_S = 30.0
_PG_LOCK_KEY = 0x61667465  # pg_advisory_xact_lock key for creating the table ("afte")
_T = TypeVar("_T")


@dataclass(kw_only=True)
class Attempt:
    """One attempt at one case, as recorded. Give the fields by name.

    ``answers`` must be a dict and ``findings`` a list of dicts; both are stored as JSON (dates
    become ISO strings, tuples and sets lists, decimals numbers). Datetimes must be
    timezone-aware and come back in UTC. ``duration_s`` is computed from ``started_at`` and
    ``finished_at`` when not given. ``id``, ``created_at`` and (unless given) ``uid`` are set by
    the store; a ``uid`` already recorded is not recorded again (recording is idempotent).
    """

    trainee: str
    case_id: str
    scenario: str | None = None
    platform: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    score: float
    max_score: float
    findings: list[dict[str, Any]] = field(default_factory=list)
    playbook_version: str | None = None
    playbook_hash: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float | None = None
    created_at: datetime | None = None
    id: int | None = None
    uid: str | None = None


def scored_attempt(*, trainee: str, case: Any, answers: dict[str, Any], score: Any,
                   started_at: datetime | None = None, finished_at: datetime | None = None) -> Attempt:
    """The attempt to record for ``score`` (a :class:`~aftersales.training.scoring.Score`) of
    ``case``: the same fields whether the page, the command line or a headless notebook scored it.
    ``finished_at`` defaults to now, ``started_at`` to ``finished_at``."""
    finished_at = finished_at or datetime.now(timezone.utc)
    return Attempt(trainee=trainee, case_id=case.id, scenario=case.scenario, platform=case.platform,
                   answers=dict(answers), score=score.points, max_score=score.max_points, findings=score.mistakes(),
                   playbook_version=score.playbook_version, playbook_hash=score.playbook_hash,
                   started_at=started_at or finished_at, finished_at=finished_at)


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Attempt))
_DATETIMES = ("started_at", "finished_at", "created_at")


def default_progress_url() -> str:
    """``$AFTERSALES_PROGRESS_URL``, else ``$AFTERSALES_DB_URL`` (the team database the case store uses
    too), else ``sqlite:///`` + ``$AFTERSALES_PROGRESS_DB``, else
    ``sqlite:///~/.aftersales/progress.db`` (home expanded)."""
    configured = os.environ.get("AFTERSALES_PROGRESS_URL", "").strip() or os.environ.get("AFTERSALES_DB_URL", "").strip()
    if configured:  # one team database may hold the attempts and the cases (issue 20)
        return configured
    path = os.environ.get("AFTERSALES_PROGRESS_DB", "").strip()
    target = Path(path).expanduser() if path else Path.home() / ".aftersales" / "progress.db"
    return f"sqlite:///{target}"


def _mask_password(text: str) -> str:
    """``scheme://user:secret@host`` → ``scheme://user:***@host``, for URLs SQLAlchemy cannot parse."""
    return re.sub(r"(://[^/@:]*:)[^@/]*@", r"\1***@", text)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date, dtime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"a value of type {type(value).__name__} is not JSON")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)


def _utc(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise AftersalesError(f"attempt: {name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise AftersalesError(f"attempt: {name} must be timezone-aware (e.g. datetime.now(timezone.utc)), "
                              f"got {value.isoformat()}")
    return value.astimezone(timezone.utc)


def _number(value: Any, name: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or not math.isfinite(float(value)):
        raise AftersalesError(f"attempt: {name} must be a finite number, got {value!r}")
    return float(value)


def _row(attempt: Attempt) -> dict[str, Any]:
    """The attempt as a row to insert, checked; raises AftersalesError on a bad field."""
    if not isinstance(attempt, Attempt):
        raise AftersalesError(f"record() takes an Attempt, not {type(attempt).__name__}")
    for name in ("trainee", "case_id"):
        value = getattr(attempt, name)
        if not isinstance(value, str) or not value.strip():
            raise AftersalesError(f"attempt: {name} must be a non-empty string, got {value!r}")
    for name in ("scenario", "platform", "playbook_version", "playbook_hash", "uid"):
        value = getattr(attempt, name)
        if value is not None and not isinstance(value, str):
            raise AftersalesError(f"attempt: {name} must be a string or None, got {value!r}")
    if not isinstance(attempt.answers, dict):
        raise AftersalesError(f"attempt: answers must be a dict, got {type(attempt.answers).__name__}")
    if not isinstance(attempt.findings, (list, tuple)) or not all(isinstance(f, dict) for f in attempt.findings):
        raise AftersalesError("attempt: findings must be a list of dicts")
    answers, findings = attempt.answers, list(attempt.findings)
    for name, value in (("answers", answers), ("findings", findings)):
        try:  # normalise now (dates → strings, ...), so what is read back is what was stored
            normalised = json.loads(_dumps(value))
        except (TypeError, ValueError) as exc:
            raise AftersalesError(f"attempt: {name} cannot be stored as JSON: {exc}") from None
        if name == "answers":
            answers = normalised
        else:
            findings = normalised
    started, finished = _utc(attempt.started_at, "started_at"), _utc(attempt.finished_at, "finished_at")
    duration = _number(attempt.duration_s, "duration_s", optional=True)
    if duration is None and started is not None and finished is not None:
        duration = (finished - started).total_seconds()
    if duration is not None and duration < 0:
        raise AftersalesError(f"attempt: the duration is negative ({duration} s): finished_at is before started_at?")
    return {
        "uid": attempt.uid or uuid.uuid4().hex,
        "trainee": attempt.trainee,
        "case_id": attempt.case_id,
        "scenario": attempt.scenario,
        "platform": attempt.platform,
        "answers": answers,
        "score": _number(attempt.score, "score"),
        "max_score": _number(attempt.max_score, "max_score"),
        "findings": findings,
        "playbook_version": attempt.playbook_version,
        "playbook_hash": attempt.playbook_hash,
        "started_at": started,
        "finished_at": finished,
        "duration_s": duration,
        "created_at": datetime.now(timezone.utc),
    }


@cache
def _schema() -> tuple[MetaData, Table]:
    """The attempts table (built on first use, so importing this module stays cheap)."""
    from sqlalchemy import DDL, BigInteger, Column, Float, Index, Integer, MetaData, Table, Text, event

    from ..dbstore import column_types

    UTCDateTime, json_type = column_types()
    metadata = MetaData()
    table = Table(
        TABLE, metadata,
        # INTEGER PRIMARY KEY AUTOINCREMENT in SQLite (ids are never reused), BIGSERIAL in PostgreSQL
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
        Column("uid", Text, nullable=False, unique=True),
        Column("trainee", Text, nullable=False),
        Column("case_id", Text, nullable=False),
        Column("scenario", Text),
        Column("platform", Text),
        Column("answers", json_type, nullable=False),
        Column("score", Float, nullable=False),
        Column("max_score", Float, nullable=False),
        Column("findings", json_type, nullable=False),
        Column("playbook_version", Text),
        Column("playbook_hash", Text),
        Column("started_at", UTCDateTime),
        Column("finished_at", UTCDateTime),
        Column("duration_s", Float),
        Column("created_at", UTCDateTime, nullable=False),
        Index("ix_attempts_trainee_case", "trainee", "case_id"),
        Index("ix_attempts_scenario", "scenario"),
        sqlite_autoincrement=True,
    )
    # Append-only, enforced by the database itself (DDL strings: no % signs, they are templates).
    for op in ("UPDATE", "DELETE"):
        event.listen(table, "after_create", DDL(
            f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} are append-only: {op} is not allowed'); END"
        ).execute_if(dialect="sqlite"))
    for statement in (
        (f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
         f"BEGIN RAISE EXCEPTION USING MESSAGE = '{TABLE} are append-only: ' || TG_OP || ' is not allowed', "
         f"ERRCODE = 'restrict_violation'; END $$"),
        (f"CREATE TRIGGER {TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
         f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()"),
        (f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
         f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()"),
    ):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    return metadata, table


@cache
def _insert_statement() -> Any:
    return _schema()[1].insert()


class ProgressStore:
    """The attempts of every trainee, in SQLite (default) or PostgreSQL; append-only.

    ``url``: a SQLAlchemy URL (see :data:`ACCEPTED_URLS`), else :func:`default_progress_url`.
    ``retry_for_s``: how long busy/locked/serialization/connection errors are retried before
    an :class:`AftersalesError` is raised. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, url: str | None = None, *, retry_for_s: float = DEFAULT_RETRY_FOR_S):
        source = "the url argument" if url is not None else (
            "$AFTERSALES_PROGRESS_URL" if os.environ.get("AFTERSALES_PROGRESS_URL", "").strip() else None)
        text = url if url is not None else default_progress_url()
        self._url = self._parse(text, source)
        #: The database's URL with the password hidden: safe to show and log.
        self.url: str = self._url.render_as_string(hide_password=True)
        self.dialect: str = self._url.get_backend_name()
        self.retry_for_s = float(retry_for_s)
        self._ready = False
        self._closed = False
        try:
            self._engine, self._writer, self._ddl = self._create_engine()
        except ImportError as exc:
            raise AftersalesError(f"progress store {self.url}: the database driver is not installed ({exc.name}); "
                                  f"PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'") from None

    # --- set-up ----------------------------------------------------------------------------------

    @staticmethod
    def _parse(text: str, source: str | None) -> URL:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        where = f" (from {source})" if source else ""
        if not isinstance(text, str) or not text.strip():
            raise AftersalesError(f"progress store: empty database URL{where}; accepted: {ACCEPTED_URLS}")
        try:
            url = make_url(text.strip())
        except (ArgumentError, ValueError, TypeError):
            raise AftersalesError(f"progress store: '{_mask_password(text)}'{where} is not a database URL; "
                                  f"accepted: {ACCEPTED_URLS}") from None
        shown = url.render_as_string(hide_password=True)
        if url.drivername in ("sqlite", "sqlite+pysqlite"):
            database = url.database or ""
            in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
            if in_memory or url.query.get("mode") == "memory":
                raise AftersalesError(f"progress store: '{shown}'{where} is an in-memory SQLite database, which "
                                      f"would lose every attempt; give a file: {ACCEPTED_URLS}")
            return url
        if url.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
            return url.set(drivername="postgresql+psycopg")
        raise AftersalesError(f"progress store: '{shown}'{where} is not supported (database '{url.drivername}'); "
                              f"accepted: {ACCEPTED_URLS}")

    def _create_engine(self) -> tuple[Engine, Engine, Engine]:
        """The engine for reads, the one for recording (one transaction per attempt), the one for DDL."""
        from sqlalchemy import create_engine

        if self.dialect == "sqlite":
            engine = sqlite_engine(self._url, self.url, "progress store", self.retry_for_s, _dumps)
            # Writes take SQLite's write lock when they begin, never halfway (see dbstore._sqlite_on_begin).
            writer = engine.execution_options(aftersales_write=True)
            return engine, writer, writer
        # No pool_pre_ping: a connection found dead is a transient error, retried on a new one.
        engine = create_engine(self._url, json_serializer=_dumps,
                               connect_args={"connect_timeout": 10, "application_name": "aftersales"})
        # An attempt is one INSERT: in autocommit mode it is its own transaction, one round trip
        # instead of three (BEGIN, INSERT, COMMIT).
        return engine, engine.execution_options(isolation_level="AUTOCOMMIT"), engine

    def _ensure_table(self) -> None:
        """Create the table (and its append-only triggers) unless it exists; one process does it."""
        if self._ready:
            return
        metadata, table = _schema()
        create_tables_once(self._engine, self._ddl, metadata, [table], self.dialect, _PG_LOCK_KEY,
                           "progress store", self.url)
        self._ready = True

    # --- running with retries ----------------------------------------------------------------------

    def _run(self, what: str, work: Callable[[], _T]) -> _T:
        """``work()`` (after creating the table if needed), retrying transient database errors."""
        if self._closed:
            raise AftersalesError(f"progress store {self.url}: closed; cannot {what}")

        def attempt() -> _T:
            self._ensure_table()
            return work()

        return run_retrying("progress store", self.url, self.retry_for_s, what, attempt)

    # --- the API -------------------------------------------------------------------------------------

    def record(self, attempt: Attempt) -> int:
        """Append ``attempt`` in its own transaction and return its new id.

        ``attempt`` itself is not changed. When its ``uid`` is already recorded (the same
        attempt recorded twice, or a retry after a commit whose answer was lost), nothing is
        added and the existing id is returned.
        """
        row = _row(attempt)
        _, table = _schema()
        insert_statement = _insert_statement()

        def insert() -> int:
            from sqlalchemy import exc as sa_exc
            from sqlalchemy import select

            try:
                with self._writer.begin() as conn:
                    # One constant statement, the values as parameters: compiled once, cached.
                    return int(conn.execute(insert_statement, row).inserted_primary_key[0])
            except sa_exc.IntegrityError:
                with self._engine.connect() as conn:
                    found = conn.execute(select(table.c.id).where(table.c.uid == row["uid"])).scalar()
                if found is None:
                    raise
                return int(found)

        return self._run(f"record an attempt of {attempt.trainee!r} at case {attempt.case_id!r}", insert)

    def attempts(self, trainee: str | None = None, case_id: str | None = None,
                 scenario: str | None = None) -> list[Attempt]:
        """The recorded attempts, oldest first, optionally only those of one trainee, case or scenario."""
        _, table = _schema()

        def select_rows() -> list[Attempt]:
            from sqlalchemy import select

            query = select(*(table.c[name] for name in COLUMNS)).order_by(table.c.id)
            for name, value in (("trainee", trainee), ("case_id", case_id), ("scenario", scenario)):
                if value is not None:
                    query = query.where(table.c[name] == value)
            with self._engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
            return [Attempt(**dict(row)) for row in rows]

        return self._run("read the attempts", select_rows)

    def dataframe(self, trainee: str | None = None, case_id: str | None = None,
                  scenario: str | None = None) -> pandas.DataFrame:
        """:meth:`attempts` as a DataFrame: one row per attempt, one column per :class:`Attempt`
        field; datetimes in UTC (``datetime64[..., UTC]``), ``answers``/``findings`` as Python objects."""
        import pandas as pd

        rows = [asdict(attempt) for attempt in self.attempts(trainee=trainee, case_id=case_id, scenario=scenario)]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        for name in _DATETIMES:
            frame[name] = pd.to_datetime(frame[name], utc=True)
        for name in ("score", "max_score", "duration_s"):
            frame[name] = frame[name].astype(float)
        frame["id"] = frame["id"].astype("int64")
        return frame

    def trainees(self) -> list[str]:
        """Everyone who has recorded an attempt, sorted."""
        _, table = _schema()

        def select_names() -> list[str]:
            from sqlalchemy import select

            with self._engine.connect() as conn:
                names = conn.execute(select(table.c.trainee).distinct()).scalars().all()
            return sorted(names)

        return self._run("list the trainees", select_names)

    def close(self) -> None:
        """Close the database connections; the store cannot be used afterwards."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProgressStore({self.url!r})"
