"""``grantbook catalogue``: the rights an institution can grant, as shipped with grantbook.

It reads no store and needs no acting person: the catalogue is part of the package
(domain/catalogue.json), the same for every store, so anyone may look before they have one.
"""

from __future__ import annotations

from typing import Any

import click

from grantbook.domain import Right, default_catalogue

from .output import emit, format_option_with

CATALOGUE_COLUMNS = ("code", "name", "description", "contexts", "granted_by", "max_years")
GRANTED_BY = {"head": "head administrator", "administrator": "any administrator"}


def catalogue_row(right: Right) -> dict[str, Any]:
    """One right as a row: who may grant it in words, its longest period in years (None: no limit)."""
    return {
        "code": right.code,
        "name": right.name,
        "description": right.description,
        "contexts": list(right.contexts),
        "granted_by": GRANTED_BY[right.granted_by],
        "max_years": right.max_validity_years,
    }


@click.command()
@format_option_with(columns=CATALOGUE_COLUMNS)
def catalogue(output_format: str) -> None:
    """The user rights (gebruikersrechten) that can be granted: code, name, description, contexts,
    who may grant them and for how many years at most. Type a right by its code (`--right iris`).

    \b
    Example:
      grantbook catalogue
      grantbook catalogue --format json --columns code,contexts
    """
    rows = [catalogue_row(right) for right in default_catalogue().rights]
    emit(rows, CATALOGUE_COLUMNS, output_format)


COMMANDS = (catalogue,)
