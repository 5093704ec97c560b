"""Copying every event, in order, from one store to another.

The target must be empty or hold a prefix of the source (an earlier,
interrupted copy): then the copy resumes after that prefix. Anything else is
refused. Events are written in batches, each batch one transaction, so an
interruption leaves a prefix and a rerun finishes the job. Projection tables
are not copied: they are rebuilt from the events on the target.

Every event keeps its position (notification id). Positions are what the
audit trail shows and what a signed checkpoint records, so a copy answers
exactly like its source and the source's checkpoints verify on it. Letting the
target number the events afresh would not do: a PostgreSQL sequence is not
transactional, so an interrupted batch leaves a gap the source does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import zip_longest
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from grantbook.errors import StoreError

BATCH = 500


def notifications(recorder: ApplicationRecorder, page: int = BATCH) -> Iterator[Any]:
    position: int | None = None
    while True:
        batch = recorder.select_notifications(
            start=position, limit=page, inclusive_of_start=position is None
        )
        yield from batch
        if len(batch) < page:
            return
        position = batch[-1].id


def same_event(a: Any, b: Any) -> bool:
    return (
        str(a.originator_id) == str(b.originator_id)
        and a.originator_version == b.originator_version
        and a.topic == b.topic
        and bytes(a.state) == bytes(b.state)
        and a.id == b.id
    )


def count(recorder: ApplicationRecorder) -> int:
    return sum(1 for _ in notifications(recorder))


def verified_prefix(source: ApplicationRecorder, target: ApplicationRecorder) -> int:
    """How many events the target already holds, all equal to the source's first ones."""
    already = 0
    for theirs, ours in zip_longest(notifications(target), notifications(source)):
        if theirs is None:
            break
        if ours is None or not same_event(theirs, ours):
            raise StoreError(
                f"the target store holds events that are not a prefix of the source "
                f"(first difference at its event {already + 1}): refusing to copy into it"
            )
        already += 1
    return already


def copy_events(
    source: ApplicationRecorder,
    target: ApplicationRecorder,
    already: int,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Copies the source's events after the first ``already``; returns how many."""
    copied = 0
    batch: list[Any] = []
    for index, event in enumerate(notifications(source)):
        if index < already:
            continue
        batch.append(event)
        if len(batch) >= BATCH:
            copied += _write(target, batch)
            progress(len(batch))
            batch = []
    if batch:
        copied += _write(target, batch)
        progress(len(batch))
    return copied


def _write(target: ApplicationRecorder, batch: list[Any]) -> int:
    rows = [(event.id, event.originator_id, event.originator_version, event.topic, bytes(event.state))
            for event in batch]
    if isinstance(target, SQLiteApplicationRecorder):
        _write_sqlite(target, rows)
    else:
        _write_postgres(target, rows)
    return len(batch)


def _write_sqlite(target: SQLiteApplicationRecorder, rows: list[tuple[Any, ...]]) -> None:
    with target.datastore.transaction(commit=True) as cursor:
        cursor.executemany(
            f"INSERT INTO {target.events_table_name} "
            "(rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
            [(id_, originator.hex if isinstance(originator, UUID) else originator, version, topic, state)
             for id_, originator, version, topic, state in rows],
        )


def _write_postgres(target: Any, rows: list[tuple[Any, ...]]) -> None:
    from psycopg.sql import SQL, Identifier  # the `postgres` extra; only a PostgreSQL target gets here

    table = Identifier(target.datastore.schema, target.events_table_name)
    with target.datastore.transaction(commit=True) as cursor:
        for statement in target.lock_table_statements:
            cursor.execute(statement)
        cursor.executemany(
            SQL(
                "INSERT INTO {} (notification_id, originator_id, originator_version, topic, state) "
                "VALUES (%s, %s, %s, %s, %s)"
            ).format(table),
            rows,
        )
        # Events written later by grantbook itself must come after the copied ones.
        cursor.execute(
            SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
            (f'"{target.datastore.schema}"."{target.events_table_name}"', rows[-1][0]),
        )
