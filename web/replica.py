"""A server on a PostgreSQL hot standby (a streaming replica) reads and never writes (docs/adr/0026).

Every reading page and API read is served from the replicated events and read models (the primary's
server, or `grantbook projections catch-up` there, keeps the read models current; a replica answers
from what is there, ADR 0005). Each page says how far behind the primary the data are
(``request.state.replica``, shown by base.html). Every change — a POST on the pages, any POST, PUT,
PATCH or DELETE on /api/v1 — is refused before it reaches a handler: 503 with a Dutch sentence
naming where changes are made, nothing recorded. Signing out stays possible.

Sessions cannot be written on a standby: with ``GRANTBOOK_PRIMARY_STORE`` they are kept on the
primary's database (as on the primary's own server); without it a replica signs a stateless session
cookie with the store's session secret (replicated from the primary) and its own salt.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from grantbook.adapters.store import StoreLocation
from grantbook.errors import StoreError

from .sessions import LIFETIME, WebSession, store_engine, web_secrets

READING = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_CHANGES = frozenset({"/afmelden"})  # signing out changes nothing of the register
STATUS = 503
CACHE_SECONDS = 2.0


def notice(seconds: float) -> str:
    """The line every page shows on a replica: that it only reads, and how old its data are."""
    minutes = int(seconds // 60)
    if minutes < 1:
        age = "minder dan een minuut geleden"
    elif minutes == 1:
        age = "1 minuut geleden"
    elif minutes < 120:
        age = f"{minutes} minuten geleden"
    else:
        age = f"{minutes // 60} uur geleden"
    return f"Deze server kan alleen lezen; gegevens van {age}."


def refusal(primary_url: str | None) -> str:
    where = (
        f"Wijzig rechten op {primary_url}."
        if primary_url
        else ("Wijzig rechten op de server waar wijzigingen kunnen (vraag je beheerder welke).")
    )
    return f"Deze server kan alleen lezen. {where} Er werd niets geregistreerd."


class Lag:
    """The standby's lag behind the primary, asked at most every ``CACHE_SECONDS``."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self._lock = threading.Lock()
        self._at = 0.0
        self._seconds = 0.0

    def seconds(self) -> float:
        from grantbook.adapters import postgres

        with self._lock:
            if time.monotonic() - self._at > CACHE_SECONDS:
                try:
                    self._seconds = postgres.standby_lag(self.location) or 0.0
                except StoreError:  # the page itself will say the store does not answer
                    pass
                self._at = time.monotonic()
            return self._seconds


class ReadOnlyReplica:
    """ASGI middleware: refuses every change, and puts the replica's notice in each request's state."""

    def __init__(self, app: Any, services: Any) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if scope.get("method", "GET") in READING or path in ALLOWED_CHANGES:
            scope.setdefault("state", {})["replica"] = notice(self.services.replica_lag())
            await self.app(scope, receive, send)
            return
        message = refusal(self.services.config.primary_url)
        if path.startswith("/api/"):
            from .api.problems import problem

            response: Any = problem(STATUS, "read-only", message, headers={"Retry-After": "0"})
        else:
            from starlette.requests import Request

            from .render import page

            scope.setdefault("state", {})["replica"] = notice(self.services.replica_lag())
            response = page(
                Request(scope, receive),
                "forbidden.html",
                status_code=STATUS,
                message=message,
                title="Alleen lezen",
            )
        await response(scope, receive, send)


class SignedSessions:
    """Sessions of a replica's server without a database write: the cookie itself holds the person,
    the form token and the expiry, signed with the store's session secret (read from the replicated
    ``gb_web_secrets``) under a salt of its own (a replica's cookie is no session on the primary).
    Signing out removes the cookie from the browser; a copied cookie stays valid until it expires."""

    def __init__(self, location: StoreLocation) -> None:
        self.engine = store_engine(location)
        query = select(web_secrets.c.value).where(web_secrets.c.name == "session")
        try:
            with self.engine.connect() as connection:
                found = connection.execute(query).scalar()
        except Exception:  # no sessions table yet
            found = None
        if found is None:
            raise StoreError(
                "this store is a read-only replica whose primary has not served the web pages yet: "
                "start `grantbook serve` on the primary once (it makes the session secret), or set "
                "GRANTBOOK_PRIMARY_STORE"
            )
        self.secret = str(found)
        self.signer = URLSafeSerializer(self.secret, salt="grantbook-replica-session")

    def start(self, person_id: str) -> str:
        nonce = secrets.token_urlsafe(16)
        body = {"p": person_id, "c": secrets.token_urlsafe(32), "e": time.time() + LIFETIME, "n": nonce}
        return str(self.signer.dumps(body))

    def find(self, cookie: str | None) -> WebSession | None:
        if not cookie:
            return None
        try:
            body: Any = self.signer.loads(cookie)
        except BadSignature:
            return None
        if not isinstance(body, dict) or not isinstance(body.get("e"), float) or body["e"] < time.time():
            return None
        person, csrf, nonce = body.get("p"), body.get("c"), body.get("n")
        if not (isinstance(person, str) and isinstance(csrf, str) and isinstance(nonce, str)):
            return None
        return WebSession(hashlib.sha256(nonce.encode()).hexdigest(), person, csrf)

    def end(self, session: WebSession) -> None:
        """Nothing to delete: the sign-out page removes the cookie."""

    def close(self) -> None:
        self.engine.dispose()
