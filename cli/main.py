"""The ``grantbook`` command line: a thin layer over the application service.

Exit codes: 0 done, 1 refused (a rule, the store or the key; one line on
stderr, nothing recorded), 2 wrong usage or a malformed value (one line too).
"""

from __future__ import annotations

import errno
import os
import re
import sys
from typing import Any

import click
from eventsourcing.persistence import PersistenceError

from grantbook import __version__
from grantbook.adapters.store import DEFAULT_LOCK_TIMEOUT, DEFAULT_STORE, StoreLocation
from grantbook.domain import RuleViolation, rules
from grantbook.errors import KeyFileError, StoreError, TamperEvidenceError, driver_error, is_driver_error

from . import (
    admin,
    catalogue,
    changes,
    demo,
    institutions,
    notices,
    projections_cmd,
    reading,
    reviews,
    serve,
    staff,
    steps,
    store_cmd,
    tasks,
    tokens,
    verify,
    workflow,
)
from .common import fail, show_warnings
from .context import Session


class GrantbookGroup(click.Group):
    """Turns every refusal into one line on stderr, ``error: <rule>: <what>``:
    exit 1 for a refused command, 2 for wrong usage (click's usage errors and
    malformed values, rules.MALFORMED)."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:  # `grantbook` alone: the help, as asked
            error.show()
            sys.exit(error.exit_code)
        except click.UsageError as error:
            hint = f" (see {error.ctx.command_path} --help)" if error.ctx is not None else ""
            fail(rules.USAGE, error.format_message() + hint, code=2)
        except click.ClickException as error:
            fail(rules.USAGE, error.format_message(), code=error.exit_code)
        except click.Abort:
            fail(rules.USAGE, "aborted", code=1)
        except OSError as error:  # e.g. stdout closed by the reader (a pipe into head)
            if error.errno != errno.EPIPE:
                raise
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RuleViolation as error:
            fail(error.rule, error.message, code=2 if error.rule in rules.MALFORMED else 1)
        except StoreError as error:
            fail(*store_rule(str(error)))
        except KeyFileError as error:
            fail(rules.KEY_FILE, str(error))
        except TamperEvidenceError as error:  # its text starts with "integrity: "
            fail(rules.INTEGRITY, str(error).removeprefix(rules.INTEGRITY + ": "))
        except OverflowError as error:  # a number beyond what a type can hold, wherever it came from
            fail(rules.VALUE_RANGE, f"a value is out of range ({error})")
        except Exception as error:
            if not is_database_error(error):
                raise
            session = ctx.find_object(Session)
            where = session.store.display if session else "the store"
            fail(rules.STORE, f"{where}: {store_problem(driver_error(error))}")


def store_rule(message: str) -> tuple[str, str]:
    """A store error's rule: its own when it names one (``lock-timeout: ...``), else ``store``."""
    named = re.match(r"([a-z][a-z-]*): (.*)", message, re.DOTALL)
    if named:
        return named.group(1), named.group(2)
    return rules.STORE, message.removeprefix("store ")  # "store X is ...": the rule says "store"


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
        fail(rules.STORE, str(error))
    explicit = ctx.get_parameter_source("store") is not click.core.ParameterSource.DEFAULT
    show_warnings()
    session = Session(store=location, actor=actor, store_given=explicit)
    ctx.obj = session
    ctx.call_on_close(session.close)


for module in (
    staff,
    workflow,
    steps,
    changes,
    admin,
    reading,
    projections_cmd,
    verify,
    store_cmd,
    serve,
    notices,
    institutions,
    catalogue,
    tasks,
    tokens,
    reviews,
):
    for command in module.COMMANDS:
        cli.add_command(command)
cli.add_command(demo.demo)


def main() -> None:
    for position, argument in enumerate(sys.argv[1:], start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            # bytes a non-UTF-8 terminal passed in: refuse before they reach an event
            problem = f"argument {position} is not UTF-8 text (set the terminal to UTF-8)"
            fail(rules.ARGUMENTS, problem, code=2)
    cli(prog_name="grantbook")


if __name__ == "__main__":
    main()
