"""A fixed story of one institution touching every event class, with pinned times.

Shared by the unit tests; also what the golden files in ``data/`` were written
from (by the code before the domain was split), so stored bytes can be compared.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from grantbook.domain import Act, Institution, ProtectedNumber, RosterEntry

NUMBER = "034793"
IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PROTECTED = ProtectedNumber(
    masked="**.**.**-***.28", digest="d" * 64, ciphertext="c2VjcmV0", key_id="0123456789abcdef"
)


def entry(pid: str, first: str, last: str, status: str = "Actief") -> RosterEntry:
    return RosterEntry(
        person_id=pid, first_name=first, last_name=last, category="Medewerker",
        status=status, begin_date=date(2017, 3, 2), end_date=date(2030, 3, 2),
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
    institution.cancel(at(9, "mia"))
    institution.extend(at(10), "90001", IRIS, date(2028, 8, 31))
    institution.add_support_worker(at(11), "OND-0001", "Dirk", "Fonteyn", PROTECTED, "speech therapist")
    institution.revoke(at(12), "90002", IRIS, reason="left the school")
    institution.appoint_administrator(at(13), "tom")
    institution.appoint_administrator(at(14), "tom", head=True)
    institution.remove_administrator(at(15), "mia")
    institution.import_roster(at(16), ROSTER[:2])
    return institution
