"""The start page "Rechten beheren": the signed-in person's institutions and where to go next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from grantbook.projections.rights_questions import query_ending_between, query_held_on

from .render import page
from .security import SignedIn, services_of

router = APIRouter()
EXPIRING_DAYS = 30


@router.get("/", response_class=HTMLResponse)
def start(request: Request, person: SignedIn) -> HTMLResponse:
    services = services_of(request)
    today = services.today()
    numbers = list(person.institutions)

    def counts(connection):  # type: ignore[no-untyped-def]
        return {
            number: (
                len(query_held_on(connection, today, number)),
                len(query_ending_between(connection, today, EXPIRING_DAYS, number)),
            )
            for number in numbers
        }

    found = services.answer(counts, ["institutions", "rights"]) if numbers else {}
    rows = [
        {
            **person.institutions[number],
            "held": held,
            "expiring": expiring,
            "change": person.can_change(number),
        }
        for number, (held, expiring) in found.items()
    ]
    return page(request, "start.html", institutions=rows, days=EXPIRING_DAYS)
