"""The audit trail: every event in recorded order with who did it, when, for which institution, and
its details as people may see them (``gb_audit``), and the persons each event is about
(``gb_audit_persons``: ``--person`` is an exact match on them)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    insert,
    select,
)

from grantbook.domain.events import EVENT_CLASSES, InstitutionEvent

from .db import Batch, metadata
from .institutions import institutions, only_institution
from .projection import Change, Projection

AUDIT_COLUMNS = ("position", "recorded_at", "actor", "event", "institution", "details")

audit = Table(
    "gb_audit",
    metadata,
    # On SQLite an INTEGER PRIMARY KEY is the rowid: rows in position order, no second index.
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("recorded_at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("originator_id", Text, nullable=False),
    Column("recorded_epoch", Float, nullable=False),
    Column("details", Text, nullable=False),
    Index("gb_audit_by_institution", "originator_id", "position"),
    Index("gb_audit_by_actor", "actor", "position"),
)
persons = Table(
    "gb_audit_persons",
    metadata,
    Column("person_id", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("person_id", "position"),
    sqlite_with_rowid=False,  # one b-tree, the key's, instead of a table and its key's index
)

_INSERT = insert(audit)
_INSERT_PERSON = insert(persons)


def _plain(cls: type[InstitutionEvent]) -> bool:
    """Whether the event's details are its state less the envelope (nothing private, no summary)."""
    return cls.details is InstitutionEvent.details and not cls.PRIVATE_FIELDS


_PLAIN = {name: _plain(cls) for name, cls in EVENT_CLASSES.items()}


def stored_details(change: Change) -> str:
    """What ``gb_audit.details`` keeps: the stored JSON itself where the details are the state less
    the envelope (dropped when read, ``_shown``), else ``InstitutionEvent.details()`` of the
    validated event as JSON (private fields left out, summaries)."""
    if _PLAIN.get(change.name, False):
        return change.data.decode()
    cls = EVENT_CLASSES[change.name]
    event = cls.model_validate(
        {**change.state, "originator_id": change.originator_id, "originator_version": change.version}
    )
    return json.dumps(event.details())


def _sorted(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(sorted(pairs))


def _shown(text: str) -> dict[str, Any]:
    """The details as people see them: without the envelope, keys sorted at every level."""
    envelope = InstitutionEvent.ENVELOPE_FIELDS
    found: dict[str, Any] = json.loads(text, object_pairs_hook=_sorted)
    return {key: value for key, value in found.items() if key not in envelope}


def persons_of(change: Change) -> list[str]:
    """The persons an event is about: those granted, those on an imported roster, those whose
    selection was cleared, or the one named."""
    state = change.state
    if "grants" in state:
        found = [granted["person_id"] for granted in state["grants"]]
    elif "person_ids" in state:
        found = list(state["person_ids"])
    elif "entries" in state:
        found = [entry["person_id"] for entry in state["entries"]]
    else:
        found = [state["person_id"]] if state.get("person_id") else []
    return list(dict.fromkeys(found))


class AuditProjection(Projection):
    name = "audit"
    version = 4  # 4: an old search text holding a national register number is shown masked
    tables = (audit, persons)

    def process(self, batch: Batch, change: Change) -> None:
        position = change.position
        # Rows as tuples in the tables' column order (Batch.add): the most rows of any projection.
        batch.add(
            _INSERT,
            (
                position,
                change.recorded_at,
                change.state["actor"],
                change.name,
                change.originator_id,
                change.epoch,
                stored_details(change),
            ),
        )
        for person in persons_of(change):
            batch.add(_INSERT_PERSON, (person, position))


def query_audit(
    connection: Connection,
    institution: str | None = None,
    actor: str | None = None,
    person: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    event: str | None = None,
) -> list[dict[str, Any]]:
    """The persisted audit trail, oldest first, filtered by institution, actor, the person an event is
    about (exactly), the kind of event and record time."""
    query = select(
        audit.c.position,
        audit.c.recorded_at,
        audit.c.actor,
        audit.c.event,
        institutions.c.number.label("institution"),
        audit.c.details,
    ).select_from(audit.join(institutions, institutions.c.originator_id == audit.c.originator_id))
    query = only_institution(query, institution)
    if actor is not None:
        query = query.where(audit.c.actor == actor)
    if person is not None:
        about = select(persons.c.position).where(persons.c.person_id == person)
        query = query.where(audit.c.position.in_(about))
    if event is not None:
        query = query.where(audit.c.event == event)
    if since is not None:
        query = query.where(audit.c.recorded_epoch >= since.timestamp())
    if until is not None:
        query = query.where(audit.c.recorded_epoch <= until.timestamp())
    rows = []
    for position, recorded_at, who, event, number, text in connection.execute(
        query.order_by(audit.c.position)
    ):
        rows.append(
            {
                "position": int(position),
                "recorded_at": recorded_at,
                "actor": who,
                "event": event,
                "institution": number,
                "details": _shown(text),
            }
        )
    return rows
