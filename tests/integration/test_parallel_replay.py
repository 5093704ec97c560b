"""Partitioned replay (docs/adr/0026): ``projections rebuild`` and ``verify`` in several processes
give exactly what one process gives, on both stores: every row of every read-model table, and
verify's report, first fault and exit code (on intact and on tampered stores, with checkpoints)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from conftest import IRIS, NUMBER, RRN_1985, Driver
from sqlalchemy import select
from test_integrity import A, B, Database, history, signed, verify  # noqa: F401 - fixtures

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RosterEntry
from grantbook.projections import failures, read_models
from grantbook.projections.runner import tracking

SCHOOLS = [f"{200000 + n}" for n in range(7)]


def read_model_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read-model table (and the tracking and failure rows), in key order, each
    value with its type: what 'byte for byte the same read models' compares."""
    app = GrantBook.open(StoreLocation.parse(url), create=False)
    models = read_models(app)
    try:
        found = {}
        tables = [t for p in models.projections for t in p.tables] + [tracking, failures.failures]
        with models.db.snapshot() as connection:
            for table in tables:
                rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
                found[table.name] = [tuple((type(v).__name__, v) for v in row) for row in rows]
        return found
    finally:
        models.close()
        app.close()


def rebuild(url: str, processes: int) -> int:
    app = GrantBook.open(StoreLocation.parse(url), create=False)
    models = read_models(app)
    try:
        return models.rebuild(processes=processes)
    finally:
        models.close()
        app.close()


@pytest.fixture
def region(gb: Driver) -> Driver:
    """Seven schools: rosters (imported twice, some leave), grants confirmed, extended, revoked and
    voided, the same support worker (one national number: one digest row) added at three schools,
    auditors, renames."""
    app = GrantBook.open(StoreLocation.parse(gb.store_url), create=True, key_file=gb.key_path)
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    try:
        for n, number in enumerate(SCHOOLS):
            act = Act(f"head{n}", now)
            app.register_institution(act, number, f"School {n}", [act.actor])
            entries = [
                RosterEntry(
                    person_id=f"{number}{i:02d}",
                    first_name=f"F{i}",
                    last_name=f"L{i}",
                    category="Leraar",
                    status="Actief",
                    begin_date=date(2020, 9, 1),
                )
                for i in range(12)
            ]
            app.import_roster(act, number, entries)
            if n % 3 == 0:
                app.add_support_worker(act, number, RRN_1985, "An", "Wouters", reason="ondersteuner")
            persons = [e.person_id for e in entries]
            app.select(act, number, persons[:6])
            app.assign(act, number, IRIS, "Gebruiker", date(2026, 12, 1), date(2027, 8, 31))
            app.confirm(act, number)
            app.extend(act, number, persons[0], IRIS, date(2028, 8, 31))
            app.revoke(act, number, persons[1], IRIS, reason="vertrokken")
            app.appoint_auditor(act, number, f"auditor{n}")
            app.rename_institution(act, number, f"School {n} (nieuw)")
            app.import_roster(
                act,
                number,
                [
                    e.model_copy(update={"status": "Inactief"}) if i in (9, 10) else e
                    for i, e in enumerate(entries)
                ],
            )
            app.select(act, number, persons[5:8])
            app.assign(act, number, IRIS, "Beheerder", date(2026, 12, 1), date(2027, 6, 30))
            granted = app.confirm(act, number)
            app.void(act, number, granted[-1].grant_id, "vergissing")
            app.revoke(act, number, persons[2:4], IRIS, reason="verlof", first_day=date(2027, 1, 1))
    finally:
        app.close()
    return gb


@pytest.mark.parametrize("processes", [2, 3])
def test_parallel_rebuild_gives_the_same_read_models_as_a_serial_one(region: Driver, processes: int) -> None:
    serial_applied = rebuild(region.store_url, 1)
    serial = read_model_rows(region.store_url)
    assert serial["gb_rights"] and serial["gb_person_digests"] and serial["gb_audit"]
    assert rebuild(region.store_url, processes) == serial_applied
    assert read_model_rows(region.store_url) == serial
    assert rebuild(region.store_url, 1) == serial_applied  # and back
    assert read_model_rows(region.store_url) == serial


def test_the_cli_rebuilds_in_processes_and_readers_see_the_same(region: Driver) -> None:
    region.ok("projections", "rebuild", "--processes", "1", actor=None)
    serial = read_model_rows(region.store_url)
    result = region.ok("projections", "rebuild", "--processes", "4", actor=None)
    assert "rebuilt 6 projections" in result.stderr
    assert read_model_rows(region.store_url) == serial
    status = region.json("projections", "status", actor=None)
    assert all(row["lag"] == 0 for row in status)
    bad = region.run("projections", "rebuild", "--processes", "0", actor=None)
    assert bad.exit_code == 2


def test_a_broken_chain_is_found_and_named_by_a_parallel_rebuild(history: Driver) -> None:  # noqa: F811
    db = Database(history.store_url)
    position, topic, state = db.event(A, 5)
    data = json.loads(state)
    data["timestamp"] = "2020-01-01T00:00:00+00:00"
    db.set_event(A, 5, topic, json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    rebuild(history.store_url, 1)
    serial = read_model_rows(history.store_url)
    rebuild(history.store_url, 2)
    assert read_model_rows(history.store_url) == serial
    [chain_a] = [row for row in serial["gb_chain"] if row[0][1] in (str(A), A.hex)]
    assert chain_a[3][1] == db.event(A, 6)[0]  # broken at the event whose link no longer fits
    refused = history.run("rights", NUMBER)
    assert refused.exit_code == 1 and NUMBER in refused.stderr


def both(gb: Driver, *args: str) -> tuple[int, str, str]:
    """verify with one process and with three: the same output, error and exit code."""
    one = verify(gb, *args, "--processes", "1")
    three = verify(gb, *args, "--processes", "3")
    assert (one.exit_code, one.stdout, one.stderr) == (three.exit_code, three.stdout, three.stderr)
    return one.exit_code, one.stdout, one.stderr


def test_verify_in_processes_reports_as_one_process_on_an_intact_store(
    signed: tuple[Driver, list[str]],  # noqa: F811
) -> None:
    gb, args = signed
    code, out, _ = both(gb, *args)
    assert code == 0 and "every hash chain is intact" in out and "signature valid" in out
    code, out, err = both(gb, "--checkpoint", args[1])  # unsigned: exit 1 as before
    assert code == 1 and "was not checked" in err


@pytest.mark.parametrize("tamper", ["changed", "deleted", "swapped", "forged", "copied", "last-removed"])
def test_verify_in_processes_finds_the_same_first_fault(
    signed: tuple[Driver, list[str]],  # noqa: F811
    tamper: str,
) -> None:
    gb, args = signed
    db = Database(gb.store_url)
    last = db.last_version(A)
    if tamper == "changed":
        _, topic, state = db.event(B, 2)
        db.set_event(B, 2, topic, state.replace(b'"Ann"', b'"Bob"'))
        _, topic, state = db.event(A, 5)  # a later fault in the other institution: the first is named
        db.set_event(A, 5, topic, state.replace(b'"2027-08-31"', b'"2029-08-31"'))
    elif tamper == "deleted":
        db.delete(A, 4)
    elif tamper == "swapped":
        _, topic3, state3 = db.event(A, 3)
        _, topic4, state4 = db.event(A, 4)
        db.set_event(A, 3, topic4, state4)
        db.set_event(A, 4, topic3, state3)
    elif tamper == "forged":
        _, topic, state = db.event(A, last)
        forged = json.loads(state)
        forged["previous_hash"] = "0" * 64
        db.insert(A, last + 1, topic, json.dumps(forged, sort_keys=True, separators=(",", ":")).encode())
    elif tamper == "copied":
        _, topic, state = db.event(B, 2)
        db.insert(A, last + 1, topic, state)
    else:
        db.delete(A, last)
    code, _, err = both(gb, *args)
    assert code == 1 and err.startswith("error: integrity: "), err
    code, _, err = both(gb)  # without the checkpoint: the chains alone
    assert code == (0 if tamper == "last-removed" else 1), err


def test_verify_in_processes_names_the_same_edited_read_model_row(region: Driver) -> None:
    region.ok("projections", "catch-up", actor=None)
    location = StoreLocation.parse(region.store_url)
    app = GrantBook.open(location, create=False)
    models = read_models(app)
    try:
        from grantbook.projections.rights import rights

        with models.db.writing() as connection:
            connection.execute(
                rights.update()
                .values(end_day="2099-12-31")
                .where(
                    rights.c.grant_id.in_(
                        select(rights.c.grant_id).order_by(rights.c.grant_id).limit(4).scalar_subquery()
                    )
                )
            )
    finally:
        models.close()
        app.close()
    code, _, err = both(region)
    assert code == 1 and "gb_rights row grant_id=" in err and "(and 2 more)" in err  # three named per table
