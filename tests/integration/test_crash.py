"""Crash safety: SIGKILL a grantbook process at random moments.

Afterwards the store opens, the command happened whole or not at all, and
running it again finishes the job: roster import, confirm, projection
rebuild and store copy.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import IRIS, NUMBER, Driver, roster_csv, staff

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook

SCRIPT = Path(sys.executable).with_name("grantbook")
KILLS = 2  # random moments per command and store (fixed seed)
LARGE = 3000


def spawn(gb: Driver, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GRANTBOOK_STORE": gb.store_url, "GRANTBOOK_ACTOR": "jan", **gb.base_env}
    return subprocess.Popen([str(SCRIPT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_at(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL after ``delay`` seconds; True if it was still running."""
    time.sleep(delay)
    alive = process.poll() is None
    if alive:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return alive


def open_store(gb: Driver) -> GrantBook:
    return GrantBook.open(StoreLocation.parse(gb.store_url), create=False)


def events_of(gb: Driver) -> list[str]:
    app = open_store(gb)
    try:
        return [type(item.event).__name__ for item in app.recorded_events()]
    finally:
        app.close()


@pytest.fixture
def registered(gb: Driver) -> Driver:
    gb.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", "jan")
    return gb


def test_a_killed_roster_import_happened_whole_or_not_at_all(registered: Driver) -> None:
    gb = registered
    path = gb.write("large.csv", roster_csv(staff(LARGE)))
    rng = random.Random(6)
    for _ in range(KILLS):
        before = events_of(gb)
        killed = kill_at(spawn(gb, "roster", "import", NUMBER, path), rng.uniform(0.2, 2.0))
        after = events_of(gb)  # the store opens
        assert after[: len(before)] == before
        assert after[len(before):] in ([], ["RosterImported"]), (killed, after[len(before):])
        app = open_store(gb)
        try:
            persons = app.institution(NUMBER).state.persons
            assert len(persons) in (0, LARGE)  # never half a roster
        finally:
            app.close()
    # rerunning finishes the job
    gb.ok("roster", "import", NUMBER, path)
    assert len(gb.json("search", NUMBER)) == LARGE


def test_a_killed_confirm_happened_whole_or_not_at_all(registered: Driver) -> None:
    gb = registered
    gb.ok("roster", "import", NUMBER, gb.write("r.csv", roster_csv(staff(60))))
    rng = random.Random(7)
    for round_ in range(KILLS):
        batch = [f"{90000 + i}" for i in range(1 + 25 * round_, 26 + 25 * round_)]
        gb.ok("select", NUMBER, *batch)
        gb.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-12-01", "--end", "2027-08-31")
        killed = kill_at(spawn(gb, "confirm", NUMBER), rng.uniform(0.2, 1.5))
        held = {r["person_id"] for r in gb.json("rights", NUMBER, "--on", "2027-01-01")}
        granted_now = held & set(batch)
        assert granted_now in (set(), set(batch)), (killed, sorted(granted_now))
        # rerun: finishes the job, or says it was already done
        result = gb.run("confirm", NUMBER)
        if granted_now:
            assert result.exit_code == 1 and "no-pending-assignment" in result.stderr
        else:
            assert result.exit_code == 0, result.stderr
        held = {r["person_id"] for r in gb.json("rights", NUMBER, "--on", "2027-01-01")}
        assert set(batch) <= held
    assert events_of(gb).count("AssignmentConfirmed") == KILLS


def long_history(gb: Driver, pairs: int = 5000) -> None:
    """Some 10,000 events, written through the application in one save."""
    from datetime import UTC, datetime, timedelta

    from grantbook.domain import Act

    gb.ok("roster", "import", NUMBER, gb.write("r.csv", roster_csv(staff(30))))
    gb.ok("select", NUMBER, *[f"{90000 + i}" for i in range(1, 26)])
    gb.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-12-01", "--end", "2027-08-31")
    gb.ok("confirm", NUMBER)
    app = open_store(gb)
    try:
        institution = app.institution(NUMBER)
        start = datetime(2026, 11, 30, 10, tzinfo=UTC)
        for n in range(pairs):
            step = Act("jan", start + timedelta(seconds=n))
            institution.select(step, ["90026"])
            institution.deselect(step, ["90026"])
        app.save(institution)
    finally:
        app.close()


def answers(gb: Driver, url: str | None = None) -> list[str]:
    with gb.pointed_at(url or gb.store_url):
        return [gb.ok(*args, "--format", "json", actor=None).stdout
                for args in (("rights", NUMBER, "--on", "2027-01-01"), ("expiring", "--within", "400"), ("audit", NUMBER))]


def test_a_killed_projection_rebuild_loses_nothing(registered: Driver) -> None:
    gb = registered
    long_history(gb)
    expected = answers(gb)
    rng = random.Random(8)
    for _ in range(KILLS):
        kill_at(spawn(gb, "projections", "rebuild"), rng.uniform(0.3, 1.5))
        assert answers(gb) == expected  # the store opens; reading catches up to the same answers
    gb.ok("projections", "rebuild", actor=None)
    assert answers(gb) == expected


def test_a_killed_store_copy_is_finished_by_a_rerun(registered: Driver, other_store_url: str) -> None:
    gb = registered
    long_history(gb)
    expected = answers(gb)
    rng = random.Random(9)
    for _ in range(KILLS):
        kill_at(spawn(gb, "store", "copy", "--from", gb.store_url, "--to", other_store_url), rng.uniform(0.3, 1.5))
    result = gb.run("store", "copy", "--from", gb.store_url, "--to", other_store_url, actor=None)
    assert result.exit_code == 0, result.stderr
    assert answers(gb, other_store_url) == expected
    with gb.pointed_at(other_store_url):
        gb.ok("verify", actor=None)
