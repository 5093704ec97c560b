"""The ``grantbook`` command line: a thin layer over the application service.

Exit codes: 0 done, 1 refused (a rule, the store or the key; one line on
stderr, nothing recorded), 2 wrong usage (click's own message).
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from eventsourcing.persistence import PersistenceError

from grantbook import __version__
from grantbook.application import GrantBook
from grantbook.domain import Grant, Person, RuleViolation, institution_number, parse_date
from grantbook.errors import KeyFileError, StoreError
from grantbook.projections.audit import AUDIT_COLUMNS, audit_rows
from grantbook.projections.current_rights import (
    EXPIRING_COLUMNS,
    RIGHTS_COLUMNS,
    CurrentRights,
)
from grantbook.roster_file import parse_roster
from grantbook.store import DEFAULT_STORE, StoreLocation

from .context import Session, pass_session
from .output import format_option, render

PERSON_COLUMNS = (
    "person_id",
    "first_name",
    "last_name",
    "institution",
    "category",
    "status",
    "begin",
    "end",
)


def fail(message: str) -> NoReturn:
    click.echo("error: " + " ".join(message.split()), err=True)
    sys.exit(1)


class GrantbookGroup(click.Group):
    """Turns every refusal into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RuleViolation as error:
            fail(f"{error.rule}: {error.message}")
        except (StoreError, KeyFileError) as error:
            fail(str(error))
        except (PersistenceError, sqlite3.Error) as error:
            session = ctx.find_object(Session)
            where = session.store.display if session else "the store"
            fail(f"store {where}: {type(error).__name__}: {error}")


def day_option(name: str, help_text: str, required: bool = False) -> Any:
    return click.option(name, metavar="DATE", required=required, help=help_text)


def to_date(text: str | None, default: date) -> date:
    return default if text is None else parse_date(text)


def person_rows(number: str, persons: list[Person]) -> list[dict[str, Any]]:
    return [
        {
            "person_id": p.person_id,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "institution": number,
            "category": p.category,
            "status": p.status,
            "begin": p.begin_date.isoformat() if p.begin_date else None,
            "end": p.end_date.isoformat() if p.end_date else None,
        }
        for p in persons
    ]


def describe(grant: Grant) -> str:
    return (
        f"{grant.person_id} ({grant.first_name} {grant.last_name}): {grant.right} "
        f"[{grant.context}] {grant.begin.isoformat()} to {grant.end.isoformat()}"
    )


@click.group(cls=GrantbookGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grantbook")
@click.option(
    "--store",
    envvar="GRANTBOOK_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    metavar="URL",
    help="sqlite:///FILE.db or postgresql://USER@HOST/DB (env GRANTBOOK_STORE).",
)
@click.option(
    "--as",
    "actor",
    envvar="GRANTBOOK_ACTOR",
    metavar="PERSON",
    help="The acting person, recorded on every event (env GRANTBOOK_ACTOR).",
)
@click.pass_context
def cli(ctx: click.Context, store: str, actor: str | None) -> None:
    """grantbook: who may use which government application for which school.

    \b
    Example:
      grantbook --as jan institution register 034793 --name "Basisschool" --admin jan
      grantbook --as jan roster import 034793 staff.csv
      grantbook --as jan search 034793
    """
    try:
        location = StoreLocation.parse(store)
    except StoreError as error:
        fail(str(error))
    explicit = ctx.get_parameter_source("store") is not click.core.ParameterSource.DEFAULT
    session = Session(store=location, actor=actor, store_given=explicit)
    ctx.obj = session
    ctx.call_on_close(session.close)


# -- institution and roster ---------------------------------------------------


@cli.group()
def institution() -> None:
    """Register institutions (schools)."""


@institution.command("register")
@click.argument("number")
@click.option("--name", required=True, help="The institution's name.")
@click.option(
    "--admin", "admins", multiple=True, required=True, metavar="PERSON",
    help="An administrator who may act for it (repeat for several).",
)
@pass_session
def institution_register(session: Session, number: str, name: str, admins: tuple[str, ...]) -> None:
    """Register institution NUMBER (six digits) with its administrators.

    \b
    Example:
      grantbook --as jan institution register 034793 --name "Basisschool De Linde" --admin jan
    """
    act = session.act()
    registered = session.app().register_institution(act, number, name, admins)
    click.echo(
        f"registered {registered.number} ({registered.name}); administrators: "
        + ", ".join(sorted(registered.administrators))
    )


@cli.group()
def roster() -> None:
    """Import an institution's staff list."""


@roster.command("import")
@click.argument("number")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_session
def roster_import(session: Session, number: str, file: Path) -> None:
    """Replace the roster of NUMBER with the persons in FILE (CSV).

    \b
    Header: person_id,first_name,last_name,category,status,begin_date,end_date
    status is Actief or Inactief; dates dd/mm/yyyy or yyyy-mm-dd; ';' or ','.
    A person missing from the file is no longer Actief.
    \b
    Example:
      grantbook --as jan roster import 034793 staff.csv
    """
    act = session.act()
    number = institution_number(number)
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"roster-file: cannot read {file}: {error.strerror}")
    entries = parse_roster(data)
    session.app().import_roster(act, number, entries)
    active = sum(1 for e in entries if e.status == "Actief")
    click.echo(f"imported {len(entries)} persons ({active} Actief) into {number}")


# -- the workflow: search, select, assign, confirm -----------------------------


@cli.command()
@click.argument("number")
@click.option("--name", help="Only persons whose name contains TEXT.", metavar="TEXT")
@format_option
@pass_session
def search(session: Session, number: str, name: str | None, output_format: str) -> None:
    """List the staff and support workers of NUMBER (recorded as a step).

    \b
    Example:
      grantbook --as jan search 034793 --name peeters
    """
    act = session.act()
    number = institution_number(number)
    found = session.app(reading=True).search(act, number, name)
    click.echo(render(person_rows(number, found), PERSON_COLUMNS, output_format))


@cli.command()
@click.argument("number")
@click.argument("person_ids", nargs=-1, required=True, metavar="PERSON_ID...")
@pass_session
def select(session: Session, number: str, person_ids: tuple[str, ...]) -> None:
    """Add persons to your selection for NUMBER (at most 25).

    \b
    Example:
      grantbook --as jan select 034793 90001 90002
    """
    act = session.act()
    selection = session.app(reading=True).select(act, institution_number(number), person_ids)
    click.echo(f"selected {len(selection)} of at most 25: " + ", ".join(p.person_id for p in selection))


@cli.command()
@click.argument("number")
@click.argument("person_ids", nargs=-1, required=True, metavar="PERSON_ID...")
@pass_session
def deselect(session: Session, number: str, person_ids: tuple[str, ...]) -> None:
    """Take persons back out of your selection for NUMBER.

    \b
    Example:
      grantbook --as jan deselect 034793 90002
    """
    act = session.act()
    selection = session.app(reading=True).deselect(act, institution_number(number), person_ids)
    click.echo(f"selected {len(selection)} of at most 25: " + ", ".join(p.person_id for p in selection))


@cli.command()
@click.argument("number")
@format_option
@pass_session
def selection(session: Session, number: str, output_format: str) -> None:
    """Show your current selection for NUMBER.

    \b
    Example:
      grantbook --as jan selection 034793 --format json
    """
    act = session.act()
    number = institution_number(number)
    persons = session.app(reading=True).selection(act, number)
    click.echo(render(person_rows(number, persons), PERSON_COLUMNS, output_format))


@cli.command()
@click.argument("number")
@click.option("--right", required=True, help="A right from the catalogue.")
@click.option("--context", required=True, help="Beheerder, Operator or Gebruiker.")
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
    session.app(reading=True).assign(act, institution_number(number), right, context, first, last)
    click.echo(
        f"assigned {right} [{context}] {first.isoformat()} to {last.isoformat()}: "
        "run confirm to grant it, or cancel"
    )


@cli.command()
@click.argument("number")
@pass_session
def confirm(session: Session, number: str) -> None:
    """Step 3: grant the assigned right to everyone selected.

    \b
    Example:
      grantbook --as jan confirm 034793
    """
    act = session.act()
    grants = session.app(reading=True).confirm(act, institution_number(number))
    click.echo(f"granted to {len(grants)} persons:")
    for grant in grants:
        click.echo("  " + describe(grant))


@cli.command()
@click.argument("number")
@pass_session
def cancel(session: Session, number: str) -> None:
    """Cancel your pending assignment (the selection stays).

    \b
    Example:
      grantbook --as jan cancel 034793
    """
    act = session.act()
    session.app(reading=True).cancel(act, institution_number(number))
    click.echo("assignment cancelled")


@cli.command()
@click.argument("number")
@click.argument("person_id")
@click.option("--right", required=True, help="The right whose end date moves.")
@day_option("--end", "The new last valid day.", required=True)
@click.option("--context", help="Needed only if the person holds the right in several contexts.")
@pass_session
def extend(
    session: Session, number: str, person_id: str, right: str, end: str, context: str | None
) -> None:
    """Move the end date of a person's right later.

    \b
    Example:
      grantbook --as jan extend 034793 90001 \\
          --right "IRIS-Platform (Leerlingenpaspoort) Gebruiker" --end 31/08/2027
    """
    act = session.act()
    new_end = parse_date(end)
    grant = session.app(reading=True).extend(
        act, institution_number(number), person_id, right, new_end, context
    )
    click.echo("extended " + describe(grant))


@cli.command()
@click.argument("number")
@click.argument("person_id")
@click.option("--right", required=True, help="The right to take away.")
@click.option("--context", help="Only this context (default: every context).")
@click.option("--reason", help="Why, kept in the audit trail.")
@pass_session
def revoke(
    session: Session,
    number: str,
    person_id: str,
    right: str,
    context: str | None,
    reason: str | None,
) -> None:
    """Revoke a person's right, from today.

    \b
    Example:
      grantbook --as jan revoke 034793 90001 \\
          --right "IRIS-Platform (Leerlingenpaspoort) Gebruiker" --reason "left the school"
    """
    act = session.act()
    grants = session.app(reading=True).revoke(
        act, institution_number(number), person_id, right, context, reason
    )
    for grant in grants:
        click.echo(f"revoked from {act.today.isoformat()}: " + describe(grant))


@cli.group("support-worker")
def support_worker() -> None:
    """Support workers (ondersteuners): persons not on the roster."""


@support_worker.command("add")
@click.argument("number")
@click.option("--rrn", required=True, help="National register or bis number (separators allowed).")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--reason", help="Why this person needs access, kept in the audit trail.")
@pass_session
def support_worker_add(
    session: Session,
    number: str,
    rrn: str,
    first_name: str,
    last_name: str,
    reason: str | None,
) -> None:
    """Add a support worker to NUMBER; prints the new person id.

    The national register number is checked, stored only encrypted and
    shown only masked.
    \b
    Example:
      grantbook --as jan support-worker add 034793 --rrn 85.07.30-033.28 \\
          --first-name An --last-name Peeters
    """
    act = session.act()
    number = institution_number(number)
    person = session.app(reading=True).add_support_worker(
        act, number, rrn, first_name, last_name, reason
    )
    click.echo(
        f"added support worker {person.person_id} ({person.national_number_masked}) to {number}",
        err=True,
    )
    click.echo(person.person_id)


# -- reading: rights, expiring, audit ------------------------------------------


def _rights_view(app: GrantBook) -> CurrentRights:
    return CurrentRights.from_events(item.event for item in app.recorded_events())


@cli.command()
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


@cli.command()
@click.option("--within", default=30, show_default=True, type=click.IntRange(0, 36600), metavar="DAYS")
@day_option("--on", "Count from this day (default today).")
@click.option("--institution", "number", metavar="NUMBER", help="Only this institution.")
@format_option
@pass_session
def expiring(
    session: Session, within: int, on: str | None, number: str | None, output_format: str
) -> None:
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


@cli.command()
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


@cli.command()
@pass_session
def demo(session: Session) -> None:
    """Run the seed's scenario on a fresh store and print the results.

    Uses --store if one is given (it must not exist yet), else a new
    store in a temporary folder.
    \b
    Example:
      grantbook demo
    """
    from .demo import run_demo

    run_demo(session)


def main() -> None:
    cli(prog_name="grantbook")


if __name__ == "__main__":
    main()
