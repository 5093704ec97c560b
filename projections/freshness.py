"""Answers from up-to-date read models (docs/adr/0029): one snapshot per question, in which every
projection asked has applied every event recorded before the question; a projection behind catches
up first, unless none of the events since its position is of a topic it reads (a *quiet* answer).
The head and the quiet check are asked of the events' own table in the reader's snapshot: the
events share the read models' database (SQLite's file; PostgreSQL's schema, where the library
inserts under a table lock, so a snapshot sees the events up to its head and none after a gap)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, literal_column, select, text

from grantbook.errors import StoreError, is_driver_error, is_read_only

log = logging.getLogger("grantbook.projections.runner")
PAGE = 2000  # events per page of a catch-up (runner.py); the most a quiet check reads
T = TypeVar("T")

POSITIONS = "gb_positions"
"""While a question of ``ReadModels.answer`` runs, ``connection.info[POSITIONS]`` holds the tracked
positions (projection name to position) that answer read in the same snapshot: a question that
keys something on a position needs no query of its own (web/security.py)."""


def events_table(recorder: Any, kind: str) -> tuple[str, str] | None:
    """The library's table of stored events and its notification id column, as SQL for the read
    models' connection (None where the recorder is not one of the two stores')."""
    if kind == "sqlite":
        table = getattr(recorder, "events_table_name", None)
        return (f'"{table}"', "rowid") if isinstance(table, str) and table.isidentifier() else None
    datastore = getattr(recorder, "datastore", None)
    schema, table = getattr(datastore, "schema", None), getattr(recorder, "events_table_name", None)
    if not schema or not table:
        return None
    quoted = [name.replace('"', '""') for name in (schema, table)]
    return f'"{quoted[0]}"."{quoted[1]}"', "notification_id"


def head_query(events: tuple[str, str] | None) -> str | None:
    """The latest notification id (the library's own query on SQLite: MAX(rowid))."""
    return None if events is None else f"SELECT MAX({events[1]}) FROM {events[0]}"


def topics_query(events: tuple[str, str] | None, topics: Sequence[str]) -> Any:
    """One event of ``topics`` after ``start`` up to ``stop``, if any, asked in the reader's snapshot
    (the library's pool would queue the read behind a waiting writer, docs/adr/0029). One bound
    parameter per topic, not an expanding one: the statement is compiled once per group."""
    if events is None:
        return None
    table, notification_id = events
    names = ", ".join(f":topic{i}" for i in range(len(topics)))
    return text(
        f"SELECT 1 FROM {table} WHERE {notification_id} > :start AND {notification_id} <= :stop "
        f"AND topic IN ({names}) LIMIT 1"
    ).bindparams(**{f"topic{i}": topic for i, topic in enumerate(topics)})


class Fresh:
    """``answer`` for ``ReadModels`` (projections/runner.py), which gives ``db``, ``projections``,
    ``recorder``, ``caught_up_to``, ``head``, ``positions`` and ``catch_up``, and calls
    ``_prepare_answers`` once its database is open."""

    db: Any
    projections: tuple[Any, ...]
    recorder: Any
    caught_up_to: int

    def _prepare_answers(self, tracking: Table) -> None:
        """The statements a question's freshness check asks, made once (``tracking``: the tracked
        positions' table, runner.py)."""
        self._events = events_table(self.recorder, self.db.kind)
        self._head_sql = head_query(self._events)
        # One statement: every tracked position, each row with the head beside it.
        self._positions_and_head: Any = (
            None
            if self._head_sql is None
            else select(tracking.c.name, tracking.c.position, literal_column(f"({self._head_sql})"))
        )
        self._quiet: dict[tuple[str, ...], tuple[int, int]] = {}  # _nothing_new_for, per group
        self._topics_sql: dict[tuple[str, ...], Any] = {}  # _nothing_new_for, per group

    def answer(
        self, question: Callable[[Connection], T], names: Sequence[str] | None = None, attempts: int = 20
    ) -> T:
        """Answers from one snapshot in which every projection has applied every event recorded before
        the question was asked; catches up first where one has not. A rebuild that emptied the tables
        in between is seen (its positions went back) and caught up again, so an answer never comes
        from emptied or half-built tables. Up to date, a question costs one look at the head and
        the positions in its own snapshot."""
        chosen = [p.name for p in self.projections if names is None or p.name in names]
        read_only = False
        for _ in range(attempts):
            head = None if self._head_sql else self.head()  # before the snapshot: all wanted in it
            with self.db.snapshot() as connection:
                if self._positions_and_head is not None:  # events and read models in one snapshot
                    rows = connection.execute(self._positions_and_head).all()
                    positions = {name: int(position) for name, position, _ in rows}
                    if rows:
                        head = int(rows[0][2] or 0)
                    else:  # nothing tracked yet
                        head = int(connection.exec_driver_sql(self._head_sql).scalar() or 0)
                else:
                    positions = self.positions(connection)
                assert head is not None
                lag = max(head - positions.get(name, 0) for name in chosen)
                if (
                    0 < lag <= PAGE
                    and not read_only
                    and self._nothing_new_for(chosen, positions, head, connection)
                ):
                    lag = 0  # only events these projections do not read: nothing to write first
                if lag <= 0 or read_only:
                    if lag > 0:
                        log.warning("read models lag %d events", lag)
                    self.caught_up_to = max(self.caught_up_to, head)
                    connection.info[POSITIONS] = positions  # for the question, see POSITIONS
                    try:
                        return question(connection)
                    finally:
                        connection.info.pop(POSITIONS, None)
            try:
                self.catch_up(chosen)
            except Exception as error:  # a reader who may not write answers from what is there
                if not (is_driver_error(error) and is_read_only(error)):
                    raise
                read_only = True  # for this question: a later one tries again (access may change)
        raise StoreError("the read models are being rebuilt by another process: try again when it is done")

    def _nothing_new_for(
        self, names: Sequence[str], positions: dict[str, int], head: int, connection: Connection
    ) -> bool:
        """Whether none of the events after the named projections' positions (up to ``head``) is
        one they read (each reads some topics only): then they answer as they stand, without a
        catch-up that would only move their positions (a write on every page after any change,
        docs/adr/0029). What was found quiet is remembered per position, so each event is looked
        at once. Asked in the reader's own snapshot, where the head was read."""
        group = [p for p in self.projections if p.name in names]
        if not group or not all(p.topics for p in group):
            return False
        start = min(positions.get(p.name, 0) for p in group)
        key = tuple(sorted(names))
        quiet_from, quiet_to = self._quiet.get(key, (-1, -1))
        if quiet_from == start:
            start = max(start, quiet_to)
        if start < head:
            if key not in self._topics_sql:
                self._topics_sql[key] = topics_query(self._events, _topics(group))
            statement = self._topics_sql[key]
            if statement is not None:
                if connection.execute(statement, {"start": start, "stop": head}).first() is not None:
                    return False
            elif self.recorder.select_notifications(
                start=start, limit=1, stop=head, topics=_topics(group), inclusive_of_start=False
            ):
                return False
        self._quiet[key] = (min(positions.get(p.name, 0) for p in group), head)
        return True


def _topics(group: Sequence[Any]) -> list[str]:
    """Every topic a group of projections reads, in order."""
    return sorted({topic for p in group for topic in p.topics})
