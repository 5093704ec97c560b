"""The report ``roster import`` prints: who joined, who left, which leavers still hold a right.

One line per person (``joined: 90031 (An Peeters)``), so a long report can be searched and
counted with the usual tools; names are shown escaped (cli/output.py), as everywhere.
"""

from __future__ import annotations

from grantbook.domain import Person
from grantbook.domain.roster_changes import RosterChanges

from .output import visible


def who(person: Person) -> str:
    return visible(f"{person.person_id} ({person.first_name} {person.last_name})")


def report_lines(changes: RosterChanges) -> list[str]:
    return (
        [f"joined: {who(p)}" for p in changes.joined]
        + [f"left: {who(p)}" for p in changes.left]
        + [f"left, still holding a right: {who(p)}" for p in changes.leavers_holding_rights]
    )
