"""Events about expiry notices (docs/adr/0014): the e-mail addresses notices go to, and each
notice a mail server accepted."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from .event_base import InstitutionEvent
from .notices import notice_key
from .values import PersonId

if TYPE_CHECKING:
    from .institution import Institution

EmailText = Field(min_length=3, max_length=320, pattern=r"^[^\s@]+@[^\s@]+$")


class EmailAddressRecorded(InstitutionEvent):
    """A person's e-mail address for notices: set by an administrator, or read from the roster."""

    person_id: PersonId
    email: str = EmailText
    source: Literal["administrator", "roster"]

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.emails[self.person_id] = self.email


class EmailAddressRemoved(InstitutionEvent):
    """A person's e-mail address for notices taken away by an administrator: no more notices to it
    (a later roster with an address for them records it again)."""

    person_id: PersonId

    def apply(self, aggregate: Institution) -> None:
        aggregate.state.emails.pop(self.person_id, None)


class NoticedGrant(BaseModel):
    """One right a notice told about: the grant, its holder, its end date then, and the threshold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str = Field(min_length=1, max_length=80)
    person_id: PersonId
    end: date
    threshold: int = Field(ge=0)


class NoticeSent(InstitutionEvent):
    """A mail server accepted a notice to ``recipient`` at ``email`` about ``grants``, on ``day``."""

    recipient: PersonId
    email: str = EmailText
    role: Literal["administrator", "holder"]
    day: date
    grants: tuple[NoticedGrant, ...] = Field(min_length=1)

    def apply(self, aggregate: Institution) -> None:
        for noticed in self.grants:
            key = notice_key(self.recipient, self.role, noticed.grant_id, noticed.end, noticed.threshold)
            aggregate.state.notified.add(key)
