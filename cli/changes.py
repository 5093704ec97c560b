"""Changes to rights already granted: extend and revoke (one person, several, or a school year's
rollover) and void a grant entered by mistake (docs/adr/0016)."""

from __future__ import annotations

import click

from grantbook.domain import ACTIVE, Grant, parse_date

from .common import INSTITUTION, RIGHT_HELP, day_option, describe
from .context import Session, pass_session
from .output import visible

GRANT_HELP = "Instead of persons: exactly this grant (its id, from `rights NUMBER --all`)."


@click.command()
@click.argument("number", type=INSTITUTION)
@click.argument("person_ids", nargs=-1, metavar="[PERSON_ID]...")
@click.option("--right", help=RIGHT_HELP + " Required with persons or --ending.")
@day_option("--end", "The new last valid day.", required=True)
@day_option("--ending", "Instead of persons: every grant of the right ending on this day (the rollover).")
@click.option("--context", help="Only this context (needed if a person holds the right in several).")
@click.option("--grant", "grant_id", metavar="GRANT_ID", help=GRANT_HELP)
@pass_session
def extend(
    session: Session,
    number: str,
    person_ids: tuple[str, ...],
    right: str | None,
    end: str,
    ending: str | None,
    context: str | None,
    grant_id: str | None,
) -> None:
    """Move the end date of persons' right later: all of them or, if one cannot be, none.

    With --ending DATE instead of persons (a school year's rollover), every grant
    of the right ending on DATE whose holder is still Actief moves to --end; the
    holders who are not are named as left alone. One event either way.

    With --grant GRANT_ID instead of persons (the id `rights NUMBER --all` shows),
    exactly that grant moves: a later grant of the same right stays as it is.

    \b
    Example:
      grantbook --as jan extend 034793 90001 90002 --right iris --end 31/08/2027
      grantbook --as jan extend 034793 --right iris --ending 2027-08-31 --end 2028-08-31
      grantbook --as jan extend 034793 --grant 034793-12 --end 31/08/2028
    """
    if grant_id is not None:
        _only_the_grant(person_ids, right=right, context=context, ending=ending)
    elif bool(person_ids) == (ending is not None):
        raise click.UsageError(
            "name the persons (PERSON_ID...), --ending DATE or --grant GRANT_ID, one of them"
        )
    elif right is None:
        raise click.UsageError("Missing option '--right' (or name one grant with --grant GRANT_ID)")
    act = session.act()
    new_end = parse_date(end)
    app = session.app(reading=True)
    if grant_id is not None:
        click.echo("extended " + describe(app.extend_grant(act, number, grant_id, new_end)))
        return
    assert right is not None
    if ending is not None:
        done = app.extend_ending(act, number, right, parse_date(ending), new_end, context)
        _extended(done.extended, new_end.isoformat())
        for person in done.left_alone:
            names = f"{person.first_name} {person.last_name}"
            click.echo(visible(f"left alone: {person.person_id} ({names}): not {ACTIVE}"))
        return
    if len(person_ids) == 1:
        grant = app.extend(act, number, person_ids[0], right, new_end, context)
        click.echo("extended " + describe(grant))
        return
    _extended(app.extend_many(act, number, person_ids, right, new_end, context), new_end.isoformat())


def _only_the_grant(person_ids: tuple[str, ...], **others: str | None) -> None:
    """--grant names the grant whole: persons, --right, --context or --ending beside it is wrong usage."""
    named = [f"--{name}" for name, value in others.items() if value is not None]
    if person_ids or named:
        extra = ", ".join((["PERSON_ID"] if person_ids else []) + named)
        raise click.UsageError(f"--grant names one grant whole: leave out {extra}")


def _extended(grants: list[Grant], new_end: str) -> None:
    click.echo(f"extended {len(grants)} grants to {new_end}:")
    for grant in grants:
        click.echo("  " + describe(grant))


@click.command()
@click.argument("number", type=INSTITUTION)
@click.argument("person_ids", nargs=-1, metavar="[PERSON_ID]...")
@click.option("--right", help="The right to take away (its code or name); required with persons.")
@click.option("--context", help="Only this context (default: every context).")
@click.option("--grant", "grant_id", metavar="GRANT_ID", help=GRANT_HELP)
@click.option("--reason", metavar="TEXT", help="Why (required), kept in the audit trail.")
@click.option(
    "--from",
    "first_day",
    metavar="DATE",
    help="The first day the right is no longer held: today (default) or later.",
)
@pass_session
def revoke(
    session: Session,
    number: str,
    person_ids: tuple[str, ...],
    right: str | None,
    context: str | None,
    grant_id: str | None,
    reason: str | None,
    first_day: str | None,
) -> None:
    """Revoke persons' right from today (or --from a later day): all of them or none.

    A leaver's right is revoked like anyone's. A revocation planned for a later
    day may be moved earlier by revoking again. With --grant GRANT_ID instead of
    persons, exactly that grant is revoked: a later grant of the same right stays.

    \b
    Example:
      grantbook --as jan revoke 034793 90001 \\
          --right "IRIS-Platform (Leerlingenpaspoort) Gebruiker" --reason "left the school"
      grantbook --as jan revoke 034793 90002 90003 --right iris --reason "leaves" --from 2027-01-01
      grantbook --as jan revoke 034793 --grant 034793-12 --reason "left the school"
    """
    if grant_id is not None:
        _only_the_grant(person_ids, right=right, context=context)
    elif not person_ids:
        raise click.UsageError("name the persons (PERSON_ID...) or --grant GRANT_ID")
    elif right is None:
        raise click.UsageError("Missing option '--right' (or name one grant with --grant GRANT_ID)")
    act = session.act()
    day = parse_date(first_day) if first_day is not None else None
    if grant_id is not None:
        grant = session.app(reading=True).revoke_grant(act, number, grant_id, reason, day)
        click.echo(f"revoked from {(day or act.today).isoformat()}: " + describe(grant))
        return
    assert right is not None
    persons = person_ids[0] if len(person_ids) == 1 else person_ids
    grants = session.app(reading=True).revoke(act, number, persons, right, context, reason, day)
    shown_day = (day or act.today).isoformat()
    for grant in grants:
        click.echo(f"revoked from {shown_day}: " + describe(grant))


@click.command()
@click.argument("number", type=INSTITUTION)
@click.argument("grant_id")
@click.option("--reason", metavar="TEXT", help="Why it was a mistake (required), kept in the audit trail.")
@pass_session
def void(session: Session, number: str, grant_id: str, reason: str | None) -> None:
    """Void a grant entered by mistake (head administrators): it was never valid.

    It then counts on no day, past days too; the audit trail and --as-of still
    show it, and who voided it and why. GRANT_ID is in `rights NUMBER --all`.

    \b
    Example:
      grantbook --as jan void 034793 034793-12 --reason "granted to the wrong person"
    """
    act = session.act()
    grant = session.app(reading=True).void(act, number, grant_id, reason)
    click.echo(f"voided {grant.grant_id}: " + describe(grant))


COMMANDS = (extend, revoke, void)
