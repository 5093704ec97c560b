"""What an institution remembers of its access reviews ("Toegangsreview", docs/adr/0025): part of
``InstitutionState`` (state.py), so a snapshot keeps it and the rules read it.

A review's items are frozen when it starts; each item's last decision counts (every decision stays
in the events); closing records each item's outcome.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

KEEP = "keep"
REVOKE = "revoke"
RECOMMENDATION = "recommendation"
DECISIONS = (KEEP, REVOKE)
IF_UNDECIDED = (KEEP, REVOKE, RECOMMENDATION)
EVERY = (3, 6, 12)
KEPT, REVOKED, ALREADY_ENDED = "kept", "revoked", "already-ended"
OPEN, CLOSED = "open", "closed"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (31/01 + 3
    months = 30/04)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class ReviewItem:
    """One grant a review asks about, as it was when the review started."""

    grant_id: str
    person_id: str
    right: str
    context: str
    end: date


@dataclass
class ReviewDecision:
    """The last decision on one item: keep or revoke, by whom, when, and why."""

    decision: str
    reviewer: str
    at: datetime
    reason: str | None = None


@dataclass
class ReviewOutcome:
    """What closing did with one item: the decision (None: undecided), the recommendation then, and
    the outcome (kept, revoked, or already-ended with ``note`` saying how)."""

    decision: str | None
    recommendation: str
    outcome: str
    note: str | None = None


@dataclass
class Review:
    review_id: str
    name: str
    right: str | None  # None: every right
    context: str | None  # None: every context
    reviewers: list[str]
    default_reviewers: bool  # the institution's administrators (a series' next review takes them anew)
    start: date
    due: date  # the last day to decide; the scheduled run closes it the day after
    if_undecided: str
    justify: bool  # "keep" needs a justification
    every: int | None  # months between the starts of a series' reviews
    started_by: str
    started_at: datetime
    series: str  # the id of the series' first review (its own id for a review that recurs not)
    follows: str | None = None
    items: list[ReviewItem] = field(default_factory=list)
    decisions: dict[str, ReviewDecision] = field(default_factory=dict)  # grant id -> last decision
    followed_by: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    closed_on: date | None = None  # the first day the revocations apply
    scheduled: bool = False  # closed by the scheduled run (`review run`) once past due
    ends_series: bool = False  # closed as the last of its series: no next review starts
    outcomes: dict[str, ReviewOutcome] = field(default_factory=dict)  # grant id -> outcome

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def status(self) -> str:
        return OPEN if self.is_open else CLOSED

    def item(self, grant_id: str) -> ReviewItem | None:
        return next((i for i in self.items if i.grant_id == grant_id), None)

    def next_start(self) -> date | None:
        """When the next review of the series is due to start (None: it does not recur)."""
        return add_months(self.start, self.every) if self.every and not self.ends_series else None
