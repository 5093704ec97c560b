"""Who works for an institution: its head administrators name local administrators and auditors
(the part of the institution's story about people's roles, apart from the rights workflow)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import rules
from .events import AdministratorAppointed, AdministratorRemoved, AuditorAppointed, AuditorRemoved
from .rules import RuleViolation
from .values import Act, person_id

if TYPE_CHECKING:
    from .checks import InstitutionChecks

    Base: Any = InstitutionChecks
else:
    Base = object


class Appointments(Base):
    """Mixed into ``Institution`` (which has ``_trigger`` and the other ``check_*`` rules): each
    command checks its rules, then records its event. The rules about roles are here."""

    # -- administrators ------------------------------------------------------

    def appoint_administrator(self, act: Act, person: str, head: bool = False) -> None:
        """A head administrator adds a local administrator, or makes one head
        (``head=True``) or an ordinary administrator again (``head=False``)."""
        self.check_head_administrator(act)
        pid = person_id(person)
        self.check_not_in_role(pid, head)
        if not head:
            self.check_not_last_head(pid)
        self._trigger(AdministratorAppointed, act, person_id=pid, head=head)

    def remove_administrator(self, act: Act, person: str) -> None:
        self.check_head_administrator(act)
        pid = person_id(person)
        self.check_is_administrator(pid)
        self.check_not_last_head(pid)
        self._trigger(AdministratorRemoved, act, person_id=pid)

    # -- auditors ------------------------------------------------------------

    def appoint_auditor(self, act: Act, person: str) -> None:
        """A head administrator names an auditor: someone who reads and changes nothing."""
        self.check_head_administrator(act)
        pid = person_id(person)
        self.check_not_auditor_yet(pid)
        self._trigger(AuditorAppointed, act, person_id=pid)

    def remove_auditor(self, act: Act, person: str) -> None:
        self.check_head_administrator(act)
        pid = person_id(person)
        self.check_is_auditor(pid)
        self._trigger(AuditorRemoved, act, person_id=pid)

    # -- the rules about roles -----------------------------------------------------------

    def check_not_in_role(self, pid: str, head: bool) -> None:
        if pid in self.state.administrators and (pid in self.state.heads) == head:
            role = "a head administrator" if head else "an administrator"
            raise RuleViolation(
                rules.ALREADY_ADMINISTRATOR, f"{pid} is already {role} of {self.state.number}"
            )

    def check_not_auditor_yet(self, pid: str) -> None:
        if pid in self.state.auditors:
            raise RuleViolation(
                rules.ALREADY_AUDITOR, f"{pid} is already an auditor of institution {self.state.number}"
            )

    def check_is_auditor(self, pid: str) -> None:
        if pid not in self.state.auditors:
            raise RuleViolation(
                rules.NOT_AN_AUDITOR, f"{pid} is not an auditor of institution {self.state.number}"
            )

    def check_is_administrator(self, pid: str) -> None:
        if pid not in self.state.administrators:
            raise RuleViolation(
                rules.NOT_AN_ADMINISTRATOR,
                f"{pid} is not an administrator of institution {self.state.number}",
            )

    def check_not_last_head(self, pid: str) -> None:
        if self.state.heads == {pid}:
            raise RuleViolation(
                rules.LAST_HEAD_ADMINISTRATOR,
                f"{pid} is the last head administrator of {self.state.number}: appoint another head first",
            )
