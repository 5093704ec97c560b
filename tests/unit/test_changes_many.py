"""Extend and revoke for many persons at once, the school year's rollover, revoke from a later day,
and voiding a grant entered by mistake (issue 12, docs/adr/0016). Every refusal names its rule and
leaves the institution as it was (``refused``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from story import IRIS, TODAY, at, entry, granted, refused, school, staff

from grantbook.domain import Act, Institution, rules
from grantbook.domain.events import (
    EndDateExtended,
    EndDatesExtended,
    GrantVoided,
    RightRevoked,
    RightsRevoked,
)

YEAR_END = date(2027, 8, 31)
NEXT_YEAR_END = date(2028, 8, 31)


def events_of(institution: Institution) -> list[object]:
    return list(institution.collect_events())


def leave(institution: Institution, *pids: str) -> None:
    """A roster import without ``pids``: they are no longer Actief."""
    kept = [e for e in staff(30) if e.person_id not in pids]
    institution.import_roster(at(5), kept)


# -- extend many --------------------------------------------------------------------------


def test_extending_several_persons_is_one_event() -> None:
    institution = school()
    granted(institution, "90001", "90002", "90003")
    institution.collect_events()
    grants = institution.extend_many(at(6), ["90001", "90002", "90002"], "iris", NEXT_YEAR_END)
    assert [(g.person_id, g.end) for g in grants] == [("90001", NEXT_YEAR_END), ("90002", NEXT_YEAR_END)]
    [event] = events_of(institution)
    assert isinstance(event, EndDatesExtended)
    assert (event.right, event.new_end, event.ending) == (IRIS, NEXT_YEAR_END, None)
    assert [(g.grant_id, g.previous_end) for g in event.grants] == [
        ("034793-1", YEAR_END),
        ("034793-2", YEAR_END),
    ]
    assert institution.state.grants["034793-3"].end == YEAR_END
    assert institution.state.grants["034793-1"].extensions == [(YEAR_END, NEXT_YEAR_END, "jan")]


def test_one_person_still_records_the_event_it_always_did() -> None:
    institution = school()
    granted(institution, "90001")
    institution.collect_events()
    institution.extend_many(at(6), ["90001"], IRIS, NEXT_YEAR_END)
    [event] = events_of(institution)
    assert isinstance(event, EndDateExtended)


def test_extending_many_is_refused_whole_naming_every_person_and_why() -> None:
    institution = school()
    granted(institution, "90001", "90002", "90003", "90004")
    granted(institution, "90005", begin=date(2024, 9, 1), end=date(2026, 12, 31))
    leave(institution, "90003")
    error = refused(
        institution,
        rules.PERSONS_REFUSED,
        lambda: institution.extend_many(
            at(6), ["90001", "90003", "90005", "90006", "90004"], IRIS, date(2028, 9, 2)
        ),
    )
    assert "3 of 5" in error.message and "nothing was changed" in error.message
    assert "90003 (not Actief)" in error.message
    assert "90005 (maximum duration: from 2024-09-01 at most 2028-09-01)" in error.message
    assert "90006 (no live grant)" in error.message
    assert "90001" not in error.message and "90004" not in error.message


def test_naming_nobody_is_wrong_usage() -> None:
    institution = school()
    granted(institution, "90001")
    refused(institution, rules.USAGE, lambda: institution.extend_many(at(6), [], IRIS, NEXT_YEAR_END))
    refused(institution, rules.USAGE, lambda: institution.revoke_many(at(6), [], IRIS, reason="x"))


def test_one_rule_for_every_refused_person_is_that_rule() -> None:
    institution = school()
    granted(institution, "90001")
    error = refused(
        institution,
        rules.NO_ACTIVE_GRANT,
        lambda: institution.extend_many(at(6), ["90001", "90002", "90003"], IRIS, NEXT_YEAR_END),
    )
    assert "90002 (no live grant); 90003 (no live grant)" in error.message


def test_a_leaver_is_not_extended_even_alone() -> None:
    institution = school()
    granted(institution, "90001")
    leave(institution, "90001")
    error = refused(
        institution, rules.INACTIVE_PERSON, lambda: institution.extend(at(6), "90001", IRIS, NEXT_YEAR_END)
    )
    assert "Inactief" in error.message


# -- the rollover ---------------------------------------------------------------------------


def test_the_rollover_moves_every_grant_ending_that_day_of_persons_still_actief() -> None:
    institution = school()
    granted(institution, "90001", "90002", "90003")
    granted(institution, "90004", end=date(2027, 6, 30))  # ends another day: untouched
    granted(institution, "90005")
    institution.revoke(at(6), "90005", IRIS, reason="left")  # revoked: untouched
    leave(institution, "90002")
    institution.collect_events()
    done = institution.extend_ending(at(7), "iris", YEAR_END, NEXT_YEAR_END)
    assert [g.person_id for g in done.extended] == ["90001", "90003"]
    assert [p.person_id for p in done.left_alone] == ["90002"]
    [event] = events_of(institution)
    assert isinstance(event, EndDatesExtended) and event.ending == YEAR_END
    ends = {g.person_id: g.end for g in institution.state.grants.values()}
    assert ends == {
        "90001": NEXT_YEAR_END,
        "90002": YEAR_END,
        "90003": NEXT_YEAR_END,
        "90004": date(2027, 6, 30),
        "90005": YEAR_END,
    }


def test_the_rollover_refuses_when_nothing_ends_that_day_or_no_holder_is_actief() -> None:
    institution = school()
    rollover = institution.extend_ending
    error = refused(
        institution, rules.NO_ACTIVE_GRANT, lambda: rollover(at(6), IRIS, YEAR_END, NEXT_YEAR_END)
    )
    assert error.message == f"no grant of {IRIS!r} ends on 2027-08-31"
    granted(institution, "90001")
    leave(institution, "90001")
    error = refused(
        institution, rules.NO_ACTIVE_GRANT, lambda: rollover(at(6), IRIS, YEAR_END, NEXT_YEAR_END)
    )
    assert "still Actief" in error.message
    refused(
        institution, rules.NO_ACTIVE_GRANT, lambda: rollover(at(6), IRIS, TODAY - timedelta(days=1), YEAR_END)
    )
    refused(
        institution,
        rules.NOT_A_HEAD_ADMINISTRATOR,
        lambda: rollover(at(6, "piet"), IRIS, YEAR_END, NEXT_YEAR_END),
    )


def test_the_rollover_is_refused_whole_when_one_grant_would_pass_its_maximum() -> None:
    institution = school()
    granted(institution, "90001", "90002", begin=date(2024, 8, 30), end=YEAR_END)
    granted(institution, "90003")
    error = refused(
        institution,
        rules.MAXIMUM_VALIDITY,
        lambda: institution.extend_ending(at(6), IRIS, YEAR_END, NEXT_YEAR_END),
    )
    assert (
        "2 of 3" in error.message
        and "90001 (maximum duration" in error.message
        and "90002 (" in error.message
    )
    refused(
        institution,
        rules.END_DATE_NOT_LATER,
        lambda: institution.extend_ending(at(6), IRIS, YEAR_END, YEAR_END),
    )


# -- revoke many, and from a later day ------------------------------------------------------------


def test_revoking_several_persons_is_one_event_and_takes_leavers_too() -> None:
    institution = school()
    granted(institution, "90001", "90002")
    granted(institution, "90002", context="Operator")
    leave(institution, "90001")
    institution.collect_events()
    revoked = institution.revoke_many(at(6), ["90001", "90002"], IRIS, reason="left")
    assert sorted(g.grant_id for g in revoked) == ["034793-1", "034793-2", "034793-3"]
    [event] = events_of(institution)
    assert isinstance(event, RightsRevoked)
    assert (event.revoked_on, event.reason, len(event.grants)) == (TODAY, "left", 3)
    assert institution.rights_on(TODAY) == []


def test_revoking_many_names_every_person_without_a_live_grant() -> None:
    institution = school()
    granted(institution, "90001")
    error = refused(
        institution,
        rules.NO_ACTIVE_GRANT,
        lambda: institution.revoke_many(at(6), ["90001", "90002", "80001"], IRIS, reason="left"),
    )
    assert "2 of 3" in error.message and "90002 (no live grant); 80001 (no live grant)" in error.message


def test_revoke_from_a_later_day_keeps_the_right_until_the_day_before() -> None:
    institution = school()
    granted(institution, "90001")
    institution.collect_events()
    first_day = date(2027, 1, 15)
    [grant] = institution.revoke(at(6), "90001", IRIS, reason="leaves in January", first_day=first_day)
    [event] = events_of(institution)
    assert isinstance(event, RightRevoked) and event.revoked_on == first_day
    assert grant.last_day == date(2027, 1, 14)
    assert grant.held_on(date(2027, 1, 14)) and not grant.held_on(first_day)


def test_revoke_from_an_earlier_day_is_refused() -> None:
    institution = school()
    granted(institution, "90001")
    error = refused(
        institution,
        rules.REVOKE_DATE,
        lambda: institution.revoke(at(6), "90001", IRIS, reason="x", first_day=TODAY - timedelta(days=1)),
    )
    assert "before today (2026-11-30)" in error.message


def test_a_planned_revocation_may_be_moved_earlier_never_later() -> None:
    institution = school()
    granted(institution, "90001")
    institution.revoke(at(6), "90001", IRIS, reason="leaves", first_day=date(2027, 3, 1))
    error = refused(
        institution,
        rules.NO_ACTIVE_GRANT,
        lambda: institution.revoke(at(7), "90001", IRIS, reason="later", first_day=date(2027, 4, 1)),
    )
    assert "already revoked from 2027-03-01" in error.message
    refused(
        institution,
        rules.NO_ACTIVE_GRANT,
        lambda: institution.revoke(at(7), "90001", IRIS, reason="same", first_day=date(2027, 3, 1)),
    )
    [grant] = institution.revoke(at(7), "90001", IRIS, reason="left early", first_day=date(2027, 1, 10))
    assert (grant.revoked_on, grant.revoke_reason) == (date(2027, 1, 10), "left early")
    # A planned revocation is not extended: the grant is revoked already.
    refused(
        institution, rules.NO_ACTIVE_GRANT, lambda: institution.extend(at(8), "90001", IRIS, NEXT_YEAR_END)
    )


def test_revoke_from_after_the_grant_ends_finds_no_live_grant() -> None:
    institution = school()
    granted(institution, "90001")
    refused(
        institution,
        rules.NO_ACTIVE_GRANT,
        lambda: institution.revoke(at(6), "90001", IRIS, reason="x", first_day=date(2027, 9, 1)),
    )


# -- void -------------------------------------------------------------------------------------


def test_a_voided_grant_was_never_held_and_may_be_entered_again() -> None:
    institution = school()
    granted(institution, "90001", begin=date(2026, 9, 1))
    institution.collect_events()
    grant = institution.void(at(6), "034793-1", "  wrong person ")
    [event] = events_of(institution)
    assert isinstance(event, GrantVoided) and event.reason == "wrong person"
    assert (grant.voided_by, grant.void_reason, grant.voided_at) == ("jan", "wrong person", at(6).now)
    assert grant.last_day is None
    assert institution.rights_on(date(2026, 10, 1)) == [] and institution.rights_on(TODAY) == []
    # the same period again: the voided grant overlaps nothing
    granted(institution, "90001", begin=date(2026, 9, 1))
    assert institution.rights_on(TODAY)[0].grant_id == "034793-2"


def test_a_voided_grant_is_neither_extended_nor_revoked() -> None:
    institution = school()
    granted(institution, "90001")
    institution.void(at(6), "034793-1", "mistake")
    refused(
        institution, rules.NO_ACTIVE_GRANT, lambda: institution.extend(at(7), "90001", IRIS, NEXT_YEAR_END)
    )
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: institution.revoke(at(7), "90001", IRIS, reason="x"))


def test_void_needs_a_head_a_reason_a_known_grant_and_only_once() -> None:
    institution = school()
    granted(institution, "90001")
    void = institution.void
    refused(institution, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: void(at(6, "piet"), "034793-1", "mistake"))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: void(at(6, "eve"), "034793-1", "mistake"))
    refused(institution, rules.REASON_REQUIRED, lambda: void(at(6), "034793-1", "  "))
    refused(institution, rules.TEXT_CHARACTER, lambda: void(at(6), "034793-1", "a\tb"))
    error = refused(institution, rules.UNKNOWN_GRANT, lambda: void(at(6), "034793-9", "mistake"))
    assert "'034793-9'" in error.message
    void(at(6), "034793-1", "mistake")
    error = refused(institution, rules.ALREADY_VOIDED, lambda: void(at(7, "mia"), "034793-1", "again"))
    assert "by jan" in error.message


def test_a_revoked_grant_can_still_be_voided() -> None:
    institution = school()
    granted(institution, "90001")
    institution.revoke(Act("jan", datetime(2027, 1, 1, 9, tzinfo=UTC)), "90001", IRIS, reason="left")
    institution.void(at(6), "034793-1", "never was")
    assert institution.state.grants["034793-1"].last_day is None


def test_a_roster_entry_helper_keeps_leavers_inactive() -> None:
    institution = school()
    institution.import_roster(at(3), [entry("90001", "An", "Claes", status="Inactief")])
    assert institution.state.persons["90001"].status == "Inactief"
