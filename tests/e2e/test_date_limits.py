"""The calendar ends on 31/12/9999: days counted past it are refused by name, never a traceback."""

from __future__ import annotations

from conftest import IRIS, NUMBER, Driver, grant


def test_a_right_may_end_on_the_calendars_last_day(school: Driver) -> None:
    """Its maximum duration reaches past 9999: the latest end is the calendar's last day."""
    grant(school, "90001", begin="01/06/9999", end="31/12/9999")
    [row] = school.json("rights", NUMBER, "--on", "9999-12-31")
    assert row["person_id"] == "90001" and row["end"] == "9999-12-31"
    [soon] = school.json("expiring", "--on", "9999-12-01", "--within", "30")
    assert soon["person_id"] == "90001"


def test_a_right_cannot_end_after_the_calendar(school: Driver) -> None:
    school.ok("select", NUMBER, "90001")
    result = school.run("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker",
                        "--begin", "01/06/9999", "--end", "01/01/10000")
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and "01/01/10000" in result.stderr


def test_counting_days_past_the_calendar_names_the_rule(school: Driver) -> None:
    result = school.refused("expiring", "--on", "31/12/9999", "--within", "5", rule="date-range",
                            contains="5 days after 9999-12-31 is past the last day of the calendar")
    assert len(result.stderr.splitlines()) == 1


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
