"""Changes to rights already granted: extend and revoke (one person, several at once, or a school
year's rollover) and void a grant entered by mistake (docs/adr/0016).

A command naming several persons is one event, applied whole or refused whole: the refusal names
every person it cannot take, and why (``each_or_refuse``). A command about one person records the
event it always did (``EndDateExtended``, ``RightRevoked``), so its trail reads as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import rules
from .catalogue import Catalogue, Right, default_catalogue
from .changes_checks import ChangeChecks, each_or_refuse
from .events import (
    EndDateExtended,
    EndDatesExtended,
    ExtendedGrant,
    GrantVoided,
    RevokedGrant,
    RightRevoked,
    RightsRevoked,
)
from .rules import RuleViolation
from .state import ACTIVE, Grant, Person
from .values import Act, person_id


@dataclass(frozen=True)
class Rollover:
    """What ``extend_ending`` did: the grants it moved, and the holders it left alone (not Actief)."""

    extended: list[Grant]
    left_alone: list[Person]


class InstitutionChanges(ChangeChecks):
    """Mixed into ``Institution`` (which has ``_trigger`` and the other ``check_*`` rules)."""

    # -- extend --------------------------------------------------------------------------

    def extend(
        self,
        act: Act,
        person: str,
        right: str,
        new_end: date,
        context: str | None = None,
        catalogue: Catalogue | None = None,
    ) -> Grant:
        """One person's live grant of ``right`` ends on ``new_end`` instead."""
        return self.extend_many(act, [person], right, new_end, context, catalogue)[0]

    def extend_many(
        self,
        act: Act,
        persons: Sequence[str],
        right: str,
        new_end: date,
        context: str | None = None,
        catalogue: Catalogue | None = None,
    ) -> list[Grant]:
        """Each person's live grant of ``right`` ends on ``new_end``: all of them, or none."""
        self.check_administrator(act)
        pids = list(dict.fromkeys(person_id(p) for p in persons))
        catalogued, context = (catalogue or default_catalogue()).resolve(right, context)
        self.check_may_grant(act, catalogued)

        def grant_of(pid: str) -> Grant:
            grant = self.check_grant_to_extend(act, pid, catalogued.name, context)
            self.check_extension(grant, catalogued, new_end)
            self.check_still_active(pid)
            return grant

        grants = each_or_refuse("extending", [(pid, lambda pid=pid: grant_of(pid)) for pid in pids])
        if len(grants) == 1:
            [grant] = grants
            self._trigger(
                EndDateExtended,
                act,
                grant_id=grant.grant_id,
                person_id=grant.person_id,
                right=grant.right,
                context=grant.context,
                previous_end=grant.end,
                new_end=new_end,
            )
        else:
            self._extended(act, catalogued, grants, new_end, None)
        return grants

    def extend_grant(
        self, act: Act, grant_id: str, new_end: date, catalogue: Catalogue | None = None
    ) -> Grant:
        """Exactly one grant, named by its id (a row of the rights page), ends on ``new_end``: the
        rules of ``extend``, and no other grant of the same person, right or context moves."""
        self.check_administrator(act)
        grant = self.check_grant_of(grant_id)
        catalogued, _ = (catalogue or default_catalogue()).resolve(grant.right, grant.context)
        self.check_may_grant(act, catalogued)
        self.check_grant_extendable(act, grant)
        self.check_extension(grant, catalogued, new_end)
        self.check_still_active(grant.person_id)
        self._trigger(
            EndDateExtended,
            act,
            grant_id=grant.grant_id,
            person_id=grant.person_id,
            right=grant.right,
            context=grant.context,
            previous_end=grant.end,
            new_end=new_end,
        )
        return grant

    def extend_ending(
        self,
        act: Act,
        right: str,
        ending: date,
        new_end: date,
        context: str | None = None,
        catalogue: Catalogue | None = None,
    ) -> Rollover:
        """A school year's rollover: every live grant of ``right`` ending on ``ending`` whose holder
        is still Actief ends on ``new_end`` instead, in one event; the others' are left alone."""
        self.check_administrator(act)
        catalogued, context = (catalogue or default_catalogue()).resolve(right, context)
        self.check_may_grant(act, catalogued)
        ending_then = self.check_grants_ending(act, catalogued, context, ending)
        self.check_later_end(ending_then[0], new_end)  # they all end on ``ending``
        moving = [g for g in ending_then if self.state.persons[g.person_id].status == ACTIVE]
        left = list(
            {g.person_id: self.state.persons[g.person_id] for g in ending_then if g not in moving}.values()
        )
        if not moving:
            raise RuleViolation(
                rules.NO_ACTIVE_GRANT,
                f"no grant of {catalogued.name!r} ending on {ending.isoformat()} is held by a person "
                f"still {ACTIVE} ({len(left)} held by persons who are not: nothing to extend)",
            )
        items = [
            (_label(g, moving), lambda g=g: self.check_extension(g, catalogued, new_end)) for g in moving
        ]
        each_or_refuse("extending", items)
        self._extended(act, catalogued, moving, new_end, ending)
        return Rollover(moving, left)

    def _extended(
        self, act: Act, right: Right, grants: list[Grant], new_end: date, ending: date | None
    ) -> None:
        self._trigger(
            EndDatesExtended,
            act,
            right=right.name,
            new_end=new_end,
            ending=ending,
            grants=tuple(
                ExtendedGrant(
                    grant_id=g.grant_id, person_id=g.person_id, context=g.context, previous_end=g.end
                )
                for g in grants
            ),
        )

    # -- revoke --------------------------------------------------------------------------

    def revoke(
        self,
        act: Act,
        person: str,
        right: str,
        context: str | None = None,
        reason: str | None = None,
        catalogue: Catalogue | None = None,
        first_day: date | None = None,
    ) -> list[Grant]:
        """From today (or ``first_day``, today or later) the person no longer holds the right."""
        return self.revoke_many(act, [person], right, context, reason, catalogue, first_day)

    def revoke_many(
        self,
        act: Act,
        persons: Sequence[str],
        right: str,
        context: str | None = None,
        reason: str | None = None,
        catalogue: Catalogue | None = None,
        first_day: date | None = None,
    ) -> list[Grant]:
        """Every live grant of ``right`` of each person ends the day before ``first_day`` (default
        today): all of them, or none. A leaver's right is revoked like anyone's."""
        self.check_administrator(act)
        catalogued, context = (catalogue or default_catalogue()).resolve(right, context)
        self.check_may_grant(act, catalogued)
        reason = self.check_reason(reason, "revoking a right")
        pids = list(dict.fromkeys(person_id(p) for p in persons))
        day = self.check_revoke_day(act, first_day)
        found = each_or_refuse(
            "revoking",
            [
                (pid, lambda pid=pid: self.check_grants_to_revoke(act, pid, catalogued.name, context, day))
                for pid in pids
            ],
        )
        grants = [g for live in found for g in live]
        if len(pids) > 1:
            self._trigger(
                RightsRevoked,
                act,
                right=catalogued.name,
                revoked_on=day,
                reason=reason,
                grants=tuple(
                    RevokedGrant(grant_id=g.grant_id, person_id=g.person_id, context=g.context)
                    for g in grants
                ),
            )
            return grants
        for grant in grants:
            self._trigger(
                RightRevoked,
                act,
                grant_id=grant.grant_id,
                person_id=grant.person_id,
                right=grant.right,
                context=grant.context,
                revoked_on=day,
                reason=reason,
            )
        return grants

    def revoke_grant(
        self,
        act: Act,
        grant_id: str,
        reason: str | None,
        first_day: date | None = None,
        catalogue: Catalogue | None = None,
    ) -> Grant:
        """Exactly one grant, named by its id, is no longer held from today (or ``first_day``): the
        rules of ``revoke``; a later grant of the same person, right and context stays."""
        self.check_administrator(act)
        grant = self.check_grant_of(grant_id)
        catalogued, _ = (catalogue or default_catalogue()).resolve(grant.right, grant.context)
        self.check_may_grant(act, catalogued)
        reason = self.check_reason(reason, "revoking a right")
        day = self.check_revoke_day(act, first_day)
        self.check_grant_revocable(act, grant, day)
        self._trigger(
            RightRevoked,
            act,
            grant_id=grant.grant_id,
            person_id=grant.person_id,
            right=grant.right,
            context=grant.context,
            revoked_on=day,
            reason=reason,
        )
        return grant

    # -- void ----------------------------------------------------------------------------

    def void(self, act: Act, grant_id: str, reason: str | None) -> Grant:
        """A grant entered by mistake: never valid, on any day. Only a head administrator does this,
        with a reason; the grant stays in the trail (and ``--as-of`` before now)."""
        self.check_head_administrator(act)
        reason = self.check_reason(reason, "voiding a grant")
        grant = self.check_grant_to_void(grant_id)
        self._trigger(
            GrantVoided,
            act,
            grant_id=grant.grant_id,
            person_id=grant.person_id,
            right=grant.right,
            context=grant.context,
            reason=reason,
        )
        return grant


def _label(grant: Grant, among: list[Grant]) -> str:
    """A grant in a refusal: its holder, and its context when the holder has several among them."""
    twice = sum(g.person_id == grant.person_id for g in among) > 1
    return f"{grant.person_id} [{grant.context}]" if twice else grant.person_id
