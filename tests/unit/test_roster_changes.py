"""What a roster import changes: who joined, who left, which leavers still hold a right."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from story import IRIS, PROTECTED, TODAY, at, entry, granted, refused, school, staff

from grantbook.domain import Institution, rules
from grantbook.domain.roster_changes import import_roster_with_changes, roster_changes
from grantbook.domain.state import Person


def ids(persons: tuple[Person, ...]) -> list[str]:
    return [p.person_id for p in persons]


def test_joined_left_and_leavers_holding_rights() -> None:
    institution = school()
    granted(institution, "90001", "90003")
    institution.revoke(at(6), "90003", IRIS, reason="moved")
    # 90001 (holds a right), 90002 and 90003 (right revoked) leave: 90002 as Inactief in the file,
    # the others by being left out; 90031 is new, 80001 is Actief again.
    roster = [
        *staff(27, start=4),
        entry("90002", "First2", "Last2", "Inactief"),
        entry("80001", "Old", "Timer"),
    ]
    changes = import_roster_with_changes(institution, at(7), [*roster, entry("90031", "Nieuw", "Lid")], {})
    assert ids(changes.joined) == ["80001", "90031"]
    assert ids(changes.left) == ["90001", "90002", "90003"]
    assert ids(changes.leavers_holding_rights) == ["90001"]
    assert changes.left[0].last_name == "Last1"


def test_the_same_roster_again_changes_nobody() -> None:
    institution = school()
    roster = [*staff(30), entry("80001", "Old", "Timer", status="Inactief")]
    changes = import_roster_with_changes(institution, at(7), roster, {})
    assert changes.joined == changes.left == changes.leavers_holding_rights == ()


def test_a_new_person_listed_inactive_did_not_join() -> None:
    institution = school()
    roster = [
        *staff(30),
        entry("80001", "Old", "Timer", "Inactief"),
        entry("70001", "Nog", "Niet", "Inactief"),
    ]
    assert import_roster_with_changes(institution, at(7), roster, {}).joined == ()


def test_a_right_that_ended_before_today_is_not_held_a_right_from_a_later_day_is() -> None:
    institution = school()
    granted(institution, "90001", begin=date(2026, 12, 1), end=date(2027, 8, 31))
    before = {pid: replace(p) for pid, p in institution.state.persons.items()}
    institution.import_roster(at(7), staff(29, start=2))
    # the right starts tomorrow: held from a later day on, so still a concern
    assert ids(roster_changes(before, institution.state, TODAY).leavers_holding_rights) == ["90001"]
    assert ids(roster_changes(before, institution.state, date(2027, 8, 31)).leavers_holding_rights) == [
        "90001"
    ]
    assert roster_changes(before, institution.state, date(2027, 9, 1)).leavers_holding_rights == ()
    assert ids(roster_changes(before, institution.state, date(2027, 9, 1)).left) == ["90001"]


def test_support_workers_neither_join_nor_leave() -> None:
    institution = school()
    institution.add_support_worker(at(6), "OND-0001", "Dirk", "Fonteyn", PROTECTED, "speech therapist")
    changes = import_roster_with_changes(institution, at(7), staff(30), {})
    assert ids(changes.left) == [] and ids(changes.joined) == []


def test_a_refused_roster_changes_nothing_and_reports_nothing() -> None:
    institution = school()
    refused(
        institution,
        rules.NOT_AN_ADMINISTRATOR,
        lambda: import_roster_with_changes(institution, at(7, "eve"), staff(2), {}),
    )


def test_a_first_roster_joins_everyone_active() -> None:
    institution = Institution.register(at(0), "034793", "De Linde", ["jan"])
    roster = [*staff(3), entry("80001", "Old", "Timer", status="Inactief")]
    changes = import_roster_with_changes(institution, at(1), roster, {})
    assert ids(changes.joined) == ["90001", "90002", "90003"] and changes.left == ()
