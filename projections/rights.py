"""Rights: one row per grant as it stands (``gb_rights``: rights on a day, expiry, a person's rights,
leavers), and every state each grant has been in with the record time it held
(``gb_rights_history``: ``--as-of``). A history row holds from ``recorded_epoch`` until
``superseded_epoch`` (NULL: still current), both event timestamps as seconds since the epoch.
Dates are ISO text; ``last_day`` (the domain's ``last_day_held``) makes "held on day D" an index range.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.sql import Select

from grantbook.domain.events import AssignmentConfirmed, EndDateExtended, RightRevoked
from grantbook.domain.state import last_day_held

from .db import Batch, metadata
from .institutions import institutions, only_institution
from .runner import Change, Projection

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


def _grant_columns() -> list[Column[Any]]:
    nullable = {"last_day", "revoked_on", "revoked_by"}
    names = (
        "grant_id",
        "originator_id",
        "person_id",
        "first_name",
        "last_name",
        "category",
        "right_name",
        "context",
        "begin_day",
        "end_day",
        "last_day",
        "granted_by",
        "granted_at",
        "revoked_on",
        "revoked_by",
    )
    return [Column(name, Text, nullable=name in nullable) for name in names]


rights = Table(
    "gb_rights",
    metadata,
    *_grant_columns(),
    PrimaryKeyConstraint("grant_id"),
    Index("gb_rights_by_institution", "originator_id", "last_day"),
    Index("gb_rights_by_institution_end", "originator_id", "end_day"),
    Index("gb_rights_by_person", "person_id"),
    Index("gb_rights_by_end", "end_day"),
    Index("gb_rights_by_last_day", "last_day", "begin_day"),
)
history = Table(
    "gb_rights_history",
    metadata,
    *_grant_columns(),
    Column("recorded_position", BigInteger, nullable=False),
    Column("recorded_epoch", Float, nullable=False),
    Column("superseded_epoch", Float),
    PrimaryKeyConstraint("grant_id", "recorded_position"),
    Index("gb_rights_history_by_institution", "originator_id", "recorded_epoch"),
    Index("gb_rights_history_by_record_time", "recorded_epoch"),
)
GRANT_COLUMNS = [c.name for c in rights.columns]

_INSERT = insert(rights)
_INSERT_HISTORY = insert(history)
_FIND = select(rights.c.begin_day, rights.c.end_day, rights.c.revoked_on).where(
    rights.c.grant_id == bindparam("gid")
)
_EXTEND = (
    update(rights)
    .where(rights.c.grant_id == bindparam("gid"))
    .values(end_day=bindparam("new_end"), last_day=bindparam("new_last"))
)
_REVOKE = (
    update(rights)
    .where(rights.c.grant_id == bindparam("gid"))
    .values(revoked_on=bindparam("rev_on"), revoked_by=bindparam("rev_by"), last_day=bindparam("new_last"))
)
_SUPERSEDE = (
    update(history)
    .where(history.c.grant_id == bindparam("gid"), history.c.superseded_epoch.is_(None))
    .values(superseded_epoch=bindparam("epoch"))
)
_COPY_TO_HISTORY = insert(history).from_select(
    [*GRANT_COLUMNS, "recorded_position", "recorded_epoch"],
    select(*rights.columns, bindparam("position", type_=BigInteger), bindparam("epoch", type_=Float)).where(
        rights.c.grant_id == bindparam("gid")
    ),
)


def _last_day(begin: str, end: str, revoked_on: str | None) -> str | None:
    last = last_day_held(
        date.fromisoformat(begin),
        date.fromisoformat(end),
        None if revoked_on is None else date.fromisoformat(revoked_on),
    )
    return None if last is None else last.isoformat()


class RightsProjection(Projection):
    name = "rights"
    version = 3
    tables = (rights, history)
    topics = (AssignmentConfirmed.TOPIC, EndDateExtended.TOPIC, RightRevoked.TOPIC)

    def process(self, batch: Batch, change: Change) -> None:
        state, moment = change.state, change.moment
        recorded = moment.timestamp()
        if change.topic == AssignmentConfirmed.TOPIC:
            begin, end = state["begin"], state["end"]
            common = {
                "originator_id": change.originator_id,
                "right_name": state["right"],
                "context": state["context"],
                "begin_day": begin,
                "end_day": end,
                "last_day": _last_day(begin, end, None),
                "granted_by": state["actor"],
                "granted_at": moment.isoformat(),
                "revoked_on": None,
                "revoked_by": None,
            }
            rows = [
                {
                    **common,
                    "grant_id": granted["grant_id"],
                    "person_id": granted["person_id"],
                    "first_name": granted["first_name"],
                    "last_name": granted["last_name"],
                    "category": granted["category"],
                }
                for granted in state["grants"]
            ]
            for row in rows:  # one statement after the other: each goes as one executemany
                batch.later(_INSERT, row)
            for row in rows:
                batch.later(
                    _INSERT_HISTORY,
                    {
                        **row,
                        "recorded_position": change.position,
                        "recorded_epoch": recorded,
                        "superseded_epoch": None,
                    },
                )
            return
        grant_id = state["grant_id"]
        begin, end, revoked = batch.execute(_FIND, {"gid": grant_id}).one()
        if change.topic == EndDateExtended.TOPIC:
            end = state["new_end"]
            batch.later(
                _EXTEND, {"gid": grant_id, "new_end": end, "new_last": _last_day(begin, end, revoked)}
            )
        else:
            revoked = state["revoked_on"]
            batch.later(
                _REVOKE,
                {
                    "gid": grant_id,
                    "rev_on": revoked,
                    "rev_by": state["actor"],
                    "new_last": _last_day(begin, end, revoked),
                },
            )
        batch.later(_SUPERSEDE, {"gid": grant_id, "epoch": recorded})
        batch.later(_COPY_TO_HISTORY, {"gid": grant_id, "position": change.position, "epoch": recorded})


# -- questions --------------------------------------------------------------------------------------


def grants(as_of: datetime | None = None, *extra: Any) -> tuple[Table, Select[Any]]:
    """The grants as they stand, or (``as_of``, record time) as the register showed them at that
    moment: each grant's state from ``gb_rights_history`` recorded by then and not yet superseded.
    Returns the table read and a query of the rights columns (named as the output) joined to the
    institution's number."""
    source = rights if as_of is None else history
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
    if as_of is not None:
        moment = as_of.timestamp()
        query = query.where(
            history.c.recorded_epoch <= moment,
            or_(history.c.superseded_epoch.is_(None), history.c.superseded_epoch > moment),
        )
    return source, query


def rights_sort_key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["institution"], row["last_name"], row["first_name"], row["person_id"], row["right"])


def rows_of(connection: Connection, query: Select[Any]) -> list[dict[str, Any]]:
    result = connection.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def query_held_on(
    connection: Connection, day: date, institution: str | None = None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Rights held on ``day`` (valid time), as recorded now or ``as_of`` (record time)."""
    source, query = grants(as_of)
    text = day.isoformat()
    query = query.where(source.c.last_day.is_not(None), source.c.begin_day <= text, source.c.last_day >= text)
    rows = rows_of(connection, only_institution(query, institution))
    rows.sort(key=rights_sort_key)
    return rows


def query_ending_between(
    connection: Connection,
    day: date,
    within_days: int,
    institution: str | None = None,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Rights still in force whose end date falls in [day, day + within], as recorded now or
    ``as_of``, soonest first."""
    last = (day + timedelta(days=within_days)).isoformat()
    text = day.isoformat()
    source, query = grants(as_of)
    query = query.where(
        source.c.end_day >= text,
        source.c.end_day <= last,
        or_(source.c.revoked_on.is_(None), source.c.revoked_on > text),
    )
    rows = rows_of(connection, only_institution(query, institution))
    for row in rows:
        row["days_left"] = (date.fromisoformat(row["end"]) - day).days
    rows.sort(key=lambda r: (r["end"], r["institution"], r["last_name"], r["first_name"], r["person_id"]))
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
