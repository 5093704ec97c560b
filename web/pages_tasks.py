""" "Mijn taken": what waits for the signed-in administrator at each institution they administer, one
row per task with a link to the page that does it (the same tasks as ``grantbook tasks``, from
domain/tasks.py). The CLI's task texts are English; this page says each kind in the seed's Dutch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from grantbook.domain.tasks import EXPIRING_DAYS, Task, review_tasks, tasks_for

from .integrity import check_integrity
from .render import dmy, page
from .security import SignedIn, Visitor, services_of
from .services import Services

router = APIRouter()

KIND_LABELS = {
    "selection": "Selectie",
    "pending": "Toekenning wacht op bevestiging",
    "expiring": "Recht vervalt",
    "leaver": "Vertrokken, heeft nog een recht",
    "support-worker": "Ondersteuner zonder recht",
    "review": "Toegangsreview",
}


def _persons(count: int) -> str:
    return f"{count} {'persoon' if count == 1 else 'personen'}"


def _what(task: Task) -> str:
    """The task in plain Dutch words, from its fields (never the CLI's English detail)."""
    if task.kind == "selection":
        return f"{_persons(task.selected)} geselecteerd: kies een recht (stap 2)"
    if task.kind == "pending":
        return f"{task.context}, vanaf {dmy(task.due)}, voor {_persons(task.selected)}: bevestig (stap 3)"
    if task.kind == "expiring":
        return f"{task.context}, laatste dag {dmy(task.due)}"
    if task.kind == "leaver":
        return f"{task.context}, niet meer actief, recht loopt tot {dmy(task.due)}"
    if task.kind == "review":  # ``detail``: the review's name (tasks_at), never the CLI's English
        left = f"{task.selected} {'recht' if task.selected == 1 else 'rechten'}"
        return f"{task.detail}: nog {left} te beoordelen, beslis uiterlijk op {dmy(task.due)}"
    if task.due is not None:
        return f"Geen recht meer sinds {dmy(task.due)}"
    return "Nog geen recht toegekend"


def _action(task: Task) -> tuple[str, str]:
    """Where the task is done: (link text, URL)."""
    base = f"/instellingen/{task.institution}"
    which = urlencode({"toekenning": task.grant_id or ""})  # one row, one grant
    if task.kind == "selection":
        return "Naar stap 2", f"{base}/toekennen/stap-2"
    if task.kind == "pending":
        return "Naar stap 3", f"{base}/toekennen/stap-3"
    if task.kind == "expiring":
        return "Verleng", f"{base}/rechten/verleng?{which}"
    if task.kind == "leaver":
        return "Trek in", f"{base}/rechten/trek-in?{which}"
    if task.kind == "review":
        return "Beoordeel", f"{base}/reviews/{task.review_id}"
    return "Ken recht toe", f"{base}/snel-toekennen?{urlencode({'persoon': task.person_id or ''})}"


def task_rows(tasks: list[Task], names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    names = names or {}
    rows = []
    for task in tasks:
        text, url = _action(task)
        rows.append(
            {
                "institution": task.institution,
                "institution_name": names.get(task.institution, task.institution),
                "kind": KIND_LABELS[task.kind],
                "name": task.name or "",
                "right": "" if task.kind == "review" else task.right or "",
                "what": _what(task),
                "due": task.due,
                "action": text,
                "url": url,
            }
        )
    return rows


def administered_by(person: Visitor) -> list[str]:
    return [number for number in person.institutions if person.can_change(number)]


def tasks_at(services: Services, person: Visitor, numbers: list[str]) -> list[Task]:
    """``person``'s tasks today at ``numbers`` (each institution loaded through the application)."""
    today = services.today()
    found = []
    for number in numbers:
        state = services.app.institution(number).state
        found += tasks_for(state, person.person_id, today)
        found += [  # the open access reviews waiting for them; the page names each review
            replace(task, detail=state.reviews[task.review_id].name)
            for task in review_tasks(state, person.person_id)
            if task.selected and task.review_id
        ]
    return found


@router.get("/taken", response_class=HTMLResponse)
def my_tasks(request: Request, person: SignedIn) -> Response:
    services = services_of(request)
    administered = administered_by(person)
    check_integrity(services, administered)  # the tasks themselves come from the aggregates (ADR 0023)
    found = tasks_at(services, person, administered)
    return page(
        request, "tasks.html", rows=task_rows(found, {n: i["name"] for n, i in person.institutions.items()}), days=EXPIRING_DAYS, administers=bool(administered)
    )
