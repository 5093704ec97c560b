"""Web sessions, kept in the store's own database (SQLite file or PostgreSQL schema), so every
server worker, and every machine behind a load balancer on PostgreSQL, shares them.

The cookie holds a random session id signed with a secret kept in the same database; the table
holds only a hash of the id, so reading the table gives nobody a usable cookie. Signing out deletes
the row: a copied cookie no longer works.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Column, Engine, Float, MetaData, Table, Text, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from grantbook.adapters.store import StoreLocation, side_engine

LIFETIME = 12 * 3600  # seconds a session lasts after sign-in
metadata = MetaData()

web_sessions = Table(
    "gb_web_sessions",
    metadata,
    Column("id_hash", Text, primary_key=True),
    Column("person_id", Text, nullable=False),
    Column("csrf", Text, nullable=False),
    Column("expires", Float, nullable=False),
)
web_secrets = Table(
    "gb_web_secrets",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)


# Every page asks this: made once (SQLAlchemy compiles it once per dialect and caches that).
_FIND = select(web_sessions).where(
    web_sessions.c.id_hash == bindparam("id_hash"), web_sessions.c.expires >= bindparam("now")
)


@dataclass(frozen=True)
class WebSession:
    id_hash: str
    person_id: str
    csrf: str


def store_engine(location: StoreLocation) -> Engine:
    return side_engine(location, pool_size=8)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    def __init__(self, location: StoreLocation) -> None:
        self.engine = store_engine(location)
        with self.engine.begin() as connection:
            metadata.create_all(connection, checkfirst=True)
        self.secret = self._secret()
        self.signer = URLSafeSerializer(self.secret, salt="grantbook-session")

    def _secret(self) -> str:
        """The signing secret: made once per store, then read by every worker."""
        query = select(web_secrets.c.value).where(web_secrets.c.name == "session")
        with self.engine.begin() as connection:
            found = connection.execute(query).scalar()
            if found is not None:
                return str(found)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(web_secrets), {"name": "session", "value": secrets.token_hex(32)})
        except IntegrityError:  # another worker made it first
            pass
        with self.engine.begin() as connection:
            return str(connection.execute(query).scalar_one())

    def start(self, person_id: str) -> str:
        """A new session for a signed-in person; returns the cookie value."""
        session_id = secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.expires < time.time()))
            connection.execute(
                insert(web_sessions),
                {
                    "id_hash": _hash(session_id),
                    "person_id": person_id,
                    "csrf": secrets.token_urlsafe(32),
                    "expires": time.time() + LIFETIME,
                },
            )
        return str(self.signer.dumps(session_id))

    def find(self, cookie: str | None) -> WebSession | None:
        if not cookie:
            return None
        try:
            session_id: Any = self.signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(session_id, str):
            return None
        with self.engine.connect() as connection:
            row = connection.execute(_FIND, {"id_hash": _hash(session_id), "now": time.time()}).first()
        return None if row is None else WebSession(row.id_hash, row.person_id, row.csrf)

    def end(self, session: WebSession) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.id_hash == session.id_hash))

    def close(self) -> None:
        self.engine.dispose()
