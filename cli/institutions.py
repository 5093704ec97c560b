"""``institution list`` ("Toon instellingen") and ``institution rename``: the institutions a person
works for, with what needs their eye, and what an institution is called.

The commands join the ``institution`` group of cli/staff.py (where ``register`` lives), so
``grantbook institution --help`` lists them together.
"""

from __future__ import annotations

from typing import Any

import click

from grantbook.domain.tasks import EXPIRING_DAYS
from grantbook.projections import answer
from grantbook.projections.access import institution_counts, roles_of, strongest_role

from .common import INSTITUTION
from .context import Session, pass_session
from .output import emit, format_option_with, visible
from .reading import check_integrity, ignore_integrity_option
from .staff import institution

LIST_COLUMNS = ("institution", "name", "role", "rights_today", "expiring_30d")


def institution_rows(connection: Any, person: str, today: Any) -> list[dict[str, Any]]:
    """One row per institution ``person`` is head, administrator or auditor of, by number: two
    queries whatever their number (the roles, then the counts of all of them grouped)."""
    mine = roles_of(connection, person)
    counts = institution_counts(connection, list(mine), today, EXPIRING_DAYS)
    return [
        {
            "institution": number,
            "name": entry["name"],
            "role": strongest_role(entry["roles"]),
            "rights_today": counts.get(number, (0, 0))[0],
            "expiring_30d": counts.get(number, (0, 0))[1],
        }
        for number, entry in mine.items()
    ]


@institution.command("list")
@ignore_integrity_option
@format_option_with(columns=LIST_COLUMNS)
@pass_session
def institution_list(session: Session, ignore_integrity: bool, output_format: str) -> None:
    """The institutions you (--as) work for ("Toon instellingen"): your role (head, administrator
    or auditor: an auditor reads and changes nothing), the rights held today and how many of them
    end within 30 days.

    \b
    Example:
      grantbook --as jan institution list
      grantbook --as jan institution list --format json
    """
    actor = session.act().actor
    today = session.today()
    app = session.app(reading=True)
    check_integrity(app, None, ignore_integrity)
    rows = answer(
        app,
        lambda connection: institution_rows(connection, actor, today),
        ["institutions", "access", "rights"],
    )
    if not rows and output_format == "table":
        click.echo(f"{actor} administers no institution and audits none")
        return
    emit(rows, LIST_COLUMNS, output_format)


@institution.command("rename")
@click.argument("number", type=INSTITUTION)
@click.option("--name", required=True, help="The institution's new name.")
@pass_session
def institution_rename(session: Session, number: str, name: str) -> None:
    """Give institution NUMBER a new name (head administrators only); the audit trail keeps both.

    \b
    Example:
      grantbook --as jan institution rename 034793 --name "Basisschool De Linde-Ter Beke"
    """
    act = session.act()
    previous, new = session.app(reading=True).rename_institution(act, number, name)
    click.echo(visible(f"renamed {number}: {previous} -> {new}"))


COMMANDS = ()  # both joined the ``institution`` group of cli/staff.py above
