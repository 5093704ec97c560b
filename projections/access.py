"""Who may work for which institution: one row per (institution, person, role), with the
institution's number and name, so the web pages can list a signed-in person's institutions and
answer 404 for the others without loading every institution.

Roles: ``head`` (hoofd lokale beheerder), ``administrator`` (lokale beheerder) and ``auditor``
(reads, never changes). A person holds at most one of head/administrator, and may be an auditor too.
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
    Column("number", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    PrimaryKeyConstraint("originator_id", "person_id", "role"),
    Index("gb_access_by_person", "person_id", "number"),
)

_INSERT = insert(access)
_NAME = select(access.c.number, access.c.name).where(access.c.originator_id == bindparam("oid")).limit(1)
_DROP_ADMIN = delete(access).where(
    and_(
        access.c.originator_id == bindparam("oid"),
        access.c.person_id == bindparam("pid"),
        access.c.role.in_([HEAD, ADMINISTRATOR]),
    )
)
_DROP_ROLE = delete(access).where(
    and_(
        access.c.originator_id == bindparam("oid"),
        access.c.person_id == bindparam("pid"),
        access.c.role == bindparam("r"),
    )
)


class AccessProjection(Projection):
    name = "access"
    tables = (access,)
    topics = (
        InstitutionRegistered.TOPIC,
        AdministratorAppointed.TOPIC,
        AdministratorRemoved.TOPIC,
        AuditorAppointed.TOPIC,
        AuditorRemoved.TOPIC,
    )

    def process(self, batch: Batch, change: Change) -> None:
        state = change.state
        oid = change.originator_id
        if change.name == "InstitutionRegistered":
            for person in state["administrators"]:
                row = {"originator_id": oid, "number": state["number"], "name": state["name"]}
                batch.later(_INSERT, {**row, "person_id": person, "role": HEAD})
            return
        found = batch.execute(_NAME, {"oid": oid}).first()
        if found is None:  # pragma: no cover - every institution starts with its registration
            return
        row = {
            "originator_id": oid,
            "number": found.number,
            "name": found.name,
            "person_id": state["person_id"],
        }
        if change.name == "AdministratorAppointed":
            batch.execute(_DROP_ADMIN, {"oid": oid, "pid": state["person_id"]})
            batch.later(_INSERT, {**row, "role": HEAD if state["head"] else ADMINISTRATOR})
        elif change.name == "AdministratorRemoved":
            batch.execute(_DROP_ADMIN, {"oid": oid, "pid": state["person_id"]})
        elif change.name == "AuditorAppointed":
            batch.execute(_DROP_ROLE, {"oid": oid, "pid": state["person_id"], "r": AUDITOR})
            batch.later(_INSERT, {**row, "role": AUDITOR})
        elif change.name == "AuditorRemoved":
            batch.execute(_DROP_ROLE, {"oid": oid, "pid": state["person_id"], "r": AUDITOR})


def roles_of(connection: Connection, person: str) -> dict[str, dict[str, Any]]:
    """The institutions a person works for: number -> {"number", "name", "roles"} (sorted by number)."""
    query = (
        select(access.c.number, access.c.name, access.c.role)
        .where(access.c.person_id == person)
        .order_by(access.c.number)
    )
    found: dict[str, dict[str, Any]] = {}
    for number, name, role in connection.execute(query):
        found.setdefault(number, {"number": number, "name": name, "roles": set()})["roles"].add(role)
    return found


def all_institutions(connection: Connection) -> dict[str, dict[str, Any]]:
    """Every institution: number -> {"number", "name", "roles": set()} (for auditors of every one)."""
    query = select(access.c.number, access.c.name).distinct().order_by(access.c.number)
    return {
        number: {"number": number, "name": name, "roles": set()} for number, name in connection.execute(query)
    }
