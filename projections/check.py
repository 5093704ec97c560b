"""Whether the read models say what the events say: each projection built again, from the same
events up to the same position, in a scratch SQLite file, and compared row by row with the tables
every report reads. ``grantbook verify`` runs it; a row edited by hand is named."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, Text, func, select

from grantbook.adapters.store import StoreLocation
from grantbook.errors import is_driver_error, is_read_only

from . import parallel, parts_copy
from .db import ReadDatabase
from .runner import ReadModels

SHOWN = 3  # differing rows named per table


def differences(models: ReadModels, processes: int = 1) -> Iterator[str]:
    """One line per row that differs (at most ``SHOWN`` per table): the table, the row's key, and
    whether the events have it otherwise, not at all, or the table lacks it. With ``processes`` > 1
    the fresh read models are built in parts (``parallel.py``) and the tables compared in as many
    processes; the lines are the same, in the same order."""
    try:
        models.catch_up()
    except Exception as error:  # a reader who may not write compares what is there
        if not (is_driver_error(error) and is_read_only(error)):
            raise
    positions = models.positions()
    with tempfile.TemporaryDirectory(prefix="grantbook-verify-") as folder:
        scratch = StoreLocation.parse(f"sqlite:///{Path(folder) / 'fresh.db'}")
        fresh = ReadModels(models.recorder, models.mapper, scratch, models.projections)
        try:
            wanted = {positions.get(projection.name, 0) for projection in models.projections}
            tables = [table for projection in models.projections for table in projection.tables]
            if processes > 1 and len(wanted) == 1 and min(wanted) > 0:
                # The parts built in worker processes are compared as they are (no merge, no index).
                head = min(wanted)
                with parallel.built(models.location, models.projections, head, processes) as (parts, said):
                    found = _compare_in_parts(models, tables, parts, said, positions, processes)
                if found is not None:
                    for lines in found:
                        yield from lines
                    return
            if len(wanted) == 1:  # all at one position: one read of the events for all
                fresh.catch_up(stop=min(wanted))
            else:
                for projection in models.projections:
                    fresh.catch_up([projection.name], stop=positions.get(projection.name, 0))
            with models.db.snapshot() as kept, fresh.db.snapshot() as made:
                for table in tables:
                    yield from _compare(table, _rows(kept, table), _rows(made, table))
        finally:
            fresh.close()


def _compare_in_parts(
    models: ReadModels,
    tables: list[Table],
    parts: list[str],
    said: list[dict[str, Any]],
    positions: dict[str, int],
    processes: int,
) -> list[list[str]] | None:
    """Each table compared in a worker process (largest first, spread over ``processes``) with the
    rows of every part; the lines per table, in table order. None when the kept read models moved on
    meanwhile (the caller then compares in one snapshot, as the serial check does)."""
    order = sorted(range(len(tables)), key=lambda i: -_size(models, tables[i]))
    shares: list[list[int]] = [[] for _ in range(processes)]
    for rank, index in enumerate(order):
        shares[rank % processes].append(index)
    results = parallel.run_parts(
        _compare_part, processes, (models.location, tables, parts, said, shares, positions)
    )
    if any(result is None for result in results):
        return None
    lines: dict[int, list[str]] = {}
    for result in results:
        lines.update(result)
    return [lines[index] for index in range(len(tables))]


def _size(models: ReadModels, table: Table) -> int:
    with models.db.snapshot() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar() or 0)


def _compare_part(
    part: int,
    parts: int,
    kept_location: StoreLocation,
    tables: list[Table],
    built: list[str],
    said: list[dict[str, Any]],
    shares: list[list[int]],
    positions: dict[str, int],
    report: Any,
) -> dict[int, list[str]] | None:
    from .runner import tracking

    kept_db = ReadDatabase(kept_location)
    made_dbs = [ReadDatabase(StoreLocation.parse(f"sqlite:///{path}")) for path in built]
    try:
        with kept_db.snapshot() as kept:
            now = {name: int(at) for name, at in kept.execute(select(tracking.c.name, tracking.c.position))}
            if any(now.get(name, 0) != at for name, at in positions.items()):
                return None
            found = {}
            for index in shares[part]:
                table = tables[index]
                made: dict[tuple[Any, ...], tuple[Any, ...]] = {}
                if table.name == parts_copy.DIGESTS:
                    made = {(d,): (d, p) for d, p in parts_copy.digest_winners(built, said)}
                else:
                    for db in made_dbs:
                        with db.snapshot() as connection:
                            made.update(_rows(connection, table))
                found[index] = list(_compare(table, _rows(kept, table), made))
            return found
    finally:
        kept_db.close()
        for db in made_dbs:
            db.close()


def _rows(connection: Connection, table: Table) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    names = [column.name for column in table.columns]
    keys = [names.index(column.name) for column in table.primary_key.columns]
    numbers = [i for i, column in enumerate(table.columns) if not isinstance(column.type, Text)]
    found = {}
    for row in connection.execute(select(table)):
        values = list(row)
        key = tuple(values[i] for i in keys)
        for i in numbers:  # only these can differ in type between the two databases
            values[i] = _plain(values[i])
        found[key] = tuple(values)
    return found


def _plain(value: Any) -> Any:
    """Values as both databases give them back (PostgreSQL's and SQLite's numbers differ in type)."""
    return float(value) if isinstance(value, float | int) and not isinstance(value, bool) else value


def _compare(
    table: Table, kept: dict[tuple[Any, ...], tuple[Any, ...]], made: dict[tuple[Any, ...], tuple[Any, ...]]
) -> Iterator[str]:
    keys = [column.name for column in table.primary_key.columns]
    named = 0
    for key in sorted(set(kept) | set(made), key=repr):
        if kept.get(key) == made.get(key):
            continue
        where = ", ".join(f"{name}={value}" for name, value in zip(keys, key, strict=True))
        if key not in made:
            what = "is not in what the events say"
        elif key not in kept:
            what = "is missing"
        else:
            columns = [c.name for c, a, b in zip(table.columns, kept[key], made[key], strict=True) if a != b]
            what = "differs from what the events say in " + ", ".join(columns)
        yield f"{table.name} row {where} {what}"
        named += 1
        if named == SHOWN:
            return
