"""The question behind ``expiring --format ics``: the rights ``query_ending_between`` lists, each
with its grant id (the calendar event's UID stays the same when the grant is extended)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, or_
from sqlalchemy.sql import Select

from .institutions import institutions
from .rights import history, rights
from .rights_questions import grants, rows_of


@cache
def _ending_between_with_ids(one: bool, as_of: bool) -> Select[Any]:
    source, query = grants(as_of, (history if as_of else rights).c.grant_id)
    first, last = bindparam("first"), bindparam("last")
    query = query.where(
        source.c.end_day >= first,
        source.c.end_day <= last,
        or_(source.c.revoked_on.is_(None), source.c.revoked_on > first),
    )
    return query.where(institutions.c.number == bindparam("institution")) if one else query


def query_expiring_grants(
    connection: Connection,
    day: date,
    within_days: int,
    institution: str | None = None,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    last = (day + timedelta(days=within_days)).isoformat()
    params: dict[str, Any] = {"first": day.isoformat(), "last": last}
    if institution is not None:
        params["institution"] = institution
    if as_of is not None:
        params["moment"] = as_of.timestamp()
    rows = rows_of(connection, _ending_between_with_ids(institution is not None, as_of is not None), params)
    for row in rows:
        row["days_left"] = (date.fromisoformat(row["end"]) - day).days
    rows.sort(key=lambda r: (r["end"], r["institution"], r["last_name"], r["first_name"], r["grant_id"]))
    return rows
