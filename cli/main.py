"""The ``grantbook`` command line: a thin layer over the application service.

Exit codes: 0 done, 1 refused (a rule, the store or the key; one line on
stderr, nothing recorded), 2 wrong usage (click's own message).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from eventsourcing.persistence import PersistenceError

from grantbook import __version__
from grantbook.adapters.store import DEFAULT_LOCK_TIMEOUT, DEFAULT_STORE, StoreLocation
from grantbook.domain import RuleViolation
from grantbook.errors import KeyFileError, StoreError, TamperEvidenceError, driver_error, is_driver_error

from . import admin, demo, notices, reading, staff, store_cmd, verify, workflow
from .common import fail, show_warnings
from .context import Session


class GrantbookGroup(click.Group):
    """Turns every refusal into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RuleViolation as error:
            fail(f"{error.rule}: {error.message}")
        except (StoreError, KeyFileError, TamperEvidenceError) as error:  # say what, where; no rule code
            fail(str(error))
        except OverflowError as error:  # a number beyond what a type can hold, wherever it came from
            fail(f"value-range: a value is out of range ({error})")
        except Exception as error:
            if not is_database_error(error):
                raise
            session = ctx.find_object(Session)
            where = session.store.display if session else "the store"
            fail(f"store {where}: {store_problem(driver_error(error))}")


def is_database_error(error: BaseException) -> bool:
    """The store's own errors, and those of the drivers the read models use directly."""
    return isinstance(error, PersistenceError) or is_driver_error(error)


def store_problem(error: BaseException) -> str:
    """What a store error means for the person at the keyboard."""
    text = f"{error} {error.__cause__ or ''}".lower()
    timeout = os.environ.get("GRANTBOOK_LOCK_TIMEOUT", "").strip() or DEFAULT_LOCK_TIMEOUT
    if "locked" in text or "lock timeout" in text or "busy" in text:
        return (
            f"the store is busy: another process holds a write lock (waited {timeout} s, "
            "GRANTBOOK_LOCK_TIMEOUT); nothing was recorded, try again"
        )
    if "full" in text or "no space" in text or "disk i/o error" in text:
        return "the disk is full or failing: the store could not be written; nothing was recorded"
    if "read-only" in text or "readonly" in text or "unable to open" in text or "permission denied" in text:
        if "read_only" in text or "read-only transaction" in text:
            return (
                "the store cannot be written by this user (read-only access): reading needs read models "
                "that are up to date; someone with write access can run `grantbook projections catch-up`"
            )
        return f"the store cannot be written (read-only file, folder or server); nothing recorded ({error})"
    return f"{type(error).__name__}: {error}"


@click.group(cls=GrantbookGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grantbook")
@click.option(
    "--store",
    envvar="GRANTBOOK_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    metavar="URL",
    help="sqlite:///FILE.db or postgresql://USER@HOST/DB (env GRANTBOOK_STORE).",
)
@click.option(
    "--as",
    "actor",
    envvar="GRANTBOOK_ACTOR",
    metavar="PERSON",
    help="The acting person, recorded on every event (env GRANTBOOK_ACTOR).",
)
@click.pass_context
def cli(ctx: click.Context, store: str, actor: str | None) -> None:
    """grantbook: who may use which government application for which school.

    \b
    Example:
      grantbook --as jan institution register 034793 --name "Basisschool" --admin jan
      grantbook --as jan roster import 034793 staff.csv
      grantbook --as jan search 034793
    """
    try:
        location = StoreLocation.parse(store)
    except StoreError as error:
        fail(str(error))
    explicit = ctx.get_parameter_source("store") is not click.core.ParameterSource.DEFAULT
    show_warnings()
    session = Session(store=location, actor=actor, store_given=explicit)
    ctx.obj = session
    ctx.call_on_close(session.close)


for module in (staff, workflow, admin, reading, verify, store_cmd, notices):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(demo.demo)


def main() -> None:
    for position, argument in enumerate(sys.argv[1:], start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            # bytes a non-UTF-8 terminal passed in: refuse before they reach an event
            fail(f"arguments: argument {position} is not UTF-8 text (set the terminal to UTF-8)")
    cli(prog_name="grantbook")


if __name__ == "__main__":
    main()
