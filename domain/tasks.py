"""What waits for an administrator at one institution ("Mijn taken"), computed from its state.

Pure: the caller passes the day (the domain never reads the clock), so the CLI's ``tasks`` and the
web's start page list the same tasks. Five kinds, in the order they are listed:

- ``selection``: your open selection (step 1 done, no right assigned yet);
- ``pending``: your assignment waiting for confirm (step 2 of 3 done; it stands for its selection);
- ``expiring``: a grant held today whose last day is at most ``within_days`` away;
- ``leaver``: a grant held today or later by a person no longer Actief on the roster;
- ``review``: an open access review where you are a reviewer, with the number of items left to
  decide (``review_tasks``; docs/adr/0025);
- ``support-worker``: a support worker who holds nothing today or later: every grant ended (or was
  revoked), or none was ever confirmed. Both mean the same work: grant them what they came for, or
  know they are done. A support worker cannot be taken off the roster, so this task stays until they
  hold a right again (docs/adr/0018).

Selections and pending assignments are each administrator's own; the other kinds concern every
administrator of the institution. An auditor (or anyone else) has no tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .state import Grant, InstitutionState, Person

EXPIRING_DAYS = 30  # "ending soon": within this many days (tasks, institution list, the start page)
KINDS = ("selection", "pending", "expiring", "leaver", "support-worker")
TASK_COLUMNS = ("institution", "kind", "person_id", "name", "right", "detail", "due")


@dataclass(frozen=True)
class Task:
    institution: str
    kind: str
    detail: str
    person_id: str | None = None
    name: str | None = None
    right: str | None = None
    due: date | None = None
    context: str | None = None  # the grant's or the assignment's context: where a page acts on it
    selected: int = 0  # how many persons the selection or the pending assignment stands for
    grant_id: str | None = None  # the grant an expiring or leaver task is about (where a page acts)
    review_id: str | None = None  # the access review a review task is about (docs/adr/0025)

    def row(self) -> dict[str, str | None]:
        """The task with the stable keys of ``TASK_COLUMNS`` (``due`` as ISO)."""
        return {
            "institution": self.institution,
            "kind": self.kind,
            "person_id": self.person_id,
            "name": self.name,
            "right": self.right,
            "detail": self.detail,
            "due": self.due.isoformat() if self.due else None,
        }


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}"


def _grant_task(state: InstitutionState, kind: str, grant: Grant, detail: str) -> Task:
    return Task(
        state.number,
        kind,
        detail,
        grant.person_id,
        _full_name(grant.first_name, grant.last_name),
        grant.right,
        grant.last_day,
        grant.context,
        grant_id=grant.grant_id,
    )


def _own_work(state: InstitutionState, actor: str) -> list[Task]:
    """The actor's selection, or (assigned already) the assignment waiting for confirm: one task,
    since confirming is what finishes the selection too."""
    selected = state.selections.get(actor, [])
    persons = f"{len(selected)} person{'' if len(selected) == 1 else 's'}"
    pending = state.pending.get(actor)
    if pending is not None:
        period = f"{pending.begin.isoformat()} to {pending.end.isoformat()}"
        detail = f"{pending.context}, {period}, {persons}: waiting for confirm"
        return [
            Task(
                state.number,
                "pending",
                detail,
                right=pending.right,
                due=pending.begin,
                context=pending.context,
                selected=len(selected),
            )
        ]
    if selected:
        return [
            Task(state.number, "selection", f"{persons} selected: assign a right", selected=len(selected))
        ]
    return []


def _support_worker_task(state: InstitutionState, person: Person, last_days: list[date]) -> Task:
    """A support worker who holds nothing today or later; ``last_days``: of the grants they held."""
    detail = f"every right ended (last on {max(last_days).isoformat()})" if last_days else "no right granted"
    name = _full_name(person.first_name, person.last_name)
    return Task(
        state.number, "support-worker", detail, person.person_id, name, due=max(last_days, default=None)
    )


def tasks_for(
    state: InstitutionState, actor: str, today: date, within_days: int = EXPIRING_DAYS
) -> list[Task]:
    """The tasks ``actor`` has at this institution on ``today``, in the order of ``KINDS``, each kind
    soonest due first."""
    if actor not in state.administrators:
        return []
    soon = today + timedelta(days=within_days)
    expiring, leavers = [], []
    last_days: dict[str, list[date]] = {}  # person id -> the last days of the grants they held
    for grant in state.grants.values():
        last = grant.last_day
        if last is not None:
            last_days.setdefault(grant.person_id, []).append(last)
        if last is None or last < today:
            continue
        person = state.persons.get(grant.person_id)
        if grant.held_on(today) and last <= soon:
            detail = f"{grant.context}, last day {last.isoformat()}"
            expiring.append(_grant_task(state, "expiring", grant, detail))
        if person is not None and not person.is_active:
            detail = f"{grant.context}, status {person.status}, held until {last.isoformat()}"
            leavers.append(_grant_task(state, "leaver", grant, detail))
    workers = [
        _support_worker_task(state, person, last_days.get(person.person_id, []))
        for person in state.persons.values()
        if person.support_worker and all(last < today for last in last_days.get(person.person_id, []))
    ]
    by_due = sorted(
        expiring + leavers + workers,
        key=lambda t: (KINDS.index(t.kind), t.due or date.max, t.name or "", t.person_id or ""),
    )
    return _own_work(state, actor) + by_due


def review_tasks(state: InstitutionState, actor: str) -> list[Task]:
    """The open access reviews where ``actor`` (still an administrator) is a reviewer, soonest due
    first, each with the number of items left to decide (their own rights left out)."""
    from .review_notices import left_to_decide

    if actor not in state.administrators:
        return []
    found = []
    for review in sorted(state.reviews.values(), key=lambda r: (r.due, int(r.review_id[1:]))):
        if not review.is_open or actor not in review.reviewers:
            continue
        left = left_to_decide(state, review.review_id, actor)
        detail = f"{review.review_id} {review.name}: {left} of {len(review.items)} left to decide"
        found.append(
            Task(state.number, "review", detail, right=review.right, due=review.due, context=review.context,
                 selected=left, review_id=review.review_id)
        )
    return found
