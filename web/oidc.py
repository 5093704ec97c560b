"""Signing in through OpenID Connect (a deployment; the Flemish government's itsme / eID sign-in is
OIDC) with Authlib: the provider's metadata from its issuer URL, the authorization code flow with
state and nonce (kept in a short-lived signed cookie), and the configured claim as the person id."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning  # (this import sets its filter to "always")

with warnings.catch_warnings():  # Authlib 1.9 warns about httpx on import; stderr is for our one line
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from grantbook.domain import RuleViolation, person_id

from .config import WebConfig
from .render import page
from .signin import signed_in

STATE_COOKIE = "grantbook_oidc"
DISCOVERY = "/.well-known/openid-configuration"
NEEDED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
UNREACHABLE = "Aanmelden lukt nu niet: de aanmeldingsdienst antwoordt niet. Probeer het straks opnieuw."
FAILED = "Aanmelden is mislukt. Probeer het opnieuw."
log = logging.getLogger("grantbook.web")


class IssuerProblem(Exception):
    """The identity provider cannot be used: its discovery document is missing, unreadable or wrong."""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY


def check_issuer(issuer: str, timeout: float = 5.0) -> dict[str, Any]:
    """The issuer's discovery document, checked at start (``grantbook serve``), so a wrong or
    unreachable issuer is one line at start and not a failure at the first sign-in."""
    url = discovery_url(issuer)
    try:
        response = httpx.get(url, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as error:
        raise IssuerProblem(f"{url} does not answer ({type(error).__name__}: {error})") from None
    if response.status_code != 200:
        raise IssuerProblem(f"{url} answered {response.status_code}, not a discovery document")
    try:
        document = response.json()
    except ValueError:
        raise IssuerProblem(f"{url} answered something that is not JSON") from None
    if not isinstance(document, dict):
        raise IssuerProblem(f"{url} answered JSON that is not a discovery document")
    missing = [name for name in NEEDED if not isinstance(document.get(name), str)]
    if missing:
        raise IssuerProblem(f"{url} has no {', '.join(missing)}")
    if document["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise IssuerProblem(f"{url} names issuer {document['issuer'][:80]!r}, not {issuer[:80]!r}")
    return document


def install(app: FastAPI, config: WebConfig) -> None:
    services = app.state.services
    oauth = OAuth()
    oauth.register(
        "provider",
        client_id=config.oidc_client_id,
        client_secret=config.oidc_client_secret,
        server_metadata_url=discovery_url(str(config.oidc_issuer)),
        client_kwargs={"scope": "openid profile"},
    )
    # Authlib keeps state and nonce in a signed cookie between the redirect and the callback.
    app.add_middleware(
        SessionMiddleware,
        secret_key=services.sessions.secret,
        session_cookie=STATE_COOKIE,
        max_age=600,
        same_site="lax",
        https_only=config.secure_cookies,
    )

    @app.get("/oidc/login")
    async def oidc_login(request: Request) -> Any:
        # From the configured base URL when there is one, never from a Host header alone.
        if config.base_url:
            redirect_uri = config.base_url + "/oidc/callback"
        else:
            redirect_uri = str(request.url_for("oidc_callback"))
        try:
            return await oauth.provider.authorize_redirect(request, redirect_uri)
        except (httpx.HTTPError, ValueError, KeyError, OAuthError):
            log.warning("the identity provider could not be reached for a sign-in", exc_info=True)
            return page(request, "signin.html", 503, oidc=True, failed=UNREACHABLE)

    @app.get("/oidc/callback", name="oidc_callback")
    async def oidc_callback(request: Request) -> Response:
        try:
            token = await oauth.provider.authorize_access_token(request)
            claims = dict(token.get("userinfo") or {})
            if config.oidc_claim not in claims:
                claims.update(await oauth.provider.userinfo(token=token))
            person = person_id(str(claims.get(config.oidc_claim, "")))
        except (OAuthError, RuleViolation) as error:
            # The provider's own words are English and technical: the log has them, the page not.
            log.warning("a sign-in was refused: %s", getattr(error, "description", None) or error)
            return page(request, "signin.html", 403, oidc=True, failed=FAILED)
        except httpx.HTTPError:
            log.warning("the identity provider could not be reached for a sign-in", exc_info=True)
            return page(request, "signin.html", 503, oidc=True, failed=UNREACHABLE)
        return await run_in_threadpool(signed_in, request, person)
