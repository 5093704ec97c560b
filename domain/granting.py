"""Granting a right, the government checklist's three steps and the quick grant.

Step 1 builds the acting administrator's selection (select, deselect), step 2
chooses right, context and period (assign), step 3 has three buttons:
"Bevestig" (confirm), "Terug" (back: step 2 is dropped, the selection stays)
and "Annuleer" (cancel: step 2 is dropped and the selection emptied). While
step 2 waits, the selection is frozen: what is confirmed is what was
selected when the period was chosen. "Snel recht toekennen" (grant) gives one
person a right in one event under the same rules, leaving the selection and
step 2 alone. Decisions in docs/adr/0003 and docs/adr/0015.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from . import rules
from .catalogue import Catalogue, default_catalogue
from .events import (
    AssignmentCancelled,
    AssignmentConfirmed,
    GrantedPerson,
    PersonDeselected,
    PersonSelected,
    RightAssigned,
    SelectionCleared,
)
from .rules import RuleViolation
from .state import Grant, PendingAssignment, Person
from .values import Act, person_id

if TYPE_CHECKING:
    from .checks import InstitutionChecks

    Base: Any = InstitutionChecks
else:
    Base = object


def past_period_warning(begin: date, end: date, today: date) -> str | None:
    """A period wholly before today is allowed (history brought over from before grantbook), but is
    more often a mistyped year: assign, confirm and grant show this warning. ``today`` is the
    caller's (the domain never reads the clock)."""
    if end >= today:
        return None
    period = f"{begin.isoformat()} to {end.isoformat()}"
    return f"the period {period} ends before today ({today.isoformat()}): check the year"


@dataclass(frozen=True)
class Cleared:
    """What ``cancel`` or ``selection clear`` dropped: step 2 (if any) and who was selected."""

    pending: PendingAssignment | None = None
    persons: list[Person] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.pending is not None or bool(self.persons)


class GrantingSteps(Base):
    """Mixed into ``Institution`` (which has ``_trigger`` and the ``check_*`` rules of checks.py)."""

    # -- step 1: select and deselect ----------------------------------------

    def select(self, act: Act, person_ids: Sequence[str]) -> list[Person]:
        """Adds to the actor's own selection; returns it."""
        self.check_administrator(act)
        self.check_selection_not_frozen(act)
        wanted = [person_id(p) for p in person_ids]
        self.check_not_selected_yet(act, wanted)
        self.check_selection_limit(act, wanted)
        for pid in wanted:
            self._trigger(PersonSelected, act, person_id=pid)
        return self.selection_of(act.actor)

    def deselect(self, act: Act, person_ids: Sequence[str]) -> list[Person]:
        """Takes out of the actor's own selection; returns what is left."""
        self.check_administrator(act)
        self.check_selection_not_frozen(act)
        wanted = list(dict.fromkeys(person_id(p) for p in person_ids))
        self.check_in_selection(act, wanted)
        for pid in wanted:
            self._trigger(PersonDeselected, act, person_id=pid)
        return self.selection_of(act.actor)

    def check_selection_not_frozen(self, act: Act) -> None:
        """While step 2 waits, the selection is what will be granted: a person added or taken out
        then would silently join or leave the pending grant."""
        pending = self.state.pending.get(act.actor)
        if pending is not None:
            number = self.state.number
            raise RuleViolation(
                rules.ASSIGNMENT_PENDING,
                f"your assignment of {pending.right!r} ({pending.context}) waits for confirmation, "
                f"so the selection cannot change: confirm it (grantbook confirm {number}), "
                f"go back to step 2 (grantbook back {number}) or cancel it (grantbook cancel {number})",
            )

    # -- step 2: assign -------------------------------------------------------

    def assign(
        self,
        act: Act,
        right: str,
        context: str,
        begin: date,
        end: date,
        catalogue: Catalogue | None = None,
        check_persons: bool = False,
    ) -> PendingAssignment:
        """Step 2 for the actor's selection (again: replaces the pending one); returns it.
        ``check_persons`` (the web's Stap 2): every selected person is checked now as step 3 will,
        so a refusal names them all before anything waits for confirmation."""
        self.check_administrator(act)
        selected = self.check_selection_not_empty(act, "select at least one person before assign")
        pending = self._checked_step_two(act, right, context, begin, end, catalogue)
        if check_persons:
            self.check_persons_grantable(selected, pending)
        self._trigger(RightAssigned, act, **vars(pending))
        return self.state.pending[act.actor]

    def _checked_step_two(
        self, act: Act, right: str, context: str, begin: date, end: date, catalogue: Catalogue | None
    ) -> PendingAssignment:
        """The rules of step 2: a catalogued right and context the actor may grant, and a period
        within the right's maximum validity. The right as the catalogue spells it."""
        catalogued, context = (catalogue or default_catalogue()).resolve(right, context)
        self.check_may_grant(act, catalogued)
        self.check_period(begin, end)
        catalogued.check_period(begin, end)
        return PendingAssignment(catalogued.name, context, begin, end)

    # -- step 3: confirm, back or cancel -----------------------------------

    def confirm(self, act: Act, catalogue: Catalogue | None = None) -> list[Grant]:
        self.check_administrator(act)
        pending = self.check_pending(act, "nothing to confirm: run assign first")
        # Checked again: the actor may have stopped being a head since assign.
        self.check_may_grant(act, (catalogue or default_catalogue()).right(pending.right))
        selected = self.check_selection_not_empty(act, "nothing to confirm: the selection is empty")
        self.check_persons_grantable(selected, pending)
        first = len(self.state.grants) + 1
        granted = [self._grantable(pid, n, pending) for n, pid in enumerate(selected, start=first)]
        self._trigger(AssignmentConfirmed, act, **vars(pending), grants=tuple(granted))
        return [self.state.grants[g.grant_id] for g in granted]

    def back(self, act: Act) -> PendingAssignment:
        """Terug ("back"): step 2 is dropped, the selection stays (to change it or assign again)."""
        self.check_administrator(act)
        pending = self.check_pending(act, "nothing to go back from: no assignment waits for confirmation")
        self._trigger(AssignmentCancelled, act, right=pending.right, context=pending.context)
        return pending

    def cancel(self, act: Act) -> Cleared:
        """Annuleer ("cancel"): step 2 is dropped and the selection emptied."""
        self.check_administrator(act)
        self.check_pending(act, "nothing to cancel: no assignment waits for confirmation")
        return self.clear_selection(act)

    def clear_selection(self, act: Act) -> Cleared:
        """Empties the actor's selection and drops step 2 if it waits; nothing to clear records
        nothing (and is no refusal: the selection is as asked)."""
        self.check_administrator(act)
        cleared = Cleared(self.state.pending.get(act.actor), self.selection_of(act.actor))
        pending = cleared.pending
        if pending is not None:
            self._trigger(AssignmentCancelled, act, right=pending.right, context=pending.context)
        if cleared.persons:
            self._trigger(SelectionCleared, act, person_ids=tuple(p.person_id for p in cleared.persons))
        return cleared

    # -- "Snel recht toekennen" -------------------------------------------

    def grant(
        self,
        act: Act,
        person: str,
        right: str,
        context: str,
        begin: date,
        end: date,
        catalogue: Catalogue | None = None,
    ) -> Grant:
        """One person, one right, at once: the rules of assign and confirm, recorded as one
        ``AssignmentConfirmed`` marked ``direct`` (the selection and step 2 stay as they were)."""
        self.check_administrator(act)
        pid = person_id(person)
        pending = self._checked_step_two(act, right, context, begin, end, catalogue)
        granted = self._grantable(pid, len(self.state.grants) + 1, pending)
        self._trigger(AssignmentConfirmed, act, **vars(pending), grants=(granted,), direct=True)
        return self.state.grants[granted.grant_id]

    def grant_many(
        self,
        act: Act,
        persons: Sequence[str],
        right: str,
        context: str,
        begin: date,
        end: date,
        catalogue: Catalogue | None = None,
    ) -> list[Grant]:
        """Several persons (at most ``MAX_SELECTION``), one right, at once (the JSON API's grant):
        the three steps' rules in one ``AssignmentConfirmed`` marked ``direct``, so the actor's
        selection and step 2 stay as they were. Every person is checked before anything is recorded;
        a refusal names them all (as step 3 does)."""
        self.check_administrator(act)
        wanted = [person_id(p) for p in persons]
        if not wanted:
            raise RuleViolation(rules.EMPTY_SELECTION, "name at least one person to grant the right to")
        if len(set(wanted)) != len(wanted):
            twice = next(p for n, p in enumerate(wanted) if p in wanted[:n])
            raise RuleViolation(rules.ALREADY_SELECTED, f"person {twice} is named twice", person=twice)
        if len(wanted) > rules.MAX_SELECTION:
            raise RuleViolation(
                rules.SELECTION_LIMIT,
                f"at most {rules.MAX_SELECTION} persons can be granted a right at once; {len(wanted)} named",
                selected=0,
                wanted=len(wanted),
            )
        pending = self._checked_step_two(act, right, context, begin, end, catalogue)
        self.check_persons_grantable(wanted, pending)
        first = len(self.state.grants) + 1
        granted = [self._grantable(pid, n, pending) for n, pid in enumerate(wanted, start=first)]
        self._trigger(AssignmentConfirmed, act, **vars(pending), grants=tuple(granted), direct=True)
        return [self.state.grants[g.grant_id] for g in granted]

    def _grantable(self, pid: str, number: int, pending: PendingAssignment) -> GrantedPerson:
        """The rules for each person granted: Actief (or a support worker), and no grant of the
        same right and context overlapping the period."""
        person = self.check_selectable(pid)
        self.check_no_overlapping_grant(pid, pending)
        return GrantedPerson(
            grant_id=f"{self.state.number}-{number}",
            person_id=pid,
            first_name=person.first_name,
            last_name=person.last_name,
            category=person.category,
        )

    # -- queries ------------------------------------------------------------

    def selection_of(self, actor: str) -> list[Person]:
        return [self.state.persons[pid] for pid in self.state.selections.get(actor, [])]

    def selection(self, act: Act) -> list[Person]:
        """The acting administrator's own selection."""
        self.check_administrator(act)
        return self.selection_of(act.actor)

    def pending_of(self, act: Act) -> PendingAssignment | None:
        """The acting administrator's step 2 waiting for step 3, if any."""
        self.check_administrator(act)
        return self.state.pending.get(act.actor)
