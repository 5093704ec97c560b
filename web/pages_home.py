"""The start page "Rechten beheren": how many tasks wait ("Mijn taken"), the signed-in person's
institutions with their counts ("Toon instellingen") and where to go next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from grantbook.domain.tasks import EXPIRING_DAYS
from grantbook.projections import views

from .pages_tasks import administered_by, tasks_at
from .reading import ask, kept
from .render import page
from .security import SignedIn, Visitor, services_of

router = APIRouter()
TASK_INSTITUTIONS = 25  # counting tasks loads each institution: the start page does it for this many at most


@router.get("/", response_class=HTMLResponse)
def start(request: Request, person: SignedIn) -> Response:
    return kept(request, person, lambda: _start_page(request, person))


def _start_page(request: Request, person: Visitor) -> HTMLResponse:
    services = services_of(request)
    today = services.today()
    # as `grantbook institution list`: one grouped query for all of them, not two per institution; the
    # start page answers whatever a chain (it links to the verify page, where a broken one is shown)
    found = ask(request, views.visible_institutions, today, EXPIRING_DAYS, ignore_integrity=True)
    rows = [
        {
            "number": row["institution"],
            "name": row["name"],
            "roles": person.institutions.get(row["institution"], {}).get("roles", set()),
            "held": row["rights_today"],
            "expiring": row["expiring_30d"],
            "change": person.can_change(row["institution"]),
            "head": person.is_head(row["institution"]),
        }
        for row in found
    ]
    # "Mijn taken": the same tasks as `grantbook tasks`, from each institution the person administers
    # (loaded through the application's cache); for someone administering more, only a link to the page
    administered = administered_by(person)
    tasks = None
    if len(administered) <= TASK_INSTITUTIONS:
        tasks = len(tasks_at(services, person, administered))
    return page(request, "start.html", institutions=rows, days=EXPIRING_DAYS, tasks=tasks)
