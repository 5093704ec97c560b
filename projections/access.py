"""Who may work for which institution: one row per (institution, person, role), and the institution's
number and name (as last renamed), so the web pages can list a signed-in person's institutions and
answer 404 for the others without loading every institution; and the counts of rights held per
institution that ``institution list`` and the start page show, for all of them in one query.

Roles: ``head`` (hoofd lokale beheerder), ``administrator`` (lokale beheerder) and ``auditor``
(reads, never changes). A person holds at most one of head/administrator, and may be an auditor too.
Every change is written in event order through ``Batch.later``; nothing is read while processing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from grantbook.domain.events import (
    AdministratorAppointed,
    AdministratorRemoved,
    AuditorAppointed,
    AuditorRemoved,
    InstitutionRegistered,
    InstitutionRenamed,
)

from .db import Batch, metadata
from .rights import rights
from .runner import Change, Projection

HEAD = "head"
ADMINISTRATOR = "administrator"
AUDITOR = "auditor"

access = Table(
    "gb_access",
    metadata,
    Column("originator_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    PrimaryKeyConstraint("originator_id", "person_id", "role"),
    Index("gb_access_by_person", "person_id"),
)
names = Table(
    "gb_access_institutions",
    metadata,
    Column("originator_id", Text, primary_key=True),
    Column("number", Text, nullable=False),
    Column("name", Text, nullable=False),
)

_INSERT = insert(access)
_INSERT_NAME = insert(names)
_RENAME = update(names).where(names.c.originator_id == bindparam("oid")).values(name=bindparam("new_name"))
_DROP_ADMIN = delete(access).where(
    and_(
        access.c.originator_id == bindparam("oid"),
        access.c.person_id == bindparam("pid"),
        access.c.role.in_([HEAD, ADMINISTRATOR]),
    )
)
_DROP_AUDITOR = delete(access).where(
    and_(
        access.c.originator_id == bindparam("oid"),
        access.c.person_id == bindparam("pid"),
        access.c.role == AUDITOR,
    )
)


class AccessProjection(Projection):
    name = "access"
    version = 2  # 2: names follow InstitutionRenamed
    tables = (access, names)
    topics = (
        InstitutionRegistered.TOPIC,
        AdministratorAppointed.TOPIC,
        AdministratorRemoved.TOPIC,
        AuditorAppointed.TOPIC,
        AuditorRemoved.TOPIC,
        InstitutionRenamed.TOPIC,
    )

    def process(self, batch: Batch, change: Change) -> None:
        state, oid = change.state, change.originator_id
        if change.name == "InstitutionRegistered":
            batch.later(
                _INSERT_NAME, {"originator_id": oid, "number": state["number"], "name": state["name"]}
            )
            for person in state["administrators"]:
                batch.later(_INSERT, {"originator_id": oid, "person_id": person, "role": HEAD})
            return
        if change.name == "InstitutionRenamed":
            batch.later(_RENAME, {"oid": oid, "new_name": state["name"]})
            return
        who = {"oid": oid, "pid": state["person_id"]}
        row = {"originator_id": oid, "person_id": state["person_id"]}
        if change.name in ("AdministratorAppointed", "AdministratorRemoved"):
            batch.later(_DROP_ADMIN, who)
            if change.name == "AdministratorAppointed":
                batch.later(_INSERT, {**row, "role": HEAD if state["head"] else ADMINISTRATOR})
        elif change.name in ("AuditorAppointed", "AuditorRemoved"):
            batch.later(_DROP_AUDITOR, who)
            if change.name == "AuditorAppointed":
                batch.later(_INSERT, {**row, "role": AUDITOR})


def roles_of(connection: Connection, person: str) -> dict[str, dict[str, Any]]:
    """The institutions a person works for: number -> {"number", "name", "roles"} (sorted by number)."""
    query = (
        select(names.c.number, names.c.name, access.c.role)
        .select_from(access.join(names, names.c.originator_id == access.c.originator_id))
        .where(access.c.person_id == person)
        .order_by(names.c.number)
    )
    found: dict[str, dict[str, Any]] = {}
    for number, name, role in connection.execute(query):
        found.setdefault(number, {"number": number, "name": name, "roles": set()})["roles"].add(role)
    return found


def all_institutions(connection: Connection) -> dict[str, dict[str, Any]]:
    """Every institution: number -> {"number", "name", "roles": set()} (for auditors of every one)."""
    query = select(names.c.number, names.c.name).order_by(names.c.number)
    return {
        number: {"number": number, "name": name, "roles": set()} for number, name in connection.execute(query)
    }


RANK = (HEAD, ADMINISTRATOR, AUDITOR)  # a person's role at an institution is the first of these held


def institution_counts(
    connection: Connection, numbers: Sequence[str], day: date, within_days: int
) -> dict[str, tuple[int, int]]:
    """For each institution numbered (in one grouped query, however many): the grants held on
    ``day``, and those of them whose last day is at most ``within_days`` later (they run out soon)."""
    if not numbers:
        return {}
    soon = (day + timedelta(days=within_days)).isoformat()
    held_then = and_(
        rights.c.originator_id == names.c.originator_id,
        rights.c.begin_day <= day.isoformat(),
        rights.c.last_day >= day.isoformat(),  # NULL (never held) is not >= anything
    )
    query = (
        select(
            names.c.number,
            func.count(rights.c.grant_id),
            func.coalesce(func.sum(case((rights.c.last_day <= soon, 1), else_=0)), 0),
        )
        .select_from(names.outerjoin(rights, held_then))
        .where(names.c.number.in_(list(numbers)))
        .group_by(names.c.number)
    )
    return {number: (int(held), int(ending)) for number, held, ending in connection.execute(query)}


def strongest_role(roles: set[str]) -> str:
    return next(role for role in RANK if role in roles)
