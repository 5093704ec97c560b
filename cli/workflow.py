"""The workflow an administrator runs: search, select, assign, confirm (extend, revoke, void: changes.py)."""

from __future__ import annotations

import click

from grantbook.domain import parse_date

from .common import INSTITUTION, PERSON_COLUMNS, day_option, describe, person_rows, selected
from .context import Session, pass_session
from .output import emit, format_option, format_option_with


@click.command()
@click.argument("number", type=INSTITUTION)
@click.option("--name", help="Only persons whose name contains TEXT.", metavar="TEXT")
@format_option_with(columns=PERSON_COLUMNS)  # a bad --columns is refused before the search is recorded
@pass_session
def search(session: Session, number: str, name: str | None, output_format: str) -> None:
    """List the staff and support workers of NUMBER (recorded as a step).

    \b
    Example:
      grantbook --as jan search 034793 --name peeters
    """
    act = session.act()
    found = session.app(reading=True).search(act, number, name)
    emit(person_rows(number, found), PERSON_COLUMNS, output_format)


@click.command()
@click.argument("number", type=INSTITUTION)
@click.argument("person_ids", nargs=-1, required=True, metavar="PERSON_ID...")
@pass_session
def select(session: Session, number: str, person_ids: tuple[str, ...]) -> None:
    """Add persons to your selection for NUMBER (at most 25, the selection limit).

    \b
    Example:
      grantbook --as jan select 034793 90001 90002
    """
    act = session.act()
    selection = session.app(reading=True).select(act, number, person_ids)
    click.echo(selected(selection))


@click.command()
@click.argument("number", type=INSTITUTION)
@click.argument("person_ids", nargs=-1, required=True, metavar="PERSON_ID...")
@pass_session
def deselect(session: Session, number: str, person_ids: tuple[str, ...]) -> None:
    """Take persons back out of your selection for NUMBER.

    \b
    Example:
      grantbook --as jan deselect 034793 90002
    """
    act = session.act()
    selection = session.app(reading=True).deselect(act, number, person_ids)
    click.echo(selected(selection))


@click.command()
@click.argument("number", type=INSTITUTION)
@format_option
@pass_session
def selection(session: Session, number: str, output_format: str) -> None:
    """Show your current selection for NUMBER.

    \b
    Example:
      grantbook --as jan selection 034793 --format json
    """
    act = session.act()
    persons = session.app(reading=True).selection(act, number)
    emit(person_rows(number, persons), PERSON_COLUMNS, output_format)


@click.command()
@click.argument("number", type=INSTITUTION)
@click.option("--right", required=True, help="A right: its code (iris) or its name, in any case (see catalogue).")
@click.option("--context", required=True, help="Beheerder, Operator or Gebruiker (any case).")
@day_option("--begin", "First valid day (dd/mm/yyyy or yyyy-mm-dd).", required=True)
@day_option("--end", "Last valid day (dd/mm/yyyy or yyyy-mm-dd).", required=True)
@pass_session
def assign(session: Session, number: str, right: str, context: str, begin: str, end: str) -> None:
    """Step 2: choose the right, context and period for your selection.

    \b
    Example:
      grantbook --as jan assign 034793 --right "IRIS-Platform (Leerlingenpaspoort) Gebruiker" \\
          --context Gebruiker --begin 26/08/2025 --end 31/08/2026
    """
    act = session.act()
    first, last = parse_date(begin), parse_date(end)
    session.app(reading=True).assign(act, number, right, context, first, last)
    click.echo(
        f"assigned {right} [{context}] {first.isoformat()} to {last.isoformat()}: "
        "run confirm to grant it, or cancel"
    )


@click.command()
@click.argument("number", type=INSTITUTION)
@pass_session
def confirm(session: Session, number: str) -> None:
    """Step 3: grant the assigned right to everyone selected.

    \b
    Example:
      grantbook --as jan confirm 034793
    """
    act = session.act()
    grants = session.app(reading=True).confirm(act, number)
    click.echo(f"granted to {len(grants)} persons:")
    for grant in grants:
        click.echo("  " + describe(grant))


@click.command()
@click.argument("number", type=INSTITUTION)
@pass_session
def cancel(session: Session, number: str) -> None:
    """Cancel your pending assignment (the selection stays).

    \b
    Example:
      grantbook --as jan cancel 034793
    """
    act = session.act()
    session.app(reading=True).cancel(act, number)
    click.echo("assignment cancelled")


COMMANDS = (
    search,
    select,
    deselect,
    selection,
    assign,
    confirm,
    cancel,
)
