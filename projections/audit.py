"""The audit trail: every event, oldest first, with who did it and when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol
from uuid import UUID

from grantbook.domain.events import InstitutionEvent, InstitutionRegistered

from .current_rights import only_institution

AUDIT_COLUMNS = ("position", "recorded_at", "actor", "event", "institution", "details")


class Recorded(Protocol):
    position: int
    event: InstitutionEvent


def audit_rows(recorded: Iterable[Recorded], institution: str | None = None) -> list[dict[str, Any]]:
    numbers: dict[UUID, str] = {}
    rows = []
    for item in recorded:
        event = item.event
        if isinstance(event, InstitutionRegistered):
            numbers[event.originator_id] = event.number
        number = numbers.get(event.originator_id, "")
        if institution is not None and number != institution:
            continue
        rows.append(
            {
                "position": item.position,
                "recorded_at": event.timestamp.isoformat(),
                "actor": event.actor,
                "event": type(event).__name__,
                "institution": number,
                "details": event.details(),
            }
        )
    return rows


def query_audit(
    db: Any,
    institution: str | None = None,
    actor: str | None = None,
    person: str | None = None,
    since: Any = None,
    until: Any = None,
) -> list[dict[str, Any]]:
    """The persisted audit trail, oldest first, filtered by institution, actor, person and time range."""
    import json

    sql = (
        "SELECT a.position, a.recorded_at, a.actor, a.event, i.number AS institution, a.details"
        " FROM gb_audit a JOIN gb_institutions i ON i.originator_id = a.originator_id WHERE 1 = 1"
    )
    params: list[Any] = []
    sql, params = only_institution(sql, params, institution)
    if actor is not None:
        sql += " AND a.actor = ?"
        params.append(actor)
    if person is not None:
        sql += " AND a.persons LIKE ?"
        params.append(f"% {person} %")
    if since is not None:
        sql += " AND a.recorded_epoch >= ?"
        params.append(since.timestamp())
    if until is not None:
        sql += " AND a.recorded_epoch <= ?"
        params.append(until.timestamp())
    sql += " ORDER BY a.position"
    rows = db.query(sql, params)
    for row in rows:
        row["position"] = int(row["position"])
        row["details"] = json.loads(row["details"])
    return rows
