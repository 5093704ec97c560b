"""An institution loaded from a snapshot equals the one replayed from its events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from conftest import IRIS, NUMBER, RRN_1985, Driver
from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from grantbook.adapters.store import StoreLocation
from grantbook.application import SNAPSHOT_INTERVAL, GrantBook
from grantbook.domain import Act, Institution, RosterEntry


def test_a_snapshot_loads_the_same_institution_as_a_replay(gb: Driver) -> None:
    app = GrantBook.open(StoreLocation.parse(gb.store_url), create=True, key_file=gb.workdir / "k.key")
    try:
        now = datetime(2026, 11, 30, 9, tzinfo=UTC)
        act = Act("jan", now)
        app.register_institution(act, NUMBER, "De Linde", ["jan", "mia"])
        entries = [RosterEntry(person_id=f"{90000 + i}", first_name=f"F{i}", last_name=f"L{i}", category="Medewerker",
                               status="Actief" if i % 7 else "Inactief", begin_date=date(2015, 9, 1)) for i in range(1, 41)]
        app.import_roster(act, NUMBER, entries)
        app.add_support_worker(act, NUMBER, RRN_1985, "An", "Peeters", "speech therapist")
        app.select(act, NUMBER, ["90001", "90002"])
        app.assign(act, NUMBER, IRIS, "Gebruiker", date(2026, 12, 1), date(2027, 8, 31))
        app.confirm(act, NUMBER)
        app.revoke(act, NUMBER, "90002", IRIS, reason="left")
        institution = app.institution(NUMBER)  # a long history, saved in one go
        n = 0
        while institution.version < SNAPSHOT_INTERVAL * 2 + 37:
            n += 1
            step = Act("mia", now + timedelta(minutes=n))
            institution.select(step, ["90003"])
            institution.deselect(step, ["90003"])
        app.save(institution)
        app.select(act, NUMBER, ["90004", "90005"])
        app.assign(act, NUMBER, IRIS, "Operator", date(2026, 12, 1), date(2027, 6, 30))
        app.extend(act, NUMBER, "90001", IRIS, date(2028, 8, 31))

        institution_id = Institution.id_for(NUMBER)
        snapshots = list(app.snapshots.get(institution_id)) if app.snapshots else []
        assert len(snapshots) >= 2, "no snapshots were taken"
        loaded = app.repository.get(institution_id)
        replayed = project_aggregate(None, app.events.get(institution_id))
        assert loaded.version == replayed.version
        # The chain's bookkeeping differs (last event vs. its hash); the head it names does not.
        bookkeeping = ("_pending_events", "_chain_last", "_chain_head")
        assert {k: v for k, v in vars(loaded).items() if k not in bookkeeping} == {
            k: v for k, v in vars(replayed).items() if k not in bookkeeping
        }
        assert loaded.head_hash == replayed.head_hash
        # and it keeps working from the snapshot
        app.confirm(act, NUMBER)
    finally:
        app.close()
    assert {r["person_id"] for r in gb.json("rights", NUMBER, "--on", "2027-01-01")} == {"90001", "90004", "90005"}


def test_a_store_holding_an_old_format_snapshot_loads_it_as_a_replay(gb: Driver) -> None:
    """A snapshot written before the state was declared (tagged JSON, topic
    grantbook:InstitutionSnapshot) is read, and the institution goes on from it."""
    data = Path(__file__).parent.parent / "unit" / "data"
    rows = [json.loads(line) for line in (data / "stored_events_v1.jsonl").read_text("utf-8").splitlines()]
    rows.append(json.loads((data / "snapshot_tagged_json_v1.json").read_text("utf-8")))
    records = [
        StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"].encode("utf-8"))
        for r in rows
    ]
    app = GrantBook.open(StoreLocation.parse(gb.store_url), create=True, key_file=gb.workdir / "k.key")
    try:
        app.events.recorder.insert_events(records[:-1])
        assert app.snapshots is not None
        app.snapshots.recorder.insert_events(records[-1:])
        institution_id = Institution.id_for(NUMBER)
        [snapshot] = app.snapshots.get(institution_id)
        assert type(snapshot).__name__ == "LegacyInstitutionSnapshot"
        loaded = app.repository.get(institution_id)
        replayed = project_aggregate(None, app.events.get(institution_id))
        assert (loaded.version, loaded.modified_on, loaded.head_hash) == (
            replayed.version, replayed.modified_on, replayed.head_hash,
        )
        assert loaded.state == replayed.state
        app.extend(Act("jan", datetime(2026, 12, 2, 9, tzinfo=UTC)), NUMBER, "90001", IRIS, date(2029, 8, 31))
    finally:
        app.close()
    assert gb.ok("verify").exit_code == 0
