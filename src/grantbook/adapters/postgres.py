"""PostgreSQL specifics: reaching the server, and creating tables once.

Several processes may start on an empty database together; the library's
``CREATE TABLE IF NOT EXISTS`` can then fail (``tuple concurrently
updated``). Table creation therefore runs under a transaction-independent
advisory lock, and only when the tables are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from grantbook.adapters.store import StoreLocation
from grantbook.errors import StoreError

# Any constant will do, as long as every grantbook process uses the same one.
TABLE_CREATION_LOCK = 0x6772616E74  # "grant"
EVENTS_TABLE = "grantbook_events"


def connect(location: StoreLocation, autocommit: bool = True) -> Any:
    """A psycopg connection, or a one-line StoreError naming host and database."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise StoreError(
            "PostgreSQL stores need the postgres extra: pip install 'grantbook[postgres]'"
        ) from None
    try:
        return psycopg.connect(
            host=location.host,
            port=location.port,
            dbname=location.dbname,
            user=location.user or None,
            password=location.password or None,
            connect_timeout=5,
            autocommit=autocommit,
        )
    except psycopg.OperationalError as error:
        raise StoreError(
            f"cannot reach PostgreSQL store on host {location.host}:{location.port}, "
            f"database {location.dbname}: {describe(error, location)}"
        ) from None


def describe(error: Exception, location: StoreLocation) -> str:
    """The server's reason, on one line, without the password."""
    text = " ".join(str(error).split()) or type(error).__name__
    if location.password:
        text = text.replace(location.password, "***")
    if "password authentication failed" in text:
        return "password authentication failed for user " + (location.user or "?")
    if "does not exist" in text and location.dbname in text:
        return f'database "{location.dbname}" does not exist'
    if "Connection refused" in text or "could not connect" in text or "timeout" in text:
        return "server not reachable (is it running?)"
    return text[:200]


def schema_of(location: StoreLocation) -> str:
    return location.schema or "public"


def table_exists(connection: Any, schema: str, table: str) -> bool:
    row = connection.execute("SELECT to_regclass(%s)", (f'"{schema}"."{table}"',)).fetchone()
    return row is not None and row[0] is not None


@contextmanager
def prepared(location: StoreLocation, *, create: bool) -> Iterator[bool]:
    """Yields whether the caller must create tables; holds the lock meanwhile."""
    connection = connect(location)
    try:
        schema = schema_of(location)
        if table_exists(connection, schema, EVENTS_TABLE):
            yield False
            return
        if not create:
            raise StoreError(
                f"store {location.display} holds no grantbook events yet (nothing was created)"
            )
        connection.execute("SELECT pg_advisory_lock(%s)", (TABLE_CREATION_LOCK,))
        try:
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            yield not table_exists(connection, schema, EVENTS_TABLE)
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (TABLE_CREATION_LOCK,))
    finally:
        connection.close()


def standby_lag(location: StoreLocation) -> float | None:
    """On a hot standby (a streaming replica): how many seconds its data are behind the primary (0
    when it has replayed everything it received); None on a primary (or a server that is no
    standby). The replay lag is the age of the last transaction replayed while WAL is still waiting."""
    connection = connect(location)
    try:
        row = connection.execute(
            "SELECT pg_is_in_recovery(), "
            "pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn(), "
            "extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
        ).fetchone()
    finally:
        connection.close()
    if row is None or not row[0]:
        return None
    caught_up, behind = bool(row[1]), row[2]
    return 0.0 if caught_up or behind is None else max(0.0, float(behind))
