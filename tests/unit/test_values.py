"""Parsers for what people type: dates, institution numbers, national numbers."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import valid_rrn
from hypothesis import given
from hypothesis import strategies as st

from grantbook.domain import (
    NationalNumber,
    RuleViolation,
    institution_number,
    parse_date,
)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_both_date_forms_round_trip(day: date) -> None:
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day


@given(st.text(max_size=12))
def test_any_other_text_is_a_date_or_a_clear_refusal(text: str) -> None:
    try:
        parsed = parse_date(text)
    except RuleViolation as refused:
        assert refused.rule == "date-format"
    else:
        assert text.strip() in (parsed.isoformat(), parsed.strftime("%d/%m/%Y"))


@given(st.integers(min_value=0, max_value=999_999))
def test_institution_numbers_keep_leading_zeros(n: int) -> None:
    assert institution_number(f"{n:06d}") == f"{n:06d}"


@given(st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31)), st.integers(1, 997))
def test_valid_national_numbers_are_accepted_and_masked(born: date, serial: int) -> None:
    number = valid_rrn(born.strftime("%y%m%d"), serial, born.year >= 2000)
    parsed = NationalNumber.parse(f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}")
    assert parsed.reveal() == number
    assert number not in repr(parsed) and number not in str(parsed)
    assert parsed.masked == f"**.**.**-***.{number[9:]}"


@given(st.text(alphabet="0123456789 .-", max_size=20))
def test_national_number_refusals_never_contain_the_number(text: str) -> None:
    try:
        NationalNumber.parse(text)
    except RuleViolation as refused:
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) > 2:
            assert digits not in refused.message


def test_wrong_check_digits_are_refused() -> None:
    with pytest.raises(RuleViolation, match="check digits"):
        NationalNumber.parse("85073003327")


@pytest.mark.parametrize("text", ["٠١/٠٩/٢٠٢٠", "２０２０-０９-０１", "01/0９/2020"])
def test_dates_in_other_digit_scripts_are_refused(text: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_date(text)
    assert refused.value.rule == "date-format"
