"""The workflow an administrator runs: search and select (steps 2 and 3, the quick grant and the
selection itself: steps.py; extend, revoke and void: changes.py)."""

from __future__ import annotations

import click

from .common import INSTITUTION, PERSON_COLUMNS, person_rows, selected
from .context import Session, pass_session
from .output import emit, format_option_with


@click.command()
@click.argument("number", type=INSTITUTION)
@click.option(
    "--name",
    help="Only persons whose name contains TEXT, ignoring case, accents, apostrophes and spaces.",
    metavar="TEXT",
)
@format_option_with(columns=PERSON_COLUMNS)  # a bad --columns is refused before the search is recorded
@pass_session
def search(session: Session, number: str, name: str | None, output_format: str) -> None:
    """List the staff and support workers of NUMBER (recorded as a step).

    Names are matched as people type them: "cecile" finds Cécile and "dhondt" finds D'hondt.

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


COMMANDS = (
    search,
    select,
    deselect,
)
