"""The read models' database: one SQLAlchemy engine on the store's own database, the tables' metadata,
and the few corners where SQLite and PostgreSQL differ.

The read models live beside the events: in the SQLite file, or in the store's PostgreSQL schema
(``?schema=NAME``; tables are declared without a schema and placed there by SQLAlchemy's
``schema_translate_map``). Everything dialect-specific is in this module:

- SQLite: a writing transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time; that is the
  lock), a reading one with a deferred ``BEGIN`` (WAL: one snapshot throughout); the driver's
  ``timeout`` is the busy timeout.
- PostgreSQL: writers take transaction-scoped advisory locks whose keys name the schema; readers use
  a REPEATABLE READ, READ ONLY transaction; ``lock_timeout`` is set on each connection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, bindparam, create_engine, event, func, select
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex, CreateTable

from grantbook.adapters.store import StoreLocation, lock_timeout

metadata = MetaData()
BULK_CACHE_KIB = 131_072  # SQLite's page cache while a projection loads from nothing (ReadDatabase.bulk)

_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(func.hashtext(bindparam("key"))))


def fingerprint(tables: Sequence[Table]) -> str:
    """A short digest of the tables' definitions (columns, keys, indexes) as SQLite DDL: a change to
    any of them changes it, so a store written under other definitions is rebuilt."""
    dialect = sqlite_dialect.dialect()
    statements = []
    for table in tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)))
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()[:16]


class ReadDatabase:
    """The engine of one store's read models, with writing and reading transactions."""

    def __init__(self, location: StoreLocation) -> None:
        self.kind = location.kind
        self.schema: str | None = None
        timeout = lock_timeout()
        if location.kind == "sqlite":
            self.engine = create_engine(
                f"sqlite+pysqlite:///{location.path}",
                connect_args={"timeout": timeout},
                poolclass=NullPool,
            )
            _sqlite_transactions(self.engine)
        else:
            from grantbook.adapters import postgres

            self.schema = postgres.schema_of(location)
            engine = create_engine(
                "postgresql+psycopg://",
                creator=lambda: postgres.connect(location, autocommit=False),
                poolclass=NullPool,
            )
            _postgres_lock_timeout(engine, timeout)
            self.engine = engine.execution_options(schema_translate_map={None: self.schema})
        self._connection: Connection | None = None

    def connection(self) -> Connection:
        """One connection, kept for the life of the read models (a CLI command asks a few questions)."""
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
        return self._connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A transaction that may write: committed at the end, rolled back on any error."""
        connection = self.connection()
        with connection.begin():
            yield connection

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A read-only transaction in which every query sees the same committed state."""
        connection = self.connection()
        if self.kind == "sqlite":
            connection.info["gb_deferred"] = True  # read by _sqlite_transactions' BEGIN
            try:
                transaction = connection.begin()
            finally:
                connection.info.pop("gb_deferred", None)
            try:
                yield connection
            finally:
                transaction.rollback()
            return
        # PostgreSQL: psycopg starts the transaction at the first statement with its own BEGIN; told
        # the level and READ ONLY, that BEGIN says so (one round trip, not a BEGIN and a SET), and
        # told again after, the connection's next transaction (a write) is its default once more.
        from psycopg import IsolationLevel  # installed where a store is on PostgreSQL

        raw = connection.connection.dbapi_connection
        transaction = connection.begin()
        raw.isolation_level, raw.read_only = IsolationLevel.REPEATABLE_READ, True
        try:
            yield connection
        finally:
            try:
                transaction.rollback()
            finally:
                if not raw.closed:
                    raw.isolation_level, raw.read_only = None, None

    @contextmanager
    def bulk(self, connection: Connection) -> Iterator[None]:
        """While a transaction loads a projection from nothing: SQLite keeps up to ``BULK_CACHE_KIB``
        of pages in memory (its default is 2 MiB), so the tables' pages are written once, at the
        commit, and an index is sorted in memory; the connection's own size after. Memory is taken
        only as pages are used."""
        if self.kind != "sqlite":
            yield
            return
        raw = connection.connection.dbapi_connection
        (size,) = raw.execute("PRAGMA cache_size").fetchone()
        raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            raw.execute(f"PRAGMA cache_size={int(size)}")

    def lock(self, connection: Connection, name: str) -> None:
        """One process at a time per projection of this store, until the transaction ends. SQLite's
        ``BEGIN IMMEDIATE`` already is; PostgreSQL takes an advisory lock whose key names the schema,
        so stores in other schemas of the database do not wait for each other."""
        if self.kind != "sqlite":
            connection.execute(_ADVISORY_LOCK, {"key": f"grantbook-projection-{self.schema}-{name}"})

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.engine.dispose()


def _sqlite_transactions(engine: Engine) -> None:
    """SQLAlchemy's recipe: the driver's own transaction handling off, BEGIN emitted here."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # The store is in WAL mode (the event store sets it): a commit of the read models need not
        # wait for the disk; after a power cut they may be a transaction behind, never inconsistent.
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN" if connection.info.get("gb_deferred") else "BEGIN IMMEDIATE")


def _postgres_lock_timeout(engine: Engine, seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", (f"{round(seconds * 1000)}ms",))
        dbapi_connection.commit()


class Batch:
    """Writes that may wait, so that rows reach the database as a few ``executemany`` (one round trip
    each on PostgreSQL) instead of one statement per row.

    ``add`` takes new rows that no earlier write of the batch touches (a new audit line, a new
    grant): they are grouped per statement over the whole batch and written first. ``later`` keeps
    order: runs of the same statement are joined, nothing moves past another statement. ``execute``
    (a read, say) and the commit see everything written before them.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.new_rows: dict[Any, list[dict[str, Any]]] = {}
        self.pending: list[tuple[Any, list[dict[str, Any]]]] = []
        self._memos: dict[str, dict[Any, Any]] = {}
        self._added: list[Any] = []  # the statement of each ``add``, in order (for ``undo``)

    def memo(self, name: str) -> dict[Any, Any]:
        """A projection's notes of what it has written but not yet sent: forgotten at each flush
        (rows sent are in the tables, where a projection reads them again)."""
        return self._memos.setdefault(name, {})

    def mark(self) -> tuple[int, int, int]:
        """Where the batch stands, to take back (``undo``) what one event's changes added after it.
        Constant time: it is asked before every event of every projection."""
        last = len(self.pending[-1][1]) if self.pending else 0
        return len(self._added), len(self.pending), last

    def undo(self, mark: tuple[int, int, int]) -> None:
        added, runs, last = mark
        for statement in reversed(self._added[added:]):
            rows = self.new_rows[statement]
            rows.pop()
            if not rows:
                del self.new_rows[statement]
        del self._added[added:]
        del self.pending[runs:]
        if self.pending and runs:
            del self.pending[-1][1][last:]

    def add(self, statement: Any, params: dict[str, Any] | tuple[Any, ...]) -> None:
        """A new row: a dict of parameters, or (for an INSERT of every column of its table) a tuple
        of the values in the table's column order, which costs nothing more to send. One statement's
        rows are all dicts or all tuples."""
        self.new_rows.setdefault(statement, []).append(params)
        self._added.append(statement)

    def later(self, statement: Any, params: dict[str, Any]) -> None:
        if self.pending and self.pending[-1][0] is statement:
            self.pending[-1][1].append(params)
        else:
            self.pending.append((statement, [params]))

    def flush(self) -> None:
        new_rows, self.new_rows = self.new_rows, {}
        pending, self.pending = self.pending, []
        self._added = []
        self._memos.clear()
        for statement, rows in [*new_rows.items(), *pending]:
            if len(rows) > 1 or type(rows[0]) is tuple:
                insert_many(self.connection, statement, rows)
            else:
                self.connection.execute(statement, rows if len(rows) > 1 else rows[0])

    def execute(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        """A statement now (a read, or a write that must see everything before it): flushes first."""
        self.flush()
        return self.connection.execute(statement, params)


_DRIVER_FORMS: dict[Any, tuple[str, tuple[str, ...], bool, dict[str, Any], Any] | None] = {}


def insert_many(connection: Connection, statement: Any, rows: list[Any]) -> None:
    """Rows of one INSERT, UPDATE or DELETE through the driver's ``executemany``, with the SQL that
    SQLAlchemy compiled for this dialect, schema and set of parameter names once, and its type
    conversions. SQLAlchemy's own ``executemany`` prepares every row's parameters through its
    general machinery, which costs more than the database's own work at rebuild sizes. Rows are
    dicts with the same keys (as SQLAlchemy's ``executemany`` needs too: the first row's keys make
    an UPDATE's SET clause), or, for an INSERT, tuples in the table's column order (``Batch.add``):
    those go to the driver as they are where its parameters are in that order."""
    schemas = connection.get_execution_options().get("schema_translate_map") or {}
    keys = None if type(rows[0]) is tuple else tuple(rows[0])
    key = (statement, connection.dialect.name, schemas.get(None), keys)
    if key not in _DRIVER_FORMS:
        _DRIVER_FORMS[key] = _driver_form(connection, statement, schemas, keys)
    form = _DRIVER_FORMS[key]
    if form is None:  # values of its own (a constant in a WHERE or SET): SQLAlchemy's executemany
        connection.execute(statement, rows)
        return
    sql, names, positional, convert, order = form
    if keys is None:
        assert order is not None, "rows as tuples: an INSERT of every column"
        if order == tuple(range(len(order))):
            values: list[Any] = rows
        else:
            reorder = itemgetter(*order)
            values = [reorder(row) for row in rows]
    else:
        pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        values = [pick(row) for row in rows]  # a tuple per row, made in C
    if convert:  # the few columns with a conversion go through them
        at = [(i, convert[name]) for i, name in enumerate(names) if name in convert]
        converted = []
        for value in values:
            value = list(value)
            for i, f in at:
                value[i] = f(value[i])
            converted.append(tuple(value))
        values = converted
    if statement.is_insert and connection.dialect.name == "postgresql":
        _copy_in(connection, statement.table.name, schemas.get(None), names, values)
        return
    if not positional:
        values = [dict(zip(names, v, strict=True)) for v in values]
    connection.exec_driver_sql(sql, values)


def _copy_in(connection: Connection, table: str, schema: str | None, names: Sequence[str], values: Any) -> None:
    """New rows into a PostgreSQL table by ``COPY ... FROM STDIN``: one stream instead of a statement
    per row (each row is a statement even in psycopg's pipelined ``executemany``). Columns not
    named take their defaults, as with the INSERT; an error ends the copy and rolls back the page."""
    target = f'"{schema}"."{table}"' if schema else f'"{table}"'
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()


def _driver_form(
    connection: Connection, statement: Any, schemas: dict[Any, Any], keys: tuple[str, ...] | None
) -> tuple[str, tuple[str, ...], bool, dict[str, Any], Any] | None:
    """The statement compiled for the driver: its SQL, its parameters' names in order, whether they
    are positional, their conversions, and (an INSERT of every column) where each is in a row given
    as a tuple. None where it has values of its own that the rows do not give."""
    placed = {"schema_translate_map": schemas, "render_schema_translate": True} if schemas else {}
    compiled = statement.compile(
        dialect=connection.dialect, column_keys=None if keys is None else list(keys), **placed
    )
    names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
    if keys is not None and not set(names) <= set(keys):
        return None
    convert = dict(compiled._bind_processors)
    if connection.dialect.name == "sqlite":
        # SQLite's float conversion is float(x): a REAL column makes a number real as it stores it
        # (type affinity), so the projections' floats and ints go as they are.
        convert = {name: f for name, f in convert.items() if getattr(f, "__name__", "") != "to_float"}
    columns = [column.key for column in statement.table.columns] if statement.is_insert else []
    order = None
    if columns and sorted(names) == sorted(columns):
        order = tuple(columns.index(name) for name in names)
    return str(compiled), names, compiled.positional, convert, order
