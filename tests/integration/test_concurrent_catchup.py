"""Several OS processes catching up the same persisted read models at the same moment.

Each worker process runs a reading command (which first catches every
projection up) or ``projections rebuild``; the workers are started, wait at a
shared barrier (a file) and are released together. Afterwards every worker
exited 0, the audit table holds exactly one row per event, every table equals
what a clean rebuild writes and every projection is at the head. With readers
alone, also: each event was applied exactly once across all the processes
(the sum of what their ``catch_up`` calls report), and each reader answered
what a lone reader answers.

The workers use small pages (``runner.PAGE``), so a catch-up is many
transactions and the processes take turns many times.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from conftest import IRIS, RRN_1985, RRN_2001, Driver
from freezegun import freeze_time
from sqlalchemy import select

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, Institution, RosterEntry
from grantbook.projections import PROJECTIONS
from grantbook.projections import read_models as open_read_models
from grantbook.projections.audit import audit as audit_table
from grantbook.projections.runner import ReadModels

PAGE = 150  # events per catch-up transaction in the workers
INSTITUTIONS = ("034793", "000042", "000043")
STAFF = 60
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)

# The four readers: every projection is read by one of them (dates given, so
# the subprocesses' real clock does not matter).
READERS = (
    ("audit", INSTITUTIONS[0], "--format", "json"),
    ("rights", INSTITUTIONS[1], "--on", "2027-01-15", "--format", "json"),
    ("expiring", "--within", "400", "--on", "2026-11-30", "--format", "json"),
    ("leavers", "--on", "2026-12-15", "--format", "json"),
)

# A worker: imports everything, says it is ready, waits for the go file, then
# runs one grantbook command with the catch-up page size set. It reports what
# each ReadModels.catch_up call applied. Optional hooks (environment):
#   GB_PAUSE_AT=N  the audit projection's N-th event: touch GB_PAUSED, wait for
#                  GB_RESUME (inside the page's transaction)
#   GB_HOLD=1      rebuild(): touch GB_HELD, wait for GB_RELEASE, touch
#                  GB_REBUILDING, then rebuild (the read models are open by then)
WORKER = """
import json, os, sys, time
from pathlib import Path
from grantbook.cli.main import main
from grantbook.projections import audit, runner

ready, go, report, page, *args = sys.argv[1:]
runner.PAGE = int(page)
env = os.environ

def wait_for(name):
    while not Path(env[name]).exists():
        time.sleep(0.002)

applied = []
catch_up = runner.ReadModels.catch_up
def counted(self, *a, **k):
    applied.append(catch_up(self, *a, **k))
    return applied[-1]
runner.ReadModels.catch_up = counted

if "GB_PAUSE_AT" in env:
    process, calls = audit.AuditProjection.process, [0]
    def pausing(self, *a, **k):
        calls[0] += 1
        if calls[0] == int(env["GB_PAUSE_AT"]):
            Path(env["GB_PAUSED"]).touch()
            wait_for("GB_RESUME")
        return process(self, *a, **k)
    audit.AuditProjection.process = pausing

if "GB_HOLD" in env:
    rebuild = runner.ReadModels.rebuild
    def held(self, *a, **k):
        Path(env["GB_HELD"]).touch()
        wait_for("GB_RELEASE")
        Path(env["GB_REBUILDING"]).touch()
        return rebuild(self, *a, **k)
    runner.ReadModels.rebuild = held

Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
sys.argv = ["grantbook", *args]
try:
    main()
finally:
    Path(report).write_text(json.dumps(applied))
"""


# -- filling the store -------------------------------------------------------------------------------


def open_app(gb: Driver, create: bool = False) -> GrantBook:
    return GrantBook.open(StoreLocation.parse(gb.store_url), create=create, key_file=gb.key_path)


def roster(batch: int) -> list[RosterEntry]:
    """Everyone on the staff list; in batches after the first, some have left."""
    return [
        RosterEntry(person_id=f"{90000 + i}", first_name=f"F{i}", last_name=f"L{i}", category="Leraar",
                    status="Inactief" if batch and i % 7 == batch % 7 else "Actief", begin_date=date(2015, 9, 1))
        for i in range(1, STAFF + 1)
    ]


def fill(gb: Driver, batch: int, filler: int) -> None:
    """Grants, extensions, revocations, roster imports and select/deselect pairs at every
    institution, written through the application in one save (every event at a given time):
    a few thousand events."""
    app = open_app(gb, create=batch == 0)
    try:
        institutions = []
        for k, number in enumerate(INSTITUTIONS):
            act = Act("jan", NOW + timedelta(days=batch, minutes=k))
            if batch == 0:
                institution = Institution.register(act, number, f"School {k}", ["jan"])
            else:
                institution = app.institution(number)
            institution.import_roster(act, roster(0))
            for i in range(20):
                pair = [f"{90001 + 2 * i}", f"{90002 + 2 * i}"]
                begin = date(2026, 12, 1) + timedelta(days=400 * batch + i)
                institution.select(act, pair)
                institution.assign(act, IRIS, "Gebruiker", begin, begin + timedelta(days=100 + 3 * i))
                institution.confirm(act)
                if i % 3 == 0:
                    institution.extend(act, pair[0], IRIS, begin + timedelta(days=150 + i))
                if i % 5 == 1:
                    institution.revoke(act, pair[1], IRIS, reason="left the project")
            for _ in range(filler):
                institution.select(act, ["90060"])
                institution.deselect(act, ["90060"])
            institution.import_roster(act, roster(batch + 1))
            institutions.append(institution)
        app.save(*institutions)
    finally:
        app.close()


def add_support_workers(gb: Driver) -> None:
    """Through the CLI (the key file, the people projection's digests)."""
    with freeze_time("2026-12-05 09:00:00", tz_offset=0):
        for rrn, name in ((RRN_1985, "Peeters"), (RRN_2001, "Claes")):
            gb.ok("support-worker", "add", INSTITUTIONS[0], "--rrn", rrn, "--first-name", "An",
                  "--last-name", name, "--reason", "ondersteuner")


# -- running workers ---------------------------------------------------------------------------------


class Worker:
    def __init__(self, gb: Driver, folder: Path, index: int, args: tuple[str, ...], env: dict[str, str],
                 go: str = "go") -> None:
        self.args = args
        self.ready = folder / f"ready-{index}"
        self.report = folder / f"applied-{index}.json"
        environment = {**os.environ, "GRANTBOOK_STORE": gb.store_url, **gb.base_env, **env}
        environment.pop("GRANTBOOK_ACTOR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(self.ready), str(folder / go), str(self.report), str(PAGE), *args],
            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        self.stdout = self.stderr = ""
        self.applied: list[int] = []  # what each of its catch_up calls applied

    def finish(self) -> None:
        """Waits for the worker, which must exit 0."""
        self.stdout, self.stderr = self.process.communicate(timeout=120)
        assert self.process.returncode == 0, (self.args, self.stderr[-3000:])
        assert "Traceback" not in self.stderr, self.stderr[-3000:]
        self.applied = json.loads(self.report.read_text())


def wait_for(*paths: Path, workers: list[Worker], seconds: float = 60) -> None:
    """Until every path exists; a worker that dies meanwhile fails the test with its stderr."""
    for _ in range(int(seconds / 0.005)):
        if all(path.exists() for path in paths):
            return
        for worker in workers:
            if worker.process.poll() is not None:
                _, err = worker.process.communicate()
                raise AssertionError(("worker ended early", worker.args, worker.process.returncode, err[-3000:]))
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {[p.name for p in paths if not p.exists()]}")


def run_at_once(gb: Driver, folder: Path, commands: list[tuple[str, ...]]) -> list[Worker]:
    """Starts one worker per command, releases them together once all are ready, waits for all."""
    folder.mkdir()
    workers = [Worker(gb, folder, i, args, {}) for i, args in enumerate(commands)]
    try:
        wait_for(*(w.ready for w in workers), workers=workers)
        (folder / "go").touch()
        for worker in workers:
            worker.finish()
    finally:
        stop(workers)
    return workers


def stop(workers: list[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.communicate()


# -- what the read models hold -----------------------------------------------------------------------


@contextmanager
def read_models(gb: Driver) -> Iterator[tuple[GrantBook, ReadModels]]:
    app = open_app(gb)
    models = open_read_models(app)
    try:
        yield app, models
    finally:
        models.close()
        app.close()


def table_rows(gb: Driver) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every projection table, in a fixed order."""
    with read_models(gb) as (_, models):
        with models.db.snapshot() as connection:
            return {
                table.name: sorted((tuple(row) for row in connection.execute(select(table)).all()), key=repr)
                for projection in PROJECTIONS
                for table in projection.tables
            }


def notifications(app: GrantBook, after: int = 0, topics: tuple[str, ...] = ()) -> list[int]:
    """The positions of the stored events after a position (of these topics, if given)."""
    return [n.id for n in app.recorder.select_notifications(start=after + 1, limit=10**9, topics=topics)]


def applications(gb: Driver, after: dict[str, int]) -> int:
    """How many event applications bring each projection from its position in ``after`` to the head."""
    with read_models(gb) as (app, _):
        return sum(len(notifications(app, after.get(p.name, 0), p.topics)) for p in PROJECTIONS)


def positions(gb: Driver) -> dict[str, int]:
    return {row["projection"]: row["position"] for row in gb.json("projections", "status", actor=None)}


def assert_caught_up_and_equal_to_a_rebuild(gb: Driver, readers: list[Worker]) -> None:
    """One audit row per event; lag 0 everywhere; the tables and each reader's answer are what a
    clean rebuild gives (readers running beside a rebuild included: one whose tables a rebuild
    empties after its catch-up notices and catches up again)."""
    with read_models(gb) as (app, models):
        events = notifications(app)
        with models.db.snapshot() as connection:
            audit = list(connection.execute(select(audit_table.c.position).order_by(audit_table.c.position)).scalars())
        assert audit == events, (len(audit), len(events))
    status = gb.json("projections", "status", actor=None)
    assert {row["projection"] for row in status} == {p.name for p in PROJECTIONS}
    assert all(row["lag"] == 0 and row["position"] == events[-1] for row in status), status
    concurrent = table_rows(gb)
    assert concurrent["gb_rights"] and concurrent["gb_people"], "the store holds grants and persons"

    gb.ok("projections", "rebuild", actor=None)
    assert table_rows(gb) == concurrent
    for worker in readers:
        assert worker.stdout == gb.ok(*worker.args, actor=None).stdout, worker.args


# -- the tests ---------------------------------------------------------------------------------------


def test_readers_catching_up_at_once_apply_each_event_once(store_url: str, tmp_path: Path) -> None:
    gb = Driver(store_url, tmp_path)
    fill(gb, 0, filler=300)
    # 1. The first reads of a store: no read-model tables yet; they are created at once too.
    workers = run_at_once(gb, tmp_path / "fresh", list(READERS))
    assert sum(sum(w.applied) for w in workers) == applications(gb, {})
    assert_caught_up_and_equal_to_a_rebuild(gb, workers)

    # 2. Projections at different positions: people and rights caught up in between.
    add_support_workers(gb)
    with read_models(gb) as (_, models):
        models.catch_up(["people"])
    fill(gb, 1, filler=60)
    with read_models(gb) as (_, models):
        models.catch_up(["rights"])
    fill(gb, 2, filler=60)
    before = positions(gb)
    assert before["institutions"] == before["audit"] < before["people"] < before["rights"] < gb.event_count()
    workers = run_at_once(gb, tmp_path / "behind", list(READERS))
    assert sum(sum(w.applied) for w in workers) == applications(gb, before)
    assert_caught_up_and_equal_to_a_rebuild(gb, workers)


def test_readers_and_rebuilds_at_once(store_url: str, tmp_path: Path) -> None:
    gb = Driver(store_url, tmp_path)
    fill(gb, 0, filler=250)
    gb.ok("projections", "status", actor=None)  # tables exist, nothing caught up
    commands = [READERS[0], ("projections", "rebuild"), READERS[1], ("projections", "rebuild")]
    workers = run_at_once(gb, tmp_path / "mixed", commands)
    assert_caught_up_and_equal_to_a_rebuild(gb, [workers[0], workers[2]])


def test_a_rebuild_waits_for_a_page_being_applied(store_url: str, tmp_path: Path) -> None:
    """Deterministic: a rebuild has opened the read models; a reader is held inside a page's
    transaction (after one page committed); then the rebuild starts, and the reader is let go
    half a second later. The rebuild must not empty the tables while the page is open (the
    page would then commit its rows and position after the emptying, and the pages before it
    would be lost)."""
    gb = Driver(store_url, tmp_path)
    fill(gb, 0, filler=150)
    gb.ok("projections", "status", actor=None)
    folder = tmp_path / "held"
    folder.mkdir()
    files = {name: folder / name.lower() for name in ("GB_PAUSED", "GB_RESUME", "GB_HELD", "GB_RELEASE",
                                                       "GB_REBUILDING")}
    env = {name: str(path) for name, path in files.items()}
    rebuilder = Worker(gb, folder, 0, ("projections", "rebuild"), {**env, "GB_HOLD": "1"}, go="go-0")
    reader = Worker(gb, folder, 1, READERS[0], {**env, "GB_PAUSE_AT": str(PAGE + PAGE // 2)}, go="go-1")
    workers = [rebuilder, reader]
    try:
        wait_for(rebuilder.ready, reader.ready, workers=workers)
        (folder / "go-0").touch()
        wait_for(files["GB_HELD"], workers=workers)  # the rebuild's read models are open
        (folder / "go-1").touch()
        wait_for(files["GB_PAUSED"], workers=workers)  # the reader is half way through its second page
        files["GB_RELEASE"].touch()
        wait_for(files["GB_REBUILDING"], workers=workers)
        time.sleep(0.5)  # the rebuild's first statements reach the database (and wait, or not)
        files["GB_RESUME"].touch()
        rebuilder.finish()
        reader.finish()
    finally:
        stop(workers)
    assert_caught_up_and_equal_to_a_rebuild(gb, [reader])
