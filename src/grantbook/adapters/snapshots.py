"""Snapshots of an institution, so a long history loads fast.

The library's own ``Snapshot`` is a dataclass whose state the default
transcoder encodes; grantbook stores pydantic models through its own mapper
(persistence.py), so the snapshot is a pydantic model too. Its ``state`` is
the aggregate's attributes in tagged JSON: dataclasses (Person, Grant, ...),
sets, tuples, dates and datetimes keep their types on the way back, and an
attribute added to the aggregate later is carried without changing this file.

``Institution.Snapshot`` is pointed at this class here (the library looks
for a nested ``Snapshot`` first), so the domain package stays untouched.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.utils import get_topic, register_topic, resolve_topic
from pydantic import BaseModel, ConfigDict

from grantbook.domain import Institution

# The last event is not state: a snapshot keeps the chain head's hash instead.
_SKIP = ("_id", "_version", "_pending_events", "_chain_last")


def encode(value: Any) -> Any:
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, UUID):
        return {"__uuid__": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__dataclass__": get_topic(type(value)), "fields": fields}
    if isinstance(value, set | frozenset):
        return {"__set__": [encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"__dict__": {k: encode(v) for k, v in value.items()}}
        return {"__pairs__": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot snapshot a {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return date.fromisoformat(value["__date__"])
    if "__uuid__" in value:
        return UUID(value["__uuid__"])
    if "__dataclass__" in value:
        cls = resolve_topic(value["__dataclass__"])
        return cls(**{k: decode(v) for k, v in value["fields"].items()})
    if "__set__" in value:
        return {decode(v) for v in value["__set__"]}
    if "__tuple__" in value:
        return tuple(decode(v) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: decode(v) for k, v in value["__dict__"].items()}
    if "__pairs__" in value:
        return {decode(k): decode(v) for k, v in value["__pairs__"]}
    raise ValueError(f"unknown snapshot value {sorted(value)}")


class InstitutionSnapshot(BaseModel):
    """The state of an institution at one version (not an event of its story)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    TOPIC: ClassVar[str] = "grantbook:InstitutionSnapshot"

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    topic: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: Any) -> InstitutionSnapshot:
        state = {k: encode(v) for k, v in vars(aggregate).items() if k not in _SKIP}
        state["_chain_head"] = aggregate.head_hash
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=datetime.now(UTC),
            topic=get_topic(type(aggregate)),
            state=state,
        )

    def mutate(self, _: None) -> Any:
        cls = resolve_topic(self.topic)
        state = {k: decode(v) for k, v in self.state.items()}
        state["_id"] = self.originator_id
        state["_version"] = self.originator_version
        state["_pending_events"] = []
        aggregate = object.__new__(cls)
        object.__setattr__(aggregate, "__dict__", state)
        return aggregate


register_topic(InstitutionSnapshot.TOPIC, InstitutionSnapshot)
Institution.Snapshot = InstitutionSnapshot  # type: ignore[attr-defined,assignment]
