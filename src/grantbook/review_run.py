"""``grantbook review run``: the scheduled part of access reviews (docs/adr/0025), safe to run daily.

At every institution (the read models list them): close each open review past its due date (its
decisions applied as revocations in the same save), then start the next review of each recurring
series whose start day has come, once. An institution whose hash chain is broken is skipped and
named, as ``notify`` does; one with nothing to do is not written to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from grantbook.domain import Act
from grantbook.domain.reviews import ReviewRun
from grantbook.domain.state import InstitutionState
from grantbook.notify import institution_numbers
from grantbook.projections import answer
from grantbook.projections.chain import broken


@dataclass
class RunReport:
    done: list[tuple[str, ReviewRun]] = field(default_factory=list)  # (institution number, what it did)
    broken: list[dict[str, Any]] = field(default_factory=list)


def has_work(state: InstitutionState, day: date) -> bool:
    """Whether the run closes or starts anything at this institution on ``day``."""
    for review in state.reviews.values():
        if review.is_open and review.due < day:
            return True
        start = review.next_start()
        if start is not None and start <= day and review.followed_by is None and not review.is_open:
            return True
    return False


def run_reviews(app: Any, act: Act, day: date, numbers: Sequence[str] | None = None) -> RunReport:
    report = RunReport()
    if numbers is None:
        numbers = answer(app, institution_numbers, ["institutions"])
    found = answer(app, lambda connection: broken(connection, None), ["institutions", "chain"])
    report.broken = [b for b in found if b["number"] in set(numbers)]
    skipped = {b["number"] for b in report.broken}
    for number in [n for n in numbers if n not in skipped]:
        if has_work(app.institution(number).state, day):
            report.done.append((number, app.run_reviews(act, number, day)))
    return report
