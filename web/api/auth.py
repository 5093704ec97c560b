"""Who calls the JSON API: ``Authorization: Bearer <token>``, either a personal API token
(``gb_...``, its SHA-256 looked up in the store's database) or, when OpenID Connect is configured, an
access token (a JWT) of that issuer, checked against its JWKS (issuer, audience = the client id,
expiry), the person from the same claim as the pages. Cookies mean nothing here, so there is no CSRF
hole; and a token means nothing on the pages. Neither the token nor the JWT is ever logged."""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():  # Authlib 1.6+ points to joserfc; authlib.jose still does the job
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError
from fastapi import Depends, Request

from grantbook.domain import RuleViolation, institution_number, person_id
from grantbook.projections.access import ADMINISTRATOR, HEAD
from grantbook.projections.views import Reader, visible

from ..config import WebConfig
from ..oidc import discovery_url
from ..services import Services
from .problems import ApiProblem

BEARER = {"WWW-Authenticate": 'Bearer realm="grantbook"'}
JWKS_SECONDS = 300


@dataclass
class Caller:
    person_id: str
    read_only: bool
    reader: Reader
    via: str  # "token" or "oidc"
    institutions: dict[str, dict[str, Any]] = field(default_factory=dict)


class JwtChecker:
    """Access tokens of the configured issuer: its JWKS fetched from its discovery document and
    kept ``JWKS_SECONDS`` (fetched again at once for a key id it does not hold)."""

    def __init__(self, config: WebConfig) -> None:
        self.issuer = config.oidc_issuer or ""
        self.audience = config.oidc_client_id or ""
        self.claim = config.oidc_claim
        self._keys: Any = None
        self._fetched = 0.0
        self._lock = threading.Lock()
        self.jwt = JsonWebToken(["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"])

    def _key_set(self, refresh: bool = False) -> Any:
        with self._lock:
            if refresh or self._keys is None or time.monotonic() - self._fetched > JWKS_SECONDS:
                document = httpx.get(discovery_url(self.issuer), timeout=5).json()
                keys = httpx.get(document["jwks_uri"], timeout=5).json()
                self._keys = JsonWebKey.import_key_set(keys)
                self._fetched = time.monotonic()
            return self._keys

    def person(self, token: str) -> str | None:
        """The person the token is for, or None when it is not a valid access token of the issuer."""
        options = {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": self.audience},
            "exp": {"essential": True},
        }
        for refresh in (False, True):
            try:
                claims = self.jwt.decode(token, self._key_set(refresh), claims_options=options)
                claims.validate(leeway=30)
            except (JoseError, ValueError) as error:
                if refresh or "kid" not in str(error).lower() and "key" not in str(error).lower():
                    return None
                continue
            except (httpx.HTTPError, KeyError, TypeError):
                return None
            found = claims.get(self.claim)
            if not isinstance(found, str):
                return None
            try:
                return person_id(found)
            except RuleViolation:
                return None
        return None


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiProblem(401, "unauthorized", "send Authorization: Bearer <token>", BEARER)
    return token


def caller(request: Request) -> Caller:
    """The person a request acts for (a dependency of every operation), or 401."""
    services = services_of(request)
    token = _bearer(request)
    found: Caller | None = None
    if token.startswith("gb_"):
        stored = request.app.state.tokens.find(token, services.today())
        if stored is not None:
            found = Caller(stored.person_id, stored.read_only, _reader(services, stored.person_id), "token")
    elif services.config.oidc and token.count(".") == 2:
        person = request.app.state.jwt.person(token)
        if person is not None:
            found = Caller(person, False, _reader(services, person), "oidc")
    if found is None:
        raise ApiProblem(401, "unauthorized", "the token is unknown, revoked or expired", BEARER)
    request.state.api_person = found.person_id
    return found


def _reader(services: Services, person: str) -> Reader:
    return Reader(person, person in services.config.auditors)


def roles(services: Services, who: Caller) -> dict[str, dict[str, Any]]:
    if not who.institutions:
        who.institutions = services.answer(lambda c: visible(c, who.reader), ["access"])
    return who.institutions


def for_change(services: Services, who: Caller, number: str) -> str:
    """The institution number, when ``who`` may change it: 404 when not theirs (or malformed),
    403 for an auditor or a read-only token. Checked before anything is recorded."""
    try:
        number = institution_number(number)
    except RuleViolation:
        raise ApiProblem(404, "not-found", "no such institution (or not one of yours)") from None
    entry = roles(services, who).get(number)
    if entry is None:
        raise ApiProblem(404, "not-found", "no such institution (or not one of yours)")
    if who.read_only:
        raise ApiProblem(403, "read-only-token", "this token may only read")
    if not entry["roles"] & {HEAD, ADMINISTRATOR}:
        raise ApiProblem(403, "forbidden", "auditors may read, not change")
    return number


def for_reading(number: str) -> str:
    try:
        return institution_number(number)
    except RuleViolation:
        raise ApiProblem(404, "not-found", "no such institution (or not one of yours)") from None


Authenticated = Annotated[Caller, Depends(caller)]
