"""The institution's part in expiry notices (docs/adr/0014): recording e-mail addresses, saying
which notices are due, and recording a notice once a mail server has accepted it.

A mixin of ``Institution`` so the aggregate's own module stays about the granting workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .events_notices import EmailAddressRecorded, EmailAddressRemoved, NoticedGrant, NoticeSent
from .notices import DueNotice, due_notices, email_address, expiring_rights, notice_key
from .values import Act, person_id

if TYPE_CHECKING:
    from .state import InstitutionState


class InstitutionNotices:
    if TYPE_CHECKING:
        state: InstitutionState

        def _trigger(self, event_class: type, act: Act, **kwargs: Any) -> None: ...
        def check_administrator(self, act: Act) -> None: ...
        def check_head_administrator(self, act: Act) -> None: ...
        def check_is_administrator(self, pid: str) -> None: ...

    def record_email(self, act: Act, person: str, address: str) -> bool:
        """An administrator's address: a head sets anyone's, an administrator their own.
        Returns whether anything changed (the same address again records nothing)."""
        self.check_administrator(act)
        pid = person_id(person)
        self.check_is_administrator(pid)
        if pid != act.actor:
            self.check_head_administrator(act)
        email = email_address(address)
        if self.state.emails.get(pid) == email:
            return False
        self._trigger(EmailAddressRecorded, act, person_id=pid, email=email, source="administrator")
        return True

    def remove_email(self, act: Act, person: str) -> bool:
        """Takes away the address notices for ``person`` go to: an administrator their own, a head
        anyone's (an administrator's or a holder's from the roster). Returns whether there was one
        (no address records nothing)."""
        self.check_administrator(act)
        pid = person_id(person)
        if pid != act.actor:
            self.check_head_administrator(act)
        if pid not in self.state.emails:
            return False
        self._trigger(EmailAddressRemoved, act, person_id=pid)
        return True

    def record_roster_emails(self, act: Act, emails: Mapping[str, str]) -> int:
        """Addresses from a roster file (already checked there): those that changed are recorded."""
        self.check_administrator(act)
        changed = 0
        for pid, address in emails.items():
            email = email_address(address)
            if self.state.emails.get(pid) != email:
                self._trigger(EmailAddressRecorded, act, person_id=pid, email=email, source="roster")
                changed += 1
        return changed

    def notices_due(self, day: date, thresholds: Sequence[int]) -> list[DueNotice]:
        return due_notices(self.state, day, thresholds)

    def unwarned_administrators(self, day: date, thresholds: Sequence[int]) -> list[str]:
        """Administrators without an address while rights are at a threshold: they hear of nothing."""
        if not expiring_rights(self.state, day, thresholds):
            return []
        return sorted(a for a in self.state.administrators if a not in self.state.emails)

    def record_notice(self, act: Act, notice: DueNotice, day: date) -> bool:
        """After the mail server accepted ``notice``: remembers it. The lines someone else recorded
        meanwhile are left out; returns False if none was left (nothing recorded)."""
        new = [
            NoticedGrant(
                grant_id=line.grant.grant_id,
                person_id=line.grant.person_id,
                end=line.grant.end,
                threshold=line.threshold,
            )
            for line in notice.lines
            if notice_key(notice.person_id, notice.role, line.grant.grant_id, line.grant.end, line.threshold)
            not in self.state.notified
        ]
        if not new:
            return False
        self._trigger(
            NoticeSent,
            act,
            recipient=notice.person_id,
            email=notice.address,
            role=notice.role,
            day=day,
            grants=tuple(new),
        )
        return True
