"""``grantbook projections status|catch-up|rebuild``: the persisted read models themselves."""

from __future__ import annotations

import sys

import click

from grantbook.projections import read_models
from grantbook.projections.parallel import cores

from .context import Session, pass_session
from .output import emit, format_option


@click.group()
def projections() -> None:
    """The persisted read models: their position, and rebuilding them."""


@projections.command()
@format_option
@pass_session
def status(session: Session, output_format: str) -> None:
    """Each projection's tracked position and its lag behind the latest event.

    \b
    Example:
      grantbook projections status --format json
    """
    app = session.app(reading=True)
    models = read_models(app)
    try:
        rows = models.status()
    finally:
        models.close()
    emit(rows, ("projection", "position", "head", "lag", "failed"), output_format)


@projections.command("catch-up")
@pass_session
def catch_up(session: Session) -> None:
    """Bring every projection up to the latest event (reading commands do this first themselves;
    run it from a schedule to keep them current, e.g. for auditors with read-only access).

    \b
    Example:
      grantbook projections catch-up
    """
    app = session.app(reading=True)
    models = read_models(app)
    try:
        applied = models.catch_up()
        lag = max(row["lag"] for row in models.status())
    finally:
        models.close()
    click.echo(f"applied {applied} events; lag {lag}", err=True)


@projections.command()
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, each building a share of the institutions (default: every core).",
)
@pass_session
def rebuild(session: Session, processes: int | None) -> None:
    """Rebuild every projection from the events (progress on stderr). The institutions are
    built on every core (--processes N) and swapped in by one transaction; the rows are the
    same with one process.

    \b
    Example:
      grantbook projections rebuild --processes 4
    """
    app = session.app(reading=True)
    models = read_models(app)
    try:
        total = models.head() * len(models.projections)
        with click.progressbar(length=total, label="rebuilding", file=sys.stderr) as bar:
            applied = models.rebuild(progress=bar.update, processes=processes or cores())
    finally:
        models.close()
    click.echo(f"rebuilt {len(models.projections)} projections from {applied} event applications", err=True)


COMMANDS = (projections,)
