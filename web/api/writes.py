"""The JSON API's changes: each one ``GrantBook`` command (one event, all or nothing, the rules of
the CLI and the pages), after the caller's right to change the institution is checked (404 / 403,
nothing recorded). ``If-Match`` (the institution's version) is checked inside the application's
retry loop (412); an ``Idempotency-Key`` makes a retried POST answer as the first one did."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from grantbook.domain import Grant as DomainGrant

from .auth import Authenticated, Caller, for_change, services_of
from .models import (
    ExtendRequest,
    GrantChanged,
    GrantRequest,
    GrantsMade,
    RevokeRequest,
    SupportWorkerAdded,
    SupportWorkerRequest,
    VoidRequest,
)
from .problems import ApiProblem, etag, responses

router = APIRouter()
CHANGE = responses(400, 401, 403, 404, 409, 412, 422)
GRANT_ID = re.compile(r"(\d{6})-[1-9]\d{0,8}")
KEY = re.compile(r"[\x21-\x7e]{1,200}")

IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="The institution's ETag as read: the change is made only while "
        "the institution is still at that version (else 412, nothing recorded).",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Any unique text (1-200 visible ASCII characters): the same key "
        "with the same body answers as the first time and records nothing more (kept 48 hours).",
    ),
]


def expected_version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    if not tag.isascii() or not tag.isdigit() or len(tag) > 12:
        raise ApiProblem(
            412, "version-mismatch", "If-Match is not an ETag this server gave; nothing was changed"
        )
    return int(tag)


def grant_number(grant_id: str) -> str:
    found = GRANT_ID.fullmatch(grant_id)
    if found is None:
        raise ApiProblem(404, "not-found", "no such grant (or not at one of your institutions)")
    return found.group(1)


def grant_out(grant: DomainGrant) -> dict[str, Any]:
    return {
        "grant_id": grant.grant_id,
        "person_id": grant.person_id,
        "first_name": grant.first_name,
        "last_name": grant.last_name,
        "right": grant.right,
        "context": grant.context,
        "begin": grant.begin,
        "end": grant.end,
        "revoked_on": grant.revoked_on,
        "voided": grant.voided_at is not None,
    }


def change(
    request: Request,
    who: Caller,
    number: str,
    body: BaseModel,
    if_match: str | None,
    key: str | None,
    command: Callable[[], dict[str, Any]],
    status: int = 200,
) -> JSONResponse:
    """Runs ``command`` (which returns the answer's body without ``version``) once the caller may
    change ``number``, under ``If-Match`` and ``Idempotency-Key``."""
    services = services_of(request)
    number = for_change(services, who, number)
    expected = expected_version(if_match)
    tokens = request.app.state.tokens
    if key is not None:
        if KEY.fullmatch(key) is None:
            raise ApiProblem(400, "idempotency-key", "Idempotency-Key is 1-200 visible ASCII characters")
        # keyed (the body may hold a national register number): the table never holds a guessable hash
        fingerprint = hmac.new(
            services.sessions.secret.encode(),
            json.dumps(
                [request.method, request.url.path, body.model_dump(mode="json", by_alias=True)],
                sort_keys=True,
            ).encode(),
            hashlib.sha256,
        ).hexdigest()
        stored = tokens.reserve(who.person_id, key, fingerprint)
        if stored == "other-request":
            raise ApiProblem(
                422, "idempotency-key-reused", "this Idempotency-Key came with another request; use a new key"
            )
        if stored == "busy":
            raise ApiProblem(
                409, "idempotency-key-busy", "a request with this Idempotency-Key is still running"
            )
        if stored != "new":
            code, text, tag = stored
            headers = {"Idempotent-Replayed": "true", **({"ETag": tag} if tag else {})}
            return JSONResponse(json.loads(text), status_code=code, headers=headers)
    try:
        with services.app.expecting_version(expected):
            answer = command()
        version = services.app.institution(number).version
        content = jsonable_encoder({**answer, "institution": number, "version": version})
    except BaseException:
        if key is not None:
            tokens.forget(who.person_id, key)
        raise
    if key is not None:
        tokens.remember(who.person_id, key, status, json.dumps(content), etag(version))
    return JSONResponse(content, status_code=status, headers={"ETag": etag(version)})


@router.post(
    "/institutions/{number}/grants",
    status_code=201,
    response_model=GrantsMade,
    responses=CHANGE,
    summary="Grant a right to up to 25 persons at once (one event)",
)
def post_grants(
    request: Request,
    number: str,
    body: GrantRequest,
    who: Authenticated,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    services = services_of(request)

    def run() -> dict[str, Any]:
        made = services.app.grant_many(
            services.act(who.person_id), number, body.persons, body.right, body.context, body.begin, body.end
        )
        return {"grants": [grant_out(g) for g in made]}

    return change(request, who, number, body, if_match, idempotency_key, run, status=201)


@router.post(
    "/grants/{grant_id}/extend",
    response_model=GrantChanged,
    responses=CHANGE,
    summary="Move one grant's end date later",
)
def post_extend(
    request: Request,
    grant_id: str,
    body: ExtendRequest,
    who: Authenticated,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    services = services_of(request)
    number = grant_number(grant_id)

    def run() -> dict[str, Any]:
        grant = services.app.extend_grant(services.act(who.person_id), number, grant_id, body.end)
        return {"grant": grant_out(grant)}

    return change(request, who, number, body, if_match, idempotency_key, run)


@router.post(
    "/grants/{grant_id}/revoke",
    response_model=GrantChanged,
    responses=CHANGE,
    summary="Revoke one grant from today or a later day",
)
def post_revoke(
    request: Request,
    grant_id: str,
    body: RevokeRequest,
    who: Authenticated,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    services = services_of(request)
    number = grant_number(grant_id)

    def run() -> dict[str, Any]:
        grant = services.app.revoke_grant(
            services.act(who.person_id), number, grant_id, body.reason, body.from_
        )
        return {"grant": grant_out(grant)}

    return change(request, who, number, body, if_match, idempotency_key, run)


@router.post(
    "/grants/{grant_id}/void",
    response_model=GrantChanged,
    responses=CHANGE,
    summary="Declare a grant entered by mistake void (head administrators)",
)
def post_void(
    request: Request,
    grant_id: str,
    body: VoidRequest,
    who: Authenticated,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    services = services_of(request)
    number = grant_number(grant_id)

    def run() -> dict[str, Any]:
        grant = services.app.void(services.act(who.person_id), number, grant_id, body.reason)
        return {"grant": grant_out(grant)}

    return change(request, who, number, body, if_match, idempotency_key, run)


@router.post(
    "/institutions/{number}/support-workers",
    status_code=201,
    response_model=SupportWorkerAdded,
    responses=CHANGE,
    summary="Add a support worker by national register number",
)
def post_support_worker(
    request: Request,
    number: str,
    body: SupportWorkerRequest,
    who: Authenticated,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    services = services_of(request)

    def run() -> dict[str, Any]:
        person = services.app.add_support_worker(
            services.act(who.person_id),
            number,
            body.national_number,
            body.first_name,
            body.last_name,
            body.reason,
        )
        return {"person_id": person.person_id, "first_name": person.first_name, "last_name": person.last_name}

    return change(request, who, number, body, if_match, idempotency_key, run, status=201)
