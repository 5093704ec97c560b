"""Point in time: --on (valid time) and --as-of (record time) on a history
with extensions and revocations, freezegun moving the clock between commands."""

from __future__ import annotations

from conftest import IRIS, NUMBER, grant


def people(rows: list[dict[str, object]]) -> list[object]:
    return [row["person_id"] for row in rows]


def test_on_and_as_of_with_extensions_and_revocations(school, clock) -> None:
    grant(school, "90001", "90002", begin="2026-12-01", end="2027-06-30")  # recorded 30 Nov 2026
    clock.move_to("2027-01-10 10:00:00")
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/12/2027")
    clock.move_to("2027-02-01 08:00:00")
    school.ok("revoke", NUMBER, "90002", "--right", IRIS, "--reason", "left")  # from 1 Feb 2027

    # Valid time, today's register.
    assert people(school.json("rights", NUMBER, "--on", "15/01/2027")) == ["90001", "90002"]
    assert people(school.json("rights", NUMBER, "--on", "01/03/2027")) == ["90001"]
    assert people(school.json("rights", NUMBER, "--on", "01/09/2027")) == ["90001"]
    assert people(school.json("rights", NUMBER, "--on", "30/11/2026")) == []

    # Record time: what the register said before the later corrections.
    before_extension = school.json("rights", NUMBER, "--on", "01/09/2027", "--as-of", "2027-01-09")
    assert before_extension == []
    before_revocation = school.json("rights", NUMBER, "--on", "01/03/2027", "--as-of", "2027-01-31T23:00:00+01:00")
    assert people(before_revocation) == ["90001", "90002"]
    # One second after the revocation was recorded (08:00 UTC = 09:00 Brussels).
    after = school.json("rights", NUMBER, "--on", "01/03/2027", "--as-of", "2027-02-01T09:00:01+01:00")
    assert people(after) == ["90001"]
    # The as-of answer now equals the current answer.
    assert school.json("rights", NUMBER, "--on", "01/03/2027", "--as-of", "2027-02-02") == school.json(
        "rights", NUMBER, "--on", "01/03/2027"
    )

    # Expiring, as of before the extension: both ended on 30 June 2027.
    old = school.json("expiring", "--within", "30", "--on", "01/06/2027", "--as-of", "2026-12-31")
    assert people(old) == ["90001", "90002"] and {r["end"] for r in old} == {"2027-06-30"}
    assert school.json("expiring", "--within", "30", "--on", "01/06/2027") == []

    # Audit as of a moment: only the events recorded by then.
    full = school.json("audit", NUMBER)
    early = school.json("audit", NUMBER, "--as-of", "2027-01-09")
    assert early == full[: len(early)]
    assert "EndDateExtended" not in [r["event"] for r in early]
    assert [r["event"] for r in full][-2:] == ["EndDateExtended", "RightRevoked"]


def test_as_of_rejects_a_bad_timestamp(school) -> None:
    result = school.run("rights", NUMBER, "--as-of", "yesterday")
    assert result.exit_code == 2  # a malformed value (issue 13)
    assert len(result.stderr.strip().splitlines()) == 1 and "--as-of" in result.stderr
    for option in ("--since", "--until", "--as-of"):
        result = school.run("audit", NUMBER, option, "2026-13-01")
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: date-format: {option}: '2026-13-01' is not")


def test_audit_filters_by_person_and_time_range(school, clock) -> None:
    grant(school, "90001", "90002")
    clock.move_to("2027-01-10 10:00:00")
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/12/2027")
    about = school.json("audit", NUMBER, "--person", "90002")
    assert [r["event"] for r in about] == ["RosterImported", "PersonSelected", "AssignmentConfirmed"]
    recent = school.json("audit", NUMBER, "--since", "2027-01-01")
    assert [r["event"] for r in recent] == ["EndDateExtended"]
    early = school.json("audit", NUMBER, "--until", "2026-12-31", "--person", "90001")
    assert "EndDateExtended" not in [r["event"] for r in early] and early


def test_as_of_combines_with_the_audit_filters(school, clock) -> None:
    grant(school, "90001", "90002")
    clock.move_to("2027-01-10 10:00:00")
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/12/2027")
    clock.move_to("2027-02-10 10:00:00")
    school.ok("revoke", NUMBER, "90002", "--right", IRIS, "--reason", "left")
    about_2 = school.json("audit", NUMBER, "--person", "90002", "--as-of", "2027-01-31")
    assert [r["event"] for r in about_2] == ["RosterImported", "PersonSelected", "AssignmentConfirmed"]
    window = school.json("audit", NUMBER, "--since", "2027-01-01", "--as-of", "2027-01-31")
    assert [r["event"] for r in window] == ["EndDateExtended"]
    # --until and --as-of together: the earlier of the two bounds applies.
    assert school.json("audit", NUMBER, "--until", "2027-03-01", "--as-of", "2027-01-31") == school.json(
        "audit", NUMBER, "--until", "2027-01-31"
    )
    assert school.json("audit", NUMBER, "--actor", "nobody", "--as-of", "2027-03-01") == []


def test_as_of_reads_the_tables_not_the_events(school, clock, monkeypatch) -> None:
    """Queries read only the read models: replaying events to answer is a failure here."""
    grant(school, "90001", end="2027-06-30")
    clock.move_to("2027-01-10 10:00:00")
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/12/2027")
    school.ok("rights", NUMBER)  # catch the read models up

    from grantbook.application import GrantBook

    def no_replay(self):  # type: ignore[no-untyped-def]
        raise AssertionError("a reading command replayed the events")

    monkeypatch.setattr(GrantBook, "recorded_events", no_replay)
    rows = school.json("rights", NUMBER, "--on", "01/09/2027", "--as-of", "2027-01-09")
    assert rows == []
    assert [r["end"] for r in school.json("expiring", "--within", "30", "--on", "01/06/2027",
                                         "--as-of", "2027-01-09")] == ["2027-06-30"]
    assert school.json("audit", NUMBER, "--as-of", "2027-01-09")
