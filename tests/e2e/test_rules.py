"""Every rule's refusal: exit code 1, one line naming the rule and value,
and no new event in the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import IRIS, NUMBER, Driver, grant, postgres_connection, roster_csv, staff

ASSIGN = ("--right", IRIS, "--context", "Gebruiker", "--begin", "2026-11-30", "--end", "2027-08-31")


@pytest.mark.parametrize("bad", ["34793", "0347930", "03479a", "", "034 793", "٠٣٤٧٩٣"])
def test_institution_number_is_exactly_six_digits(gb: Driver, bad: str) -> None:
    gb.refused("institution", "register", bad, "--name", "X", "--admin", "jan", rule="institution-number", contains=repr(bad))


def test_bad_institution_number_on_every_command(school: Driver) -> None:
    for args in (("search", "1"), ("select", "1", "90001"), ("deselect", "1", "9"), ("selection", "1"),
                 ("assign", "1", *ASSIGN), ("confirm", "1"), ("cancel", "1"),
                 ("extend", "1", "9", "--right", IRIS, "--end", "2027-01-01"),
                 ("revoke", "--reason", "no longer needed", "1", "9", "--right", IRIS), ("rights", "1"), ("audit", "1"),
                 ("expiring", "--institution", "1"),
                 ("support-worker", "add", "--reason", "needs access", "1", "--rrn", "85073003328", "--first-name", "A", "--last-name", "B")):
        school.refused(*args, rule="institution-number")


def test_institution_must_be_registered_first(school: Driver) -> None:
    for args in (("search", "999999"), ("select", "999999", "90001"), ("confirm", "999999"),
                 ("roster", "import", "999999", school.write("r.csv", roster_csv(staff(1)))),
                 ("rights", "999999"), ("audit", "999999"), ("expiring", "--institution", "999999")):
        school.refused(*args, rule="not-registered", contains="999999")


def test_an_institution_is_registered_once(school: Driver) -> None:
    school.refused("institution", "register", NUMBER, "--name", "Again", "--admin", "x", rule="already-registered")


def test_only_an_administrator_may_act(school: Driver) -> None:
    grant(school, "90001")
    for args in (("search", NUMBER), ("select", NUMBER, "90002"), ("selection", NUMBER),
                 ("assign", NUMBER, *ASSIGN), ("confirm", NUMBER), ("cancel", NUMBER),
                 ("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-12-31"),
                 ("revoke", "--reason", "no longer needed", NUMBER, "90001", "--right", IRIS),
                 ("roster", "import", NUMBER, school.write("r.csv", roster_csv(staff(3)))),
                 ("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", "85073003328", "--first-name", "A", "--last-name", "B")):
        school.refused(*args, actor="eve", rule="not-an-administrator", contains="eve")


def test_writing_commands_need_an_acting_person(school: Driver) -> None:
    school.refused("select", NUMBER, "90001", actor=None, rule="actor-required")
    school.refused("institution", "register", "123456", "--name", "X", "--admin", "a", actor=None, rule="actor-required")
    school.refused("search", NUMBER, actor=None, rule="actor-required")
    school.refused("select", NUMBER, "90001", actor="has space", rule="actor")


def test_only_active_roster_persons_or_support_workers_can_be_selected(school: Driver) -> None:
    school.refused("select", NUMBER, "12345", rule="unknown-person", contains="12345")
    school.refused("select", NUMBER, "80001", rule="inactive-person", contains="80001")
    # All or nothing: one bad id refuses the whole command.
    school.refused("select", NUMBER, "90001", "12345", rule="unknown-person")
    assert school.json("selection", NUMBER) == []


def test_at_most_25_selected_per_administrator(school: Driver) -> None:
    school.ok("select", NUMBER, *[str(90000 + i) for i in range(1, 25)])
    school.refused("select", NUMBER, "90025", "90026", rule="selection-limit", contains="26")
    school.ok("select", NUMBER, "90025")
    school.refused("select", NUMBER, "90026", rule="selection-limit", contains="25")
    # Another administrator of the same school has a selection of their own.
    school.ok("select", NUMBER, "90026", actor="mia")
    assert len(school.json("selection", NUMBER)) == 25


def test_selecting_twice_and_deselecting_strangers_are_refused(school: Driver) -> None:
    school.ok("select", NUMBER, "90001")
    school.refused("select", NUMBER, "90001", rule="already-selected", contains="90001")
    school.refused("select", NUMBER, "90002", "90002", rule="already-selected", contains="90002")
    school.refused("deselect", NUMBER, "90002", rule="not-selected", contains="90002")


def test_assign_needs_selection_known_right_context_and_period(school: Driver) -> None:
    school.refused("assign", NUMBER, *ASSIGN, rule="empty-selection")
    school.ok("select", NUMBER, "90001")
    school.refused("assign", NUMBER, "--right", "Nope", "--context", "Gebruiker", "--begin", "2026-12-01", "--end", "2026-12-02", rule="unknown-right", contains="Nope")
    school.refused("assign", NUMBER, "--right", IRIS, "--context", "Koning", "--begin", "2026-12-01", "--end", "2026-12-02", rule="unknown-context", contains="Koning")
    school.refused("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-12-02", "--end", "2026-12-01", rule="period", contains="2026-12-02")


@pytest.mark.parametrize("bad", ["2026/12/01", "01.12.2026", "1/12-2026", "31/02/2027", "2027-13-01", "tomorrow", "20261201", "1/12/26"])
def test_dates_in_other_forms_are_refused(school: Driver, bad: str) -> None:
    school.ok("select", NUMBER, "90001")
    school.refused("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", bad, "--end", "2027-01-01", rule="date-format", contains=repr(bad), code=2)
    school.refused("rights", NUMBER, "--on", bad, rule="date-format", code=2)


@pytest.mark.parametrize("typed", ["01-12-2026", "1/12/2026", "1-12-2026", "2026-12-01"])
def test_a_day_is_typed_as_people_do(school: Driver, typed: str) -> None:
    """dd/mm/jjjj, d/m/jjjj and d-m-jjjj (as on the pages) and ISO all mean the same day."""
    assert school.json("rights", NUMBER, "--on", typed) == school.json("rights", NUMBER, "--on", "01/12/2026")


def test_confirm_needs_a_pending_assignment(school: Driver) -> None:
    school.refused("confirm", NUMBER, rule="no-pending-assignment")
    school.refused("cancel", NUMBER, rule="no-pending-assignment")
    school.ok("select", NUMBER, "90001")
    school.ok("assign", NUMBER, *ASSIGN)
    school.refused("confirm", NUMBER, actor="mia", rule="no-pending-assignment")


def test_confirm_refuses_an_overlapping_grant_for_everyone(school: Driver) -> None:
    grant(school, "90001", begin="2026-11-30", end="2027-06-30")
    school.ok("select", NUMBER, "90002", "90001")
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2027-06-30", "--end", "2027-08-31")
    school.refused("confirm", NUMBER, rule="overlapping-grant", contains="90001")
    # Nobody was granted; another context or a later period is fine.
    assert [r["person_id"] for r in school.json("rights", NUMBER, "--on", "2027-07-01")] == []
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Operator", "--begin", "2027-06-30", "--end", "2027-08-31")
    school.ok("confirm", NUMBER)
    grant(school, "90001", begin="2027-07-01", end="2027-08-31")


def test_a_person_made_inactive_after_selection_cannot_be_confirmed(school: Driver) -> None:
    school.ok("select", NUMBER, "90001", "90002")
    school.ok("assign", NUMBER, *ASSIGN)
    school.ok("roster", "import", NUMBER, school.write("r2.csv", roster_csv(staff(1, start=2))))
    school.refused("confirm", NUMBER, rule="inactive-person", contains="90001")


def test_extend_rules(school: Driver, clock) -> None:
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-12-31", rule="no-active-grant")
    grant(school, "90001", begin="2026-11-01", end="2026-12-31")
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--end", "2026-12-31", rule="end-date-not-later", contains="2026-12-31")
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--end", "2026-12-01", rule="end-date-not-later")
    school.refused("extend", NUMBER, "90001", "--right", "Nope", "--end", "2027-12-01", rule="unknown-right")
    # Ended before today: refused.
    clock.move_to("2027-01-01 09:00:00")
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-06-30", rule="no-active-grant", contains="2027-01-01")
    # Revoked: refused.
    grant(school, "90002", begin="2027-01-01", end="2027-03-31")
    school.ok("revoke", "--reason", "no longer needed", "--reason", "no longer needed", NUMBER, "90002", "--right", IRIS)
    school.refused("extend", NUMBER, "90002", "--right", IRIS, "--end", "2027-06-30", rule="no-active-grant")


def test_extend_on_the_last_day_is_allowed(school: Driver, clock) -> None:
    grant(school, "90001", begin="2026-11-30", end="2026-12-31")
    clock.move_to("2026-12-31 22:30:00")  # 23:30 in Brussels: still the 31st there
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-01-31")


def test_extend_with_several_contexts_needs_context(school: Driver) -> None:
    grant(school, "90001", context="Gebruiker")
    grant(school, "90001", context="Operator")
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-12-31", rule="ambiguous-grant")
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-12-31", "--context", "Operator")


def test_revoke_needs_a_live_grant(school: Driver) -> None:
    school.refused("revoke", "--reason", "no longer needed", "--reason", "no longer needed", NUMBER, "90001", "--right", IRIS, rule="no-active-grant")
    grant(school, "90001")
    school.ok("revoke", "--reason", "no longer needed", "--reason", "no longer needed", NUMBER, "90001", "--right", IRIS)
    school.refused("revoke", "--reason", "no longer needed", "--reason", "no longer needed", NUMBER, "90001", "--right", IRIS, rule="no-active-grant")


@pytest.mark.parametrize(
    ("rrn", "rule"),
    [
        ("85073003329", "national-number"),  # check digits wrong
        ("8507300332", "national-number"),  # ten digits
        ("85.07.30-033.2A", "national-number"),
        ("", "national-number"),
    ],
)
def test_support_worker_number_is_checked_and_never_echoed(school: Driver, rrn: str, rule: str) -> None:
    result = school.refused("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", rrn, "--first-name", "A", "--last-name", "B", rule=rule)
    digits = "".join(ch for ch in rrn if ch.isdigit())
    if len(digits) >= 6:
        assert digits[:9] not in result.stderr


def test_the_same_number_twice_is_refused_whatever_the_separators(school: Driver) -> None:
    school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", "85073003328", "--first-name", "A", "--last-name", "B")
    result = school.refused("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", "85.07.30-033.28", "--first-name", "A", "--last-name", "B", rule="duplicate-support-worker")
    assert "850730" not in result.stderr
    school.refused("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", "85 07 30 033 28", "--first-name", "A", "--last-name", "B", rule="duplicate-support-worker")


def test_a_bis_number_is_accepted(school: Driver) -> None:
    # Bis number: month + 40 (birth date unknown to the register).
    from stdnum.be import bis

    base = "854730033"
    number = base + f"{97 - int(base) % 97:02d}"
    assert bis.is_valid(number)
    school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", number, "--first-name", "B", "--last-name", "Is")


def test_reading_a_store_that_does_not_exist_creates_nothing(gb: Driver, tmp_path: Path) -> None:
    for args in (("rights", NUMBER), ("expiring",), ("audit", NUMBER), ("search", NUMBER), ("selection", NUMBER),
                 ("select", NUMBER, "1"), ("person", "90001"), ("leavers",), ("projections", "status"),
                 ("projections", "catch-up"), ("projections", "rebuild"), ("verify",)):
        result = gb.run(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith("error: store: ")
        assert "nothing was created" in result.stderr
    if gb.is_sqlite:
        assert list(tmp_path.iterdir()) == []
    else:
        schema = gb.store_url.rsplit("schema=", 1)[1]
        with postgres_connection() as connection:
            assert connection.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is None


def test_unknown_store_url_is_refused(gb: Driver) -> None:
    result = gb.runner.invoke(__import__("grantbook.cli.main", fromlist=["cli"]).cli, ["--store", "mysql://x/y", "expiring"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: store: unknown store URL")


def test_commands_other_than_register_never_create_a_store(gb: Driver, tmp_path: Path) -> None:
    gb.refused("roster", "import", NUMBER, gb.write("r.csv", roster_csv(staff(2))), rule="store: ")
    if gb.is_sqlite:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]
