"""Reading commands: rights, expiring, audit, person, leavers. They record nothing.

Each one asks one view of the read models (grantbook.projections.views, docs/adr/0023): caught up
to the latest event, the institution known, its chain intact and the rows, from one snapshot;
``--as-of`` (record time) too, from the grants' recorded history (``gb_rights_history``) and the
audit trail's record times.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from typing import Any

import click

from grantbook.domain import RuleViolation, person_id, rules
from grantbook.domain.text import shown
from grantbook.domain.values import BRUSSELS, FIRST_DAY, LAST_DAY
from grantbook.errors import TamperEvidenceError
from grantbook.projections import views
from grantbook.projections.audit import AUDIT_COLUMNS
from grantbook.projections.views.trail import check_kinds
from grantbook.projections.people import LEAVERS_COLUMNS
from grantbook.projections.rights_questions import (
    ALL_COLUMNS,
    EXPIRING_COLUMNS,
    REGISTER_COLUMNS,
    RIGHTS_COLUMNS,
)

from .calendar import render_ics
from .common import INSTITUTION, day_option, to_date
from .context import Session, pass_session
from .output import emit, format_option, format_option_with

as_of_option = click.option(
    "--as-of",
    "as_of",
    metavar="TIMESTAMP",
    help=(
        "Answer as the register would have at this moment "
        "(ISO 8601; a date alone = end of that day, Brussels)."
    ),
)


ignore_integrity_option = click.option(
    "--ignore-integrity",
    is_flag=True,
    help="Answer even where an institution's hash chain was found broken (said on stderr).",
)


CLI = views.Reader(None)  # the CLI sees every institution (who may use the store decides)


def ask(
    app: Any, view: Any, *args: Any, ignore: bool = False, reader: views.Reader = CLI, **kwargs: Any
) -> Any:
    """A view of the read models (grantbook.projections.views) answered for the CLI from one
    snapshot (as ``reader`` sees them: every institution unless told). An institution it does not
    know is refused as not registered; a broken chain is refused naming it, unless ``ignore``: then
    said on stderr and answered anyway (from a second snapshot). A reading command leaves every read
    model caught up (``projections status`` shows no lag after it), not only those the view reads."""
    whole = functools.partial(view)  # no ``projections``: every read model caught up, as always here
    try:
        return views.ask(app, whole, reader, *args, **kwargs)
    except views.NotVisible as error:
        raise RuleViolation(rules.NOT_REGISTERED, f"institution {error.number} is not registered") from None
    except views.BrokenChain as error:
        if not ignore:
            raise TamperEvidenceError(f"{error.message}; --ignore-integrity answers anyway") from None
        click.echo(f"warning: integrity: {error.message}; answering anyway (--ignore-integrity)", err=True)
    return views.ask(app, whole, reader, *args, ignore_integrity=True, **kwargs)


@views.core.view()
def _chains(
    connection: Any, reader: views.Reader, number: str | None, *, ignore_integrity: bool = False
) -> None:
    views.intact(connection, None if number is None else [number], ignore_integrity)


def check_integrity(app: Any, number: str | None, ignore: bool) -> None:
    """Refuses (or, with ``ignore``, warns) when the chain of the institution numbered (None: of any)
    was found broken: for the commands that read aggregates (``tasks``)."""
    ask(app, _chains, number, ignore=ignore)


def parse_as_of(text: str, start: bool = False, option: str = "--as-of") -> datetime:
    """ISO 8601; a date alone is the end (or ``start``) of that day in Brussels; no zone = Brussels."""
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            moment = datetime.combine(day, time.min if start else time.max, tzinfo=BRUSSELS)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise RuleViolation(
            rules.DATE_FORMAT,
            f"{option}: {shown(text)} is not an ISO 8601 date or timestamp (e.g. 2026-03-01T09:30:00+01:00)",
        ) from None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        problem = f"{option}: a moment lies between 1900 and 2199, got {shown(text)}"
        raise RuleViolation(rules.DATE_FORMAT, problem)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=BRUSSELS)


@click.command()
@click.argument("number", type=INSTITUTION)
@day_option("--on", "The day to look at (default today).")
@click.option("--all", "every", is_flag=True, help="Every grant, with its status that day (voided ones too).")
@as_of_option
@ignore_integrity_option
@format_option
@pass_session
def rights(
    session: Session,
    number: str,
    on: str | None,
    every: bool,
    as_of: str | None,
    ignore_integrity: bool,
    output_format: str,
) -> None:
    """The rights held at NUMBER on a day (default today), with each grant's id and any revocation.

    With --all: every grant, with its status on the day: voided (entered by
    mistake), revoked (from that day or earlier), future, ended or current.

    \b
    Example:
      grantbook rights 034793 --on 01/03/2027 --format csv
      grantbook rights 034793 --on 01/03/2027 --as-of 2027-02-15
      grantbook rights 034793 --all --on 2027-09-01
    """
    day = to_date(on, session.today())
    moment = parse_as_of(as_of) if as_of is not None else None
    app = session.app(reading=True)
    view = views.every_grant if every else views.rights_on
    rows = ask(app, view, number, day, moment, ignore=ignore_integrity)
    emit(rows, ALL_COLUMNS if every else REGISTER_COLUMNS, output_format)


@click.command()
@click.option("--within", default=30, show_default=True, type=click.IntRange(0, 36600), metavar="DAYS")
@day_option("--on", "Count from this day (default today).")
@click.option("--institution", "number", type=INSTITUTION, metavar="NUMBER", help="Only this institution.")
@as_of_option
@ignore_integrity_option
@format_option_with("ics")
@pass_session
def expiring(
    session: Session,
    within: int,
    on: str | None,
    number: str | None,
    as_of: str | None,
    ignore_integrity: bool,
    output_format: str,
) -> None:
    """Rights whose end date falls within DAYS after a day, soonest first.

    \b
    Example:
      grantbook expiring --within 60 --institution 034793
      grantbook expiring --within 365 --format ics > expiring.ics
    """
    day = to_date(on, session.today())
    if within > (date.max - day).days:
        past = f"{within} days after {day.isoformat()} is past the last day of the calendar"
        raise RuleViolation(rules.DATE_RANGE, f"{past} ({date.max.isoformat()})")
    moment = parse_as_of(as_of) if as_of is not None else None
    app = session.app(reading=True)
    calendar = output_format == "ics"  # a calendar (cli/calendar.py, docs/adr/0014): with each grant's id
    rows = ask(app, views.expiring, day, within, number, moment, ignore=ignore_integrity, with_ids=calendar)
    if calendar:
        click.echo(render_ics(rows, session.now()).encode("utf-8"), nl=False)  # bytes: CRLF line ends kept
        return
    emit(rows, EXPIRING_COLUMNS, output_format)


@click.command()
@click.argument("number", type=INSTITUTION)
@click.option("--actor", metavar="PERSON", help="Only events by this person.")
@click.option("--person", metavar="PERSON", help="Only events about this person.")
@click.option("--event", "event_name", metavar="NAME", help="Only events of this kind (e.g. NoticeSent).")
@click.option("--since", metavar="TIMESTAMP", help="Only events recorded at or after this moment (ISO 8601).")
@click.option("--until", metavar="TIMESTAMP", help="Only events recorded up to this moment (ISO 8601).")
@as_of_option
@ignore_integrity_option
@format_option
@pass_session
def audit(
    session: Session,
    number: str,
    actor: str | None,
    person: str | None,
    event_name: str | None,
    since: str | None,
    until: str | None,
    as_of: str | None,
    ignore_integrity: bool,
    output_format: str,
) -> None:
    """Every event of NUMBER, oldest first: who did what, when.

    \b
    Example:
      grantbook audit 034793 --format json
      grantbook audit 034793 --person 90001 --since 2027-01-01T00:00:00+01:00
      grantbook audit 034793 --event NoticeSent
    """
    first = parse_as_of(since, start=True, option="--since") if since else None
    last = parse_as_of(until, option="--until") if until else None
    if first is not None and last is not None and first > last:
        raise RuleViolation(
            rules.DATE_RANGE, f"--since {first.isoformat()} is after --until {last.isoformat()}: nothing fits"
        )
    if as_of is not None:  # the trail as it stood then: the events recorded up to that moment
        moment = parse_as_of(as_of)
        last = moment if last is None else min(last, moment)
    app = session.app(reading=True)
    kinds = check_kinds(None if event_name is None else [event_name])  # refused before any read
    found = ask(
        app, views.audit, number, actor=actor, about=person, since=first, until=last, kinds=kinds, limit=None,
        ignore=ignore_integrity,
    )
    emit(found.items, AUDIT_COLUMNS, output_format)


@click.command()
@click.argument("person")
@day_option("--on", "Rights held on this day or later (default today).")
@ignore_integrity_option
@format_option
@pass_session
def person(session: Session, person: str, on: str | None, ignore_integrity: bool, output_format: str) -> None:
    """Every right PERSON holds (today or later) at any institution.

    \b
    Example:
      grantbook person OND-1a2b3c4d5e6f --format json
    """
    pid = person_id(person)
    day = to_date(on, session.today())
    app = session.app(reading=True)
    rows = ask(app, views.person_rights, pid, day, ignore=ignore_integrity)
    emit(rows, RIGHTS_COLUMNS, output_format)


@click.command()
@click.option("--institution", "number", type=INSTITUTION, metavar="NUMBER", help="Only this institution.")
@day_option("--on", "Rights held on this day or later (default today).")
@ignore_integrity_option
@format_option
@pass_session
def leavers(
    session: Session, number: str | None, on: str | None, ignore_integrity: bool, output_format: str
) -> None:
    """Rights still held by persons no longer Actief on their institution's roster.

    \b
    Example:
      grantbook leavers --institution 034793 --format csv
    """
    day = to_date(on, session.today())
    app = session.app(reading=True)
    rows = ask(app, views.leavers, day, number, ignore=ignore_integrity)
    emit(rows, LEAVERS_COLUMNS, output_format)


COMMANDS = (rights, expiring, audit, person, leavers)
