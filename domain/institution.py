"""The institution aggregate: one school's rights workflow, as a story.

Every public method checks the rules first and only then triggers events,
so a refused command leaves the aggregate (and the store) unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from . import rules
from .catalogue import Catalogue, Right, default_catalogue
from .chain import genesis_hash
from .events import (
    AdministratorAppointed,
    AdministratorRemoved,
    AssignmentCancelled,
    AssignmentConfirmed,
    EndDateExtended,
    GrantedPerson,
    InstitutionRegistered,
    PersonDeselected,
    PersonSelected,
    RightAssigned,
    RightRevoked,
    RosterEntry,
    RosterImported,
    StaffSearched,
    SupportWorkerAdded,
)
from .rules import RuleViolation
from .state import Grant, Person
from .values import Act, institution_number, person_id

INSTITUTION_NAMESPACE = uuid5(NAMESPACE_URL, "https://grantbook.invalid/institution")


@dataclass(frozen=True)
class ProtectedNumber:
    """A national register number as the domain may keep it."""

    masked: str
    digest: str
    ciphertext: str
    key_id: str


class Institution(Aggregate):
    MAX_SELECTION = rules.MAX_SELECTION

    # State (set by InstitutionRegistered.apply, changed by later events;
    # not declared as class annotations, which would make this a dataclass):
    #   number, name: str; administrators: set[str] (everyone who may act)
    #   heads: set[str] (head local administrators, a subset of administrators)
    #   _chain_last: the last event applied (its hash links the next one)
    #   persons: dict[person_id, Person]
    #   national_numbers: dict[keyed digest, person_id]
    #   selections: dict[actor, list[person_id]]  (each administrator has one)
    #   pending: dict[actor, PendingAssignment]   (step 2 waiting for step 3)
    #   grants: dict[grant_id, Grant]

    @staticmethod
    def id_for(number: str) -> UUID:
        """Derived from the institution number, so any process finds it."""
        return uuid5(INSTITUTION_NAMESPACE, institution_number(number))

    # -- registration and roster -------------------------------------------

    @classmethod
    def register(cls, act: Act, number: str, name: str, administrators: Iterable[str]) -> Institution:
        number = institution_number(number)
        admins = tuple(dict.fromkeys(person_id(a) for a in administrators))
        if not admins:
            raise RuleViolation(rules.ADMINISTRATOR_REQUIRED, "name at least one --admin")
        if not name.strip():
            raise RuleViolation(rules.INSTITUTION_NAME, "the institution name is empty")
        institution_id = cls.id_for(number)
        return cls._create(
            InstitutionRegistered,
            id=institution_id,
            previous_hash=genesis_hash(institution_id),
            number=number,
            name=name.strip(),
            administrators=admins,
            actor=act.actor,
            timestamp=act.now,
        )

    def import_roster(self, act: Act, entries: Sequence[RosterEntry]) -> None:
        self.authorise(act)
        for entry in entries:
            existing = self.persons.get(entry.person_id)
            if existing is not None and existing.support_worker:
                raise RuleViolation(
                    rules.ROSTER_PERSON_ID,
                    f"person id {entry.person_id} is a support worker of {self.number}",
                )
        self._trigger(RosterImported, act, entries=tuple(entries))

    # -- step 1: search and select ------------------------------------------

    def search(self, act: Act, name: str | None = None) -> list[Person]:
        self.authorise(act)
        needle = (name or "").strip().casefold()
        found = [
            person
            for person in self.persons.values()
            if needle in f"{person.first_name} {person.last_name}".casefold()
            or needle in f"{person.last_name} {person.first_name}".casefold()
        ]
        found.sort(key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.person_id))
        self._trigger(StaffSearched, act, name_filter=name or None, results=len(found))
        return found

    def selection_of(self, actor: str) -> list[Person]:
        return [self.persons[pid] for pid in self.selections.get(actor, [])]

    def select(self, act: Act, person_ids: Sequence[str]) -> None:
        self.authorise(act)
        current = self.selections.get(act.actor, [])
        wanted = [person_id(p) for p in person_ids]
        for pid in wanted:
            self._check_selectable(pid)
            if pid in current:
                raise RuleViolation(rules.ALREADY_SELECTED, f"person {pid} is already selected")
        duplicates = {pid for pid in wanted if wanted.count(pid) > 1}
        if duplicates:
            raise RuleViolation(rules.ALREADY_SELECTED, f"person {sorted(duplicates)[0]} is named twice")
        if len(current) + len(wanted) > self.MAX_SELECTION:
            raise RuleViolation(
                rules.SELECTION_LIMIT,
                f"at most {self.MAX_SELECTION} persons can be selected at once; "
                f"{len(current)} selected + {len(wanted)} more = {len(current) + len(wanted)}",
            )
        for pid in wanted:
            self._trigger(PersonSelected, act, person_id=pid)

    def deselect(self, act: Act, person_ids: Sequence[str]) -> None:
        self.authorise(act)
        current = self.selections.get(act.actor, [])
        wanted = list(dict.fromkeys(person_id(p) for p in person_ids))
        for pid in wanted:
            if pid not in current:
                raise RuleViolation(rules.NOT_SELECTED, f"person {pid} is not in your selection")
        for pid in wanted:
            self._trigger(PersonDeselected, act, person_id=pid)

    # -- steps 2 and 3: assign, confirm or cancel ---------------------------

    def assign(
        self,
        act: Act,
        right: str,
        context: str,
        begin: date,
        end: date,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.authorise(act)
        if not self.selections.get(act.actor):
            raise RuleViolation(rules.EMPTY_SELECTION, "select at least one person before assign")
        catalogue = catalogue or default_catalogue()
        catalogue.check_context(right, context)
        self._authorise_grant(act, catalogue.right(right))
        if begin > end:
            raise RuleViolation(
                rules.PERIOD, f"begin date {begin.isoformat()} is after end date {end.isoformat()}"
            )
        catalogue.right(right).check_period(begin, end)
        self._trigger(RightAssigned, act, right=right, context=context, begin=begin, end=end)

    def confirm(self, act: Act, catalogue: Catalogue | None = None) -> list[Grant]:
        self.authorise(act)
        pending = self.pending.get(act.actor)
        if pending is None:
            raise RuleViolation(rules.NO_PENDING_ASSIGNMENT, "nothing to confirm: run assign first")
        # Checked again: the actor may have stopped being a head since assign.
        self._authorise_grant(act, (catalogue or default_catalogue()).right(pending.right))
        selected = self.selections.get(act.actor, [])
        if not selected:
            raise RuleViolation(rules.EMPTY_SELECTION, "nothing to confirm: the selection is empty")
        granted = []
        for number, pid in enumerate(selected, start=len(self.grants) + 1):
            person = self._check_selectable(pid)
            clash = self._overlapping(pid, pending.right, pending.context, pending.begin, pending.end)
            if clash is not None:
                raise RuleViolation(
                    rules.OVERLAPPING_GRANT,
                    f"person {pid} already holds {pending.right!r} ({pending.context}) "
                    f"from {clash.begin.isoformat()} to {clash.end.isoformat()}; extend it instead",
                )
            granted.append(
                GrantedPerson(
                    grant_id=f"{self.number}-{number}",
                    person_id=pid,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    category=person.category,
                )
            )
        self._trigger(
            AssignmentConfirmed,
            act,
            right=pending.right,
            context=pending.context,
            begin=pending.begin,
            end=pending.end,
            grants=tuple(granted),
        )
        return [self.grants[g.grant_id] for g in granted]

    def cancel(self, act: Act) -> None:
        self.authorise(act)
        pending = self.pending.get(act.actor)
        if pending is None:
            raise RuleViolation(rules.NO_PENDING_ASSIGNMENT, "nothing to cancel: no pending assignment")
        self._trigger(AssignmentCancelled, act, right=pending.right, context=pending.context)

    # -- later changes: extend, support workers, revoke ---------------------

    def extend(
        self,
        act: Act,
        person: str,
        right: str,
        new_end: date,
        context: str | None = None,
        catalogue: Catalogue | None = None,
    ) -> Grant:
        self.authorise(act)
        pid = person_id(person)
        catalogued = (catalogue or default_catalogue()).right(right)
        self._authorise_grant(act, catalogued)
        live = [
            g for g in self._grants_of(pid, right, context) if g.revoked_on is None and g.end >= act.today
        ]
        if not live:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"person {pid} has no grant of {right!r} that is neither revoked "
                f"nor ended before {act.today.isoformat()}",
            )
        if len({g.context for g in live}) > 1:
            raise RuleViolation(
                rules.AMBIGUOUS_GRANT,
                f"person {pid} holds {right!r} in contexts "
                f"{', '.join(sorted({g.context for g in live}))}: name one with --context",
            )
        grant = max(live, key=lambda g: g.end)
        if new_end <= grant.end:
            raise RuleViolation(
                rules.END_DATE_NOT_LATER,
                f"the new end date {new_end.isoformat()} must be later than "
                f"the current end date {grant.end.isoformat()}",
            )
        catalogued.check_period(grant.begin, new_end)
        clash = self._overlapping(pid, right, grant.context, grant.end, new_end, ignore=grant)
        if clash is not None:
            raise RuleViolation(
                rules.OVERLAPPING_GRANT,
                f"extending to {new_end.isoformat()} would overlap grant {clash.grant_id} "
                f"from {clash.begin.isoformat()}",
            )
        self._trigger(
            EndDateExtended,
            act,
            grant_id=grant.grant_id,
            person_id=pid,
            right=grant.right,
            context=grant.context,
            previous_end=grant.end,
            new_end=new_end,
        )
        return grant

    def add_support_worker(
        self,
        act: Act,
        new_person_id: str,
        first_name: str,
        last_name: str,
        number: ProtectedNumber,
        reason: str | None = None,
    ) -> Person:
        self.authorise(act)
        reason = require_reason(reason, "adding a support worker")
        known = self.national_numbers.get(number.digest)
        if known is not None:
            raise RuleViolation(
                rules.DUPLICATE_SUPPORT_WORKER,
                f"national register number {number.masked} was already added "
                f"to {self.number} as person {known}",
            )
        pid = person_id(new_person_id)
        if pid in self.persons:
            raise RuleViolation(rules.PERSON_ID, f"person id {pid} is already in use at {self.number}")
        for label, value in (("first name", first_name), ("last name", last_name)):
            if not value.strip():
                raise RuleViolation(rules.PERSON_NAME, f"the {label} is empty")
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
        return self.persons[pid]

    def revoke(
        self,
        act: Act,
        person: str,
        right: str,
        context: str | None = None,
        reason: str | None = None,
    ) -> list[Grant]:
        """Takes effect at once: from today the right is no longer held."""
        self.authorise(act)
        reason = require_reason(reason, "revoking a right")
        pid = person_id(person)
        live = [
            g for g in self._grants_of(pid, right, context) if g.revoked_on is None and g.end >= act.today
        ]
        if not live:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"person {pid} holds no unrevoked grant of {right!r} ending on or "
                f"after {act.today.isoformat()}",
            )
        for grant in live:
            self._trigger(
                RightRevoked,
                act,
                grant_id=grant.grant_id,
                person_id=pid,
                right=grant.right,
                context=grant.context,
                revoked_on=act.today,
                reason=reason,
            )
        return live

    # -- administrators ------------------------------------------------------

    def appoint_administrator(self, act: Act, person: str, head: bool = False) -> None:
        """A head administrator adds a local administrator, or makes one head
        (``head=True``) or an ordinary administrator again (``head=False``)."""
        self.authorise_head(act)
        pid = person_id(person)
        if pid in self.administrators and (pid in self.heads) == head:
            role = "a head administrator" if head else "an administrator"
            raise RuleViolation(rules.ALREADY_ADMINISTRATOR, f"{pid} is already {role} of {self.number}")
        if not head and pid in self.heads and self.heads == {pid}:
            raise RuleViolation(
                rules.LAST_HEAD_ADMINISTRATOR,
                f"{pid} is the last head administrator of {self.number}: appoint another head first",
            )
        self._trigger(AdministratorAppointed, act, person_id=pid, head=head)

    def remove_administrator(self, act: Act, person: str) -> None:
        self.authorise_head(act)
        pid = person_id(person)
        if pid not in self.administrators:
            raise RuleViolation(
                rules.NOT_AN_ADMINISTRATOR, f"{pid} is not an administrator of institution {self.number}"
            )
        if self.heads == {pid}:
            raise RuleViolation(
                rules.LAST_HEAD_ADMINISTRATOR,
                f"{pid} is the last head administrator of {self.number}: appoint another head first",
            )
        self._trigger(AdministratorRemoved, act, person_id=pid)

    # -- queries ------------------------------------------------------------

    def rights_on(self, day: date) -> list[Grant]:
        return [g for g in self.grants.values() if g.held_on(day)]

    # -- rules shared by several commands -----------------------------------

    def authorise(self, act: Act) -> None:
        if act.actor not in self.administrators:
            raise RuleViolation(
                rules.NOT_AN_ADMINISTRATOR,
                f"{act.actor} is not an administrator of institution {self.number}",
            )

    def authorise_head(self, act: Act) -> None:
        self.authorise(act)
        if act.actor not in self.heads:
            raise RuleViolation(
                rules.NOT_A_HEAD_ADMINISTRATOR,
                f"{act.actor} is not a head administrator (hoofd lokale beheerder) "
                f"of institution {self.number}",
            )

    def _authorise_grant(self, act: Act, right: Right) -> None:
        if right.granted_by == "head" and act.actor not in self.heads:
            raise RuleViolation(
                rules.NOT_A_HEAD_ADMINISTRATOR,
                f"{right.name!r} may be granted only by a head administrator "
                f"(hoofd lokale beheerder) of {self.number}; {act.actor} is not one",
            )

    def _check_selectable(self, pid: str) -> Person:
        person = self.persons.get(pid)
        if person is None:
            raise RuleViolation(
                rules.UNKNOWN_PERSON,
                f"person {pid} is not on the roster of {self.number} and is not one of its support workers",
            )
        if not person.is_active:
            raise RuleViolation(rules.INACTIVE_PERSON, f"person {pid} has status {person.status}, not Actief")
        return person

    def _grants_of(self, pid: str, right: str, context: str | None) -> list[Grant]:
        return [g for g in self.grants.values() if g.person_id == pid and g.same_right(right, context)]

    def _overlapping(
        self,
        pid: str,
        right: str,
        context: str,
        begin: date,
        end: date,
        ignore: Grant | None = None,
    ) -> Grant | None:
        for grant in self._grants_of(pid, right, context):
            if grant is not ignore and grant.overlaps(begin, end):
                return grant
        return None

    def _trigger(self, event_class: type, act: Act, **payload: object) -> None:
        self.trigger_event(event_class, actor=act.actor, timestamp=self.record_time(act), **payload)

    def record_time(self, act: Act) -> datetime:
        """When an event of this command is recorded: the actor's clock, but never
        earlier than the event before it, so record time follows the store's order
        even when two writers' clocks differ."""
        return max(act.now, self.modified_on)

    def trigger_event(self, event_class: type, **kwargs: object) -> None:  # type: ignore[override]
        """Every new event is linked to the one before it (docs/adr/0006)."""
        kwargs.setdefault("previous_hash", self.head_hash)
        super().trigger_event(event_class, **kwargs)

    @property
    def head_hash(self) -> str:
        """The hash of the institution's last event: the head of its chain.

        Computed from the last event when one was applied since loading; an
        institution restored from a snapshot carries the head in ``_chain_head``.
        """
        last = self.__dict__.get("_chain_last")
        return last.chain_hash() if last is not None else self._chain_head


def require_reason(reason: str | None, doing: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise RuleViolation(rules.REASON_REQUIRED, f"{doing} needs a reason: give --reason TEXT")
    return text


# A stable stored topic, set after the class body: declaring TOPIC inside it
# would make the library demand explicit topics for its implicit base events.
Institution.TOPIC = "grantbook:Institution"  # type: ignore[attr-defined]
register_topic(Institution.TOPIC, Institution)
