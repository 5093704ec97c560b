"""Persons as the pages show them: by name, never by id (an id goes to a detail line at most).

One place for "An Claes", "Dirk Fonteyn (ondersteuner)" and "heeft IRIS (Gebruiker) tot 27/12/2026",
used by every page and by the Dutch refusals (web/messages.py ``sentence`` takes ``names``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from grantbook.domain.state import Grant, InstitutionState, Person


def display_name(person: Person | None, fallback: str = "") -> str:
    if person is None:
        return fallback
    name = f"{person.first_name} {person.last_name}".strip() or fallback
    return f"{name} (ondersteuner)" if person.support_worker else name


def names_in(state: InstitutionState) -> Callable[[str], str]:
    """Person id -> the name the institution knows (its roster and support workers); an administrator
    not on the roster keeps their sign-in name."""

    def name(pid: str) -> str:
        return display_name(state.persons.get(pid), pid)

    return name


def right_label(right: str, context: str | None) -> str:
    """A right with its context as a sentence names it: "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
    when the right's name already ends in its context, else "Naam (Context)"."""
    if not context or right.casefold().endswith(" " + context.casefold()):
        return right
    return f"{right} ({context})"


def held_now_or_later(grants: Iterable[Grant], today: date) -> dict[str, list[Grant]]:
    """Per person: the grants they hold today or will hold later (not voided, not revoked before)."""
    found: dict[str, list[Grant]] = {}
    for grant in grants:
        last = grant.last_day
        if last is not None and last >= today:
            found.setdefault(grant.person_id, []).append(grant)
    for held in found.values():
        held.sort(key=lambda g: (g.right, g.context, g.begin))
    return found


def holding(grant: Grant, today: date) -> str:
    """"heeft IRIS-Platform (Leerlingenpaspoort) Gebruiker (Gebruiker) tot 27/12/2026", or "vanaf ..." for
    a grant that starts later."""
    last = grant.last_day or grant.end
    until = f"tot {last.strftime('%d/%m/%Y')}"
    label = right_label(grant.right, grant.context)
    if grant.begin > today:
        return f"{label} van {grant.begin.strftime('%d/%m/%Y')} {until}"
    return f"{label} {until}"


def person_rows(persons: Iterable[Person], grants: Iterable[Grant], today: date) -> list[dict[str, Any]]:
    """The staff list's rows: each person with their name and the rights they hold now or later."""
    held = held_now_or_later(grants, today)
    return [
        {
            "person": p,
            "person_id": p.person_id,
            "name": display_name(p, p.person_id),
            "holds": [holding(g, today) for g in held.get(p.person_id, [])],
        }
        for p in persons
    ]
