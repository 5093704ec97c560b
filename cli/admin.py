"""``grantbook admin``: head administrators appoint and remove local administrators."""

from __future__ import annotations

from typing import Any

import click

from .common import INSTITUTION
from .context import Session, pass_session


@click.group()
def admin() -> None:
    """Local administrators of an institution (heads appoint and remove them)."""


def _describe(institution) -> str:  # type: ignore[no-untyped-def]
    heads = sorted(institution.state.heads)
    others = sorted(institution.state.administrators - institution.state.heads)
    return f"heads: {', '.join(heads)}; administrators: {', '.join(others) or '-'}"


@admin.command("add")
@click.argument("number", type=INSTITUTION)
@click.argument("person")
@click.option("--head", is_flag=True, help="Make PERSON a head administrator (hoofd lokale beheerder).")
@pass_session
def admin_add(session: Session, number: str, person: str, head: bool) -> None:
    """Appoint PERSON local administrator of NUMBER (only a head may).

    Also changes an existing administrator's role: with --head to head,
    without it back to an ordinary administrator.

    \b
    Example:
      grantbook --as jan admin add 034793 mia --head
    """
    act = session.act()
    app = session.app(reading=True)
    institution = app.appoint_administrator(act, number, person, head)
    click.echo(f"appointed {person.strip()} at {institution.state.number}; " + _describe(institution))


@admin.command("remove")
@click.argument("number", type=INSTITUTION)
@click.argument("person")
@pass_session
def admin_remove(session: Session, number: str, person: str) -> None:
    """Remove PERSON as administrator of NUMBER (only a head may; never the last head).

    \b
    Example:
      grantbook --as jan admin remove 034793 mia
    """
    act = session.act()
    institution = session.app(reading=True).remove_administrator(act, number, person)
    click.echo(f"removed {person.strip()} from {institution.state.number}; " + _describe(institution))


@click.group()
def auditor() -> None:
    """Auditors of an institution: they read rights and the audit trail, and change nothing
    (head administrators appoint and remove them)."""


@auditor.command("add")
@click.argument("number", type=INSTITUTION)
@click.argument("person")
@pass_session
def auditor_add(session: Session, number: str, person: str) -> None:
    """Appoint PERSON auditor of NUMBER (only a head administrator may).

    \b
    Example:
      grantbook --as jan auditor add 034793 ann
    """
    act = session.act()
    institution = session.app(reading=True).appoint_auditor(act, number, person)
    click.echo(f"appointed auditor {person.strip()} at {institution.state.number}; " + _auditors(institution))


@auditor.command("remove")
@click.argument("number", type=INSTITUTION)
@click.argument("person")
@pass_session
def auditor_remove(session: Session, number: str, person: str) -> None:
    """Remove PERSON as auditor of NUMBER (only a head administrator may).

    \b
    Example:
      grantbook --as jan auditor remove 034793 ann
    """
    act = session.act()
    institution = session.app(reading=True).remove_auditor(act, number, person)
    click.echo(f"removed auditor {person.strip()} from {institution.state.number}; " + _auditors(institution))


def _auditors(institution: Any) -> str:
    return "auditors: " + (", ".join(sorted(institution.state.auditors)) or "-")


COMMANDS = (admin, auditor)
