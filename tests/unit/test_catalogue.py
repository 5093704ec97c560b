"""Naming a right as people type it: its code or its name in any case; a context in any case.
Events record the catalogue's own spelling, and a near miss is refused naming the rights it could be."""

from __future__ import annotations

from datetime import date

import pytest
from story import IRIS, MAIL, at, catalogue_with_mail, refused, school

from grantbook.domain import RuleViolation, default_catalogue, rules
from grantbook.domain.catalogue import Catalogue, Right


@pytest.mark.parametrize("typed", ["iris", "IRIS", " Iris ", IRIS, IRIS.upper(), IRIS.lower()])
def test_a_right_is_found_by_its_code_or_its_name_in_any_case(typed: str) -> None:
    assert default_catalogue().right(typed).name == IRIS


@pytest.mark.parametrize(("typed", "spelled"), [("gebruiker", "Gebruiker"), ("BEHEERDER", "Beheerder")])
def test_a_context_is_found_in_any_case(typed: str, spelled: str) -> None:
    right, context = default_catalogue().resolve("iris", typed)
    assert (right.name, context) == (IRIS, spelled)


def test_an_unknown_right_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(RuleViolation) as refused_:
        default_catalogue().right("Smartschool")
    assert refused_.value.rule == rules.UNKNOWN_RIGHT
    assert "'Smartschool'" in refused_.value.message and f"iris ({IRIS})" in refused_.value.message


def test_a_near_miss_names_the_right_it_could_be() -> None:
    with pytest.raises(RuleViolation) as refused_:
        default_catalogue().right("iris platform")
    assert refused_.value.rule == rules.UNKNOWN_RIGHT
    assert f"did you mean iris ({IRIS})?" in refused_.value.message


def test_a_name_two_rights_contain_is_ambiguous_and_names_both() -> None:
    two = Catalogue(rights=(
        Right(code="iris-user", name="IRIS Gebruiker", description="", contexts=("Gebruiker",)),
        Right(code="iris-admin", name="IRIS Beheerder", description="", contexts=("Beheerder",)),
    ))
    with pytest.raises(RuleViolation) as refused_:
        two.right("iris")
    assert refused_.value.rule == rules.AMBIGUOUS_RIGHT
    assert "iris-user (IRIS Gebruiker)" in refused_.value.message
    assert "iris-admin (IRIS Beheerder)" in refused_.value.message
    assert two.right("IRIS-ADMIN").name == "IRIS Beheerder"


def test_an_unknown_context_lists_the_allowed_ones() -> None:
    with pytest.raises(RuleViolation) as refused_:
        default_catalogue().resolve("iris", "Gast")
    assert refused_.value.rule == rules.UNKNOWN_CONTEXT
    assert "Beheerder, Operator, Gebruiker" in refused_.value.message


def test_assign_records_the_catalogues_spelling_of_what_was_typed() -> None:
    institution = school()
    institution.select(at(1), ["90001"])
    institution.assign(at(2), "iris", "gebruiker", *_period())
    event = institution.collect_events()[-1]
    assert (event.right, event.context) == (IRIS, "Gebruiker")
    institution.confirm(at(3))
    grant = institution.extend(at(4), "90001", "IRIS", _period()[1].replace(year=2028))
    assert grant.right == IRIS


def test_a_typed_right_a_head_must_grant_is_still_refused_to_an_administrator() -> None:
    institution = school()
    institution.select(at(1, "piet"), ["90001"])
    refused(institution, rules.NOT_A_HEAD_ADMINISTRATOR,
            lambda: institution.assign(at(2, "piet"), "iris", "Gebruiker", *_period()))
    institution.assign(at(3, "piet"), MAIL.upper(), "beheerder", *_period(), catalogue=catalogue_with_mail())
    assert institution.state.pending["piet"].right == MAIL


def _period() -> tuple[date, date]:
    return date(2026, 12, 1), date(2027, 8, 31)
