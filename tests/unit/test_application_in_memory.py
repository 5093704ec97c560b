"""The application service on the library's in-memory store (``PERSISTENCE_MODULE=eventsourcing.popo``):
commands through ``GrantBook``, the retry when another writer saved between load and save, and the
``If-Match`` check (``expecting_version``) that runs at every attempt of that loop."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook, VersionMismatch
from grantbook.domain import Act, Institution, RosterEntry, RuleViolation, rules
from grantbook.domain.events import AssignmentConfirmed

NUMBER = "034793"
IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BEGIN, END = date(2026, 12, 1), date(2027, 8, 31)


def act(actor: str = "jan") -> Act:
    return Act(actor, NOW)


def in_memory() -> GrantBook:
    # The location is never opened: the environment picks the in-memory recorder.
    app = GrantBook(
        StoreLocation.parse("sqlite:///unused.db"), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}
    )
    app.register_institution(act(), NUMBER, "De Linde", ["jan"])
    roster = [
        RosterEntry(
            person_id=f"{90000 + i}",
            first_name=f"First{i}",
            last_name=f"Last{i}",
            category="Medewerker",
            status="Actief",
            begin_date=date(2017, 3, 2),
            end_date=date(2030, 3, 2),
        )
        for i in range(1, 6)
    ]
    app.import_roster(act(), NUMBER, roster)
    return app


def events(app: GrantBook) -> list[object]:
    return [recorded.event for recorded in app.recorded_events()]


def test_grant_many_saves_one_event_in_memory() -> None:
    app = in_memory()
    before = len(events(app))
    grants = app.grant_many(act(), NUMBER, ["90001", "90002", "90003"], IRIS, "Gebruiker", BEGIN, END)
    assert len(grants) == 3
    added = events(app)[before:]
    assert len(added) == 1 and isinstance(added[0], AssignmentConfirmed) and added[0].direct
    assert set(app.institution(NUMBER).state.grants) == {g.grant_id for g in grants}


def test_a_refusal_records_nothing() -> None:
    app = in_memory()
    before = len(events(app))
    with pytest.raises(RuleViolation) as refusal:
        app.grant_many(act(), NUMBER, ["90001", "99999"], IRIS, "Gebruiker", BEGIN, END)
    assert refusal.value.rule == rules.UNKNOWN_PERSON
    assert len(events(app)) == before


def _saves_first(app: GrantBook) -> list[int]:
    """Patches one load: the first time the institution is loaded, another writer renames it
    (and saves) before the command's own save. Returns the versions loaded, one per attempt."""
    loaded: list[int] = []
    original = app.institution

    def institution(number: str) -> Institution:
        found = original(number)
        loaded.append(found.version)
        if len(loaded) == 1:
            rival = original(number)
            rival.rename(act(), "De Linde (gewijzigd)")
            app.save(rival)
        return found

    app.institution = institution  # type: ignore[method-assign]
    return loaded


def test_a_concurrent_save_between_load_and_save_is_retried_on_the_new_state() -> None:
    app = in_memory()
    loaded = _saves_first(app)
    grants = app.grant_many(act(), NUMBER, ["90001", "90002"], IRIS, "Gebruiker", BEGIN, END)
    assert len(loaded) == 2 and loaded[1] == loaded[0] + 1  # the first save conflicted, the retry won
    state = app.repository.get(Institution.id_for(NUMBER)).state
    assert state.name == "De Linde (gewijzigd)" and set(state.grants) == {g.grant_id for g in grants}


def test_if_match_is_checked_at_every_attempt() -> None:
    app = in_memory()
    version = app.institution(NUMBER).version
    with app.expecting_version(version + 1), pytest.raises(VersionMismatch):
        app.grant_many(act(), NUMBER, ["90001"], IRIS, "Gebruiker", BEGIN, END)
    loaded = _saves_first(app)
    before = len(events(app))
    with app.expecting_version(version), pytest.raises(VersionMismatch) as mismatch:
        app.grant_many(act(), NUMBER, ["90001"], IRIS, "Gebruiker", BEGIN, END)
    assert mismatch.value.actual == version + 1 and len(loaded) == 2
    assert len(events(app)) == before + 1  # only the rival's rename
    app.institution = GrantBook.institution.__get__(app)  # type: ignore[method-assign]
    with app.expecting_version(version + 1):
        assert len(app.grant_many(act(), NUMBER, ["90001"], IRIS, "Gebruiker", BEGIN, END)) == 1
