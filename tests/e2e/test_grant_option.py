"""``extend NUMBER --grant GRANT_ID --end DATE`` and ``revoke NUMBER --grant GRANT_ID --reason TEXT
[--from DATE]`` change exactly that grant: the same person's later grant of the same right and context
stays (issue 21). Refusals are one line; wrong usage exits 2; nothing is recorded either way."""

from __future__ import annotations

import pytest
from conftest import NUMBER, grant

from grantbook.domain import rules


@pytest.fixture
def two_years(school):  # type: ignore[no-untyped-def]
    """90001 holds IRIS (Gebruiker) this school year and the next: two grants."""
    grant(school, "90001")
    grant(school, "90001", begin="2027-09-01", end="2028-08-31")
    return school


def grants_of(gb, person: str) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    rows = gb.json("rights", NUMBER, "--all", "--on", "2026-12-01")
    return {str(row["grant_id"]): row for row in rows if row["person_id"] == person}


def test_revoke_one_grant_leaves_the_later_one(two_years) -> None:
    first, later = sorted(grants_of(two_years, "90001"))
    result = two_years.ok("revoke", NUMBER, "--grant", first, "--reason", "left the team", "--from", "2027-01-01")
    assert result.stdout.startswith("revoked from 2027-01-01: ")
    after = grants_of(two_years, "90001")
    assert after[first]["revoked_on"] == "2027-01-01" and after[first]["revoke_reason"] == "left the team"
    assert after[later]["revoked_on"] in ("", None) and after[later]["status"] == "future"


def test_extend_one_grant_moves_only_that_one(two_years) -> None:
    first, later = sorted(grants_of(two_years, "90001"))
    two_years.refused("extend", NUMBER, "--grant", first, "--end", "2027-12-31", rule=rules.OVERLAPPING_GRANT)
    two_years.ok("extend", NUMBER, "--grant", later, "--end", "31/08/2029")
    after = grants_of(two_years, "90001")
    assert after[later]["end"] == "2029-08-31" and after[first]["end"] == "2027-08-31"


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (("revoke", NUMBER, "--grant", "034793-99", "--reason", "x"), rules.UNKNOWN_GRANT),
        (("extend", NUMBER, "--grant", "034793-99", "--end", "2028-01-01"), rules.UNKNOWN_GRANT),
        (("revoke", NUMBER, "--grant", "034793-1"), rules.REASON_REQUIRED),
        (("revoke", NUMBER, "--grant", "034793-1", "--reason", "x", "--from", "2026-01-01"), rules.REVOKE_DATE),
        (("extend", NUMBER, "--grant", "034793-1", "--end", "2027-08-31"), rules.END_DATE_NOT_LATER),
    ],
)
def test_refusals_are_one_line_and_record_nothing(two_years, args: tuple[str, ...], rule: str) -> None:
    two_years.refused(*args, rule=rule)


@pytest.mark.parametrize(
    "args",
    [
        ("revoke", NUMBER, "90001", "--grant", "034793-1", "--reason", "x"),
        ("revoke", NUMBER, "--grant", "034793-1", "--right", "iris", "--reason", "x"),
        ("extend", NUMBER, "--grant", "034793-1", "--right", "iris", "--end", "2028-01-01"),
        ("extend", NUMBER, "--grant", "034793-1", "--ending", "2027-08-31", "--end", "2028-01-01"),
        ("extend", NUMBER, "90001", "--end", "2028-01-01"),
        ("revoke", NUMBER, "--reason", "x"),
    ],
)
def test_grant_beside_persons_or_a_right_is_wrong_usage(two_years, args: tuple[str, ...]) -> None:
    two_years.refused(*args, rule=rules.USAGE, code=2)


def test_help_shows_the_grant_examples(gb) -> None:
    assert "extend 034793 --grant 034793-12 --end" in gb.ok("extend", "--help").stdout
    assert "revoke 034793 --grant 034793-12 --reason" in gb.ok("revoke", "--help").stdout
