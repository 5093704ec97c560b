"""The seed's workflow, command by command, as an administrator runs it."""

from __future__ import annotations

import csv
import io
import json

from conftest import ADMIN, IRIS, NUMBER, RRN_1985, Driver, grant


def test_register_records_the_institution_and_its_acting_person(gb: Driver) -> None:
    result = gb.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", "jan", "--admin", "mia", actor="boss")
    assert "registered 034793 (De Linde)" in result.stdout
    [event] = gb.json("audit", NUMBER)
    assert event["event"] == "InstitutionRegistered"
    assert event["actor"] == "boss"
    assert event["details"] == {"administrators": ["jan", "mia"], "name": "De Linde", "number": NUMBER}
    assert event["recorded_at"] == "2026-11-30T09:00:00+00:00"


def test_search_lists_the_roster_and_is_recorded(school: Driver) -> None:
    rows = school.json("search", NUMBER)
    assert len(rows) == 31
    first = next(r for r in rows if r["person_id"] == "90001")
    assert first == {
        "person_id": "90001", "first_name": "First1", "last_name": "Last1",
        "institution": NUMBER, "category": "Medewerker", "status": "Actief",
        "begin": "2017-03-02", "end": "2030-03-02",
    }
    assert [r["person_id"] for r in school.json("search", NUMBER, "--name", "last12")] == ["90012"]
    searches = [e for e in school.json("audit", NUMBER) if e["event"] == "StaffSearched"]
    assert [s["details"] for s in searches] == [
        {"name_filter": None, "results": 31},
        {"name_filter": "last12", "results": 1},
    ]


def test_select_deselect_and_selection(school: Driver) -> None:
    school.ok("select", NUMBER, "90001", "90002", "90003")
    school.ok("deselect", NUMBER, "90002")
    assert [r["person_id"] for r in school.json("selection", NUMBER)] == ["90001", "90003"]
    # Each administrator has a selection of their own.
    assert school.json("selection", NUMBER, actor="mia") == []


def test_assign_confirm_grants_everyone_selected_the_same_period(school: Driver) -> None:
    grant(school, "90001", "90002", begin="26/08/2026", end="31/08/2027")
    rows = school.json("rights", NUMBER)
    assert [r["person_id"] for r in rows] == ["90001", "90002"]
    assert {(r["begin"], r["end"], r["context"], r["right"], r["granted_by"]) for r in rows} == {
        ("2026-08-26", "2027-08-31", "Gebruiker", IRIS, ADMIN)
    }
    assert set(rows[0]) == {
        "institution", "person_id", "first_name", "last_name", "category", "right",
        "context", "begin", "end", "granted_by", "granted_at",
        "grant_id", "revoked_on", "revoked_by", "revoke_reason",
    }
    assert (rows[0]["grant_id"], rows[0]["revoked_on"], rows[0]["revoke_reason"]) == ("034793-1", None, None)
    assert rows[0]["granted_at"] == "2026-11-30T09:00:00+00:00"
    # Confirm empties the selection.
    assert school.json("selection", NUMBER) == []


def test_back_drops_the_pending_assignment_but_keeps_the_selection(school: Driver) -> None:
    school.ok("select", NUMBER, "90001")
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Operator", "--begin", "2026-12-01", "--end", "2026-12-31")
    school.ok("back", NUMBER)
    assert [r["person_id"] for r in school.json("selection", NUMBER)] == ["90001"]
    school.refused("confirm", NUMBER, rule="no-pending-assignment")
    assert school.json("rights", NUMBER, "--on", "2026-12-15") == []


def test_cancel_drops_the_pending_assignment_and_empties_the_selection(school: Driver) -> None:
    school.ok("select", NUMBER, "90001")
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Operator", "--begin", "2026-12-01", "--end", "2026-12-31")
    school.ok("cancel", NUMBER)
    assert school.json("selection", NUMBER) == []
    school.refused("confirm", NUMBER, rule="no-pending-assignment")
    assert school.json("rights", NUMBER, "--on", "2026-12-15") == []


def test_rights_on_a_day_counts_begin_and_end_inclusive(school: Driver) -> None:
    grant(school, "90001", begin="2026-12-01", end="2026-12-31")
    assert school.json("rights", NUMBER, "--on", "30/11/2026") == []
    assert len(school.json("rights", NUMBER, "--on", "01/12/2026")) == 1
    assert len(school.json("rights", NUMBER, "--on", "2026-12-31")) == 1
    assert school.json("rights", NUMBER, "--on", "2027-01-01") == []


def test_extend_moves_the_end_date(school: Driver) -> None:
    grant(school, "90001", end="2026-12-31")
    result = school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/08/2027")
    assert "2027-08-31" in result.stdout
    [row] = school.json("rights", NUMBER, "--on", "2027-08-31")
    assert row["end"] == "2027-08-31"
    [event] = [e for e in school.json("audit", NUMBER) if e["event"] == "EndDateExtended"]
    assert event["details"]["previous_end"] == "2026-12-31"
    assert event["details"]["new_end"] == "2027-08-31"


def test_revoke_takes_effect_on_the_day_itself(school: Driver, clock) -> None:
    grant(school, "90001", "90002", begin="2026-11-01", end="2026-12-15")
    school.ok("revoke", "--reason", "no longer needed", "--reason", "no longer needed", NUMBER, "90001", "--right", IRIS, "--reason", "left the school")
    assert [r["person_id"] for r in school.json("rights", NUMBER)] == ["90002"]
    assert [r["person_id"] for r in school.json("rights", NUMBER, "--on", "2026-11-29")] == ["90001", "90002"]
    assert [r["person_id"] for r in school.json("expiring")] == ["90002"]
    [event] = [e for e in school.json("audit", NUMBER) if e["event"] == "RightRevoked"]
    assert event["details"]["reason"] == "left the school"
    assert event["details"]["revoked_on"] == "2026-11-30"


def test_expiring_lists_soonest_first_with_days_left(school: Driver) -> None:
    grant(school, "90003", end="2026-12-20")
    grant(school, "90001", end="2026-12-05")
    grant(school, "90002", end="2027-02-01")
    rows = school.json("expiring")
    assert [(r["person_id"], r["days_left"]) for r in rows] == [("90001", 5), ("90003", 20)]
    rows = school.json("expiring", "--within", "90", "--on", "2026-12-06", "--institution", NUMBER)
    assert [(r["person_id"], r["days_left"]) for r in rows] == [("90003", 14), ("90002", 57)]
    # The end day itself still counts; the day after does not.
    assert [r["person_id"] for r in school.json("expiring", "--within", "0", "--on", "2026-12-05")] == ["90001"]


def test_expiring_spans_institutions(school: Driver) -> None:
    school.ok("institution", "register", "000123", "--name", "Other", "--admin", ADMIN)
    school.ok("roster", "import", "000123", school.write("o.csv", "person_id,first_name,last_name,category,status,begin_date,end_date\n7,A,B,Medewerker,Actief,01/01/2020,\n"))
    grant(school, "90001", end="2026-12-10")
    school.ok("select", "000123", "7")
    school.ok("assign", "000123", "--right", IRIS, "--context", "Beheerder", "--begin", "2026-11-30", "--end", "2026-12-01")
    school.ok("confirm", "000123")
    rows = school.json("expiring")
    assert [(r["institution"], r["person_id"]) for r in rows] == [("000123", "7"), (NUMBER, "90001")]
    assert [r["institution"] for r in school.json("expiring", "--institution", "000123")] == ["000123"]


def test_support_worker_is_added_masked_and_can_be_granted(school: Driver) -> None:
    result = school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", "85.07.30-033.28", "--first-name", "An", "--last-name", "Peeters", "--reason", "ondersteuner")
    person_id = result.stdout.strip()
    assert person_id.startswith("OND-")
    assert "**.**.**-***.28" in result.stderr
    grant(school, person_id, end="2026-12-31")
    [row] = school.json("rights", NUMBER)
    assert (row["person_id"], row["category"], row["last_name"]) == (person_id, "Ondersteuner", "Peeters")
    [event] = [e for e in school.json("audit", NUMBER) if e["event"] == "SupportWorkerAdded"]
    assert event["details"]["national_number_masked"] == "**.**.**-***.28"
    assert "national_number_digest" not in event["details"]
    assert "national_number_ciphertext" not in event["details"]
    assert RRN_1985 not in json.dumps(event)


def test_audit_lists_every_event_in_order(school: Driver) -> None:
    grant(school, "90001")
    rows = school.json("audit", NUMBER)
    assert [r["event"] for r in rows] == [
        "InstitutionRegistered", "RosterImported", "PersonSelected", "RightAssigned", "AssignmentConfirmed",
    ]
    assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)
    assert all(r["actor"] == ADMIN and r["institution"] == NUMBER for r in rows)


def test_formats_table_json_csv(school: Driver) -> None:
    grant(school, "90001", "90002")
    table = school.ok("rights", NUMBER).stdout
    assert table.splitlines()[0].split()[:3] == ["institution", "person_id", "first_name"]
    assert "90002" in table
    parsed = list(csv.DictReader(io.StringIO(school.ok("rights", NUMBER, "--format", "csv").stdout)))
    # CSV has no null: a grant not revoked has empty revocation cells
    assert parsed == [{k: "" if v is None else v for k, v in row.items()} for row in school.json("rights", NUMBER)]
    assert school.ok("rights", NUMBER, "--on", "2020-01-01").stdout.strip() == "(none)"
    audit_csv = list(csv.DictReader(io.StringIO(school.ok("audit", NUMBER, "--format", "csv").stdout)))
    assert json.loads(audit_csv[0]["details"])["number"] == NUMBER


def test_reading_commands_record_nothing(school: Driver) -> None:
    grant(school, "90001")
    before = school.event_count()
    school.ok("rights", NUMBER, actor=None)
    school.ok("expiring", actor=None)
    school.ok("audit", NUMBER, actor=None)
    school.ok("selection", NUMBER)
    assert school.event_count() == before
    school.ok("search", NUMBER)
    assert school.event_count() == before + 1


def test_actor_and_store_from_the_environment(school: Driver) -> None:
    result = school.runner.invoke(
        __import__("grantbook.cli.main", fromlist=["cli"]).cli,
        ["select", NUMBER, "90001"],
        env={"GRANTBOOK_STORE": school.store_url, "GRANTBOOK_ACTOR": "mia"},
    )
    assert result.exit_code == 0, result.stderr
    assert [r["person_id"] for r in school.json("selection", NUMBER, actor="mia")] == ["90001"]


def test_version_and_help_on_every_command(gb: Driver) -> None:
    from grantbook.cli.main import cli

    assert gb.runner.invoke(cli, ["--version"]).stdout.startswith("grantbook, version ")

    def walk(group, path):
        for name, command in group.commands.items():
            yield [*path, name], command
            if hasattr(command, "commands"):
                yield from walk(command, [*path, name])

    for path, command in walk(cli, []):
        result = gb.runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        if not hasattr(command, "commands"):
            assert "Example:" in result.stdout, path
