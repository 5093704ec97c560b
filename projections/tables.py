"""Persisted read models: tables in the store's own database, kept by tracked catch-up.

Each projection has a name, a tracked position (``gb_tracking``) and its own
tables. ``catch_up`` reads the events after the tracked position in pages
(``select_notifications(..., inclusive_of_start=False)``: the SQLite store
has no ``subscribe()``) and, for each page, applies the view changes and
moves the position **in one transaction**. A failure half way rolls back the
page: nothing is lost or applied twice, the next catch-up resumes from the
tracked position (ADR 0005).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, TypeVar

from grantbook.domain.events import (
    AssignmentConfirmed,
    EndDateExtended,
    InstitutionEvent,
    InstitutionRegistered,
    RightRevoked,
    RosterImported,
    SupportWorkerAdded,
)
from grantbook.domain.state import ACTIVE, INACTIVE

from grantbook.errors import StoreError, is_driver_error
from grantbook.adapters.store import DEFAULT_LOCK_TIMEOUT

PAGE = 1000
T = TypeVar("T")


class Database:
    """One DB-API connection to the store's database (SQLite file or PostgreSQL schema)."""

    def __init__(self, app: Any) -> None:
        location = app.location
        self.kind = location.kind
        timeout = float(os.environ.get("GRANTBOOK_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
        if self.kind == "sqlite":
            self.connection = sqlite3.connect(str(location.path), isolation_level=None, timeout=timeout)
        else:
            from grantbook.adapters import postgres

            self.connection = postgres.connect(location)
            self.schema = postgres.schema_of(location)
            self.connection.execute(f'SET search_path TO "{self.schema}"')
            self.connection.execute(f"SET lock_timeout = '{int(timeout * 1000)}ms'")

        self.pending: list[tuple[str, tuple[Any, ...]]] = []

    def sql(self, statement: str) -> str:
        return statement if self.kind == "sqlite" else statement.replace("?", "%s")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        self.flush()
        return self.connection.execute(self.sql(statement), tuple(params))

    def later(self, statement: str, params: Sequence[Any]) -> None:
        """A write that may wait: runs of the same statement go to the database as one ``executemany``
        (one round trip on PostgreSQL), before any other statement and before the commit."""
        self.pending.append((statement, tuple(params)))

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        start = 0
        while start < len(pending):
            statement = pending[start][0]
            stop = start
            while stop < len(pending) and pending[stop][0] == statement:
                stop += 1
            rows = [params for _, params in pending[start:stop]]
            self.connection.cursor().executemany(self.sql(statement), rows)
            start = stop

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.execute(statement, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.kind == "sqlite":
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.flush()
            except BaseException:
                self.pending.clear()
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        else:
            try:
                with self.connection.transaction():
                    yield
                    self.flush()
            finally:
                self.pending.clear()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read-only transaction in which every query sees the same committed state."""
        if self.kind == "sqlite":
            self.connection.execute("BEGIN")  # deferred: WAL gives the first read's snapshot throughout
            try:
                yield
            finally:
                self.connection.execute("ROLLBACK")
        else:
            with self.connection.transaction(force_rollback=True):
                self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield

    def close(self) -> None:
        self.connection.close()


class Projection:
    """A named view of the events: its tables, and how one event changes them.

    ``version`` names what it makes of an event: a release that changes that
    raises it. With a fingerprint of the table definitions (so that a new
    column or index counts too) it is kept beside the tracked position; a
    store whose projection was written under another one drops that
    projection's tables and rebuilds them from the events on first use.
    """

    name: str = ""
    version: int = 1
    tables: tuple[str, ...] = ()
    schema: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        raise NotImplementedError

    @property
    def definition(self) -> str:
        return f"{self.version}:{hashlib.sha256(repr(self.schema).encode()).hexdigest()[:16]}"


class InstitutionsProjection(Projection):
    """Institution numbers by aggregate id (read by the other projections' queries)."""

    name = "institutions"
    tables = ("gb_institutions",)
    schema = (
        "CREATE TABLE IF NOT EXISTS gb_institutions (originator_id TEXT PRIMARY KEY, number TEXT NOT NULL)",
        # "one institution" questions start here, then take the other tables' (originator_id, ...) indexes
        "CREATE UNIQUE INDEX IF NOT EXISTS gb_institutions_by_number ON gb_institutions (number)",
    )
    topics = (InstitutionRegistered.TOPIC,)

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        if isinstance(event, InstitutionRegistered):
            db.later(
                "INSERT INTO gb_institutions (originator_id, number) VALUES (?, ?)",
                (str(event.originator_id), event.number),
            )


GRANT_COLUMNS = (
    "grant_id, originator_id, person_id, first_name, last_name, category, right_name, context,"
    " begin_day, end_day, last_day, granted_by, granted_at, revoked_on, revoked_by"
)
_GRANT_COLUMN_TYPES = (
    " grant_id TEXT NOT NULL, originator_id TEXT NOT NULL, person_id TEXT NOT NULL,"
    " first_name TEXT NOT NULL, last_name TEXT NOT NULL, category TEXT NOT NULL,"
    " right_name TEXT NOT NULL, context TEXT NOT NULL, begin_day TEXT NOT NULL,"
    " end_day TEXT NOT NULL, last_day TEXT, granted_by TEXT NOT NULL,"
    " granted_at TEXT NOT NULL, revoked_on TEXT, revoked_by TEXT"
)


class RightsProjection(Projection):
    """One row per grant as it stands (``gb_rights``: current rights, expiry, person, leavers), and
    every state each grant has been in with the record time it held (``gb_rights_history``:
    ``--as-of``). A history row holds from ``recorded_epoch`` until ``superseded_epoch`` (NULL: still
    current), both the event timestamps as seconds since the epoch."""

    name = "rights"
    version = 2
    tables = ("gb_rights", "gb_rights_history")
    schema = (
        f"CREATE TABLE IF NOT EXISTS gb_rights ({_GRANT_COLUMN_TYPES}, PRIMARY KEY (grant_id))",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_institution ON gb_rights (originator_id, last_day)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_institution_end ON gb_rights (originator_id, end_day)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_person ON gb_rights (person_id)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_end ON gb_rights (end_day)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_last_day ON gb_rights (last_day, begin_day)",
        f"CREATE TABLE IF NOT EXISTS gb_rights_history ({_GRANT_COLUMN_TYPES},"
        " recorded_position BIGINT NOT NULL, recorded_epoch DOUBLE PRECISION NOT NULL,"
        " superseded_epoch DOUBLE PRECISION, PRIMARY KEY (grant_id, recorded_position))",
        "CREATE INDEX IF NOT EXISTS gb_rights_history_by_institution"
        " ON gb_rights_history (originator_id, recorded_epoch)",
        "CREATE INDEX IF NOT EXISTS gb_rights_history_by_record_time ON gb_rights_history (recorded_epoch)",
    )
    topics = (AssignmentConfirmed.TOPIC, EndDateExtended.TOPIC, RightRevoked.TOPIC)

    INSERT = f"INSERT INTO gb_rights ({GRANT_COLUMNS}) VALUES ({', '.join(['?'] * 15)})"
    INSERT_HISTORY = (
        f"INSERT INTO gb_rights_history ({GRANT_COLUMNS}, recorded_position, recorded_epoch)"
        f" VALUES ({', '.join(['?'] * 17)})"
    )
    COPY_TO_HISTORY = (
        f"INSERT INTO gb_rights_history ({GRANT_COLUMNS}, recorded_position, recorded_epoch)"
        f" SELECT {GRANT_COLUMNS}, ?, ? FROM gb_rights WHERE grant_id = ?"
    )
    SUPERSEDE = (
        "UPDATE gb_rights_history SET superseded_epoch = ? WHERE grant_id = ? AND superseded_epoch IS NULL"
    )

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        recorded = event.timestamp.timestamp()
        if isinstance(event, AssignmentConfirmed):
            begin, end = event.begin.isoformat(), event.end.isoformat()
            rows = [
                (
                    granted.grant_id,
                    str(event.originator_id),
                    granted.person_id,
                    granted.first_name,
                    granted.last_name,
                    granted.category,
                    event.right,
                    event.context,
                    begin,
                    end,
                    _last_day(begin, end, None),
                    event.actor,
                    event.timestamp.isoformat(),
                    None,
                    None,
                )
                for granted in event.grants
            ]
            for row in rows:  # one statement after the other: each goes as one executemany
                db.later(self.INSERT, row)
            for row in rows:
                db.later(self.INSERT_HISTORY, (*row, position, recorded))
        elif isinstance(event, EndDateExtended | RightRevoked):
            row = db.query(
                "SELECT begin_day, end_day, revoked_on FROM gb_rights WHERE grant_id = ?", (event.grant_id,)
            )[0]
            if isinstance(event, EndDateExtended):
                end = event.new_end.isoformat()
                db.execute(
                    "UPDATE gb_rights SET end_day = ?, last_day = ? WHERE grant_id = ?",
                    (end, _last_day(row["begin_day"], end, row["revoked_on"]), event.grant_id),
                )
            else:
                revoked = event.revoked_on.isoformat()
                db.execute(
                    "UPDATE gb_rights SET revoked_on = ?, revoked_by = ?, last_day = ? WHERE grant_id = ?",
                    (
                        revoked,
                        event.actor,
                        _last_day(row["begin_day"], row["end_day"], revoked),
                        event.grant_id,
                    ),
                )
            db.execute(self.SUPERSEDE, (recorded, event.grant_id))
            db.execute(self.COPY_TO_HISTORY, (position, recorded, event.grant_id))


def _last_day(begin: str, end: str, revoked_on: str | None) -> str | None:
    """ISO text of the last day held (None if never): the "valid on day D" index."""
    last = end
    if revoked_on is not None:
        last = min(last, (date.fromisoformat(revoked_on) - timedelta(days=1)).isoformat())
    return last if last >= begin else None


class PeopleProjection(Projection):
    """Each person's latest status per institution, and support workers' number digests."""

    name = "people"
    tables = ("gb_people", "gb_person_digests")
    schema = (
        "CREATE TABLE IF NOT EXISTS gb_people (originator_id TEXT NOT NULL, person_id TEXT NOT NULL,"
        " status TEXT NOT NULL, support_worker INTEGER NOT NULL, PRIMARY KEY (originator_id, person_id))",
        "CREATE TABLE IF NOT EXISTS gb_person_digests (digest TEXT PRIMARY KEY, person_id TEXT NOT NULL)",
    )
    topics = (RosterImported.TOPIC, SupportWorkerAdded.TOPIC)

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        oid = str(event.originator_id)
        if isinstance(event, RosterImported):
            db.later(
                "UPDATE gb_people SET status = ? WHERE originator_id = ? AND support_worker = 0",
                (INACTIVE, oid),
            )
            for entry in event.entries:  # person ids are unique within a roster
                db.later(
                    "DELETE FROM gb_people WHERE originator_id = ? AND person_id = ?", (oid, entry.person_id)
                )
            for entry in event.entries:
                db.later(
                    "INSERT INTO gb_people (originator_id, person_id, status, support_worker)"
                    " VALUES (?, ?, ?, 0)",
                    (oid, entry.person_id, entry.status),
                )
        elif isinstance(event, SupportWorkerAdded):
            db.later(
                "DELETE FROM gb_people WHERE originator_id = ? AND person_id = ?", (oid, event.person_id)
            )
            db.later(
                "INSERT INTO gb_people (originator_id, person_id, status, support_worker)"
                " VALUES (?, ?, ?, 1)",
                (oid, event.person_id, ACTIVE),
            )
            db.later("DELETE FROM gb_person_digests WHERE digest = ?", (event.national_number_digest,))
            db.later(
                "INSERT INTO gb_person_digests (digest, person_id) VALUES (?, ?)",
                (event.national_number_digest, event.person_id),
            )


class AuditProjection(Projection):
    """Every event in recorded order with actor, time, institution and a summary."""

    name = "audit"
    tables = ("gb_audit",)
    schema = (
        "CREATE TABLE IF NOT EXISTS gb_audit (position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL,"
        " actor TEXT NOT NULL, event TEXT NOT NULL, originator_id TEXT NOT NULL, persons TEXT NOT NULL,"
        " recorded_epoch DOUBLE PRECISION NOT NULL,"
        " details TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS gb_audit_by_institution ON gb_audit (originator_id, position)",
        "CREATE INDEX IF NOT EXISTS gb_audit_by_actor ON gb_audit (actor, position)",
    )

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        db.later(
            "INSERT INTO gb_audit (position, recorded_at, actor, event, originator_id, persons,"
            " recorded_epoch, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                position,
                event.timestamp.isoformat(),
                event.actor,
                type(event).__name__,
                str(event.originator_id),
                " " + " ".join(_persons(event)) + " ",
                event.timestamp.timestamp(),
                json.dumps(event.details(), sort_keys=True),
            ),
        )


def _persons(event: InstitutionEvent) -> list[str]:
    """The persons an event is about (for the audit trail's person filter)."""
    if isinstance(event, AssignmentConfirmed):
        return [granted.person_id for granted in event.grants]
    if isinstance(event, RosterImported):
        return [entry.person_id for entry in event.entries]
    found = getattr(event, "person_id", None)
    return [found] if found else []


PROJECTIONS: tuple[Projection, ...] = (
    InstitutionsProjection(),
    RightsProjection(),
    PeopleProjection(),
    AuditProjection(),
)
BY_NAME = {projection.name: projection for projection in PROJECTIONS}
TRACKING = (
    "CREATE TABLE IF NOT EXISTS gb_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL,"
    " definition TEXT NOT NULL)"
)


class ReadModels:
    """The persisted projections of one store."""

    def __init__(self, app: Any, projections: Sequence[Projection] = PROJECTIONS) -> None:
        self.app = app
        self.db = Database(app)
        self.projections = tuple(projections)
        self.caught_up_to = 0
        if self._definitions() != {p.name: p.definition for p in PROJECTIONS}:
            self._create_or_replace_tables()

    def _definitions(self) -> dict[str, str] | None:
        """Each tracked projection's definition; None if there is no (current) tracking table yet.
        When all match, the tables are there as this release defines them: nothing to create, and
        no write lock to take."""
        try:
            return dict(self.db.execute("SELECT name, definition FROM gb_tracking").fetchall())
        except Exception as error:  # no table yet, or one without definitions
            if not is_driver_error(error):
                raise
            return None

    def _create_or_replace_tables(self) -> None:
        with self.db.transaction():
            self._lock("schema")  # one process at a time creates or replaces tables
            self.db.execute(TRACKING)
            columns = [c[0] for c in self.db.execute("SELECT * FROM gb_tracking WHERE 1 = 0").description]
            if "definition" in columns:
                found = dict(self.db.execute("SELECT name, definition FROM gb_tracking").fetchall())
            else:  # tracked by an earlier release: rebuild every projection
                self.db.execute("DROP TABLE gb_tracking")
                self.db.execute(TRACKING)
                found = {projection.name: "" for projection in PROJECTIONS}
            for projection in PROJECTIONS:
                if found.get(projection.name, projection.definition) != projection.definition:
                    self._drop(projection)
                for statement in projection.schema:
                    self.db.execute(statement)

    def _drop(self, projection: Projection) -> None:
        """A projection written by another version of grantbook: rebuilt from the events."""
        for table in projection.tables:
            self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.execute("DELETE FROM gb_tracking WHERE name = ?", (projection.name,))

    def position(self, name: str) -> int:
        row = self.db.execute("SELECT position FROM gb_tracking WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def head(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)

    def status(self) -> list[dict[str, Any]]:
        head = self.head()
        rows = []
        for projection in self.projections:
            position = self.position(projection.name)
            rows.append(
                {"projection": projection.name, "position": position, "head": head, "lag": head - position}
            )
        return rows

    def catch_up(
        self, names: Sequence[str] | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Bring the named projections (default all) up to the latest event; returns events applied
        (counted once per projection). Projections at the same position share one read of the events."""
        chosen = [p for p in self.projections if names is None or p.name in names]
        applied = 0
        while True:
            head = self.head()  # read before the page: nothing recorded later is skipped
            behind = [(self.position(p.name), p) for p in chosen]
            behind = [(position, p) for position, p in behind if position < head]
            if not behind:
                self.caught_up_to = head
                return applied
            position = min(position for position, _ in behind)
            group = [p for at, p in behind if at == position]
            applied += self._apply_page(group, position, head, progress)

    def _apply_page(
        self, group: list[Projection], position: int, head: int, progress: Callable[[int], None] | None
    ) -> int:
        topics: tuple[str, ...] = ()
        if all(p.topics for p in group):
            topics = tuple(sorted({topic for p in group for topic in p.topics}))
        page = self.app.recorder.select_notifications(
            start=position, limit=PAGE, stop=head, topics=topics, inclusive_of_start=False
        )
        new_position = page[-1].id if len(page) == PAGE else head
        with self.db.transaction():
            for projection in group:
                self._lock(projection.name)
            # Another process may have moved a position meanwhile: the caller starts again from there.
            if any(self.position(p.name) != position for p in group):
                return 0
            events = [(n.id, n.topic, self.app.mapper.to_domain_event(n)) for n in page]
            applied = 0
            for projection in group:
                wanted = set(projection.topics)
                for notification_id, topic, event in events:
                    if not wanted or topic in wanted:
                        projection.process(self.db, notification_id, event)
                        applied += 1
                self.db.execute("DELETE FROM gb_tracking WHERE name = ?", (projection.name,))
                self.db.execute(
                    "INSERT INTO gb_tracking (name, position, definition) VALUES (?, ?, ?)",
                    (projection.name, new_position, projection.definition),
                )
        if progress is not None:
            progress((new_position - position) * len(group))
        return applied

    def _lock(self, name: str) -> None:
        """PostgreSQL: one process at a time per projection of this store (SQLite's BEGIN IMMEDIATE
        already is). The key names the schema: stores in other schemas of the database do not wait."""
        if self.db.kind != "sqlite":
            key = f"grantbook-projection-{self.db.schema}-{name}"
            self.db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (key,))

    def answer(
        self, question: Callable[[Database], T], names: Sequence[str] | None = None, attempts: int = 20
    ) -> T:
        """Catches up, then answers from one snapshot in which every projection is at least where the
        catch-up left it. A rebuild that emptied the tables in between is seen (its positions went
        back) and caught up again, so an answer never comes from emptied or half-built tables."""
        chosen = [p.name for p in self.projections if names is None or p.name in names]
        for _ in range(attempts):
            self.catch_up(chosen)
            with self.db.snapshot():
                if all(self.position(name) >= self.caught_up_to for name in chosen):
                    return question(self.db)
        raise StoreError("the read models are being rebuilt by another process: try again when it is done")

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        with self.db.transaction():
            for projection in self.projections:
                self._lock(projection.name)
                for table in projection.tables:
                    self.db.execute(f"DELETE FROM {table}")
                self.db.execute("DELETE FROM gb_tracking WHERE name = ?", (projection.name,))
        return self.catch_up(progress=progress)

    def close(self) -> None:
        self.db.close()


def answer(app: Any, question: Callable[[Database], T], names: Sequence[str] | None = None) -> T:
    """Opens the store's read models, answers ``question`` from them up to date, closes them."""
    models = ReadModels(app)
    try:
        return models.answer(question, names)
    finally:
        models.close()
