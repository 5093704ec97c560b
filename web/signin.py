"""Signing in and out. Local mode: the link ``grantbook serve`` prints carries a token made at start;
it starts a session for the ``--as`` person and redirects, so the token leaves the address bar.
OpenID Connect mode: see oidc.py. "Afmelden" deletes the session on the server."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .config import WebConfig
from .render import page
from .security import COOKIE, PostedForm, SignedIn, services_of

router = APIRouter()


def signed_in(request: Request, person_id: str) -> Response:
    """A new session for ``person_id``, its cookie set, and on to the start page."""
    services = services_of(request)
    cookie = services.sessions.start(person_id)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="lax",
        secure=services.config.secure_cookies,
        path="/",
    )
    return response


@router.get("/login")
def login(request: Request, token: str = "") -> Response:
    config = services_of(request).config
    expected = config.local_token
    if config.oidc or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return page(request, "signin.html", status_code=403, refused=True, oidc=config.oidc)
    assert config.local_actor is not None
    return signed_in(request, config.local_actor)


@router.get("/aanmelden", response_class=HTMLResponse)
def sign_in_page(request: Request) -> Response:
    signed_out = request.query_params.get("afgemeld") == "1"
    return page(request, "signin.html", oidc=services_of(request).config.oidc, signed_out=signed_out)


@router.post("/afmelden")
def sign_out(request: Request, person: SignedIn, form: PostedForm) -> Response:
    services = services_of(request)
    services.sessions.end(person.session)
    response = RedirectResponse("/aanmelden?afgemeld=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def configure(app: FastAPI, config: WebConfig) -> None:
    """OpenID Connect routes, when an issuer is configured."""
    if config.oidc:
        from . import oidc

        oidc.install(app, config)
