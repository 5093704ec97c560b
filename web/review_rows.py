"""Access reviews as the pages and their files say them (docs/adr/0025): a review's settings, its rows
(names, dd/mm/jjjj, "behouden" / "intrekken", who decided and when) and the outcomes after closing, in
Dutch, from the domain's rows (domain/review_report.py). Shared by web/pages_reviews.py and
web/pages_review_close.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from grantbook.domain import RuleViolation, rules
from grantbook.domain.review_report import ReviewReport, review_report
from grantbook.domain.review_state import ALREADY_ENDED, KEEP, RECOMMENDATION, REVOKE, REVOKED, Review
from grantbook.domain.state import InstitutionState

from .forms import Name, OptionalDay, PageModel, Problem, Refused
from .pages_rights import end_of_day
from .people import right_label
from .security import NotFound
from .services import Services

UNDECIDED = {"behouden": KEEP, "intrekken": REVOKE, "aanbeveling": RECOMMENDATION}
"""The start form's "Wat gebeurt er met niet beoordeelde rechten?" -> the domain's choice."""
EVERY: dict[str, int | None] = {"": None, "3": 3, "6": 6, "12": 12}
WORD = {KEEP: "behouden", REVOKE: "intrekken"}
IF_UNDECIDED = {
    KEEP: "ze blijven behouden",
    REVOKE: "ze worden ingetrokken",
    RECOMMENDATION: "de aanbeveling wordt gevolgd",
}
STATUS = {"open": "open", "closed": "gesloten"}


class ReviewQuery(PageModel):
    geregistreerd_op: OptionalDay = None
    gedaan: Name = ""
    aantal: Name = ""


def as_of_values(source: Mapping[str, Any]) -> dict[str, str]:
    value = source.get("geregistreerd_op", "")
    return {"geregistreerd_op": value if isinstance(value, str) and len(value) <= 100 else ""}


def moment_of(query: ReviewQuery) -> datetime | None:
    return end_of_day(query.geregistreerd_op) if query.geregistreerd_op else None


def _rights(count: int) -> str:
    return f"{count} {'recht' if count == 1 else 'rechten'}"


def notice_for(done: str, count: str) -> str | None:
    """The line after a change: what was just recorded."""
    if done == "gestart":
        return "De toegangsreview is gestart. De beoordelaars kunnen nu beslissen."
    if done == "gesloten":
        return "De toegangsreview is gesloten. De rechten om in te trekken zijn ingetrokken vanaf vandaag."
    if not count.isdigit() or len(count) > 6:
        return None
    if done == "behouden":
        return f"Je beslissing is bewaard: {_rights(int(count))} behouden."
    if done == "ingetrokken":
        verb = "wordt" if count == "1" else "worden"
        return f"Je beslissing is bewaard: {_rights(int(count))} {verb} ingetrokken als de review sluit."
    return None


def read_review(
    services: Services, number: str, review_id: str, moment: datetime | None
) -> tuple[Review, ReviewReport, InstitutionState]:
    """The review as registered at ``moment`` (None: now). Unknown now: 404; unknown at ``moment``
    (not started yet): ``Refused`` on the field "Zoals geregistreerd op"."""
    try:
        institution = services.app.institution_as_of(number, moment)
        review = institution.check_review(review_id)
    except RuleViolation:
        if moment is None:
            raise NotFound() from None
        known_review(services, number, review_id)  # unknown now too: 404
        message = (
            f"Op {moment.strftime('%d/%m/%Y')} was deze toegangsreview nog niet gestart. "
            "Kies een latere dag, of laat het veld leeg."
        )
        raise Refused([Problem("geregistreerd_op", rules.UNKNOWN_REVIEW, message)]) from None
    return review, review_report(institution.state, review), institution.state


def known_review(services: Services, number: str, review_id: str) -> str:
    """The review's id as the institution knows it (R1, R2, ...); unknown: 404."""
    try:
        return services.app.institution(number).check_review(review_id).review_id
    except RuleViolation:
        raise NotFound() from None


def list_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **row,
            "status_nl": STATUS.get(row["status"], row["status"]),
            "progress": f"{row['decided']} van {row['items']} beoordeeld",
        }
        for row in found
    ]


def _note(note: str | None) -> str:
    """The domain's note on an item that ended before closing, in Dutch."""
    if not note:
        return ""
    if note == "voided":
        return "ongeldig verklaard"
    for prefix, said in (("revoked from ", "ingetrokken vanaf "), ("ended on ", "beëindigd op ")):
        if note.startswith(prefix):
            try:
                return said + date.fromisoformat(note.removeprefix(prefix)).strftime("%d/%m/%Y")
            except ValueError:
                return said.strip()
    return ""


def outcome_text(outcome: str, closed_on: date | None, note: str | None = None) -> str:
    if outcome == REVOKED:
        return "ingetrokken" + (f" vanaf {closed_on.strftime('%d/%m/%Y')}" if closed_on else "")
    if outcome == ALREADY_ENDED:
        said = _note(note)
        return "al beëindigd" + (f" ({said})" if said else "")
    return "behouden" if outcome else ""


def decision_rows(
    rows: list[dict[str, Any]], review: Review, names: Callable[[str], str], actor: str
) -> list[dict[str, Any]]:
    """The rows of a review's page and report: names, the right, the end date, the recommendation, the
    last decision (by whom, when, why) and, once closed, what happened."""
    shown = []
    for row in rows:
        outcome = review.outcomes.get(row["grant_id"])
        shown.append(
            {
                **row,
                "name": row["name"] or names(row["person_id"]),
                "right_label": right_label(row["right"], row["context"]),
                "recommendation_nl": WORD.get(row["recommendation"], ""),
                "decision_nl": WORD.get(row["decision"], ""),
                "decided_by_name": names(row["decided_by"]) if row["decided_by"] else "",
                "outcome_nl": outcome_text(outcome.outcome, review.closed_on, outcome.note)
                if outcome
                else "",
                "own": row["person_id"] == actor,
            }
        )
    return shown


def review_page_facts(
    review: Review, report: ReviewReport, names: Callable[[str], str], state: InstitutionState
) -> dict[str, Any]:
    facts = report.facts
    scope = "Alle gebruikersrechten"
    if review.right:
        scope = (
            right_label(review.right, review.context)
            if review.context
            else f"{review.right} (alle contexten)"
        )
    return {
        "status": STATUS[review.status],
        "scope": scope,
        "reviewers": ", ".join(names(r) for r in review.reviewers),
        "if_undecided": IF_UNDECIDED.get(review.if_undecided, ""),
        "every": f"elke {review.every} maanden" if review.every else "",
        "progress": f"{facts['decided']} van {facts['items']} beoordeeld",
        "started_by": names(review.started_by),
        "closed_by": names(review.closed_by) if review.closed_by else "",
    }
