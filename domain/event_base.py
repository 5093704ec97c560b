"""What every event of an institution is: a fact, named in the past tense.

Events are pydantic models, so every payload is validated when the event is
made and again when it is read back from the store. Each event records the
acting person (``actor``), when it was recorded (``timestamp``) and the hash
of the event before it (``previous_hash``, docs/adr/0006). Stored topics are
``grantbook:<EventName>``, independent of the module a class lives in
(docs/adr/0002-aggregate-and-events.md), so event classes can move freely.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import register_topic
from pydantic import BaseModel, ConfigDict, Field

from .chain import HASH_PATTERN, canonical_json, chain_hash
from .values import PersonId

if TYPE_CHECKING:
    from .institution import Institution

TOPIC_PREFIX = "grantbook:"
EVENT_CLASSES: dict[str, type[InstitutionEvent]] = {}


class InstitutionEvent(BaseModel, CanMutateAggregate[UUID]):
    model_config = ConfigDict(frozen=True, extra="forbid")

    TOPIC: ClassVar[str] = TOPIC_PREFIX + "InstitutionEvent"
    # Fields kept in the store but never shown (audit trail, CLI output).
    PRIVATE_FIELDS: ClassVar[frozenset[str]] = frozenset()
    ENVELOPE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"originator_id", "originator_version", "timestamp", "actor", "originator_topic", "previous_hash"}
    )
    # The fields the store keeps outside the state column.
    STORE_ENVELOPE: ClassVar[frozenset[str]] = frozenset({"originator_id", "originator_version"})

    originator_id: UUID
    originator_version: int = Field(ge=1)
    timestamp: datetime
    actor: PersonId
    # The hash of the institution's previous event (docs/adr/0006).
    previous_hash: str = Field(pattern=HASH_PATTERN)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.TOPIC = TOPIC_PREFIX + cls.__name__
        register_topic(cls.TOPIC, cls)
        EVENT_CLASSES[cls.__name__] = cls

    def chain_hash(self) -> str:
        """This event's link in its institution's hash chain."""
        state = canonical_json(self.model_dump(mode="json", exclude=self.STORE_ENVELOPE))
        return chain_hash(self.TOPIC, self.originator_id, self.originator_version, state)

    def mutate(self, aggregate: Any) -> Any:
        result = super().mutate(aggregate)  # type: ignore[safe-super]
        # Remember the last event; its hash is computed only when needed.
        result._chain_last = self
        return result

    def details(self) -> dict[str, Any]:
        """The payload as people may see it (JSON-ready, no private fields)."""
        return self.model_dump(mode="json", exclude=self.ENVELOPE_FIELDS | self.PRIVATE_FIELDS)

    def apply(self, aggregate: Institution) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
