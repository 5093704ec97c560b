"""Access reviews ("Toegangsreview", docs/adr/0025): every so often reviewers confirm that each
right is still needed, or it is revoked. Commands of the institution (mixed into ``Institution``):
start a review (heads), decide on its items (reviewers, never on their own right), close it (heads,
or the scheduled run once past due) and start a recurring review's next one.

Closing records ``ReviewClosed`` with each item's outcome, then one ``RightsRevoked`` per right for
the items revoked, from the closing day, with the reason ``Toegangsreview <name>``: one save.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from . import rules
from .catalogue import Catalogue, default_catalogue
from .changes_checks import each_or_refuse
from .events_changes import RevokedGrant, RightsRevoked
from .events_reviews import (
    ClosedItem,
    DecidedGrant,
    ReviewClosed,
    ReviewDecisionRecorded,
    ReviewedGrant,
    ReviewNoticeSent,
    ReviewStarted,
)
from .review_checks import ReviewChecks
from .review_notices import ReviewNotice, review_notice_key, review_notices_due, reviewers_without_address
from .review_state import ALREADY_ENDED, KEEP, KEPT, RECOMMENDATION, REVOKE, REVOKED, Review, ReviewItem
from .rules import RuleViolation
from .values import Act

if TYPE_CHECKING:
    from .state import InstitutionState

REASON_PREFIX = "Toegangsreview "


@dataclass(frozen=True)
class ReviewRun:
    """What the scheduled run did at one institution: the reviews it closed and those it started."""

    closed: list[Review]
    started: list[Review]


class InstitutionReviews(ReviewChecks):
    if TYPE_CHECKING:
        state: InstitutionState

        def _trigger(self, event_class: type, act: Act, **kwargs: Any) -> None: ...
        def check_administrator(self, act: Act) -> None: ...
        def check_head_administrator(self, act: Act) -> None: ...

    # -- start -----------------------------------------------------------------------------

    def start_review(
        self,
        act: Act,
        name: str,
        due: date,
        right: str | None = None,
        context: str | None = None,
        reviewers: Sequence[str] = (),
        if_undecided: str = KEEP,
        justify: bool = False,
        every: int | None = None,
        catalogue: Catalogue | None = None,
    ) -> Review:
        """A review of the grants in scope that are current or future today, by the reviewers (default:
        every administrator), due on ``due`` (the last day to decide)."""
        self.check_head_administrator(act)
        name = self.check_review_name(name)
        self.check_review_settings(if_undecided, every)
        if right is not None:
            catalogued, context = (catalogue or default_catalogue()).resolve(right, context)
            right = catalogued.name
        elif context is not None:
            raise RuleViolation(rules.USAGE, "--context narrows a right: name the right with --right too")
        named = self.check_reviewers(reviewers)
        start = act.today
        self.check_review_due(start, due, every)
        items = self.review_scope(right, context, start)
        self.check_review_has_items(items, start)
        return self._started(
            act, name, right, context, named, not reviewers, start, due, if_undecided, justify, every, None,
            items,
        )

    def review_scope(self, right: str | None, context: str | None, day: date) -> list[ReviewItem]:
        """The grants of ``right`` (and ``context``; None: any) current or future on ``day``."""
        found = [
            g
            for g in self.state.grants.values()
            if (right is None or g.same_right(right, context))
            and g.last_day is not None
            and g.last_day >= day
        ]
        found.sort(
            key=lambda g: (g.last_name.casefold(), g.first_name.casefold(), g.person_id, g.right, g.begin)
        )
        return [ReviewItem(g.grant_id, g.person_id, g.right, g.context, g.end) for g in found]

    def _started(
        self, act: Act, name: str, right: str | None, context: str | None, reviewers: Sequence[str],
        default: bool, start: date, due: date, if_undecided: str, justify: bool, every: int | None,
        follows: str | None, items: list[ReviewItem],
    ) -> Review:
        review_id = f"R{len(self.state.reviews) + 1}"
        self._trigger(
            ReviewStarted, act, review_id=review_id, name=name, right=right, context=context,
            reviewers=tuple(reviewers), default_reviewers=default, start=start, due=due,
            if_undecided=if_undecided, justify=justify, every=every, follows=follows,
            items=tuple(
                ReviewedGrant(
                    grant_id=i.grant_id, person_id=i.person_id, right=i.right, context=i.context, end=i.end
                )
                for i in items
            ),
        )
        return self.state.reviews[review_id]

    # -- decide ----------------------------------------------------------------------------

    def decide_review(
        self, act: Act, review_id: str, grant_ids: Sequence[str], decision: str, reason: str | None = None
    ) -> list[ReviewItem]:
        """The reviewer's decision on each item named: all of them, or (one refused) none."""
        self.check_administrator(act)
        review = self.check_review(review_id)
        self.check_review_open(review)
        self.check_reviewer(act, review)
        self.check_review_decision(decision)
        reason = self.check_justification(review, decision, reason)

        def decidable(grant_id: str) -> ReviewItem:
            item = self.check_in_review(review, grant_id)
            self.check_not_own_right(act, item)
            return item

        ids = list(dict.fromkeys(str(g).strip() for g in grant_ids))
        items = each_or_refuse("deciding", [(g, lambda g=g: decidable(g)) for g in ids])
        self._trigger(
            ReviewDecisionRecorded, act, review_id=review.review_id, decision=decision, reason=reason,
            grants=tuple(DecidedGrant(grant_id=i.grant_id, person_id=i.person_id) for i in items),
        )
        return items

    # -- close -----------------------------------------------------------------------------

    def close_review(self, act: Act, review_id: str, ends_series: bool = False) -> Review:
        """A head closes the review today: its decisions (and its rule for undecided items) applied;
        ``ends_series``: no next review of its series starts."""
        self.check_head_administrator(act)
        review = self.check_review(review_id)
        self.check_review_open(review)
        return self._close(act, review, act.today, scheduled=False, ends_series=ends_series)

    def close_preview(self, act: Act, review_id: str) -> list[ClosedItem]:
        """What ``close_review`` would do today, item by item, after the same checks; records nothing
        (the summary a page shows before "Sluit de review" is confirmed)."""
        self.check_head_administrator(act)
        review = self.check_review(review_id)
        self.check_review_open(review)
        return [self.review_outcome(review, item, act.today) for item in review.items]

    def close_due_review(self, act: Act, review_id: str, day: date) -> Review:
        """The scheduled run closes a review past due, from ``day`` (today or later)."""
        review = self.check_review(review_id)
        self.check_review_open(review)
        self.check_run_day(act, day)
        self.check_past_due(review, day)
        return self._close(act, review, day, scheduled=True)

    def recommendation(self, item: ReviewItem) -> str:
        """``revoke`` when the holder is no longer Actief or no longer on the roster, else ``keep``."""
        person = self.state.persons.get(item.person_id)
        return REVOKE if person is None or not person.is_active else KEEP

    def review_outcome(self, review: Review, item: ReviewItem, day: date) -> ClosedItem:
        """What closing from ``day`` does with ``item``: what the last decision (or the review's rule
        for undecided items) says, unless the grant was voided, revoked or ended meanwhile."""
        grant = self.state.grants[item.grant_id]
        decided = review.decisions.get(item.grant_id)
        recommendation = self.recommendation(item)
        if decided is not None:
            wanted = decided.decision
        else:
            wanted = recommendation if review.if_undecided == RECOMMENDATION else review.if_undecided
        note = None
        if grant.voided_at is not None:
            note = "voided"
        elif grant.revoked_on is not None and grant.revoked_on <= day:
            note = f"revoked from {grant.revoked_on.isoformat()}"
        elif grant.end < day:
            note = f"ended on {grant.end.isoformat()}"
        outcome = ALREADY_ENDED if note else REVOKED if wanted == REVOKE else KEPT
        return ClosedItem(
            grant_id=item.grant_id, person_id=item.person_id, decision=decided.decision if decided else None,
            recommendation=recommendation, outcome=outcome, note=note,
        )

    def _close(
        self, act: Act, review: Review, day: date, scheduled: bool, ends_series: bool = False
    ) -> Review:
        closed = [self.review_outcome(review, item, day) for item in review.items]
        self._trigger(ReviewClosed, act, review_id=review.review_id, closed_on=day, scheduled=scheduled,
                      ends_series=ends_series, items=tuple(closed))
        revoked: dict[str, list[RevokedGrant]] = {}
        for outcome in closed:
            if outcome.outcome == REVOKED:
                grant = self.state.grants[outcome.grant_id]
                revoked.setdefault(grant.right, []).append(
                    RevokedGrant(grant_id=grant.grant_id, person_id=grant.person_id, context=grant.context)
                )
        for right, grants in sorted(revoked.items()):
            self._trigger(RightsRevoked, act, right=right, revoked_on=day, reason=REASON_PREFIX + review.name,
                          grants=tuple(grants))
        return review

    # -- the scheduled run -------------------------------------------------------------------

    def run_reviews(self, act: Act, day: date) -> ReviewRun:
        """``review run`` on ``day``: closes every open review past due, then starts the next review
        of each recurring series whose start day has come (one per series, never two open)."""
        past_due = [r for r in self.reviews_listed() if r.is_open and r.due < day]
        closed = [self.close_due_review(act, r.review_id, day) for r in past_due]
        started = []
        for review in self.reviews_listed():
            start = review.next_start()
            if start is not None and review.followed_by is None and not review.is_open and start <= day:
                started.append(self.start_next_review(act, review.review_id, day))
        return ReviewRun(closed, started)

    def start_next_review(self, act: Act, review_id: str, day: date) -> Review:
        """The series' next review, with the same name, scope and settings, starting ``every`` months
        after ``review`` started, as long as the series' first review from start to due (pushed on
        when the run comes so late that the due date has passed); its items: the grants in scope
        current or future on its start day."""
        review = self.check_review(review_id)
        start = self.check_next_due(review, day)
        first = self.state.reviews[review.series]
        length = timedelta(days=(first.due - first.start).days)
        due = start + length if start + length >= day else day + length
        admins = sorted(self.state.administrators)
        kept = [r for r in review.reviewers if r in self.state.administrators]
        reviewers = admins if review.default_reviewers or not kept else kept
        return self._started(
            act, review.name, review.right, review.context, reviewers, review.default_reviewers, start, due,
            review.if_undecided, review.justify, review.every, review.review_id,
            self.review_scope(review.right, review.context, start),
        )

    # -- reading ---------------------------------------------------------------------------

    def reviews_listed(self) -> list[Review]:
        return sorted(self.state.reviews.values(), key=lambda r: int(r.review_id[1:]))

    def review_notices_due(self, day: date) -> list[ReviewNotice]:
        return review_notices_due(self.state, day)

    def reviewers_without_address(self, day: date) -> list[str]:
        return reviewers_without_address(self.state, day)

    def record_review_notice(self, act: Act, notice: ReviewNotice, day: date) -> bool:
        """After the mail server accepted ``notice``: remembered, unless someone recorded it meanwhile."""
        key = review_notice_key(notice.person_id, notice.review_id, notice.due, notice.threshold)
        if key in self.state.notified:
            return False
        self._trigger(
            ReviewNoticeSent,
            act,
            recipient=notice.person_id,
            email=notice.address,
            review_id=notice.review_id,
            due=notice.due,
            threshold=notice.threshold,
            day=day,
        )
        return True
