"""Keeps the read models: tracked positions, locks, catch-up, rebuild, status (ADR 0005, 0009).

Each projection has a name, a tracked position (``gb_tracking``) and its own tables. ``catch_up``
reads the events after the tracked position in pages (``select_notifications(...,
inclusive_of_start=False)``: the SQLite store has no ``subscribe()``) and, for each page, applies the
view changes and moves the position **in one transaction**. A failure half way rolls back the page:
nothing is lost or applied twice, the next catch-up resumes from the tracked position.

Events reach the projections as ``Change``: position, topic, institution id and the stored state as
JSON values (decrypted and decompressed if the store does that), without building the domain event:
a projection reads only the fields it needs, and dates stay the ISO text the tables keep.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import pydantic_core
from sqlalchemy import BigInteger, Column, Connection, Table, Text, delete, insert, inspect, select

from grantbook.adapters.store import StoreLocation
from grantbook.errors import StoreError, is_driver_error

from .db import Batch, ReadDatabase, fingerprint, metadata

PAGE = 2000
T = TypeVar("T")

tracking = Table(
    "gb_tracking",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("definition", Text, nullable=False),
)


class Change:
    """One stored event as the projections see it."""

    __slots__ = ("position", "topic", "originator_id", "version", "state", "_moment")

    def __init__(
        self, position: int, topic: str, originator_id: str, version: int, state: dict[str, Any]
    ) -> None:
        self.position = position
        self.topic = topic
        self.originator_id = originator_id
        self.version = version
        self.state = state
        self._moment: datetime | None = None

    @property
    def name(self) -> str:
        """The event's class name (topics are ``grantbook:<EventName>``)."""
        return self.topic.rpartition(":")[2]

    @property
    def moment(self) -> datetime:
        if self._moment is None:
            self._moment = datetime.fromisoformat(self.state["timestamp"])
        return self._moment


class Projection:
    """A named view of the events: its tables, and how one event changes them.

    ``version`` names what it makes of an event: a release that changes that raises it. With a
    fingerprint of its tables' definitions (so a new column or index counts too) it is kept beside
    the tracked position; a store whose projection was written under another one drops that
    projection's tables and rebuilds them from the events on first use.
    """

    name: str = ""
    version: int = 1
    tables: tuple[Table, ...] = ()
    topics: tuple[str, ...] = ()  # empty: every event

    def process(self, batch: Batch, change: Change) -> None:
        raise NotImplementedError

    @property
    def definition(self) -> str:
        return f"{self.version}:{fingerprint(self.tables)}"


class Recorder(Protocol):
    def max_notification_id(self) -> int | None: ...
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Any: ...


class ReadModels:
    """The persisted projections of one store: its recorder (to read events), its mapper (to decrypt
    and decompress their state) and its location (where the tables live)."""

    def __init__(
        self, recorder: Recorder, mapper: Any, location: StoreLocation, projections: Sequence[Projection]
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.db = ReadDatabase(location)
        self.projections = tuple(projections)
        self.caught_up_to = 0
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
        head, positions = self.head(), self.positions()
        rows = []
        for projection in self.projections:
            position = positions.get(projection.name, 0)
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
            positions = self.positions()
            behind = [(positions.get(p.name, 0), p) for p in chosen]
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
        page = self.recorder.select_notifications(
            start=position, limit=PAGE, stop=head, topics=topics, inclusive_of_start=False
        )
        new_position = page[-1].id if len(page) == PAGE else head
        changes = [self._change(n) for n in page]
        with self.db.writing() as connection:
            for projection in group:
                self.db.lock(connection, projection.name)
            # Another process may have moved a position meanwhile: the caller starts again from there.
            positions = self.positions(connection)
            if any(positions.get(p.name, 0) != position for p in group):
                return 0
            batch = Batch(connection)
            applied = 0
            for projection in group:
                wanted = set(projection.topics)
                for change in changes:
                    if not wanted or change.topic in wanted:
                        projection.process(batch, change)
                        applied += 1
            batch.flush()
            names = [p.name for p in group]
            connection.execute(delete(tracking).where(tracking.c.name.in_(names)))
            connection.execute(
                insert(tracking),
                [{"name": p.name, "position": new_position, "definition": p.definition} for p in group],
            )
        if progress is not None:
            progress((new_position - position) * len(group))
        return applied

    def _change(self, notification: Any) -> Change:
        data = notification.state
        if self.mapper.cipher:
            data = self.mapper.cipher.decrypt(data)
        if self.mapper.compressor:
            data = self.mapper.compressor.decompress(data)
        return Change(
            notification.id,
            notification.topic,
            str(notification.originator_id),
            notification.originator_version,
            pydantic_core.from_json(data),
        )

    def answer(
        self, question: Callable[[Connection], T], names: Sequence[str] | None = None, attempts: int = 20
    ) -> T:
        """Catches up, then answers from one snapshot in which every projection is at least where the
        catch-up left it. A rebuild that emptied the tables in between is seen (its positions went
        back) and caught up again, so an answer never comes from emptied or half-built tables."""
        chosen = [p.name for p in self.projections if names is None or p.name in names]
        for _ in range(attempts):
            self.catch_up(chosen)
            with self.db.snapshot() as connection:
                positions = self.positions(connection)
                if all(positions.get(name, 0) >= self.caught_up_to for name in chosen):
                    return question(connection)
        raise StoreError("the read models are being rebuilt by another process: try again when it is done")

    def empty(self) -> None:
        """Every projection's tables emptied and its position forgotten, in one transaction."""
        with self.db.writing() as connection:
            for projection in self.projections:
                self.db.lock(connection, projection.name)
                for table in projection.tables:
                    connection.execute(delete(table))
                connection.execute(delete(tracking).where(tracking.c.name == projection.name))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        self.empty()
        return self.catch_up(progress=progress)

    def close(self) -> None:
        self.db.close()
