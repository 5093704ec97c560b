"""Dates run from 01/01/1900 to 31/12/2199 (issue 13): anything outside is a malformed value
(one line, exit 2), never a traceback; the last day of the range works everywhere."""

from __future__ import annotations

import pytest
from conftest import IRIS, NUMBER, Driver, grant


def test_a_right_may_end_on_the_last_day_grantbook_accepts(school: Driver) -> None:
    grant(school, "90001", begin="01/06/2199", end="31/12/2199")
    [row] = school.json("rights", NUMBER, "--on", "2199-12-31")
    assert row["person_id"] == "90001" and row["end"] == "2199-12-31"
    [soon] = school.json("expiring", "--on", "2199-12-01", "--within", "30")
    assert soon["person_id"] == "90001"
    school.ok("expiring", "--on", "31/12/2199", "--within", "36600")


@pytest.mark.parametrize("day", ["01/01/10000", "31/12/9999", "9999-12-31", "01/01/2200", "31/12/1899", "0001-01-01"])
def test_a_day_outside_the_range_is_malformed(school: Driver, day: str) -> None:
    """A year-9999 end date was a traceback (issue 13); now exit 2 like every malformed value."""
    school.ok("select", NUMBER, "90001")
    before = school.event_count()
    for args in (("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "01/06/2026", "--end", day),
                 ("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", day, "--end", "01/06/2027"),
                 ("rights", NUMBER, "--on", day), ("expiring", "--on", day)):
        result = school.run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert result.stderr.startswith("error: date-format: ") and day in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert school.event_count() == before


def test_a_malformed_date_exits_2_like_other_malformed_options(school: Driver) -> None:
    grant(school, "90002")
    for args in (("extend", NUMBER, "90002", "--right", IRIS, "--end", "31/02/2027"),
                 ("rights", NUMBER, "--on", "tomorrow"), ("expiring", "--within", "soon")):
        result = school.run(*args)
        assert result.exit_code == 2, (args, result.output)
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(("error: date-format: ", "error: usage: ")), line


def test_an_overflow_that_is_not_about_dates_is_not_called_a_date_problem() -> None:
    """The last-resort message names a value out of range, not a date."""
    import click
    from click.testing import CliRunner

    from grantbook.cli.main import GrantbookGroup

    group = GrantbookGroup()

    @group.command()
    def power() -> None:
        click.echo(10.0 ** 400)  # float overflow: nothing to do with a calendar

    result = CliRunner().invoke(group, ["power"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: value-range: a value is out of range")
    assert "date" not in result.stderr
