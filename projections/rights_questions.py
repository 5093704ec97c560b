"""The questions asked of the rights read model (``rights``): rights held on a day, rights ending
soon, a person's rights; now or as the register stood at a moment (record time, ``--as-of``).

Each kind of question is built once (``functools.cache``) with bound parameters: a command, or a
page, asks it again and again with other values, and SQLAlchemy finds it compiled already.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Float, Table, and_, bindparam, or_, select
from sqlalchemy.sql import Select

from .institutions import institutions
from .rights import history, rights

RIGHTS_COLUMNS = (
    "institution",
    "person_id",
    "first_name",
    "last_name",
    "category",
    "right",
    "context",
    "begin",
    "end",
    "granted_by",
    "granted_at",
)
EXPIRING_COLUMNS = (*RIGHTS_COLUMNS, "days_left")
REGISTER_COLUMNS = (*RIGHTS_COLUMNS, "grant_id", "revoked_on", "revoked_by", "revoke_reason")
"""What ``rights`` shows of each grant: who holds what, which grant it is, and any revocation (a
revocation planned for a later day shows on the days before it too)."""
ALL_COLUMNS = (*REGISTER_COLUMNS, "status", "voided_by", "void_reason", "voided_at")
"""``rights --all``: every grant, with its status on the day asked (``status_on``)."""


def grants(as_of: bool = False, *extra: Any) -> tuple[Table, Select[Any]]:
    """The grants as they stand, or (``as_of``: the parameter ``moment``, record time as seconds since
    the epoch) as the register showed them at that moment: each grant's state from
    ``gb_rights_history`` recorded by then and not yet superseded. Returns the table read and a query
    of the rights columns (named as the output) joined to the institution's number."""
    source = history if as_of else rights
    query = select(
        institutions.c.number.label("institution"),
        source.c.person_id,
        source.c.first_name,
        source.c.last_name,
        source.c.category,
        source.c.right_name.label("right"),
        source.c.context,
        source.c.begin_day.label("begin"),
        source.c.end_day.label("end"),
        source.c.granted_by,
        source.c.granted_at,
        *extra,
    ).select_from(source.join(institutions, institutions.c.originator_id == source.c.originator_id))
    if as_of:
        moment = bindparam("moment", type_=Float)
        query = query.where(
            history.c.recorded_epoch <= moment,
            or_(history.c.superseded_epoch.is_(None), history.c.superseded_epoch > moment),
        )
    return source, query


def rights_sort_key(row: dict[str, Any]) -> tuple[str, ...]:
    """By institution, holder, right; a holder's grants of one right (contexts, later years) by context
    and period, so the order never depends on how a database stores the rows."""
    return (
        row["institution"],
        row["last_name"],
        row["first_name"],
        row["person_id"],
        row["right"],
        row["context"],
        row["begin"],
        row["end"],
    )


def rows_of(
    connection: Connection, query: Select[Any], params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    result = connection.execute(query, params)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def _asked(institution: str | None, as_of: datetime | None, **params: Any) -> dict[str, Any]:
    if institution is not None:
        params["institution"] = institution
    if as_of is not None:
        params["moment"] = as_of.timestamp()
    return params


def register_columns(as_of: bool, *more: str) -> list[Any]:
    """The columns ``rights`` adds to each grant (``REGISTER_COLUMNS``), and ``more``."""
    columns = (history if as_of else rights).c
    return [columns[name] for name in ("grant_id", "revoked_on", "revoked_by", "revoke_reason", *more)]


@cache
def _held_on(one: bool, as_of: bool) -> Select[Any]:
    """Built once per kind of question: a command, or a page, asks it again with other values."""
    source, query = grants(as_of, *register_columns(as_of))
    day = bindparam("day")
    query = query.where(source.c.last_day.is_not(None), source.c.begin_day <= day, source.c.last_day >= day)
    return query.where(institutions.c.number == bindparam("institution")) if one else query


def query_held_on(
    connection: Connection, day: date, institution: str | None = None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Rights held on ``day`` (valid time), as recorded now or ``as_of`` (record time)."""
    query = _held_on(institution is not None, as_of is not None)
    rows = rows_of(connection, query, _asked(institution, as_of, day=day.isoformat()))
    rows.sort(key=rights_sort_key)
    return rows


@cache
def _ending_between(one: bool, as_of: bool, with_ids: bool) -> Select[Any]:
    source, query = grants(as_of, *(((history if as_of else rights).c.grant_id,) if with_ids else ()))
    first, last = bindparam("first"), bindparam("last")
    query = query.where(
        source.c.voided_at.is_(None),
        source.c.end_day >= first,
        source.c.end_day <= last,
        or_(source.c.revoked_on.is_(None), source.c.revoked_on > first),
    )
    return query.where(institutions.c.number == bindparam("institution")) if one else query


def query_ending_between(
    connection: Connection,
    day: date,
    within_days: int,
    institution: str | None = None,
    as_of: datetime | None = None,
    with_ids: bool = False,
) -> list[dict[str, Any]]:
    """Rights still in force (voided ones never were) whose end date falls in [day, day + within], as
    recorded now or ``as_of``, soonest first; ``with_ids``: each with its ``grant_id`` too (the
    calendar's UID, which stays the same when the grant is extended)."""
    last = (day + timedelta(days=within_days)).isoformat()
    query = _ending_between(institution is not None, as_of is not None, with_ids)
    rows = rows_of(connection, query, _asked(institution, as_of, first=day.isoformat(), last=last))
    return soonest_first(rows, day)


SOONEST = itemgetter("end", "institution", "last_name", "first_name", "person_id")


def soonest_first(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """Expiring rows with their ``days_left`` after ``day``, soonest first (then institution and
    holder): the days counted once per end date, however many rows end on it."""
    days: dict[str, int] = {}
    for row in rows:
        end = row["end"]
        left = days.get(end)
        if left is None:
            left = days[end] = (date.fromisoformat(end) - day).days
        row["days_left"] = left
    rows.sort(key=SOONEST)
    return rows


def query_person(connection: Connection, person_id: str, day: date) -> list[dict[str, Any]]:
    """Every right a person holds on ``day`` or later, at any institution."""
    _, query = grants()
    query = query.where(
        and_(
            rights.c.person_id == person_id,
            rights.c.last_day.is_not(None),
            rights.c.last_day >= day.isoformat(),
        )
    )
    rows = rows_of(connection, query)
    rows.sort(key=lambda r: (r["institution"], r["begin"], r["right"], r["context"]))
    return rows


def status_on(row: dict[str, Any], day: date) -> str:
    """A grant's status on ``day``: voided beats revoked (a revocation whose first day is ``day`` or
    earlier) beats future (begins after ``day``), ended (ended before it) and current."""
    if row["voided_at"] is not None:
        return "voided"
    if row["revoked_on"] is not None and row["revoked_on"] <= day.isoformat():
        return "revoked"
    if row["begin"] > day.isoformat():
        return "future"
    return "ended" if row["end"] < day.isoformat() else "current"


@cache
def _every_grant(as_of: bool) -> Select[Any]:
    _, query = grants(as_of, *register_columns(as_of, "voided_by", "void_reason", "voided_at"))
    return query.where(institutions.c.number == bindparam("institution"))


def query_every_grant(
    connection: Connection, day: date, institution: str, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Every grant of an institution, voided ones too, each with its ``status`` on ``day``
    (``rights --all``), as recorded now or ``as_of``."""
    rows = rows_of(connection, _every_grant(as_of is not None), _asked(institution, as_of))
    for row in rows:
        row["status"] = status_on(row, day)
    rows.sort(key=lambda r: (*rights_sort_key(r), r["grant_id"]))
    return rows
