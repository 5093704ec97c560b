"""Events of the changes made to grants after they were given, many at once: several persons'
end dates moved in one command (or a school year's rollover), several persons' rights revoked in
one command, and a grant voided as entered by mistake (docs/adr/0016).

A command about one person still records ``EndDateExtended`` or ``RightRevoked``
(events_workflow.py); old stores hold those and they replay as ever.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .event_base import InstitutionEvent
from .values import PersonId

if TYPE_CHECKING:
    from .institution import Institution


class ExtendedGrant(BaseModel):
    """One grant whose end date an ``EndDatesExtended`` moved, and the end it had."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str
    person_id: PersonId
    context: str
    previous_end: date


class EndDatesExtended(InstitutionEvent):
    """Several grants' end dates moved to ``new_end`` by one command; ``ending`` is set when the
    command took every grant of ``right`` ending on that day (a school year's rollover)."""

    right: str
    new_end: date
    ending: date | None = None
    grants: tuple[ExtendedGrant, ...] = Field(min_length=1)

    def apply(self, aggregate: Institution) -> None:
        for extended in self.grants:
            grant = aggregate.state.grants[extended.grant_id]
            grant.extensions.append((extended.previous_end, self.new_end, self.actor))
            grant.end = self.new_end


class RevokedGrant(BaseModel):
    """One grant a ``RightsRevoked`` took away."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str
    person_id: PersonId
    context: str


class RightsRevoked(InstitutionEvent):
    """Several persons' grants revoked by one command: from ``revoked_on`` (the first day they are
    no longer held) on, for one reason."""

    right: str
    revoked_on: date
    reason: str
    grants: tuple[RevokedGrant, ...] = Field(min_length=1)

    def apply(self, aggregate: Institution) -> None:
        for revoked in self.grants:
            grant = aggregate.state.grants[revoked.grant_id]
            grant.revoked_on = self.revoked_on
            grant.revoked_by = self.actor
            grant.revoke_reason = self.reason


class GrantVoided(InstitutionEvent):
    """A grant entered by mistake is marked as never valid: it was held on no day. The grant and
    this event stay in the trail; what it says is who found the mistake, and why."""

    grant_id: str
    person_id: PersonId
    right: str
    context: str
    reason: str

    def apply(self, aggregate: Institution) -> None:
        grant = aggregate.state.grants[self.grant_id]
        grant.voided_by = self.actor
        grant.void_reason = self.reason
        grant.voided_at = self.timestamp
