"""The hash chains as the read models found them (``gb_chain``): each institution's last event that
fitted its chain, or where its chain broke. Every event is checked as it is applied (ADR 0006's
links, the same rule as ``grantbook verify``), so a reading command can refuse to answer about an
institution whose history is not intact, without walking the store again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Table, Text, bindparam, insert, select, update

from grantbook.domain.chain import chain_hash, genesis_hash

from .db import Batch, metadata
from .institutions import institutions
from .projection import Change, Projection

chain = Table(
    "gb_chain",
    metadata,
    Column("originator_id", Text, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("hash", Text, nullable=False),
    Column("broken_at", BigInteger),  # the position of the first event that did not fit
    Column("problem", Text),
)

_INSERT = insert(chain)
_FIND = select(chain).where(chain.c.originator_id == bindparam("target"))
_UPDATE = update(chain).where(chain.c.originator_id == bindparam("target"))  # SET: the parameters


class ChainProjection(Projection):
    name = "chain"
    tables = (chain,)

    def process(self, batch: Batch, change: Change) -> None:
        work: dict[str, dict[str, Any]] = batch.memo(self.name)
        oid = change.originator_id
        head = work.get(oid)
        if head is None:
            found = batch.connection.execute(_FIND, {"target": oid}).mappings().first()
            if found is None:
                head = {"originator_id": oid, "version": 0, "hash": genesis_hash(oid),
                        "broken_at": None, "problem": None}
                batch.add(_INSERT, head)  # changed in place by what follows in this batch
            else:
                head = {**found, "target": oid}
                del head["originator_id"]
                batch.add(_UPDATE, head)
            work[oid] = head
        if head["broken_at"] is not None:
            return
        if change.version != head["version"] + 1:
            head["broken_at"] = change.position
            head["problem"] = f"version {change.version} where {head['version'] + 1} was expected"
        elif change.state.get("previous_hash") != head["hash"]:
            head["broken_at"] = change.position
            head["problem"] = (
                f"version {change.version} does not carry the hash of version {head['version']}"
                if head["version"] else "version 1 does not carry the institution's genesis value"
            )
        else:
            head["version"] = change.version
            head["hash"] = chain_hash(change.topic, oid, change.version, change.stored)


def broken(connection: Connection, number: str | None = None) -> list[dict[str, Any]]:
    """Institutions (all, or the one numbered) whose chain the read models found broken."""
    query = (
        select(institutions.c.number, chain.c.broken_at, chain.c.problem)
        .select_from(chain.join(institutions, institutions.c.originator_id == chain.c.originator_id))
        .where(chain.c.broken_at.is_not(None))
        .order_by(institutions.c.number)
    )
    if number is not None:
        query = query.where(institutions.c.number == number)
    return [dict(row) for row in connection.execute(query).mappings()]
