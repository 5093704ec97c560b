"""The JSON API (issue 22), a FastAPI application of its own mounted at ``/api/v1`` in the pages'
server: its OpenAPI document at ``/api/v1/openapi.json``, bearer tokens instead of cookies, RFC 9457
problems instead of Dutch pages (docs/adr/0024, docs/api.md)."""

from __future__ import annotations

from fastapi import FastAPI

from grantbook.adapters.tokens import TokenStore

from ..services import Services
from . import problems, reads, roster, writes
from .auth import JwtChecker
from .models import RosterRequest

DESCRIPTION = """\
Who holds which government application rights for which school, until when: the same register,
rules and access as the grantbook pages and command line.

* **Sign in** with `Authorization: Bearer <token>`: a personal API token (`grantbook token create`,
  or the page *API-sleutels*), or an access token of the configured OpenID Connect issuer.
* **Lists** answer `{"items": [...], "next": CURSOR}`; pass `next` as `?cursor=` (with the same
  `limit`) for the following page.
* **Changes** record one event each, all or nothing. Send `If-Match` with the institution's `ETag`
  to change only what you read (412 otherwise), and an `Idempotency-Key` to retry a POST safely.
* **Refusals** are `application/problem+json` (RFC 9457) with the rule's `code`.
* Dates are ISO 8601 (`2027-08-31`); field names are English snake_case.
"""


def create_api(services: Services) -> FastAPI:
    api = FastAPI(
        title="grantbook API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.services = services
    api.state.tokens = TokenStore(services.location)
    api.state.jwt = JwtChecker(services.config)
    problems.install(api)
    api.include_router(reads.router, tags=["reading"])
    api.include_router(writes.router, tags=["changing"])
    api.include_router(roster.router, tags=["changing"])
    _security_scheme(api)
    return api


def _security_scheme(api: FastAPI) -> None:
    """Every operation needs the bearer token (declared once, for the document's readers)."""
    original = api.openapi

    def openapi() -> dict:  # type: ignore[type-arg]
        if api.openapi_schema:
            return api.openapi_schema
        document = original()
        document.setdefault("components", {})["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "gb_... API token or OIDC access token",
            }
        }
        document["security"] = [{"bearer": []}]
        # the roster's JSON body, declared by hand beside its CSV and .xlsx forms (web/api/roster.py)
        rows = RosterRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        document["components"]["schemas"].update({**rows.pop("$defs", {}), "RosterRequest": rows})
        return document

    api.openapi = openapi  # type: ignore[method-assign]
