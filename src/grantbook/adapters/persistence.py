"""How events become stored records, and back.

Events are pydantic models. Their state is stored as canonical JSON (sorted
keys, no insignificant whitespace, UTF-8), so the same event always has the
same bytes: what a hash chain over the stored events needs. Topics are
``grantbook:<EventName>`` (docs/adr/0002-aggregate-and-events.md).
"""

from __future__ import annotations

import json
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

# One canonical encoding for the store and the hash chain (docs/adr/0006).
from grantbook.domain.chain import canonical_json


class CanonicalJSONTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return canonical_json(obj)

    def decode(self, data: bytes) -> Any:
        return json.loads(data)

    def register(self, transcoding: Transcoding) -> None:  # pragma: no cover
        raise TypeError("grantbook events are pydantic models: no transcodings needed")


class PydanticMapper(Mapper[UUID]):
    _ENVELOPE = frozenset({"originator_id", "originator_version"})

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        model = cast(BaseModel, domain_event)
        state = model.model_dump(mode="json", exclude=self._ENVELOPE)
        data = self.transcoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        try:
            cls = resolve_topic(stored_event.topic)
            data = stored_event.state
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            state = self.transcoder.decode(data)
            state["originator_id"] = stored_event.originator_id
            state["originator_version"] = stored_event.originator_version
            return cls.model_validate(state)
        except Exception as error:
            raise MapperDeserialisationError(
                f"stored event {stored_event.originator_id} v{stored_event.originator_version} "
                f"({stored_event.topic}) cannot be read: {type(error).__name__}"
            ) from error
