"""Auditors in memory: head administrators appoint and remove them, as events; every refusal names
its rule and changes nothing."""

from __future__ import annotations

from story import at, refused, school

from grantbook.domain import rules
from grantbook.domain.events import AuditorAppointed, AuditorRemoved


def test_a_head_appoints_and_removes_an_auditor_as_events() -> None:
    institution = school()
    institution.appoint_auditor(at(3), "ann")
    assert institution.state.auditors == {"ann"}
    assert "ann" not in institution.state.administrators  # an auditor reads, and may not act
    institution.remove_auditor(at(4, "mia"), "ann")
    assert institution.state.auditors == set()
    events = institution.collect_events()
    assert [type(e) for e in events] == [AuditorAppointed, AuditorRemoved]
    assert [(e.actor, e.person_id) for e in events] == [("jan", "ann"), ("mia", "ann")]


def test_only_a_head_administrator_changes_the_auditors() -> None:
    institution = school()
    refused(
        institution, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: institution.appoint_auditor(at(3, "piet"), "ann")
    )
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.appoint_auditor(at(3, "ann"), "ann"))
    institution.appoint_auditor(at(3), "ann")
    refused(
        institution, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: institution.remove_auditor(at(4, "piet"), "ann")
    )


def test_an_auditor_is_named_once_and_removed_only_when_named() -> None:
    institution = school()
    refused(institution, rules.NOT_AN_AUDITOR, lambda: institution.remove_auditor(at(3), "ann"))
    refused(institution, rules.PERSON_ID, lambda: institution.appoint_auditor(at(3), "no one!"))
    institution.appoint_auditor(at(3), "ann")
    refused(institution, rules.ALREADY_AUDITOR, lambda: institution.appoint_auditor(at(4), "ann"))


def test_an_auditor_cannot_change_anything() -> None:
    institution = school()
    institution.appoint_auditor(at(3), "ann")
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.search(at(4, "ann")))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.select(at(4, "ann"), ["90001"]))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.appoint_auditor(at(4, "ann"), "bob"))
