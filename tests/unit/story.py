"""A fixed story of one institution touching every event class, with pinned times.

Shared by the unit tests; also what the golden files in ``data/`` were written
from (by the code before the domain was split), so stored bytes can be compared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from grantbook.domain import (
    Act,
    Catalogue,
    Institution,
    ProtectedNumber,
    Right,
    RosterEntry,
    RuleViolation,
    default_catalogue,
)

NUMBER = "034793"
IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PROTECTED = ProtectedNumber(
    masked="**.**.**-***.28", digest="d" * 64, ciphertext="c2VjcmV0", key_id="0123456789abcdef"
)


def entry(pid: str, first: str, last: str, status: str = "Actief") -> RosterEntry:
    return RosterEntry(
        person_id=pid,
        first_name=first,
        last_name=last,
        category="Medewerker",
        status=status,
        begin_date=date(2017, 3, 2),
        end_date=date(2030, 3, 2),
    )


ROSTER = [
    entry("90001", "An", "Claes"),
    entry("90002", "Bert", "Dewulf"),
    entry("90003", "Chris", "Engels"),
    entry("80001", "Old", "Timer", status="Inactief"),
]


def at(minutes: int, actor: str = "jan") -> Act:
    return Act(actor, START + timedelta(minutes=minutes))


def full_story() -> Institution:
    """Every command once (some twice), in a sensible order."""
    institution = Institution.register(at(0), NUMBER, "De Linde", ["jan", "mia"])
    institution.import_roster(at(1), ROSTER)
    institution.search(at(2), "claes")
    institution.select(at(3), ["90001", "90002", "90003"])
    institution.deselect(at(4), ["90003"])
    institution.assign(at(5), IRIS, "Gebruiker", date(2026, 12, 1), date(2027, 8, 31))
    institution.confirm(at(6))
    institution.select(at(7, "mia"), ["90003"])
    institution.assign(at(8, "mia"), IRIS, "Operator", date(2026, 12, 1), date(2027, 6, 30))
    institution.back(at(9, "mia"))  # what cancel recorded before docs/adr/0015
    institution.extend(at(10), "90001", IRIS, date(2028, 8, 31))
    institution.add_support_worker(at(11), "OND-0001", "Dirk", "Fonteyn", PROTECTED, "speech therapist")
    institution.revoke(at(12), "90002", IRIS, reason="left the school")
    institution.appoint_administrator(at(13), "tom")
    institution.appoint_administrator(at(14), "tom", head=True)
    institution.remove_administrator(at(15), "mia")
    institution.import_roster(at(16), ROSTER[:2])
    return institution


# -- helpers for the rule tests ------------------------------------------------

TODAY = START.date()
MAIL = "Mail (any administrator grants it)"


def staff(n: int, start: int = 1, status: str = "Actief") -> list[RosterEntry]:
    return [entry(f"{90000 + i}", f"First{i}", f"Last{i}", status) for i in range(start, start + n)]


def school() -> Institution:
    """034793 with heads jan and mia, ordinary administrator piet, 30 active staff
    (90001-90030) and one inactive (80001); no events pending."""
    institution = Institution.register(at(0), NUMBER, "De Linde", ["jan", "mia"])
    institution.import_roster(at(1), [*staff(30), entry("80001", "Old", "Timer", status="Inactief")])
    institution.appoint_administrator(at(2), "piet")
    institution.collect_events()
    return institution


def catalogue_with_mail() -> Catalogue:
    """The shipped catalogue plus a right any administrator may grant, without a maximum."""
    mail = Right(code="mail", name=MAIL, description="mail", contexts=("Gebruiker", "Beheerder"))
    return Catalogue(rights=(*default_catalogue().rights, mail))


def granted(
    institution: Institution,
    *pids: str,
    begin: date = date(2026, 12, 1),
    end: date = date(2027, 8, 31),
    context: str = "Gebruiker",
    actor: str = "jan",
) -> None:
    institution.select(at(5, actor), list(pids))
    institution.assign(at(5, actor), IRIS, context, begin, end)
    institution.confirm(at(5, actor))


def refused(institution: Institution, rule: str, command: Callable[[], object]) -> RuleViolation:
    """The command raises RuleViolation naming ``rule`` and changes nothing."""
    state = institution.state.model_copy(deep=True)
    version, pending = institution.version, len(institution.pending_events)
    with pytest.raises(RuleViolation) as refusal:
        command()
    assert refusal.value.rule == rule, refusal.value
    assert institution.state == state
    assert (institution.version, len(institution.pending_events)) == (version, pending)
    return refusal.value
