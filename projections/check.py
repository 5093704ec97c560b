"""Whether the read models say what the events say: each projection built again, from the same
events up to the same position, in a scratch SQLite file, and compared row by row with the tables
every report reads. ``grantbook verify`` runs it; a row edited by hand is named."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from grantbook.adapters.store import StoreLocation
from grantbook.errors import is_driver_error, is_read_only

from .runner import ReadModels

SHOWN = 3  # differing rows named per table


def differences(models: ReadModels) -> Iterator[str]:
    """One line per row that differs (at most ``SHOWN`` per table): the table, the row's key, and
    whether the events have it otherwise, not at all, or the table lacks it."""
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
            for projection in models.projections:
                fresh.catch_up([projection.name], stop=positions.get(projection.name, 0))
            with models.db.snapshot() as kept, fresh.db.snapshot() as made:
                for projection in models.projections:
                    for table in projection.tables:
                        yield from _compare(table, _rows(kept, table), _rows(made, table))
        finally:
            fresh.close()


def _rows(connection: Connection, table: Table) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    keys = [column.name for column in table.primary_key.columns]
    found = {}
    for row in connection.execute(select(table)).mappings():
        found[tuple(row[name] for name in keys)] = tuple(_plain(row[c.name]) for c in table.columns)
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
