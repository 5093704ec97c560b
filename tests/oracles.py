"""Folds of the events in memory, used only as oracles: the property and crash tests compare the
persisted read models (grantbook.projections) with them, now and as of every step."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, Protocol
from uuid import UUID

from grantbook.domain.events import (
    AssignmentConfirmed,
    EndDateExtended,
    EndDatesExtended,
    GrantVoided,
    InstitutionEvent,
    InstitutionRegistered,
    RightRevoked,
    RightsRevoked,
)
from grantbook.domain.state import Grant


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
        elif isinstance(event, EndDatesExtended):
            for extended in event.grants:
                self.grants[extended.grant_id][1].end = event.new_end
        elif isinstance(event, RightRevoked | RightsRevoked):
            ids = [event.grant_id] if isinstance(event, RightRevoked) else [g.grant_id for g in event.grants]
            for grant_id in ids:
                grant = self.grants[grant_id][1]
                grant.revoked_on = event.revoked_on
                grant.revoked_by = event.actor
                grant.revoke_reason = event.reason
        elif isinstance(event, GrantVoided):
            grant = self.grants[event.grant_id][1]
            grant.voided_at, grant.voided_by, grant.void_reason = event.timestamp, event.actor, event.reason

    def held_on(self, day: date, institution: str | None = None) -> list[dict[str, Any]]:
        rows = [
            {**rights_row(number, grant), **register_row(grant)}
            for number, grant in self.grants.values()
            if grant.held_on(day) and institution in (None, number)
        ]
        rows.sort(
            key=lambda r: (r["institution"], r["last_name"], r["first_name"], r["person_id"], r["right"],
                           r["context"], r["begin"], r["end"])
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
            if grant.revoked_on is not None and grant.revoked_on <= day or grant.voided_at is not None:
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


def register_row(grant: Grant) -> dict[str, Any]:
    """What ``rights`` shows besides: the grant's id and any revocation."""
    return {
        "grant_id": grant.grant_id,
        "revoked_on": None if grant.revoked_on is None else grant.revoked_on.isoformat(),
        "revoked_by": grant.revoked_by,
        "revoke_reason": grant.revoke_reason,
    }


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
