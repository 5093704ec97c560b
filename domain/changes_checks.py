"""The rules of the later changes to grants (extend, revoke, void), and how a command about many
persons is refused whole, naming every person it cannot take (docs/adr/0016).

Mixed into ``Institution`` with the commands that use them (changes.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from . import rules
from .rules import RuleViolation
from .state import ACTIVE, Grant
from .text import shown

if TYPE_CHECKING:
    from .catalogue import Right
    from .checks import InstitutionChecks
    from .values import Act

    Base: Any = InstitutionChecks
else:
    Base = object

T = TypeVar("T")

# What a refusal of many says of each person it cannot take (the full sentence when only one).
_WHY = {
    rules.NO_ACTIVE_GRANT: "no live grant",
    rules.INACTIVE_PERSON: "not Actief",
    rules.MAXIMUM_VALIDITY: "maximum duration",
    rules.END_DATE_NOT_LATER: "already ends on or after the new end date",
    rules.OVERLAPPING_GRANT: "would overlap a later grant",
    rules.AMBIGUOUS_GRANT: "holds it in several contexts: name one with --context",
}


def each_or_refuse(doing: str, items: Sequence[tuple[str, Callable[[], T]]]) -> list[T]:
    """Runs every item's checks (label, check) and returns what they give; if any refuses, the
    whole command is refused naming each refused item and why. One item alone is refused with its
    own rule and sentence, as a command about one person always was."""
    if not items:
        raise RuleViolation(rules.USAGE, f"{doing} needs at least one person")
    found: list[T] = []
    failures: list[tuple[str, RuleViolation]] = []
    for label, check in items:
        try:
            found.append(check())
        except RuleViolation as error:
            if len(items) == 1:
                raise
            failures.append((label, error))
    if failures:
        named = {error.rule for _, error in failures}
        rule = named.pop() if len(named) == 1 else rules.PERSONS_REFUSED
        listed = "; ".join(f"{label} ({_why(error)})" for label, error in failures)
        raise RuleViolation(
            rule, f"{doing} refused for {len(failures)} of {len(items)}, nothing was changed: {listed}"
        )
    return found


def _about(grant: Grant) -> dict[str, object]:
    """The facts of a refusal about one grant (web/messages.py names the person and the right)."""
    return {
        "person": grant.person_id,
        "right": grant.right,
        "context": grant.context,
        "grant_id": grant.grant_id,
    }


def _why(error: RuleViolation) -> str:
    return getattr(error, "short", None) or _WHY.get(error.rule) or error.message


class ChangeChecks(Base):
    """The ``check_*`` rules of extend, revoke and void, over the institution's state."""

    # -- extend --------------------------------------------------------------------------

    def check_grant_to_extend(self, act: Act, pid: str, right: str, context: str | None) -> Grant:
        """The one live grant an extension applies to (the latest-ending one)."""
        live = [
            g for g in self._grants_of(pid, right, context) if g.revoked_on is None and g.end >= act.today
        ]
        if not live:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"person {pid} has no grant of {right!r} that is neither revoked "
                f"nor ended before {act.today.isoformat()}",
                person=pid,
                right=right,
                context=context,
            )
        contexts = sorted({g.context for g in live})
        if len(contexts) > 1:
            raise RuleViolation(
                rules.AMBIGUOUS_GRANT,
                f"person {pid} holds {right!r} in contexts {', '.join(contexts)}: name one with --context",
            )
        return max(live, key=lambda g: g.end)

    def check_still_active(self, pid: str) -> None:
        """An extension gives more time to someone still at the school: a leaver's right is left to run
        out (or revoked), as a leaver is not granted one (``check_selectable``)."""
        person = self.state.persons.get(pid)
        if person is not None and person.status != ACTIVE:
            raise RuleViolation(
                rules.INACTIVE_PERSON,
                f"person {pid} has status {person.status}, not {ACTIVE}: not extended",
                person=pid,
            )

    def check_extension(self, grant: Grant, right: Right, new_end: date) -> None:
        """A later end, within the right's maximum from the grant's begin, running into no other grant."""
        self.check_later_end(grant, new_end)
        try:
            right.check_period(grant.begin, new_end)
        except RuleViolation as error:
            latest = right.latest_end(grant.begin)
            error.short = f"maximum duration: from {grant.begin.isoformat()} at most {latest}"  # type: ignore[attr-defined]
            raise
        self.check_extension_overlaps_nothing(grant, new_end)

    def check_grants_ending(self, act: Act, right: Right, context: str | None, ending: date) -> list[Grant]:
        """A rollover's grants: of the right (and context, if named), neither revoked nor voided,
        ending exactly on ``ending`` (today or later: an ended grant is not extended)."""
        if ending < act.today:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"grants ending on {ending.isoformat()} ended before today ({act.today.isoformat()}): "
                "an ended grant is not extended",
            )
        found = [
            g
            for g in self.state.grants.values()
            if g.same_right(right.name, context)
            and g.end == ending
            and g.revoked_on is None
            and g.voided_at is None
        ]
        if not found:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT, f"no grant of {right.name!r} ends on {ending.isoformat()}"
            )
        return found

    @staticmethod
    def check_later_end(grant: Grant, new_end: date) -> None:
        if new_end <= grant.end:
            raise RuleViolation(
                rules.END_DATE_NOT_LATER,
                f"the new end date {new_end.isoformat()} must be later than "
                f"the current end date {grant.end.isoformat()}",
                **_about(grant),
                end=grant.end,
                new_end=new_end,
            )

    def check_extension_overlaps_nothing(self, grant: Grant, new_end: date) -> None:
        clash = self._overlapping(grant.person_id, grant.right, grant.context, grant.end, new_end, grant)
        if clash is not None:
            raise RuleViolation(
                rules.OVERLAPPING_GRANT,
                f"extending to {new_end.isoformat()} would overlap grant {clash.grant_id} "
                f"from {clash.begin.isoformat()}",
                **_about(clash),
                begin=clash.begin,
                end=clash.end,
                new_end=new_end,
            )

    # -- revoke --------------------------------------------------------------------------

    @staticmethod
    def check_revoke_day(act: Act, first_day: date | None) -> date:
        """The first day the right is no longer held: today, or a later day; never an earlier one
        (the past is what was held, and stays so)."""
        if first_day is None:
            return act.today
        if first_day < act.today:
            raise RuleViolation(
                rules.REVOKE_DATE,
                f"--from {first_day.isoformat()} is before today ({act.today.isoformat()}): "
                "a right is revoked from today or a later day",
                first_day=first_day,
                today=act.today,
            )
        return first_day

    def check_grants_to_revoke(
        self, act: Act, pid: str, right: str, context: str | None, day: date | None = None
    ) -> list[Grant]:
        """The grants a revocation from ``day`` (default today) ends: not voided, not ended before it,
        and not revoked already from that day or earlier (a later revocation is moved earlier)."""
        day = act.today if day is None else day
        mine = self._grants_of(pid, right, context)
        live = [g for g in mine if g.end >= day and (g.revoked_on is None or g.revoked_on > day)]
        if live:
            return live
        planned = sorted(g.revoked_on for g in mine if g.revoked_on and act.today < g.revoked_on <= day)
        if planned:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"person {pid}'s grant of {right!r} is already revoked from {planned[0].isoformat()}",
            )
        raise RuleViolation(
            rules.NO_ACTIVE_GRANT,
            f"person {pid} holds no unrevoked grant of {right!r} ending on or after {day.isoformat()}",
        )

    # -- one grant by its id (a row of the rights page) -----------------------------------

    def check_grant_of(self, grant_id: str) -> Grant:
        """The grant with that id at this institution, voided or not (else ``unknown-grant``)."""
        grant = self.state.grants.get(str(grant_id).strip())
        if grant is None:
            raise RuleViolation(
                rules.UNKNOWN_GRANT,
                f"institution {self.state.number} has no grant {shown(str(grant_id))}",
                grant_id=str(grant_id)[:60],
            )
        return grant

    @staticmethod
    def check_grant_extendable(act: Act, grant: Grant) -> None:
        """Extended only while it runs or is to come: not voided, not revoked (a planned revocation
        too: as ``extend``), not ended before today."""
        if grant.voided_at is not None or grant.revoked_on is not None or grant.end < act.today:
            why = (
                "was voided" if grant.voided_at is not None
                else f"is revoked from {grant.revoked_on.isoformat()}" if grant.revoked_on is not None
                else f"ended on {grant.end.isoformat()}"
            )
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"grant {grant.grant_id} of person {grant.person_id} {why}: it is not extended",
                **_about(grant),
            )

    @staticmethod
    def check_grant_revocable(act: Act, grant: Grant, day: date) -> None:
        """Revoked from ``day`` only if held then or later: not voided, not ended before ``day``, not
        revoked already from ``day`` or earlier (a later planned revocation is moved earlier)."""
        if grant.voided_at is not None or grant.end < day:
            why = "was voided" if grant.voided_at is not None else f"ends on {grant.end.isoformat()}"
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"grant {grant.grant_id} of person {grant.person_id} {why}: "
                f"nothing to revoke from {day.isoformat()}",
                **_about(grant),
                first_day=day,
            )
        if grant.revoked_on is not None and grant.revoked_on <= day:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"grant {grant.grant_id} of person {grant.person_id} is already revoked "
                f"from {grant.revoked_on.isoformat()}",
                **_about(grant),
                revoked_on=grant.revoked_on,
            )

    # -- void ----------------------------------------------------------------------------

    def check_grant_to_void(self, grant_id: str) -> Grant:
        grant = self.state.grants.get(grant_id.strip())
        if grant is None:
            raise RuleViolation(
                rules.UNKNOWN_GRANT, f"institution {self.state.number} has no grant {shown(grant_id)}"
            )
        if grant.voided_at is not None:
            raise RuleViolation(
                rules.ALREADY_VOIDED,
                f"grant {grant.grant_id} was voided already by {grant.voided_by} "
                f"at {grant.voided_at.isoformat()}",
            )
        return grant

    # -- helpers (no rules of their own) -------------------------------------------------

    def _grants_of(self, pid: str, right: str, context: str | None) -> list[Grant]:
        """The person's grants of the right (in the context, if named), voided ones left out."""
        return [
            g
            for g in self.state.grants.values()
            if g.person_id == pid and g.same_right(right, context) and g.voided_at is None
        ]
