"""What the runner hands a projection, and what a projection is.

Events reach the projections as ``Change``: position, topic, institution id and the stored state as
JSON values (decrypted and decompressed if the store does that), without building the domain event:
a projection reads only the fields it needs, dates stay the ISO text the tables keep, and the audit
trail keeps the stored JSON itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

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


@lru_cache(maxsize=4096)
def _moment(text: str) -> tuple[datetime, str, float]:
    """A stored timestamp as a datetime, as ISO text and as seconds since the epoch. Remembered: the
    events of one command share their timestamp, and each is asked for by several projections."""
    moment = datetime.fromisoformat(text)
    return moment, moment.isoformat(), moment.timestamp()


@lru_cache(maxsize=1024)
def _name(topic: str) -> str:
    return topic.rpartition(":")[2]


@lru_cache(maxsize=65_536)  # ids repeat (each institution's events): a UUID made once per id
def canonical_id(oid: str) -> str:
    """An originator id as the SQLite store's table holds it, as ``str(UUID)`` gives it (the
    library's recorder makes each into a UUID)."""
    return str(UUID(oid))


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
        self._moment: tuple[datetime, str, float] | None = None

    @classmethod
    def of_row(cls, position: int, oid: str, version: int, topic: str, state: bytes, mapper: Any) -> Change:
        """A stored event as a row of the store's table: its id as the table holds it."""
        if mapper.cipher:
            state = mapper.cipher.decrypt(state)
        if mapper.compressor:
            state = mapper.compressor.decompress(state)
        return cls(position, topic, canonical_id(oid), version, state)

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
        return _name(self.topic)

    @property
    def moment(self) -> datetime:
        if self._moment is None:
            self._moment = _moment(self.state["timestamp"])
        return self._moment[0]

    @property
    def recorded_at(self) -> str:
        """The event's timestamp as ``datetime.isoformat`` gives it (as the read models keep it)."""
        if self._moment is None:
            self._moment = _moment(self.state["timestamp"])
        return self._moment[1]

    @property
    def epoch(self) -> float:
        """The event's timestamp in seconds since the epoch."""
        if self._moment is None:
            self._moment = _moment(self.state["timestamp"])
        return self._moment[2]


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
