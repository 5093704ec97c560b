"""Reading commands: rights, expiring, audit. They record nothing."""

from __future__ import annotations

import click
from grantbook.domain import institution_number
from grantbook.projections.audit import AUDIT_COLUMNS, audit_rows
from grantbook.projections.current_rights import (
    EXPIRING_COLUMNS,
    RIGHTS_COLUMNS,
    CurrentRights,
)

from grantbook.application import GrantBook

from .common import day_option, to_date
from .context import Session, pass_session
from .output import format_option, render


def _rights_view(app: GrantBook) -> CurrentRights:
    return CurrentRights.from_events(item.event for item in app.recorded_events())


@click.command()
@click.argument("number")
@day_option("--on", "The day to look at (default today).")
@format_option
@pass_session
def rights(session: Session, number: str, on: str | None, output_format: str) -> None:
    """The rights held at NUMBER on a day (default today).

    \b
    Example:
      grantbook rights 034793 --on 01/03/2027 --format csv
    """
    number = institution_number(number)
    day = to_date(on, session.today())
    app = session.app(reading=True)
    app.institution(number)
    rows = _rights_view(app).held_on(day, number)
    click.echo(render(rows, RIGHTS_COLUMNS, output_format))


@click.command()
@click.option("--within", default=30, show_default=True, type=click.IntRange(0, 36600), metavar="DAYS")
@day_option("--on", "Count from this day (default today).")
@click.option("--institution", "number", metavar="NUMBER", help="Only this institution.")
@format_option
@pass_session
def expiring(session: Session, within: int, on: str | None, number: str | None, output_format: str) -> None:
    """Rights whose end date falls within DAYS after a day, soonest first.

    \b
    Example:
      grantbook expiring --within 60 --institution 034793
    """
    day = to_date(on, session.today())
    app = session.app(reading=True)
    if number is not None:
        number = institution_number(number)
        app.institution(number)
    rows = _rights_view(app).ending_between(day, within, number)
    click.echo(render(rows, EXPIRING_COLUMNS, output_format))


@click.command()
@click.argument("number")
@format_option
@pass_session
def audit(session: Session, number: str, output_format: str) -> None:
    """Every event of NUMBER, oldest first: who did what, when.

    \b
    Example:
      grantbook audit 034793 --format json
    """
    number = institution_number(number)
    app = session.app(reading=True)
    app.institution(number)
    rows = audit_rows(app.recorded_events(), number)
    click.echo(render(rows, AUDIT_COLUMNS, output_format))


COMMANDS = (rights, expiring, audit)
