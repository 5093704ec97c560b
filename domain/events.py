"""The institution's events: each one a fact, named in the past tense.

Events are pydantic models, so every payload is validated when the event is
made and again when it is read back from the store. Each event records the
acting person (``actor``) and when it happened (``timestamp``). Stored topics
are ``grantbook:<EventName>``, independent of the module they live in
(docs/adr/0002-aggregate-and-events.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate
from eventsourcing.utils import register_topic
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .chain import HASH_PATTERN, canonical_json, chain_hash
from .state import (
    ACTIVE,
    INACTIVE,
    SUPPORT_WORKER_CATEGORY,
    Grant,
    InstitutionState,
    PendingAssignment,
    Person,
)
from .values import InstitutionNumber, Name, PersonId

if TYPE_CHECKING:
    from .institution import Institution

TOPIC_PREFIX = "grantbook:"
EVENT_CLASSES: dict[str, type[InstitutionEvent]] = {}


class InstitutionEvent(BaseModel, CanMutateAggregate[UUID]):
    model_config = ConfigDict(frozen=True, extra="forbid")

    TOPIC: ClassVar[str] = TOPIC_PREFIX + "InstitutionEvent"
    # Fields kept in the store but never shown (audit trail, CLI output).
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = frozenset()
    ENVELOPE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"originator_id", "originator_version", "timestamp", "actor", "originator_topic", "previous_hash"}
    )
    # The fields the store keeps outside the state column.
    STORE_ENVELOPE: ClassVar[frozenset[str]] = frozenset({"originator_id", "originator_version"})

    originator_id: UUID
    originator_version: int = Field(ge=1)
    timestamp: datetime
    actor: PersonId
    # The hash of the institution's previous event (docs/adr/0006).
    previous_hash: str = Field(pattern=HASH_PATTERN)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.TOPIC = TOPIC_PREFIX + cls.__name__
        register_topic(cls.TOPIC, cls)
        EVENT_CLASSES[cls.__name__] = cls

    def chain_hash(self) -> str:
        """This event's link in its institution's hash chain."""
        state = canonical_json(self.model_dump(mode="json", exclude=self.STORE_ENVELOPE))
        return chain_hash(self.TOPIC, self.originator_id, self.originator_version, state)

    def mutate(self, aggregate: Any) -> Any:
        result = super().mutate(aggregate)  # type: ignore[safe-super]
        # Remember the last event; its hash is computed only when needed.
        result._chain_last = self
        return result

    def details(self) -> dict[str, Any]:
        """The payload as people may see it (JSON-ready, no private fields)."""
        return self.model_dump(mode="json", exclude=self.ENVELOPE_FIELDS | self.PRIVATE_FIELDS)

    def apply(self, aggregate: Institution) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class RosterEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: PersonId
    first_name: Name
    last_name: Name
    category: Name
    status: str = Field(pattern=f"^({ACTIVE}|{INACTIVE})$")
    begin_date: date
    end_date: date | None = None

    @model_validator(mode="after")
    def _period(self) -> RosterEntry:
        if self.end_date is not None and self.end_date < self.begin_date:
            raise ValueError("end_date is before begin_date")
        return self


class GrantedPerson(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str
    person_id: PersonId
    first_name: str
    last_name: str
    category: str


class InstitutionRegistered(InstitutionEvent, CanInitAggregate[UUID]):
    originator_topic: str
    number: InstitutionNumber
    name: Name
    administrators: tuple[PersonId, ...] = Field(min_length=1)

    def apply(self, aggregate: Institution) -> None:
        aggregate.state = InstitutionState(
            number=self.number,
            name=self.name,
            administrators=set(self.administrators),
            heads=set(self.administrators),
        )


class RosterImported(InstitutionEvent):
    entries: tuple[RosterEntry, ...]

    def apply(self, aggregate: Institution) -> None:
        listed = {entry.person_id for entry in self.entries}
        for person in aggregate.state.persons.values():
            if not person.support_worker and person.person_id not in listed:
                person.status = INACTIVE
        for entry in self.entries:
            aggregate.state.persons[entry.person_id] = Person(
                person_id=entry.person_id,
                first_name=entry.first_name,
                last_name=entry.last_name,
                category=entry.category,
                status=entry.status,
                begin_date=entry.begin_date,
                end_date=entry.end_date,
            )

    def details(self) -> dict[str, Any]:
        # The audit trail keeps the facts but not every row of a large roster.
        statuses = [entry.status for entry in self.entries]
        return {
            "persons": len(statuses),
            "active": statuses.count(ACTIVE),
            "person_ids": [entry.person_id for entry in self.entries],
        }


class StaffSearched(InstitutionEvent):
    name_filter: str | None = None
    results: int = Field(ge=0)

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
    """Step 3 of 3: everyone selected gets the right for the same period."""

    right: str = Field(min_length=1)
    context: str = Field(min_length=1)
    begin: date
    end: date
    grants: tuple[GrantedPerson, ...] = Field(min_length=1)

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
        aggregate.state.selections.pop(self.actor, None)
        aggregate.state.pending.pop(self.actor, None)


class AssignmentCancelled(InstitutionEvent):
    right: str
    context: str

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.pending.pop(self.actor, None)


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


class SupportWorkerAdded(InstitutionEvent):
    """A person not on the roster, identified by national register number.

    The number itself is never stored in plain text: only a keyed digest (to
    refuse duplicates), a masked form (for people) and a ciphertext.
    """

    PRIVATE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"national_number_digest", "national_number_ciphertext"}
    )

    person_id: PersonId
    first_name: Name
    last_name: Name
    national_number_masked: str = Field(pattern=r"^\*\*\.\*\*\.\*\*-\*\*\*\.[0-9]{2}$")
    national_number_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    national_number_ciphertext: str = Field(min_length=1)
    national_number_key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    reason: str | None = None

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.persons[self.person_id] = Person(
            person_id=self.person_id,
            first_name=self.first_name,
            last_name=self.last_name,
            category=SUPPORT_WORKER_CATEGORY,
            status=ACTIVE,
            support_worker=True,
            national_number_masked=self.national_number_masked,
        )
        aggregate.state.national_numbers[self.national_number_digest] = self.person_id


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


class AdministratorAppointed(InstitutionEvent):
    """A head administrator made a person a local administrator (or head)."""

    person_id: PersonId
    head: bool

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.administrators.add(self.person_id)
        if self.head:
            aggregate.state.heads.add(self.person_id)
        else:
            aggregate.state.heads.discard(self.person_id)


class AdministratorRemoved(InstitutionEvent):
    """A head administrator took a person off the list: they can no longer act."""

    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.administrators.discard(self.person_id)
        aggregate.state.heads.discard(self.person_id)
        aggregate.state.selections.pop(self.person_id, None)
        aggregate.state.pending.pop(self.person_id, None)
