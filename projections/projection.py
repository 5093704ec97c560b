"""What the runner hands a projection, and what a projection is.

Events reach the projections as ``Change``: position, topic, institution id and the stored state as
JSON values (decrypted and decompressed if the store does that), without building the domain event:
a projection reads only the fields it needs, dates stay the ISO text the tables keep, and the audit
trail keeps the stored JSON itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import pydantic_core
from sqlalchemy import Table

from .db import Batch, fingerprint

NUL_IN_JSON = b"\\u0000"
NUL_SHOWN = "\u2400"  # SYMBOL FOR NULL: what a reader sees where an old event holds a NUL


def _shown_nul(value: Any) -> Any:
    """The value with every NUL in its texts (keys included) shown as U+2400. No database text
    column (PostgreSQL's) can hold a NUL; texts are checked before they are recorded since release
    0.2, but an older event may still carry one, and it must not stop a catch-up."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_SHOWN)
    if isinstance(value, dict):
        return {_shown_nul(key): _shown_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shown_nul(item) for item in value]
    return value


class Change:
    """One stored event as the projections see it."""

    __slots__ = ("position", "topic", "originator_id", "version", "stored", "data", "state", "_moment")

    def __init__(self, position: int, topic: str, originator_id: str, version: int, data: bytes) -> None:
        self.position = position
        self.topic = topic
        self.originator_id = originator_id
        self.version = version
        self.stored = data  # the bytes the hash chain covers
        state = pydantic_core.from_json(data)
        if NUL_IN_JSON in data:  # an old event: only JSON's escape can carry a NUL into text
            state = _shown_nul(state)
            data = pydantic_core.to_json(state)
        self.data = data  # the stored JSON, as the audit trail keeps it
        self.state: dict[str, Any] = state
        self._moment: datetime | None = None

    @classmethod
    def of(cls, notification: Any, mapper: Any) -> Change:
        """A stored event as the recorder gives it, its state decrypted and decompressed as the
        store's mapper does."""
        data = notification.state
        if mapper.cipher:
            data = mapper.cipher.decrypt(data)
        if mapper.compressor:
            data = mapper.compressor.decompress(data)
        oid, version = str(notification.originator_id), notification.originator_version
        return cls(notification.id, notification.topic, oid, version, data)

    @property
    def name(self) -> str:
        """The event's class name (topics are ``grantbook:<EventName>``)."""
        return self.topic.rpartition(":")[2]

    @property
    def moment(self) -> datetime:
        if self._moment is None:
            self._moment = datetime.fromisoformat(self.state["timestamp"])
        return self._moment


class Recorder(Protocol):
    def max_notification_id(self) -> int | None: ...
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Any: ...


class Projection:
    """A named view of the events: its tables, and how one event changes them.

    ``version`` names what it makes of an event: a release that changes that raises it. With a
    fingerprint of its tables' definitions (so a new column or index counts too) it is kept beside
    the tracked position; a store whose projection was written under another one drops that
    projection's tables and rebuilds them from the events on first use.
    """

    name: str = ""
    version: int = 1
    tables: tuple[Table, ...] = ()
    topics: tuple[str, ...] = ()  # empty: every event

    def process(self, batch: Batch, change: Change) -> None:
        raise NotImplementedError

    @property
    def definition(self) -> str:
        return f"{self.version}:{fingerprint(self.tables)}"
