"""Current rights and the expiry report, folded from the events.

One row per grant. ``held_on`` and ``ending_between`` answer the two
questions administrators ask. (The read-model issue turns this fold into a
persisted, tracked projection; the rows and their keys stay the same.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from grantbook.domain.events import (
    AssignmentConfirmed,
    EndDateExtended,
    InstitutionEvent,
    InstitutionRegistered,
    RightRevoked,
)
from grantbook.domain.state import Grant

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


class CurrentRights:
    def __init__(self) -> None:
        self.numbers: dict[Any, str] = {}
        self.grants: dict[str, tuple[str, Grant]] = {}

    @classmethod
    def from_events(cls, events: Iterable[InstitutionEvent]) -> CurrentRights:
        view = cls()
        for event in events:
            view.apply(event)
        return view

    def apply(self, event: InstitutionEvent) -> None:
        if isinstance(event, InstitutionRegistered):
            self.numbers[event.originator_id] = event.number
        elif isinstance(event, AssignmentConfirmed):
            number = self.numbers[event.originator_id]
            for granted in event.grants:
                self.grants[granted.grant_id] = (
                    number,
                    Grant(
                        grant_id=granted.grant_id,
                        person_id=granted.person_id,
                        first_name=granted.first_name,
                        last_name=granted.last_name,
                        category=granted.category,
                        right=event.right,
                        context=event.context,
                        begin=event.begin,
                        end=event.end,
                        granted_by=event.actor,
                        granted_at=event.timestamp,
                    ),
                )
        elif isinstance(event, EndDateExtended):
            self.grants[event.grant_id][1].end = event.new_end
        elif isinstance(event, RightRevoked):
            grant = self.grants[event.grant_id][1]
            grant.revoked_on = event.revoked_on
            grant.revoked_by = event.actor

    def held_on(self, day: date, institution: str | None = None) -> list[dict[str, Any]]:
        rows = [
            rights_row(number, grant)
            for number, grant in self.grants.values()
            if grant.held_on(day) and institution in (None, number)
        ]
        rows.sort(
            key=lambda r: (r["institution"], r["last_name"], r["first_name"], r["person_id"], r["right"])
        )
        return rows

    def ending_between(
        self, day: date, within_days: int, institution: str | None = None
    ) -> list[dict[str, Any]]:
        """Rights still in force whose end date falls in [day, day + within]."""
        last = day + timedelta(days=within_days)
        rows = []
        for number, grant in self.grants.values():
            if institution not in (None, number) or not day <= grant.end <= last:
                continue
            if grant.revoked_on is not None and grant.revoked_on <= day:
                continue
            row = rights_row(number, grant)
            row["days_left"] = (grant.end - day).days
            rows.append(row)
        rows.sort(key=lambda r: (r["end"], r["institution"], r["last_name"], r["first_name"], r["person_id"]))
        return rows


def rights_row(number: str, grant: Grant) -> dict[str, Any]:
    return {
        "institution": number,
        "person_id": grant.person_id,
        "first_name": grant.first_name,
        "last_name": grant.last_name,
        "category": grant.category,
        "right": grant.right,
        "context": grant.context,
        "begin": grant.begin.isoformat(),
        "end": grant.end.isoformat(),
        "granted_by": grant.granted_by,
        "granted_at": grant.granted_at.isoformat(),
    }


# -- queries on the persisted table (projections/tables.py) -----------------------

_SELECT = (
    "SELECT i.number AS institution, r.person_id, r.first_name, r.last_name, r.category,"
    " r.right_name, r.context, r.begin_day, r.end_day, r.granted_by, r.granted_at"
    " FROM gb_rights r JOIN gb_institutions i ON i.originator_id = r.originator_id"
)


def table_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "institution": row["institution"],
        "person_id": row["person_id"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "category": row["category"],
        "right": row["right_name"],
        "context": row["context"],
        "begin": row["begin_day"],
        "end": row["end_day"],
        "granted_by": row["granted_by"],
        "granted_at": row["granted_at"],
    }


def rights_sort_key(row: dict[str, Any]) -> tuple[str, ...]:
    return (row["institution"], row["last_name"], row["first_name"], row["person_id"], row["right"])


def rights_as_of(as_of: datetime | None) -> tuple[str, list[Any]]:
    """The grants as they stand, or (``as_of``, record time) as the register showed them at that
    moment: each grant's state from ``gb_rights_history`` recorded by then and not yet superseded."""
    if as_of is None:
        return _SELECT + " WHERE 1 = 1", []
    moment = as_of.timestamp()
    sql = _SELECT.replace("FROM gb_rights r", "FROM gb_rights_history r") + (
        " WHERE r.recorded_epoch <= ? AND (r.superseded_epoch IS NULL OR r.superseded_epoch > ?)"
    )
    return sql, [moment, moment]


def only_institution(sql: str, params: list[Any], institution: str | None) -> tuple[str, list[Any]]:
    """Narrows a query joined on ``gb_institutions i`` to one institution, if one is named."""
    if institution is None:
        return sql, params
    return sql + " AND i.number = ?", [*params, institution]


def query_held_on(
    db: Any, day: date, institution: str | None = None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Rights held on ``day`` (valid time), as recorded now or ``as_of`` (record time)."""
    sql, params = rights_as_of(as_of)
    sql += " AND r.last_day IS NOT NULL AND r.begin_day <= ? AND r.last_day >= ?"
    params += [day.isoformat(), day.isoformat()]
    sql, params = only_institution(sql, params, institution)
    rows = [table_row(row) for row in db.query(sql, params)]
    rows.sort(key=rights_sort_key)
    return rows


def query_person(db: Any, person_id: str, day: date) -> list[dict[str, Any]]:
    """Every right a person holds on ``day`` or later, at any institution."""
    sql = _SELECT + " WHERE r.person_id = ? AND r.last_day IS NOT NULL AND r.last_day >= ?"
    rows = [table_row(row) for row in db.query(sql, (person_id, day.isoformat()))]
    rows.sort(key=lambda r: (r["institution"], r["begin"], r["right"], r["context"]))
    return rows
