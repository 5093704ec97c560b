"""Helpers shared by the command modules."""

from __future__ import annotations

import logging
import sys
from datetime import date
from typing import Any, NoReturn

import click

from grantbook.domain import MAX_SELECTION, Grant, Person, institution_number, parse_date

from .output import visible

PERSON_COLUMNS = (
    "person_id",
    "first_name",
    "last_name",
    "institution",
    "category",
    "status",
    "begin",
    "end",
)

RIGHT_HELP = "A right: its code (iris) or its name, in any case (see catalogue)."
CONTEXT_HELP = "Beheerder, Operator or Gebruiker (any case)."


class InstitutionNumber(click.ParamType):
    """An instellingsnummer, checked and normalised where the command line is read.

    A bad number is a refusal like any other (``error: <rule>: ...``, exit 1),
    so the domain's RuleViolation is left to the group's handler."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return institution_number(value)


INSTITUTION = InstitutionNumber()


def fail(rule: str, message: str, code: int = 1) -> NoReturn:
    """The one line every refusal prints: ``error: <rule>: <what>``, then exit ``code``.

    Whitespace runs become one space and anything a terminal would act on
    is shown escaped, whatever the message quotes."""
    click.echo(f"error: {rule}: " + visible(" ".join(message.split())), err=True)
    sys.exit(code)


def day_option(name: str, help_text: str, required: bool = False) -> Any:
    return click.option(name, metavar="DATE", required=required, help=help_text)


def to_date(text: str | None, default: date) -> date:
    return default if text is None else parse_date(text)


def person_rows(number: str, persons: list[Person]) -> list[dict[str, Any]]:
    return [
        {
            "person_id": p.person_id,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "institution": number,
            "category": p.category,
            "status": p.status,
            "begin": p.begin_date.isoformat() if p.begin_date else None,
            "end": p.end_date.isoformat() if p.end_date else None,
        }
        for p in persons
    ]


def describe(grant: Grant) -> str:
    """One grant as a line for people (names from old events shown escaped)."""
    return visible(
        f"{grant.person_id} ({grant.first_name} {grant.last_name}): {grant.right} "
        f"[{grant.context}] {grant.begin.isoformat()} to {grant.end.isoformat()}"
    )


def selected(selection: list[Person]) -> str:
    """The line select and deselect print: how many of the limit, and who."""
    limit = MAX_SELECTION
    return f"selected {len(selection)} of at most {limit}: " + ", ".join(p.person_id for p in selection)


class _Stderr(logging.Handler):
    """Each warning once per command, however many questions the command asks."""

    def __init__(self) -> None:
        super().__init__()
        self.said: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.said:
            self.said.add(message)
            click.echo(message, err=True)


def show_warnings() -> None:
    """What grantbook's modules warn of (``read models lag N events``) goes to stderr as one line."""
    logger = logging.getLogger("grantbook")
    for handler in [h for h in logger.handlers if isinstance(h, _Stderr)]:
        logger.removeHandler(handler)  # one command, one handler (tests run many in one process)
    logger.addHandler(_Stderr())
    logger.setLevel(logging.WARNING)
    logger.propagate = False
