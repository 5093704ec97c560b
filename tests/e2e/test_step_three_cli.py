"""Step 3's buttons on the command line (confirm, back, cancel), the frozen selection, `selection`
with its pending note and `selection clear`, the quick grant `grant`, and the warning for a
period before today (docs/adr/0015). Refusals: one line, exit 1, nothing recorded."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import IRIS, NUMBER, Driver, grant

ASSIGN = ("--right", IRIS, "--context", "Gebruiker", "--begin", "2026-12-01", "--end", "2027-08-31")
PERIOD = ("--begin", "2026-12-01", "--end", "2027-08-31")


def pending(school: Driver, *pids: str) -> None:
    school.ok("select", NUMBER, *(pids or ("90001", "90002")))
    school.ok("assign", NUMBER, *ASSIGN)


def selected(school: Driver, actor: str = "jan") -> list[object]:
    return [r["person_id"] for r in school.json("selection", NUMBER, actor=actor)]


def events(school: Driver) -> list[object]:
    return [e["event"] for e in school.json("audit", NUMBER)]


def test_back_keeps_the_selection_and_says_so(school: Driver) -> None:
    pending(school)
    result = school.ok("back", NUMBER)
    assert result.stdout.startswith("back at step 2: dropped " + IRIS + " [Gebruiker] 2026-12-01 to 2027-08-31")
    assert "the selection (2 persons) stays" in result.stdout
    assert selected(school) == ["90001", "90002"]
    assert events(school)[-1] == "AssignmentCancelled"
    school.ok("deselect", NUMBER, "90002")  # free again
    school.refused("back", NUMBER, rule="no-pending-assignment", contains="nothing to go back from")


def test_cancel_empties_the_selection_and_the_audit_shows_both_facts(school: Driver) -> None:
    pending(school)
    result = school.ok("cancel", NUMBER)
    assert result.stdout.strip() == "assignment cancelled and selection emptied (2 persons)"
    assert selected(school) == []
    trail = school.json("audit", NUMBER)
    assert [e["event"] for e in trail[-2:]] == ["AssignmentCancelled", "SelectionCleared"]
    assert trail[-1]["details"] == {"person_ids": ["90001", "90002"]}
    assert [e["event"] for e in school.json("audit", NUMBER, "--person", "90002")][-1] == "SelectionCleared"


@pytest.mark.parametrize("command", [("select", NUMBER, "90003"), ("deselect", NUMBER, "90002")])
def test_the_selection_is_frozen_while_an_assignment_waits(school: Driver, command: tuple[str, ...]) -> None:
    pending(school)
    school.refused(*command, rule="assignment-pending", contains="grantbook back 034793")
    school.ok("select", NUMBER, "90003", actor="mia")  # mia's own selection is free
    school.ok("confirm", NUMBER)
    assert [r["person_id"] for r in school.json("rights", NUMBER, "--on", "2026-12-01")] == ["90001", "90002"]


def test_selection_names_the_pending_assignment_under_the_table(school: Driver) -> None:
    pending(school)
    table = school.ok("selection", NUMBER)
    note = f"pending assignment: {IRIS} [Gebruiker] 2026-12-01 to 2027-08-31: run confirm, back or cancel"
    assert table.stdout.rstrip().endswith(note) and table.stderr == ""
    as_json = school.ok("selection", NUMBER, "--format", "json")
    assert [r["person_id"] for r in json.loads(as_json.stdout)] == ["90001", "90002"]
    assert as_json.stderr.strip() == note
    as_csv = school.ok("selection", NUMBER, "--format", "csv")
    assert [r["person_id"] for r in csv.DictReader(io.StringIO(as_csv.stdout))] == ["90001", "90002"]
    assert as_csv.stderr.strip() == note
    school.ok("back", NUMBER)
    assert "pending" not in school.ok("selection", NUMBER).stdout


def test_selection_show_is_selection_and_options_may_come_first(school: Driver) -> None:
    school.ok("select", NUMBER, "90001")
    assert json.loads(school.ok("selection", "show", NUMBER, "--format", "json").stdout)[0]["person_id"] == "90001"
    assert json.loads(school.ok("selection", "--format", "json", NUMBER).stdout)[0]["person_id"] == "90001"
    school.refused("selection", rule="usage", code=2, contains="NUMBER")
    school.refused("selection", "1", rule="institution-number")
    school.refused("selection", "clear", "1", rule="institution-number")


def test_selection_clear_empties_it_drops_step_two_and_nothing_is_harmless(school: Driver) -> None:
    pending(school)
    result = school.ok("selection", "clear", NUMBER)
    assert result.stdout.strip() == (
        f"selection emptied (2 persons); assignment dropped: {IRIS} [Gebruiker] 2026-12-01 to 2027-08-31"
    )
    assert selected(school) == [] and events(school)[-2:] == ["AssignmentCancelled", "SelectionCleared"]
    before = school.event_count()
    again = school.ok("selection", "clear", NUMBER)
    assert again.stdout.strip() == "nothing to clear: your selection for 034793 is empty and no assignment waits"
    assert school.event_count() == before
    school.ok("select", NUMBER, "90003")
    assert school.ok("selection", "clear", NUMBER).stdout.strip() == "selection emptied (1 person)"
    school.refused("selection", "clear", NUMBER, actor="eve", rule="not-an-administrator")


def test_grant_gives_one_person_a_right_in_one_event_and_leaves_the_selection(school: Driver) -> None:
    pending(school, "90001")
    before = school.event_count()
    result = school.ok("grant", NUMBER, "90003", "--right", "iris", "--context", "gebruiker", *PERIOD)
    assert result.stdout.strip() == f"granted 90003 (First3 Last3): {IRIS} [Gebruiker] 2026-12-01 to 2027-08-31"
    assert result.stderr == "" and school.event_count() == before + 1
    [event] = school.json("audit", NUMBER)[-1:]
    assert event["event"] == "AssignmentConfirmed" and event["details"]["direct"] is True
    assert event["details"]["right"] == IRIS  # the catalogue's spelling
    assert selected(school) == ["90001"]
    school.ok("confirm", NUMBER)
    rows = school.json("rights", NUMBER, "--on", "2026-12-01")
    assert [(r["person_id"], r["right"], r["granted_by"]) for r in rows] == [("90001", IRIS, "jan"), ("90003", IRIS, "jan")]


@pytest.mark.parametrize(
    ("person", "args", "actor", "rule"),
    [
        ("90001", ASSIGN, "eve", "not-an-administrator"),
        ("12345", ASSIGN, "jan", "unknown-person"),
        ("80001", ASSIGN, "jan", "inactive-person"),
        ("90002", ASSIGN, "jan", "overlapping-grant"),
        ("90001", ("--right", "Nope", "--context", "Gebruiker", *PERIOD), "jan", "unknown-right"),
        ("90001", ("--right", IRIS, "--context", "Lezer", *PERIOD), "jan", "unknown-context"),
        ("90001", ("--right", IRIS, "--context", "Gebruiker", "--begin", "2027-01-01", "--end", "2026-12-01"), "jan", "period"),
        ("90001", ("--right", IRIS, "--context", "Gebruiker", "--begin", "2026-12-01", "--end", "2030-12-02"), "jan", "maximum-validity"),
        ("90001", ASSIGN, "piet", "not-a-head-administrator"),
    ],
)
def test_grant_is_refused_under_the_rules_of_assign_and_confirm(school: Driver, person, args, actor, rule) -> None:
    school.ok("admin", "add", NUMBER, "piet")
    grant(school, "90002")
    school.refused("grant", NUMBER, person, *args, actor=actor, rule=rule)


def test_grant_needs_its_options(school: Driver) -> None:
    school.refused("grant", NUMBER, "90001", "--right", IRIS, rule="usage", code=2)
    school.refused("grant", NUMBER, "90001", "--right", IRIS, "--context", "Gebruiker", "--begin", "31/02/2027",
                   "--end", "2027-08-31", rule="date-format", code=2)
    school.refused("grant", "1", "90001", *ASSIGN, rule="institution-number")


def test_a_period_before_today_is_recorded_with_a_warning(school: Driver) -> None:
    past = ("--right", IRIS, "--context", "Gebruiker", "--begin", "01/09/2024", "--end", "31/08/2025")
    warning = "warning: the period 2024-09-01 to 2025-08-31 ends before today (2026-11-30): check the year"
    school.ok("select", NUMBER, "90001")
    assigned = school.ok("assign", NUMBER, *past)
    assert assigned.stderr.strip() == warning
    confirmed = school.ok("confirm", NUMBER)
    assert confirmed.stderr.strip() == warning and "granted to 1 persons" in confirmed.stdout
    granted = school.ok("grant", NUMBER, "90002", *past)
    assert granted.stderr.strip() == warning
    ending_today = school.ok("grant", NUMBER, "90003", "--right", IRIS, "--context", "Gebruiker",
                             "--begin", "01/09/2024", "--end", "30/11/2026")
    assert ending_today.stderr == ""
    rows = school.json("rights", NUMBER, "--on", "2025-01-01")
    assert [r["person_id"] for r in rows] == ["90001", "90002", "90003"]


@pytest.mark.parametrize("path", [("back",), ("cancel",), ("grant",), ("selection",), ("selection", "clear"),
                                  ("selection", "show")])
def test_each_new_command_has_help_with_an_example(gb: Driver, path: tuple[str, ...]) -> None:
    result = gb.ok(*path, "--help", actor=None)
    assert "Example:" in result.stdout and "grantbook --as jan " + " ".join(path[:1]) in result.stdout
