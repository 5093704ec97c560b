"""Who an institution has: registering it, importing its roster, adding support workers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grantbook.adapters.roster_emails import roster_emails
from grantbook.adapters.roster_file import read_table, validate
from grantbook.domain import ACTIVE, RuleViolation, rules

from .common import INSTITUTION, fail
from .context import Session, pass_session
from .roster_report import report_lines


@click.group()
def institution() -> None:
    """Register, list and rename institutions (schools)."""


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
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; record nothing.")
@pass_session
def roster_import(session: Session, number: str, file: Path, dry_run: bool) -> None:
    """Replace the roster of NUMBER with the persons in FILE (CSV or .xlsx).

    \b
    Header: person_id,first_name,last_name,category,status,begin_date,end_date
    and optionally email (where expiry notices to the holder go).
    status is Actief or Inactief; dates dd/mm/yyyy or yyyy-mm-dd; ';', ',' or
    tab (Excel's 'sep=;' first line is understood). An .xlsx workbook: its
    first sheet, the same header in its first non-empty row.
    A person missing from the file is no longer Actief.

    \b
    Prints who joined, who left and who of the leavers still holds a right
    (revoke it: see `grantbook leavers`), one line each, then a summary.
    --dry-run runs every check and prints the same, recording nothing.

    \b
    Example:
      grantbook --as jan roster import 034793 staff.xlsx --dry-run
      grantbook --as jan roster import 034793 staff.csv
    """
    act = session.act()
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(rules.ROSTER_FILE, f"cannot read {file}: {error.strerror}")
    table = read_table(data)  # CSV or .xlsx
    entries = validate(table)
    emails, problems = roster_emails(table)  # the optional email column (docs/adr/0014)
    app = session.app(reading=True)  # only register creates a store
    if dry_run:
        changes = app.preview_roster(act, number, entries, emails)
    else:
        changes = app.import_roster(act, number, entries, emails)
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    for line in report_lines(changes):
        click.echo(line)
    active = sum(1 for e in entries if e.status == ACTIVE)
    summary = f"{len(entries)} persons ({active} {ACTIVE}) into {number}"
    click.echo(f"dry run: would import {summary}; nothing recorded" if dry_run else f"imported {summary}")


@click.group("support-worker")
def support_worker() -> None:
    """Support workers (ondersteuners): persons not on the roster."""


@support_worker.command("add")
@click.argument("number", type=INSTITUTION)
@click.option(
    "--rrn",
    metavar="NUMBER|-",
    help="National register or bis number (separators allowed); '-' reads it from the first line "
    "of stdin; left out, grantbook asks for it without showing it (on a terminal).",
)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--reason", metavar="TEXT", help="Why access is needed (required, audit trail).")
@pass_session
def support_worker_add(
    session: Session,
    number: str,
    rrn: str | None,
    first_name: str,
    last_name: str,
    reason: str | None,
) -> None:
    """Add a support worker to NUMBER; prints the new person id.

    The national register number is checked, stored only encrypted and
    shown only masked. Keep it out of shell history and `ps`: give
    `--rrn -` and pipe it in, or leave `--rrn` out and type it at the prompt.

    \b
    Example:
      grantbook --as jan support-worker add 034793 --rrn - \\
          --first-name An --last-name Peeters --reason "ondersteuner" < rrn.txt
    """
    act = session.act()
    national_number = read_national_number(rrn)
    person = session.app(reading=True).add_support_worker(
        act, number, national_number, first_name, last_name, reason
    )
    click.echo(
        f"added support worker {person.person_id} ({person.national_number_masked}) to {number}",
        err=True,
    )
    click.echo(person.person_id)


def read_national_number(rrn: str | None) -> str:
    """From the option, stdin's first line (``-``) or a hidden prompt on a terminal."""
    if rrn == "-":
        line = sys.stdin.readline()
        if not line.strip():
            raise RuleViolation(rules.NATIONAL_NUMBER, "--rrn -: the first line of stdin is empty")
        return line.rstrip("\r\n")
    if rrn is not None:
        return rrn
    if not sys.stdin.isatty():
        raise click.UsageError(
            "give the national register number: --rrn - reads it from stdin, "
            "or run on a terminal to be asked for it"
        )
    return str(click.prompt("National register number (not shown)", hide_input=True, err=True))


COMMANDS = (institution, roster, support_worker)
