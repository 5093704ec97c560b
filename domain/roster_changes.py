"""What a roster import changes: who joined, who left, and which leavers still hold a right.

An administrator importing a new staff list wants to see what it did before trusting it (and,
with a dry run, before doing it): a person missing from the file is no longer Actief
(``RosterImported.apply``), so a wrong file can quietly take many people off the roster.
The comparison is made on the institution's state before and after the import, so the
command line and the web pages report the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from .state import InstitutionState, Person

if TYPE_CHECKING:
    from .events_staff import RosterEntry
    from .institution import Institution
    from .values import Act


@dataclass(frozen=True)
class RosterChanges:
    """Persons by person id; ``leavers_holding_rights`` is part of ``left``."""

    joined: tuple[Person, ...]  # Actief now, and new or not Actief before
    left: tuple[Person, ...]  # Actief before, not Actief now (Inactief in the file, or not in it)
    leavers_holding_rights: tuple[Person, ...]  # of those who left: a right held today or later


def roster_changes(before: Mapping[str, Person], after: InstitutionState, today: date) -> RosterChanges:
    """The difference between the persons ``before`` an import and the state ``after`` it.

    A leaver still holds a right when a grant of theirs is not revoked and does not end before
    ``today`` (held today, or from a later day on): someone should revoke it."""
    was_active = {pid for pid, person in before.items() if person.is_active}
    now_active = {pid for pid, person in after.persons.items() if person.is_active}
    joined = sorted(now_active - was_active)
    left = sorted(was_active - now_active)
    holding = {
        grant.person_id
        for grant in after.grants.values()
        if grant.last_day is not None and grant.last_day >= today
    }
    return RosterChanges(
        joined=tuple(after.persons[pid] for pid in joined),
        left=tuple(after.persons[pid] for pid in left),
        leavers_holding_rights=tuple(after.persons[pid] for pid in left if pid in holding),
    )


def import_roster_with_changes(
    institution: Institution, act: Act, entries: Sequence[RosterEntry], emails: Mapping[str, str]
) -> RosterChanges:
    """Imports the roster and its addresses into ``institution`` (all their checks first) and
    says what changed. Not saved here: the caller saves, or, for a dry run, drops the institution."""
    # The import changes persons in place (a person left out becomes Inactief): compare copies.
    before = {pid: replace(person) for pid, person in institution.state.persons.items()}
    institution.import_roster(act, entries)
    institution.record_roster_emails(act, emails)
    return roster_changes(before, institution.state, act.today)
