"""``grantbook review``: access reviews ("Toegangsreview", docs/adr/0025). Heads start and close a
review, its reviewers decide keep or revoke per right (never on their own), and ``review run`` (daily,
from a scheduler) closes what is past due and starts the next review of each recurring one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from grantbook.adapters.run_lock import RunLocked, exclusive_run
from grantbook.adapters.store import StoreLocation
from grantbook.domain import RuleViolation, parse_date, rules
from grantbook.domain.review_report import REVIEW_COLUMNS, REVIEW_LIST_COLUMNS
from grantbook.domain.review_state import ALREADY_ENDED, EVERY, IF_UNDECIDED, KEEP, REVOKED, Review
from grantbook.review_run import run_reviews

from .common import INSTITUTION, RIGHT_HELP, day_option, to_date
from .context import Session, pass_session
from .output import emit, format_option_with, visible
from .reading import as_of_option, check_integrity, ignore_integrity_option, parse_as_of


@click.group("review")
def review() -> None:
    """Access reviews ("Toegangsreview"): reviewers confirm that each right is still needed, or it is
    revoked when the review closes.

    \b
    Example:
      grantbook --as jan review start 034793 --name "IRIS" --due 31/01/2027 --right iris --every 3
      grantbook --as mia review decide 034793 R1 034793-4 034793-7 revoke --reason "left the school"
      grantbook --as notifier review run
    """


@review.command("start")
@click.argument("number", type=INSTITUTION)
@click.option("--name", required=True, metavar="TEXT",
              help="What the review is called (in the revocations' reason).")
@day_option("--due", "The last day to decide; the run closes the review the day after.", required=True)
@click.option("--right", help=RIGHT_HELP + " Default: every right.")
@click.option("--context", help="Only this context of --right.")
@click.option("--reviewer", "reviewers", multiple=True, metavar="PERSON",
              help="A reviewer (an administrator; repeat). Default: every administrator.")
@click.option("--if-undecided", type=click.Choice(IF_UNDECIDED), default=KEEP, show_default=True,
              help="What closing does with a right nobody decided on.")
@click.option("--justify", is_flag=True, help="Keeping a right needs a justification (--reason).")
@click.option("--every", type=click.Choice([str(m) for m in EVERY]), metavar="3|6|12",
              help="Start the next review this many months after this one starts (review run).")
@pass_session
def start(
    session: Session, number: str, name: str, due: str, right: str | None, context: str | None,
    reviewers: tuple[str, ...], if_undecided: str, justify: bool, every: str | None,
) -> None:
    """Start a review of the rights at NUMBER current or future today (head administrators); prints
    its id. Its items are frozen now: rights granted later are not in it.

    \b
    Example:
      grantbook --as jan review start 034793 --name "Jaarlijkse review" --due 2027-01-31
      grantbook --as jan review start 034793 --name "IRIS per kwartaal" --due 31/01/2027 \\
          --right iris --context Gebruiker --reviewer mia --if-undecided recommendation --justify --every 3
    """
    act = session.act()
    found = session.app(reading=True).start_review(
        act, number, name, parse_date(due), right, context, reviewers, if_undecided, justify,
        int(every) if every else None,
    )
    click.echo(found.review_id)
    said = (f"started review {found.review_id} ({found.name}) at {number}: {len(found.items)} items, "
            f"due {found.due.isoformat()}, reviewers {', '.join(found.reviewers)}")
    click.echo(visible(said), err=True)


@review.command("list")
@click.argument("number", type=INSTITUTION)
@as_of_option
@ignore_integrity_option
@format_option_with(columns=REVIEW_LIST_COLUMNS)
@pass_session
def list_reviews(session: Session, number: str, as_of: str | None, ignore_integrity: bool,
                 output_format: str) -> None:
    """The reviews of NUMBER: id, name, status (open/closed), due date, items, items decided.

    \b
    Example:
      grantbook review list 034793
      grantbook review list 034793 --as-of 2027-02-01 --format json
    """
    moment = parse_as_of(as_of) if as_of is not None else None
    app = session.app(reading=True)
    found = app.reviews(number, moment)  # refused (not registered) before the read models are asked
    check_integrity(app, number, ignore_integrity)
    emit(found, REVIEW_LIST_COLUMNS, output_format)


@review.command("show")
@click.argument("number", type=INSTITUTION)
@click.argument("review_id", metavar="ID")
@as_of_option
@ignore_integrity_option
@format_option_with(columns=REVIEW_COLUMNS)
@pass_session
def show(session: Session, number: str, review_id: str, as_of: str | None, ignore_integrity: bool,
         output_format: str) -> None:
    """One review of NUMBER, one row per right: its recommendation, the last decision (who, when,
    why) and, once closed, the outcome (kept, revoked, already-ended).

    \b
    Example:
      grantbook review show 034793 R1
      grantbook review show 034793 R1 --as-of 2027-01-15 --format csv
    """
    moment = parse_as_of(as_of) if as_of is not None else None
    app = session.app(reading=True)
    report = app.review(number, review_id, moment)  # refused before the read models are asked
    check_integrity(app, number, ignore_integrity)
    if output_format == "table":
        facts = report.facts
        scope = facts["right"] or "every right"
        if facts["context"]:
            scope += f" [{facts['context']}]"
        click.echo(visible(
            f"{facts['id']} {facts['name']} ({facts['status']}): {scope}, due {facts['due']}, "
            f"{facts['decided']} of {facts['items']} decided, if undecided: {facts['if_undecided']}"
        ))
    emit(report.rows, REVIEW_COLUMNS, output_format)


@review.command("decide")
@click.argument("number", type=INSTITUTION)
@click.argument("review_id", metavar="ID")
@click.argument("grant_ids", nargs=-1, required=True, metavar="GRANT_ID...")
@click.argument("decision", type=click.Choice(("keep", "revoke")), metavar="keep|revoke")
@click.option("--reason", metavar="TEXT", help="The justification (keep) or reason (revoke).")
@pass_session
def decide(session: Session, number: str, review_id: str, grant_ids: tuple[str, ...], decision: str,
           reason: str | None) -> None:
    """Decide keep or revoke on rights of a review (its reviewers; never on your own right): all of
    them or none. A later decision replaces yours until the review closes.

    \b
    Example:
      grantbook --as mia review decide 034793 R1 034793-4 keep --reason "still teaches the class"
      grantbook --as mia review decide 034793 R1 034793-7 034793-9 revoke --reason "left the school"
    """
    act = session.act()
    items = session.app(reading=True).decide_review(act, number, review_id, grant_ids, decision, reason)
    click.echo(f"decided {decision} on {len(items)} item{'' if len(items) == 1 else 's'} of "
               f"{review_id.strip().upper()}: " + ", ".join(i.grant_id for i in items))


def _closed(number: str, found: Review) -> None:
    outcomes = found.outcomes
    for item in found.items:
        outcome = outcomes[item.grant_id]
        said = {REVOKED: f"revoked from {found.closed_on}", ALREADY_ENDED: f"already ended ({outcome.note})"}
        click.echo(visible(f"  {item.grant_id} {item.person_id} {item.right} [{item.context}]: "
                           f"{said.get(outcome.outcome, 'kept')}"))


def _counts(found: Review) -> str:
    values = [o.outcome for o in found.outcomes.values()]
    kept, ended = values.count("kept"), values.count(ALREADY_ENDED)
    return f"{values.count(REVOKED)} revoked, {kept} kept, {ended} already ended"


@review.command("close")
@click.argument("number", type=INSTITUTION)
@click.argument("review_id", metavar="ID")
@click.option("--last", "ends_series", is_flag=True,
              help="The last review of its series: no next one starts.")
@pass_session
def close(session: Session, number: str, review_id: str, ends_series: bool) -> None:
    """Close a review now (head administrators): each revoke, and each undecided right its
    --if-undecided says to revoke, is revoked from today ("Toegangsreview <name>").

    \b
    Example:
      grantbook --as jan review close 034793 R1
      grantbook --as jan review close 034793 R4 --last
    """
    act = session.act()
    found = session.app(reading=True).close_review(act, number, review_id, ends_series)
    click.echo(visible(f"closed {found.review_id} ({found.name}) at {number}: {_counts(found)}"))
    _closed(number, found)


@contextmanager
def _only_run(store: StoreLocation) -> Iterator[None]:
    try:
        with exclusive_run(store, "review"):
            yield
    except RunLocked:
        raise RuleViolation(
            rules.REVIEW_RUNNING,
            "another grantbook review run is working on this store; nothing was done: run again later",
        ) from None


@review.command("run")
@day_option("--on", "The day to run for (default today, Brussels; never before today).")
@click.option("--institution", "number", type=INSTITUTION, metavar="NUMBER", help="Only this institution.")
@pass_session
def run(session: Session, on: str | None, number: str | None) -> None:
    """Close every open review past its due date and start the next review of every recurring one
    whose day has come (once). Safe to run daily from a scheduler; one run at a time per store.

    \b
    Example:
      grantbook --as notifier review run
      grantbook --as notifier review run --on 01/03/2027
    """
    act = session.act()
    day = to_date(on, session.today())
    if day < act.today:
        raise RuleViolation(
            rules.REVOKE_DATE,
            f"--on {day.isoformat()} is before today ({act.today.isoformat()}): "
            "a review closes, and revokes, from today or a later day",
        )
    app = session.app(reading=True)
    numbers = [app.institution(number).state.number] if number else None
    with _only_run(session.store):
        report = run_reviews(app, act, day, numbers)
    closed = started = 0
    for where, done in report.done:
        for found in done.closed:
            closed += 1
            click.echo(visible(f"closed {where} {found.review_id} ({found.name}): {_counts(found)}"))
            _closed(where, found)
        for found in done.started:
            started += 1
            click.echo(visible(f"started {where} {found.review_id} ({found.name}): {len(found.items)} items, "
                               f"due {found.due.isoformat()}"))
    click.echo(f"review run on {day.isoformat()}: {closed} closed, {started} started", err=True)
    for found in report.broken:
        where = f"institution {found['number']} at position {found['broken_at']}: {found['problem']}"
        click.echo(f"error: integrity: the hash chain is broken ({where}): no review closed or started "
                   "there; run `grantbook verify`", err=True)
    if report.broken:
        sys.exit(1)


COMMANDS = (review,)
