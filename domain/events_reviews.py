"""Events of access reviews ("Toegangsreview", docs/adr/0025): a review started (its items frozen),
decisions recorded (the last one per item counts), the review closed (each item's outcome), and a
reviewer told about a review by mail.

The revocations a closing applies are ``RightsRevoked`` events (events_changes.py) recorded in the
same save right after ``ReviewClosed``, so every reader of revocations understands them already.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from .event_base import InstitutionEvent
from .review_state import Review, ReviewDecision, ReviewItem, ReviewOutcome
from .values import PersonId

if TYPE_CHECKING:
    from .institution import Institution

REVIEW_ID = Field(pattern=r"^R[1-9][0-9]{0,8}$")
Decision = Literal["keep", "revoke"]


class ReviewedGrant(BaseModel):
    """One item of a review: a grant in scope on the start day, as it was then."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str = Field(min_length=1, max_length=80)
    person_id: PersonId
    right: str
    context: str
    end: date


class ReviewStarted(InstitutionEvent):
    """A review of the grants in scope (every right, or one right, optionally one context) that are
    current or future on ``start``; ``follows`` names the review of the same series before it."""

    review_id: str = REVIEW_ID
    name: str = Field(min_length=1, max_length=200)
    right: str | None = None
    context: str | None = None
    reviewers: tuple[PersonId, ...] = Field(min_length=1)
    default_reviewers: bool
    start: date
    due: date
    if_undecided: Literal["keep", "revoke", "recommendation"]
    justify: bool
    every: Literal[3, 6, 12] | None = None
    follows: str | None = None
    items: tuple[ReviewedGrant, ...]

    def apply(self, aggregate: Institution) -> None:
        reviews = aggregate.state.reviews
        before = reviews.get(self.follows) if self.follows else None
        if before is not None:
            before.followed_by = self.review_id
        reviews[self.review_id] = Review(
            review_id=self.review_id,
            name=self.name,
            right=self.right,
            context=self.context,
            reviewers=list(self.reviewers),
            default_reviewers=self.default_reviewers,
            start=self.start,
            due=self.due,
            if_undecided=self.if_undecided,
            justify=self.justify,
            every=self.every,
            started_by=self.actor,
            started_at=self.timestamp,
            series=before.series if before is not None else self.review_id,
            follows=self.follows,
            items=[ReviewItem(i.grant_id, i.person_id, i.right, i.context, i.end) for i in self.items],
        )


class DecidedGrant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str = Field(min_length=1, max_length=80)
    person_id: PersonId


class ReviewDecisionRecorded(InstitutionEvent):
    """A reviewer (the actor) decided ``keep`` or ``revoke`` on one or more items, with a
    justification or reason; it replaces their earlier decision on those items."""

    review_id: str = REVIEW_ID
    decision: Decision
    reason: str | None = None
    grants: tuple[DecidedGrant, ...] = Field(min_length=1)

    def apply(self, aggregate: Institution) -> None:
        review = aggregate.state.reviews[self.review_id]
        for decided in self.grants:
            review.decisions[decided.grant_id] = ReviewDecision(
                self.decision, self.actor, self.timestamp, self.reason
            )


class ClosedItem(BaseModel):
    """One item as closing found it: the decision (None: undecided), the recommendation then, and
    what happened (``note`` says how an already-ended grant ended)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    grant_id: str = Field(min_length=1, max_length=80)
    person_id: PersonId
    decision: Decision | None = None
    recommendation: Decision
    outcome: Literal["kept", "revoked", "already-ended"]
    note: str | None = None


class ReviewClosed(InstitutionEvent):
    """The review is closed, by a head administrator or (``scheduled``) by the run once past due;
    the items revoked are revoked from ``closed_on`` by the ``RightsRevoked`` events that follow."""

    review_id: str = REVIEW_ID
    closed_on: date
    scheduled: bool = False
    ends_series: bool = False  # a head closed it as the last of its series: the run starts no next one
    items: tuple[ClosedItem, ...]

    def apply(self, aggregate: Institution) -> None:
        review = aggregate.state.reviews[self.review_id]
        review.closed_by = self.actor
        review.closed_at = self.timestamp
        review.closed_on = self.closed_on
        review.scheduled = self.scheduled
        review.ends_series = self.ends_series
        review.outcomes = {
            i.grant_id: ReviewOutcome(i.decision, i.recommendation, i.outcome, i.note) for i in self.items
        }


class ReviewNoticeSent(InstitutionEvent):
    """A mail server accepted a mail to reviewer ``recipient`` about a review: that it started
    (``threshold`` None) or that its due date is ``threshold`` days (7, 1) or fewer away."""

    recipient: PersonId
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^\s@]+@[^\s@]+$")
    review_id: str = REVIEW_ID
    due: date
    threshold: int | None = Field(default=None, ge=0)
    day: date

    def apply(self, aggregate: Institution) -> None:
        from .review_notices import review_notice_key

        key = review_notice_key(self.recipient, self.review_id, self.due, self.threshold)
        aggregate.state.notified.add(key)
