"""Who an institution has: registering it, importing its roster, adding support workers."""

from __future__ import annotations

from pathlib import Path

import click

from grantbook.adapters.roster_emails import parse_roster_emails
from grantbook.adapters.roster_file import parse_roster
from grantbook.domain import ACTIVE

from .common import INSTITUTION, fail
from .context import Session, pass_session


@click.group()
def institution() -> None:
    """Register institutions (schools)."""


@institution.command("register")
@click.argument("number", type=INSTITUTION)
@click.option("--name", required=True, help="The institution's name.")
@click.option(
    "--admin",
    "admins",
    multiple=True,
    required=True,
    metavar="PERSON",
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
        f"registered {registered.state.number} ({registered.state.name}); administrators: "
        + ", ".join(sorted(registered.state.administrators))
    )


@click.group()
def roster() -> None:
    """Import an institution's staff list."""


@roster.command("import")
@click.argument("number", type=INSTITUTION)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_session
def roster_import(session: Session, number: str, file: Path) -> None:
    """Replace the roster of NUMBER with the persons in FILE (CSV).

    \b
    Header: person_id,first_name,last_name,category,status,begin_date,end_date
    and optionally email (where expiry notices to the holder go).
    status is Actief or Inactief; dates dd/mm/yyyy or yyyy-mm-dd; ';' or ','.
    A person missing from the file is no longer Actief.

    \b
    Example:
      grantbook --as jan roster import 034793 staff.csv
    """
    act = session.act()
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"roster-file: cannot read {file}: {error.strerror}")
    entries = parse_roster(data)
    emails, problems = parse_roster_emails(data)  # the optional email column (docs/adr/0014)
    session.app(reading=True).import_roster(act, number, entries, emails)  # only register creates a store
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    active = sum(1 for e in entries if e.status == ACTIVE)
    click.echo(f"imported {len(entries)} persons ({active} {ACTIVE}) into {number}")


@click.group("support-worker")
def support_worker() -> None:
    """Support workers (ondersteuners): persons not on the roster."""


@support_worker.command("add")
@click.argument("number", type=INSTITUTION)
@click.option("--rrn", required=True, help="National register or bis number (separators allowed).")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--reason", metavar="TEXT", help="Why access is needed (required, audit trail).")
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
          --first-name An --last-name Peeters --reason "ondersteuner"
    """
    act = session.act()
    person = session.app(reading=True).add_support_worker(act, number, rrn, first_name, last_name, reason)
    click.echo(
        f"added support worker {person.person_id} ({person.national_number_masked}) to {number}",
        err=True,
    )
    click.echo(person.person_id)


COMMANDS = (institution, roster, support_worker)
