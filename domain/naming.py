"""What an institution is called: a head administrator renames it (``grantbook institution rename``).

A mixin of ``Institution`` (like appointments.py), so the rights workflow in institution.py does not
grow: the command checks its rules, then records ``InstitutionRenamed`` (events_naming.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import rules
from .events_naming import InstitutionRenamed
from .rules import RuleViolation
from .values import Act

if TYPE_CHECKING:
    from .checks import InstitutionChecks

    Base: Any = InstitutionChecks
else:
    Base = object


class Naming(Base):
    """Mixed into ``Institution`` (which has ``_trigger`` and the ``check_*`` rules)."""

    def rename(self, act: Act, name: str) -> tuple[str, str]:
        """Only a head administrator; the name is checked as at registration. The same name again is
        refused (like appointing someone to a role they hold): nothing would change, and an event that
        changes nothing would only lengthen the audit trail. Returns the previous and the new name."""
        self.check_head_administrator(act)
        name = self.check_institution_name(name)
        self.check_new_name(name)
        previous = self.state.name
        self._trigger(InstitutionRenamed, act, previous_name=previous, name=name)
        return previous, name

    def check_new_name(self, name: str) -> None:
        if name == self.state.name:
            raise RuleViolation(
                rules.SAME_INSTITUTION_NAME,
                f"institution {self.state.number} is already called {name!r}: nothing to rename",
            )
