"""Access reviews as rows (docs/adr/0025): the list of an institution's reviews and one review's
items, with the field names of the CLI contract, for ``review list`` / ``review show`` and the pages.

Pure functions of the institution's state: an auditor's question "as registered at" a moment is the
same function of the state at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .review_state import KEEP, REVOKE, Review, ReviewItem
from .state import InstitutionState

REVIEW_LIST_COLUMNS = ("id", "name", "status", "due", "items", "decided")
REVIEW_COLUMNS = (
    "grant_id",
    "person_id",
    "name",
    "right",
    "context",
    "end",
    "recommendation",
    "decision",
    "decided_by",
    "decided_at",
    "justification",
    "outcome",
)


def review_summary(review: Review) -> dict[str, Any]:
    """One line of ``review list``; ``decided``: items with a decision."""
    return {
        "id": review.review_id,
        "name": review.name,
        "status": review.status,
        "due": review.due.isoformat(),
        "items": len(review.items),
        "decided": sum(1 for i in review.items if i.grant_id in review.decisions),
    }


def recommendation_of(state: InstitutionState, review: Review, item: ReviewItem) -> str:
    """What closing recorded; for an open review, from the roster now (not Actief, not on it: revoke)."""
    outcome = review.outcomes.get(item.grant_id)
    if outcome is not None:
        return outcome.recommendation
    person = state.persons.get(item.person_id)
    return REVOKE if person is None or not person.is_active else KEEP


def review_rows(state: InstitutionState, review: Review) -> list[dict[str, Any]]:
    """One row per item, in the review's order (by holder's name)."""
    rows = []
    for item in review.items:
        grant = state.grants.get(item.grant_id)
        decided = review.decisions.get(item.grant_id)
        outcome = review.outcomes.get(item.grant_id)
        rows.append(
            {
                "grant_id": item.grant_id,
                "person_id": item.person_id,
                "name": f"{grant.first_name} {grant.last_name}" if grant else "",
                "right": item.right,
                "context": item.context,
                "end": (grant.end if grant else item.end).isoformat(),
                "recommendation": recommendation_of(state, review, item),
                "decision": decided.decision if decided else "",
                "decided_by": decided.reviewer if decided else "",
                "decided_at": decided.at.isoformat() if decided else "",
                "justification": (decided.reason or "") if decided else "",
                "outcome": outcome.outcome if outcome else "",
            }
        )
    return rows


def review_facts(review: Review) -> dict[str, Any]:
    """The review's own settings, for a page's heading or ``review show``'s first lines."""
    return {
        "id": review.review_id,
        "name": review.name,
        "status": review.status,
        "right": review.right,
        "context": review.context,
        "reviewers": list(review.reviewers),
        "start": review.start.isoformat(),
        "due": review.due.isoformat(),
        "if_undecided": review.if_undecided,
        "justify": review.justify,
        "every": review.every,
        "follows": review.follows,
        "started_by": review.started_by,
        "closed_by": review.closed_by,
        "closed_on": review.closed_on.isoformat() if review.closed_on else None,
        "items": len(review.items),
        "decided": sum(1 for i in review.items if i.grant_id in review.decisions),
    }


@dataclass(frozen=True)
class ReviewReport:
    """One review as a page or ``review show`` needs it: its settings and its rows."""

    facts: dict[str, Any]
    rows: list[dict[str, Any]]


def review_report(state: InstitutionState, review: Review) -> ReviewReport:
    return ReviewReport(review_facts(review), review_rows(state, review))
