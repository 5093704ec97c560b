"""Reading pages refuse to answer about an institution whose hash chain the read models found broken
(as the reading commands do): the page names it and points to the verify page; nothing is shown.
Pages ask views (web/reading.py), which check the chain in the answer's own snapshot; this remains
for a page that reads aggregates after checking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grantbook.projections import views

from .reading import dutch
from .services import Services


@views.core.view()
def _chains(connection: Any, reader: views.Reader, numbers: list[str]) -> None:
    views.intact(connection, numbers)


def check_integrity(services: Services, numbers: Iterable[str]) -> None:
    try:
        views.ask(services, _chains, views.Reader(None), list(numbers))
    except views.BrokenChain as error:
        raise dutch(error) from None
