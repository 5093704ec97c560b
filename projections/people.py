"""People: each person as their institution knows them, with their latest status (``gb_people``:
the staff list and leavers), and support workers' person ids by the keyed digest of their national
number (``gb_person_digests``; the id is never derived from the number)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from grantbook.domain.events import RosterImported, SupportWorkerAdded
from grantbook.domain.state import ACTIVE, INACTIVE, SUPPORT_WORKER_CATEGORY

from .db import Batch, metadata
from .institutions import only_institution
from .projection import Change, Projection
from .rights import rights
from .rights_questions import RIGHTS_COLUMNS, grants, rights_sort_key, rows_of

LEAVERS_COLUMNS = (*RIGHTS_COLUMNS, "status")

people = Table(
    "gb_people",
    metadata,
    Column("originator_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("support_worker", Integer, nullable=False),
    Column("first_name", Text, nullable=False, server_default=""),
    Column("last_name", Text, nullable=False, server_default=""),
    Column("category", Text, nullable=False, server_default=""),
    Column("begin_day", Text),  # ISO dates, as the roster has them (none for a support worker)
    Column("end_day", Text),
    Column("national_number_masked", Text),  # support workers only: "**.**.**-***.12"
    PrimaryKeyConstraint("originator_id", "person_id"),
)
digests = Table(
    "gb_person_digests",
    metadata,
    Column("digest", Text, primary_key=True),
    Column("person_id", Text, nullable=False),
)

_LEFT = (
    update(people)
    .where(people.c.originator_id == bindparam("oid"), people.c.support_worker == 0)
    .values(status=INACTIVE)
)
_FORGET = delete(people).where(
    people.c.originator_id == bindparam("oid"), people.c.person_id == bindparam("pid")
)
_INSERT = insert(people)
_FORGET_DIGEST = delete(digests).where(digests.c.digest == bindparam("d"))
_INSERT_DIGEST = insert(digests)


class PeopleProjection(Projection):
    name = "people"
    version = 2  # 2: names, category and period of each person (the staff list)
    tables = (people, digests)
    topics = (RosterImported.TOPIC, SupportWorkerAdded.TOPIC)

    def process(self, batch: Batch, change: Change) -> None:
        oid, state = change.originator_id, change.state
        if change.topic == RosterImported.TOPIC:
            batch.later(_LEFT, {"oid": oid})
            entries = state["entries"]
            for entry in entries:  # person ids are unique within a roster
                batch.later(_FORGET, {"oid": oid, "pid": entry["person_id"]})
            for entry in entries:
                batch.later(
                    _INSERT,
                    {
                        "originator_id": oid,
                        "person_id": entry["person_id"],
                        "status": entry["status"],
                        "support_worker": 0,
                        "first_name": entry["first_name"],
                        "last_name": entry["last_name"],
                        "category": entry["category"],
                        "begin_day": entry["begin_date"],
                        "end_day": entry.get("end_date"),
                        "national_number_masked": None,
                    },
                )
        else:
            person, digest = state["person_id"], state["national_number_digest"]
            batch.later(_FORGET, {"oid": oid, "pid": person})
            batch.later(
                _INSERT,
                {
                    "originator_id": oid,
                    "person_id": person,
                    "status": ACTIVE,
                    "support_worker": 1,
                    "first_name": state["first_name"],
                    "last_name": state["last_name"],
                    "category": SUPPORT_WORKER_CATEGORY,
                    "begin_day": None,
                    "end_day": None,
                    "national_number_masked": state["national_number_masked"],
                },
            )
            batch.later(_FORGET_DIGEST, {"d": digest})
            batch.later(_INSERT_DIGEST, {"digest": digest, "person_id": person})


def person_for_digest(connection: Connection, digest: str) -> str | None:
    """The person id already given to a national number (by its keyed digest), if any."""
    return connection.execute(select(digests.c.person_id).where(digests.c.digest == digest)).scalar()


def query_leavers(connection: Connection, day: date, institution: str | None = None) -> list[dict[str, Any]]:
    """Rights still held (``day`` or later) by persons no longer Actief on their institution's roster."""
    _, query = grants(False, people.c.status)
    query = query.join(
        people,
        (people.c.originator_id == rights.c.originator_id) & (people.c.person_id == rights.c.person_id),
    ).where(people.c.status != ACTIVE, rights.c.last_day.is_not(None), rights.c.last_day >= day.isoformat())
    rows = rows_of(connection, only_institution(query, institution))
    rows.sort(key=rights_sort_key)
    return rows
