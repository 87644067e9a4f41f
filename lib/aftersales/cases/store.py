"""The shared case store: every case, its status and owner, and the append-only story of it.

Two tables (SQLAlchemy Core; SQLite by default, PostgreSQL by URL — the settings of the progress
store, :mod:`aftersales.training.store`):

* ``cases`` — one row per case (seed 003: many cases per order): ``case_id``, ``order_id``,
  ``scenario``, ``platform``, ``customer_lang``, ``customer_name``, ``owner``, ``status``,
  ``created_at``, ``due_at`` (when it must next be looked at), ``expected_on`` (the customer's day
  by which it should be settled), ``updated_at`` and ``decision`` (the last decision record);
* ``case_events`` — append-only: ``id``, ``uid`` (unique: recording is idempotent), ``case_id``,
  ``kind`` (decision, contact, follow_up, status, owner, override, note, repair), ``at`` (UTC), ``who``
  and ``data`` (JSON; a decision event keeps the whole case-log record).

Every change is one transaction: the event is inserted and the case row updated together.

Where it lives, first match wins: the ``url`` given to :class:`CaseStore`; ``$AFTERSALES_DB_URL``
(a SQLAlchemy URL, ``postgresql://user:password@host:5432/db`` or ``sqlite:///path.db``);
``$AFTERSALES_CASES_DB`` (the path of a SQLite file); ``~/.aftersales/cases.db``.

SQLite runs in WAL mode with a busy timeout and each write takes the write lock up front, so
agents in many processes queue; busy, locked, serialization and connection errors are retried
with jittered backoff for up to ``retry_for_s`` seconds, then an
:class:`~aftersales.errors.AftersalesError` names the database (password hidden).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import AftersalesError
from . import life

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import URL, Connection, Engine, MetaData, Table

__all__ = ["CaseStore", "Case", "CaseEvent", "EVENT_KINDS", "default_cases_url", "decision_uid"]

log = logging.getLogger(__name__)

#: The kinds of event a case's story is made of.
EVENT_KINDS: tuple[str, ...] = ("decision", "contact", "follow_up", "status", "owner", "override", "note", "repair")
REPAIR_READ_BATCH = 500  # case ids per query when reading the repair stages of the follow-up list
DEFAULT_RETRY_FOR_S = 30.0
IMPORT_BATCH = 500  # records per transaction when importing a case log
_PG_LOCK_KEY = 0x63617365  # pg_advisory_xact_lock key for creating the tables ("case")
_T = TypeVar("_T")


def default_cases_url() -> str:
    """``$AFTERSALES_DB_URL``, else ``sqlite:///`` + ``$AFTERSALES_CASES_DB``, else
    ``sqlite:///~/.aftersales/cases.db`` (home expanded). Source: issue 20, part 1."""
    configured = os.environ.get("AFTERSALES_DB_URL", "").strip()
    if configured:
        return configured
    path = os.environ.get("AFTERSALES_CASES_DB", "").strip()
    target = Path(path).expanduser() if path else Path.home() / ".aftersales" / "cases.db"
    return f"sqlite:///{target}"


def decision_uid(record: dict[str, Any]) -> str:
    """The key that makes recording a decision idempotent: its case id and when it was saved."""
    return f"decision:{record.get('case_id')}:{record.get('saved_at')}"


@dataclass
class Case:
    """One case as the store holds it now (its history is :meth:`CaseStore.events`)."""

    case_id: str
    order_id: str | None
    scenario: str | None
    platform: str | None
    customer_lang: str | None
    customer_name: str | None
    owner: str | None
    status: str
    created_at: datetime
    due_at: datetime | None
    expected_on: date | None
    updated_at: datetime
    decision: dict[str, Any] | None = field(default=None, repr=False)
    cause: str | None = None  # what the case is counted under (aftersales.cases.causes)
    sku: str | None = None
    supplier: str | None = None


@dataclass
class CaseEvent:
    """One event of a case's story: what happened (``kind``), when (UTC), who, and its data."""

    id: int
    case_id: str
    kind: str
    at: datetime
    who: str | None
    data: dict[str, Any]
    uid: str


CASE_COLUMNS = ("case_id", "order_id", "scenario", "platform", "customer_lang", "customer_name", "owner", "status",
                "created_at", "due_at", "expected_on", "updated_at", "decision")


@cache
def _schema() -> tuple[MetaData, Table, Table]:
    """The two tables (built on first use, so importing this module stays cheap)."""
    from sqlalchemy import BigInteger, Column, Date, Index, Integer, MetaData, Table, Text

    from ..dbstore import column_types

    UTCDateTime, json_type = column_types()
    metadata = MetaData()
    cases = Table(
        "cases", metadata,
        Column("case_id", Text, primary_key=True),
        Column("order_id", Text, index=True),
        Column("scenario", Text),
        Column("platform", Text),
        Column("customer_lang", Text),
        Column("customer_name", Text),
        Column("owner", Text, index=True),
        Column("status", Text, nullable=False, index=True),
        Column("created_at", UTCDateTime, nullable=False),
        Column("due_at", UTCDateTime, index=True),
        Column("expected_on", Date),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("decision", json_type),
        # what the case is counted under (aftersales.cases.causes; seeds 000, 001)
        Column("cause", Text, index=True),
        Column("sku", Text, index=True),
        Column("supplier", Text, index=True),
        # the daily follow-up list read from the index alone (a case row holds its decision:
        # kilobytes each, so reading 100,000 open cases from the table reads the whole table)
        Index("ix_cases_follow_up", "status", "owner", "due_at", "case_id", "order_id", "scenario", "platform",
              "customer_lang", "customer_name", "expected_on"),
    )
    events = Table(
        "case_events", metadata,
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
        Column("uid", Text, nullable=False, unique=True),
        Column("case_id", Text, nullable=False, index=True),
        Column("kind", Text, nullable=False),
        Column("at", UTCDateTime, nullable=False),
        Column("who", Text),
        Column("data", json_type, nullable=False),
        Index("ix_case_events_kind", "kind"),
        sqlite_autoincrement=True,
    )
    return metadata, cases, events


def _counted_under(record: dict[str, Any], table: Any = None) -> dict[str, str | None]:
    """The case row's ``cause``, ``sku`` and ``supplier`` from its newest decision record. A causes
    table that does not load never loses the case: its cause stays empty (counted as not tagged)
    and the problem is logged; ``aftersales validate`` names it."""
    from .causes import case_cause, case_sku_supplier

    sku, supplier = case_sku_supplier(record)
    try:
        cause: str | None = case_cause(record, table)
    except AftersalesError as exc:
        log.warning("case %s: no cause tagged: %s", record.get("case_id"), exc)
        cause = None
    return {"cause": cause, "sku": sku, "supplier": supplier}


def _causes_table() -> Any:
    """The causes table for a batch of records (read once per batch); None when it does not load
    (each case then logs why it has no cause)."""
    from .causes import load_causes

    try:
        return load_causes()
    except AftersalesError:
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return _now()
    if value.tzinfo is None or value.utcoffset() is None:
        raise AftersalesError(f"case store: a moment must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(timezone.utc)


def _saved_at(record: dict[str, Any]) -> datetime:
    text = record.get("saved_at")
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise AftersalesError(f"case {record.get('case_id')}: saved_at {text!r} is not an ISO moment") from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _check_record(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise AftersalesError(f"a case record is a JSON object, not {type(record).__name__}")
    case_id = record.get("case_id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise AftersalesError(f"a case record needs a case_id, got {case_id!r}")
    if not record.get("saved_at"):
        raise AftersalesError(f"case {case_id}: the record has no saved_at")
    return record


def _facts(record: dict[str, Any]) -> dict[str, Any]:
    facts = record.get("facts")
    return facts if isinstance(facts, dict) else {}


class CaseStore:
    """The cases of the whole team, in SQLite (default) or PostgreSQL.

    ``url``: a SQLAlchemy URL, else :func:`default_cases_url`. ``retry_for_s``: how long busy,
    locked, serialization and connection errors are retried. Use as a context manager, or call
    :meth:`close`. Source: issue 20, part 1 (seeds 001 and 003).
    """

    def __init__(self, url: str | None = None, *, retry_for_s: float = DEFAULT_RETRY_FOR_S):
        from ..training.store import ProgressStore

        source = "the url argument" if url is not None else (
            "$AFTERSALES_DB_URL" if os.environ.get("AFTERSALES_DB_URL", "").strip() else None)
        text = url if url is not None else default_cases_url()
        try:
            self._url: URL = ProgressStore._parse(text, source)  # the same URLs, checked the same way
        except AftersalesError as exc:
            raise AftersalesError(str(exc).replace("progress store", "case store")
                                  .replace("lose every attempt", "lose every case")) from None
        #: The database's URL with the password hidden: safe to show and log.
        self.url: str = self._url.render_as_string(hide_password=True)
        self.dialect: str = self._url.get_backend_name()
        self.retry_for_s = float(retry_for_s)
        self._ready = False
        self._closed = False
        try:
            self._engine, self._writer = self._create_engine()
        except ImportError as exc:
            raise AftersalesError(f"case store {self.url}: the database driver is not installed ({exc.name}); "
                                  f"PostgreSQL needs psycopg 3: pip install 'psycopg[binary]'") from None

    # --- set-up ----------------------------------------------------------------------------------

    def _create_engine(self) -> tuple[Engine, Engine]:
        from sqlalchemy import create_engine

        from ..dbstore import sqlite_engine
        from ..training.store import _dumps

        if self.dialect == "sqlite":
            engine = sqlite_engine(self._url, self.url, "case store", self.retry_for_s, _dumps)
            return engine, engine.execution_options(aftersales_write=True)
        engine = create_engine(self._url, json_serializer=_dumps,
                               connect_args={"connect_timeout": 10, "application_name": "aftersales-cases"})
        return engine, engine

    def _ensure_tables(self) -> None:
        if self._ready:
            return
        from ..dbstore import create_tables_once

        metadata, cases, events = _schema()
        create_tables_once(self._engine, self._writer, metadata, [cases, events], self.dialect, _PG_LOCK_KEY,
                           "case store", self.url)
        self._upgrade(cases)
        self._ready = True

    def _upgrade(self, cases: Table) -> None:
        """A store made by an older version gets what :func:`_schema` has since added, in one
        transaction: the cause columns (empty: its cases count under ``other`` until re-imported;
        ALTER TABLE … ADD COLUMN is safe in SQLite and PostgreSQL) and the follow-up list's index
        (once: about a second for a store of 100,000 cases)."""
        from sqlalchemy import inspect

        with self._engine.connect() as conn:
            inspector = inspect(conn)
            have_columns = {column["name"] for column in inspector.get_columns("cases")}
            have_indexes = {index["name"] for index in inspector.get_indexes("cases")}
        columns = [column for column in cases.columns if column.name not in have_columns]
        indexes = [index for index in cases.indexes if index.name not in have_indexes]
        if not columns and not indexes:
            return
        with self._writer.begin() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
            for column in columns:
                exists = "IF NOT EXISTS " if self.dialect == "postgresql" else ""
                conn.exec_driver_sql(f'ALTER TABLE cases ADD COLUMN {exists}"{column.name}" TEXT')
            for index in indexes:
                index.create(conn, checkfirst=True)

    def _run(self, what: str, work: Callable[[], _T]) -> _T:
        """``work()`` (after creating the tables if needed), retrying transient database errors."""
        from sqlalchemy import exc as sa_exc

        from ..dbstore import run_retrying

        if self._closed:
            raise AftersalesError(f"case store {self.url}: closed; cannot {what}")

        def attempt() -> _T:
            self._ensure_tables()
            return work()

        # two agents creating the same case at once: the loser tries again and finds it
        return run_retrying("case store", self.url, self.retry_for_s, what, attempt,
                            retry_also=lambda exc, tries: isinstance(exc, sa_exc.IntegrityError) and tries < 3)

    def _locked_case(self, conn: Connection, cases: Table, case_id: str) -> Any:
        """The case's row, locked for this transaction (PostgreSQL: FOR UPDATE; SQLite's writers
        hold the database lock already); an unknown case is an error saying how to add it."""
        from sqlalchemy import select

        query = select(cases).where(cases.c.case_id == case_id)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise AftersalesError(f"unknown case {case_id!r} in the case store {self.url} "
                                  f"(import the case log first: aftersales cases import)")
        return row

    # --- writing ---------------------------------------------------------------------------------

    def record_decision(self, record: dict[str, Any], *, owner: str | None = None) -> bool:
        """Add a decision record (the dict :func:`aftersales.caselog.case_record` makes) to the store.

        The whole record becomes a ``decision`` event (and an ``override`` event when the agent
        chose against the recommendation); the case row is created (status ``open``, owner
        ``owner`` or the record's ``who``) or updated (scenario, decision, due date from its
        deadlines; status and owner kept). Returns False, adding nothing, when this record
        (same case id and ``saved_at``) is already there. Source: issue 20, part 1.
        """
        return self.import_records([record], owner=owner) == 1

    def import_records(self, records: Iterable[dict[str, Any]], *, owner: str | None = None,
                       batch: int = IMPORT_BATCH) -> int:
        """Add many decision records, ``batch`` per transaction; returns how many were new.

        Idempotent by case id + ``saved_at``: a record already in the store adds nothing, so a
        case log imported twice changes nothing. Source: issue 20, part 1.
        """
        added = 0
        chunk: list[dict[str, Any]] = []
        for record in records:
            chunk.append(_check_record(record))
            if len(chunk) >= batch:
                added += self._import_chunk(chunk, owner)
                chunk = []
        if chunk:
            added += self._import_chunk(chunk, owner)
        return added

    def _import_chunk(self, records: list[dict[str, Any]], owner: str | None) -> int:
        from sqlalchemy import select

        _, cases, events = _schema()

        def write() -> int:
            now = _now()
            with self._writer.begin() as conn:
                uids = [decision_uid(r) for r in records]
                known = set(conn.execute(select(events.c.uid).where(events.c.uid.in_(uids))).scalars())
                fresh: dict[str, dict[str, Any]] = {}
                for record, uid in zip(records, uids, strict=True):
                    if uid not in known and uid not in fresh:
                        fresh[uid] = record
                if not fresh:
                    return 0
                ids = sorted({r["case_id"] for r in fresh.values()})
                query = select(*(cases.c[n] for n in ("case_id", "created_at", "decision"))).where(cases.c.case_id.in_(ids))
                if self.dialect == "postgresql":
                    query = query.with_for_update()
                existing = {row.case_id: row for row in conn.execute(query)}
                rows: list[dict[str, Any]] = []
                for uid, record in fresh.items():
                    saved = _saved_at(record)
                    rows.append({"uid": uid, "case_id": record["case_id"], "kind": "decision", "at": saved,
                                 "who": record.get("who"), "data": record})
                    if record.get("override"):
                        rows.append({"uid": "override:" + uid.removeprefix("decision:"), "case_id": record["case_id"],
                                     "kind": "override", "at": saved, "who": record.get("who"),
                                     "data": {"override": record["override"], "saved_at": record.get("saved_at")}})
                conn.execute(events.insert(), rows)
                latest: dict[str, dict[str, Any]] = {}
                for record in fresh.values():  # the case row follows the newest decision of each case
                    case_id = record["case_id"]
                    if case_id not in latest or _saved_at(record) >= _saved_at(latest[case_id]):
                        latest[case_id] = record
                inserts, updates = [], []
                causes = _causes_table()
                for case_id, record in latest.items():
                    saved = _saved_at(record)
                    facts = _facts(record)
                    values = {"order_id": record.get("order_id"), "scenario": record.get("scenario"),
                              "platform": record.get("platform"), "customer_lang": record.get("lang"),
                              "customer_name": facts.get("customer_name") if isinstance(facts.get("customer_name"), str) else None,
                              "due_at": life.due_from_deadlines(record.get("deadlines") or [], saved),
                              "expected_on": life.expected_from_deadlines(record.get("deadlines") or []),
                              "updated_at": now, "decision": record, **_counted_under(record, causes)}
                    old = existing.get(case_id)
                    if old is None:
                        inserts.append({"case_id": case_id, "owner": owner or record.get("who"), "status": "open",
                                        "created_at": saved, **values})
                    elif old.decision is None or _saved_at(old.decision) <= saved:
                        updates.append((case_id, values))
                if inserts:
                    conn.execute(cases.insert(), inserts)
                for case_id, values in updates:
                    conn.execute(cases.update().where(cases.c.case_id == case_id).values(**values))
                return len(fresh)

        return self._run(f"record {len(records)} decision(s)", write)

    def _change(self, case_id: str, kind: str, who: str | None, data: dict[str, Any], at: datetime | None,
                update: Callable[[Any], dict[str, Any]] | None = None, what: str = "change") -> CaseEvent:
        """One event and the case row's update, in one transaction; ``update(row)`` checks the
        current row (refusing with :class:`AftersalesError`) and says what to change."""
        if kind not in EVENT_KINDS:
            raise AftersalesError(f"unknown event kind {kind!r}; the kinds are: {', '.join(EVENT_KINDS)}")
        return self._write_event(case_id, kind, who, _utc(at), lambda _conn, row: (data, update(row) if update else {}),
                                 f"{what} of case {case_id!r}")

    def _write_event(self, case_id: str, kind: str, who: str | None, moment: datetime,
                     plan: Callable[[Any, Any], tuple[dict[str, Any], dict[str, Any]]], what: str) -> CaseEvent:
        """In one transaction: lock the case's row, ``plan(conn, row)`` → (the event's data, the row's
        changes; it raises to refuse), insert the event, update the row."""
        _, cases, events = _schema()
        uid = uuid.uuid4().hex

        def write() -> CaseEvent:
            with self._writer.begin() as conn:
                row = self._locked_case(conn, cases, case_id)
                data, changes = plan(conn, row)
                inserted = conn.execute(events.insert().values(uid=uid, case_id=case_id, kind=kind, at=moment, who=who,
                                                               data=data)).inserted_primary_key
                new_id = inserted[0] if inserted is not None else 0
                conn.execute(cases.update().where(cases.c.case_id == case_id).values(updated_at=_now(), **changes))
                return CaseEvent(id=int(new_id), case_id=case_id, kind=kind, at=moment, who=who, data=data, uid=uid)

        return self._run(what, write)

    def set_status(self, case_id: str, status: str, *, who: str | None = None, satisfaction: Any = None,
                   expected_on: date | None = None, note: str | None = None, at: datetime | None = None) -> CaseEvent:
        """Move a case to ``status`` (:mod:`aftersales.cases.life` says which moves are allowed).

        Closing needs the customer's ``satisfaction`` (1-5 or ``"not_asked"``), recorded on the
        close event and never tied to a review; it is refused on any other move. ``expected_on``
        (the customer's day by which it should be settled, e.g. the repair's end) replaces the
        decision's. Raises :class:`~aftersales.cases.life.TransitionError` naming the allowed
        next statuses. Source: seed 001; issue 20, part 2.
        """
        if status == "closed":
            if satisfaction is None:
                raise AftersalesError(f"case {case_id}: closing asks for the customer's satisfaction: 1 to 5, or "
                                      f"{life.SATISFACTION_NOT_ASKED!r} when they were not asked (never tied to a review)")
            satisfaction = life.parse_satisfaction(satisfaction)
        elif satisfaction is not None:
            raise AftersalesError(f"case {case_id}: the customer's satisfaction is recorded when the case is closed, "
                                  f"not when it becomes {status}")
        data: dict[str, Any] = {"to": status}
        if satisfaction is not None:
            data["satisfaction"] = satisfaction
        if expected_on is not None:
            data["expected_on"] = expected_on.isoformat()
        if note:
            data["note"] = note

        def update(row: Any) -> dict[str, Any]:
            life.check_transition(case_id, row.status, status)
            data["from"] = row.status
            changes: dict[str, Any] = {"status": status}
            if expected_on is not None:
                changes["expected_on"] = expected_on
            return changes

        return self._change(case_id, "status", who, data, at, update, what=f"set the status to {status}")

    def set_owner(self, case_id: str, owner: str, *, who: str | None = None, at: datetime | None = None) -> CaseEvent:
        """Hand a case to ``owner`` (an ``owner`` event from the previous owner). Source: seed 001."""
        if not isinstance(owner, str) or not owner.strip():
            raise AftersalesError(f"case {case_id}: the new owner must be a name, got {owner!r}")
        data: dict[str, Any] = {"to": owner}

        def update(row: Any) -> dict[str, Any]:
            data["from"] = row.owner
            return {"owner": owner}

        return self._change(case_id, "owner", who, data, at, update, what="hand over")

    def add_note(self, case_id: str, text: str, *, who: str | None = None, at: datetime | None = None) -> CaseEvent:
        """Add a note to a case's story (nothing else changes)."""
        if not isinstance(text, str) or not text.strip():
            raise AftersalesError(f"case {case_id}: a note needs some text")
        return self._change(case_id, "note", who, {"text": text}, at, what="add a note")

    def record_contact(self, case_id: str, *, who: str | None = None, note: str | None = None,
                       channel: str | None = None, follow_up: bool = False, at: datetime | None = None) -> CaseEvent:
        """Record that the customer was contacted. A ``follow_up`` (the daily follow-up done,
        seed 001) is a ``follow_up`` event and moves the case's due date to the next day; any
        other contact is a ``contact`` event and leaves the due date. Refused on a closed case."""
        data: dict[str, Any] = {}
        if note:
            data["note"] = note
        if channel:
            data["channel"] = channel
        moment = _utc(at)

        def update(row: Any) -> dict[str, Any]:
            if follow_up and row.status not in life.OPEN_STATUSES:
                raise AftersalesError(f"case {case_id} is {row.status}: it has no follow-up due")
            return {"due_at": life.next_follow_up(moment)} if follow_up else {}

        return self._change(case_id, "follow_up" if follow_up else "contact", who, data, moment, update,
                            what="record a contact")

    def record_repair(self, case_id: str, plan: Callable[[Any, dict[str, Any] | None], tuple[dict[str, Any], dict[str, Any]]],
                      *, who: str | None = None, at: datetime | None = None) -> CaseEvent:
        """Record a repair stage: one ``repair`` event and the case row's changes, in one transaction.

        ``plan(row, last)`` gets the case row and the data of the case's last ``repair`` event
        (None without one), both read inside the transaction, and returns the new event's data and
        the row's changes (:func:`aftersales.cases.repair.plan_stage` decides them; it raises to
        refuse). Source: issue 20, part 4 (seeds 000/004).
        """
        from sqlalchemy import select

        _, _, events = _schema()

        def planned(conn: Any, row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
            last = conn.execute(select(events.c.data).where(events.c.case_id == case_id)
                                .where(events.c.kind == "repair").order_by(events.c.id.desc()).limit(1)).scalar()
            return plan(row, dict(last) if isinstance(last, dict) else None)

        return self._write_event(case_id, "repair", who, _utc(at), planned, f"record a repair stage of case {case_id!r}")

    # --- reading ---------------------------------------------------------------------------------

    def repair_stages(self, case_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The data of the last ``repair`` event of each of ``case_ids`` that has one (the stage a
        case's repair is at, its dates and warranty), read in batches. Source: issue 20, part 4."""
        from sqlalchemy import select

        _, _, events = _schema()
        ids = sorted(set(case_ids))

        def read() -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            wanted = set(ids)
            base = select(events.c.case_id, events.c.data).where(events.c.kind == "repair").order_by(events.c.id)
            with self._engine.connect() as conn:
                if len(ids) > 4 * REPAIR_READ_BATCH:  # many cases: one pass over the repair events (by kind)
                    queries = [base]
                else:
                    queries = [base.where(events.c.case_id.in_(ids[start:start + REPAIR_READ_BATCH]))
                               for start in range(0, len(ids), REPAIR_READ_BATCH)]
                for query in queries:
                    for case_id, data in conn.execute(query):
                        if case_id in wanted:
                            found[case_id] = data  # the last one wins
            return found

        return self._run("read the repair stages", read) if ids else {}


    def get(self, case_id: str) -> Case | None:
        """The case ``case_id`` as it is now, or None when the store does not have it."""
        from sqlalchemy import select

        _, cases, _ = _schema()

        def read() -> Case | None:
            with self._engine.connect() as conn:
                row = conn.execute(select(cases).where(cases.c.case_id == case_id)).mappings().first()
            return None if row is None else Case(**dict(row))

        return self._run(f"read case {case_id!r}", read)

    def of_order(self, order_id: str) -> list[Case]:
        """Every case of one order, oldest first (seed 003: many cases per order)."""
        from sqlalchemy import select

        _, cases, _ = _schema()

        def read() -> list[Case]:
            query = select(cases).where(cases.c.order_id == order_id).order_by(cases.c.created_at, cases.c.case_id)
            with self._engine.connect() as conn:
                return [Case(**dict(row)) for row in conn.execute(query).mappings()]

        return self._run(f"read the cases of order {order_id!r}", read)

    def events(self, case_id: str | None = None, kind: str | None = None) -> list[CaseEvent]:
        """The story of a case (every case when None), oldest first; only ``kind`` events if given."""
        from sqlalchemy import select

        _, _, events = _schema()

        def read() -> list[CaseEvent]:
            query = select(events).order_by(events.c.id)
            if case_id is not None:
                query = query.where(events.c.case_id == case_id)
            if kind is not None:
                query = query.where(events.c.kind == kind)
            with self._engine.connect() as conn:
                return [CaseEvent(**dict(row)) for row in conn.execute(query).mappings()]

        return self._run("read the case events", read)

    def decision_records(self) -> Iterator[dict[str, Any]]:
        """Every decision record in the store, in the order they were added (the case log again)."""
        for event in self.events(kind="decision"):
            yield event.data

    def latest_record(self, case_id: str) -> dict[str, Any] | None:
        """The last decision record of ``case_id`` (what ``case show`` re-makes), or None."""
        case = self.get(case_id)
        return case.decision if case is not None else None

    def due_rows(self, before: datetime, owner: str | None = None) -> list[Any]:
        """The open cases due before ``before`` (UTC), owner then due date order, as rows with the
        columns the follow-up list needs, in this order (not the decision): case_id, order_id,
        scenario, platform, customer_lang, customer_name, owner, status, due_at, expected_on.
        Source: seed 001."""
        from sqlalchemy import select

        _, cases, _ = _schema()
        columns = [cases.c[n] for n in ("case_id", "order_id", "scenario", "platform", "customer_lang",
                                        "customer_name", "owner", "status", "due_at", "expected_on")]

        def read() -> list[Any]:
            query = (select(*columns).where(cases.c.due_at < _utc(before))
                     .where(cases.c.status.in_(life.OPEN_STATUSES)).order_by(cases.c.owner, cases.c.due_at, cases.c.case_id))
            if owner is not None:
                query = query.where(cases.c.owner == owner)
            with self._engine.connect() as conn:
                return list(conn.execute(query).all())

        def read_sqlite() -> list[Any]:
            # the same query on the driver's cursor: plain tuples, and the two date columns parsed
            # by the C fromisoformat (SQLAlchemy's row and type processing cost more than the rest
            # of the follow-up list together when every one of 100,000 cases is open)
            statuses = tuple(life.OPEN_STATUSES)
            sql = (f"SELECT {', '.join(column.name for column in columns)} FROM cases "
                   f"WHERE due_at < ? AND status IN ({', '.join('?' * len(statuses))})"
                   + (" AND owner = ?" if owner is not None else "")
                   + " ORDER BY owner, due_at, case_id")
            # the text SQLAlchemy writes for a DateTime in SQLite, which sorts as the moment does
            params = (_utc(before).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds"), *statuses,
                      *((owner,) if owner is not None else ()))
            with self._engine.connect() as conn:
                raw = conn.connection.driver_connection
                assert raw is not None
                found = raw.execute(sql, params).fetchall()
            moment, day = datetime.fromisoformat, date.fromisoformat
            return [(*row[:8], moment(row[8] + "+00:00") if row[8] else None,  # aware UTC, 6x faster than .replace
                     day(row[9]) if row[9] else None) for row in found]

        return self._run("read the cases due", read_sqlite if self.dialect == "sqlite" else read)

    def cause_counts(self, since: datetime | None = None, until: datetime | None = None) -> list[tuple[str | None, str | None, str | None, int]]:
        """How many cases were opened per cause, SKU and supplier (``since`` ≤ created < ``until``,
        both optional), as ``(cause, sku, supplier, cases)`` rows, most cases first. Source: seeds
        000, 001 (tag and count cases by cause, feed them back to product and suppliers)."""
        from sqlalchemy import func, select

        _, cases, _ = _schema()
        query = select(cases.c.cause, cases.c.sku, cases.c.supplier, func.count().label("n"))
        if since is not None:
            query = query.where(cases.c.created_at >= _utc(since))
        if until is not None:
            query = query.where(cases.c.created_at < _utc(until))
        query = query.group_by(cases.c.cause, cases.c.sku, cases.c.supplier)

        def read() -> list[tuple[str | None, str | None, str | None, int]]:
            with self._engine.connect() as conn:
                rows = [(r.cause, r.sku, r.supplier, int(r.n)) for r in conn.execute(query)]
            return sorted(rows, key=lambda r: (-r[3], r[0] or "", r[1] or "", r[2] or ""))

        return self._run("count the cases by cause", read)

    def existing_ids(self, case_ids: Iterable[str]) -> set[str]:
        """Which of ``case_ids`` the store already holds (asked in chunks, so any number is fine)."""
        from sqlalchemy import select

        _, cases, _ = _schema()
        wanted = list(dict.fromkeys(case_ids))

        def read() -> set[str]:
            found: set[str] = set()
            with self._engine.connect() as conn:
                for start in range(0, len(wanted), 900):
                    chunk = wanted[start:start + 900]
                    found.update(conn.execute(select(cases.c.case_id).where(cases.c.case_id.in_(chunk))).scalars())
            return found

        return self._run("look up case numbers", read) if wanted else set()

    def count(self) -> int:
        """How many cases the store holds."""
        from sqlalchemy import func, select

        _, cases, _ = _schema()

        def read() -> int:
            with self._engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(cases)).scalar_one())

        return self._run("count the cases", read)

    def connection(self) -> Connection:
        """A raw connection for bulk work (benchmarks, migrations); the caller closes it."""
        self._ensure_tables()
        return self._writer.connect()

    def close(self) -> None:
        """Close the database connections; the store cannot be used afterwards."""
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CaseStore({self.url!r})"
