"""Personal API tokens and the JSON API's idempotency keys, kept in the store's own database (beside
the events and the web sessions, docs/adr/0024), so every server worker and machine shares them.

A token is ``gb_`` followed by 43 characters of a random 256-bit value; it is shown once, when
made. The table holds only its SHA-256 (reading the table gives nobody a usable token), a short
public id (to list and revoke it), the person it acts for, a name, whether it may only read, and its
expiry. Nothing here logs a token.

An idempotency key is remembered per person for ``IDEMPOTENCY_HOURS`` with a fingerprint of the
request it came with and the answer that request got.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from grantbook.adapters.store import StoreLocation, side_engine
from grantbook.domain import RuleViolation
from grantbook.domain.text import TextField, plain_text

PREFIX = "gb_"
DEFAULT_DAYS = 90
MAX_DAYS = 366
IDEMPOTENCY_HOURS = 48
TOKEN_NAME = TextField("token name", 100)
TOKEN_NAME_RULE = "token-name"
TOKEN_EXPIRY_RULE = "token-expiry"

metadata = MetaData()

api_tokens = Table(
    "gb_api_tokens",
    metadata,
    Column("token_id", Text, primary_key=True),
    Column("secret_hash", Text, nullable=False, unique=True),
    Column("person_id", Text, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("read_only", Boolean, nullable=False),
    Column("created", Text, nullable=False),  # ISO 8601 UTC
    Column("expires", Text, nullable=False),  # ISO date: valid through that day
    Column("revoked", Text, nullable=True),
)
api_idempotency = Table(
    "gb_api_idempotency",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("status", Integer, nullable=False),  # 0 while the first request runs
    Column("body", Text, nullable=False),
    Column("etag", Text, nullable=True),
    Column("created", Float, nullable=False),
)


@dataclass(frozen=True)
class ApiToken:
    token_id: str
    person_id: str
    name: str
    read_only: bool
    created: str
    expires: date
    revoked: str | None

    def usable_on(self, today: date) -> bool:
        return self.revoked is None and today <= self.expires

    def row(self, today: date) -> dict[str, object]:
        status = "revoked" if self.revoked else ("expired" if today > self.expires else "active")
        return {
            "id": self.token_id,
            "name": self.name,
            "access": "read-only" if self.read_only else "read-write",
            "created": self.created,
            "expires": self.expires.isoformat(),
            "status": status,
        }


TOKEN_COLUMNS = ("id", "name", "access", "created", "expires", "status")


def store_engine(location: StoreLocation) -> Engine:
    return side_engine(location, pool_size=4)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def token_name(name: str) -> str:
    tidied = plain_text(name, TOKEN_NAME)
    if not tidied:
        raise RuleViolation(TOKEN_NAME_RULE, "the token name is empty")
    return tidied


def expiry(today: date, expires: date | None) -> date:
    """The last day a new token works: ``expires`` (today at the earliest, at most a year ahead),
    else ``DEFAULT_DAYS`` from today."""
    if expires is None:
        return today + timedelta(days=DEFAULT_DAYS)
    if expires < today or expires > today + timedelta(days=MAX_DAYS):
        raise RuleViolation(
            TOKEN_EXPIRY_RULE,
            f"a token expires from today ({today.isoformat()}) to {MAX_DAYS} days ahead; "
            f"{expires.isoformat()} is outside that",
        )
    return expires


class TokenStore:
    def __init__(self, location: StoreLocation) -> None:
        self.engine = store_engine(location)
        with self.engine.begin() as connection:
            metadata.create_all(connection, checkfirst=True)

    # -- tokens ---------------------------------------------------------------

    def create(
        self, person_id: str, name: str, today: date, expires: date | None = None, read_only: bool = False
    ) -> tuple[str, ApiToken]:
        """A new token for ``person_id``: (the secret, shown once; what is kept)."""
        token = ApiToken(
            token_id=secrets.token_hex(6),
            person_id=person_id,
            name=token_name(name),
            read_only=read_only,
            created=datetime.now(UTC).replace(microsecond=0).isoformat(),
            expires=expiry(today, expires),
            revoked=None,
        )
        secret = PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as connection:
            connection.execute(
                insert(api_tokens),
                {**_columns(token), "secret_hash": _hash(secret)},
            )
        return secret, token

    def of(self, person_id: str) -> list[ApiToken]:
        query = select(api_tokens).where(api_tokens.c.person_id == person_id).order_by(api_tokens.c.created)
        with self.engine.connect() as connection:
            return [_token(row) for row in connection.execute(query)]

    def revoke(self, person_id: str, token_id: str) -> bool:
        """Ends one of ``person_id``'s own tokens; False when they have no such (active) token."""
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        with self.engine.begin() as connection:
            done = connection.execute(
                update(api_tokens)
                .where(
                    api_tokens.c.token_id == token_id,
                    api_tokens.c.person_id == person_id,
                    api_tokens.c.revoked.is_(None),
                )
                .values(revoked=now)
            )
        return bool(done.rowcount)

    def find(self, secret: str, today: date) -> ApiToken | None:
        """The usable token whose secret this is, else None (unknown, revoked or expired)."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        wanted = _hash(secret)
        with self.engine.connect() as connection:
            row = connection.execute(select(api_tokens).where(api_tokens.c.secret_hash == wanted)).first()
        if row is None or not hmac.compare_digest(row.secret_hash, wanted):
            return None
        token = _token(row)
        return token if token.usable_on(today) else None

    # -- idempotency keys --------------------------------------------------------

    def reserve(
        self, person_id: str, key: str, fingerprint: str
    ) -> Literal["new", "busy", "other-request"] | tuple[int, str, str | None]:
        """``new``: the caller runs the request and then ``remember``s (or ``forget``s) it; a stored
        answer (status, body, etag) for the same request; ``other-request`` for another request under
        the same key; ``busy`` while the first request with this key still runs."""
        now = time.time()
        with self.engine.begin() as connection:
            connection.execute(
                delete(api_idempotency).where(api_idempotency.c.created < now - IDEMPOTENCY_HOURS * 3600)
            )
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(api_idempotency),
                    {
                        "person_id": person_id,
                        "key": key,
                        "fingerprint": fingerprint,
                        "status": 0,
                        "body": "",
                        "etag": None,
                        "created": now,
                    },
                )
            return "new"
        except IntegrityError:
            pass
        query = select(api_idempotency).where(
            api_idempotency.c.person_id == person_id, api_idempotency.c.key == key
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:  # forgotten meanwhile: try once more
            return self.reserve(person_id, key, fingerprint)
        if row.fingerprint != fingerprint:
            return "other-request"
        if row.status == 0:
            return "busy"
        return int(row.status), str(row.body), row.etag

    def remember(self, person_id: str, key: str, status: int, body: str, etag: str | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(api_idempotency)
                .where(api_idempotency.c.person_id == person_id, api_idempotency.c.key == key)
                .values(status=status, body=body, etag=etag)
            )

    def forget(self, person_id: str, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(api_idempotency).where(
                    api_idempotency.c.person_id == person_id, api_idempotency.c.key == key
                )
            )

    def close(self) -> None:
        self.engine.dispose()


def _columns(token: ApiToken) -> dict[str, object]:
    return {
        "token_id": token.token_id,
        "person_id": token.person_id,
        "name": token.name,
        "read_only": token.read_only,
        "created": token.created,
        "expires": token.expires.isoformat(),
        "revoked": token.revoked,
    }


def _token(row: object) -> ApiToken:
    return ApiToken(
        token_id=row.token_id,  # type: ignore[attr-defined]
        person_id=row.person_id,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        read_only=bool(row.read_only),  # type: ignore[attr-defined]
        created=row.created,  # type: ignore[attr-defined]
        expires=date.fromisoformat(row.expires),  # type: ignore[attr-defined]
        revoked=row.revoked,  # type: ignore[attr-defined]
    )
