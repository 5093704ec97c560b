"""The catalogue of user rights (gebruikersrechten) an institution can grant.

Shipped with the package as ``catalogue.json``; the domain refuses any right
or context that is not in it. What people type names a right by its short
code (``iris``) or its full name, and a context by its name, in any case:
:meth:`Catalogue.resolve` turns that into the catalogue's own spelling, which
is what events record. A name that is neither is refused, naming the rights
whose name contains it.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from . import rules
from .rules import RuleViolation
from .text import shown


class Right(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")  # short, typed instead of the name: ``iris``
    name: str = Field(min_length=1)
    description: str
    contexts: tuple[str, ...] = Field(min_length=1)
    # Who may grant (assign, confirm, extend) it: any local administrator,
    # or only a head local administrator (hoofd lokale beheerder).
    granted_by: Literal["administrator", "head"] = "administrator"
    # The end date may be at most this many years after the begin date
    # (same calendar day; 28 February when 29 February does not exist).
    max_validity_years: int | None = Field(default=None, ge=1)

    def latest_end(self, begin: date) -> date | None:
        if self.max_validity_years is None:
            return None
        return add_years(begin, self.max_validity_years)

    def check_period(self, begin: date, end: date) -> None:
        latest = self.latest_end(begin)
        if latest is not None and end > latest:
            raise RuleViolation(
                rules.MAXIMUM_VALIDITY,
                f"{self.name!r} may be granted for at most {self.max_validity_years} years: "
                f"from {begin.isoformat()} the end date is at most {latest.isoformat()}, "
                f"got {end.isoformat()}",
                years=self.max_validity_years,
                last_day=latest,
            )


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February
    in a year that has none; the calendar's last day when it ends before."""
    if day.year + years > date.max.year:
        return date.max  # no calendar day after 31/12/9999: every later end is past the limit anyway
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Catalogue(BaseModel):
    model_config = ConfigDict(frozen=True)

    rights: tuple[Right, ...]

    def right(self, typed: str) -> Right:
        """The right whose code or name ``typed`` is, in any case; refused naming the near misses."""
        key = _key(typed)
        for right in self.rights:
            if key in (right.code, _key(right.name)):
                return right
        near = [
            r
            for r in self.rights
            if key and all(word in _key(r.name) or word in r.code for word in key.split())
        ]
        if len(near) > 1:
            raise RuleViolation(
                rules.AMBIGUOUS_RIGHT,
                f"{shown(typed)} matches {len(near)} rights: {_listed(near)}; give its code",
            )
        hint = f"did you mean {_listed(near)}?" if near else f"known: {_listed(self.rights)}"
        raise RuleViolation(rules.UNKNOWN_RIGHT, f"no right named {shown(typed)} ({hint})")

    def context(self, right: Right, typed: str) -> str:
        """The catalogue's spelling of the context ``typed`` (any case) of ``right``."""
        for context in right.contexts:
            if _key(context) == _key(typed):
                return context
        raise RuleViolation(
            rules.UNKNOWN_CONTEXT,
            f"right {right.name!r} has no context {shown(typed)} (allowed: {', '.join(right.contexts)})",
        )

    def resolve(self, right: str, context: str | None = None) -> tuple[Right, str | None]:
        """The right and (when one is typed) the context, as the catalogue spells them."""
        found = self.right(right)
        return found, None if context is None else self.context(found, context)


def _key(typed: str) -> str:
    """What is compared: NFC, case folded, spaces tidied."""
    return " ".join(unicodedata.normalize("NFC", typed).casefold().split())


def _listed(rights: tuple[Right, ...] | list[Right]) -> str:
    return "; ".join(f"{r.code} ({r.name})" for r in rights)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    text = resources.files(__package__).joinpath("catalogue.json").read_text("utf-8")
    return Catalogue.model_validate(json.loads(text))
