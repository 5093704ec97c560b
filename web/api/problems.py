"""RFC 9457 problem details (``application/problem+json``) for every refusal of the JSON API:
``type``, ``title``, ``status``, ``detail`` and ``code`` (the rule code for a ``RuleViolation``).
Nothing here quotes a token or a national register number."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from grantbook.application import VersionMismatch
from grantbook.domain import RuleViolation, rules
from grantbook.errors import KeyFileError, StoreError, TamperEvidenceError
from grantbook.projections.views import NotVisible

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("grantbook.web")

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Too large",
    415: "Unsupported media type",
    422: "Refused",
    428: "Precondition required",
    500: "Internal error",
    503: "Store unavailable",
}
FORBIDDEN_RULES = frozenset({rules.NOT_AN_ADMINISTRATOR, rules.NOT_A_HEAD_ADMINISTRATOR})
CONFLICT_RULES = frozenset(
    {rules.OVERLAPPING_GRANT, rules.ALREADY_VOIDED, rules.DUPLICATE_SUPPORT_WORKER, rules.ALREADY_REGISTERED}
)
NOT_FOUND_RULES = frozenset({rules.UNKNOWN_GRANT, rules.NOT_REGISTERED})


class Problem(BaseModel):
    """A refusal (RFC 9457). ``code`` is stable: the domain's rule code, or one of ``unauthorized``,
    ``forbidden``, ``read-only-token``, ``not-found``, ``bad-cursor``, ``validation``,
    ``version-mismatch``, ``idempotency-key-reused``, ``idempotency-key-busy``, ``integrity``,
    ``store``, ``internal``."""

    type: str = Field(
        description="A URI naming the kind of problem.", examples=["urn:grantbook:problem:overlapping-grant"]
    )
    title: str = Field(examples=["Conflict"])
    status: int = Field(examples=[409])
    detail: str = Field(
        description="What went wrong, in English.", examples=["person 90001 already holds ..."]
    )
    code: str = Field(description="The rule code.", examples=["overlapping-grant"])
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For request validation errors: each field's location and message."
    )


class ApiProblem(Exception):
    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def problem(
    status: int,
    code: str,
    detail: str,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"urn:grantbook:problem:{code}",
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        code=code,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


def problem_bytes(status: int, code: str, detail: str) -> bytes:
    return json.dumps(
        {
            "type": f"urn:grantbook:problem:{code}",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
            "code": code,
        }
    ).encode()


def status_of(error: RuleViolation) -> int:
    if error.rule in FORBIDDEN_RULES:
        return 403
    if error.rule in CONFLICT_RULES:
        return 409
    if error.rule in NOT_FOUND_RULES:
        return 404
    return 422


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(RuleViolation)
    async def _rule(request: Request, exc: RuleViolation) -> JSONResponse:
        return problem(status_of(exc), exc.rule, exc.message)

    @app.exception_handler(NotVisible)
    async def _not_visible(request: Request, exc: NotVisible) -> JSONResponse:
        return problem(404, "not-found", "no such institution (or not one of yours)")

    @app.exception_handler(VersionMismatch)
    async def _version(request: Request, exc: VersionMismatch) -> JSONResponse:
        return problem(
            412,
            "version-mismatch",
            f"{exc}: read it again (its ETag) and retry; nothing was changed",
            headers={"ETag": etag(exc.actual)},
        )

    @app.exception_handler(TamperEvidenceError)
    async def _tampered(request: Request, exc: TamperEvidenceError) -> JSONResponse:
        return problem(409, rules.INTEGRITY, str(exc).removeprefix(rules.INTEGRITY + ": "))

    @app.exception_handler(StoreError)
    @app.exception_handler(KeyFileError)
    async def _store(request: Request, exc: Exception) -> JSONResponse:
        return problem(503, "store", "the store does not answer; nothing was changed, try again")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
            for error in exc.errors()
        ]
        return problem(
            422,
            "validation",
            "the request could not be read: "
            + "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)[:2000],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "unreadable", 404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return problem(exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        return problem(422, rules.VALUE_RANGE, "a value is out of range")


def etag(version: int) -> str:
    return f'"{version}"'


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of an operation: each status answered with a Problem."""
    return {
        status: {
            "model": Problem,
            "description": TITLES.get(status, "Error"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


GUARD_CODES = {
    400: ("unreadable", "the request holds bytes that are not UTF-8 text, or a NUL"),
    413: ("too-large", "the request is too large"),
    500: ("internal", "something went wrong; report the X-Request-Id"),
}


def guard_problem(request: Request, status: int) -> JSONResponse:
    """What web/hostile.py's guard answers on the API's paths (unreadable input, an escaped error)."""
    code, detail = GUARD_CODES.get(status, ("http", TITLES.get(status, "Error")))
    request_id = request.scope.get("state", {}).get("request_id")
    if status == 500 and request_id:
        detail = f"something went wrong; report code {request_id}"
    return problem(status, code, detail)
