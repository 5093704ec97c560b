"""Persisted projections: incremental == rebuild == straight from the events; crash-safe catch-up."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import IRIS, NUMBER, RRN_1985, grant, roster_csv, staff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import CurrentRights, audit_rows
from sqlalchemy import delete, inspect, update

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RosterEntry, RuleViolation
from grantbook.projections import audit, read_models, runner
from grantbook.projections.audit import query_audit
from grantbook.projections.rights import rights
from grantbook.projections.rights_questions import query_ending_between, query_held_on
from grantbook.projections.runner import ReadModels, tracking

DAYS = [date(2026, 11, 30) + timedelta(days=n) for n in range(0, 400, 37)]
numbers = itertools.count(100001)

command = st.one_of(
    st.tuples(st.just("grant"), st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True),
              st.integers(0, 300), st.integers(0, 300)),
    st.tuples(st.just("extend"), st.integers(1, 6), st.integers(1, 400)),
    st.tuples(st.just("revoke"), st.integers(1, 6), st.integers(0, 300)),
    st.tuples(st.just("roster"), st.integers(1, 6)),
    # many at once, revoke from a later day, void (docs/adr/0016)
    st.tuples(st.just("extend_many"), st.lists(st.integers(1, 6), min_size=2, max_size=4, unique=True),
              st.integers(1, 400)),
    st.tuples(st.just("revoke_many"), st.lists(st.integers(1, 6), min_size=1, max_size=4, unique=True),
              st.integers(0, 300)),
    st.tuples(st.just("void"), st.integers(1, 8)),
)


def answers(models: ReadModels, app: GrantBook, number: str, moments: list[datetime | None]) -> tuple:
    """Every question, asked of the tables and of a fold of the events, now and as of each moment."""
    models.catch_up()
    persisted, oracle = [], []
    everything = list(app.recorded_events())
    for moment in moments:
        recorded = [item for item in everything if moment is None or item.event.timestamp <= moment]
        fold = CurrentRights.from_events(item.event for item in recorded)
        with models.db.snapshot() as connection:
            persisted.append((
                [query_held_on(connection, day, number, as_of=moment) for day in DAYS],
                [query_ending_between(connection, day, 90, number, as_of=moment) for day in DAYS],
                query_audit(connection, number, until=moment),
            ))
        oracle.append((
            [fold.held_on(day, number) for day in DAYS],
            [fold.ending_between(day, 90, number) for day in DAYS],
            audit_rows(recorded, number),
        ))
    return persisted, oracle


def run(app: GrantBook, number: str, step: tuple, now: datetime) -> None:
    act = Act(actor="jan", now=now)
    start = date(2026, 11, 30)
    try:
        if step[0] == "grant":
            _, people, begin, length = step
            app.select(act, number, [f"{10000 + p}" for p in people])
            first = start + timedelta(days=begin)
            app.assign(act, number, IRIS, "Gebruiker", first, first + timedelta(days=length))
            app.confirm(act, number)
        elif step[0] == "extend":
            app.extend(act, number, f"{10000 + step[1]}", IRIS, start + timedelta(days=step[2] + 300))
        elif step[0] == "revoke":
            app.revoke(act, number, f"{10000 + step[1]}", IRIS, reason="property test")
        elif step[0] == "extend_many":
            persons = [f"{10000 + p}" for p in step[1]]
            app.extend_many(act, number, persons, IRIS, start + timedelta(days=step[2] + 300), None)
        elif step[0] == "revoke_many":
            persons = [f"{10000 + p}" for p in step[1]]
            app.revoke(act, number, persons, IRIS, reason="many", first_day=start + timedelta(days=step[2]))
        elif step[0] == "void":
            app.void(act, number, f"{number}-{step[1]}", "entered by mistake")
        else:
            entries = [
                RosterEntry(person_id=f"{10000 + p}", first_name="A", last_name=f"N{p}", category="Leraar",
                            status="Actief" if p != step[1] else "Inactief", begin_date=start)
                for p in range(1, 7)
            ]
            app.import_roster(act, number, entries)
    except RuleViolation:
        app.cancel(act, number) if step[0] == "grant" and _pending(app, number) else None


def _pending(app: GrantBook, number: str) -> bool:
    return bool(app.institution(number).state.pending)


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(command, min_size=1, max_size=8))
def test_incremental_equals_rebuild_equals_fold(store_url: str, steps: list[tuple]) -> None:
    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    models = read_models(app)
    try:
        number = f"{next(numbers):06d}"
        now = datetime(2026, 11, 30, 9, tzinfo=UTC)
        app.register_institution(Act("jan", now), number, "School", ["jan"])
        run(app, number, ("roster", 0), now)
        for n, step in enumerate(steps):
            run(app, number, step, now + timedelta(minutes=n + 1))
            if n % 2 == 0:
                models.catch_up()  # incremental, in between commands
        # now, and as the register stood before each command (record time, --as-of)
        moments = [None, *(now + timedelta(minutes=n, seconds=30) for n in range(len(steps)))]
        incremental, oracle = answers(models, app, number, moments)
        assert incremental == oracle
        models.rebuild()
        rebuilt, _ = answers(models, app, number, moments)
        assert rebuilt == incremental
        models.bulk_from = 1  # a rebuild that loads every event in one go, indexes after
        models.rebuild()
        loaded, _ = answers(models, app, number, moments)
        assert loaded == incremental
    finally:
        models.close()
        app.close()


class Killed(BaseException):
    """The process ends half way (not an error a projection could record and go past)."""


def killed_at_the_fifth_audit_event(monkeypatch) -> object:  # type: ignore[no-untyped-def]
    """The process dies on the audit projection's fifth event; returns the original ``process``."""
    original = audit.AuditProjection.process
    calls = {"n": 0}

    def failing(self, batch, change):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise Killed("killed half way")
        original(self, batch, change)

    monkeypatch.setattr(audit.AuditProjection, "process", failing)
    return original


def test_a_crash_half_way_loses_and_duplicates_nothing(school, store_url, monkeypatch) -> None:
    grant(school, "90001", "90002")
    grant(school, "90003", end="2027-01-15")
    school.ok("revoke", NUMBER, "90002", "--right", IRIS, "--reason", "left")
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    models = read_models(app)
    try:
        monkeypatch.setattr(runner, "PAGE", 3)
        original = killed_at_the_fifth_audit_event(monkeypatch)
        with pytest.raises(Killed):
            models.catch_up()
        assert 0 < models.position("audit") < models.head()
        monkeypatch.setattr(audit.AuditProjection, "process", original)
        models.catch_up()
        assert {row["lag"] for row in models.status()} == {0}
        fold = CurrentRights.from_events(item.event for item in app.recorded_events())
        with models.db.snapshot() as connection:
            assert query_audit(connection, NUMBER) == audit_rows(app.recorded_events(), NUMBER)
            assert query_held_on(connection, date(2026, 12, 1)) == fold.held_on(date(2026, 12, 1))
    finally:
        models.close()
        app.close()


def indexes(models: ReadModels) -> set[str]:
    with models.db.snapshot() as connection:
        found = inspect(connection)
        return {i["name"] for t in found.get_table_names(schema=models.db.schema) if t.startswith("gb_")
                for i in found.get_indexes(t, schema=models.db.schema)}


def test_a_bulk_load_that_fails_leaves_the_tables_and_their_indexes_as_they_were(
    school, store_url, monkeypatch
) -> None:
    grant(school, "90001", "90002")
    grant(school, "90003", end="2027-01-15")
    school.ok("extend", NUMBER, "90003", "--right", IRIS, "--end", "2027-03-31")
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    models = read_models(app)
    try:
        models.catch_up()
        before = indexes(models)
        assert {"gb_rights_by_person", "gb_audit_by_actor"} <= before
        models.empty()
        models.bulk_from = 1
        original = killed_at_the_fifth_audit_event(monkeypatch)
        with pytest.raises(Killed):
            models.catch_up()
        assert models.position("audit") == 0 and indexes(models) == before
        with models.db.snapshot() as connection:
            assert query_audit(connection, NUMBER) == []
        monkeypatch.setattr(audit.AuditProjection, "process", original)
        models.catch_up()
        assert indexes(models) == before
        fold = CurrentRights.from_events(item.event for item in app.recorded_events())
        with models.db.snapshot() as connection:
            assert query_audit(connection, NUMBER) == audit_rows(app.recorded_events(), NUMBER)
            assert query_held_on(connection, date(2027, 2, 1)) == fold.held_on(date(2027, 2, 1))
    finally:
        models.close()
        app.close()


def test_person_leavers_status_and_rebuild(school) -> None:
    grant(school, "90001", "90002")
    rows = school.json("person", "90001")
    assert [(r["institution"], r["right"]) for r in rows] == [(NUMBER, IRIS)]
    # 10002 leaves: the re-imported roster no longer lists them.
    school.ok("roster", "import", NUMBER, school.write("r2.csv", roster_csv(
        [r for r in staff(30) if r[0] != "90002"])))
    leavers = school.json("leavers", "--institution", NUMBER)
    assert [(r["person_id"], r["status"]) for r in leavers] == [("90002", "Inactief")]
    assert school.json("leavers") == leavers
    status = school.json("projections", "status")
    assert {r["projection"] for r in status} == {"institutions", "rights", "people", "audit", "chain", "access"}
    assert all(r["lag"] == 0 for r in status)
    before = school.json("rights", NUMBER)
    result = school.ok("projections", "rebuild")
    assert "rebuilt" in result.stderr
    assert school.json("rights", NUMBER) == before
    csv_out = school.ok("leavers", "--format", "csv").stdout
    assert csv_out.splitlines()[0].endswith(",status")


def test_support_worker_keeps_one_person_id_across_institutions(school) -> None:
    school.ok("institution", "register", "034794", "--name", "Tweede", "--admin", "jan")
    school.ok("support-worker", "add", NUMBER, "--rrn", RRN_1985,
              "--first-name", "Sam", "--last-name", "Peeters", "--reason", "ondersteuner")
    school.ok("support-worker", "add", "034794", "--rrn", RRN_1985,
              "--first-name", "Sam", "--last-name", "Peeters", "--reason", "ondersteuner")
    ids = set()
    for number in (NUMBER, "034794"):
        app_rows = school.json("audit", number)
        ids |= {r["details"]["person_id"] for r in app_rows if r["event"] == "SupportWorkerAdded"}
    assert len(ids) == 1


def test_a_projection_written_by_another_version_is_rebuilt(school, store_url, monkeypatch) -> None:
    """A release that changes what a projection keeps raises its version; old tables are then rebuilt."""
    grant(school, "90001", "90002")
    before = (school.json("rights", NUMBER), school.json("audit", NUMBER))
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    models = read_models(app)
    try:
        with models.db.writing() as connection:  # as an older release would have left them
            connection.execute(update(tracking).where(tracking.c.name == "rights")
                               .values(definition="1:0123456789abcdef"))
            connection.execute(delete(rights))
    finally:
        models.close()
        app.close()
    status = {r["projection"]: r for r in school.json("projections", "status")}
    assert status["rights"]["position"] == 0 and status["audit"]["lag"] == 0  # only that one is rebuilt
    assert (school.json("rights", NUMBER), school.json("audit", NUMBER)) == before


def test_an_answer_never_comes_from_tables_a_rebuild_has_just_emptied(school, store_url) -> None:
    """Another process's rebuild empties the tables just before a reader's snapshot (on PostgreSQL
    after the reader looked at the head): the reader sees its projections went back, catches up
    again and answers in full."""
    grant(school, "90001", "90002")
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    reader, rebuilder = read_models(app), read_models(app)
    try:
        full = reader.answer(lambda connection: query_audit(connection, NUMBER))
        original, emptied = reader.db.snapshot, []

        def rebuild_starts_right_before():  # type: ignore[no-untyped-def]
            if not emptied:
                emptied.append(True)
                rebuilder.empty()  # what a rebuild commits before it loads again
            return original()

        reader.db.snapshot = rebuild_starts_right_before  # type: ignore[method-assign]
        assert reader.answer(lambda connection: query_audit(connection, NUMBER)) == full
        assert emptied and len(full) > 5
    finally:
        reader.close()
        rebuilder.close()
        app.close()


def test_stores_in_other_schemas_do_not_wait_for_each_other(school, store_url, tmp_path, monkeypatch) -> None:
    """PostgreSQL advisory locks are per database: their keys name the schema, so a long catch-up of
    one store does not hold up the read models of another store on the same server."""
    from conftest import fresh_store

    kind = "sqlite" if store_url.startswith("sqlite") else "postgres"
    second = fresh_store(kind, tmp_path, "second")
    second_url = next(second)
    grant(school, "90001")
    ours = GrantBook.open(StoreLocation.parse(store_url), create=False)
    theirs = GrantBook.open(StoreLocation.parse(second_url), create=True)
    busy = read_models(theirs)
    monkeypatch.setenv("GRANTBOOK_LOCK_TIMEOUT", "3")  # waiting on a lock is then an error, not a hang
    reader = read_models(ours)
    try:
        with busy.db.writing() as connection:  # the other store is in the middle of a catch-up of every projection
            for name in ("schema", *(p.name for p in busy.projections)):
                busy.db.lock(connection, name)
            rows = reader.answer(lambda connection: query_audit(connection, NUMBER))
        assert rows and rows[-1]["event"] == "AssignmentConfirmed"
    finally:
        busy.close()
        reader.close()
        ours.close()
        theirs.close()
        next(second, None)


def test_an_auditor_without_write_access_reads_up_to_date_read_models(school, store_url) -> None:
    """Read models that are up to date are read without writing anything: an auditor whose database
    access is read-only (PostgreSQL), or who reads while another process holds the SQLite file's
    write lock, gets the answers. Read models that are behind and cannot be caught up for want of
    write access answer from what is there and say by how much they lag; a writer's lock held too
    long is a one-line error (busy)."""
    grant(school, "90001", "90002")
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-09-30")
    result = school.ok("projections", "catch-up", actor=None)
    assert "lag 0" in result.stderr
    expected = (school.json("rights", NUMBER), school.json("audit", NUMBER))
    with read_only_access(store_url) as env:
        assert (school.json("rights", NUMBER, env=env), school.json("audit", NUMBER, env=env)) == expected
    school.ok("revoke", NUMBER, "90002", "--right", IRIS, "--reason", "left")
    with read_only_access(store_url) as env:
        behind = school.run("rights", NUMBER, "--format", "json", env=env)
    if store_url.startswith("sqlite"):  # busy, not read-only: wait for the writer, then say so
        assert behind.exit_code == 1 and len(behind.stderr.strip().splitlines()) == 1, behind.stderr
        assert "busy" in behind.stderr
    else:
        assert behind.exit_code == 0, behind.stderr
        assert behind.stderr == "read models lag 1 events\n"
        assert json.loads(behind.stdout) == expected[0]  # as they stood before the revocation
    assert [r["person_id"] for r in school.json("rights", NUMBER)] == ["90001"]


@contextmanager
def read_only_access(store_url: str) -> Iterator[dict[str, str]]:
    """PostgreSQL: a session that may not write; SQLite: another process holds the write lock."""
    if not store_url.startswith("sqlite"):
        yield {"PGOPTIONS": "-c default_transaction_read_only=on"}
        return
    import sqlite3

    holder = sqlite3.connect(StoreLocation.parse(store_url).path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield {"GRANTBOOK_LOCK_TIMEOUT": "1"}
    finally:
        holder.execute("ROLLBACK")
        holder.close()
