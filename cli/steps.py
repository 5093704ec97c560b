"""Steps 2 and 3 of the checklist (assign; confirm, back or cancel), the selection as it stands
(``selection NUMBER``, ``selection clear NUMBER``) and the quick grant ("Snel recht toekennen").

A period that ends before today is allowed (history from before grantbook) but said on stderr as a
``warning:`` line, exit 0: a mistyped year is noticed at once (docs/adr/0015)."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from grantbook.domain import Act, PendingAssignment, parse_date, past_period_warning

from .common import CONTEXT_HELP, INSTITUTION, PERSON_COLUMNS, RIGHT_HELP, day_option, describe, person_rows
from .context import Session, pass_session
from .output import emit, format_option, visible


def warn_if_past(begin: date, end: date, act: Act) -> None:
    """The domain words the warning; today is the acting person's (never read by the domain)."""
    warning = past_period_warning(begin, end, act.today)
    if warning is not None:
        click.echo("warning: " + warning, err=True)


def pending_line(pending: PendingAssignment) -> str:
    return visible(
        f"{pending.right} [{pending.context}] {pending.begin.isoformat()} to {pending.end.isoformat()}"
    )


def persons(count: int) -> str:
    return f"{count} person" + ("" if count == 1 else "s")


# -- the selection: a group whose first argument may be the NUMBER -----------------


class SelectionGroup(click.Group):
    """``selection NUMBER`` shows the selection; ``selection clear NUMBER`` empties it. A first
    argument that names no subcommand is the NUMBER (or an option) of ``selection show``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["show", *args]
        return super().parse_args(ctx, args)


@click.group(cls=SelectionGroup, subcommand_metavar="NUMBER | clear NUMBER")
def selection() -> None:
    """Show your selection for NUMBER (and the assignment waiting for step 3), or clear it.

    \b
    Example:
      grantbook --as jan selection 034793
      grantbook --as jan selection 034793 --format json
      grantbook --as jan selection clear 034793
    """


@selection.command("show")
@click.argument("number", type=INSTITUTION)
@format_option
@pass_session
def selection_show(session: Session, number: str, output_format: str) -> None:
    """Show your current selection for NUMBER; an assignment waiting for step 3 is named under it
    (on stderr with --format json or csv, so the rows stay one per selected person).

    \b
    Example:
      grantbook --as jan selection show 034793     # the same as: selection 034793
    """
    act = session.act()
    institution = session.app(reading=True).institution(number)
    chosen = institution.selection(act)
    pending = institution.pending_of(act)
    emit(person_rows(number, chosen), PERSON_COLUMNS, output_format)
    if pending is not None:
        note = f"pending assignment: {pending_line(pending)}: run confirm, back or cancel"
        if output_format == "table":
            click.echo("\n" + note)
        else:
            click.echo(note, err=True)


@selection.command("clear")
@click.argument("number", type=INSTITUTION)
@pass_session
def selection_clear(session: Session, number: str) -> None:
    """Empty your selection for NUMBER and drop an assignment waiting for step 3 (nothing to clear
    is no error).

    \b
    Example:
      grantbook --as jan selection clear 034793
    """
    act = session.act()
    cleared = session.app(reading=True).clear_selection(act, number)
    if not cleared:
        click.echo(f"nothing to clear: your selection for {number} is empty and no assignment waits")
        return
    said = f"selection emptied ({persons(len(cleared.persons))})"
    if cleared.pending is not None:
        said += f"; assignment dropped: {pending_line(cleared.pending)}"
    click.echo(said)


# -- step 2 -----------------------------------------------------------------------------


@click.command()
@click.argument("number", type=INSTITUTION)
@click.option("--right", required=True, help=RIGHT_HELP)
@click.option("--context", required=True, help=CONTEXT_HELP)
@day_option("--begin", "First valid day (dd/mm/yyyy or yyyy-mm-dd).", required=True)
@day_option("--end", "Last valid day (dd/mm/yyyy or yyyy-mm-dd).", required=True)
@pass_session
def assign(session: Session, number: str, right: str, context: str, begin: str, end: str) -> None:
    """Step 2: choose the right, context and period for your selection.

    Until step 3 (confirm, back or cancel) the selection cannot change.

    \b
    Example:
      grantbook --as jan assign 034793 --right "IRIS-Platform (Leerlingenpaspoort) Gebruiker" \\
          --context Gebruiker --begin 26/08/2025 --end 31/08/2026
    """
    act = session.act()
    first, last = parse_date(begin), parse_date(end)
    pending = session.app(reading=True).assign(act, number, right, context, first, last)
    click.echo(f"assigned {pending_line(pending)}: run confirm to grant it, back to change it, or cancel")
    warn_if_past(pending.begin, pending.end, act)


# -- step 3: Bevestig, Terug, Annuleer -----------------------------------------------------


@click.command()
@click.argument("number", type=INSTITUTION)
@pass_session
def confirm(session: Session, number: str) -> None:
    """Step 3, "Bevestig": grant the assigned right to everyone selected.

    \b
    Example:
      grantbook --as jan confirm 034793
    """
    act = session.act()
    grants = session.app(reading=True).confirm(act, number)
    click.echo(f"granted to {len(grants)} persons:")
    for grant in grants:
        click.echo("  " + describe(grant))
    warn_if_past(grants[0].begin, grants[0].end, act)


@click.command()
@click.argument("number", type=INSTITUTION)
@pass_session
def back(session: Session, number: str) -> None:
    """Step 3, "Terug": drop the assignment waiting for confirmation; the selection stays.

    Then change the selection, or assign again.

    \b
    Example:
      grantbook --as jan back 034793
    """
    act = session.act()
    app = session.app(reading=True)
    dropped = app.back(act, number)
    kept = len(app.selection(act, number))
    click.echo(f"back at step 2: dropped {pending_line(dropped)}; the selection ({persons(kept)}) stays")


@click.command()
@click.argument("number", type=INSTITUTION)
@pass_session
def cancel(session: Session, number: str) -> None:
    """Step 3, "Annuleer": drop the assignment waiting for confirmation and empty the selection.

    (To keep the selection, use back.)

    \b
    Example:
      grantbook --as jan cancel 034793
    """
    act = session.act()
    cleared = session.app(reading=True).cancel(act, number)
    click.echo(f"assignment cancelled and selection emptied ({persons(len(cleared.persons))})")


# -- "Snel recht toekennen" -------------------------------------------------------------------


@click.command()
@click.argument("number", type=INSTITUTION)
@click.argument("person_id")
@click.option("--right", required=True, help=RIGHT_HELP)
@click.option("--context", required=True, help=CONTEXT_HELP)
@day_option("--begin", "First valid day (dd/mm/yyyy or yyyy-mm-dd).", required=True)
@day_option("--end", "Last valid day (dd/mm/yyyy or yyyy-mm-dd).", required=True)
@pass_session
def grant(
    session: Session, number: str, person_id: str, right: str, context: str, begin: str, end: str
) -> None:
    """Grant one person a right at once, under the rules of assign and confirm ("Snel recht
    toekennen"); your selection and a waiting assignment are left as they are.

    \b
    Example:
      grantbook --as jan grant 034793 90001 --right iris --context Gebruiker \\
          --begin 26/08/2026 --end 31/08/2027
    """
    act = session.act()
    first, last = parse_date(begin), parse_date(end)
    granted = session.app(reading=True).grant(act, number, person_id, right, context, first, last)
    click.echo("granted " + describe(granted))
    warn_if_past(granted.begin, granted.end, act)


COMMANDS: tuple[Any, ...] = (selection, assign, confirm, back, cancel, grant)
