"""The institution aggregate: one school's rights workflow, as a story.

A command checks its rules first, then triggers events: a refused command
leaves the institution (and the store) unchanged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.utils import register_topic

from . import matching, rules
from .appointments import Appointments
from .chain import genesis_hash
from .changes import InstitutionChanges
from .checks import InstitutionChecks
from .events import (
    InstitutionRegistered,
    RosterEntry,
    RosterImported,
    StaffSearched,
    SupportWorkerAdded,
)
from .granting import GrantingSteps
from .naming import Naming
from .national_number import contains_national_number
from .notifying import InstitutionNotices
from .recording import ChainedAggregate
from .reviews import InstitutionReviews
from .rules import RuleViolation
from .snapshot import InstitutionSnapshot
from .state import Grant, InstitutionState, Person
from .text import SEARCH_NAME, plain_text
from .values import Act, ProtectedNumber, institution_number, person_id

INSTITUTION_NAMESPACE = uuid5(NAMESPACE_URL, "https://grantbook.invalid/institution")


class Institution(
    GrantingSteps,
    InstitutionNotices,
    InstitutionChanges,
    InstitutionReviews,
    InstitutionChecks,
    Appointments,
    Naming,
    ChainedAggregate,
):
    """One school's rights workflow. Each command reads as the story: the
    ``check_*`` rules it must pass (checks.py), then the past-tense events
    it records (events.py). The events change ``state``, an
    ``InstitutionState`` (state.py); besides it the aggregate keeps only the
    library's id, version and times, and its hash chain link (recording.py).
    Select, assign, confirm, back, cancel and the quick grant are in granting.py.
    """

    MAX_SELECTION = rules.MAX_SELECTION
    Snapshot = InstitutionSnapshot  # the declared state at one version (snapshot.py)

    if TYPE_CHECKING:  # not a class annotation at run time: that would make this a dataclass
        state: InstitutionState

    @staticmethod
    def id_for(number: str) -> UUID:
        """Derived from the institution number, so any process finds it."""
        return uuid5(INSTITUTION_NAMESPACE, institution_number(number))

    # -- registration and roster -------------------------------------------

    @classmethod
    def register(cls, act: Act, number: str, name: str, administrators: Iterable[str]) -> Institution:
        number = institution_number(number)
        admins = tuple(dict.fromkeys(person_id(a) for a in administrators))
        cls.check_administrators_named(admins)
        name = cls.check_institution_name(name)
        institution_id = cls.id_for(number)
        return cls._create(
            InstitutionRegistered,
            id=institution_id,
            previous_hash=genesis_hash(institution_id),
            number=number,
            name=name,
            administrators=admins,
            actor=act.actor,
            timestamp=act.now,
        )

    def import_roster(self, act: Act, entries: Sequence[RosterEntry]) -> None:
        self.check_administrator(act)
        self.check_roster_text(entries)
        self.check_roster_keeps_support_workers(entries)
        self._trigger(RosterImported, act, entries=tuple(entries))

    # -- step 1: search (select and the steps after it: granting.py) ---------

    def search(self, act: Act, name: str | None = None) -> list[Person]:
        text = plain_text(name or "", SEARCH_NAME)
        self.check_administrator(act)
        if contains_national_number(text):  # the search text is recorded: never a national number
            raise RuleViolation(
                rules.SEARCH_NATIONAL_NUMBER,
                "the search text is or holds a national register number, which is never recorded: "
                "search by name (nothing was recorded)",
            )
        found = self.staff(act, text)
        self._trigger(StaffSearched, act, name_filter=text or None, results=len(found))
        return found

    def staff(self, act: Act, name: str | None = None) -> list[Person]:
        """What ``search`` lists, without recording a search (a list shown again)."""
        self.check_administrator(act)
        name = plain_text(name or "", SEARCH_NAME)
        found = [  # accents, case, apostrophes and spaces do not matter (matching.py)
            person
            for person in self.state.persons.values()
            if matching.name_matches(name, person.first_name, person.last_name)
        ]
        found.sort(key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.person_id))
        return found

    # -- support workers (extend, revoke and void: changes.py) -------------

    def add_support_worker(
        self,
        act: Act,
        new_person_id: str,
        first_name: str,
        last_name: str,
        number: ProtectedNumber,
        reason: str | None = None,
    ) -> Person:
        first_name, last_name, reason = self.check_support_worker(act, first_name, last_name, reason)
        pid = person_id(new_person_id)
        self.check_new_support_worker(pid, number)
        self._trigger(
            SupportWorkerAdded,
            act,
            person_id=pid,
            first_name=first_name,
            last_name=last_name,
            national_number_masked=number.masked,
            national_number_digest=number.digest,
            national_number_ciphertext=number.ciphertext,
            national_number_key_id=number.key_id,
            reason=reason,
        )
        return self.state.persons[pid]

    # -- queries ------------------------------------------------------------

    def rights_on(self, day: date) -> list[Grant]:
        return [g for g in self.state.grants.values() if g.held_on(day)]


# A stable stored topic, set after the class body: declaring TOPIC inside it
# would make the library demand explicit topics for its implicit base events.
Institution.TOPIC = "grantbook:Institution"  # type: ignore[attr-defined]
register_topic(Institution.TOPIC, Institution)
