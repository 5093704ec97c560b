"""The FastAPI application: services, middleware, error pages and the page modules' routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from grantbook.errors import KeyFileError, StoreError, TamperEvidenceError

from . import (
    operations,
    pages_audit,
    pages_email,
    pages_grant,
    pages_steps,
    pages_home,
    pages_institution,
    pages_many,
    pages_quick,
    pages_reports,
    pages_review_close,
    pages_reviews,
    pages_rights,
    pages_staff,
    pages_tasks,
    pages_tokens,
    pages_void,
    signin,
)
from .api import create_api
from .config import WebConfig
from .hostile import Guard
from .render import STATIC_DIR, page
from .replica import ReadOnlyReplica
from .security import Forbidden, NotFound, SignInRequired
from .services import Services, settle_heap


def create_app(config: WebConfig, clock: Callable[[], datetime] | None = None) -> FastAPI:
    services = Services(config, clock)

    api = create_api(services)  # the JSON API (web/api, docs/api.md): its own OpenAPI, tokens, problems

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        api.state.tokens.close()
        services.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, title="grantbook", lifespan=lifespan)
    app.state.services = services
    app.state.operations = operations.Operations(services, config)  # /healthz, /readyz, /metrics
    if services.replica:  # a read-only replica: changes refused, each page says how old (docs/adr/0026)
        app.add_middleware(ReadOnlyReplica, services=services)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/api/v1", api)
    app.state.api_tokens = api.state.tokens  # the page "API-sleutels" (web/pages_tokens.py)
    for module in (
        operations,
        signin,
        pages_home,
        pages_tasks,
        pages_grant,
        pages_steps,
        pages_quick,
        pages_many,
        pages_institution,
        pages_rights,
        pages_void,
        pages_reviews,
        pages_review_close,
        pages_staff,
        pages_email,
        pages_reports,
        pages_audit,
        pages_tokens,
    ):
        app.include_router(module.router)
    signin.configure(app, config)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse("/aanmelden", status_code=303)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> HTMLResponse:
        return page(request, "not_found.html", status_code=404)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            return page(request, "not_found.html", status_code=404)
        return page(request, "forbidden.html", status_code=exc.status_code, message=str(exc.detail))

    @app.exception_handler(StoreError)
    @app.exception_handler(KeyFileError)
    async def _store(request: Request, exc: Exception) -> HTMLResponse:
        # The store is busy, gone or missing its key: say so, record nothing (no traceback in a page).
        return page(request, "forbidden.html", status_code=503, message=f"De opslag antwoordt niet: {exc}")

    @app.exception_handler(TamperEvidenceError)
    async def _tampered(request: Request, exc: TamperEvidenceError) -> HTMLResponse:
        return page(request, "forbidden.html", status_code=409, message=str(exc), title="Niet intact")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> HTMLResponse:
        return page(request, "forbidden.html", status_code=403, message=exc.message)

    @app.exception_handler(RequestValidationError)
    async def _unreadable(request: Request, exc: RequestValidationError) -> HTMLResponse:
        # A parameter FastAPI itself could not read (the pages' own forms say more, web/forms.py).
        message = "Wat je invulde kan niet gelezen worden. Kijk het na en probeer opnieuw."
        return page(request, "forbidden.html", status_code=422, message=message, title="Niet gelezen")

    # Outermost, added last: request ids, refusing unreadable input, HEAD, redirects, and the Dutch 500
    # for anything that still escapes (web/hostile.py; not an Exception handler, which Starlette's
    # ServerErrorMiddleware would call and then re-raise to uvicorn).
    observe = app.state.operations.observe  # the access log line and request metrics (web/operations.py)
    app.add_middleware(Guard, config=config, render=_guard_page, observe=observe)  # type: ignore[arg-type]
    return app


def _guard_page(request: Request, status: int, title: str, message: str) -> Response:
    if request.url.path.startswith("/api/"):  # the JSON API answers problems, never a page
        from .api.problems import guard_problem

        return guard_problem(request, status)
    return page(request, "forbidden.html", status_code=status, message=message, title=title)


def create_app_from_environment() -> FastAPI:
    """For uvicorn's workers (``factory=True``): the configuration ``grantbook serve`` passed on."""
    operations.configure_access_log()  # each worker writes its own access lines to stdout
    app = create_app(WebConfig.from_environment())
    settle_heap()  # web/services.py: a server process's heap out of the collector's sight
    return app
