"""Events about what an institution is called."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .event_base import InstitutionEvent
from .values import Name

if TYPE_CHECKING:
    from .institution import Institution


class InstitutionRenamed(InstitutionEvent):
    """A head administrator gave the institution another name (a school merges, or its name was
    registered with a typing mistake). Both names are kept, so the audit trail reads on its own."""

    previous_name: Name
    name: Name

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.name = self.name
