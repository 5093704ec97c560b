"""The JSON API's reading operations: every answer from the one read side (projections/views), asked
in one snapshot (``ask``); institutions the caller does not see answer 404."""

from __future__ import annotations

from datetime import UTC, date, datetime
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from grantbook.domain import RuleViolation
from grantbook.domain import person_id as parse_person
from grantbook.domain.tasks import tasks_for
from grantbook.projections import views
from grantbook.projections.access import ADMINISTRATOR, HEAD

from ..reading import kept_answer
from .auth import Authenticated, Caller, for_reading, roles, services_of
from .models import AuditEntry, InstitutionDetail, InstitutionSummary, Listing, RightRow, StaffMember, TaskRow
from .paging import Cursor, Limit, next_cursor, offset_of, page_of
from .problems import ApiProblem, etag, responses

router = APIRouter()
COMMON = responses(400, 401, 404, 409, 422)
Day = Annotated[date | None, Query(description="ISO 8601 date (default: today in Brussels).")]
Days = Annotated[int, Query(ge=0, le=3660, description="Within this many days from the day asked.")]


def _moment(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


RIGHTS = TypeAdapter(Listing[RightRow])


def _kept(request: Request, who: Caller, listing: Callable[[], Any]) -> Response:
    """A list of rights as JSON, kept per caller while the read models stand still (as the pages
    are, web/reading.py ``kept_answer``, docs/adr/0029): validated and written as FastAPI writes a
    ``response_model`` (by alias, compact UTF-8)."""

    def made() -> Response:
        body = RIGHTS.dump_json(RIGHTS.validate_python(listing()), by_alias=True)
        return Response(body, media_type="application/json")

    return kept_answer(request, ("api", who.person_id, who.reader.auditor_of_every), made)


@router.get(
    "/institutions",
    response_model=Listing[InstitutionSummary],
    responses=COMMON,
    summary="The institutions you administer or audit",
)
def list_institutions(request: Request, who: Authenticated, limit: Limit = 100, cursor: Cursor = None) -> Any:
    services = services_of(request)
    rows = views.ask(services, views.visible_institutions, who.reader, services.today())
    return page_of(request, rows, cursor, limit)


@router.get(
    "/institutions/{number}",
    response_model=InstitutionDetail,
    responses=COMMON,
    summary="One institution, with its version as ETag",
)
def get_institution(request: Request, response: Response, number: str, who: Authenticated) -> Any:
    services = services_of(request)
    number = for_reading(number)
    found = views.ask(services, views.institution, who.reader, number)
    version = services.app.institution(number).version
    response.headers["ETag"] = etag(version)
    return {**found, "version": version}


@router.get(
    "/institutions/{number}/staff",
    response_model=Listing[StaffMember],
    responses=COMMON,
    summary="The staff (roster and support workers), optionally found by name",
)
def get_staff(
    request: Request,
    number: str,
    who: Authenticated,
    name: Annotated[str | None, Query(max_length=200, description="As the search: part of a name.")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    services = services_of(request)
    rows = views.ask(services, views.staff, who.reader, for_reading(number), name)
    return page_of(request, rows, cursor, limit)


@router.get(
    "/institutions/{number}/rights",
    response_model=Listing[RightRow],
    responses=COMMON,
    summary="Rights held on a day (or every grant with all=true), as recorded now or as_of",
)
def get_rights(
    request: Request,
    number: str,
    who: Authenticated,
    on: Day = None,
    as_of: Annotated[
        datetime | None, Query(description="ISO 8601 date and time: as the register stood then.")
    ] = None,
    all: Annotated[bool, Query(description="Every grant with its status, voided ones too.")] = False,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    services = services_of(request)
    question = views.every_grant if all else views.rights_on

    def listing() -> Any:
        rows = views.ask(
            services, question, who.reader, for_reading(number), on or services.today(), _moment(as_of)
        )
        return page_of(request, rows, cursor, limit)

    return _kept(request, who, listing)


@router.get(
    "/institutions/{number}/expiring",
    response_model=Listing[RightRow],
    responses=COMMON,
    summary="Rights of one institution ending within days",
)
def get_expiring(
    request: Request,
    number: str,
    who: Authenticated,
    days: Days = 30,
    on: Day = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    services = services_of(request)

    def listing() -> Any:
        rows = views.ask(
            services, views.expiring, who.reader, on or services.today(), days, for_reading(number),
            with_ids=True,
        )
        return page_of(request, rows, cursor, limit)

    return _kept(request, who, listing)


@router.get(
    "/expiring",
    response_model=Listing[RightRow],
    responses=COMMON,
    summary="Rights ending within days at every institution you see",
)
def get_expiring_everywhere(
    request: Request,
    who: Authenticated,
    days: Days = 30,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    services = services_of(request)
    rows = views.ask(services, views.expiring, who.reader, services.today(), days, None, with_ids=True)
    return page_of(request, rows, cursor, limit)


@router.get(
    "/persons/{person_id}/rights",
    response_model=Listing[RightRow],
    responses=COMMON,
    summary="A person's rights today or later, at the institutions you see",
)
def get_person_rights(
    request: Request, person_id: str, who: Authenticated, limit: Limit = 100, cursor: Cursor = None
) -> Any:
    services = services_of(request)
    try:
        pid = parse_person(person_id)
    except RuleViolation:
        raise ApiProblem(404, "not-found", "no such person") from None
    rows = views.ask(services, views.person_rights, who.reader, pid, services.today())
    return page_of(request, rows, cursor, limit)


@router.get(
    "/institutions/{number}/leavers",
    response_model=Listing[RightRow],
    responses=COMMON,
    summary="Rights still held by persons no longer Actief",
)
def get_leavers(
    request: Request, number: str, who: Authenticated, limit: Limit = 100, cursor: Cursor = None
) -> Any:
    services = services_of(request)
    rows = views.ask(services, views.leavers, who.reader, services.today(), for_reading(number))
    return page_of(request, rows, cursor, limit)


@router.get(
    "/institutions/{number}/audit",
    response_model=Listing[AuditEntry],
    responses=COMMON,
    summary="The institution's events, oldest first",
)
def get_audit(
    request: Request,
    number: str,
    who: Authenticated,
    since: Annotated[datetime | None, Query(description="ISO 8601: recorded at or after.")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601: recorded at or before.")] = None,
    person: Annotated[
        str | None, Query(max_length=100, description="Only events about this person id.")
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    services = services_of(request)
    offset = offset_of(request, cursor)
    about = None
    if person is not None:
        try:
            about = parse_person(person)
        except RuleViolation as error:
            raise ApiProblem(422, error.rule, f"person: {error.message}") from None
    found = views.ask(
        services,
        views.audit,
        who.reader,
        for_reading(number),
        about=about,
        since=_moment(since),
        until=_moment(until),
        offset=offset,
        limit=limit,
    )
    return {"items": found.items, "next": next_cursor(request, offset, limit, found.total)}


@router.get(
    "/tasks",
    response_model=Listing[TaskRow],
    responses=COMMON,
    summary="What waits for you at the institutions you administer (Mijn taken)",
)
def get_tasks(request: Request, who: Authenticated, limit: Limit = 100, cursor: Cursor = None) -> Any:
    services = services_of(request)
    mine = roles(services, who)
    administered = [n for n, entry in mine.items() if entry["roles"] & {HEAD, ADMINISTRATOR}]
    views.ask(services, views.verify_status, who.reader)  # read models caught up
    for number in administered:  # the chain of each, as the pages check it
        views.ask(services, views.institution, who.reader, number)
    today = services.today()
    rows = [
        task.row()
        for number in administered
        for task in tasks_for(services.app.institution(number).state, who.person_id, today)
    ]
    return page_of(request, rows, cursor, limit)
