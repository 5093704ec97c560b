"""Step 3's three buttons (Bevestig, Terug, Annuleer), the selection frozen while step 2 waits,
``selection clear``, the quick grant ("Snel recht toekennen") and the warning for a period before
today (docs/adr/0015). Every refusal leaves the institution as it was (``refused``)."""

from __future__ import annotations

from datetime import date

import pytest
from story import IRIS, MAIL, TODAY, at, catalogue_with_mail, entry, granted, refused, school

from grantbook.adapters.persistence import CanonicalJSONTranscoder, PydanticMapper
from grantbook.domain import Cleared, Institution, past_period_warning, rules
from grantbook.domain.catalogue import add_years

BEGIN, END = date(2026, 12, 1), date(2027, 8, 31)
MAPPER = PydanticMapper(transcoder=CanonicalJSONTranscoder())


def pending_school(*pids: str, actor: str = "jan") -> Institution:
    institution = school()
    institution.select(at(3, actor), list(pids or ["90001", "90002"]))
    institution.assign(at(4, actor), IRIS, "Gebruiker", BEGIN, END)
    institution.collect_events()
    return institution


def names(institution: Institution) -> list[str]:
    return [type(e).__name__ for e in institution.collect_events()]


def selected(institution: Institution, actor: str = "jan") -> list[str]:
    return [p.person_id for p in institution.selection_of(actor)]


# -- back ("Terug") ---------------------------------------------------------------------


def test_back_drops_step_two_and_keeps_the_selection() -> None:
    institution = pending_school()
    dropped = institution.back(at(5))
    assert (dropped.right, dropped.context, dropped.begin, dropped.end) == (IRIS, "Gebruiker", BEGIN, END)
    assert "jan" not in institution.state.pending
    assert selected(institution) == ["90001", "90002"]
    assert names(institution) == ["AssignmentCancelled"]  # what cancel recorded before ADR 0015
    institution.deselect(at(6), ["90002"])  # the selection may change again
    assert selected(institution) == ["90001"]


def test_back_needs_an_administrator_and_a_pending_assignment() -> None:
    institution = school()
    institution.select(at(3), ["90001"])
    refused(institution, rules.NO_PENDING_ASSIGNMENT, lambda: institution.back(at(4)))
    institution.assign(at(4), IRIS, "Gebruiker", BEGIN, END)
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.back(at(5, "eve")))
    refused(
        institution, rules.NO_PENDING_ASSIGNMENT, lambda: institution.back(at(5, "mia"))
    )  # jan's, not mia's


# -- cancel ("Annuleer") -----------------------------------------------------------------


def test_cancel_drops_step_two_and_empties_the_selection_in_two_events() -> None:
    institution = pending_school()
    institution.select(at(4, "mia"), ["90003"])
    institution.collect_events()
    cleared = institution.cancel(at(5))
    assert cleared.pending is not None and cleared.pending.right == IRIS
    assert [p.person_id for p in cleared.persons] == ["90001", "90002"]
    events = institution.collect_events()
    assert [type(e).__name__ for e in events] == ["AssignmentCancelled", "SelectionCleared"]
    assert events[1].details() == {"person_ids": ["90001", "90002"]}
    assert institution.state.pending == {} and selected(institution) == []
    assert selected(institution, "mia") == ["90003"]  # another administrator's is their own


def test_cancel_needs_an_administrator_and_a_pending_assignment() -> None:
    institution = school()
    institution.select(at(3), ["90001"])
    refused(institution, rules.NO_PENDING_ASSIGNMENT, lambda: institution.cancel(at(4)))
    institution.assign(at(4), IRIS, "Gebruiker", BEGIN, END)
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.cancel(at(5, "eve")))


# -- the frozen selection --------------------------------------------------------------


@pytest.mark.parametrize("command", ["select", "deselect"])
def test_the_selection_does_not_change_while_step_two_waits(command: str) -> None:
    institution = pending_school()
    wanted = ["90003"] if command == "select" else ["90002"]
    error = refused(
        institution, rules.ASSIGNMENT_PENDING, lambda: getattr(institution, command)(at(5), wanted)
    )
    assert IRIS in error.message
    for way_out in ("grantbook confirm 034793", "grantbook back 034793", "grantbook cancel 034793"):
        assert way_out in error.message
    institution.select(at(5, "mia"), ["90003"])  # mia has no pending assignment
    institution.back(at(6))
    getattr(institution, command)(at(7), wanted)


def test_assigning_again_replaces_step_two_for_the_same_selection() -> None:
    institution = pending_school()
    institution.assign(at(5), IRIS, "Operator", BEGIN, END)
    [first, second] = institution.confirm(at(6))
    assert (first.context, second.context) == ("Operator", "Operator")


# -- selection clear ---------------------------------------------------------------------


def test_clearing_empties_the_selection_and_drops_step_two() -> None:
    institution = pending_school()
    cleared = institution.clear_selection(at(5))
    assert cleared and cleared.pending is not None and len(cleared.persons) == 2
    assert names(institution) == ["AssignmentCancelled", "SelectionCleared"]
    assert institution.state.pending == {} and selected(institution) == []


def test_clearing_a_selection_without_step_two_records_only_that() -> None:
    institution = school()
    institution.select(at(3), ["90001"])
    institution.collect_events()
    cleared = institution.clear_selection(at(4))
    assert cleared.pending is None and [p.person_id for p in cleared.persons] == ["90001"]
    assert names(institution) == ["SelectionCleared"]


def test_clearing_nothing_records_nothing_and_is_no_refusal() -> None:
    institution = school()
    state = institution.state.model_copy(deep=True)
    cleared = institution.clear_selection(at(3))
    assert cleared == Cleared() and not cleared
    assert institution.state == state and names(institution) == []
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.clear_selection(at(3, "eve")))


# -- the quick grant ("Snel recht toekennen") ----------------------------------------------


def test_a_quick_grant_is_one_event_and_leaves_the_selection_and_step_two_alone() -> None:
    institution = pending_school("90001")
    grant = institution.grant(at(5), "90003", "iris", "gebruiker", BEGIN, END)
    assert (grant.grant_id, grant.person_id, grant.right, grant.context) == (
        "034793-1",
        "90003",
        IRIS,
        "Gebruiker",
    )
    assert (grant.begin, grant.end, grant.granted_by) == (BEGIN, END, "jan")
    [event] = institution.collect_events()
    assert type(event).__name__ == "AssignmentConfirmed" and event.direct
    assert selected(institution) == ["90001"] and institution.state.pending["jan"].right == IRIS
    assert [g.person_id for g in institution.confirm(at(6))] == ["90001"]


def test_a_quick_grant_is_stored_marked_direct_and_a_confirm_is_stored_as_before() -> None:
    institution = Institution.register(at(0), "034793", "De Linde", ["jan"])
    institution.import_roster(at(1), [entry("90001", "An", "Claes"), entry("90003", "Chris", "Engels")])
    institution.select(at(2), ["90001"])
    institution.assign(at(3), IRIS, "Gebruiker", BEGIN, END)
    institution.grant(at(4), "90003", IRIS, "Gebruiker", BEGIN, END)
    records = [MAPPER.to_stored_event(e) for e in institution.collect_events()]
    assert b'"direct":true' in records[-1].state
    institution.confirm(at(5))
    [confirmed] = [MAPPER.to_stored_event(e) for e in institution.collect_events()]
    assert b"direct" not in confirmed.state
    records.append(confirmed)
    replayed = None
    for record in records:
        event = MAPPER.to_domain_event(record)
        assert MAPPER.to_stored_event(event) == record  # the bytes, hence the hash, are stable
        replayed = event.mutate(replayed)
    assert replayed is not None and replayed.state == institution.state
    assert replayed.head_hash == institution.head_hash


@pytest.mark.parametrize(
    ("actor", "person", "right", "context", "begin", "end", "rule"),
    [
        ("eve", "90001", IRIS, "Gebruiker", BEGIN, END, rules.NOT_AN_ADMINISTRATOR),
        ("jan", "bad id!", IRIS, "Gebruiker", BEGIN, END, rules.PERSON_ID),
        ("jan", "90001", "Nope", "Gebruiker", BEGIN, END, rules.UNKNOWN_RIGHT),
        ("jan", "90001", IRIS, "Lezer", BEGIN, END, rules.UNKNOWN_CONTEXT),
        ("piet", "90001", IRIS, "Gebruiker", BEGIN, END, rules.NOT_A_HEAD_ADMINISTRATOR),
        ("jan", "90001", IRIS, "Gebruiker", END, BEGIN, rules.PERIOD),
        (
            "jan",
            "90001",
            IRIS,
            "Gebruiker",
            BEGIN,
            add_years(BEGIN, 4) + (END - BEGIN),
            rules.MAXIMUM_VALIDITY,
        ),
        ("jan", "12345", IRIS, "Gebruiker", BEGIN, END, rules.UNKNOWN_PERSON),
        ("jan", "80001", IRIS, "Gebruiker", BEGIN, END, rules.INACTIVE_PERSON),
        ("jan", "90002", IRIS, "Gebruiker", date(2027, 8, 31), date(2027, 9, 30), rules.OVERLAPPING_GRANT),
    ],
)
def test_a_quick_grant_follows_the_rules_of_assign_and_confirm(
    actor, person, right, context, begin, end, rule
):
    institution = school()
    granted(institution, "90002", begin=BEGIN, end=END)
    institution.collect_events()
    refused(institution, rule, lambda: institution.grant(at(6, actor), person, right, context, begin, end))


def test_an_ordinary_administrator_quickly_grants_a_right_any_administrator_may_grant() -> None:
    institution = school()
    institution.import_roster(at(3), [*[entry(f"{90000 + i}", "F", "L") for i in range(1, 3)]])
    grant = institution.grant(at(4, "piet"), "90001", MAIL, "Beheerder", BEGIN, END, catalogue_with_mail())
    assert (grant.right, grant.context, grant.granted_by) == (MAIL, "Beheerder", "piet")


# -- a period before today -------------------------------------------------------------------


def test_a_period_before_today_is_allowed_and_worded_as_a_warning() -> None:
    assert past_period_warning(date(2020, 1, 1), TODAY, TODAY) is None
    assert past_period_warning(date(2020, 1, 1), date(2027, 1, 1), TODAY) is None
    warning = past_period_warning(date(2024, 9, 1), date(2025, 8, 31), date(2026, 11, 30))
    assert warning == "the period 2024-09-01 to 2025-08-31 ends before today (2026-11-30): check the year"
    institution = school()
    grant = institution.grant(at(3), "90001", IRIS, "Gebruiker", date(2024, 9, 1), date(2025, 8, 31))
    assert grant.end == date(2025, 8, 31)
