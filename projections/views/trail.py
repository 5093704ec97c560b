"""The audit trail of one institution as a view: filtered, paged, counted in the same snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, func, select

from grantbook.domain import EVENT_CLASSES, RuleViolation, rules
from grantbook.domain.text import shown

from ..audit import _shown, audit as audit_table, persons
from .core import Page, Reader, one, view


def _ids(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else sorted(set(value))


@view("audit")
def check_kinds(kinds: Iterable[str] | None) -> list[str] | None:
    """The kinds of event named, each a known one (else refused; callers may ask before reading)."""
    events = None if kinds is None else list(kinds)
    for event in events or ():
        if event not in EVENT_CLASSES:
            known = ", ".join(sorted(EVENT_CLASSES))
            raise RuleViolation(
                rules.UNKNOWN_EVENT, f"no kind of event is called {shown(event)} (one of {known})"
            )
    return events


def audit(
    c: Connection, reader: Reader, number: str, *,
    actor: str | Iterable[str] | None = None,
    about: str | Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Iterable[str] | None = None,
    offset: int = 0,
    limit: int | None = 100,
    ignore_integrity: bool = False,
) -> Page:
    """The institution's events, oldest first, by the actor(s) named, about the person(s) named
    (exactly), of the kinds of event named, recorded in [since, until]; ``limit`` None: all of them.
    ``total`` counts every event the filters let through."""
    entry = one(c, reader, number, ignore_integrity)
    events = check_kinds(kinds)
    where = [audit_table.c.originator_id == entry["originator_id"]]
    actors, abouts = _ids(actor), _ids(about)
    if actors is not None:
        where.append(audit_table.c.actor.in_(actors))
    if abouts is not None:
        about_them = select(persons.c.position).where(persons.c.person_id.in_(abouts))
        where.append(audit_table.c.position.in_(about_them))
    if events is not None:
        where.append(audit_table.c.event.in_(events))
    if since is not None:
        where.append(audit_table.c.recorded_epoch >= since.timestamp())
    if until is not None:
        where.append(audit_table.c.recorded_epoch <= until.timestamp())
    total = int(c.execute(select(func.count()).select_from(audit_table).where(*where)).scalar_one())
    query = (
        select(audit_table.c.position, audit_table.c.recorded_at, audit_table.c.actor, audit_table.c.event,
               audit_table.c.details)
        .where(*where)
        .order_by(audit_table.c.position)
        .offset(offset)
        .limit(limit)
    )
    items = [
        {"position": int(position), "recorded_at": recorded_at, "actor": who, "event": event,
         "institution": number, "details": _shown(text)}
        for position, recorded_at, who, event, text in c.execute(query)
    ]
    return Page(items, total)


@view("audit")
def actors(c: Connection, reader: Reader, number: str, *, ignore_integrity: bool = False) -> set[str]:
    """Everyone who acted in the institution's history."""
    entry = one(c, reader, number, ignore_integrity)
    query = select(audit_table.c.actor).distinct().where(
        audit_table.c.originator_id == entry["originator_id"]
    )
    return {who for (who,) in c.execute(query)}
