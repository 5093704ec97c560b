"""``grantbook store copy``: move every event to another store."""

from __future__ import annotations

import sys

import click

from grantbook.adapters.store import StoreLocation
from grantbook.adapters.store_copy import copy_events, count, verified_prefix
from grantbook.application import GrantBook
from grantbook.errors import StoreError
from grantbook.projections import read_models


@click.group()
def store() -> None:
    """Work on whole stores."""


@store.command("copy")
@click.option("--from", "source_url", required=True, metavar="URL", help="The store to copy from.")
@click.option("--to", "target_url", required=True, metavar="URL", help="The store to copy into.")
def store_copy(source_url: str, target_url: str) -> None:
    """Copy every event, in order, from one store to another.

    The target must be new, or hold an earlier interrupted copy (which is
    resumed). National register numbers stay encrypted as they are: use the
    source's key file for the target. The target's read models are built before it ends.

    \b
    Example:
      grantbook store copy --from sqlite:///grantbook.db \\
          --to postgresql://grantbook@db.example/grantbook
    """
    source_location, target_location = StoreLocation.parse(source_url), StoreLocation.parse(target_url)
    if source_location.url == target_location.url:
        raise StoreError("--from and --to name the same store")
    source = GrantBook.open(source_location, create=False)
    try:
        target = GrantBook.open(target_location, create=True)
        try:
            already = verified_prefix(source.recorder, target.recorder)
            total = count(source.recorder)
            with click.progressbar(
                length=total - already, label="copying events", file=sys.stderr
            ) as bar:
                copied = copy_events(source.recorder, target.recorder, already, bar.update)
            models = read_models(target)  # built now: a reader who may not write finds them ready
            try:
                models.catch_up()
            finally:
                models.close()
        finally:
            target.close()
    finally:
        source.close()
    click.echo(
        f"copied {copied} events from {source_location.display} to {target_location.display}"
        + (f" (resumed after {already} already there)" if already else "")
    )


COMMANDS = (store,)
