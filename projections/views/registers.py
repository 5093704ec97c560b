"""Views of the rights: held on a day, every grant, ending soon, one person's, leavers'. Each checks
who may see the institutions it answers about and their chains, then reads the rows, all from the
snapshot it is given."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from ..access import access
from ..institutions import institutions
from ..people import query_leavers
from ..rights_questions import (
    _asked,
    _ending_between,
    query_every_grant,
    query_held_on,
    query_person,
    rows_of,
    soonest_first,
)
from .core import Reader, one, several, view


@view("rights")
def rights_on(
    c: Connection, reader: Reader, number: str, day: date, as_of: datetime | None = None, *,
    ignore_integrity: bool = False,
) -> list[dict[str, Any]]:
    """The rights held at the institution on ``day``, as recorded now or ``as_of`` (``rights``)."""
    one(c, reader, number, ignore_integrity)
    return query_held_on(c, day, number, as_of=as_of)


@view("rights")
def every_grant(
    c: Connection, reader: Reader, number: str, day: date, as_of: datetime | None = None, *,
    ignore_integrity: bool = False,
) -> list[dict[str, Any]]:
    """Every grant of the institution with its status on ``day`` (``rights --all``)."""
    one(c, reader, number, ignore_integrity)
    return query_every_grant(c, day, number, as_of=as_of)


@view("rights")
def expiring(
    c: Connection, reader: Reader, today: date, within: int, number: str | None = None,
    as_of: datetime | None = None, *, ignore_integrity: bool = False, with_ids: bool = False,
) -> list[dict[str, Any]]:
    """Rights ending in [today, today + within], soonest first: at the institution numbered, or at
    every one the reader sees, in one query (the reader's institutions a condition of it)."""
    several(c, reader, number, ignore_integrity)
    query = _ending_between(number is not None, as_of is not None, with_ids)
    if number is None and not reader.sees_every:
        theirs = select(access.c.originator_id).where(access.c.person_id == reader.person_id)
        query = query.where(institutions.c.originator_id.in_(theirs))
    last = (today + timedelta(days=within)).isoformat()
    rows = rows_of(c, query, _asked(number, as_of, first=today.isoformat(), last=last))
    return soonest_first(rows, today)


@view("rights")
def person_rights(
    c: Connection, reader: Reader, person_id: str, day: date, *, ignore_integrity: bool = False
) -> list[dict[str, Any]]:
    """Every right ``person_id`` holds on ``day`` or later, at the institutions the reader sees."""
    seeing = several(c, reader, None, ignore_integrity)
    rows = query_person(c, person_id, day)
    return rows if reader.sees_every else [r for r in rows if r["institution"] in seeing]


@view("rights", "people")
def leavers(
    c: Connection, reader: Reader, day: date, number: str | None = None, *, ignore_integrity: bool = False
) -> list[dict[str, Any]]:
    """Rights still held (``day`` or later) by persons no longer Actief on the roster."""
    seeing = several(c, reader, number, ignore_integrity)
    rows = query_leavers(c, day, number)
    return rows if reader.sees_every else [r for r in rows if r["institution"] in seeing]
