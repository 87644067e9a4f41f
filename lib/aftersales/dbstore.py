"""What the two team databases share (the trainees' progress store, :mod:`aftersales.training.store`,
and the case store, :mod:`aftersales.cases.store`): which database errors are worth retrying, the
retry loop with jittered backoff, and SQLite set up for many writers (WAL, a busy timeout, the
write lock taken when a writing transaction begins).
"""

from __future__ import annotations

import logging
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import AftersalesError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import URL, Engine

log = logging.getLogger(__name__)
_T = TypeVar("_T")
#: One try's wait for SQLite's lock; the retry loop goes on after it.
SQLITE_BUSY_TIMEOUT_S = 5.0


# --- which errors are worth retrying -------------------------------------------------------------

# SQLSTATEs: serialization failure, deadlock, lock not available, too many connections, admin
# shutdown, crash shutdown, cannot connect now (starting up); class 08 is any connection exception.
_PG_TRANSIENT = {"40001", "40P01", "55P03", "53300", "57P01", "57P02", "57P03"}
# A failed connection without SQLSTATE is retried unless it says it will never work.
_PG_PERMANENT_CONNECT = ("authentication failed", "does not exist", "no password supplied", "permission denied",
                         "no pg_hba.conf entry", "invalid", "unsupported", "server does not support ssl")


def _driver_error(exc: BaseException) -> BaseException:
    """The DBAPI exception behind a SQLAlchemy one (its str() has no SQL and no parameters)."""
    return getattr(exc, "orig", None) or exc


def _short(exc: BaseException) -> str:
    text = str(_driver_error(exc)).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "; ".join(lines[:2]) or type(exc).__name__


def _is_transient(exc: BaseException) -> bool:
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.TimeoutError):  # no connection free in the pool
        return True
    orig = _driver_error(exc)
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (with their extended codes)
    message = str(orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        return sqlstate in _PG_TRANSIENT or sqlstate.startswith("08")
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(orig, psycopg.OperationalError):
        return not any(marker in message for marker in _PG_PERMANENT_CONNECT)
    return False


def _is_database_error(exc: BaseException) -> bool:
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.SQLAlchemyError):
        return True
    module = type(exc).__module__
    return module == "sqlite3" or module.startswith("psycopg")


def run_retrying(label: str, shown: str, retry_for_s: float, what: str, work: Callable[[], _T], *,
                 retry_also: Callable[[BaseException, int], bool] | None = None) -> _T:
    """``work()``, retrying busy, locked, serialization and connection errors with jittered
    backoff (5 ms doubling to 1 s) for up to ``retry_for_s`` seconds; ``retry_also(exc, tries)``
    may retry other database errors too. Any other database error, or the time running out,
    raises :class:`AftersalesError` naming ``label`` and the database ``shown`` (password hidden)."""
    started = time.monotonic()
    delay, tries = 0.005, 0
    while True:
        tries += 1
        try:
            return work()
        except AftersalesError:
            raise
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            elapsed = time.monotonic() - started
            if not (_is_transient(exc) or (retry_also is not None and retry_also(exc, tries))):
                raise AftersalesError(f"{label} {shown}: cannot {what}: {_short(exc)}") from None
            # the last pause is cut to what is left, so the store keeps trying for all of retry_for_s
            pause = min(delay * random.uniform(0.5, 1.5), retry_for_s - elapsed)
            if pause <= 0:
                raise AftersalesError(
                    f"{label} {shown}: gave up trying to {what} after {elapsed:.1f} s and {tries} "
                    f"tries; the database stayed busy or unreachable: {_short(exc)}. Try again later; if it "
                    f"persists, check that the database server is running and reachable (PostgreSQL), or that "
                    f"no other program keeps the file locked (SQLite)") from None
            log.debug("%s %s: %s: try %d failed (%s); again in %.3f s", label, shown, what, tries, _short(exc), pause)
            time.sleep(pause)
            delay = min(delay * 2, 1.0)


def sqlite_engine(url: URL, shown: str, label: str, retry_for_s: float, serializer: Callable[[Any], str]) -> Engine:
    """A SQLite engine for many writers: its folder created, WAL, a busy timeout no longer than
    ``retry_for_s``, and ``BEGIN IMMEDIATE`` for connections with the ``aftersales_write`` option."""
    from sqlalchemy import create_engine, event

    path = Path(url.database or "").expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AftersalesError(f"{label} {shown}: cannot create the folder {path.parent}: "
                              f"{exc.strerror or exc}") from None
    busy_s = max(0.05, min(SQLITE_BUSY_TIMEOUT_S, retry_for_s))
    engine = create_engine(url.set(database=str(path)), json_serializer=serializer, connect_args={"timeout": busy_s})
    event.listen(engine, "connect", _sqlite_on_connect(int(busy_s * 1000), shown, label))
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(busy_timeout_ms: int, shown: str, label: str = "store") -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (see _sqlite_on_begin); the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s %s: SQLite cannot use WAL here (journal mode %s); concurrent "
                            "writers will wait for each other more", label, shown, mode)
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    return on_connect


def _sqlite_on_begin(conn: Any) -> None:
    # A deferred transaction that reads and then writes can fail with "database is locked" at
    # once (SQLITE_BUSY_SNAPSHOT, no busy wait); taking the write lock at BEGIN lets the busy
    # timeout queue writers instead. Reads stay deferred: in WAL mode they never wait.
    immediate = conn.get_execution_options().get("aftersales_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@cache
def column_types() -> tuple[Any, Any]:
    """The column types both stores use: aware UTC datetimes in and out (SQLite stores them naive,
    in UTC), and JSON (JSONB in PostgreSQL). Built on first use, so importing stays cheap."""
    from sqlalchemy import JSON, DateTime
    from sqlalchemy.dialects.postgresql import JSONB
    from sqlalchemy.types import TypeDecorator

    class UTCDateTime(TypeDecorator[datetime]):
        """Aware UTC datetimes in, aware UTC datetimes out."""

        impl = DateTime(timezone=True)
        cache_ok = True

        def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
            if value is None:
                return None
            value = value.astimezone(timezone.utc)
            return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

        def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
            if value is None:
                return None
            return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    return UTCDateTime, JSON().with_variant(JSONB(), "postgresql")


def create_tables_once(reader: Engine, ddl: Engine, metadata: Any, tables: list[Any], dialect: str, lock_key: int,
                       label: str, shown: str) -> None:
    """Create ``tables`` (all of ``metadata``) unless they all exist; one process does it: in
    PostgreSQL an advisory lock serialises creators (DDL is transactional), in SQLite the ``ddl``
    engine's BEGIN IMMEDIATE takes the write lock; ``create_all`` checks again under the lock."""
    from sqlalchemy import inspect

    with reader.connect() as conn:
        inspector = inspect(conn)
        exists = all(inspector.has_table(table.name) for table in tables)
    if exists:
        return
    with ddl.begin() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({lock_key})")
        metadata.create_all(conn, checkfirst=True)
        log.info("%s %s: created %s", label, shown, ", ".join(table.name for table in tables))
