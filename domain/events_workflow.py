"""Events of the granting workflow: search, select, assign, confirm, go back
or cancel (the government checklist's three steps), then extend or revoke.

A stored event never changes meaning (docs/adr/0015): what a command does
differently now is recorded with a new event or with a field whose default
is the old meaning and which is left out of the stored JSON at that
default, so old events keep their bytes and their hashes."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from .event_base import InstitutionEvent
from .national_number import mask_national_numbers
from .state import Grant, PendingAssignment
from .values import PersonId

if TYPE_CHECKING:
    from .institution import Institution


class GrantedPerson(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str
    person_id: PersonId
    first_name: str
    last_name: str
    category: str


class StaffSearched(InstitutionEvent):
    name_filter: str | None = None
    results: int = Field(ge=0)

    def details(self) -> dict[str, Any]:
        """As stored, but a national register number in an old search text (recorded before searches
        were refused for holding one) masked: the event keeps it, so its hash chain stays intact."""
        shown = super().details()
        if shown.get("name_filter"):
            shown["name_filter"] = mask_national_numbers(shown["name_filter"])
        return shown

    def apply(self, aggregate: Institution) -> None:
        pass  # a search changes nothing; it is recorded as a step of the workflow


class PersonSelected(InstitutionEvent):
    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.selections.setdefault(self.actor, []).append(self.person_id)


class PersonDeselected(InstitutionEvent):
    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        selection = aggregate.state.selections.get(self.actor, [])
        selection.remove(self.person_id)
        if not selection:
            aggregate.state.selections.pop(self.actor, None)


class RightAssigned(InstitutionEvent):
    """Step 2 of 3: right, context and period chosen, not yet confirmed."""

    right: str = Field(min_length=1)
    context: str = Field(min_length=1)
    begin: date
    end: date

    @model_validator(mode="after")
    def _period(self) -> RightAssigned:
        if self.end < self.begin:
            raise ValueError("end is before begin")
        return self

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.pending[self.actor] = PendingAssignment(
            self.right, self.context, self.begin, self.end
        )


class AssignmentConfirmed(InstitutionEvent):
    """The right granted: step 3 of 3 (everyone selected gets the right for the same
    period, and the selection and step 2 are done), or with ``direct`` the quick
    grant ("Snel recht toekennen") to one person, which leaves the actor's selection
    and step 2 as they were. Both are the one fact the read models know as a grant."""

    right: str = Field(min_length=1)
    context: str = Field(min_length=1)
    begin: date
    end: date
    grants: tuple[GrantedPerson, ...] = Field(min_length=1)
    # Stored only when true: events written before the quick grant existed keep
    # their bytes and hashes (docs/adr/0015).
    direct: bool = False

    @model_serializer(mode="wrap")
    def _without_default_direct(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        data: dict[str, object] = handler(self)
        if not self.direct:
            data.pop("direct", None)
        return data

    def apply(self, aggregate: Institution) -> None:
        for granted in self.grants:
            aggregate.state.grants[granted.grant_id] = Grant(
                grant_id=granted.grant_id,
                person_id=granted.person_id,
                first_name=granted.first_name,
                last_name=granted.last_name,
                category=granted.category,
                right=self.right,
                context=self.context,
                begin=self.begin,
                end=self.end,
                granted_by=self.actor,
                granted_at=self.timestamp,
            )
        if not self.direct:
            aggregate.state.selections.pop(self.actor, None)
            aggregate.state.pending.pop(self.actor, None)


class AssignmentCancelled(InstitutionEvent):
    """Step 2 dropped; the selection stays. Recorded by ``back`` ("Terug"), and by
    ``cancel`` ("Annuleer") followed by ``SelectionCleared``. Before docs/adr/0015
    ``cancel`` recorded it alone, and that is still what such an event means."""

    right: str
    context: str

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.pending.pop(self.actor, None)


class SelectionCleared(InstitutionEvent):
    """The actor's selection emptied at once ("Annuleer", ``selection clear``): who was in it."""

    person_ids: tuple[PersonId, ...] = Field(min_length=1)

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.selections.pop(self.actor, None)


class EndDateExtended(InstitutionEvent):
    grant_id: str
    person_id: PersonId
    right: str
    context: str
    previous_end: date
    new_end: date

    def apply(self, aggregate: Institution) -> None:
        grant = aggregate.state.grants[self.grant_id]
        grant.extensions.append((self.previous_end, self.new_end, self.actor))
        grant.end = self.new_end


class RightRevoked(InstitutionEvent):
    grant_id: str
    person_id: PersonId
    right: str
    context: str
    revoked_on: date
    reason: str | None = None

    def apply(self, aggregate: Institution) -> None:
        grant = aggregate.state.grants[self.grant_id]
        grant.revoked_on = self.revoked_on
        grant.revoked_by = self.actor
        grant.revoke_reason = self.reason
