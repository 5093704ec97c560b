"""Mails to reviewers (docs/adr/0025): when a review starts, and 7 days and 1 day before its due
date, each reviewer with an address is told once, as expiry notices are (docs/adr/0014).

Like expiry notices, only the nearest notice reached counts (a reviewer appointed 5 days before the
due date gets the 7-day mail, not also the start mail), and a nearer one already sent covers the
farther ones. What was sent lives in ``InstitutionState.notified`` under its own keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .notices import nearest_threshold
from .state import InstitutionState

REVIEW_THRESHOLDS = (7, 1)
REVIEWER = "reviewer"


def review_notice_key(recipient: str, review_id: str, due: date, threshold: int | None) -> str:
    """One reviewer told about one review (its due date then) at one threshold (None: the start)."""
    at = "start" if threshold is None else threshold
    return f"{recipient}|{REVIEWER}|{review_id}|{due.isoformat()}|{at}"


@dataclass(frozen=True)
class ReviewNotice:
    """One mail to a reviewer about one open review."""

    person_id: str
    address: str
    review_id: str
    name: str
    due: date
    threshold: int | None  # None: the review started
    days_left: int
    left: int  # items this reviewer may still decide that nobody decided
    items: int
    if_undecided: str
    role: str = REVIEWER


def left_to_decide(state: InstitutionState, review_id: str, reviewer: str) -> int:
    """The review's undecided items, leaving out the reviewer's own rights (which they never decide)."""
    review = state.reviews[review_id]
    return sum(1 for i in review.items if i.grant_id not in review.decisions and i.person_id != reviewer)


def review_notices_due(state: InstitutionState, day: date) -> list[ReviewNotice]:
    """Every reviewer mail due on ``day``: per open review not past due, per reviewer who is still an
    administrator and has an address, the nearest notice reached, unless it (or a nearer one) was sent."""
    found: list[ReviewNotice] = []
    for review in sorted(state.reviews.values(), key=lambda r: (r.due, int(r.review_id[1:]))):
        days_left = (review.due - day).days
        if not review.is_open or days_left < 0 or day < review.start:
            continue
        threshold = nearest_threshold(days_left, REVIEW_THRESHOLDS)
        covering = [t for t in REVIEW_THRESHOLDS if threshold is None or t <= threshold]
        if threshold is None:
            covering.append(None)  # type: ignore[arg-type]
        for reviewer in review.reviewers:
            address = state.emails.get(reviewer)
            if reviewer not in state.administrators or not address:
                continue
            keys = {review_notice_key(reviewer, review.review_id, review.due, t) for t in covering}
            if keys & state.notified:
                continue
            found.append(
                ReviewNotice(
                    reviewer, address, review.review_id, review.name, review.due, threshold, days_left,
                    left_to_decide(state, review.review_id, reviewer), len(review.items), review.if_undecided,
                )
            )
    return found


def reviewers_without_address(state: InstitutionState, day: date) -> list[str]:
    """Reviewers of open reviews not past due who have no address: they hear of nothing."""
    return sorted(
        {
            r
            for review in state.reviews.values()
            if review.is_open and review.due >= day
            for r in review.reviewers
            if r in state.administrators and r not in state.emails
        }
    )
