"""The audit page's sentences (web/audit_text.py): one for every event type, in Dutch, times in
Brussels, persons by name, and a national register number typed into an old search masked."""

from __future__ import annotations

import grantbook.domain.events  # noqa: F401  (every event module registers its classes)
from grantbook.domain.event_base import EVENT_CLASSES, InstitutionEvent
from grantbook.web.audit_text import KINDS, SENTENCES, masked, sentence

NAMES = {
    "90001": "Els Peeters",
    "90002": "Jan Janssens",
    "s1": "Ali Benali (ondersteuner)",
    "jan": "Jan Peeters",
}


def names(person_id: str) -> str:
    return NAMES.get(person_id, person_id)


def every_event_type() -> set[str]:
    found: set[str] = set()
    waiting = list(InstitutionEvent.__subclasses__())
    while waiting:
        cls = waiting.pop()
        found.add(cls.__name__)
        waiting.extend(cls.__subclasses__())
    return found | set(EVENT_CLASSES)


def test_every_event_type_has_a_sentence_and_a_kind() -> None:
    types = every_event_type()
    assert len(types) >= 23
    assert types - set(SENTENCES) == set(), "an event type without a Dutch sentence in web/audit_text.py"
    kinds = {event for _, events in KINDS.values() for event in events}
    assert types - kinds == set(), "an event type in no kind of the audit page's filter"
    assert set(SENTENCES) - types == set()


def test_a_sentence_never_shows_none_or_python_even_with_details_missing() -> None:
    for event in SENTENCES:
        said = sentence(
            {"event": event, "actor": "jan", "recorded_at": "2026-12-07T13:05:00+00:00", "details": {}}, names
        )
        assert said.startswith("Op 07/12/2026 om 14:05 heeft Jan Peeters ") and said.endswith("."), event
        assert "None" not in said and "[" not in said and "{" not in said, (event, said)


def test_a_grant_names_the_persons_the_right_the_period_and_when() -> None:
    row = {
        "event": "AssignmentConfirmed",
        "actor": "jan",
        "recorded_at": "2026-07-01T12:05:09.123456+00:00",  # summer time: 14:05 in Brussels
        "details": {
            "right": "IRIS-Platform (Leerlingenpaspoort) Gebruiker",
            "context": "Gebruiker",
            "begin": "2026-09-01",
            "end": "2027-08-31",
            "grants": [
                {
                    "grant_id": "g1",
                    "person_id": "90001",
                    "first_name": "Els",
                    "last_name": "Peeters",
                    "category": "M",
                },
                {
                    "grant_id": "g2",
                    "person_id": "s1",
                    "first_name": "Ali",
                    "last_name": "Benali",
                    "category": "O",
                },
            ],
        },
    }
    assert sentence(row, names) == (
        "Op 01/07/2026 om 14:05 heeft Jan Peeters het gebruikersrecht IRIS-Platform (Leerlingenpaspoort) "
        "Gebruiker (context Gebruiker) toegekend aan Els Peeters en Ali Benali, van 01/09/2026 t.e.m. 31/08/2027."
    )


def test_revocations_and_voids_carry_their_reason_and_many_persons_are_counted() -> None:
    revoked = {
        "event": "RightsRevoked",
        "actor": "jan",
        "recorded_at": "2026-12-07T13:05:00+00:00",
        "details": {
            "right": "R",
            "revoked_on": "2026-12-08",
            "reason": "einde opdracht",
            "grants": [
                {"grant_id": f"g{i}", "person_id": f"p{i}", "context": "Gebruiker"} for i in range(14)
            ],
        },
    }
    said = sentence(revoked, names)
    assert "ingetrokken vanaf 08/12/2026, met als reden: einde opdracht." in said
    assert "p0, p1" in said and "p9 en 4 anderen" in said and "p10" not in said
    voided = {
        "event": "GrantVoided",
        "actor": "jan",
        "recorded_at": "2026-12-07T13:05:00+00:00",
        "details": {
            "person_id": "90002",
            "right": "R",
            "context": "Gebruiker",
            "reason": "verkeerde persoon",
        },
    }
    assert "van Jan Janssens ongeldig verklaard" in sentence(voided, names)
    assert "verkeerde persoon" in sentence(voided, names)


def test_a_national_number_in_an_old_search_is_masked() -> None:
    for typed in ("85073003328", "85.07.30-033.28", "zoek 85073003328 aub"):
        row = {
            "event": "StaffSearched",
            "actor": "jan",
            "recorded_at": "2026-12-07T13:05:00+00:00",
            "details": {"name_filter": typed, "results": 1},
        }
        said = sentence(row, names)
        assert "**.**.**-***.28" in said and "85073003" not in said and "033" not in said, said
        assert "1 persoon gevonden" in said
    assert masked("Peeters") == "Peeters" and masked("12345678901") == "***********"
    assert masked("**.**.**-***.28") == "**.**.**-***.28"  # masking twice is harmless
    assert masked("klas 3") == "klas 3"
