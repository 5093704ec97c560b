"""``Institution.grant_many`` (the JSON API's grant): several persons, one right, the three steps'
rules in ONE ``AssignmentConfirmed`` marked direct; the actor's selection and step 2 untouched."""

from __future__ import annotations

from datetime import date

from story import IRIS, at, refused, school

from grantbook.domain import rules
from grantbook.domain.events import AssignmentConfirmed

BEGIN, END = date(2026, 12, 1), date(2027, 8, 31)


def test_three_persons_are_one_direct_event_and_the_selection_stays() -> None:
    institution = school()
    institution.select(at(3), ["90010"])
    institution.collect_events()
    grants = institution.grant_many(at(4), ["90001", "90002", "90003"], IRIS, "Gebruiker", BEGIN, END)
    assert [g.person_id for g in grants] == ["90001", "90002", "90003"]
    assert [g.grant_id for g in grants] == ["034793-1", "034793-2", "034793-3"]
    [event] = institution.collect_events()
    assert isinstance(event, AssignmentConfirmed) and event.direct and len(event.grants) == 3
    assert [p.person_id for p in institution.selection(at(5))] == ["90010"]


def test_every_refused_person_is_named_and_nothing_recorded() -> None:
    institution = school()
    institution.grant_many(at(4), ["90001"], IRIS, "Gebruiker", BEGIN, END)
    institution.collect_events()
    error = refused(
        institution,
        rules.OVERLAPPING_GRANT,
        lambda: institution.grant_many(at(5), ["90002", "90001", "80001"], IRIS, "Gebruiker", BEGIN, END),
    )
    assert len(error.facts["refused"]) == 2


def test_limits_twice_named_empty_and_administrators_only() -> None:
    institution = school()
    many = [f"{90000 + i}" for i in range(1, 27)]
    refused(
        institution,
        rules.SELECTION_LIMIT,
        lambda: institution.grant_many(at(4), many, IRIS, "Gebruiker", BEGIN, END),
    )
    refused(
        institution,
        rules.ALREADY_SELECTED,
        lambda: institution.grant_many(at(4), ["90001", "90001"], IRIS, "Gebruiker", BEGIN, END),
    )
    refused(
        institution,
        rules.EMPTY_SELECTION,
        lambda: institution.grant_many(at(4), [], IRIS, "Gebruiker", BEGIN, END),
    )
    refused(
        institution,
        rules.NOT_AN_ADMINISTRATOR,
        lambda: institution.grant_many(at(4, "eve"), ["90001"], IRIS, "Gebruiker", BEGIN, END),
    )
    refused(
        institution,
        rules.MAXIMUM_VALIDITY,
        lambda: institution.grant_many(at(4), ["90001"], IRIS, "Gebruiker", BEGIN, date(2031, 1, 1)),
    )
    assert len(institution.grant_many(at(4), many[:25], IRIS, "Gebruiker", BEGIN, END)) == 25
