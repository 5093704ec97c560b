"""A snapshot of an institution: its declared state at one version.

Not an event of the institution's story: the library stores it beside the
events (``Institution.Snapshot`` points here) so a long history loads
fast. It is a pydantic model like the events, so the same mapper stores it
(``model_dump(mode="json")``) and reads it back (``model_validate``).
Snapshots written before the state was declared are read by
grantbook.adapters.snapshots (a legacy reader).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.utils import get_topic, register_topic, resolve_topic
from pydantic import BaseModel, ConfigDict, Field

from .chain import HASH_PATTERN
from .state import InstitutionState


class InstitutionSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    TOPIC: ClassVar[str] = "grantbook:InstitutionStateSnapshot"

    originator_id: UUID
    originator_version: int = Field(ge=1)
    timestamp: datetime  # when the snapshot was taken
    topic: str  # the aggregate's class: grantbook:Institution
    created_on: datetime  # the first event's record time
    modified_on: datetime  # the last event's record time
    head_hash: str = Field(pattern=HASH_PATTERN)  # the last event's hash: the next one links to it
    state: InstitutionState

    @classmethod
    def take(cls, aggregate: Any) -> InstitutionSnapshot:
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=datetime.now(UTC),
            topic=get_topic(type(aggregate)),
            created_on=aggregate.created_on,
            modified_on=aggregate.modified_on,
            head_hash=aggregate.head_hash,
            state=aggregate.state.model_copy(deep=True),
        )

    def mutate(self, _: None) -> Any:
        # A snapshot is read from the store for one load: its state becomes the aggregate's.
        return restore(
            resolve_topic(self.topic),
            self.originator_id,
            self.originator_version,
            self.created_on,
            self.modified_on,
            self.head_hash,
            self.state,
        )


def restore(
    cls: type,
    originator_id: UUID,
    version: int,
    created_on: datetime,
    modified_on: datetime,
    head_hash: str,
    state: InstitutionState,
) -> Any:
    """An institution as it stood at ``version``, without replaying its events."""
    aggregate = object.__new__(cls)
    object.__setattr__(
        aggregate,
        "__dict__",
        {
            "_id": originator_id,
            "_version": version,
            "_created_on": created_on,
            "_modified_on": modified_on,
            "_pending_events": [],
            "_chain_head": head_hash,
            "state": state,
        },
    )
    return aggregate


register_topic(InstitutionSnapshot.TOPIC, InstitutionSnapshot)
