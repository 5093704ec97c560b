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

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

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

PAGE = 1000


class Database:
    """One DB-API connection to the store's database (SQLite file or PostgreSQL schema)."""

    def __init__(self, app: Any) -> None:
        location = app.location
        self.kind = location.kind
        if self.kind == "sqlite":
            self.connection = sqlite3.connect(str(location.path), isolation_level=None, timeout=30)
        else:
            from grantbook import postgres

            self.connection = postgres.connect(location)
            schema = postgres.schema_of(location)
            self.connection.execute(f'SET search_path TO "{schema}"')

    def sql(self, statement: str) -> str:
        return statement if self.kind == "sqlite" else statement.replace("?", "%s")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self.connection.execute(self.sql(statement), tuple(params))

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
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        else:
            with self.connection.transaction():
                yield

    def close(self) -> None:
        self.connection.close()


class Projection:
    """A named view of the events: its tables, and how one event changes them."""

    name: str = ""
    tables: tuple[str, ...] = ()
    schema: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        raise NotImplementedError


def _number(db: Database, originator_id: Any) -> str:
    row = db.execute("SELECT number FROM gb_institutions WHERE originator_id = ?", (str(originator_id),))
    found = row.fetchone()
    return found[0] if found else ""


class InstitutionsProjection(Projection):
    """Institution numbers by aggregate id (read by the other projections' queries)."""

    name = "institutions"
    tables = ("gb_institutions",)
    schema = (
        "CREATE TABLE IF NOT EXISTS gb_institutions (originator_id TEXT PRIMARY KEY, number TEXT NOT NULL)",
    )
    topics = (InstitutionRegistered.TOPIC,)

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        if isinstance(event, InstitutionRegistered):
            db.execute(
                "INSERT INTO gb_institutions (originator_id, number) VALUES (?, ?)",
                (str(event.originator_id), event.number),
            )


class RightsProjection(Projection):
    """One row per grant (current rights, expiry, person, leavers)."""

    name = "rights"
    tables = ("gb_rights",)
    schema = (
        "CREATE TABLE IF NOT EXISTS gb_rights ("
        " grant_id TEXT PRIMARY KEY, originator_id TEXT NOT NULL, person_id TEXT NOT NULL,"
        " first_name TEXT NOT NULL, last_name TEXT NOT NULL, category TEXT NOT NULL,"
        " right_name TEXT NOT NULL, context TEXT NOT NULL, begin_day TEXT NOT NULL,"
        " end_day TEXT NOT NULL, last_day TEXT, granted_by TEXT NOT NULL,"
        " granted_at TEXT NOT NULL, revoked_on TEXT, revoked_by TEXT)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_institution ON gb_rights (originator_id, last_day)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_person ON gb_rights (person_id)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_end ON gb_rights (end_day)",
        "CREATE INDEX IF NOT EXISTS gb_rights_by_last_day ON gb_rights (last_day, begin_day)",
    )
    topics = (AssignmentConfirmed.TOPIC, EndDateExtended.TOPIC, RightRevoked.TOPIC)

    def process(self, db: Database, position: int, event: InstitutionEvent) -> None:
        if isinstance(event, AssignmentConfirmed):
            for granted in event.grants:
                db.execute(
                    "INSERT INTO gb_rights (grant_id, originator_id, person_id, first_name, last_name,"
                    " category, right_name, context, begin_day, end_day, last_day, granted_by, granted_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        granted.grant_id,
                        str(event.originator_id),
                        granted.person_id,
                        granted.first_name,
                        granted.last_name,
                        granted.category,
                        event.right,
                        event.context,
                        event.begin.isoformat(),
                        event.end.isoformat(),
                        _last_day(event.begin.isoformat(), event.end.isoformat(), None),
                        event.actor,
                        event.timestamp.isoformat(),
                    ),
                )
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


def _last_day(begin: str, end: str, revoked_on: str | None) -> str | None:
    """ISO text of the last day held (None if never): the "valid on day D" index."""
    from datetime import date, timedelta

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
            db.execute(
                "UPDATE gb_people SET status = ? WHERE originator_id = ? AND support_worker = 0",
                (INACTIVE, oid),
            )
            for entry in event.entries:
                db.execute(
                    "DELETE FROM gb_people WHERE originator_id = ? AND person_id = ?", (oid, entry.person_id)
                )
                db.execute(
                    "INSERT INTO gb_people (originator_id, person_id, status, support_worker)"
                    " VALUES (?, ?, ?, 0)",
                    (oid, entry.person_id, entry.status),
                )
        elif isinstance(event, SupportWorkerAdded):
            db.execute(
                "DELETE FROM gb_people WHERE originator_id = ? AND person_id = ?", (oid, event.person_id)
            )
            db.execute(
                "INSERT INTO gb_people (originator_id, person_id, status, support_worker)"
                " VALUES (?, ?, ?, 1)",
                (oid, event.person_id, ACTIVE),
            )
            db.execute("DELETE FROM gb_person_digests WHERE digest = ?", (event.national_number_digest,))
            db.execute(
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
        import json

        db.execute(
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
TRACKING = "CREATE TABLE IF NOT EXISTS gb_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"


class ReadModels:
    """The persisted projections of one store."""

    def __init__(self, app: Any, projections: Sequence[Projection] = PROJECTIONS) -> None:
        self.app = app
        self.db = Database(app)
        self.projections = tuple(projections)
        with self.db.transaction():
            self.db.execute(TRACKING)
            for projection in PROJECTIONS:
                for statement in projection.schema:
                    self.db.execute(statement)

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
        """Bring the named projections (default all) up to the latest event; returns events applied."""
        applied = 0
        for projection in self.projections:
            if names is not None and projection.name not in names:
                continue
            applied += self._catch_up_one(projection, progress)
        return applied

    def _catch_up_one(self, projection: Projection, progress: Callable[[int], None] | None) -> int:
        applied = 0
        position = self.position(projection.name)
        while True:
            head = self.head()  # read before the page: nothing recorded later is skipped
            if head <= position:
                return applied
            page = self.app.recorder.select_notifications(
                start=position, limit=PAGE, stop=head, topics=projection.topics, inclusive_of_start=False
            )
            new_position = page[-1].id if len(page) == PAGE else head
            with self.db.transaction():
                self._lock(projection.name)
                # Another process may have moved the position meanwhile: start again from there.
                if self.position(projection.name) != position:
                    position = -1
                else:
                    for notification in page:
                        event = self.app.mapper.to_domain_event(notification)
                        projection.process(self.db, notification.id, event)
                    self.db.execute("DELETE FROM gb_tracking WHERE name = ?", (projection.name,))
                    self.db.execute(
                        "INSERT INTO gb_tracking (name, position) VALUES (?, ?)",
                        (projection.name, new_position),
                    )
            if position == -1:
                position = self.position(projection.name)
                continue
            applied += len(page)
            if progress is not None:
                progress(new_position - position)
            position = new_position

    def _lock(self, name: str) -> None:
        """PostgreSQL: one catch-up per projection at a time (SQLite's BEGIN IMMEDIATE already is)."""
        if self.db.kind != "sqlite":
            self.db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ("grantbook-projection-" + name,))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        with self.db.transaction():
            for projection in self.projections:
                for table in projection.tables:
                    self.db.execute(f"DELETE FROM {table}")
                self.db.execute("DELETE FROM gb_tracking WHERE name = ?", (projection.name,))
        return self.catch_up(progress=progress)

    def close(self) -> None:
        self.db.close()
