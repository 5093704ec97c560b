"""One row, one grant: ``extend_grant`` and ``revoke_grant`` change exactly the grant named by its id,
never the same person's later grant of the same right and context (issue 21), with the rules of
``extend`` and ``revoke``; refusals carry their facts (person, right, context, grant id, dates)."""

from __future__ import annotations

from datetime import date

from story import IRIS, MAIL, at, catalogue_with_mail, granted, refused, school

from grantbook.domain import Institution, rules
from grantbook.domain.events import EndDateExtended, RightRevoked

FIRST, LATER = "034793-1", "034793-2"


def two_years() -> Institution:
    """90001 holds IRIS (Gebruiker) this school year (034793-1) and the next (034793-2)."""
    institution = school()
    granted(institution, "90001")
    granted(institution, "90001", begin=date(2027, 9, 1), end=date(2028, 8, 31))
    assert set(institution.state.grants) == {FIRST, LATER}
    institution.collect_events()
    return institution


def test_revoke_grant_revokes_that_grant_and_the_later_one_stays() -> None:
    institution = two_years()
    grant = institution.revoke_grant(at(10), FIRST, "left the team", first_day=date(2027, 1, 1))
    assert grant.grant_id == FIRST and grant.revoked_on == date(2027, 1, 1)
    later = institution.state.grants[LATER]
    assert later.revoked_on is None and later.held_on(date(2027, 10, 1))
    [event] = institution.collect_events()
    assert isinstance(event, RightRevoked) and event.grant_id == FIRST and event.reason == "left the team"


def test_revoking_by_person_still_ends_both_unlike_by_grant() -> None:
    institution = two_years()
    assert {g.grant_id for g in institution.revoke(at(10), "90001", IRIS, reason="left")} == {FIRST, LATER}


def test_extend_grant_moves_that_grant_only_and_never_into_the_later_one() -> None:
    institution = two_years()
    overlap = refused(
        institution, rules.OVERLAPPING_GRANT, lambda: institution.extend_grant(at(10), FIRST, date(2027, 12, 31))
    )
    assert overlap.facts["grant_id"] == LATER and overlap.facts["begin"] == date(2027, 9, 1)
    assert overlap.facts["person"] == "90001" and overlap.facts["right"] == IRIS
    grant = institution.extend_grant(at(10), LATER, date(2029, 8, 31))
    assert grant.grant_id == LATER and grant.end == date(2029, 8, 31)
    assert institution.state.grants[FIRST].end == date(2027, 8, 31)
    [event] = institution.collect_events()
    assert isinstance(event, EndDateExtended) and event.grant_id == LATER
    assert event.previous_end == date(2028, 8, 31)


def test_an_unknown_grant_is_refused_naming_the_rule() -> None:
    institution = two_years()
    for grant_id in ("034793-99", "", "x" * 10_000, "111111-1"):
        refused(institution, rules.UNKNOWN_GRANT, lambda g=grant_id: institution.extend_grant(at(10), g, date(2028, 1, 1)))
        refused(institution, rules.UNKNOWN_GRANT, lambda g=grant_id: institution.revoke_grant(at(10), g, "reason"))


def test_the_rules_of_extend_and_revoke_hold_for_one_grant() -> None:
    institution = two_years()
    extend, revoke = institution.extend_grant, institution.revoke_grant
    not_later = refused(institution, rules.END_DATE_NOT_LATER, lambda: extend(at(10), FIRST, date(2027, 8, 31)))
    assert not_later.facts["end"] == date(2027, 8, 31) and not_later.facts["grant_id"] == FIRST
    refused(institution, rules.MAXIMUM_VALIDITY, lambda: extend(at(10), LATER, date(2040, 1, 1)))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: extend(at(10, "eve"), LATER, date(2029, 1, 1)))
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: revoke(at(10, "eve"), LATER, "reason"))
    refused(institution, rules.REASON_REQUIRED, lambda: revoke(at(10), LATER, "  "))
    refused(institution, rules.TEXT_CHARACTER, lambda: revoke(at(10), LATER, "a\u202eb"))
    early = refused(institution, rules.REVOKE_DATE, lambda: revoke(at(10), LATER, "r", date(2026, 11, 1)))
    assert early.facts["first_day"] == date(2026, 11, 1)
    # A revoked grant is not extended, and not revoked again from a later day; an earlier one moves it.
    revoke(at(11), LATER, "leaves", date(2028, 1, 1))
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: extend(at(12), LATER, date(2029, 1, 1)))
    again = refused(institution, rules.NO_ACTIVE_GRANT, lambda: revoke(at(12), LATER, "r", date(2028, 2, 1)))
    assert again.facts["revoked_on"] == date(2028, 1, 1)
    assert revoke(at(12), LATER, "sooner", date(2027, 12, 1)).revoked_on == date(2027, 12, 1)
    # A voided grant is neither extended nor revoked.
    institution.void(at(13), FIRST, "wrong person")
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: extend(at(14), FIRST, date(2027, 8, 30)))
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: revoke(at(14), FIRST, "r"))


def test_a_leaver_is_not_extended_and_a_head_only_right_needs_a_head() -> None:
    institution = two_years()
    roster = [p for p in institution.state.persons.values() if not p.support_worker]
    from story import entry

    entries = [
        entry(p.person_id, p.first_name, p.last_name, "Inactief" if p.person_id == "90001" else p.status)
        for p in roster
    ]
    institution.import_roster(at(10), entries)
    leaver = refused(institution, rules.INACTIVE_PERSON, lambda: institution.extend_grant(at(11), LATER, date(2029, 1, 1)))
    assert leaver.facts["person"] == "90001"
    institution.revoke_grant(at(11), LATER, "left")  # a leaver's right is revoked like anyone's
    refused(
        institution,
        rules.NOT_A_HEAD_ADMINISTRATOR,
        lambda: institution.revoke_grant(at(12, "piet"), FIRST, "reason"),
    )
    institution.select(at(12, "piet"), ["90002"])
    institution.assign(at(12, "piet"), MAIL, "Gebruiker", date(2026, 12, 1), date(2027, 1, 1), catalogue_with_mail())
    [mail] = institution.confirm(at(12, "piet"), catalogue_with_mail())
    extended = institution.extend_grant(at(13, "piet"), mail.grant_id, date(2045, 1, 1), catalogue_with_mail())
    assert extended.end == date(2045, 1, 1)
