"""What the benchmark plug-ins share: a school's staff list of a given size."""

from __future__ import annotations

from datetime import date

from grantbook.domain import RosterEntry


def roster_of(number: str, size: int) -> list[RosterEntry]:
    """``size`` active staff of institution ``number`` (person ids NUMBER000, NUMBER001, ...)."""
    return [
        RosterEntry(
            person_id=f"{number}{i:03d}",
            first_name="F",
            last_name=f"L{i}",
            category="Medewerker",
            status="Actief",
            begin_date=date(2020, 1, 1),
        )
        for i in range(size)
    ]
