"""Rights: one row per grant as it stands (``gb_rights``: rights on a day, expiry, a person's rights,
leavers), and every state each grant has been in with the record time it held
(``gb_rights_history``: ``--as-of``). A history row holds from ``recorded_epoch`` until
``superseded_epoch`` (NULL: still current), both event timestamps as seconds since the epoch.
Dates are ISO text; ``last_day`` (the domain's ``last_day_held``) makes "held on day D" an index range.
A voided grant (docs/adr/0016) keeps its row with ``voided_at`` set and ``last_day`` NULL: held on no day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    bindparam,
    insert,
    select,
    update,
)

from grantbook.domain.events import (
    AssignmentConfirmed,
    EndDateExtended,
    EndDatesExtended,
    GrantVoided,
    RightRevoked,
    RightsRevoked,
)
from grantbook.domain.state import last_day_held

from .db import Batch, metadata
from .projection import Change, Projection

CHANGING = (
    "end_day",
    "last_day",
    "revoked_on",
    "revoked_by",
    "revoke_reason",
    "voided_by",
    "void_reason",
    "voided_at",
)
"""The columns of a grant that later events change (the others are as confirmed)."""


def _grant_columns() -> list[Column[Any]]:
    nullable = {"last_day", *CHANGING[2:]}
    names = (
        "grant_id",
        "originator_id",
        "person_id",
        "first_name",
        "last_name",
        "category",
        "right_name",
        "context",
        "begin_day",
        "end_day",
        "last_day",
        "granted_by",
        "granted_at",
        *CHANGING[2:],
    )
    return [Column(name, Text, nullable=name in nullable) for name in names]


rights = Table(
    "gb_rights",
    metadata,
    *_grant_columns(),
    PrimaryKeyConstraint("grant_id"),
    Index("gb_rights_by_institution", "originator_id", "last_day"),
    Index("gb_rights_by_institution_end", "originator_id", "end_day"),
    Index("gb_rights_by_person", "person_id"),
    Index("gb_rights_by_end", "end_day"),
    Index("gb_rights_by_last_day", "last_day", "begin_day"),
)
history = Table(
    "gb_rights_history",
    metadata,
    *_grant_columns(),
    Column("recorded_position", BigInteger, nullable=False),
    Column("recorded_epoch", Float, nullable=False),
    Column("superseded_epoch", Float),
    PrimaryKeyConstraint("grant_id", "recorded_position"),
    Index("gb_rights_history_by_institution", "originator_id", "recorded_epoch"),
    Index("gb_rights_history_by_record_time", "recorded_epoch"),
)
GRANT_COLUMNS = [c.name for c in rights.columns]

_INSERT = insert(rights)
_INSERT_HISTORY = insert(history)
_FIND = select(rights).where(rights.c.grant_id == bindparam("target"))
# The SET clause is the parameters given: a grant's changing columns, its final state in the batch.
_UPDATE = update(rights).where(rights.c.grant_id == bindparam("target"))
_SUPERSEDE = (
    update(history)
    .where(
        history.c.grant_id == bindparam("target"),
        history.c.superseded_epoch.is_(None),
        history.c.recorded_position < bindparam("before"),
    )
    .values(superseded_epoch=bindparam("epoch"))
)


def _last_day(begin: str, end: str, revoked_on: str | None, voided: bool = False) -> str | None:
    if voided:
        return None
    last = last_day_held(
        date.fromisoformat(begin),
        date.fromisoformat(end),
        None if revoked_on is None else date.fromisoformat(revoked_on),
    )
    return None if last is None else last.isoformat()


class _Grant:
    """A grant touched in this batch: its row as it now stands, its current history row, and (for a
    grant already in the tables) the parameters of its one update."""

    __slots__ = ("row", "history", "update")

    def __init__(self, row: dict[str, Any], history: dict[str, Any], update: dict[str, Any] | None) -> None:
        self.row, self.history, self.update = row, history, update


class RightsProjection(Projection):
    """Each batch is one unit of work: new grants are inserted in their final state, a grant already in
    the tables is updated once, and every history row is written once, so no statement depends on the
    order of another and each kind goes to the database as one ``executemany``."""

    name = "rights"
    version = 5  # 5: revoke reasons, voided grants, the events of many grants at once (docs/adr/0016)
    tables = (rights, history)
    topics = (
        AssignmentConfirmed.TOPIC,
        EndDateExtended.TOPIC,
        RightRevoked.TOPIC,
        EndDatesExtended.TOPIC,
        RightsRevoked.TOPIC,
        GrantVoided.TOPIC,
    )

    def process(self, batch: Batch, change: Change) -> None:
        work: dict[str, _Grant] = batch.memo(self.name)
        state, recorded = change.state, change.epoch
        if change.topic == AssignmentConfirmed.TOPIC:
            begin, end = state["begin"], state["end"]
            last_day, granted_at = _last_day(begin, end, None), change.recorded_at
            rows = [
                {
                    "grant_id": granted["grant_id"],
                    "originator_id": change.originator_id,
                    "person_id": granted["person_id"],
                    "first_name": granted["first_name"],
                    "last_name": granted["last_name"],
                    "category": granted["category"],
                    "right_name": state["right"],
                    "context": state["context"],
                    "begin_day": begin,
                    "end_day": end,
                    "last_day": last_day,
                    "granted_by": state["actor"],
                    "granted_at": granted_at,
                    **dict.fromkeys(CHANGING[2:]),
                }
                for granted in state["grants"]
            ]
            for row in rows:  # read in full first: an event that cannot be read changes nothing
                batch.add(_INSERT, row)  # changed in place by what follows in this batch
                work[row["grant_id"]] = _Grant(row, _history(batch, row, change.position, recorded), None)
            return
        for grant_id, changed in _changes(change):
            self._change(batch, work, change, grant_id, changed)

    @staticmethod
    def _change(
        batch: Batch, work: dict[str, _Grant], change: Change, grant_id: str, changed: dict[str, Any]
    ) -> None:
        """One grant's columns changed by an event: its row updated once per batch, its history row
        superseded by a new one."""
        recorded = change.epoch
        grant = work.get(grant_id)
        found = None
        if grant is None:  # in the tables already, untouched in this batch: nothing of it is pending
            found = dict(batch.connection.execute(_FIND, {"target": grant_id}).mappings().one())
        new = {**(found if grant is None else grant.row), **changed}
        changed["last_day"] = _last_day(
            new["begin_day"], new["end_day"], new["revoked_on"], new["voided_at"] is not None
        )
        if grant is None:
            assert found is not None
            grant = _Grant(found, {}, {"target": grant_id})
            batch.add(_UPDATE, grant.update)
            batch.add(_SUPERSEDE, {"target": grant_id, "before": change.position, "epoch": recorded})
        else:
            grant.history["superseded_epoch"] = recorded
        row = grant.row
        row.update(changed)
        if grant.update is not None:
            for column in CHANGING:
                grant.update[column] = row[column]
        grant.history = _history(batch, row, change.position, recorded)
        work[grant_id] = grant


def _changes(change: Change) -> list[tuple[str, dict[str, Any]]]:
    """What an event changes of which grants: (grant id, changed columns) for each grant it names."""
    topic, state = change.topic, change.state
    actor = state["actor"]
    if topic == EndDateExtended.TOPIC:
        return [(state["grant_id"], {"end_day": state["new_end"]})]
    if topic == EndDatesExtended.TOPIC:
        return [(g["grant_id"], {"end_day": state["new_end"]}) for g in state["grants"]]
    if topic == GrantVoided.TOPIC:
        voided = {"voided_by": actor, "void_reason": state["reason"], "voided_at": change.recorded_at}
        return [(state["grant_id"], voided)]
    revoked = {"revoked_on": state["revoked_on"], "revoked_by": actor, "revoke_reason": state.get("reason")}
    if topic == RightRevoked.TOPIC:
        return [(state["grant_id"], revoked)]
    return [(g["grant_id"], dict(revoked)) for g in state["grants"]]


def _history(batch: Batch, row: dict[str, Any], position: int, recorded: float) -> dict[str, Any]:
    """The grant's state as of this event, held from its record time until superseded."""
    entry = {**row, "recorded_position": position, "recorded_epoch": recorded, "superseded_epoch": None}
    batch.add(_INSERT_HISTORY, entry)
    return entry
