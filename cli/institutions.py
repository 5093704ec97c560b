"""``institution list`` ("Toon instellingen") and ``institution rename``: the institutions a person
works for, with what needs their eye, and what an institution is called.

The commands join the ``institution`` group of cli/staff.py (where ``register`` lives), so
``grantbook institution --help`` lists them together.
"""

from __future__ import annotations

import click

from grantbook.domain.tasks import EXPIRING_DAYS
from grantbook.projections import views

from .common import INSTITUTION
from .context import Session, pass_session
from .output import emit, format_option_with, visible
from .reading import ask, ignore_integrity_option
from .staff import institution

LIST_COLUMNS = ("institution", "name", "role", "rights_today", "expiring_30d")


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
    reader = views.Reader(actor)  # their own institutions, and only their chains
    rows = ask(app, views.visible_institutions, today, EXPIRING_DAYS, ignore=ignore_integrity, reader=reader)
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
