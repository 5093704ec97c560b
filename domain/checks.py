"""The institution's rules: each checked in exactly one place, by one ``check_*`` method.

``Institution`` (institution.py) inherits these. A command calls the checks
it needs, in the order people should hear about problems, and only then
triggers its events; a check never changes anything. Rule codes are in
rules.py; the rules about roles (administrators, auditors) sit with the
commands that appoint them, in appointments.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from . import rules, text
from .rules import RuleViolation
from .state import ACTIVE, Grant, InstitutionState, PendingAssignment, Person

if TYPE_CHECKING:
    from .catalogue import Right
    from .events import RosterEntry
    from .values import Act, ProtectedNumber


class InstitutionChecks:
    """The ``check_*`` methods of an institution, over its declared state."""

    state: InstitutionState

    # -- registration ------------------------------------------------------------

    @staticmethod
    def check_administrators_named(administrators: Sequence[str]) -> None:
        if not administrators:
            raise RuleViolation(rules.ADMINISTRATOR_REQUIRED, "name at least one --admin")

    @staticmethod
    def check_institution_name(name: str) -> str:
        """Plain text, not empty; returned NFC-normalised and stripped."""
        tidied = text.plain_text(name, text.INSTITUTION_NAME)
        if not tidied:
            raise RuleViolation(rules.INSTITUTION_NAME, "the institution name is empty")
        return tidied

    # -- who may act -------------------------------------------------------------

    def check_administrator(self, act: Act) -> None:
        if act.actor not in self.state.administrators:
            raise RuleViolation(
                rules.NOT_AN_ADMINISTRATOR,
                f"{act.actor} is not an administrator of institution {self.state.number}",
            )

    def check_head_administrator(self, act: Act) -> None:
        self.check_administrator(act)
        if act.actor not in self.state.heads:
            raise RuleViolation(
                rules.NOT_A_HEAD_ADMINISTRATOR,
                f"{act.actor} is not a head administrator (hoofd lokale beheerder) "
                f"of institution {self.state.number}",
            )

    def check_may_grant(self, act: Act, right: Right) -> None:
        """Assign, confirm, extend and revoke: who may grant a right (the catalogue's
        ``granted_by``) is who may extend it and take it away (ADR 0013)."""
        if right.granted_by == "head" and act.actor not in self.state.heads:
            raise RuleViolation(
                rules.NOT_A_HEAD_ADMINISTRATOR,
                f"{right.name!r} may be granted, extended and revoked only by a head administrator "
                f"(hoofd lokale beheerder) of {self.state.number}; {act.actor} is not one",
            )

    # -- roster and selection ----------------------------------------------------

    @staticmethod
    def check_roster_text(entries: Iterable[RosterEntry]) -> None:
        """Every name and category on a roster is plain NFC text (a roster file also names the line)."""
        for entry in entries:
            for column, field in text.ROSTER_FIELDS.items():
                value = getattr(entry, column)
                try:
                    tidied = text.plain_text(value, field)
                except RuleViolation as error:
                    where = f"roster person {entry.person_id}"
                    raise RuleViolation(error.rule, f"{where}: {error.message}") from None
                if tidied != value:
                    raise RuleViolation(
                        rules.TEXT_CHARACTER,
                        f"roster person {entry.person_id}: the {field.label} is not NFC text",
                    )

    def check_roster_keeps_support_workers(self, entries: Iterable[RosterEntry]) -> None:
        for entry in entries:
            existing = self.state.persons.get(entry.person_id)
            if existing is not None and existing.support_worker:
                raise RuleViolation(
                    rules.ROSTER_PERSON_ID,
                    f"person id {entry.person_id} is a support worker of {self.state.number}",
                )

    def check_selectable(self, pid: str) -> Person:
        """On the roster (or a support worker) and Actief."""
        person = self.state.persons.get(pid)
        if person is None:
            raise RuleViolation(
                rules.UNKNOWN_PERSON,
                f"person {pid} is not on the roster of {self.state.number} "
                "and is not one of its support workers",
                person=pid,
            )
        if person.status != ACTIVE:
            raise RuleViolation(
                rules.INACTIVE_PERSON,
                f"person {pid} has status {person.status}, not {ACTIVE}",
                person=pid,
                status=person.status,
            )
        return person

    def check_not_selected_yet(self, act: Act, wanted: Sequence[str]) -> None:
        current = self.state.selections.get(act.actor, [])
        for pid in wanted:
            self.check_selectable(pid)
            if pid in current:
                raise RuleViolation(rules.ALREADY_SELECTED, f"person {pid} is already selected", person=pid)
        duplicates = {pid for pid in wanted if wanted.count(pid) > 1}
        if duplicates:
            first = sorted(duplicates)[0]
            raise RuleViolation(rules.ALREADY_SELECTED, f"person {first} is named twice", person=first)

    def check_selection_limit(self, act: Act, wanted: Sequence[str]) -> None:
        current = len(self.state.selections.get(act.actor, []))
        if current + len(wanted) > rules.MAX_SELECTION:
            raise RuleViolation(
                rules.SELECTION_LIMIT,
                f"at most {rules.MAX_SELECTION} persons can be selected at once; "
                f"{current} selected + {len(wanted)} more = {current + len(wanted)}",
                selected=current,
                wanted=len(wanted),
            )

    def check_in_selection(self, act: Act, wanted: Sequence[str]) -> None:
        current = self.state.selections.get(act.actor, [])
        for pid in wanted:
            if pid not in current:
                raise RuleViolation(rules.NOT_SELECTED, f"person {pid} is not in your selection", person=pid)

    def check_selection_not_empty(self, act: Act, message: str) -> list[str]:
        selected = self.state.selections.get(act.actor, [])
        if not selected:
            raise RuleViolation(rules.EMPTY_SELECTION, message)
        return selected

    # -- steps 2 and 3 -------------------------------------------------------------

    @staticmethod
    def check_period(begin: date, end: date) -> None:
        if begin > end:
            raise RuleViolation(
                rules.PERIOD,
                f"begin date {begin.isoformat()} is after end date {end.isoformat()}",
                begin=begin,
                end=end,
            )

    def check_pending(self, act: Act, message: str) -> PendingAssignment:
        pending = self.state.pending.get(act.actor)
        if pending is None:
            raise RuleViolation(rules.NO_PENDING_ASSIGNMENT, message)
        return pending

    def check_no_overlapping_grant(self, pid: str, pending: PendingAssignment) -> None:
        clash = self._overlapping(pid, pending.right, pending.context, pending.begin, pending.end)
        if clash is not None:
            raise RuleViolation(
                rules.OVERLAPPING_GRANT,
                f"person {pid} already holds {pending.right!r} ({pending.context}) "
                f"from {clash.begin.isoformat()} to {clash.end.isoformat()}; extend it instead",
                person=pid,
                right=pending.right,
                context=pending.context,
                begin=clash.begin,
                end=clash.end,
                grant_id=clash.grant_id,
            )

    def check_persons_grantable(self, persons: Sequence[str], pending: PendingAssignment) -> None:
        """Every person at once (step 2 on the web, and step 3): on the roster and Actief, and no
        overlapping grant; refused naming each person refused (``refused`` in the facts), under the
        first refused person's rule."""
        failures: list[RuleViolation] = []
        for pid in persons:
            try:
                self.check_selectable(pid)
                self.check_no_overlapping_grant(pid, pending)
            except RuleViolation as error:
                failures.append(error)
        if not failures:
            return
        if len(failures) == 1:
            raise failures[0]
        rule = failures[0].rule  # as when the first refused person stopped the command (the CLI's contract)
        listed = "; ".join(error.message for error in failures)
        raise RuleViolation(
            rule,
            f"refused for {len(failures)} of {len(persons)} persons, nothing was changed: {listed}",
            refused=[{"rule": error.rule, **error.facts} for error in failures],
            right=pending.right,
            context=pending.context,
        )

    # -- reasons and names (the rules of extend, revoke and void: changes_checks.py) ----

    @staticmethod
    def check_reason(reason: str | None, doing: str) -> str:
        """A reason is required, plain text; returned NFC-normalised with its spaces tidied."""
        tidied = " ".join(text.plain_text(reason or "", text.REASON).split())
        if not tidied:
            raise RuleViolation(rules.REASON_REQUIRED, f"{doing} needs a reason: give --reason TEXT")
        return tidied

    @staticmethod
    def check_person_names(first_name: str, last_name: str) -> tuple[str, str]:
        """Both plain text and not empty; returned NFC-normalised and stripped."""
        names = []
        for field, value in ((text.FIRST_NAME, first_name), (text.LAST_NAME, last_name)):
            tidied = text.plain_text(value, field)
            if not tidied:
                raise RuleViolation(rules.PERSON_NAME, f"the {field.label} is empty")
            names.append(tidied)
        return names[0], names[1]

    def check_support_worker(
        self, act: Act, first_name: str, last_name: str, reason: str | None
    ) -> tuple[str, str, str]:
        """What can be checked before the national register number is protected
        (so a refused command creates no key file); returns the tidied
        first name, last name and reason."""
        self.check_administrator(act)
        tidied = self.check_reason(reason, "adding a support worker")
        first, last = self.check_person_names(first_name, last_name)
        return first, last, tidied

    def check_new_support_worker(self, pid: str | None, number: ProtectedNumber) -> None:
        """The number is new here, and so is the person id (``None``: not chosen yet)."""
        known = self.state.national_numbers.get(number.digest)
        if known is not None:
            raise RuleViolation(
                rules.DUPLICATE_SUPPORT_WORKER,
                f"national register number {number.masked} was already added "
                f"to {self.state.number} as person {known}",
            )
        if pid is not None and pid in self.state.persons:
            raise RuleViolation(rules.PERSON_ID, f"person id {pid} is already in use at {self.state.number}")

    # -- helpers (no rules of their own) ----------------------------------------------

    def _overlapping(
        self, pid: str, right: str, context: str, begin: date, end: date, ignore: Grant | None = None
    ) -> Grant | None:
        for grant in self.state.grants.values():
            if (
                grant is not ignore
                and grant.person_id == pid
                and grant.same_right(right, context)
                and grant.overlaps(begin, end)
            ):
                return grant
        return None
