"""A store written by release 0.1.0 opens, replays and verifies under this release.

tests/fixtures/release-0.1.0 holds an SQLite store that release 0.1.0 wrote
(with a snapshot and its own read models), its key, a signed checkpoint and
the answers 0.1.0 gave (make.py there shows how). On PostgreSQL the same
events are first copied with `grantbook store copy`.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import IRIS, Driver
from eventsourcing.application import project_aggregate
from freezegun import freeze_time

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, Institution
from grantbook.projections.rights_questions import REGISTER_COLUMNS, RIGHTS_COLUMNS

FIXTURE = Path(__file__).parents[1] / "fixtures" / "release-0.1.0"
NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
EXPECTED: dict[str, list[dict[str, object]]] = json.loads((FIXTURE / "expected.json").read_text())


@pytest.fixture
def old_store(store_url: str, tmp_path: Path) -> Driver:
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(FIXTURE / "store.db", folder / "store.db")
    shutil.copy(FIXTURE / "store.db.key", folder / "store.db.key")
    (folder / "store.db.key").chmod(0o600)  # a checkout leaves it readable by everyone
    sqlite_url = f"sqlite:///{folder / 'store.db'}"
    if store_url.startswith("sqlite:"):
        return Driver(sqlite_url, folder)
    gb = Driver(store_url, folder)
    shutil.copy(folder / "store.db.key", gb.key_path)
    gb.ok("store", "copy", "--from", sqlite_url, "--to", store_url, actor=None)
    return gb


def ask(gb: Driver, question: str) -> list[dict[str, object]]:
    actor = "mia" if question.startswith("selection") else "jan"
    with freeze_time("2026-12-01 08:00:00", tz_offset=0):
        return gb.json(*question.split(), actor=actor)


# What `rights` shows since issue 12 besides the columns 0.1.0 had (docs/adr/0016).
ADDED = {"rights": set(REGISTER_COLUMNS) - set(RIGHTS_COLUMNS)}


@pytest.mark.parametrize("question", sorted(EXPECTED))
def test_every_question_gets_the_answer_release_0_1_0_gave(old_store: Driver, question: str) -> None:
    answer = ask(old_store, question)
    added = ADDED.get(question.split()[0], set())
    assert all(set(row) - set(RIGHTS_COLUMNS) == added for row in answer) or not added
    assert [{k: v for k, v in row.items() if k not in added} for row in answer] == EXPECTED[question]


def test_its_chains_and_its_checkpoint_verify(old_store: Driver) -> None:
    result = old_store.ok(
        "verify", "--checkpoint", str(FIXTURE / "checkpoint.json"), "--public-key", str(FIXTURE / "auditor.pub.pem"),
        actor=None,
    )
    assert "intact" in result.stdout


def test_it_takes_new_events_and_a_snapshot_loads_as_a_replay_does(old_store: Driver) -> None:
    with freeze_time("2026-12-02 09:00:00", tz_offset=0):
        old_store.ok("assign", "034793", "--right", IRIS, "--context", "Gebruiker",
                     "--begin", "02/12/2026", "--end", "31/08/2027", actor="mia")
        old_store.ok("confirm", "034793", actor="mia")
    rights = ask(old_store, "rights 034793 --on 2026-12-02")
    assert {r["person_id"] for r in rights} >= {"90004", "90005"}
    old_store.ok("verify", actor=None)

    app = GrantBook.open(StoreLocation.parse(old_store.store_url), create=False)
    try:
        institution_id = Institution.id_for("034793")
        loaded = app.repository.get(institution_id)
        replayed = project_aggregate(None, app.events.get(institution_id))
        assert loaded.version == replayed.version > 565
        assert loaded.head_hash == replayed.head_hash
        day = date(2026, 12, 2)
        assert loaded.rights_on(day) == replayed.rights_on(day) and len(loaded.rights_on(day)) == 4
        assert loaded.search(Act("jan", NOW)) == replayed.search(Act("jan", NOW))
    finally:
        app.close()


def test_the_new_steps_add_to_an_old_store_and_its_chains_still_verify(old_store: Driver) -> None:
    """docs/adr/0015: back, cancel, selection clear and the quick grant record new events (and
    AssignmentConfirmed marked direct) after 0.1.0's; the old events keep their hashes."""
    period = ("--right", "iris", "--context", "Gebruiker", "--begin", "02/12/2026", "--end", "31/08/2027")
    with freeze_time("2026-12-02 09:00:00", tz_offset=0):
        old_store.ok("assign", "034793", *period, actor="mia")
        old_store.ok("back", "034793", actor="mia")
        assert [r["person_id"] for r in old_store.json("selection", "034793", actor="mia")] == ["90004", "90005"]
        old_store.ok("assign", "034793", *period, actor="mia")
        old_store.ok("cancel", "034793", actor="mia")
        assert old_store.json("selection", "034793", actor="mia") == []
        old_store.ok("grant", "034793", "90006", *period, actor="jan")
        old_store.ok("select", "034793", "90007", actor="jan")
        old_store.ok("selection", "clear", "034793", actor="jan")
    assert {r["person_id"] for r in ask(old_store, "rights 034793 --on 2026-12-02")} >= {"90006"}
    old_store.ok("verify", actor=None)
    result = old_store.ok(
        "verify", "--checkpoint", str(FIXTURE / "checkpoint.json"), "--public-key", str(FIXTURE / "auditor.pub.pem"),
        actor=None,
    )
    assert "intact" in result.stdout
