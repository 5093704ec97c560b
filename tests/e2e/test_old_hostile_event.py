"""A store written before texts were checked may hold a NUL and terminal escape sequences in a
name. Such an event never stops a catch-up (PostgreSQL's text columns cannot hold a NUL) and never
reaches a terminal raw: every reading command still answers, on both stores."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from conftest import NUMBER, grant, staff

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RosterEntry

HOSTILE = "Ann\x00\x1b]0;pwned\x07\x1b[2J\u202e"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b\u202a-\u202e\u2066-\u2069]")


def write_old_event(store_url: str) -> None:
    """A roster import whose first row's name holds a NUL and escapes, written with the library as
    an older release could have: the event is changed after the checks, before it is stored, so
    its hash chain stays intact."""
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    try:
        institution = app.institution(NUMBER)
        entries = [
            RosterEntry(person_id=pid, first_name=first, last_name=last, category=category,
                        status=status, begin_date=date(2017, 3, 2))
            for pid, first, last, category, status, *_ in staff(30)
        ]
        institution.import_roster(Act("jan", datetime(2026, 11, 30, 9, 30, tzinfo=UTC)), entries)
        event = institution.pending_events[-1]
        object.__setattr__(event.entries[0], "first_name", HOSTILE)
        app.save(institution)
    finally:
        app.close()


@pytest.fixture
def poisoned(school):  # type: ignore[no-untyped-def]
    write_old_event(school.store_url)
    grant(school, "90001", "90002")  # the grant copies the name from the roster
    return school


READING = [
    ("rights", NUMBER),
    ("rights", NUMBER, "--as-of", "2026-11-30T10:00:00+00:00"),
    ("expiring", "--within", "365"),
    ("audit", NUMBER),
    ("audit", NUMBER, "--person", "90001"),
    ("leavers",),
    ("person", "90001"),
    ("search", NUMBER),
    ("projections", "status"),
]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_reading_command_answers_and_shows_no_raw_control_character(poisoned, fmt) -> None:
    for command in READING:
        args = command if command[0] == "projections" else (*command, "--format", fmt)
        result = poisoned.ok(*args)
        assert not RAW.search(result.stdout + result.stderr), (command, result.stdout)
    rows = poisoned.json("rights", NUMBER)
    ann = next(row for row in rows if row["person_id"] == "90001")
    assert "\u2400" in ann["first_name"] and "\x00" not in ann["first_name"]


def test_a_rebuild_and_verify_pass_over_the_old_event(poisoned) -> None:
    before = poisoned.json("rights", NUMBER)
    poisoned.ok("projections", "rebuild")
    assert poisoned.json("rights", NUMBER) == before
    result = poisoned.ok("verify")
    assert not RAW.search(result.stdout + result.stderr)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")  # the forged field
def test_an_event_a_projection_cannot_apply_is_named_and_stops_no_read(school) -> None:
    """An old confirmation whose begin date is not a date: the rights projection names it in
    `projections status` and goes on; every other read model, and every other grant, is there."""
    grant(school, "90003")
    app = GrantBook.open(StoreLocation.parse(school.store_url), create=False)
    try:
        institution = app.institution(NUMBER)
        act = Act("jan", datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
        institution.select(act, ["90001"])
        institution.assign(act, "IRIS-Platform (Leerlingenpaspoort) Gebruiker", "Gebruiker",
                           date(2026, 12, 1), date(2027, 6, 30))
        institution.confirm(act)
        confirmed = institution.pending_events[-1]
        object.__setattr__(confirmed, "begin", "not-a-date")
        app.save(institution)
    finally:
        app.close()
    rights = school.json("rights", NUMBER, "--on", "2027-01-15")
    assert [row["person_id"] for row in rights] == ["90003"]
    result = school.run("rights", NUMBER, "--on", "2027-01-15")
    assert "could not apply" not in result.stderr  # said once, by the catch-up that met it
    status = {row["projection"]: row for row in school.json("projections", "status")}
    assert status["rights"]["lag"] == 0 and status["rights"]["failed"].startswith("position ")
    assert "ValueError" in status["rights"]["failed"]
    assert all(row["failed"] == "" for name, row in status.items() if name != "rights")
    assert any(row["event"] == "AssignmentConfirmed" for row in school.json("audit", NUMBER)[-3:])
