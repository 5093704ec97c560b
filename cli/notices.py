"""Expiry notices: ``grantbook notify`` and ``grantbook admin email`` (docs/adr/0014)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import click

from grantbook.adapters.run_lock import RunLocked, exclusive_run
from grantbook.adapters.smtp import DEFAULT_SMTP, SmtpSender, SmtpUrl
from grantbook.adapters.store import StoreLocation
from grantbook.domain import RuleViolation, rules
from grantbook.domain.notices import DEFAULT_THRESHOLDS, email_address, parse_thresholds
from grantbook.domain.review_notices import ReviewNotice
from grantbook.notify import Outcome, notify

from .admin import admin
from .common import INSTITUTION, day_option, to_date
from .context import Session, pass_session
from .output import visible


@admin.command("email")
@click.argument("number", type=INSTITUTION)
@click.argument("person")
@click.argument("address", required=False)
@click.option("--remove", is_flag=True, help="Take PERSON's address away instead (no more notices to it).")
@pass_session
def admin_email(session: Session, number: str, person: str, address: str | None, remove: bool) -> None:
    """Record the e-mail address expiry notices for administrator PERSON of NUMBER go to, or take a
    person's address away with --remove (a head for anyone, an administrator for their own).

    \b
    Example:
      grantbook --as jan admin email 034793 jan jan.peeters@delinde.example
      grantbook --as jan admin email 034793 piet --remove
    """
    if remove == (address is not None):
        raise click.UsageError("give either ADDRESS or --remove")
    act = session.act()
    app = session.app(reading=True)
    if address is None:
        removed = app.remove_email(act, number, person)
        said = "removed" if removed else "unchanged: no"
        click.echo(visible(f"{said} address of {person.strip()} at {number}"))
        return
    changed = app.record_email(act, number, person, address)
    said = "recorded" if changed else "unchanged:"
    click.echo(f"{said} address of {person.strip()} at {number}: {email_address(address)}")


def _line(outcome: Outcome) -> str:
    notice = outcome.notice
    if isinstance(notice, ReviewNotice):  # a mail to a reviewer (docs/adr/0025)
        which = "start" if notice.threshold is None else f"{notice.threshold}-day"
        return (
            f"{outcome.number} reviewer {notice.person_id} <{notice.address}>: review {notice.review_id} "
            f"due {notice.due.isoformat()} ({notice.left} of {notice.items} left to decide, {which} notice)"
        )
    rights = "; ".join(
        f"{line.grant.person_id} {line.grant.right} [{line.grant.context}] ends {line.grant.end.isoformat()} "
        f"({line.days_left} days left, {line.threshold}-day notice)"
        for line in notice.lines
    )
    return f"{outcome.number} {notice.role} {notice.person_id} <{notice.address}>: {rights}"


@contextmanager
def _only_run(store: StoreLocation) -> Iterator[None]:
    try:
        with exclusive_run(store, "notify"):
            yield
    except RunLocked:
        raise RuleViolation(
            rules.NOTIFY_RUNNING,
            "another grantbook notify is sending for this store; nothing was sent: "
            "run again when it has finished",
        ) from None


@click.command("notify")
@day_option("--on", "Count days left from this day (default today, Brussels).")
@click.option(
    "--thresholds", default=",".join(map(str, DEFAULT_THRESHOLDS)), show_default=True, metavar="DAYS,...",
    help="Notify when days left reach each of these.",
)
@click.option("--smtp", envvar="GRANTBOOK_SMTP", default=DEFAULT_SMTP, show_default=True, metavar="URL",
              help="smtp://USER:PASSWORD@HOST:PORT, smtp+starttls://… or smtps://… (env GRANTBOOK_SMTP).")
@click.option("--from", "mail_from", envvar="GRANTBOOK_MAIL_FROM", metavar="ADDRESS",
              help="The sender address (env GRANTBOOK_MAIL_FROM).")
@click.option("--institution", "number", type=INSTITUTION, metavar="NUMBER", help="Only this institution.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@pass_session
def notify_command(
    session: Session, on: str | None, thresholds: str, smtp: str, mail_from: str | None,
    number: str | None, dry_run: bool,
) -> None:
    """Mail administrators (and holders the roster has an address for) about rights that run out
    soon; each mail the server accepted is recorded (NoticeSent), so nothing is sent twice.

    \b
    Example:
      grantbook --as jan notify --smtp smtp://127.0.0.1:8025 --from grantbook@delinde.example
      grantbook --as jan notify --on 17/08/2027 --dry-run
    """
    act = session.act()
    day = to_date(on, session.today())
    steps = parse_thresholds(thresholds)
    url = SmtpUrl.parse(smtp)
    if not dry_run:
        if not mail_from:
            raise RuleViolation(rules.MAIL_FROM, "name the sender with --from ADDRESS or GRANTBOOK_MAIL_FROM")
        try:
            mail_from = email_address(mail_from)
        except RuleViolation as error:
            raise RuleViolation(rules.MAIL_FROM, error.message) from None
    app = session.app(reading=True)
    numbers = [app.institution(number).state.number] if number else None
    # A sending run holds the store's notify lock: two at once would both send what is due before
    # either records it (adapters/run_lock.py). A dry run sends nothing and needs no lock.
    with nullcontext() if dry_run else _only_run(session.store), SmtpSender(url) as sender:
        report = notify(app, act, day, steps, None if dry_run else sender.send, mail_from or "", numbers)
    for where, person in sorted(set(report.without_address)):
        click.echo(f"warning: {where}: administrator {person} has no e-mail address (grantbook admin email)",
                   err=True)
    for outcome in report.outcomes:
        if outcome.problem is None:
            click.echo(("would send " if dry_run else "sent ") + _line(outcome))
    sent = sum(1 for o in report.outcomes if o.sent)
    if dry_run:
        click.echo(f"dry run: {len(report.outcomes)} mails would be sent; nothing sent or recorded", err=True)
    else:
        click.echo(f"{sent} mails sent and recorded via {url.display}", err=True)
    for outcome in report.failed:
        notice = outcome.notice
        click.echo(f"error: not sent to {notice.person_id} <{notice.address}> ({outcome.number}): "
                   f"{outcome.problem}", err=True)
    for found in report.broken:
        where = f"institution {found['number']} at position {found['broken_at']}: {found['problem']}"
        click.echo(f"error: integrity: the hash chain is broken ({where}): no notices sent for it; "
                   "run `grantbook verify`", err=True)
    if report.failed or report.broken:
        sys.exit(1)


COMMANDS = (notify_command,)
