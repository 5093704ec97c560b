"""Keeps the read models: tracked positions, locks, catch-up, rebuild, status (ADR 0005, 0009).

Each projection has a name, a tracked position (``gb_tracking``) and its own tables. ``catch_up``
reads the events after the tracked position in pages (``select_notifications(...,
inclusive_of_start=False)``: the SQLite store has no ``subscribe()``) and, for each page, applies the
view changes and moves the position **in one transaction**. A failure half way rolls back the page:
nothing is lost or applied twice, the next catch-up resumes from the tracked position.

A projection from nothing with many events to go loads them in one transaction, its indexes dropped
first and made again at the end (``_load``; SQLite keeps more pages in memory meanwhile,
``ReadDatabase.bulk``). Events reach the projections as ``Change`` (``projection.py``); on the SQLite
store they are read as rows with the recorder's own query and connection (``_rows``,
docs/adr/0028).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Table,
    Text,
    delete,
    insert,
    inspect,
    select,
)

from grantbook.adapters.store import StoreLocation
from grantbook.errors import is_driver_error

from . import failures
from .db import Batch, ReadDatabase, metadata
from .freshness import PAGE, Fresh
from .projection import Change, Projection, Recorder

BULK = 20_000  # events to go from nothing at which a projection loads in bulk
BULK_PAGE = PAGE  # larger pages hold more in memory and gain nothing measurable

tracking = Table(
    "gb_tracking",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("definition", Text, nullable=False),
)


class ReadModels(Fresh):
    """The persisted projections of one store: its recorder (to read events), its mapper (to decrypt
    and decompress their state) and its location (where the tables live)."""

    def __init__(
        self, recorder: Recorder, mapper: Any, location: StoreLocation, projections: Sequence[Projection]
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.location = location
        self.db = ReadDatabase(location)
        self.projections = tuple(projections)
        self.caught_up_to = 0
        self.bulk_from = BULK
        # Worker processes for a load from nothing (docs/adr/0026); 1: in this process.
        self.processes = 1
        self._prepare_answers(tracking)
        if self._definitions() != {p.name: p.definition for p in self.projections}:
            self._create_or_replace_tables()

    def _definitions(self) -> dict[str, str] | None:
        """Each tracked projection's definition; None if there is no (current) tracking table yet.
        When all match, the tables are there as this release defines them: nothing to create, and no
        write lock to take."""
        try:
            with self.db.snapshot() as connection:
                return dict(connection.execute(select(tracking.c.name, tracking.c.definition)).all())
        except Exception as error:  # no table yet, or one without definitions
            if not is_driver_error(error):
                raise
            return None

    def _create_or_replace_tables(self) -> None:
        with self.db.writing() as connection:
            self.db.lock(connection, "schema")  # one process at a time creates or replaces tables
            tracking.create(connection, checkfirst=True)
            failures.failures.create(connection, checkfirst=True)
            columns = {
                c["name"] for c in inspect(connection).get_columns("gb_tracking", schema=self.db.schema)
            }
            if "definition" in columns:
                found = dict(connection.execute(select(tracking.c.name, tracking.c.definition)).all())
            else:  # tracked by an earlier release: rebuild every projection
                tracking.drop(connection)
                tracking.create(connection)
                found = {projection.name: "" for projection in self.projections}
            for projection in self.projections:
                if found.get(projection.name, projection.definition) != projection.definition:
                    for table in projection.tables:  # written by another version: rebuilt from the events
                        table.drop(connection, checkfirst=True)
                    connection.execute(failures.forget(projection.name))
                    connection.execute(delete(tracking).where(tracking.c.name == projection.name))
                metadata.create_all(connection, tables=list(projection.tables), checkfirst=True)

    def positions(self, connection: Connection | None = None) -> dict[str, int]:
        """Every tracked position, in one query."""
        query = select(tracking.c.name, tracking.c.position)
        if connection is not None:
            return {name: int(position) for name, position in connection.execute(query)}
        with self.db.snapshot() as snapshot:
            return {name: int(position) for name, position in snapshot.execute(query)}

    def position(self, name: str) -> int:
        return self.positions().get(name, 0)

    def head(self) -> int:
        return int(self.recorder.max_notification_id() or 0)

    def status(self) -> list[dict[str, Any]]:
        """Each projection's position, lag, and the events it could not apply (``failed``)."""
        head = self.head()
        with self.db.snapshot() as connection:
            positions, failed = self.positions(connection), failures.failed(connection)
        rows = []
        for projection in self.projections:
            position = positions.get(projection.name, 0)
            named = [f"position {f['position']}: {f['problem']}" for f in failed.get(projection.name, [])]
            rows.append(
                {"projection": projection.name, "position": position, "head": head, "lag": head - position,
                 "failed": "; ".join(named)}
            )
        return rows

    def catch_up(
        self,
        names: Sequence[str] | None = None,
        progress: Callable[[int], None] | None = None,
        stop: int | None = None,
    ) -> int:
        """Bring the named projections (default all) up to the latest event (or to ``stop``); returns
        events applied (counted once per projection). Projections at the same position share one read
        of the events; projections built from nothing with many events to go load in bulk."""
        chosen = [p for p in self.projections if names is None or p.name in names]
        applied = 0
        while True:
            head = self.head()  # read before the page: nothing recorded later is skipped
            head = head if stop is None else min(head, stop)
            positions = self.positions()
            behind = [(positions.get(p.name, 0), p) for p in chosen]
            behind = [(position, p) for position, p in behind if position < head]
            if not behind:
                self.caught_up_to = head
                return applied
            position = min(position for position, _ in behind)
            group = [p for at, p in behind if at == position]
            if position == 0 and head >= self.bulk_from and self.processes > 1:
                from . import parallel

                applied += parallel.load(self, group, head, self.processes, progress)
            elif position == 0 and head >= self.bulk_from:
                applied += self._load(group, head, progress)
            else:
                applied += self._apply_page(group, position, head, progress)

    def _apply_page(
        self, group: list[Projection], position: int, head: int, progress: Callable[[int], None] | None
    ) -> int:
        """One page of events, applied and tracked in one transaction."""
        changes, new_position = self._read(group, position, head, PAGE)
        with self.db.writing() as connection:
            if not self._still_at(connection, group, position):
                return 0
            applied = self._apply(connection, group, changes)
            self._track(connection, group, new_position)
        if progress is not None:
            progress((new_position - position) * len(group))
        return applied

    def _load(self, group: list[Projection], head: int, progress: Callable[[int], None] | None) -> int:
        """Every event up to ``head`` into empty tables, in one transaction: the tables' indexes are
        dropped first and made again at the end (one sort instead of one update per row). A failure
        rolls everything back, indexes included; a reader never sees a half-built projection."""
        with self.db.writing() as connection, self.db.bulk(connection):
            if not self._still_at(connection, group, 0):
                return 0
            indexes = [index for p in group for table in p.tables for index in table.indexes]
            for index in indexes:
                index.drop(connection)
            applied = position = 0
            while position < head:
                changes, new_position = self._read(group, position, head, BULK_PAGE)
                applied += self._apply(connection, group, changes)
                if progress is not None:
                    progress((new_position - position) * len(group))
                position = new_position
            for index in indexes:
                index.create(connection)
            self._track(connection, group, head)
        return applied

    def _read(
        self, group: list[Projection], position: int, head: int, limit: int
    ) -> tuple[list[Change], int]:
        """The events after ``position`` (up to ``head``) that the group reads, and where they end."""
        topics: tuple[str, ...] = ()
        if all(p.topics for p in group):
            topics = tuple(sorted({topic for p in group for topic in p.topics}))
        rows = self._rows(position, head, limit, topics)
        if rows is not None:
            new_position = rows[-1][0] if len(rows) == limit else head
            return [Change.of_row(*row, self.mapper) for row in rows], new_position
        page = self.recorder.select_notifications(
            start=position, limit=limit, stop=head, topics=topics, inclusive_of_start=False
        )
        new_position = page[-1].id if len(page) == limit else head
        return [Change.of(n, self.mapper) for n in page], new_position

    def _rows(
        self, position: int, head: int, limit: int, topics: tuple[str, ...]
    ) -> list[Any] | None:
        """The SQLite store's rows that ``select_notifications`` would make into notifications (the
        same query, through the recorder's own connection), as they are: the library's objects and a
        UUID per event cost more than the projections' work on some events. None for other stores."""
        recorder = self.recorder
        datastore = getattr(recorder, "datastore", None)
        if (
            type(recorder).__module__ != "eventsourcing.sqlite"
            or getattr(datastore, "originator_id_type", None) != "uuid"
        ):
            return None
        sql = (
            "SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {recorder.events_table_name} WHERE rowid>? AND rowid<=? "  # the library's name
        )
        params: list[Any] = [position, head]
        if topics:
            sql += f"AND topic IN ({','.join('?' * len(topics))}) "
            params += topics
        params.append(limit)
        with datastore.transaction(commit=False) as cursor:
            cursor.execute(sql + "ORDER BY rowid LIMIT ?", params)
            return cursor.fetchall()  # sqlite3.Row: by index, as tuples

    def _still_at(self, connection: Connection, group: list[Projection], position: int) -> bool:
        """Locks the group's projections; whether they are still at ``position`` (another process may
        have moved one meanwhile: the caller then starts again from where it is)."""
        for projection in group:
            self.db.lock(connection, projection.name)
        positions = self.positions(connection)
        return all(positions.get(p.name, 0) == position for p in group)

    @staticmethod
    def _apply(connection: Connection, group: list[Projection], changes: list[Change]) -> int:
        batch = Batch(connection)
        applied = 0
        for projection in group:
            applied += failures.apply_all(batch, projection, changes)
        batch.flush()
        return applied

    @staticmethod
    def _track(connection: Connection, group: list[Projection], position: int) -> None:
        names = [p.name for p in group]
        connection.execute(delete(tracking).where(tracking.c.name.in_(names)))
        connection.execute(
            insert(tracking),
            [{"name": p.name, "position": position, "definition": p.definition} for p in group],
        )

    def empty(self) -> None:
        """Every projection's tables emptied and its position forgotten, in one transaction."""
        with self.db.writing() as connection:
            for projection in self.projections:
                self.db.lock(connection, projection.name)
                for table in projection.tables:
                    connection.execute(delete(table))
                connection.execute(delete(tracking).where(tracking.c.name == projection.name))
                connection.execute(failures.forget(projection.name))

    def rebuild(self, progress: Callable[[int], None] | None = None, processes: int = 1) -> int:
        """Every projection built again from the events. With ``processes`` > 1 the institutions are
        split among that many worker processes (``parallel.py``, docs/adr/0026) and the result is
        swapped in by one transaction (the tables are never seen empty); the same rows either way."""
        if processes <= 1:
            self.empty()
            return self.catch_up(progress=progress)
        from . import parallel

        applied = parallel.load(self, self.projections, self.head(), processes, progress)
        return applied + self.catch_up(progress=progress)

    def close(self) -> None:
        self.db.close()
