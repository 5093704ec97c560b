"""The institution in memory after the grant: extend, add a support worker,
revoke, and who the administrators are. Every refusal names its rule and
leaves the institution as it was (``refused``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from story import IRIS, MAIL, PROTECTED, TODAY, at, catalogue_with_mail, granted, refused, school

from grantbook.domain import ACTIVE, SUPPORT_WORKER_CATEGORY, Act, rules
from grantbook.domain.catalogue import add_years

# -- extend ---------------------------------------------------------------------------


def test_extend_moves_the_end_of_the_live_grant() -> None:
    institution = school()
    granted(institution, "90001")
    grant = institution.extend(at(6), "90001", IRIS, date(2028, 8, 31))
    assert (grant.end, grant.extensions) == (
        date(2028, 8, 31),
        [(date(2027, 8, 31), date(2028, 8, 31), "jan")],
    )
    assert institution.state.grants["034793-1"].held_on(date(2028, 1, 1))


def test_extend_needs_a_live_grant_and_a_later_end_within_the_maximum() -> None:
    institution = school()
    extend = institution.extend
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: extend(at(3), "90001", IRIS, date(2028, 1, 1)))
    granted(institution, "90001")
    refused(institution, rules.END_DATE_NOT_LATER, lambda: extend(at(6), "90001", IRIS, date(2027, 8, 31)))
    beyond = add_years(date(2026, 12, 1), 4).replace(day=2)
    refused(institution, rules.MAXIMUM_VALIDITY, lambda: extend(at(6), "90001", IRIS, beyond))
    refused(institution, rules.UNKNOWN_RIGHT, lambda: extend(at(6), "90001", "Nope", date(2028, 1, 1)))
    refused(institution, rules.PERSON_ID, lambda: extend(at(6), "no one!", IRIS, date(2028, 1, 1)))


def test_a_head_only_right_is_extended_by_a_head_only() -> None:
    institution = school()
    granted(institution, "90001")
    refused(
        institution,
        rules.NOT_A_HEAD_ADMINISTRATOR,
        lambda: institution.extend(at(6, "piet"), "90001", IRIS, date(2028, 1, 1)),
    )
    refused(
        institution,
        rules.NOT_AN_ADMINISTRATOR,
        lambda: institution.extend(at(6, "eve"), "90001", IRIS, date(2028, 1, 1)),
    )
    institution.select(at(6, "piet"), ["90002"])
    institution.assign(
        at(6, "piet"), MAIL, "Gebruiker", date(2026, 12, 1), date(2027, 1, 1), catalogue_with_mail()
    )
    institution.confirm(at(6, "piet"), catalogue_with_mail())
    institution.extend(at(7, "piet"), "90002", MAIL, date(2045, 1, 1), catalogue=catalogue_with_mail())


def test_extend_in_two_contexts_needs_the_context_named() -> None:
    institution = school()
    granted(institution, "90001")
    granted(institution, "90001", context="Operator")
    refused(
        institution, rules.AMBIGUOUS_GRANT, lambda: institution.extend(at(6), "90001", IRIS, date(2028, 1, 1))
    )
    grant = institution.extend(at(6), "90001", IRIS, date(2028, 1, 1), context="Operator")
    assert grant.context == "Operator"


def test_an_extension_may_not_run_into_a_later_grant_even_a_revoked_one() -> None:
    institution = school()
    granted(institution, "90001", begin=date(2026, 12, 1), end=date(2027, 6, 30))
    granted(institution, "90001", begin=date(2027, 9, 1), end=date(2028, 6, 30))
    # Revoked by a writer whose clock says 1 October 2027: held in September 2027.
    institution.revoke(Act("jan", datetime(2027, 10, 1, 9, tzinfo=UTC)), "90001", IRIS, reason="left")
    error = refused(
        institution,
        rules.OVERLAPPING_GRANT,
        lambda: institution.extend(at(6), "90001", IRIS, date(2027, 9, 1)),
    )
    assert "034793-2" in error.message
    institution.extend(at(6), "90001", IRIS, date(2027, 8, 31))


def test_an_ended_or_revoked_grant_is_not_extended() -> None:
    institution = school()
    granted(institution, "90001", begin=date(2026, 11, 1), end=date(2026, 11, 29))  # ended yesterday
    granted(institution, "90002")
    institution.revoke(at(6), "90002", IRIS, reason="left")
    for pid in ("90001", "90002"):
        refused(
            institution,
            rules.NO_ACTIVE_GRANT,
            lambda pid=pid: institution.extend(at(7), pid, IRIS, date(2028, 1, 1)),
        )


# -- support workers -----------------------------------------------------------------------


def test_a_support_worker_is_an_active_person_the_school_can_select() -> None:
    institution = school()
    person = institution.add_support_worker(
        at(3), "OND-1", "Dirk", "Fonteyn", PROTECTED, "  speech   therapist "
    )
    assert (person.status, person.category, person.support_worker) == (ACTIVE, SUPPORT_WORKER_CATEGORY, True)
    assert person.national_number_masked == PROTECTED.masked
    assert institution.collect_events()[-1].reason == "speech therapist"
    institution.select(at(4), ["OND-1"])


@pytest.mark.parametrize(
    ("actor", "first", "last", "reason", "rule"),
    [
        ("eve", "Dirk", "Fonteyn", "therapist", rules.NOT_AN_ADMINISTRATOR),
        ("jan", "Dirk", "Fonteyn", "   ", rules.REASON_REQUIRED),
        ("jan", "Dirk", "Fonteyn", None, rules.REASON_REQUIRED),
        ("jan", " ", "Fonteyn", "therapist", rules.PERSON_NAME),
        ("jan", "Dirk", "", "therapist", rules.PERSON_NAME),
    ],
)
def test_a_support_worker_needs_an_administrator_a_reason_and_names(actor, first, last, reason, rule) -> None:
    institution = school()
    refused(
        institution,
        rule,
        lambda: institution.add_support_worker(at(3, actor), "OND-1", first, last, PROTECTED, reason),
    )
    # the same rules are what the application checks before it protects the number
    refused(institution, rule, lambda: institution.check_support_worker(at(3, actor), first, last, reason))


def test_a_national_number_is_added_once_and_a_person_id_is_not_reused() -> None:
    institution = school()
    institution.add_support_worker(at(3), "OND-1", "Dirk", "Fonteyn", PROTECTED, "therapist")
    error = refused(
        institution,
        rules.DUPLICATE_SUPPORT_WORKER,
        lambda: institution.add_support_worker(at(4), "OND-2", "Dirk", "Fonteyn", PROTECTED, "again"),
    )
    assert "OND-1" in error.message and PROTECTED.masked in error.message
    other = replace(PROTECTED, digest="e" * 64)
    refused(
        institution,
        rules.PERSON_ID,
        lambda: institution.add_support_worker(at(4), "90001", "An", "B", other, "x"),
    )


# -- revoke ---------------------------------------------------------------------------------


def test_revoke_ends_every_live_grant_of_the_right_from_today() -> None:
    institution = school()
    granted(institution, "90001")
    granted(institution, "90001", context="Operator")
    revoked = institution.revoke(at(6), "90001", IRIS, reason="  left  the school ")
    assert {g.context for g in revoked} == {"Gebruiker", "Operator"}
    assert {(g.revoked_on, g.revoked_by, g.revoke_reason) for g in revoked} == {
        (TODAY, "jan", "left the school")
    }
    assert institution.rights_on(TODAY) == [] and institution.rights_on(date(2027, 1, 1)) == []


def test_revoke_needs_an_administrator_a_reason_and_a_live_grant() -> None:
    institution = school()
    granted(institution, "90001")
    revoke = institution.revoke
    refused(
        institution, rules.NOT_AN_ADMINISTRATOR, lambda: revoke(at(6, "eve"), "90001", IRIS, reason="left")
    )
    refused(institution, rules.REASON_REQUIRED, lambda: revoke(at(6), "90001", IRIS, reason=" "))
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: revoke(at(6), "90002", IRIS, reason="left"))
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: revoke(at(6), "90001", IRIS, "Operator", "left"))
    revoke(at(6, "mia"), "90001", IRIS, reason="left")
    refused(institution, rules.NO_ACTIVE_GRANT, lambda: revoke(at(7), "90001", IRIS, reason="again"))


def test_revoking_needs_the_role_that_grants_the_right() -> None:
    """Issue 13: an ordinary administrator revoked a right only a head may grant or extend."""
    institution = school()
    granted(institution, "90001")
    error = refused(
        institution,
        rules.NOT_A_HEAD_ADMINISTRATOR,
        lambda: institution.revoke(at(6, "piet"), "90001", IRIS, reason="left"),
    )
    assert "revoked only by a head administrator" in error.message and "piet" in error.message
    institution.select(at(6, "piet"), ["90002"])
    institution.assign(at(6, "piet"), MAIL, "Gebruiker", date(2026, 12, 1), date(2027, 1, 1), catalogue_with_mail())
    institution.confirm(at(6, "piet"), catalogue_with_mail())
    institution.revoke(at(7, "piet"), "90002", MAIL, reason="left", catalogue=catalogue_with_mail())


def test_revoke_and_extend_name_an_unknown_context_like_assign() -> None:
    institution = school()
    granted(institution, "90001")
    for command in (lambda: institution.revoke(at(6), "90001", IRIS, "Foo", "left"),
                    lambda: institution.extend(at(6), "90001", IRIS, date(2028, 1, 1), "Foo")):
        error = refused(institution, rules.UNKNOWN_CONTEXT, command)
        assert "'Foo'" in error.message and "Gebruiker" in error.message
    refused(institution, rules.UNKNOWN_RIGHT, lambda: institution.revoke(at(6), "90001", "Nope", reason="x"))


# -- administrators --------------------------------------------------------------------------


def test_a_head_appoints_administrators_and_heads_and_removes_them() -> None:
    institution = school()
    assert (institution.state.administrators, institution.state.heads) == ({"jan", "mia", "piet"}, {"jan", "mia"})
    institution.appoint_administrator(at(3), "piet", head=True)
    institution.appoint_administrator(at(4, "piet"), "jan", head=False)
    institution.remove_administrator(at(5, "piet"), "mia")
    assert (institution.state.administrators, institution.state.heads) == ({"jan", "piet"}, {"piet"})


@pytest.mark.parametrize(
    ("actor", "person", "head", "rule"),
    [
        ("eve", "tom", False, rules.NOT_AN_ADMINISTRATOR),
        ("piet", "tom", False, rules.NOT_A_HEAD_ADMINISTRATOR),
        ("jan", "piet", False, rules.ALREADY_ADMINISTRATOR),
        ("jan", "mia", True, rules.ALREADY_ADMINISTRATOR),
        ("jan", "tom tom", False, rules.PERSON_ID),
    ],
)
def test_who_may_appoint_whom(actor, person, head, rule) -> None:
    institution = school()
    refused(institution, rule, lambda: institution.appoint_administrator(at(3, actor), person, head))


def test_the_last_head_can_be_neither_demoted_nor_removed() -> None:
    institution = school()
    institution.remove_administrator(at(3), "mia")
    refused(
        institution, rules.LAST_HEAD_ADMINISTRATOR, lambda: institution.appoint_administrator(at(4), "jan")
    )
    refused(
        institution, rules.LAST_HEAD_ADMINISTRATOR, lambda: institution.remove_administrator(at(4), "jan")
    )
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.remove_administrator(at(4), "mia"))
    refused(
        institution,
        rules.NOT_A_HEAD_ADMINISTRATOR,
        lambda: institution.remove_administrator(at(4, "piet"), "jan"),
    )


def test_a_removed_administrator_loses_their_selection_and_can_no_longer_act() -> None:
    institution = school()
    institution.select(at(3, "mia"), ["90001"])
    institution.assign(at(4, "mia"), IRIS, "Gebruiker", date(2026, 12, 1), date(2027, 1, 1))
    institution.remove_administrator(at(5), "mia")
    assert "mia" not in institution.state.selections and "mia" not in institution.state.pending
    refused(institution, rules.NOT_AN_ADMINISTRATOR, lambda: institution.search(at(6, "mia")))
