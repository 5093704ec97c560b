"""Many administrators at once: 8 OS processes, the same two institutions.

Afterwards every command that reported success is in the audit trail
exactly once, every refused one is absent, and the invariants hold.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from conftest import NUMBER, Driver, roster_csv, staff
from freezegun import freeze_time

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook

WORKERS = 8
STEPS = 18
INSTITUTIONS = [NUMBER, "000042"]
ADMINS = [f"admin{i}" for i in range(WORKERS)]


def expected_events(entry: dict, number: str) -> list[tuple[str, str, str | None]]:
    args = entry["args"]
    command = args[0]
    if command == "select":
        return [("PersonSelected", number, pid) for pid in args[2:]]
    if command == "deselect":
        return [("PersonDeselected", number, pid) for pid in args[2:]]
    if command == "assign":
        return [("RightAssigned", number, None)]
    if command == "confirm":
        return [("AssignmentConfirmed", number, None)]
    if command == "revoke":
        revoked = [line for line in entry["stdout"].splitlines() if line.startswith("revoked from")]
        assert revoked
        return [("RightRevoked", number, args[2])] * len(revoked)
    raise AssertionError(command)


def test_eight_administrators_at_once(store_url: str, tmp_path: Path) -> None:
    with freeze_time("2026-11-30 09:00:00", tz_offset=0):
        gb = Driver(store_url, tmp_path)
        admins = [arg for admin in ADMINS for arg in ("--admin", admin)]
        for number in INSTITUTIONS:
            gb.ok("institution", "register", number, "--name", "School", *admins, actor="admin0")
            gb.ok("roster", "import", number, gb.write(f"{number}.csv", roster_csv(staff(40))), actor="admin0")
    before = gb.event_count()

    processes = []
    for index, actor in enumerate(ADMINS):
        out = tmp_path / f"{actor}.json"
        processes.append((actor, out, subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("concurrency_worker.py")), store_url, actor,
             str(1000 + index), str(STEPS), ",".join(INSTITUTIONS), str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )))
    for actor, _, process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, (actor, err[-2000:])

    location = StoreLocation.parse(store_url)
    app = GrantBook.open(location, create=False)
    try:
        actual: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
        numbers = {}
        for item in app.recorded_events():
            event = item.event
            if item.position <= before:
                numbers[event.originator_id] = getattr(event, "number", numbers.get(event.originator_id))
                continue
            actual[event.actor].append((type(event).__name__, numbers[event.originator_id], getattr(event, "person_id", None)))

        outcomes = defaultdict(int)
        for actor, out, _ in processes:
            log = json.loads(out.read_text())
            expected = []
            for entry in log:
                assert entry["exit_code"] in (0, 1), entry
                if entry["exit_code"] == 0:
                    expected += expected_events(entry, entry["args"][1])
                    outcomes["ok"] += 1
                else:
                    # Refused by a rule, never by a lost race or a broken store.
                    [line] = entry["stderr"].strip().splitlines()
                    rule = line.split(":")[1].strip()
                    assert rule in {
                        "already-selected", "selection-limit", "not-selected", "empty-selection",
                        "no-pending-assignment", "overlapping-grant", "no-active-grant", "inactive-person",
                        "assignment-pending",  # select or deselect while one's own step 2 waits (ADR 0015)
                    }, line
                    outcomes[rule] += 1
            assert actual[actor] == expected, actor
        assert outcomes["ok"] > WORKERS * STEPS // 3, outcomes

        for number in INSTITUTIONS:
            institution = app.institution(number)
            assert all(len(selection) <= 25 for selection in institution.state.selections.values())
            grants = list(institution.state.grants.values())
            for i, a in enumerate(grants):
                for b in grants[i + 1:]:
                    if (a.person_id, a.right, a.context) == (b.person_id, b.right, b.context) and a.last_day and b.last_day:
                        assert not (a.begin <= b.last_day and b.begin <= a.last_day), (a, b)
    finally:
        app.close()
