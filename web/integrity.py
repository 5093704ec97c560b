"""Reading pages refuse to answer about an institution whose hash chain the read models found broken
(as the reading commands do): the page names it and points to the verify page; nothing is shown."""

from __future__ import annotations

from collections.abc import Iterable

from grantbook.errors import TamperEvidenceError
from grantbook.projections.chain import broken

from .services import Services


def check_integrity(services: Services, numbers: Iterable[str]) -> None:
    wanted = list(numbers)
    found = services.answer(
        lambda connection: [b for number in wanted for b in broken(connection, number)],
        ["institutions", "chain"],
    )
    if found:
        named = "; ".join(
            f"instelling {b['number']} op positie {b['broken_at']}: {b['problem']}" for b in found
        )
        raise TamperEvidenceError(f"De hashketen is gebroken ({named}). Controleer de geschiedenis (verify).")
