"""Where the events live: store URLs as SQLAlchemy writes them (parsed by ``sqlalchemy.engine.make_url``).

``sqlite:///relative.db`` and ``sqlite:////absolute/path.db`` select the
embedded eventsourcing SQLite store; ``postgresql://user[:password]@host[:port]/db``
(optionally ``?schema=NAME``) the PostgreSQL store. A password is never shown
back (``display``). ``GRANTBOOK_LOCK_TIMEOUT`` (seconds, fractions allowed)
bounds every wait for another writer's lock.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from grantbook.domain import rules
from grantbook.errors import StoreError

DEFAULT_STORE = "sqlite:///grantbook.db"
DEFAULT_LOCK_TIMEOUT = "5"
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def lock_timeout() -> float:
    """``GRANTBOOK_LOCK_TIMEOUT`` in seconds (default 5): a number, 0 or more; fractions allowed."""
    text = os.environ.get("GRANTBOOK_LOCK_TIMEOUT", "").strip() or DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise StoreError(
            f"{rules.LOCK_TIMEOUT}: GRANTBOOK_LOCK_TIMEOUT={text!r} is not a number of seconds"
            " (0 or more, e.g. 5 or 0.5)"
        )
    return seconds


@dataclass(frozen=True)
class StoreLocation:
    url: str
    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    dbname: str = ""
    schema: str = ""
    parsed: URL | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, url: str) -> StoreLocation:
        try:
            parsed = make_url(url)
        except ArgumentError:
            parsed = None
        if parsed is not None and parsed.drivername == "sqlite" and url.startswith("sqlite:///"):
            if not parsed.database or parsed.database.startswith(":memory:"):
                raise StoreError(f"a store needs a file: {url!r} names none")
            return cls(url=url, kind="sqlite", path=Path(parsed.database), parsed=parsed)
        if parsed is not None and parsed.drivername in POSTGRES_SCHEMES:
            if not parsed.database or not parsed.host:
                raise StoreError("a PostgreSQL store URL is postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME")
            schema = parsed.query.get("schema", "")
            return cls(
                url=url,
                kind="postgresql",
                host=parsed.host,
                port=str(parsed.port or 5432),
                user=parsed.username or "",
                password=parsed.password or "",
                dbname=parsed.database,
                schema=schema if isinstance(schema, str) else schema[0],
                parsed=parsed,
            )
        shown = parsed.render_as_string(hide_password=True) if parsed is not None else url
        raise StoreError(
            f"unknown store URL {shown!r}: use sqlite:///FILE.db or postgresql://USER@HOST[:PORT]/DBNAME"
        )

    @property
    def display(self) -> str:
        """The URL with any password replaced by ``***``."""
        assert self.parsed is not None
        return self.parsed.render_as_string(hide_password=True)

    def exists(self) -> bool:
        """For a file store: does the file exist (a server store is probed on connect)."""
        assert self.kind == "sqlite" and self.path is not None
        return self.path.exists()

    def environment(self) -> dict[str, str]:
        """The eventsourcing settings for this store. The library takes whole seconds for its lock
        timeout: it gets the next whole second here, and ``refine_lock_timeout`` the exact one."""
        seconds = str(math.ceil(lock_timeout()))
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": seconds,
            }
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": self.port,
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            # wait at most this long for a lock another writer holds (0 would wait for ever)
            "POSTGRES_LOCK_TIMEOUT": seconds,
        }
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return env


def refine_lock_timeout(factory: Any) -> None:
    """Gives the library's store the exact ``GRANTBOOK_LOCK_TIMEOUT`` (fractions of a second too),
    before it opens its first connection."""
    seconds = lock_timeout()
    if not seconds:  # 0: what the library makes of it (SQLite: its default; PostgreSQL: no limit)
        return
    datastore = getattr(factory, "datastore", None)
    pool = getattr(datastore, "pool", None)
    if pool is not None and hasattr(pool, "lock_timeout") and hasattr(pool, "db_name"):  # SQLite
        pool.lock_timeout = seconds
    elif datastore is not None and hasattr(datastore, "lock_timeout"):  # PostgreSQL: SET LOCAL ... 's'
        datastore.lock_timeout = seconds


def side_engine(location: StoreLocation, pool_size: int = 4) -> Any:
    """A pooled SQLAlchemy engine on the store's own database, for the tables that sit beside the
    events (web sessions, API tokens, idempotency keys)."""
    from sqlalchemy import create_engine

    if location.kind == "sqlite":
        return create_engine(f"sqlite+pysqlite:///{location.path}", connect_args={"timeout": 30})
    from grantbook.adapters import postgres

    engine = create_engine(
        "postgresql+psycopg://",
        creator=lambda: postgres.connect(location, autocommit=False),
        pool_size=pool_size,
    )
    return engine.execution_options(schema_translate_map={None: postgres.schema_of(location)})
