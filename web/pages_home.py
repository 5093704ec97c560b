"""The start page "Rechten beheren": how many tasks wait ("Mijn taken"), the signed-in person's
institutions with their counts ("Toon instellingen") and where to go next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from grantbook.domain.tasks import EXPIRING_DAYS
from grantbook.projections.access import institution_counts

from .pages_tasks import administered_by, tasks_at
from .render import page
from .security import SignedIn, services_of

router = APIRouter()
TASK_INSTITUTIONS = 25  # counting tasks loads each institution: the start page does it for this many at most


@router.get("/", response_class=HTMLResponse)
def start(request: Request, person: SignedIn) -> HTMLResponse:
    services = services_of(request)
    today = services.today()
    numbers = list(person.institutions)

    def counts(connection):  # type: ignore[no-untyped-def]
        # one grouped query for all of them (as `grantbook institution list`), not two per institution
        return institution_counts(connection, numbers, today, EXPIRING_DAYS)

    found = services.answer(counts, ["access", "rights"]) if numbers else {}
    rows = [
        {
            **person.institutions[number],
            "held": found.get(number, (0, 0))[0],
            "expiring": found.get(number, (0, 0))[1],
            "change": person.can_change(number),
            "head": person.is_head(number),
        }
        for number in numbers
    ]
    # "Mijn taken": the same tasks as `grantbook tasks`, from each institution the person administers
    # (loaded through the application's cache); for someone administering more, only a link to the page
    administered = administered_by(person)
    tasks = None
    if len(administered) <= TASK_INSTITUTIONS:
        tasks = len(tasks_at(services, person, administered))
    return page(request, "start.html", institutions=rows, days=EXPIRING_DAYS, tasks=tasks)
