"""How an institution records an event: linked in its hash chain, and never
timed before the event it follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from .values import Act


class ChainedAggregate(Aggregate):
    """An aggregate whose events form a hash chain (docs/adr/0006) and whose
    record times follow the order of its events (docs/adr/0002)."""

    def _trigger(self, event_class: type, act: Act, **payload: object) -> None:
        self.trigger_event(event_class, actor=act.actor, timestamp=self.record_time(act), **payload)

    def record_time(self, act: Act) -> datetime:
        """When an event of this command is recorded: the actor's clock, but never
        earlier than the event before it, so record time follows the store's order
        even when two writers' clocks differ."""
        return max(act.now, self.modified_on)

    def trigger_event(self, event_class: type, **kwargs: Any) -> None:  # type: ignore[override]
        """Every new event is linked to the one before it."""
        kwargs.setdefault("previous_hash", self.head_hash)
        super().trigger_event(event_class, **kwargs)

    @property
    def head_hash(self) -> str:
        """The hash of the last event: the head of the chain.

        Computed from the last event when one was applied since loading (events
        remember themselves as ``_chain_last``); an aggregate restored from a
        snapshot carries the head in ``_chain_head``.
        """
        last = self.__dict__.get("_chain_last")
        return last.chain_hash() if last is not None else self._chain_head
