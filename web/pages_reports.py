""" "Vervallende rechten" (with its CSV and Excel downloads) and "Controleer de geschiedenis"
(/verificatie) for the visitor's own institutions. They record nothing. The audit page is
web/pages_audit.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from grantbook.adapters.checkpoints import ChainWalker, stored_events
from grantbook.domain import rules
from grantbook.errors import TamperEvidenceError
from grantbook.projections import views
from grantbook.projections.access import names as names_table
from grantbook.projections.rights_questions import EXPIRING_COLUMNS

from . import forms
from .downloads import CSV_TYPE, XLSX_TYPE, attachment, columns_for, csv_text, xlsx_bytes
from .forms import Days, PageModel, Problem, Refused
from .messages import dutch
from .reading import ask, kept, together
from .render import page, shown
from .security import NotFound, SignedIn, Visitor, services_of

router = APIRouter()
REFUSED = 422
DEFAULT_DAYS = 30
EXPIRING_FILE = [c for c in EXPIRING_COLUMNS if c != "days_left"] + ["days_left"]


class ExpiringQuery(PageModel):
    binnen: Days = DEFAULT_DAYS


def _expiring(request: Request, person: Visitor, within: int) -> list[dict[str, Any]]:
    services = services_of(request)
    today = services.today()
    if within > (date.max - today).days:
        raise Refused([Problem("binnen", rules.DATE_RANGE, dutch(rules.DATE_RANGE) or "")])
    return ask(request, views.expiring, today, within)  # every institution the visitor sees, one query


def _asked(request: Request, person: Visitor) -> tuple[int, list[dict[str, Any]]]:
    within = forms.parse(ExpiringQuery, request.query_params).binnen
    return within, _expiring(request, person, within)


@router.get("/vervallend", response_class=HTMLResponse, openapi_extra=forms.query_doc(ExpiringQuery))
def expiring(request: Request, person: SignedIn) -> Response:
    return kept(request, person, lambda: _expiring_page(request, person))


def _expiring_page(request: Request, person: Visitor) -> Response:
    try:
        within, rows = _asked(request, person)
    except Refused as refused:
        typed = forms.typed(ExpiringQuery, request.query_params)
        return page(
            request, "expiring.html", REFUSED, rows=[], binnen=typed["binnen"], **shown(refused.problems)
        )
    return page(request, "expiring.html", rows=rows, binnen=str(within), within=within)



def refused_file(refused: Refused) -> Response:
    """A download that cannot be made: what is wrong, in Dutch, as plain text (no rule code)."""
    text = "Het bestand kan niet gemaakt worden. " + " ".join(p.message for p in refused.problems)
    return Response(text + "\n", status_code=REFUSED, media_type="text/plain; charset=utf-8")


@router.get("/vervallend.csv", openapi_extra=forms.query_doc(ExpiringQuery))
def expiring_csv(request: Request, person: SignedIn) -> Response:
    try:
        within, rows = _asked(request, person)
    except Refused as refused:
        return refused_file(refused)
    body = csv_text(rows, columns_for(EXPIRING_FILE))
    name = f"vervallende-rechten-{within}-dagen.csv"
    return Response(body.encode("utf-8"), media_type=CSV_TYPE, headers=attachment(name))


@router.get("/vervallend.xlsx", openapi_extra=forms.query_doc(ExpiringQuery))
def expiring_xlsx(request: Request, person: SignedIn) -> Response:
    try:
        within, rows = _asked(request, person)
    except Refused as refused:
        return refused_file(refused)
    body = xlsx_bytes(rows, columns_for(EXPIRING_FILE), "Vervallende rechten")
    return Response(
        body, media_type=XLSX_TYPE, headers=attachment(f"vervallende-rechten-{within}-dagen.xlsx")
    )


@together()
def _visible_chains(c: Any, reader: views.Reader) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Each institution the visitor sees with how the read models found its chain, and their
    aggregate ids (the store's events are walked by these), from one snapshot."""
    rows = views.verify_status(c, reader)
    wanted = [row["institution"] for row in rows]
    query = select(names_table.c.originator_id, names_table.c.number).where(names_table.c.number.in_(wanted))
    return rows, {str(oid): number for oid, number in c.execute(query)}


def verify_institutions(request: Request, every: bool, mine: dict[str, str]) -> ChainWalker:
    """Each chain of the institutions asked (``mine``: aggregate id -> number; all with ``every``)
    checked from its registration on, walking the stored events themselves (the read models' own
    findings are in ``views.verify_status``): chains are per institution, so the events of others
    are skipped, and their faults not shown."""
    services = services_of(request)
    walker = ChainWalker()
    for item in stored_events(services.app.recorder):
        if every or str(item.originator_id) in mine:
            walker.add(item)
    if not every:
        for oid, number in mine.items():
            if oid not in walker.heads:
                raise TamperEvidenceError("the institution's events are missing from the store", number)
    return walker


@router.get("/verificatie", response_class=HTMLResponse)
def verification(request: Request, person: SignedIn) -> Response:
    if not person.institutions:
        raise NotFound()
    every = person.person_id in services_of(request).config.auditors
    found, mine = ask(request, _visible_chains)
    names = {row["institution"]: row["name"] for row in found}
    try:
        walker = verify_institutions(request, every, mine)
    except TamperEvidenceError as error:
        number = error.institution or ""
        fault = {
            "number": number,
            "name": names.get(number, ""),
            "position": error.position,
            "detail": str(error),
        }
        return page(request, "verify.html", 409, checked=[], fault=fault, every=every)
    checked = sorted(
        (
            {
                "number": head.number,
                "name": names.get(head.number, ""),
                "events": head.version,
                "position": head.position,
            }
            for head in walker.heads.values()
        ),
        key=lambda row: row["number"],
    )
    total = sum(row["events"] for row in checked)
    return page(request, "verify.html", checked=checked, fault=None, every=every, total=total)
