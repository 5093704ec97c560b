"""The catalogue of user rights (gebruikersrechten) an institution can grant.

Shipped with the package as ``catalogue.json``; the domain refuses any right
or context that is not in it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from .errors import RuleViolation


class Right(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    description: str
    contexts: tuple[str, ...] = Field(min_length=1)


class Catalogue(BaseModel):
    model_config = ConfigDict(frozen=True)

    rights: tuple[Right, ...]

    def right(self, name: str) -> Right:
        for right in self.rights:
            if right.name == name:
                return right
        known = "; ".join(r.name for r in self.rights)
        raise RuleViolation("unknown-right", f"no right named {name!r} (known: {known})")

    def check_context(self, right_name: str, context: str) -> None:
        right = self.right(right_name)
        if context not in right.contexts:
            raise RuleViolation(
                "unknown-context",
                f"right {right_name!r} has no context {context!r} (allowed: {', '.join(right.contexts)})",
            )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    text = resources.files(__package__).joinpath("catalogue.json").read_text("utf-8")
    return Catalogue.model_validate(json.loads(text))
