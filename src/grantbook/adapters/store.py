"""Where the events live: store URLs as SQLAlchemy writes them.

``sqlite:///relative.db`` and ``sqlite:////absolute/path.db`` select the
embedded eventsourcing SQLite store; ``postgresql://user[:password]@host[:port]/db``
the PostgreSQL store. A password is never shown back (``display``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from grantbook.errors import StoreError

DEFAULT_STORE = "sqlite:///grantbook.db"
DEFAULT_LOCK_TIMEOUT = "5"


@dataclass(frozen=True)
class StoreLocation:
    url: str
    kind: str  # "sqlite" or "postgresql"
    path: Path | None = None
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = ""

    @classmethod
    def parse(cls, url: str) -> StoreLocation:
        if url.startswith("sqlite:///"):
            rest = url[len("sqlite:///") :]
            if not rest or rest.startswith(":memory:"):
                raise StoreError(f"a store needs a file: {url!r} names none")
            return cls(url=url, kind="sqlite", path=Path(rest))
        parts = urlsplit(url)
        if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            dbname = parts.path.lstrip("/")
            if not dbname or not parts.hostname:
                raise StoreError("a PostgreSQL store URL is postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME")
            query = parse_qs(parts.query)
            return cls(
                url=url,
                kind="postgresql",
                host=parts.hostname,
                port=str(parts.port or 5432),
                user=unquote(parts.username or ""),
                password=unquote(parts.password or ""),
                dbname=unquote(dbname),
                schema=query.get("schema", [""])[0],
            )
        raise StoreError(
            f"unknown store URL {cls._redact(url)!r}: use sqlite:///FILE.db "
            "or postgresql://USER@HOST[:PORT]/DBNAME"
        )

    @staticmethod
    def _redact(url: str) -> str:
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return parts._replace(netloc=netloc).geturl()
        return url

    @property
    def display(self) -> str:
        """The URL with any password replaced by ``***``."""
        return self._redact(self.url)

    def exists(self) -> bool:
        """For a file store: does the file exist (a server store is probed on connect)."""
        assert self.kind == "sqlite" and self.path is not None
        return self.path.exists()

    def environment(self) -> dict[str, str]:
        """The eventsourcing settings for this store."""
        if self.kind == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.path),
                "SQLITE_LOCK_TIMEOUT": os.environ.get("GRANTBOOK_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT),
            }
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": self.port,
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            # wait at most this long for a lock another writer holds (0 would wait for ever)
            "POSTGRES_LOCK_TIMEOUT": os.environ.get("GRANTBOOK_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT),
        }
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return env
