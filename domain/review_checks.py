"""The rules of access reviews (docs/adr/0025), each one ``check_*`` method over the institution's
state. Mixed into ``Institution`` with the commands that use them (reviews.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from . import rules, text
from .review_state import DECISIONS, EVERY, IF_UNDECIDED, KEEP, Review, ReviewItem, add_months
from .rules import RuleViolation
from .text import shown
from .values import person_id

if TYPE_CHECKING:
    from .checks import InstitutionChecks
    from .values import Act

    Base: Any = InstitutionChecks
else:
    Base = object

REVIEW_NAME = text.TextField("review name", 200)


class ReviewChecks(Base):
    """The ``check_*`` rules of starting, deciding on and closing a review."""

    # -- starting --------------------------------------------------------------------------

    @staticmethod
    def check_review_name(name: str) -> str:
        tidied = " ".join(text.plain_text(name or "", REVIEW_NAME).split())
        if not tidied:
            raise RuleViolation(rules.REVIEW_NAME, "a review needs a name: give --name TEXT")
        return tidied

    @staticmethod
    def check_review_settings(if_undecided: str, every: int | None) -> None:
        if if_undecided not in IF_UNDECIDED:
            raise RuleViolation(
                rules.REVIEW_SETTING,
                f"if undecided is one of {', '.join(IF_UNDECIDED)}, not {shown(str(if_undecided))}",
            )
        if every is not None and every not in EVERY:
            raise RuleViolation(
                rules.REVIEW_SETTING, f"a review recurs every 3, 6 or 12 months, not {shown(str(every))}"
            )

    def check_reviewers(self, reviewers: Iterable[str]) -> tuple[str, ...]:
        """The reviewers named (each an administrator of the institution), or all its administrators."""
        named = tuple(dict.fromkeys(person_id(r) for r in reviewers))
        others = [r for r in named if r not in self.state.administrators]
        if others:
            raise RuleViolation(
                rules.REVIEWER_NOT_ADMINISTRATOR,
                f"a reviewer must be an administrator of {self.state.number}: "
                f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} not",
                person=others[0],
            )
        return named or tuple(sorted(self.state.administrators))

    @staticmethod
    def check_review_due(start: date, due: date, every: int | None) -> None:
        """The due date (the last day to decide) is the start day or later, and before the next
        review of the series would start."""
        if due < start:
            raise RuleViolation(
                rules.REVIEW_DUE,
                f"the due date {due.isoformat()} is before the review starts ({start.isoformat()})",
                due=due,
            )
        if every is not None and due >= add_months(start, every):
            raise RuleViolation(
                rules.REVIEW_DUE,
                f"a review every {every} months is due before the next one starts "
                f"({add_months(start, every).isoformat()}), not on {due.isoformat()}",
                due=due,
            )

    @staticmethod
    def check_review_has_items(items: list[ReviewItem], start: date) -> None:
        if not items:
            raise RuleViolation(
                rules.EMPTY_REVIEW,
                f"no grant in scope is current or future on {start.isoformat()}: nothing to review",
            )

    # -- deciding --------------------------------------------------------------------------

    def check_review(self, review_id: str) -> Review:
        review = self.state.reviews.get(str(review_id).strip().upper())
        if review is None:
            raise RuleViolation(
                rules.UNKNOWN_REVIEW,
                f"institution {self.state.number} has no review {shown(str(review_id))}",
                review_id=str(review_id)[:20],
            )
        return review

    @staticmethod
    def check_review_open(review: Review) -> None:
        if not review.is_open:
            assert review.closed_at is not None
            raise RuleViolation(
                rules.REVIEW_CLOSED,
                f"review {review.review_id} was closed by {review.closed_by} on "
                f"{review.closed_at.date().isoformat()}: it changes no more",
                review_id=review.review_id,
            )

    def check_reviewer(self, act: Act, review: Review) -> None:
        if act.actor not in review.reviewers or act.actor not in self.state.administrators:
            raise RuleViolation(
                rules.NOT_A_REVIEWER,
                f"{act.actor} is not a reviewer of review {review.review_id} "
                f"(its reviewers: {', '.join(review.reviewers)})",
                review_id=review.review_id,
            )

    @staticmethod
    def check_review_decision(decision: str) -> str:
        if decision not in DECISIONS:
            raise RuleViolation(
                rules.REVIEW_SETTING, f"a decision is keep or revoke, not {shown(str(decision))}"
            )
        return decision

    @staticmethod
    def check_justification(review: Review, decision: str, reason: str | None) -> str | None:
        """The justification or reason, tidied (None when empty); keep needs one where the review asks."""
        tidied = " ".join(text.plain_text(reason or "", text.REASON).split()) or None
        if decision == KEEP and review.justify and tidied is None:
            raise RuleViolation(
                rules.JUSTIFICATION_REQUIRED,
                f"review {review.review_id} asks a justification to keep a right: give --reason TEXT",
                review_id=review.review_id,
            )
        return tidied

    @staticmethod
    def check_in_review(review: Review, grant_id: str) -> ReviewItem:
        item = review.item(str(grant_id).strip())
        if item is None:
            raise RuleViolation(
                rules.NOT_IN_REVIEW,
                f"grant {shown(str(grant_id))} is not an item of review {review.review_id}",
                grant_id=str(grant_id)[:60],
            )
        return item

    @staticmethod
    def check_not_own_right(act: Act, item: ReviewItem) -> None:
        if item.person_id == act.actor:
            raise RuleViolation(
                rules.OWN_RIGHT,
                f"grant {item.grant_id} is {act.actor}'s own right: another reviewer decides on it",
                grant_id=item.grant_id,
            )

    # -- the scheduled run -----------------------------------------------------------------

    @staticmethod
    def check_past_due(review: Review, day: date) -> None:
        if day <= review.due:
            raise RuleViolation(
                rules.REVIEW_NOT_DUE,
                f"review {review.review_id} is due on {review.due.isoformat()}: "
                f"the run closes it from {add_days(review.due, 1).isoformat()}",
            )

    @staticmethod
    def check_run_day(act: Act, day: date) -> None:
        """A run closes from ``day``: never a day before today (the past is what was held)."""
        if day < act.today:
            raise RuleViolation(
                rules.REVOKE_DATE,
                f"--on {day.isoformat()} is before today ({act.today.isoformat()}): "
                "a review closes, and revokes, from today or a later day",
            )

    def check_next_due(self, review: Review, day: date) -> date:
        """The start day of the series' next review: it recurs, is the series' last, is closed (never
        two open reviews of one series) and the day has come."""
        start = review.next_start()
        if start is None or review.followed_by is not None or review.is_open or start > day:
            why = (
                "does not recur" if start is None
                else f"is followed by {review.followed_by}" if review.followed_by is not None
                else "is still open" if review.is_open
                else f"is followed on {start.isoformat()}"
            )
            raise RuleViolation(rules.REVIEW_NOT_DUE, f"review {review.review_id} {why}: no next review now")
        return start


def add_days(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() + days)
