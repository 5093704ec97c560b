"""Paging a list: ``limit`` and an opaque ``cursor`` (the next offset, signed with the store's web
secret and bound to the path it was made for). A cursor that does not verify is a 400 problem."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from itsdangerous import BadSignature, URLSafeSerializer

from .problems import ApiProblem

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-500, default 100).")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="The `next` value of the previous page (opaque).")
]


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.services.sessions.secret, salt="grantbook-api-cursor")


def offset_of(request: Request, cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        found: Any = _signer(request).loads(cursor)
    except (BadSignature, UnicodeError, ValueError):
        found = None
    if (
        not isinstance(found, list)
        or len(found) != 2
        or found[0] != request.url.path
        or not isinstance(found[1], int)
        or isinstance(found[1], bool)
        or not 0 < found[1] <= MAX_OFFSET
    ):
        raise ApiProblem(400, "bad-cursor", "the cursor is not one this server made for this list")
    return int(found[1])


def next_cursor(request: Request, offset: int, limit: int, total: int) -> str | None:
    after = offset + limit
    if after >= total:
        return None
    return str(_signer(request).dumps([request.url.path, after]))


def page_of(request: Request, rows: list[Any], cursor: str | None, limit: int) -> dict[str, Any]:
    """A whole list cut to one page."""
    offset = offset_of(request, cursor)
    return {"items": rows[offset : offset + limit], "next": next_cursor(request, offset, limit, len(rows))}
