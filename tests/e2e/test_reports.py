"""Issue 12's reports: ``institution list`` ("Toon instellingen"), ``institution rename``,
``catalogue`` and ``tasks`` ("Mijn taken"). The clock is pinned at 30/11/2026 (conftest)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import NUMBER, RRN_1985, Driver, grant, roster_csv, staff

LIST_KEYS = ["institution", "name", "role", "rights_today", "expiring_30d"]
OTHER = "011111"


def _two_schools(school: Driver) -> None:
    """At 034793 (jan head): five rights held today, three of them with their last day within 30
    days; one not begun yet and one revoked today (never held). At 011111 jan is an administrator."""
    grant(school, "90001", "90002", end="2026-12-20")  # 20 days: expiring
    grant(school, "90003", end="2027-08-31")  # held, not expiring
    grant(school, "90004", begin="2027-01-01", end="2027-02-01")  # not held today
    grant(school, "90005", end="2026-12-30")  # exactly 30 days: expiring
    grant(school, "90006", end="2026-12-31")  # 31 days: held, not expiring
    grant(school, "90007", end="2027-08-31")
    school.ok("revoke", NUMBER, "90007", "--right", "iris", "--reason", "not needed")  # today: never held
    school.ok("institution", "register", OTHER, "--name", "Ter Beke", "--admin", "ann", actor="ann")
    school.ok("admin", "add", OTHER, "jan", actor="ann")


def test_institution_list_counts_rights_today_and_expiring_per_institution(school: Driver) -> None:
    _two_schools(school)
    rows = school.json("institution", "list")
    assert [list(r) for r in rows] == [LIST_KEYS, LIST_KEYS]
    assert rows == [
        {
            "institution": OTHER,
            "name": "Ter Beke",
            "role": "administrator",
            "rights_today": 0,
            "expiring_30d": 0,
        },
        {"institution": NUMBER, "name": "De Linde", "role": "head", "rights_today": 5, "expiring_30d": 3},
    ]
    table = school.ok("institution", "list").stdout.splitlines()
    assert table[0].split() == LIST_KEYS
    assert table[3].split() == [NUMBER, "De", "Linde", "head", "5", "3"]
    # ann: head of one; an auditor sees the institutions they audit, as auditor
    assert [(r["institution"], r["role"]) for r in school.json("institution", "list", actor="ann")] == [
        (OTHER, "head")
    ]
    school.ok("auditor", "add", NUMBER, "aud")
    assert [(r["institution"], r["role"]) for r in school.json("institution", "list", actor="aud")] == [
        (NUMBER, "auditor")
    ]


def test_someone_who_administers_nothing_gets_an_empty_list(school: Driver) -> None:
    assert school.json("institution", "list", actor="nobody") == []
    result = school.ok("institution", "list", actor="nobody")
    assert result.stdout == "nobody administers no institution and audits none\n"
    school.refused("institution", "list", actor=None, rule="actor-required")


def test_rename_is_recorded_and_shown_everywhere(school: Driver) -> None:
    result = school.ok("institution", "rename", NUMBER, "--name", "  Basisschool De Linde ")
    assert result.stdout == "renamed 034793: De Linde -> Basisschool De Linde\n"
    [event] = [e for e in school.json("audit", NUMBER) if e["event"] == "InstitutionRenamed"]
    assert event["details"] == {"previous_name": "De Linde", "name": "Basisschool De Linde"}
    assert event["actor"] == "jan"
    assert school.json("institution", "list")[0]["name"] == "Basisschool De Linde"
    assert school.json("institution", "list", actor="mia")[0]["name"] == "Basisschool De Linde"


def test_rename_is_refused_for_a_non_head_and_for_the_same_name(school: Driver) -> None:
    school.ok("admin", "add", NUMBER, "piet")
    school.refused(
        "institution",
        "rename",
        NUMBER,
        "--name",
        "X",
        actor="piet",
        rule="not-a-head-administrator",
        contains="piet",
    )
    school.refused("institution", "rename", NUMBER, "--name", "X", actor="eve", rule="not-an-administrator")
    school.refused("institution", "rename", NUMBER, "--name", "De Linde", rule="same-institution-name")
    school.refused("institution", "rename", NUMBER, "--name", "A\x1b[2JB", rule="text-character")
    school.refused("institution", "rename", "999999", "--name", "X", rule="not-registered")


def test_catalogue_needs_no_store_and_no_acting_person(gb: Driver, tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    with gb.pointed_at(missing):
        [iris] = gb.json("catalogue", actor=None)
        table = gb.ok("catalogue", actor=None).stdout
        lines = gb.ok("catalogue", "--format", "csv", actor=None).stdout.splitlines()
    assert not (tmp_path / "none.db").exists()
    assert iris["code"] == "iris"
    assert iris["contexts"] == ["Beheerder", "Operator", "Gebruiker"]
    assert (iris["granted_by"], iris["max_years"]) == ("head administrator", 4)
    assert list(iris) == ["code", "name", "description", "contexts", "granted_by", "max_years"]
    assert "Beheerder, Operator, Gebruiker" in table
    assert lines[0] == "code,name,description,contexts,granted_by,max_years"
    assert lines[1].startswith("iris,IRIS-Platform (Leerlingenpaspoort) Gebruiker,")


def test_tasks_lists_every_kind_one_row_each(school: Driver) -> None:
    grant(school, "90001", end="2026-12-20")  # expiring
    grant(school, "90002", end="2027-08-31")  # its holder leaves
    school.ok(
        "roster",
        "import",
        NUMBER,
        school.write("left.csv", roster_csv([r for r in staff(30) if r[0] != "90002"])),
    )
    worker = school.ok(
        "support-worker",
        "add",
        NUMBER,
        "--rrn",
        RRN_1985,
        "--first-name",
        "Dirk",
        "--last-name",
        "Fonteyn",
        "--reason",
        "speech therapy",
    ).stdout.strip()
    school.ok("select", NUMBER, "90010", "90011")
    school.ok("select", NUMBER, "90012", actor="mia")
    school.ok(
        "assign",
        NUMBER,
        "--right",
        "iris",
        "--context",
        "Operator",
        "--begin",
        "2026-12-01",
        "--end",
        "2027-06-30",
        actor="mia",
    )
    rows = school.json("tasks")
    assert [r["kind"] for r in rows] == ["selection", "expiring", "leaver", "support-worker"]
    assert all(
        list(r) == ["institution", "kind", "person_id", "name", "right", "detail", "due"] for r in rows
    )
    assert rows[1] == {
        "institution": NUMBER,
        "kind": "expiring",
        "person_id": "90001",
        "name": "First1 Last1",
        "right": "IRIS-Platform (Leerlingenpaspoort) Gebruiker",
        "detail": "Gebruiker, last day 2026-12-20",
        "due": "2026-12-20",
    }
    assert (rows[2]["person_id"], rows[3]["person_id"]) == ("90002", worker)
    assert [r["kind"] for r in school.json("tasks", actor="mia")] == [
        "pending",
        "expiring",
        "leaver",
        "support-worker",
    ]
    found = list(csv.DictReader(io.StringIO(school.ok("tasks", "--format", "csv").stdout)))
    assert [r["kind"] for r in found] == [r["kind"] for r in rows]
    table = school.ok("tasks").stdout.splitlines()
    assert table[0] == "4 tasks waiting for jan"
    assert len(table) == 1 + 2 + 4
    assert school.ok("tasks", actor="nobody").stdout == "0 tasks waiting for nobody\n"
    assert school.json("tasks", actor="nobody") == []


def test_tasks_span_every_institution_administered(school: Driver) -> None:
    school.ok("institution", "register", OTHER, "--name", "Ter Beke", "--admin", "jan")
    school.ok("roster", "import", OTHER, school.write("r2.csv", roster_csv(staff(2))))
    school.ok("select", OTHER, "90001")
    school.ok("select", NUMBER, "90001")
    assert [(r["institution"], r["kind"]) for r in school.json("tasks")] == [
        (OTHER, "selection"),
        (NUMBER, "selection"),
    ]
