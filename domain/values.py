"""Value types and the parsers for what people type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import StringConstraints

from . import rules
from .national_number import looks_like_national_number
from .rules import RuleViolation
from .text import shown

BRUSSELS = ZoneInfo("Europe/Brussels")

INSTITUTION_NUMBER_PATTERN = r"^[0-9]{6}$"
PERSON_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"

InstitutionNumber = Annotated[str, StringConstraints(pattern=INSTITUTION_NUMBER_PATTERN)]
PersonId = Annotated[str, StringConstraints(pattern=PERSON_ID_PATTERN)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

_DMY = re.compile(r"^([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]{4})$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def _matching(text: str, pattern: str, rule: str, expected: str) -> str:
    """``text`` without surrounding blanks, if it matches; else a refusal naming what was expected."""
    value = text.strip()
    if not re.fullmatch(pattern, value):
        raise RuleViolation(rule, f"{expected}, got {shown(text)}")
    return value


def institution_number(text: str) -> str:
    """Six digits, leading zeros kept: ``034793``."""
    expected = "an institution number is exactly six digits"
    return _matching(text, INSTITUTION_NUMBER_PATTERN, rules.INSTITUTION_NUMBER, expected)


def person_id(text: str) -> str:
    if looks_like_national_number(text):  # personal data: never an id, never echoed
        raise RuleViolation(
            rules.PERSON_ID,
            "a person id is never a national register number: add such a person as a support worker (--rrn)",
        )
    return _matching(
        text,
        PERSON_ID_PATTERN,
        rules.PERSON_ID,
        "a person id is 1-64 letters, digits or . _ @ - (starting with a letter or digit)",
    )


FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
"""The days grantbook accepts: a date outside them is a typing mistake (ADR 0012)."""


def parse_date(text: str) -> date:
    """A date as people type it: ``dd/mm/yyyy`` (as in the government UI; ``d/m/yyyy`` and
    ``d-m-yyyy`` too) or ISO ``yyyy-mm-dd``, from 01/01/1900 to 31/12/2199. Anything else is refused."""
    value = text.strip()
    match = _DMY.fullmatch(value)
    if match:
        day, month, year = (int(g) for g in match.group(1, 3, 4))
    else:
        match = _ISO.fullmatch(value)
        if not match:
            raise RuleViolation(
                rules.DATE_FORMAT,
                f"a date is dd/mm/yyyy (d/m/yyyy, d-m-yyyy) or yyyy-mm-dd, got {shown(text)}",
            )
        year, month, day = (int(g) for g in match.groups())
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise RuleViolation(rules.DATE_FORMAT, f"no such day: {shown(text)}") from None
    if not FIRST_DAY <= parsed <= LAST_DAY:
        raise RuleViolation(
            rules.DATE_FORMAT, f"a date lies between 01/01/1900 and 31/12/2199, got {shown(text)}"
        )
    return parsed


@dataclass(frozen=True)
class Act:
    """Who does something, and when. Every command carries one.

    The domain never reads the clock: the application passes ``now`` in.
    """

    actor: str
    now: datetime

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("Act.now must be timezone-aware")
        person_id(self.actor)

    @property
    def today(self) -> date:
        """Today as a school in Flanders counts it: the date in Brussels."""
        return self.now.astimezone(BRUSSELS).date()


@dataclass(frozen=True)
class ProtectedNumber:
    """A national register number as the domain may keep it."""

    masked: str
    digest: str
    ciphertext: str
    key_id: str
