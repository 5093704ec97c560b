"""Renaming an institution, and the tasks ("Mijn taken") its state gives an administrator, in memory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from story import IRIS, PROTECTED, TODAY, at, entry, granted, refused, school, staff

from grantbook.domain import rules
from grantbook.domain.events import InstitutionRenamed
from grantbook.domain.institution import Institution
from grantbook.domain.tasks import KINDS, TASK_COLUMNS, tasks_for


def test_a_head_renames_the_institution_as_one_event_keeping_both_names() -> None:
    institution = school()
    assert institution.rename(at(3), "  Basisschool De Linde ") == ("De Linde", "Basisschool De Linde")
    assert institution.state.name == "Basisschool De Linde"
    [event] = institution.collect_events()
    assert isinstance(event, InstitutionRenamed)
    assert event.details() == {"previous_name": "De Linde", "name": "Basisschool De Linde"}
    assert event.actor == "jan"


@pytest.mark.parametrize(
    ("actor", "name", "rule"),
    [
        ("piet", "Elders", rules.NOT_A_HEAD_ADMINISTRATOR),
        ("eve", "Elders", rules.NOT_AN_ADMINISTRATOR),
        ("jan", "   ", rules.INSTITUTION_NAME),
        ("jan", "De\u202eLinde", rules.TEXT_CHARACTER),
        ("jan", "x" * 201, rules.TEXT_LENGTH),
        ("jan", "De Linde", rules.SAME_INSTITUTION_NAME),
        ("jan", " De Linde ", rules.SAME_INSTITUTION_NAME),
    ],
)
def test_a_rename_is_refused_for_a_non_head_a_bad_or_the_same_name(actor: str, name: str, rule: str) -> None:
    institution = school()
    refused(institution, rule, lambda: institution.rename(at(3, actor), name))


def test_a_renamed_institution_replays_to_its_new_name() -> None:
    institution = school()
    institution.rename(at(3), "Ter Beke")
    events = institution.collect_events()
    copy = school()
    for event in events:
        event.mutate(copy)
    assert copy.state.name == "Ter Beke"


def _kinds(institution: Institution, actor: str = "jan", day: date = TODAY) -> list[str]:
    return [task.kind for task in tasks_for(institution.state, actor, day)]


def test_a_quiet_institution_has_no_tasks_and_an_auditor_never_has() -> None:
    institution = school()
    assert tasks_for(institution.state, "jan", TODAY) == []
    institution.appoint_auditor(at(3), "ann")
    institution.select(at(4), ["90001"])
    assert tasks_for(institution.state, "ann", TODAY) == []


def test_each_kind_of_task_appears_once_in_order() -> None:
    institution = school()
    granted(institution, "90001", begin=TODAY, end=TODAY + timedelta(days=30))  # expiring
    granted(institution, "90002", begin=TODAY, end=TODAY + timedelta(days=31))  # not expiring yet
    granted(institution, "90003", begin=TODAY, end=date(2027, 8, 31))  # a leaver below
    institution.import_roster(at(6), [e for e in staff(30) if e.person_id != "90003"])
    institution.add_support_worker(at(7), "OND-1", "Dirk", "Fonteyn", PROTECTED, "speech therapy")
    institution.select(at(8), ["90004", "90005"])
    institution.select(at(8, "mia"), ["90006"])
    institution.assign(at(8, "mia"), IRIS, "Operator", TODAY, date(2027, 6, 30))
    found = tasks_for(institution.state, "jan", TODAY)
    assert [t.kind for t in found] == ["selection", "expiring", "leaver", "support-worker"]
    selection, expiring, leaver, worker = found
    assert selection.detail == "2 persons selected: assign a right"
    assert (expiring.person_id, expiring.name, expiring.right) == ("90001", "First1 Last1", IRIS)
    assert expiring.due == TODAY + timedelta(days=30)
    assert (leaver.person_id, leaver.due) == ("90003", date(2027, 8, 31))
    assert "Inactief" in leaver.detail
    assert (worker.person_id, worker.name, worker.detail) == ("OND-1", "Dirk Fonteyn", "no right granted")
    # mia's own work is hers: her selection's assignment waits for her confirm
    assert _kinds(institution, "mia") == ["pending", "expiring", "leaver", "support-worker"]
    [pending] = [t for t in tasks_for(institution.state, "mia", TODAY) if t.kind == "pending"]
    assert (pending.right, pending.due) == (IRIS, TODAY)
    assert pending.detail == "Operator, 2026-11-30 to 2027-06-30, 1 person: waiting for confirm"
    assert set(found[0].row()) == set(TASK_COLUMNS) and KINDS[0] == "selection"


def test_a_support_worker_whose_rights_all_ended_is_a_task_until_granted_again() -> None:
    institution = school()
    institution.add_support_worker(at(3), "OND-1", "Dirk", "Fonteyn", PROTECTED, "speech therapy")
    granted(institution, "OND-1", begin=TODAY, end=TODAY + timedelta(days=60))
    assert "support-worker" not in _kinds(institution)
    later = TODAY + timedelta(days=61)
    [task] = [t for t in tasks_for(institution.state, "jan", later) if t.kind == "support-worker"]
    assert task.detail == f"every right ended (last on {(TODAY + timedelta(days=60)).isoformat()})"
    granted(institution, "OND-1", begin=later, end=later + timedelta(days=200))
    assert "support-worker" not in _kinds(institution, day=later)


def test_a_revoked_right_is_no_longer_expiring_nor_held_by_a_leaver() -> None:
    institution = school()
    granted(institution, "90001", begin=TODAY, end=TODAY + timedelta(days=10))
    institution.import_roster(at(6), [entry("90002", "B", "D")])
    assert _kinds(institution) == ["expiring", "leaver"]
    institution.revoke(at(7), "90001", IRIS, reason="left the school")
    assert _kinds(institution) == []
