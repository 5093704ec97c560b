"""The institution in memory, the government checklist step by step: register,
roster, search, select, assign, confirm, cancel (back, the frozen selection
and the quick grant: test_step_three.py). Every refusal names its rule
and leaves the institution as it was (``refused``)."""

from __future__ import annotations

from datetime import date

import pytest
from story import (
    IRIS,
    MAIL,
    NUMBER,
    PROTECTED,
    at,
    catalogue_with_mail,
    entry,
    granted,
    refused,
    school,
    staff,
)

from grantbook.domain import ACTIVE, MAX_SELECTION, Institution, RuleViolation, rules
from grantbook.domain.catalogue import add_years
from grantbook.domain.events import PersonDeselected

# -- register ----------------------------------------------------------------------


def test_registering_makes_every_named_administrator_a_head() -> None:
    institution = Institution.register(at(0), NUMBER, "  De Linde ", ["jan", "mia", "jan"])
    assert institution.id == Institution.id_for("034793")
    assert (institution.state.number, institution.state.name) == ("034793", "De Linde")
    assert institution.state.administrators == institution.state.heads == {"jan", "mia"}
    assert [type(e).__name__ for e in institution.collect_events()] == ["InstitutionRegistered"]


@pytest.mark.parametrize(
    ("number", "name", "admins", "rule"),
    [
        ("34793", "De Linde", ["jan"], rules.INSTITUTION_NUMBER),
        (NUMBER, "De Linde", [], rules.ADMINISTRATOR_REQUIRED),
        (NUMBER, "   ", ["jan"], rules.INSTITUTION_NAME),
        (NUMBER, "De Linde", ["jan doe"], rules.PERSON_ID),
    ],
)
def test_registering_needs_a_number_a_name_and_an_administrator(number, name, admins, rule) -> None:
    with pytest.raises(RuleViolation) as refusal:
        Institution.register(at(0), number, name, admins)
    assert refusal.value.rule == rule


# -- roster ------------------------------------------------------------------------


def test_a_new_roster_marks_whoever_is_missing_inactive_but_keeps_support_workers() -> None:
    institution = school()
    institution.add_support_worker(at(3), "OND-1", "Dirk", "Fonteyn", PROTECTED, "therapist")
    institution.import_roster(at(4), staff(2))
    assert institution.state.persons["90001"].status == ACTIVE
    assert institution.state.persons["90003"].status == "Inactief"
    assert institution.state.persons["OND-1"].status == ACTIVE


def test_only_an_administrator_imports_a_roster() -> None:
    institution = school()
    refused(
        institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.import_roster(at(3, "eve"), staff(2))
    )


def test_a_roster_may_not_take_a_support_workers_person_id() -> None:
    institution = school()
    institution.add_support_worker(at(3), "OND-1", "Dirk", "Fonteyn", PROTECTED, "therapist")
    refused(
        institution,
        rules.ROSTER_PERSON_ID,
        lambda: institution.import_roster(at(4), [entry("OND-1", "Dirk", "Fonteyn")]),
    )


# -- search -------------------------------------------------------------------------


def test_search_finds_by_either_name_order_ignoring_case_and_is_recorded() -> None:
    institution = school()
    assert [p.person_id for p in institution.search(at(3), "first2 LAST2")] == ["90002"]
    assert [p.person_id for p in institution.search(at(3), "last2 first2")] == ["90002"]
    everyone = institution.search(at(3))
    assert len(everyone) == 31 and everyone == sorted(everyone, key=lambda p: (p.last_name, p.first_name))
    events = institution.collect_events()
    assert [(type(e).__name__, e.results) for e in events] == [("StaffSearched", 1)] * 2 + [
        ("StaffSearched", 31)
    ]


def test_only_an_administrator_searches() -> None:
    institution = school()
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.search(at(3, "eve"), "x"))


# -- select and deselect ----------------------------------------------------------------


def test_each_administrator_has_a_selection_of_their_own() -> None:
    institution = school()
    institution.select(at(3), ["90001", "90002"])
    institution.select(at(3, "mia"), ["90002"])
    institution.deselect(at(4), ["90001"])
    assert [p.person_id for p in institution.selection(at(5))] == ["90002"]
    assert [p.person_id for p in institution.selection_of("mia")] == ["90002"]


def test_at_most_max_selection_persons_are_selected() -> None:
    institution = school()
    assert MAX_SELECTION == 25
    institution.select(at(3), [f"{90000 + i}" for i in range(1, 21)])
    error = refused(
        institution,
        rules.SELECTION_LIMIT,
        lambda: institution.select(at(4), [f"{90000 + i}" for i in range(21, 27)]),
    )
    assert "20 selected + 6 more = 26" in error.message
    institution.select(at(4), [f"{90000 + i}" for i in range(21, 26)])  # exactly 25
    assert len(institution.selection_of("jan")) == MAX_SELECTION


@pytest.mark.parametrize(
    ("wanted", "rule"),
    [
        (["12345"], rules.UNKNOWN_PERSON),
        (["80001"], rules.INACTIVE_PERSON),  # status Inactief, not Actief
        (["90001"], rules.ALREADY_SELECTED),
        (["90002", "90002"], rules.ALREADY_SELECTED),
        (["bad id!"], rules.PERSON_ID),
    ],
)
def test_only_active_persons_not_yet_selected_are_selected(wanted, rule) -> None:
    institution = school()
    institution.select(at(3), ["90001"])
    refused(institution, rule, lambda: institution.select(at(4), wanted))


def test_only_administrators_select_and_only_what_is_selected_is_deselected() -> None:
    institution = school()
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.select(at(3, "eve"), ["90001"]))
    refused(institution, rules.NOT_SELECTED, lambda: institution.deselect(at(3), ["90001"]))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.selection(at(3, "eve")))


# -- assign ------------------------------------------------------------------------------


def test_assign_needs_a_selection_a_catalogued_right_and_context_and_a_period() -> None:
    institution = school()
    assign = institution.assign
    refused(institution, rules.EMPTY_SELECTION, lambda: assign(at(3), IRIS, "Gebruiker", _day(1), _day(2)))
    institution.select(at(3), ["90001"])
    refused(institution, rules.UNKNOWN_RIGHT, lambda: assign(at(4), "Nope", "Gebruiker", _day(1), _day(2)))
    refused(institution, rules.UNKNOWN_CONTEXT, lambda: assign(at(4), IRIS, "Lezer", _day(1), _day(2)))
    refused(institution, rules.PERIOD, lambda: assign(at(4), IRIS, "Gebruiker", _day(2), _day(1)))
    too_long = add_years(_day(1), 4) + (_day(2) - _day(1))
    refused(institution, rules.MAXIMUM_VALIDITY, lambda: assign(at(4), IRIS, "Gebruiker", _day(1), too_long))
    assign(at(4), IRIS, "Gebruiker", _day(1), add_years(_day(1), 4))  # four years exactly
    assert institution.state.pending["jan"].end == date(2030, 12, 1)


def test_a_head_only_right_is_assigned_by_a_head_and_others_by_any_administrator() -> None:
    institution = school()
    institution.select(at(3, "piet"), ["90001"])
    refused(
        institution,
        rules.NOT_A_HEAD_ADMINISTRATOR,
        lambda: institution.assign(at(4, "piet"), IRIS, "Gebruiker", _day(1), _day(2)),
    )
    institution.assign(at(4, "piet"), MAIL, "Gebruiker", _day(1), date(2040, 1, 1), catalogue_with_mail())
    [grant] = institution.confirm(at(5, "piet"), catalogue_with_mail())
    assert (grant.right, grant.granted_by) == (MAIL, "piet")


# -- confirm and cancel -------------------------------------------------------------------


def test_confirm_gives_everyone_selected_the_same_period_and_empties_the_selection() -> None:
    institution = school()
    institution.select(at(3), ["90002", "90001"])
    institution.assign(at(4), IRIS, "Gebruiker", _day(1), date(2027, 8, 31))
    grants = institution.confirm(at(5))
    assert [(g.grant_id, g.person_id) for g in grants] == [("034793-1", "90002"), ("034793-2", "90001")]
    assert {(g.begin, g.end, g.granted_at) for g in grants} == {(_day(1), date(2027, 8, 31), at(5).now)}
    assert institution.selection_of("jan") == [] and "jan" not in institution.state.pending
    assert [g.person_id for g in institution.rights_on(date(2027, 1, 1))] == ["90002", "90001"]


def test_confirm_needs_a_pending_assignment_and_a_selection() -> None:
    institution = school()
    refused(institution, rules.NO_PENDING_ASSIGNMENT, lambda: institution.confirm(at(3)))
    institution.select(at(3), ["90001"])
    institution.assign(at(4), IRIS, "Gebruiker", _day(1), _day(2))
    # A deselect after assign, as stores written before docs/adr/0015 may hold (now refused).
    institution._trigger(PersonDeselected, at(5), person_id="90001")
    refused(institution, rules.EMPTY_SELECTION, lambda: institution.confirm(at(6)))


def test_confirm_refuses_an_overlapping_grant_of_the_same_right_and_context() -> None:
    institution = school()
    granted(institution, "90001", begin=_day(1), end=date(2027, 6, 30))
    institution.select(at(6), ["90002", "90001"])
    institution.assign(at(7), IRIS, "Gebruiker", date(2027, 6, 30), date(2027, 8, 31))
    error = refused(institution, rules.OVERLAPPING_GRANT, lambda: institution.confirm(at(8)))
    assert "90001" in error.message and "extend it instead" in error.message
    granted(institution, "90001", begin=_day(1), end=date(2027, 6, 30), context="Operator", actor="mia")


def test_confirm_checks_the_persons_and_the_granter_again() -> None:
    institution = school()
    institution.select(at(3), ["90001", "90002"])
    institution.assign(at(4), IRIS, "Gebruiker", _day(1), _day(2))
    institution.import_roster(at(5), staff(1))  # 90002 left: now Inactief
    refused(institution, rules.INACTIVE_PERSON, lambda: institution.confirm(at(6)))
    institution.back(at(6))
    institution.deselect(at(6), ["90002"])
    institution.assign(at(6), IRIS, "Gebruiker", _day(1), _day(2))
    institution.appoint_administrator(at(7, "mia"), "jan", head=False)  # jan is no longer a head
    refused(institution, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: institution.confirm(at(8)))


def test_cancel_drops_the_pending_assignment_and_empties_the_selection() -> None:
    institution = school()
    refused(institution, rules.NO_PENDING_ASSIGNMENT, lambda: institution.cancel(at(3)))
    institution.select(at(3), ["90001"])
    institution.assign(at(4), IRIS, "Gebruiker", _day(1), _day(2))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.cancel(at(5, "eve")))
    institution.cancel(at(5))
    assert "jan" not in institution.state.pending
    assert institution.selection_of("jan") == []


def _day(n: int) -> date:
    return date(2026, 12, n)
