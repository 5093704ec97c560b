"""What an institution remembers between commands, as one declared type.

``InstitutionState`` is rebuilt from the institution's events (each event's
``apply`` changes it) and is what a snapshot stores: pydantic validates and
dumps it, so nothing about it is described only in a comment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, field_serializer

from .review_state import Review

ACTIVE = "Actief"
INACTIVE = "Inactief"
SUPPORT_WORKER_CATEGORY = "Ondersteuner"


def last_day_held(begin: date, end: date, revoked_on: date | None) -> date | None:
    """The last day a right granted from ``begin`` to ``end`` is held, or None if it never is.
    ``revoked_on`` is the first day it is no longer held: the day a revocation is made, or the later
    day it was given (``revoke --from``)."""
    last = end
    if revoked_on is not None:
        last = min(last, revoked_on - timedelta(days=1))
    return last if last >= begin else None


@dataclass
class Person:
    person_id: str
    first_name: str
    last_name: str
    category: str
    status: str
    begin_date: date | None = None
    end_date: date | None = None
    support_worker: bool = False
    national_number_masked: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


@dataclass
class PendingAssignment:
    """Step 2 of 3: the right, context and period waiting for confirmation."""

    right: str
    context: str
    begin: date
    end: date


@dataclass
class Grant:
    grant_id: str
    person_id: str
    first_name: str
    last_name: str
    category: str
    right: str
    context: str
    begin: date
    end: date
    granted_by: str
    granted_at: datetime
    revoked_on: date | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None
    extensions: list[tuple[date, date, str]] = field(default_factory=list)
    # Voided: entered by mistake, never valid (docs/adr/0016); the trail still shows it.
    voided_by: str | None = None
    void_reason: str | None = None
    voided_at: datetime | None = None

    @property
    def last_day(self) -> date | None:
        """The last day the right is held, or None if it never is (a voided grant never is:
        it counts on no day, in no overlap, notice or expiry)."""
        if self.voided_at is not None:
            return None
        return last_day_held(self.begin, self.end, self.revoked_on)

    def held_on(self, day: date) -> bool:
        last = self.last_day
        return last is not None and self.begin <= day <= last

    def overlaps(self, begin: date, end: date) -> bool:
        last = self.last_day
        return last is not None and self.begin <= end and begin <= last

    def same_right(self, right: str, context: str | None = None) -> bool:
        return self.right == right and (context is None or self.context == context)


class InstitutionState(BaseModel):
    """Everything an institution's rules look at (changed only by its events)."""

    model_config = ConfigDict(extra="forbid")

    number: str
    name: str
    administrators: set[str]  # everyone who may act
    heads: set[str]  # head local administrators, a subset of administrators
    auditors: set[str] = set()  # read, never change (appointed and removed by heads)
    persons: dict[str, Person] = {}  # person id -> person (roster and support workers)
    national_numbers: dict[str, str] = {}  # keyed digest -> person id of a support worker
    selections: dict[str, list[str]] = {}  # actor -> person ids (each administrator has one)
    pending: dict[str, PendingAssignment] = {}  # actor -> step 2 waiting for step 3
    grants: dict[str, Grant] = {}  # grant id -> grant
    emails: dict[str, str] = {}  # person id -> e-mail address for notices (docs/adr/0014)
    notified: set[str] = set()  # notices accepted by a mail server (domain/notices.py notice_key)
    reviews: dict[str, Review] = {}  # review id -> access review (docs/adr/0025, review_state.py)

    @field_serializer("administrators", "heads", "auditors")
    def _sorted(self, people: set[str]) -> list[str]:
        return sorted(people)

    @field_serializer("notified")
    def _sorted_notices(self, keys: set[str]) -> list[str]:
        return sorted(keys)
