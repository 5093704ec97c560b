"""A school year end to end (issue 12): 60 staff granted IRIS in batches of 25 in August, five
leave during the year, and in August the rollover moves everyone still Actief to the next school
year in one event, naming the five it leaves alone, whose rights are then revoked in one command."""

from __future__ import annotations

import json

from conftest import NUMBER, Driver, roster_csv, staff

LEAVERS = ["90007", "90019", "90033", "90048", "90060"]


def test_the_school_year_rollover(gb: Driver, clock) -> None:
    clock.move_to("2026-08-28 09:00:00")
    gb.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", "jan")
    gb.ok("roster", "import", NUMBER, gb.write("staff.csv", roster_csv(staff(60))))
    everyone = [f"{90000 + i}" for i in range(1, 61)]
    for first in range(0, 60, 25):
        gb.ok("select", NUMBER, *everyone[first : first + 25])
        gb.ok(
            "assign",
            NUMBER,
            "--right",
            "iris",
            "--context",
            "Gebruiker",
            "--begin",
            "01/09/2026",
            "--end",
            "31/08/2027",
        )
        gb.ok("confirm", NUMBER)
    assert len(gb.json("rights", NUMBER, "--on", "2026-09-01")) == 60

    clock.move_to("2027-02-01 09:00:00")  # five leave during the year
    stayed = [row for row in staff(60) if row[0] not in LEAVERS]
    gb.ok("roster", "import", NUMBER, gb.write("staff-february.csv", roster_csv(stayed)))

    clock.move_to("2027-08-20 09:00:00")
    before = len(gb.json("audit", NUMBER))
    result = gb.ok("extend", NUMBER, "--right", "iris", "--ending", "2027-08-31", "--end", "2028-08-31")
    lines = result.stdout.splitlines()
    assert lines[0] == "extended 55 grants to 2028-08-31:"
    assert [line for line in lines if line.startswith("left alone:")] == [
        f"left alone: {pid} (First{int(pid) - 90000} Last{int(pid) - 90000}): not Actief" for pid in LEAVERS
    ]
    trail = gb.json("audit", NUMBER)
    assert len(trail) == before + 1 and trail[-1]["event"] == "EndDatesExtended"
    rows = json.loads(gb.ok("rights", NUMBER, "--on", "2027-08-31", "--format", "json").stdout)
    ends = {row["person_id"]: row["end"] for row in rows}
    assert len(ends) == 60
    assert {pid for pid, end in ends.items() if end == "2028-08-31"} == set(everyone) - set(LEAVERS)
    assert {pid for pid, end in ends.items() if end == "2027-08-31"} == set(LEAVERS)

    result = gb.ok("revoke", NUMBER, *LEAVERS, "--right", "iris", "--reason", "left the school")
    assert len(result.stdout.splitlines()) == 5
    trail = gb.json("audit", NUMBER)
    assert len(trail) == before + 2 and trail[-1]["event"] == "RightsRevoked"
    assert sorted(g["person_id"] for g in trail[-1]["details"]["grants"]) == LEAVERS
    assert len(gb.json("rights", NUMBER)) == 55
    assert gb.json("leavers", "--institution", NUMBER) == []
