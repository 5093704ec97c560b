"""Views of institutions: those a reader sees with their counts, one institution, its staff, and
how each chain stands."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from grantbook.domain.matching import name_matches

from ..access import institution_counts, names, strongest_role
from ..audit import audit as audit_table
from ..chain import chain
from ..people import people
from .core import Reader, intact, one, visible, view


@view("rights")
def visible_institutions(
    c: Connection, reader: Reader, today: date, days: int = 30, *, ignore_integrity: bool = False
) -> list[dict[str, Any]]:
    """One row per institution the reader sees, by number (``institution list``): its name, the
    reader's role (head, administrator or auditor; none for the CLI's unrestricted reader), the
    rights held ``today`` and how many of them end within ``days``: two queries however many."""
    seeing = visible(c, reader)
    intact(c, None if reader.sees_every else list(seeing), ignore_integrity)
    counts = institution_counts(c, list(seeing), today, days)
    return [
        {
            "institution": number,
            "name": entry["name"],
            "role": strongest_role(entry["roles"]) if entry["roles"] else None,
            "rights_today": counts.get(number, (0, 0))[0],
            "expiring_30d": counts.get(number, (0, 0))[1],
        }
        for number, entry in seeing.items()
    ]


@view("audit")
def institution(
    c: Connection, reader: Reader, number: str, *, ignore_integrity: bool = False
) -> dict[str, Any]:
    """The institution: its number, name, the reader's role and ``version``, the position of its
    latest event (an ETag changes with it)."""
    entry = one(c, reader, number, ignore_integrity)
    latest = c.execute(
        select(func.max(audit_table.c.position)).where(audit_table.c.originator_id == entry["originator_id"])
    ).scalar()
    return {
        "institution": number,
        "name": entry["name"],
        "role": strongest_role(entry["roles"]) if entry["roles"] else None,
        "version": int(latest or 0),
    }


STAFF_COLUMNS = (
    "person_id", "first_name", "last_name", "category", "status", "begin", "end", "support_worker",
    "national_number_masked",
)


@view("people")
def staff(
    c: Connection, reader: Reader, number: str, name: str | None = None, *, ignore_integrity: bool = False
) -> list[dict[str, Any]]:
    """The persons the institution knows (its roster and support workers) whose name ``name``
    finds as a search does (domain/matching.py), by last name, first name, id."""
    entry = one(c, reader, number, ignore_integrity)
    query = select(
        people.c.person_id, people.c.first_name, people.c.last_name, people.c.category, people.c.status,
        people.c.begin_day, people.c.end_day, people.c.support_worker, people.c.national_number_masked,
    ).where(people.c.originator_id == entry["originator_id"])
    rows = [
        dict(zip(STAFF_COLUMNS, (*row[:7], bool(row[7]), row[8]), strict=True))
        for row in c.execute(query)
        if name_matches(name or "", row[1], row[2])
    ]
    rows.sort(key=lambda r: (r["last_name"].casefold(), r["first_name"].casefold(), r["person_id"]))
    return rows


@view()
def verify_status(c: Connection, reader: Reader) -> list[dict[str, Any]]:
    """Per institution the reader sees, by number: the events that fit its chain (``events``),
    whether it is ``intact``, and where it broke (``broken_at``, ``problem``), as the read models
    found them while applying each event (``grantbook verify`` walks the store itself)."""
    seeing = visible(c, reader)
    query = select(chain.c.originator_id, chain.c.version, chain.c.broken_at, chain.c.problem)
    found = {oid: (version, at, problem) for oid, version, at, problem in c.execute(query)}
    oids = dict(c.execute(select(names.c.number, names.c.originator_id)).all())
    rows = []
    for number, entry in seeing.items():
        version, at, problem = found.get(oids.get(number), (0, None, None))
        rows.append(
            {"institution": number, "name": entry["name"], "events": int(version),
             "intact": at is None, "broken_at": None if at is None else int(at), "problem": problem}
        )
    return rows
