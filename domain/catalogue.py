"""The catalogue of user rights (gebruikersrechten) an institution can grant.

Shipped with the package as ``catalogue.json``; the domain refuses any right
or context that is not in it.
"""

from __future__ import annotations

import json
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

    def right(self, name: str) -> Right:
        for right in self.rights:
            if right.name == name:
                return right
        known = "; ".join(r.name for r in self.rights)
        raise RuleViolation(rules.UNKNOWN_RIGHT, f"no right named {shown(name)} (known: {known})")

    def check_right(self, name: str, context: str | None = None) -> Right:
        """The right named, in the catalogue; and its context, when one is named."""
        if context is not None:
            self.check_context(name, context)
        return self.right(name)

    def check_context(self, right_name: str, context: str) -> None:
        right = self.right(right_name)
        if context not in right.contexts:
            raise RuleViolation(
                rules.UNKNOWN_CONTEXT,
                f"right {right_name!r} has no context {shown(context)} "
                f"(allowed: {', '.join(right.contexts)})",
            )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    text = resources.files(__package__).joinpath("catalogue.json").read_text("utf-8")
    return Catalogue.model_validate(json.loads(text))
