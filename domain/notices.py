"""Expiry notices: which rights someone is due to be told about, and the values notices need
(docs/adr/0014).

A right is due a notice at threshold T (days) when its days left (end - day) is at or below T
and it is still held up to its end (not revoked). Of the thresholds a right has reached only the
nearest one counts (9 days left with thresholds 14 and 1: the 14-day notice; 0 days left: the
1-day notice, never both). A recipient is told once per grant, end date and threshold: an
extension (a new end date) starts the thresholds afresh, and a notice at a smaller threshold
already given for the same end date covers the larger ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email

from . import rules
from .rules import RuleViolation
from .state import Grant, InstitutionState

DEFAULT_THRESHOLDS = (14, 1)
ADMINISTRATOR = "administrator"
HOLDER = "holder"


def email_address(text: str) -> str:
    """An e-mail address, checked for syntax only (no network), in its normalised form."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        # the value is not repeated: people paste anything here, national register numbers too
        raise RuleViolation(rules.EMAIL_ADDRESS, f"that is not an e-mail address: {error}") from None


def parse_thresholds(text: str) -> tuple[int, ...]:
    """``14,1``: whole days, at least one, 0 to 3660; returned largest first, without repeats."""
    found: set[int] = set()
    for part in text.split(","):
        value = part.strip()
        if not value.isdigit() or not value.isascii() or int(value) > 3660:
            expected = "thresholds are whole days 0-3660 separated by commas (e.g. 14,1)"
            shown = f", not {part!r}" if len(value) < 5 else ""  # a long value may be a national number
            raise RuleViolation(rules.THRESHOLDS, expected + shown)
        found.add(int(value))
    return tuple(sorted(found, reverse=True))


def notice_key(recipient: str, role: str, grant_id: str, end: date, threshold: int) -> str:
    """What is remembered of one notice: who was told (as administrator or holder) about which grant,
    its end date, at which threshold."""
    return f"{recipient}|{role}|{grant_id}|{end.isoformat()}|{threshold}"


@dataclass(frozen=True)
class NoticeLine:
    """One right in a notice."""

    grant: Grant
    days_left: int
    threshold: int


@dataclass(frozen=True)
class DueNotice:
    """One mail: to a person (an administrator, or the holder), about one or more rights."""

    person_id: str
    address: str
    role: str  # ADMINISTRATOR or HOLDER
    lines: tuple[NoticeLine, ...]


def nearest_threshold(days_left: int, thresholds: Sequence[int]) -> int | None:
    """The smallest threshold at or above ``days_left`` (None: none reached yet, or already ended)."""
    if days_left < 0:
        return None
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def _told(
    notified: set[str], recipient: str, role: str, grant: Grant, threshold: int, thresholds: Iterable[int]
) -> bool:
    return any(
        notice_key(recipient, role, grant.grant_id, grant.end, t) in notified
        for t in {threshold, *thresholds}
        if t <= threshold
    )


def expiring_rights(
    state: InstitutionState, day: date, thresholds: Sequence[int]
) -> list[tuple[Grant, int, int]]:
    """The rights at a threshold on ``day`` (told or not): (grant, days left, nearest threshold)."""
    expiring: list[tuple[Grant, int, int]] = []
    for grant in state.grants.values():
        if grant.revoked_on is not None or grant.last_day is None:
            continue
        days_left = (grant.end - day).days
        threshold = nearest_threshold(days_left, thresholds)
        if threshold is not None:
            expiring.append((grant, days_left, threshold))
    expiring.sort(key=lambda g: (g[0].end, g[0].last_name, g[0].first_name, g[0].person_id, g[0].right))
    return expiring


def due_notices(state: InstitutionState, day: date, thresholds: Sequence[int]) -> list[DueNotice]:
    """Every mail due on ``day``: one per administrator with an address listing all rights due to
    them, and one per holder with an address (from the roster) about their own rights."""
    expiring = expiring_rights(state, day, thresholds)
    notices: list[DueNotice] = []

    def lines_for(
        recipient: str, role: str, candidates: Iterable[tuple[Grant, int, int]]
    ) -> tuple[NoticeLine, ...]:
        return tuple(
            NoticeLine(grant, days_left, threshold)
            for grant, days_left, threshold in candidates
            if not _told(state.notified, recipient, role, grant, threshold, thresholds)
        )

    for admin in sorted(state.administrators):
        address = state.emails.get(admin)
        lines = lines_for(admin, ADMINISTRATOR, expiring) if address else ()
        if lines:
            notices.append(DueNotice(admin, address or "", ADMINISTRATOR, lines))
    holders = sorted({grant.person_id for grant, _, _ in expiring})
    for holder in holders:
        address = state.emails.get(holder)
        if not address:
            continue
        lines = lines_for(holder, HOLDER, (e for e in expiring if e[0].person_id == holder))
        if lines:
            notices.append(DueNotice(holder, address, HOLDER, lines))
    return notices
