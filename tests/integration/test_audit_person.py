"""``audit --person`` is an exact match on the persons an event is about: no pattern characters."""

from __future__ import annotations

from conftest import NUMBER, grant, roster_csv, staff


def test_person_filter_matches_that_person_only(school) -> None:
    rows = [
        *staff(3),
        ("axb", "Ax", "Bee", "Leraar", "Actief", "01/09/2015", ""),
        ("a.b", "A", "Dot", "Leraar", "Actief", "01/09/2015", ""),
    ]
    school.ok("roster", "import", NUMBER, school.write("r2.csv", roster_csv(rows)))
    grant(school, "axb", "90001")
    about_axb = school.json("audit", NUMBER, "--person", "axb")
    assert [r["event"] for r in about_axb] == ["RosterImported", "PersonSelected", "AssignmentConfirmed"]
    # "_" and "%" are not wildcards; "a.b" is another person
    assert school.json("audit", NUMBER, "--person", "a_b") == []
    assert school.json("audit", NUMBER, "--person", "a%") == []
    assert school.json("audit", NUMBER, "--person", "%") == []
    assert school.json("audit", NUMBER, "--person", "9000_") == []
    assert [r["event"] for r in school.json("audit", NUMBER, "--person", "a.b")] == ["RosterImported"]
    about_90001 = school.json("audit", NUMBER, "--person", "90001")
    assert [r["event"] for r in about_90001] == [
        "RosterImported",
        "RosterImported",
        "PersonSelected",
        "AssignmentConfirmed",
    ]
    # the other filters still combine with it
    assert school.json("audit", NUMBER, "--person", "axb", "--actor", "nobody") == []
