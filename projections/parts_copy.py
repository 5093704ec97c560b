"""Built parts into the store's read models (``parallel.load``, docs/adr/0026 and 0028): each part's
rows copied in the parent's open transaction (SQLite: the part file attached and copied by
``INSERT ... SELECT``, detached after the transaction; PostgreSQL: ``COPY``), and the one table not
keyed by institution, ``gb_person_digests``, merged: each digest's row from the part whose event
wrote it last."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

DIGESTS = "gb_person_digests"


def merge_digests(
    connection: Connection, db: Any, scratches: list[str], results: list[dict[str, Any]]
) -> None:
    """Part 0's digest rows are in the table; each digest another part wrote later replaces its row."""
    mark = "?" if db.kind == "sqlite" else "%s"
    table = _qualified(db, DIGESTS)
    mine = results[0]["digests"]
    for digest, person, part in _winners(scratches[1:], results[1:], first_part=1):
        if mine.get(digest, 0) < results[part]["digests"].get(digest, 0) or digest not in mine:
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE digest = {mark}", (digest,))  # noqa: S608
            connection.exec_driver_sql(
                f"INSERT INTO {table} (digest, person_id) VALUES ({mark}, {mark})",
                (digest, person),  # noqa: S608
            )


def _columns(table: Any) -> list[str]:
    return [column.name for column in table.columns]


def _winners(
    scratches: list[str], results: list[dict[str, Any]], first_part: int = 0
) -> list[tuple[str, str, int]]:
    """Each digest's row (digest, person, part) from the part whose event wrote it last."""
    best: dict[str, tuple[int, str, int]] = {}
    for k, (scratch, result) in enumerate(zip(scratches, results, strict=True)):
        source = sqlite3.connect(scratch)
        try:
            rows = source.execute(f'SELECT digest, person_id FROM "{DIGESTS}"').fetchall()  # noqa: S608
        finally:
            source.close()
        for digest, person in rows:
            at = result["digests"].get(digest, 0)
            if digest not in best or at > best[digest][0]:
                best[digest] = (at, person, k + first_part)
    return [(digest, person, part) for digest, (_, person, part) in best.items()]


def digest_winners(scratches: list[str], results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Each digest's row from the part whose event wrote it last."""
    return [(digest, person) for digest, person, _ in _winners(scratches, results)]


def _qualified(db: Any, table: str) -> str:
    return f'"{table}"' if db.kind == "sqlite" else f'"{db.schema}"."{table}"'


@contextmanager
def detached(db: Any, attached: list[str]) -> Iterator[None]:
    """The part files attached in the block detached after it (SQLite cannot within a transaction)."""
    try:
        yield
    finally:
        if attached:
            raw = db.connection().connection.dbapi_connection
            for name in attached:
                raw.execute(f"DETACH DATABASE {name}")


def copy_sqlite(
    connection: Connection, tables: Sequence[Any], scratches: Sequence[str], attached: list[str]
) -> None:
    """The parts' rows of ``tables`` into the store's read models, in the open transaction: each part
    file attached to the connection and copied by SQLite itself (``INSERT ... SELECT``), no row
    through Python. The names attached are added to ``attached`` (detached after the transaction)."""
    raw = connection.connection.dbapi_connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) if hasattr(raw, "getlimit") else 10
    for k, scratch in enumerate(scratches):
        if k >= limit:  # more parts than SQLite attaches at once (10): the rest through Python
            for table in tables:
                _copy_rows(raw, table, scratch)
            continue
        name = f"gb_part_{k}"
        raw.execute(f"ATTACH DATABASE ? AS {name}", (scratch,))
        attached.append(name)
        for table in tables:
            columns = ", ".join(f'"{column}"' for column in _columns(table))
            connection.exec_driver_sql(
                f'INSERT INTO main."{table.name}" ({columns}) SELECT {columns} FROM {name}."{table.name}"'  # noqa: S608
            )


def _copy_rows(raw: Any, table: Any, scratch: str) -> None:
    """One part's rows of a table through the driver's ``executemany``, fed by a cursor on the part."""
    names = _columns(table)
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    source = sqlite3.connect(scratch)
    try:
        rows = source.execute(f'SELECT {columns} FROM "{table.name}"')  # noqa: S608
        raw.executemany(f'INSERT INTO main."{table.name}" ({columns}) VALUES ({marks})', rows)  # noqa: S608
    finally:
        source.close()


def copy_postgres(connection: Connection, schema: str | None, table: Any, scratches: list[str]) -> None:
    names = _columns(table)
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f'COPY "{schema}"."{table.name}" ({columns}) FROM STDIN') as copy:
            for scratch in scratches:
                source = sqlite3.connect(scratch)
                try:
                    rows = source.execute(f'SELECT {columns} FROM "{table.name}"')  # noqa: S608
                    while True:
                        chunk = rows.fetchmany(5000)
                        if not chunk:
                            break
                        for row in chunk:
                            copy.write_row(row)
                finally:
                    source.close()
    finally:
        cursor.close()
