""" "Vervallende rechten" (with "Download CSV"), the institution's "Audit" timeline and the verify page.
They record nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from grantbook.adapters.checkpoints import verify as verify_store
from grantbook.domain import RuleViolation, parse_date, person_id, rules
from grantbook.domain.text import shown
from grantbook.domain.values import BRUSSELS
from grantbook.errors import TamperEvidenceError
from grantbook.projections.audit import query_audit
from grantbook.projections.rights_questions import EXPIRING_COLUMNS, query_ending_between

from .integrity import check_integrity
from .messages import DAYS
from .render import page, refusal
from .security import NotFound, SignedIn, Visitor, institution_for, services_of

router = APIRouter()
REFUSED = 422
DEFAULT_DAYS = 30
MAX_DAYS = 36600


def _days(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= MAX_DAYS:
        expected = f"the number of days is a whole number from 0 to {MAX_DAYS}"
        raise RuleViolation(DAYS, f"{expected}, got {shown(text)}")
    return int(text)


def _expiring(request: Request, person: Visitor, within: int) -> list[dict[str, Any]]:
    services = services_of(request)
    today = services.today()
    if within > (date.max - today).days:
        raise RuleViolation(
            rules.DATE_RANGE, f"{within} days after {today.isoformat()} is past the end of the calendar"
        )
    mine = set(person.institutions)
    check_integrity(services, sorted(mine))
    rows = services.answer(lambda c: query_ending_between(c, today, within, None), ["institutions", "rights"])
    return [row for row in rows if row["institution"] in mine]


@router.get("/vervallend", response_class=HTMLResponse)
def expiring(request: Request, person: SignedIn, binnen: str = str(DEFAULT_DAYS)) -> Response:
    try:
        within = _days(binnen)
        rows = _expiring(request, person, within)
    except RuleViolation as error:
        return page(request, "expiring.html", REFUSED, rows=[], binnen=binnen, **refusal(error, "binnen"))
    return page(request, "expiring.html", rows=rows, binnen=str(within), within=within)


@router.get("/vervallend.csv")
def expiring_csv(request: Request, person: SignedIn, binnen: str = str(DEFAULT_DAYS)) -> Response:
    try:
        rows = _expiring(request, person, _days(binnen))
    except RuleViolation as error:
        return Response(f"{error.rule}: {error.message}\n", status_code=REFUSED, media_type="text/plain")
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(EXPIRING_COLUMNS), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_safe(row.get(key)) for key in EXPIRING_COLUMNS})
    headers = {"Content-Disposition": 'attachment; filename="vervallende-rechten.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _csv_safe(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _moment(text: str, end: bool) -> datetime | None:
    if not text:
        return None
    return datetime.combine(parse_date(text), time.max if end else time.min, tzinfo=BRUSSELS)


@router.get("/instellingen/{number}/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    person: SignedIn,
    number: str,
    actor: str = "",
    persoon: str = "",
    vanaf: str = "",
    tot: str = "",
) -> Response:
    institution = institution_for(person, number)
    values = {"actor": actor, "persoon": persoon, "vanaf": vanaf, "tot": tot}
    field = ""
    try:
        field = "actor"
        who = person_id(actor) if actor else None
        field = "persoon"
        about = person_id(persoon) if persoon else None
        field = "vanaf"
        first = _moment(vanaf, end=False)
        field = "tot"
        last = _moment(tot, end=True)
    except RuleViolation as error:
        return page(
            request,
            "audit.html",
            REFUSED,
            institution=institution,
            number=number,
            rows=[],
            values=values,
            **refusal(error, field),
        )
    check_integrity(services_of(request), [number])
    rows = services_of(request).answer(
        lambda c: query_audit(c, number, who, about, first, last), ["institutions", "audit"]
    )
    return page(request, "audit.html", institution=institution, number=number, rows=rows, values=values)


@router.get("/verificatie", response_class=HTMLResponse)
def verification(request: Request, person: SignedIn) -> Response:
    if not person.institutions:
        raise NotFound()
    services = services_of(request)
    try:
        report = verify_store(services.app.recorder, [], None)
    except TamperEvidenceError as error:
        return page(request, "verify.html", 409, report=None, fault=str(error))
    return page(request, "verify.html", report=report, fault=None)
