"""Partitioned replay: the read models built by several processes at once (docs/adr/0026).

Institutions are independent: every row a projection writes for an event belongs to the event's
institution (its ``originator_id``), and no projection reads another institution's rows while
applying an event. So the events can be split by originator: part ``k`` of ``n`` reads every event
up to the head (reading is cheap; only its own rows become objects), keeps those whose originator
falls in its part (``part_of``) and applies them with the projections' own code, page by page.

``load``: the parent opens **one** transaction on the store's read models, empties the tables and
drops their indexes, and builds part 0 itself straight into them while worker processes build the
other parts into scratch SQLite files of their own; then it copies those parts in (``parts_copy.py``:
SQLite: each part file attached and copied by ``INSERT ... SELECT``, docs/adr/0028; PostgreSQL:
``COPY``), makes the indexes again and sets every tracked position to the head. A reader never
sees an emptied or half-built read model, and a failure rolls everything back. SQLite has one
writer: the parent is it, on both stores.

One table is not keyed by institution: ``gb_person_digests`` (a support worker's national number
digest and the person id given to it; the last event naming a digest wins). Each part says at which
position it last wrote each digest; the row of the latest is kept (``parts_copy.merge_digests``).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import tempfile
import traceback
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete

from grantbook.adapters.store import StoreLocation

from . import failures, parts_copy
from .parts_copy import DIGESTS
from .projection import Change, Projection, canonical_id

PAGE = 2000
SUPPORT_WORKER_ADDED = "grantbook:SupportWorkerAdded"


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def part_of(stored_id: str, parts: int) -> int:
    """Which of ``parts`` parts an institution's events go to, by its id as the store's table holds
    it (the same in every worker of a run)."""
    return zlib.crc32(stored_id.encode()) % parts


def open_events(location: StoreLocation) -> tuple[Any, Any, Callable[[], None]]:
    """The store's recorder and mapper, opened afresh (in a worker process), and how to close them."""
    from grantbook.application import GrantBook

    app = GrantBook.open(location, create=False)
    return app.recorder, app.mapper, app.close


class Stored:
    """One stored event as read by a worker: what the hash chain and ``Change`` need."""

    __slots__ = ("id", "originator_id", "originator_version", "topic", "state")

    def __init__(self, position: int, oid: str, version: int, topic: str, state: bytes) -> None:
        self.id, self.originator_id, self.originator_version = position, oid, version
        self.topic, self.state = topic, state


def read_part(
    location: StoreLocation, part: int, parts: int, head: int, page: int = PAGE
) -> Iterator[tuple[int, int, list[Stored]]]:
    """The stored events up to ``head`` in store order, a page at a time: (position the page ends
    at, the last event read, this part's events in it). Rows are read straight from the store's
    table as the library's recorder reads them; only this part's are made into objects."""
    if location.kind == "sqlite":
        assert location.path is not None
        connection: Any = sqlite3.connect(f"{Path(location.path).resolve().as_uri()}?mode=ro", uri=True)
        sql = (
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
        )
    else:
        from grantbook.adapters import postgres

        connection = postgres.connect(location)
        sql = (
            "SELECT notification_id, originator_id::text, originator_version, topic, state "
            f'FROM "{postgres.schema_of(location)}"."{postgres.EVENTS_TABLE}" '  # noqa: S608
            "WHERE notification_id > %s AND notification_id <= %s ORDER BY notification_id LIMIT %s"
        )
    try:
        position = 0
        while position < head:
            rows = connection.execute(sql, (position, head, page)).fetchall()
            new_position = rows[-1][0] if len(rows) == page else head
            mine = [
                Stored(r[0], canonical_id(r[1]), r[2], r[3], bytes(r[4]))
                for r in rows
                if part_of(r[1], parts) == part
            ]
            yield new_position, (rows[-1][0] if rows else position), mine
            position = new_position
    finally:
        connection.close()


def _context() -> Any:
    """Processes forked where the platform can (no second import of everything); else spawned. A
    worker opens its own connections and never touches the parent's."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_parts(
    target: Callable[..., Any],
    parts: int,
    args: tuple[Any, ...],
    progress: Callable[[int], None] | None = None,
    own: Callable[[Callable[[int], None] | None], Any] | None = None,
) -> list[Any]:
    """``target(part, parts, *args, report)`` in ``parts`` worker processes; their results in part
    order. ``report(n)`` in a worker advances ``progress`` in the parent. A worker's exception is
    raised again in the parent (as RuntimeError naming it, unless it can be sent as it is). With
    ``own``, the parent does part 0 itself (``own(progress)``) while the workers do the others."""
    context = _context()
    messages = context.Queue()
    first = 0 if own is None else 1
    workers = [
        context.Process(target=_worker, args=(target, part, parts, args, messages), daemon=True)
        for part in range(first, parts)
    ]
    for worker in workers:
        worker.start()
    results: dict[int, Any] = {}
    problem: BaseException | None = None
    try:
        if own is not None:
            try:
                results[0] = own(progress)
            except BaseException as error:  # the workers are stopped, then it is raised
                problem = error
        while len(results) < parts and problem is None:
            kind, part, value = messages.get()
            if kind == "progress":
                if progress is not None:
                    progress(value)
            elif kind == "done":
                results[part] = value
            else:
                problem = value
    finally:
        for worker in workers:
            if problem is not None and worker.is_alive():
                worker.terminate()
            worker.join()
    if problem is not None:
        raise problem
    return [results[part] for part in range(parts)]


def _worker(target: Callable[..., Any], part: int, parts: int, args: tuple[Any, ...], messages: Any) -> None:
    try:
        result = target(part, parts, *args, lambda n: messages.put(("progress", part, n)))
        messages.put(("done", part, result))
    except BaseException as error:  # sent to the parent, which raises it
        try:
            messages.put(("error", part, error))
        except Exception:  # not picklable: its text
            text = "".join(traceback.format_exception_only(type(error), error)).strip()
            messages.put(("error", part, RuntimeError(f"worker {part}: {text}")))


# -- building the parts -------------------------------------------------------------------------


def build_part(
    part: int,
    parts: int,
    location: StoreLocation,
    projections: Sequence[Projection],
    head: int,
    scratch: str,
    report: Callable[[int], None],
) -> dict[str, Any]:
    """Worker: the events of this part's institutions up to ``head``, applied by ``projections`` into
    the scratch SQLite file ``scratch`` (tables without indexes)."""
    from .runner import ReadModels

    recorder, mapper, close = open_events(location)
    models = ReadModels(recorder, mapper, StoreLocation.parse(f"sqlite:///{scratch}"), projections)
    try:
        # A scratch file, thrown away if anything fails: no rollback journal, no waiting for the disk.
        raw = models.db.connection().connection.dbapi_connection
        raw.execute("PRAGMA journal_mode=OFF")
        raw.execute("PRAGMA synchronous=OFF")
        with models.db.writing() as connection, models.db.bulk(connection):
            for projection in projections:
                for table in projection.tables:
                    for index in table.indexes:
                        index.drop(connection)
            result = apply_part(connection, part, parts, location, projections, head, mapper, report)
            ReadModels._track(connection, list(projections), head)
    finally:
        models.close()
        close()
    return result


def apply_part(
    connection: Connection,
    part: int,
    parts: int,
    location: StoreLocation,
    projections: Sequence[Projection],
    head: int,
    mapper: Any,
    report: Callable[[int], None] | None,
) -> dict[str, Any]:
    """The events of this part's institutions up to ``head`` applied by ``projections`` in
    ``connection``'s transaction, page by page (as a catch-up). Returns the events applied (once per
    projection) and, per digest, the position of the last event that wrote it."""
    from .runner import ReadModels

    group = list(projections)
    digests: dict[str, int] = {}
    applied = position = 0
    for new_position, _, mine in read_part(location, part, parts, head):
        changes = [Change.of(n, mapper) for n in mine]
        applied += ReadModels._apply(connection, group, changes)
        for change in changes:
            if change.topic == SUPPORT_WORKER_ADDED:
                digest = change.state.get("national_number_digest")
                if isinstance(digest, str):
                    digests[digest] = change.position
        if report is not None:
            report((new_position - position) * len(group))
        position = new_position
    return {"digests": digests, "applied": applied}


def load(
    target: Any,
    projections: Sequence[Projection],
    head: int,
    processes: int,
    progress: Callable[[int], None] | None = None,
    source: StoreLocation | None = None,
) -> int:
    """Builds ``projections`` of the events up to ``head`` in ``processes`` parts and puts them in
    ``target`` (a ``ReadModels``) in one transaction, replacing what its tables held; every tracked
    position is then ``head``. ``source``: where the events are (default: the target's store).
    Returns the events applied, counted once per projection (as ``ReadModels.catch_up``).

    The parent opens that transaction, empties the tables and drops their indexes, builds part 0
    itself straight into them while the workers build the others in scratch files, then copies
    those in, makes the indexes and sets the positions."""
    from .runner import ReadModels

    location = source or target.location
    db = target.db
    tables = [table for projection in projections for table in projection.tables]
    names = [projection.name for projection in projections]
    with tempfile.TemporaryDirectory(prefix="grantbook-parts-") as folder:
        scratches = [str(Path(folder) / f"part-{k}.db") for k in range(processes)]
        indexes = [index for table in tables for index in table.indexes]
        attached: list[str] = []  # SQLite: the parts attached to the connection, detached after
        with parts_copy.detached(db, attached), db.writing() as connection, db.bulk(connection):
            for projection in projections:
                db.lock(connection, projection.name)

            def own(report: Callable[[int], None] | None) -> dict[str, Any]:
                # While the workers build: the tables emptied, their indexes dropped, then part 0.
                for table in tables:
                    connection.execute(delete(table))
                connection.execute(delete(failures.failures).where(failures.failures.c.projection.in_(names)))
                for index in indexes:
                    index.drop(connection)
                return apply_part(
                    connection, 0, processes, location, projections, head, target.mapper, report
                )

            results = run_parts(
                _build_into, processes, (location, tuple(projections), head, scratches), progress, own=own
            )
            copied = [table for table in [*tables, failures.failures] if table.name != DIGESTS]
            if db.kind == "sqlite":
                parts_copy.copy_sqlite(connection, copied, scratches[1:], attached)
            else:
                for table in copied:
                    parts_copy.copy_postgres(connection, db.schema, table, scratches[1:])
            if any(table.name == DIGESTS for table in tables):
                parts_copy.merge_digests(connection, db, scratches, results)
            for index in indexes:
                index.create(connection)
            ReadModels._track(connection, list(projections), head)
    return sum(result["applied"] for result in results)


@contextmanager
def built(
    location: StoreLocation,
    projections: Sequence[Projection],
    head: int,
    processes: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
    """The parts built by ``processes`` workers: their scratch SQLite files (tables without indexes)
    and what each said (``build_part``); the files are removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="grantbook-parts-") as folder:
        scratches = [str(Path(folder) / f"part-{k}.db") for k in range(processes)]
        results = run_parts(_build_into, processes, (location, tuple(projections), head, scratches), progress)
        yield scratches, results


def _build_into(
    part: int,
    parts: int,
    location: StoreLocation,
    projections: Sequence[Projection],
    head: int,
    scratches: list[str],
    report: Callable[[int], None],
) -> dict[str, Any]:
    return build_part(part, parts, location, projections, head, scratches[part], report)
