"""Signing in through OpenID Connect (a deployment; the Flemish government's itsme / eID sign-in is
OIDC) with Authlib: the provider's metadata from its issuer URL, the authorization code flow with
state and nonce (kept in a short-lived signed cookie), and the configured claim as the person id."""

from __future__ import annotations

from typing import Any

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


def install(app: FastAPI, config: WebConfig) -> None:
    services = app.state.services
    oauth = OAuth()
    oauth.register(
        "provider",
        client_id=config.oidc_client_id,
        client_secret=config.oidc_client_secret,
        server_metadata_url=str(config.oidc_issuer).rstrip("/") + "/.well-known/openid-configuration",
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
        redirect_uri = str(request.url_for("oidc_callback"))
        return await oauth.provider.authorize_redirect(request, redirect_uri)

    @app.get("/oidc/callback", name="oidc_callback")
    async def oidc_callback(request: Request) -> Response:
        try:
            token = await oauth.provider.authorize_access_token(request)
            claims = dict(token.get("userinfo") or {})
            if config.oidc_claim not in claims:
                claims.update(await oauth.provider.userinfo(token=token))
            person = person_id(str(claims.get(config.oidc_claim, "")))
        except (OAuthError, RuleViolation) as error:
            message = f"Aanmelden is mislukt: {getattr(error, 'description', None) or error}"
            return page(request, "signin.html", 403, oidc=True, failed=message)
        return await run_in_threadpool(signed_in, request, person)
