"""Issue 13: text is text; dates and national numbers are refused for what is wrong with them."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from conftest import valid_rrn
from hypothesis import given
from hypothesis import strategies as st

from grantbook.domain import NationalNumber, RuleViolation, parse_date, rules
from grantbook.domain.text import FIRST_NAME, INSTITUTION_NAME, REASON, is_unsafe, plain_text

UNSAFE = ["\x00", "\t", "\n", "\r", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029",
          "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
          "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("char", UNSAFE)
def test_control_line_break_and_bidi_characters_are_refused_naming_the_field(char: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        plain_text(f"Pee{char}ters", FIRST_NAME)
    assert refused.value.rule == rules.TEXT_CHARACTER
    assert "first name" in refused.value.message
    assert f"U+{ord(char):04X}" in refused.value.message
    assert char not in refused.value.message


@given(st.text())
def test_whatever_is_accepted_is_plain_nfc_text_within_its_limit(text: str) -> None:
    try:
        accepted = plain_text(text, REASON)
    except RuleViolation as refused:
        assert refused.rule in (rules.TEXT_CHARACTER, rules.TEXT_LENGTH)
        assert not any(is_unsafe(c) for c in refused.message)
    else:
        assert accepted == unicodedata.normalize("NFC", accepted) == accepted.strip()
        assert len(accepted) <= 1000
        assert not any(unicodedata.category(c) == "Cc" for c in accepted)


def test_text_is_nfc_normalised() -> None:
    assert plain_text("Zoe\u0308", FIRST_NAME) == "Zo\u00eb"


@pytest.mark.parametrize(("field", "limit"), [(FIRST_NAME, 200), (INSTITUTION_NAME, 200), (REASON, 1000)])
def test_each_field_has_its_limit(field, limit: int) -> None:  # type: ignore[no-untyped-def]
    assert plain_text("x" * limit, field) == "x" * limit
    with pytest.raises(RuleViolation) as refused:
        plain_text("x" * (limit + 1), field)
    assert refused.value.rule == rules.TEXT_LENGTH and field.label in refused.value.message
    assert "x" * 50 not in refused.value.message


# -- dates ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["31/12/1899", "1899-12-31", "01/01/2200", "9999-12-31", "31/12/9999", "0001-01-01"])
def test_dates_outside_1900_to_2199_are_malformed(text: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_date(text)
    assert refused.value.rule == rules.DATE_FORMAT and refused.value.rule in rules.MALFORMED


def test_the_first_and_last_accepted_days() -> None:
    assert parse_date("01/01/1900") == date(1900, 1, 1)
    assert parse_date("2199-12-31") == date(2199, 12, 31)


# -- national register numbers ------------------------------------------------------

TODAY = date(2026, 11, 30)


def refusal(text: str, today: date | None = TODAY) -> str:
    with pytest.raises(RuleViolation) as refused:
        NationalNumber.parse(text, today=today)
    assert refused.value.rule == rules.NATIONAL_NUMBER
    digits = "".join(c for c in text if c.isdigit())
    assert digits[:-2] not in refused.value.message or len(digits) <= 2
    return refused.value.message


def test_a_month_13_is_an_impossible_date_of_birth_not_a_check_digit_problem() -> None:
    message = refusal(valid_rrn("851330", 33))
    assert "date of birth" in message and "check digits" not in message


def test_born_in_the_future_is_an_impossible_date_of_birth() -> None:
    tomorrow = valid_rrn("261201", 33, born_2000_or_later=True)
    message = refusal(tomorrow)
    assert "date of birth" in message and "after today" in message
    assert NationalNumber.parse(tomorrow, today=date(2026, 12, 1)).reveal() == tomorrow


def test_non_digits_are_named_as_such_and_not_counted() -> None:
    message = refusal("85O73003328")
    assert "digits only" in message and "characters" not in message.split("holds")[0]
    assert "11 digits, this one has 10" in refusal("8507300332")


def test_wrong_check_digits_have_their_own_message() -> None:
    assert "check digits do not match" in refusal("85073003327")


def test_bis_numbers_and_unknown_birth_dates_are_accepted() -> None:
    assert NationalNumber.parse(valid_rrn("852730", 33), today=TODAY).kind == "bis"
    assert NationalNumber.parse(valid_rrn("000001", 33), today=TODAY).kind == "rrn"
    assert NationalNumber.parse(valid_rrn("850000", 33), today=TODAY).reveal() == valid_rrn("850000", 33)


# -- the aggregate: every text it records passes plain_text ---------------------------------


def test_the_aggregate_refuses_unsafe_text_before_recording_anything() -> None:
    from story import PROTECTED, at, entry, granted, refused, school

    from grantbook.domain import Institution

    with pytest.raises(RuleViolation) as bad_name:
        Institution.register(at(0), "034793", "De\x1b[2J Linde", ["jan"])
    assert bad_name.value.rule == rules.TEXT_CHARACTER
    institution = school()
    granted(institution, "90001")
    refused(institution, rules.TEXT_CHARACTER, lambda: institution.import_roster(at(6), [entry("90001", "A\u202e", "B")]))
    refused(institution, rules.TEXT_CHARACTER, lambda: institution.search(at(6), "x\ny"))
    refused(institution, rules.TEXT_LENGTH, lambda: institution.search(at(6), "x" * 201))
    refused(institution, rules.TEXT_CHARACTER,
            lambda: institution.revoke(at(6), "90001", "IRIS-Platform (Leerlingenpaspoort) Gebruiker", reason="a\tb"))
    refused(institution, rules.TEXT_LENGTH,
            lambda: institution.add_support_worker(at(6), "OND-1", "An", "P", PROTECTED, "r" * 1001))
    person = institution.add_support_worker(at(6), "OND-1", " Zoe\u0308 ", "P", PROTECTED, "  r  ")
    assert person.first_name == "Zo\u00eb"


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.integers(0, 999), st.booleans())
def test_national_numbers_are_checked_as_python_stdnum_checks_them(birth: str, serial: int, late: bool) -> None:
    """The domain's own rules (it may not read the clock) agree with stdnum's, which reads it;
    beyond stdnum, a date of birth after today is refused."""
    from stdnum.be import bis, nn

    number = valid_rrn(birth, serial, late)
    today = date.today()
    stdnum_ok = nn.is_valid(number) or bis.is_valid(number)
    try:
        NationalNumber.parse(number, today=today)
    except RuleViolation as refused:
        assert not stdnum_ok or "after today" in refused.message, (number, refused.message)
    else:
        assert stdnum_ok, number


def test_a_national_number_is_never_a_person_id_and_never_echoed() -> None:
    from grantbook.domain import institution_number, person_id
    from grantbook.domain.text import shown

    for text in ("85073003328", "85.07.30-033.28", valid_rrn("010101", 123, True)):
        for parse in (person_id, institution_number, parse_date):
            with pytest.raises(RuleViolation) as refused:
                parse(text)
            assert text not in refused.value.message and text[:9] not in refused.value.message
        assert shown(text) == "a national register number (not shown)"
    assert person_id("85073003327") == "85073003327"  # 11 digits, check digits wrong: an ordinary id
