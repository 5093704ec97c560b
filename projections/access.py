"""Who may work for which institution: one row per (institution, person, role), and the institution's
number and name, so the web pages can list a signed-in person's institutions and answer 404 for the
others without loading every institution.

Roles: ``head`` (hoofd lokale beheerder), ``administrator`` (lokale beheerder) and ``auditor``
(reads, never changes). A person holds at most one of head/administrator, and may be an auditor too.
Every change is written in event order through ``Batch.later``; nothing is read while processing.
"""

from __future__ import annotations

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
    delete,
    insert,
    select,
)

from grantbook.domain.events import (
    AdministratorAppointed,
    AdministratorRemoved,
    AuditorAppointed,
    AuditorRemoved,
    InstitutionRegistered,
)

from .db import Batch, metadata
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
    tables = (access, names)
    topics = (
        InstitutionRegistered.TOPIC,
        AdministratorAppointed.TOPIC,
        AdministratorRemoved.TOPIC,
        AuditorAppointed.TOPIC,
        AuditorRemoved.TOPIC,
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
