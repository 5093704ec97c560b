"""`roster import` says what it did: who joined, who left, which leavers still hold a right;
`--dry-run` says the same and records nothing."""

from __future__ import annotations

from conftest import ADMIN, NUMBER, Driver, grant, roster_csv, staff, store_contents

FIRST = roster_csv(staff(5))
# 90001 (holding a right) and 90002 leave by being left out; 90006 joins.
SECOND = roster_csv(staff(3, start=3) + [("90006", "Nieuw", "Lid", "Medewerker", "Actief", "01/12/2026", "")])
REPORT = [
    "joined: 90006 (Nieuw Lid)",
    "left: 90001 (First1 Last1)",
    "left: 90002 (First2 Last2)",
    "left, still holding a right: 90001 (First1 Last1)",
]


def registered(gb: Driver) -> Driver:
    gb.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", ADMIN)
    result = gb.ok("roster", "import", NUMBER, gb.write("first.csv", FIRST))
    assert result.stdout.splitlines() == [
        *(f"joined: 9000{i} (First{i} Last{i})" for i in range(1, 6)),
        "imported 5 persons (5 Actief) into 034793",
    ]
    grant(gb, "90001")  # select, assign, confirm: held from today to 31/08/2027
    return gb


def test_a_dry_run_reports_what_the_import_will_do_and_records_nothing(gb: Driver) -> None:
    school = registered(gb)
    path = school.write("second.csv", SECOND)
    before = store_contents(school.store_url)
    dry = school.ok("roster", "import", NUMBER, path, "--dry-run")
    assert dry.stdout.splitlines() == [
        *REPORT,
        "dry run: would import 4 persons (4 Actief) into 034793; nothing recorded",
    ]
    assert store_contents(school.store_url) == before

    done = school.ok("roster", "import", NUMBER, path)
    assert done.stdout.splitlines() == [*REPORT, "imported 4 persons (4 Actief) into 034793"]
    statuses = {r["person_id"]: r["status"] for r in school.json("search", NUMBER)}
    assert statuses == {
        "90001": "Inactief",
        "90002": "Inactief",
        "90003": "Actief",
        "90004": "Actief",
        "90005": "Actief",
        "90006": "Actief",
    }
    # the same roster again changes nobody: only the summary
    again = school.ok("roster", "import", NUMBER, path)
    assert again.stdout.splitlines() == ["imported 4 persons (4 Actief) into 034793"]


def test_a_leaver_whose_right_was_revoked_holds_none(gb: Driver) -> None:
    school = registered(gb)
    school.ok(
        "revoke",
        NUMBER,
        "90001",
        "--right",
        "IRIS-Platform (Leerlingenpaspoort) Gebruiker",
        "--reason",
        "left",
    )
    result = school.ok("roster", "import", NUMBER, school.write("second.csv", SECOND), "--dry-run")
    assert "left, still holding a right" not in result.stdout
    assert "left: 90001 (First1 Last1)" in result.stdout


def test_a_dry_run_runs_every_check(gb: Driver) -> None:
    school = registered(gb)
    before = store_contents(school.store_url)
    bad = school.write("bad.csv", SECOND + "90007,X,Y,Medewerker,Weg,01/12/2026,\n")
    result = school.refused(
        "roster", "import", NUMBER, bad, "--dry-run", rule="roster-file", contains="line 6"
    )
    assert result.stdout == ""
    good = school.write("second.csv", SECOND)
    school.refused("roster", "import", NUMBER, good, "--dry-run", actor="eve", rule="not-an-administrator")
    school.refused("roster", "import", "111111", good, "--dry-run", rule="not-registered")
    assert store_contents(school.store_url) == before


def test_the_help_names_the_dry_run_xlsx_and_the_report(gb: Driver) -> None:
    text = gb.ok("roster", "import", "--help", actor=None).stdout
    assert "--dry-run" in text and ".xlsx" in text and "who left" in text and "Example" in text


def test_names_in_the_report_are_shown_escaped() -> None:
    """Old events may hold names today's rules refuse: the report never prints them raw."""
    from grantbook.cli.roster_report import report_lines
    from grantbook.domain import Person
    from grantbook.domain.roster_changes import RosterChanges

    odd = Person("90001", "An\x1b[2J", "Peeters\u202e", "Medewerker", "Inactief")
    lines = report_lines(RosterChanges(joined=(), left=(odd,), leavers_holding_rights=(odd,)))
    assert len(lines) == 2 and all("\x1b" not in line and "\u202e" not in line for line in lines)
    assert lines[0].startswith("left: 90001 (An")


def test_an_xlsx_roster_gives_the_same_report(gb: Driver) -> None:
    import io
    from datetime import date

    from openpyxl import Workbook

    school = registered(gb)
    book = Workbook()
    sheet = book.active
    sheet.append(["person_id", "first_name", "last_name", "category", "status", "begin_date", "end_date"])
    for pid, first, last, *_ in staff(3, start=3):
        sheet.append([int(pid), first, last, "Medewerker", "Actief", date(2017, 3, 2), "02/03/2030"])
    sheet.append([90006, "Nieuw", "Lid", "Medewerker", "Actief", date(2026, 12, 1), None])
    out = io.BytesIO()
    book.save(out)
    path = school.write("second.xlsx", out.getvalue())
    before = store_contents(school.store_url)
    dry = school.ok("roster", "import", NUMBER, path, "--dry-run")
    assert dry.stdout.splitlines()[:-1] == REPORT
    assert store_contents(school.store_url) == before
    assert school.ok("roster", "import", NUMBER, path).stdout.splitlines()[:-1] == REPORT
