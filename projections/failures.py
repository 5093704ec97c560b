"""Events a projection could not apply (``gb_failures``). One such event must not stop every read:
what the projection wrote for it is taken back, the event is named here (``projections status``
shows it, a catch-up warns of it) and the projection goes on with the next one."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    PrimaryKeyConstraint,
    Table,
    Text,
    delete,
    insert,
    select,
)

from .db import Batch, metadata
from .projection import Change, Projection

log = logging.getLogger(__name__)

failures = Table(
    "gb_failures",
    metadata,
    Column("projection", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("problem", Text, nullable=False),
    PrimaryKeyConstraint("projection", "position"),
)

_INSERT = insert(failures)


def applied(batch: Batch, projection: Projection, change: Change) -> bool:
    """Applies one event; if the projection fails on it, takes back what it wrote, records the failure
    and says whether it was applied. Database errors surface at the flush and roll back the page."""
    mark = batch.mark()
    try:
        projection.process(batch, change)
    except Exception as error:  # a malformed old event: whatever the projection tripped on
        _failed(batch, mark, projection, change, error)
        return False
    return True


def apply_all(batch: Batch, projection: Projection, changes: list[Change]) -> int:
    """``applied`` for each of ``changes`` the projection reads (its topics), in order; returns how
    many were applied. One loop per page and projection: it runs for every event."""
    wanted = set(projection.topics)
    process, mark = projection.process, batch.mark
    count = 0
    for change in changes:
        if wanted and change.topic not in wanted:
            continue
        at = mark()
        try:
            process(batch, change)
        except Exception as error:  # a malformed old event: whatever the projection tripped on
            _failed(batch, at, projection, change, error)
        else:
            count += 1
    return count


def _failed(batch: Batch, mark: Any, projection: Projection, change: Change, error: Exception) -> None:
    batch.undo(mark)
    problem = f"{type(error).__name__}: {error}"[:500]
    batch.add(_INSERT, {"projection": projection.name, "position": change.position, "problem": problem})
    log.warning(
        "projection %s could not apply the event at position %d (%s): see `grantbook projections status`",
        projection.name,
        change.position,
        problem,
    )


def forget(projection: str) -> Any:
    """The statement that forgets a projection's failures (it is emptied or rebuilt)."""
    return delete(failures).where(failures.c.projection == projection)


def failed(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Each projection's failed events, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    query = select(failures).order_by(failures.c.projection, failures.c.position)
    for row in connection.execute(query).mappings():
        entry = {"position": row["position"], "problem": row["problem"]}
        found.setdefault(row["projection"], []).append(entry)
    return found
