"""The rights read model on both stores after extensions and revocations of many persons at once,
revocations from a later day and voided grants (docs/adr/0016): incremental == rebuild == a fold
of the events, now and as the register stood before each change, and `verify` finds them equal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import IRIS
from oracles import CurrentRights, audit_rows

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RosterEntry
from grantbook.projections import read_models
from grantbook.projections.audit import query_audit
from grantbook.projections.check import differences
from grantbook.projections.rights_questions import query_ending_between, query_every_grant, query_held_on

NUMBER = "034793"
START = datetime(2026, 9, 1, 9, tzinfo=UTC)
DAYS = [date(2026, 9, 1) + timedelta(days=n) for n in range(0, 800, 29)]


def at(minutes: int) -> Act:
    return Act("jan", START + timedelta(minutes=minutes))


@pytest.fixture
def app(store_url: str) -> Iterator[GrantBook]:
    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    yield app
    app.close()


def school_year(app: GrantBook) -> list[datetime]:
    """Seven staff granted IRIS for the year, then changes of every kind; returns a moment before each."""
    app.register_institution(at(0), NUMBER, "De Linde", ["jan"])
    entries = [
        RosterEntry(
            person_id=f"9000{i}",
            first_name=f"F{i}",
            last_name=f"L{i}",
            category="Medewerker",
            status="Actief",
            begin_date=date(2020, 1, 1),
        )
        for i in range(1, 8)
    ]
    app.import_roster(at(1), NUMBER, entries)
    app.select(at(2), NUMBER, [e.person_id for e in entries])
    app.assign(at(2), NUMBER, IRIS, "Gebruiker", date(2026, 9, 1), date(2027, 8, 31))
    app.confirm(at(2), NUMBER)
    steps = [
        lambda n: app.extend_many(at(n), NUMBER, ["90001", "90002"], IRIS, date(2027, 12, 31), None),
        lambda n: app.revoke(
            at(n), NUMBER, ["90003", "90004"], IRIS, reason="leave at Christmas", first_day=date(2027, 1, 1)
        ),
        lambda n: app.revoke(at(n), NUMBER, "90004", IRIS, reason="left early", first_day=date(2026, 10, 1)),
        lambda n: app.void(at(n), NUMBER, "034793-5", "wrong person"),
        lambda n: app.import_roster(at(n), NUMBER, entries[:6]),  # 90007 leaves
        lambda n: app.extend_ending(at(n), NUMBER, IRIS, date(2027, 8, 31), date(2028, 8, 31)),
    ]
    moments = []
    for n, step in enumerate(steps, start=10):
        moments.append(START + timedelta(minutes=n - 1))
        step(n)
    return moments


def answers(app: GrantBook, models, moments: list[datetime | None]) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    models.catch_up()
    everything = list(app.recorded_events())
    persisted, oracle = [], []
    for moment in moments:
        recorded = [item for item in everything if moment is None or item.event.timestamp <= moment]
        fold = CurrentRights.from_events(item.event for item in recorded)
        with models.db.snapshot() as connection:
            persisted.append(
                (
                    [query_held_on(connection, day, NUMBER, as_of=moment) for day in DAYS],
                    [query_ending_between(connection, day, 120, NUMBER, as_of=moment) for day in DAYS],
                    query_audit(connection, NUMBER, until=moment),
                )
            )
        oracle.append(
            (
                [fold.held_on(day, NUMBER) for day in DAYS],
                [fold.ending_between(day, 120, NUMBER) for day in DAYS],
                audit_rows(recorded, NUMBER),
            )
        )
    return persisted, oracle


def test_changes_of_many_grants_agree_with_the_events_now_and_as_of(app: GrantBook) -> None:
    models = read_models(app)
    try:
        moments = [None, *school_year(app)]
        incremental, oracle = answers(app, models, moments)
        assert incremental == oracle
        models.rebuild()
        rebuilt, _ = answers(app, models, moments)
        assert rebuilt == incremental
        assert list(differences(models)) == []
    finally:
        models.close()


def test_every_grant_has_its_status_and_revocation(app: GrantBook) -> None:
    moments = school_year(app)
    models = read_models(app)
    try:
        models.catch_up()
        with models.db.snapshot() as connection:
            on_christmas_eve = {
                r["grant_id"]: r for r in query_every_grant(connection, date(2026, 12, 24), NUMBER)
            }
            new_year = {r["grant_id"]: r for r in query_every_grant(connection, date(2027, 1, 1), NUMBER)}
            before_void = query_every_grant(connection, date(2026, 12, 24), NUMBER, as_of=moments[3])
            held_before_void = query_held_on(connection, date(2026, 9, 15), NUMBER, as_of=moments[3])
            held_now = query_held_on(connection, date(2026, 9, 15), NUMBER)
        statuses = {g: r["status"] for g, r in on_christmas_eve.items()}
        assert statuses == {
            "034793-1": "current",
            "034793-2": "current",
            "034793-3": "current",
            "034793-4": "revoked",
            "034793-5": "voided",
            "034793-6": "current",
            "034793-7": "current",
        }
        assert new_year["034793-3"]["status"] == "revoked"
        third = on_christmas_eve["034793-3"]  # revoked from a later day: shown before it
        assert (third["revoked_on"], third["revoked_by"], third["revoke_reason"]) == (
            "2027-01-01",
            "jan",
            "leave at Christmas",
        )
        fourth = on_christmas_eve["034793-4"]  # the planned revocation moved earlier
        assert (fourth["revoked_on"], fourth["revoke_reason"]) == ("2026-10-01", "left early")
        fifth = on_christmas_eve["034793-5"]
        assert (fifth["voided_by"], fifth["void_reason"]) == ("jan", "wrong person")
        assert fifth["voided_at"] == (START + timedelta(minutes=13)).isoformat()
        # the rollover moved the grants ending on 2027-08-31 of persons still Actief, nobody else's
        ends = {g: r["end"] for g, r in on_christmas_eve.items()}
        assert ends == {
            "034793-1": "2027-12-31",
            "034793-2": "2027-12-31",
            "034793-3": "2027-08-31",
            "034793-4": "2027-08-31",
            "034793-5": "2027-08-31",
            "034793-6": "2028-08-31",
            "034793-7": "2027-08-31",
        }
        assert "034793-5" in {r["grant_id"] for r in before_void}
        assert before_void[4]["status"] == "current"
        assert "034793-5" in {r["grant_id"] for r in held_before_void}
        assert "034793-5" not in {r["grant_id"] for r in held_now}
    finally:
        models.close()
