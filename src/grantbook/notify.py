"""``grantbook notify``: send each notice that is due, and record it once the server accepted it
(docs/adr/0014).

Per institution: load it, ask it which notices are due on the day (``Institution.notices_due``),
compose each as a mail, hand it to the server; only when the server accepted it is a
``NoticeSent`` event saved (one per mail). A mail that was not accepted records nothing, so the
next run tries it again; a run that finds nothing due sends nothing. An institution whose hash
chain is broken is skipped (and named), the others are served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, select

from grantbook.adapters.notice_mail import compose, compose_review
from grantbook.adapters.smtp import MailNotSent
from grantbook.domain import Act
from grantbook.domain.notices import DueNotice
from grantbook.domain.review_notices import ReviewNotice
from grantbook.projections import answer
from grantbook.projections.chain import broken
from grantbook.projections.institutions import institutions


@dataclass(frozen=True)
class Outcome:
    number: str
    notice: DueNotice | ReviewNotice  # an expiry notice, or a mail to a reviewer (docs/adr/0025)
    sent: bool  # accepted by the server (False: not sent, or a dry run)
    problem: str | None = None  # why it was not sent


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    without_address: list[tuple[str, str]] = field(default_factory=list)  # (number, administrator)
    broken: list[dict[str, Any]] = field(default_factory=list)  # institutions skipped: chain broken

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problem is not None]


def institution_numbers(connection: Connection) -> list[str]:
    return [number for (number,) in connection.execute(select(institutions.c.number).order_by("number"))]


def notify(
    app: Any,
    act: Act,
    day: date,
    thresholds: Sequence[int],
    send: Callable[[EmailMessage], None] | None,
    mail_from: str,
    numbers: Sequence[str] | None = None,
) -> Report:
    """``send`` None: a dry run (nothing sent, nothing recorded)."""
    report = Report()
    if numbers is None:
        numbers = answer(app, institution_numbers, ["institutions"])
    # An institution whose hash chain the read models found broken gets no notice: its history may
    # have been altered, so what is "due" cannot be trusted. The others are still told.
    found = answer(app, lambda connection: broken(connection, None), ["institutions", "chain"])
    wanted = set(numbers)
    report.broken = [b for b in found if b["number"] in wanted]
    skipped = {b["number"] for b in report.broken}
    for number in [n for n in numbers if n not in skipped]:
        institution = app.institution(number)
        due = institution.notices_due(day, thresholds)
        report.without_address += [(number, a) for a in institution.unwarned_administrators(day, thresholds)]
        for notice in due:
            if send is None:
                report.outcomes.append(Outcome(number, notice, sent=False))
                continue
            message = compose(notice, number, institution.state.name, mail_from, day)
            try:
                send(message)
            except MailNotSent as error:
                report.outcomes.append(Outcome(number, notice, sent=False, problem=str(error)))
                continue
            app.record_notice(act, number, notice, day)
            report.outcomes.append(Outcome(number, notice, sent=True))
        _tell_reviewers(app, act, day, send, mail_from, number, institution, report)
    return report


def _tell_reviewers(
    app: Any, act: Act, day: date, send: Callable[[EmailMessage], None] | None, mail_from: str,
    number: str, institution: Any, report: Report,
) -> None:
    """Each reviewer of an open review: when it starts, 7 days and 1 day before its due date."""
    due = institution.review_notices_due(day)
    if due:
        report.without_address += [(number, r) for r in institution.reviewers_without_address(day)]
    for notice in due:
        if send is None:
            report.outcomes.append(Outcome(number, notice, sent=False))
            continue
        try:
            send(compose_review(notice, number, institution.state.name, mail_from, day))
        except MailNotSent as error:
            report.outcomes.append(Outcome(number, notice, sent=False, problem=str(error)))
            continue
        app.record_review_notice(act, number, notice, day)
        report.outcomes.append(Outcome(number, notice, sent=True))
