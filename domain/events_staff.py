"""Events about who is at the institution: its registration, its roster,
support workers and administrators."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import CanInitAggregate
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .event_base import InstitutionEvent
from .state import ACTIVE, INACTIVE, SUPPORT_WORKER_CATEGORY, InstitutionState, Person
from .values import InstitutionNumber, Name, PersonId

if TYPE_CHECKING:
    from .institution import Institution


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


class AuditorAppointed(InstitutionEvent):
    """A head administrator made a person an auditor: they read rights, expiring, audit and verify,
    and change nothing."""

    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.auditors.add(self.person_id)


class AuditorRemoved(InstitutionEvent):
    """A head administrator took an auditor off the list."""

    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.auditors.discard(self.person_id)


class AdministratorRemoved(InstitutionEvent):
    """A head administrator took a person off the list: they can no longer act."""

    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.administrators.discard(self.person_id)
        aggregate.state.heads.discard(self.person_id)
        aggregate.state.selections.pop(self.person_id, None)
        aggregate.state.pending.pop(self.person_id, None)
