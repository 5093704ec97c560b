"""Reading snapshots written before the institution's state was declared.

Today a snapshot is ``grantbook.domain.snapshot.InstitutionSnapshot`` (topic
``grantbook:InstitutionStateSnapshot``): the declared ``InstitutionState``,
validated and dumped by pydantic. Stores written earlier hold snapshots under
the topic ``grantbook:InstitutionSnapshot`` whose ``state`` is the
aggregate's attributes in a tagged JSON (``{"__set__": [...]}``,
``{"__date__": "..."}``, ``{"__dataclass__": topic, "fields": {...}}``, ...).
This module reads those: it strips the tags to plain JSON and lets
``InstitutionState`` validate the result. It never writes one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.utils import register_topic, resolve_topic
from pydantic import BaseModel, ConfigDict

from grantbook.domain.snapshot import restore
from grantbook.domain.state import InstitutionState

LEGACY_TOPIC = "grantbook:InstitutionSnapshot"
# Aggregate attributes that were bookkeeping, not state.
_BOOKKEEPING = ("_created_on", "_modified_on", "_chain_head")


def untag(value: Any) -> Any:
    """Tagged JSON to plain JSON: sets and tuples become lists, dataclasses
    their fields, dates and datetimes their ISO strings."""
    if isinstance(value, list):
        return [untag(v) for v in value]
    if not isinstance(value, dict):
        return value
    for tag in ("__datetime__", "__date__", "__uuid__"):
        if tag in value:
            return value[tag]
    if "__dataclass__" in value:
        return {k: untag(v) for k, v in value["fields"].items()}
    for tag in ("__set__", "__tuple__"):
        if tag in value:
            return [untag(v) for v in value[tag]]
    if "__dict__" in value:
        return {k: untag(v) for k, v in value["__dict__"].items()}
    if "__pairs__" in value:
        return {untag(k): untag(v) for k, v in value["__pairs__"]}
    raise ValueError(f"unknown snapshot value {sorted(value)}")


class LegacyInstitutionSnapshot(BaseModel):
    """A snapshot in the tagged-JSON format (read only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TOPIC: ClassVar[str] = LEGACY_TOPIC

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    topic: str
    state: dict[str, Any]

    def mutate(self, _: None) -> Any:
        attributes = {k: untag(v) for k, v in self.state.items()}
        state = InstitutionState.model_validate(
            {k: v for k, v in attributes.items() if k not in _BOOKKEEPING}
        )
        return restore(
            resolve_topic(self.topic),
            self.originator_id,
            self.originator_version,
            datetime.fromisoformat(attributes["_created_on"]),
            datetime.fromisoformat(attributes["_modified_on"]),
            attributes["_chain_head"],
            state,
        )


register_topic(LegacyInstitutionSnapshot.TOPIC, LegacyInstitutionSnapshot)
