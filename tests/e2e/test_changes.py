"""Extend and revoke for several persons, the rollover, revoke --from, void, and what `rights`
shows of them (issue 12, docs/adr/0016), command by command as an administrator runs them."""

from __future__ import annotations

from conftest import IRIS, NUMBER, Driver, grant, roster_csv, staff


def events(gb: Driver, name: str) -> list[dict[str, object]]:
    return [e for e in gb.json("audit", NUMBER) if e["event"] == name]


def leave(gb: Driver, *pids: str) -> None:
    """A roster import without ``pids``: no longer Actief."""
    rows = [r for r in staff(30) if r[0] not in pids]
    gb.ok("roster", "import", NUMBER, gb.write("roster-later.csv", roster_csv(rows)))


# -- extend ---------------------------------------------------------------------------------------


def test_extending_several_persons_is_one_event(school: Driver) -> None:
    grant(school, "90001", "90002", "90003")
    before = school.event_count()
    result = school.ok("extend", NUMBER, "90001", "90002", "--right", "iris", "--end", "31/08/2028")
    assert result.stdout.splitlines()[0] == "extended 2 grants to 2028-08-31:"
    assert "  90002 (First2 Last2): " in result.stdout
    assert school.event_count() == before + 1
    [event] = events(school, "EndDatesExtended")
    assert event["details"]["new_end"] == "2028-08-31" and len(event["details"]["grants"]) == 2
    ends = {r["person_id"]: r["end"] for r in school.json("rights", NUMBER)}
    assert ends == {"90001": "2028-08-31", "90002": "2028-08-31", "90003": "2027-08-31"}
    # the trail finds the event under each person it names
    assert [e["event"] for e in school.json("audit", NUMBER, "--person", "90002")][-1] == "EndDatesExtended"
    assert "EndDatesExtended" not in [e["event"] for e in school.json("audit", NUMBER, "--person", "90003")]


def test_one_person_reads_as_it_always_did(school: Driver) -> None:
    grant(school, "90001")
    result = school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/08/2028")
    assert result.stdout.startswith("extended 90001 (First1 Last1): ")
    assert [e["event"] for e in school.json("audit", NUMBER)][-1] == "EndDateExtended"


def test_extending_several_is_refused_whole_in_one_line_naming_each(school: Driver) -> None:
    grant(school, "90001", "90002", "90003")
    leave(school, "90003")
    result = school.refused(
        "extend",
        NUMBER,
        "90001",
        "90003",
        "90009",
        "--right",
        "iris",
        "--end",
        "2028-08-31",
        rule="persons-refused",
        contains="2 of 3",
    )
    assert "90003 (not Actief); 90009 (no live grant)" in result.stderr
    assert school.json("rights", NUMBER)[0]["end"] == "2027-08-31"


def test_persons_and_ending_are_one_or_the_other(school: Driver) -> None:
    grant(school, "90001")
    school.refused(
        "extend",
        NUMBER,
        "90001",
        "--right",
        "iris",
        "--ending",
        "2027-08-31",
        "--end",
        "2028-08-31",
        rule="usage",
        code=2,
    )
    school.refused("extend", NUMBER, "--right", "iris", "--end", "2028-08-31", rule="usage", code=2)


def test_the_rollover_leaves_leavers_alone_and_says_so(school: Driver) -> None:
    grant(school, "90001", "90002", "90003")
    leave(school, "90002")
    before = school.event_count()
    result = school.ok("extend", NUMBER, "--right", "iris", "--ending", "31/08/2027", "--end", "31/08/2028")
    assert result.stdout.splitlines()[0] == "extended 2 grants to 2028-08-31:"
    assert "left alone: 90002 (First2 Last2): not Actief" in result.stdout.splitlines()
    assert school.event_count() == before + 1
    [event] = events(school, "EndDatesExtended")
    assert event["details"]["ending"] == "2027-08-31"


def test_a_rollover_with_nothing_to_move_is_refused(school: Driver) -> None:
    grant(school, "90001")
    school.refused(
        "extend",
        NUMBER,
        "--right",
        "iris",
        "--ending",
        "2027-06-30",
        "--end",
        "2028-06-30",
        rule="no-active-grant",
        contains="ends on 2027-06-30",
    )
    leave(school, "90001")
    school.refused(
        "extend",
        NUMBER,
        "--right",
        "iris",
        "--ending",
        "2027-08-31",
        "--end",
        "2028-08-31",
        rule="no-active-grant",
        contains="still Actief",
    )


# -- revoke ---------------------------------------------------------------------------------------


def test_revoking_several_persons_is_one_event_leavers_included(school: Driver) -> None:
    grant(school, "90001", "90002", "90003")
    leave(school, "90002")
    before = school.event_count()
    result = school.ok("revoke", NUMBER, "90001", "90002", "--right", "iris", "--reason", "left")
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["revoked from 2026-11-30"] * 2
    assert school.event_count() == before + 1
    [event] = events(school, "RightsRevoked")
    assert event["details"]["reason"] == "left" and len(event["details"]["grants"]) == 2
    assert [r["person_id"] for r in school.json("rights", NUMBER)] == ["90003"]
    school.refused(
        "revoke",
        NUMBER,
        "90003",
        "90001",
        "90004",
        "--right",
        "iris",
        "--reason",
        "x",
        rule="no-active-grant",
        contains="90001 (no live grant); 90004 (no live grant)",
    )


def test_revoke_from_a_later_day_shows_the_revocation_before_it(school: Driver) -> None:
    grant(school, "90001")
    result = school.ok(
        "revoke", NUMBER, "90001", "--right", "iris", "--reason", "leaves in January", "--from", "15/01/2027"
    )
    assert result.stdout.startswith("revoked from 2027-01-15: 90001")
    [row] = school.json("rights", NUMBER, "--on", "2027-01-14")
    assert (row["revoked_on"], row["revoked_by"], row["revoke_reason"]) == (
        "2027-01-15",
        "jan",
        "leaves in January",
    )
    assert school.json("rights", NUMBER, "--on", "2027-01-15") == []
    [row] = school.json("rights", NUMBER, "--all", "--on", "2027-01-14")
    assert row["status"] == "current"
    [row] = school.json("rights", NUMBER, "--all", "--on", "2027-01-15")
    assert row["status"] == "revoked"
    school.refused(
        "revoke",
        NUMBER,
        "90001",
        "--right",
        "iris",
        "--reason",
        "x",
        "--from",
        "2026-11-29",
        rule="revoke-date",
        contains="before today",
    )
    school.refused(
        "revoke",
        NUMBER,
        "90001",
        "--right",
        "iris",
        "--reason",
        "x",
        "--from",
        "2027-02-01",
        rule="no-active-grant",
        contains="already revoked from 2027-01-15",
    )
    school.ok("revoke", NUMBER, "90001", "--right", "iris", "--reason", "left early", "--from", "2027-01-01")
    [row] = school.json("rights", NUMBER, "--all", "--on", "2027-01-01")
    assert (row["status"], row["revoked_on"], row["revoke_reason"]) == ("revoked", "2027-01-01", "left early")


# -- void -----------------------------------------------------------------------------------------


def test_a_voided_grant_counts_on_no_day_but_the_trail_keeps_it(school: Driver, clock) -> None:
    school.ok("admin", "add", NUMBER, "piet")
    grant(school, "90001", "90002", begin="2026-09-01", end="2026-12-10")
    clock.move_to("2026-12-01 10:00:00")
    school.refused(
        "void", NUMBER, "034793-1", "--reason", "wrong person", actor="piet", rule="not-a-head-administrator"
    )
    school.refused("void", NUMBER, "034793-1", rule="reason-required")
    school.refused("void", NUMBER, "034793-7", "--reason", "x", rule="unknown-grant", contains="'034793-7'")
    result = school.ok("void", NUMBER, "034793-1", "--reason", "wrong person")
    assert result.stdout.startswith("voided 034793-1: 90001 (First1 Last1)")
    school.refused("void", NUMBER, "034793-1", "--reason", "again", rule="already-voided")
    for day in ("2026-09-01", "2026-10-15", "2026-12-01"):
        assert [r["person_id"] for r in school.json("rights", NUMBER, "--on", day)] == ["90002"]
    assert [r["person_id"] for r in school.json("expiring", "--within", "30")] == ["90002"]
    # as the register stood before the void, the grant was there
    before = school.json("rights", NUMBER, "--on", "2026-10-15", "--as-of", "2026-11-30T12:00:00+00:00")
    assert [r["person_id"] for r in before] == ["90001", "90002"]
    rows = {r["grant_id"]: r for r in school.json("rights", NUMBER, "--all", "--on", "2026-10-15")}
    voided = rows["034793-1"]
    assert (voided["status"], voided["voided_by"], voided["void_reason"]) == ("voided", "jan", "wrong person")
    assert voided["voided_at"] == "2026-12-01T10:00:00+00:00"
    assert rows["034793-2"]["status"] == "current"
    [event] = events(school, "GrantVoided")
    assert (event["actor"], event["details"]["reason"], event["details"]["grant_id"]) == (
        "jan",
        "wrong person",
        "034793-1",
    )
    # a corrected grant may be entered again for the same period
    grant(school, "90001", begin="2026-09-01", end="2026-12-10", actor="mia")
    assert len(school.json("rights", NUMBER, "--on", "2026-10-15")) == 2
    leave(school, "90001", "90003")  # the leaver's voided grant is not one of the rights still held
    assert [r["person_id"] for r in school.json("leavers", "--institution", NUMBER)] == ["90001"]


def test_rights_all_gives_every_grant_a_status(school: Driver, clock) -> None:
    grant(school, "90001", begin="2026-09-01", end="2026-11-29")  # ended
    grant(school, "90002", begin="2026-11-01", end="2027-08-31")  # current
    grant(school, "90003", begin="2027-01-01", end="2027-08-31")  # future
    grant(school, "90004", begin="2026-11-01", end="2027-08-31")  # revoked
    school.ok("revoke", NUMBER, "90004", "--right", "iris", "--reason", "left")
    statuses = {r["person_id"]: r["status"] for r in school.json("rights", NUMBER, "--all")}
    assert statuses == {"90001": "ended", "90002": "current", "90003": "future", "90004": "revoked"}
    table = school.ok("rights", NUMBER, "--all").stdout
    assert "status" in table.splitlines()[0] and "voided_by" in table.splitlines()[0]
