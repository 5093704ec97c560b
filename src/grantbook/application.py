"""The application service: load an institution, call it, save it.

One method per command. Every writing command runs in a retry loop: a
version conflict from the store (another administrator saved first) reloads
the institution and runs the command's rules again, a bounded number of
times, so a command either applies whole on the latest state or is refused.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper

from grantbook.adapters import snapshots as _legacy_snapshots  # noqa: F401  (reads old-format snapshots)
from grantbook.adapters.persistence import CanonicalJSONTranscoder, PydanticMapper
from grantbook.adapters.store import StoreLocation, refine_lock_timeout
from grantbook.adapters.vault import NumberVault, open_vault
from grantbook.domain import (
    Act,
    Cleared,
    Grant,
    Institution,
    InstitutionEvent,
    NationalNumber,
    PendingAssignment,
    Person,
    RosterEntry,
    RuleViolation,
    institution_number,
    rules,
)
from grantbook.domain.changes import Rollover
from grantbook.domain.events import SupportWorkerAdded
from grantbook.domain.notices import DueNotice
from grantbook.domain.events import ClosedItem
from grantbook.domain.review_notices import ReviewNotice
from grantbook.domain.review_report import ReviewReport, review_report, review_summary
from grantbook.domain.review_state import Review, ReviewItem
from grantbook.domain.reviews import ReviewRun
from grantbook.domain.roster_changes import RosterChanges, import_roster_with_changes
from grantbook.errors import KeyFileError, StoreError
from grantbook.projections import answer
from grantbook.projections.people import person_for_digest

T = TypeVar("T")
MAX_ATTEMPTS = 30
PAGE = 500
SNAPSHOT_INTERVAL = 500


_EXPECTED_VERSION: ContextVar[int | None] = ContextVar("grantbook_expected_version", default=None)


class VersionMismatch(Exception):
    """The institution is no longer at the version the caller read (HTTP ``If-Match``): nothing
    was recorded."""

    def __init__(self, number: str, expected: int, actual: int) -> None:
        super().__init__(f"institution {number} is at version {actual}, not {expected}")
        self.number = number
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class RecordedEvent:
    """An event with its position in the store's total order."""

    position: int
    event: InstitutionEvent


class GrantBook(Application[UUID]):
    name = "grantbook"
    # A snapshot (domain/snapshot.py) every SNAPSHOT_INTERVAL events of an
    # institution: loading replays at most that many events after it.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Institution: SNAPSHOT_INTERVAL}

    def __init__(
        self,
        location: StoreLocation,
        key_file: Path | None = None,
        notice: Callable[[str], None] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.location = location
        self.key_file = key_file
        self._notice = notice or (lambda message: None)
        self._vault: NumberVault | None = None
        super().__init__(env=env or location.environment())

    @classmethod
    def open(
        cls,
        location: StoreLocation,
        *,
        create: bool,
        key_file: Path | None = None,
        notice: Callable[[str], None] | None = None,
        cache_size: int = 0,
    ) -> GrantBook:
        """The application on a store; with ``create=False`` nothing is created.

        ``cache_size`` > 0 keeps that many institutions in memory between commands (a long-running
        server): each load then reads only the events recorded since, by any process."""
        extra = {"AGGREGATE_CACHE_MAXSIZE": str(cache_size)} if cache_size > 0 else {}
        if location.kind == "sqlite":
            if not create and not location.exists():
                raise StoreError(f"store {location.display} does not exist (nothing was created)")
            env = {**location.environment(), **extra}
            return cls(location, key_file=key_file, notice=notice, env=env)
        from grantbook.adapters import postgres

        with postgres.prepared(location, create=create) as must_create:
            env = {**location.environment(), "CREATE_TABLE": "y" if must_create else "n", **extra}
            return cls(location, key_file=key_file, notice=notice, env=env)

    def construct_factory(self, env: Any) -> Any:
        factory = super().construct_factory(env)
        refine_lock_timeout(factory)  # fractions of a second, before the first connection
        return factory

    def construct_mapper(self) -> Mapper[UUID]:
        return PydanticMapper(transcoder=CanonicalJSONTranscoder())

    # -- writing commands -----------------------------------------------------

    def register_institution(
        self, act: Act, number: str, name: str, administrators: Sequence[str]
    ) -> Institution:
        number = institution_number(number)
        # Whether the number is taken is the store's to say (the aggregate cannot know).
        taken = RuleViolation(rules.ALREADY_REGISTERED, f"institution {number} is already registered")
        if self._find(number) is not None:
            raise taken
        institution = Institution.register(act, number, name, administrators)
        try:
            self.save(institution)
        except IntegrityError:  # registered by someone else meanwhile
            raise taken from None
        return institution

    def rename_institution(self, act: Act, number: str, name: str) -> tuple[str, str]:
        return self._update(number, lambda i: i.rename(act, name))

    def appoint_administrator(self, act: Act, number: str, person: str, head: bool = False) -> Institution:
        return self._update(number, lambda i: (i.appoint_administrator(act, person, head), i)[1])

    def remove_administrator(self, act: Act, number: str, person: str) -> Institution:
        return self._update(number, lambda i: (i.remove_administrator(act, person), i)[1])

    def appoint_auditor(self, act: Act, number: str, person: str) -> Institution:
        return self._update(number, lambda i: (i.appoint_auditor(act, person), i)[1])

    def remove_auditor(self, act: Act, number: str, person: str) -> Institution:
        return self._update(number, lambda i: (i.remove_auditor(act, person), i)[1])

    def import_roster(
        self, act: Act, number: str, entries: Sequence[RosterEntry], emails: dict[str, str] | None = None
    ) -> RosterChanges:
        """The roster, and the addresses of its optional email column, in one save; returns
        who joined and who left."""
        return self._update(number, lambda i: import_roster_with_changes(i, act, entries, emails or {}))

    def preview_roster(
        self, act: Act, number: str, entries: Sequence[RosterEntry], emails: dict[str, str] | None = None
    ) -> RosterChanges:
        """What ``import_roster`` would change, after the same checks, recording nothing."""
        return import_roster_with_changes(self.institution(number), act, entries, emails or {})

    def record_email(self, act: Act, number: str, person: str, address: str) -> bool:
        return self._update(number, lambda i: i.record_email(act, person, address))

    def remove_email(self, act: Act, number: str, person: str) -> bool:
        return self._update(number, lambda i: i.remove_email(act, person))

    def record_notice(self, act: Act, number: str, notice: DueNotice, day: date) -> bool:
        """After a mail server accepted ``notice`` (grantbook.notify)."""
        return self._update(number, lambda i: i.record_notice(act, notice, day))

    def search(self, act: Act, number: str, name: str | None = None) -> list[Person]:
        return self._update(number, lambda i: i.search(act, name))

    def staff(self, act: Act, number: str, name: str | None = None) -> list[Person]:
        """The list ``search`` gives, shown again without recording anything."""
        return self.institution(number).staff(act, name)

    def select(self, act: Act, number: str, person_ids: Sequence[str]) -> list[Person]:
        return self._update(number, lambda i: i.select(act, person_ids))

    def deselect(self, act: Act, number: str, person_ids: Sequence[str]) -> list[Person]:
        return self._update(number, lambda i: i.deselect(act, person_ids))

    def assign(
        self,
        act: Act,
        number: str,
        right: str,
        context: str,
        begin: date,
        end: date,
        check_persons: bool = False,
    ) -> PendingAssignment:
        return self._update(
            number, lambda i: i.assign(act, right, context, begin, end, check_persons=check_persons)
        )

    def confirm(self, act: Act, number: str) -> list[Grant]:
        return self._update(number, lambda i: i.confirm(act))

    def back(self, act: Act, number: str) -> PendingAssignment:
        """Step 3's "Terug": step 2 dropped, the selection kept; returns what step 2 was."""
        return self._update(number, lambda i: i.back(act))

    def cancel(self, act: Act, number: str) -> Cleared:
        """Step 3's "Annuleer": step 2 dropped and the selection emptied."""
        return self._update(number, lambda i: i.cancel(act))

    def clear_selection(self, act: Act, number: str) -> Cleared:
        return self._update(number, lambda i: i.clear_selection(act))

    def grant(
        self, act: Act, number: str, person: str, right: str, context: str, begin: date, end: date
    ) -> Grant:
        """Snel recht toekennen (quick grant): one person, at once, the selection untouched."""
        return self._update(number, lambda i: i.grant(act, person, right, context, begin, end))

    def grant_many(
        self,
        act: Act,
        number: str,
        persons: Sequence[str],
        right: str,
        context: str,
        begin: date,
        end: date,
    ) -> list[Grant]:
        """Several persons at once in one event (the JSON API), the actor's selection untouched."""
        return self._update(number, lambda i: i.grant_many(act, persons, right, context, begin, end))

    def extend(
        self, act: Act, number: str, person_id: str, right: str, new_end: date, context: str | None = None
    ) -> Grant:
        return self._update(number, lambda i: i.extend(act, person_id, right, new_end, context))

    def extend_many(
        self, act: Act, number: str, persons: Sequence[str], right: str, new_end: date, context: str | None
    ) -> list[Grant]:
        return self._update(number, lambda i: i.extend_many(act, persons, right, new_end, context))

    def extend_ending(
        self, act: Act, number: str, right: str, ending: date, new_end: date, context: str | None = None
    ) -> Rollover:
        """The school year's rollover (docs/adr/0016)."""
        return self._update(number, lambda i: i.extend_ending(act, right, ending, new_end, context))

    def revoke(
        self,
        act: Act,
        number: str,
        person_id: str | Sequence[str],
        right: str,
        context: str | None = None,
        reason: str | None = None,
        first_day: date | None = None,
    ) -> list[Grant]:
        """One person's right (several persons: one event), from today or ``first_day``."""
        persons = [person_id] if isinstance(person_id, str) else list(person_id)
        return self._update(
            number, lambda i: i.revoke_many(act, persons, right, context, reason, first_day=first_day)
        )

    def extend_grant(self, act: Act, number: str, grant_id: str, new_end: date) -> Grant:
        """Exactly one grant, by its id (a row of the rights page; ``extend --grant``)."""
        return self._update(number, lambda i: i.extend_grant(act, grant_id, new_end))

    def revoke_grant(
        self, act: Act, number: str, grant_id: str, reason: str | None, first_day: date | None = None
    ) -> Grant:
        """Exactly one grant, by its id, from today or ``first_day`` (``revoke --grant``)."""
        return self._update(number, lambda i: i.revoke_grant(act, grant_id, reason, first_day))

    def void(self, act: Act, number: str, grant_id: str, reason: str | None) -> Grant:
        return self._update(number, lambda i: i.void(act, grant_id, reason))

    # -- access reviews (docs/adr/0025) -------------------------------------------

    def start_review(
        self,
        act: Act,
        number: str,
        name: str,
        due: date,
        right: str | None = None,
        context: str | None = None,
        reviewers: Sequence[str] = (),
        if_undecided: str = "keep",
        justify: bool = False,
        every: int | None = None,
    ) -> Review:
        """A head starts a review ("Start een toegangsreview"); returns it (``review_id``: R1, R2...)."""
        return self._update(
            number,
            lambda i: i.start_review(act, name, due, right, context, reviewers, if_undecided, justify, every),
        )

    def decide_review(
        self,
        act: Act,
        number: str,
        review_id: str,
        grant_ids: Sequence[str],
        decision: str,
        reason: str | None = None,
    ) -> list[ReviewItem]:
        """A reviewer's keep or revoke on one or more items (all or nothing)."""
        return self._update(number, lambda i: i.decide_review(act, review_id, grant_ids, decision, reason))

    def close_review(self, act: Act, number: str, review_id: str, ends_series: bool = False) -> Review:
        """A head closes the review: its revocations are recorded in the same save (``ends_series``:
        the last of its series)."""
        return self._update(number, lambda i: i.close_review(act, review_id, ends_series))

    def close_preview(self, act: Act, number: str, review_id: str) -> list[ClosedItem]:
        """What closing now would do per item (outcome ``revoked``, ``kept``, ``already-ended``), after
        the same checks; nothing recorded."""
        return self.institution(number).close_preview(act, review_id)

    def run_reviews(self, act: Act, number: str, day: date) -> ReviewRun:
        """The scheduled run at one institution (``review run``): close past due, start what recurs."""
        return self._update(number, lambda i: i.run_reviews(act, day))

    def record_review_notice(self, act: Act, number: str, notice: ReviewNotice, day: date) -> bool:
        """After a mail server accepted a mail to a reviewer (grantbook.notify)."""
        return self._update(number, lambda i: i.record_review_notice(act, notice, day))

    def reviews(self, number: str, as_of: datetime | None = None) -> list[dict[str, Any]]:
        """Every review of the institution, as ``review list`` rows (as registered at ``as_of``)."""
        return [review_summary(r) for r in self.institution_as_of(number, as_of).reviews_listed()]

    def review(self, number: str, review_id: str, as_of: datetime | None = None) -> ReviewReport:
        """One review's settings and item rows (as registered at ``as_of``): ``unknown-review`` if none."""
        institution = self.institution_as_of(number, as_of)
        return review_report(institution.state, institution.check_review(review_id))

    def institution_as_of(self, number: str, moment: datetime | None) -> Institution:
        """The institution as its events up to record time ``moment`` made it (None: now)."""
        institution = self.institution(number)
        if moment is None:
            return institution
        version = None
        for event in self.repository.event_store.get(institution.id):
            if event.timestamp > moment:
                break
            version = event.originator_version
        if version is None:
            raise RuleViolation(
                rules.NOT_REGISTERED, f"institution {number} was not registered yet at {moment.isoformat()}"
            )
        found = self.repository.get(institution.id, version=version)
        assert isinstance(found, Institution)
        return found

    def add_support_worker(
        self,
        act: Act,
        number: str,
        national_number: str,
        first_name: str,
        last_name: str,
        reason: str | None = None,
    ) -> Person:
        parsed = NationalNumber.parse(national_number, today=act.today)
        # The rules that need no key first, so a refused command leaves no key file.
        institution = self.institution(number)
        institution.check_support_worker(act, first_name, last_name, reason)
        protected = self.vault().protect(parsed)
        # A duplicate is refused before the read models are asked (and caught up): a refusal changes nothing.
        institution.check_new_support_worker(None, protected)
        # Same national number at another institution: the person id already given there
        # (looked up by keyed digest in a read model); else an id derived with the
        # store's key, so two institutions adding the person at once agree on it.
        new_id = self._person_for_digest(protected.digest) or self.vault().person_id(parsed)
        return self._update(
            number,
            lambda i: i.add_support_worker(act, new_id, first_name, last_name, protected, reason),
        )

    # -- reading --------------------------------------------------------------

    def institution(self, number: str) -> Institution:
        institution = self._find(institution_number(number))
        if institution is None:
            raise RuleViolation(rules.NOT_REGISTERED, f"institution {number} is not registered")
        return institution

    def selection(self, act: Act, number: str) -> list[Person]:
        return self.institution(number).selection(act)

    def pending(self, act: Act, number: str) -> PendingAssignment | None:
        return self.institution(number).pending_of(act)

    def recorded_events(self, start: int = 1) -> Iterator[RecordedEvent]:
        """Every event in the order the store recorded it, read in pages."""
        position = start
        while True:
            page = self.recorder.select_notifications(start=position, limit=PAGE)
            for notification in page:
                yield RecordedEvent(notification.id, self.mapper.to_domain_event(notification))
            if len(page) < PAGE:
                return
            position = page[-1].id + 1

    # -- national register numbers -----------------------------------------------

    def vault(self) -> NumberVault:
        """The key for national register numbers, created once for a new store."""
        if self._vault is None:
            if self.key_file is None:
                raise KeyFileError("national register numbers need a key: set GRANTBOOK_KEY_FILE to its file")
            self._vault = open_vault(self.key_file, self._first_protected_number(), self._notice)
        return self._vault

    def _first_protected_number(self) -> Any:
        found = self.recorder.select_notifications(start=1, limit=1, topics=[SupportWorkerAdded.TOPIC])
        return self.mapper.to_domain_event(found[0]) if found else None

    def _person_for_digest(self, digest: str) -> str | None:
        return answer(self, lambda connection: person_for_digest(connection, digest), ["people"])

    # -- plumbing ---------------------------------------------------------------

    def _find(self, number: str) -> Institution | None:
        try:
            return self.repository.get(Institution.id_for(number))
        except AggregateNotFoundError:
            return None

    @contextmanager
    def expecting_version(self, version: int | None) -> Iterator[None]:
        """The commands run inside apply only while the institution is at ``version`` (checked at
        every attempt of the retry loop, so a concurrent save in between is noticed): else
        ``VersionMismatch`` and nothing is recorded. ``None`` checks nothing."""
        token = _EXPECTED_VERSION.set(version)
        try:
            yield
        finally:
            _EXPECTED_VERSION.reset(token)

    def _update(self, number: str, command: Callable[[Institution], T]) -> T:
        for attempt in range(MAX_ATTEMPTS):
            institution = self.institution(number)
            expected = _EXPECTED_VERSION.get()
            if expected is not None and institution.version != expected:
                raise VersionMismatch(institution.state.number, expected, institution.version)
            result = command(institution)
            try:
                self.save(institution)
            except IntegrityError:
                # Another administrator saved first: wait a little (randomised,
                # growing, so colliding writers spread out), reload, re-check.
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
                continue
            return result
        raise StoreError(f"institution {number} changed {MAX_ATTEMPTS} times while saving; try again")
