"""Institution numbers by aggregate id: whether an institution is registered, and the number the
other read models' questions show and filter on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, Index, Table, Text, insert, select
from sqlalchemy.sql import Select

from grantbook.domain.events import InstitutionRegistered

from .db import Batch, metadata
from .projection import Change, Projection

institutions = Table(
    "gb_institutions",
    metadata,
    Column("originator_id", Text, primary_key=True),
    Column("number", Text, nullable=False),
    # "one institution" questions start here, then take the other tables' (originator_id, ...) indexes
    Index("gb_institutions_by_number", "number", unique=True),
)

_INSERT = insert(institutions)


class InstitutionsProjection(Projection):
    name = "institutions"
    tables = (institutions,)
    topics = (InstitutionRegistered.TOPIC,)

    def process(self, batch: Batch, change: Change) -> None:
        batch.add(_INSERT, {"originator_id": change.originator_id, "number": change.state["number"]})


def is_registered(connection: Connection, number: str) -> bool:
    query = select(institutions.c.originator_id).where(institutions.c.number == number)
    return connection.execute(query).first() is not None


def only_institution(query: Select[Any], institution: str | None) -> Select[Any]:
    """Narrows a query joined on ``gb_institutions`` to one institution, if one is named."""
    return query if institution is None else query.where(institutions.c.number == institution)
