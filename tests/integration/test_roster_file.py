"""Roster files as spreadsheets write them; a bad row refuses the whole file."""

from __future__ import annotations

import pytest
from conftest import NUMBER, ROSTER_HEADER, Driver, roster_csv, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from grantbook.adapters.roster_file import parse_roster
from grantbook.domain import RuleViolation

GOOD = "90001,An,Peeters,Medewerker,Actief,02/03/2017,02/03/2027"


def test_import_replaces_the_roster_and_marks_missing_persons_inactive(school: Driver) -> None:
    school.ok("roster", "import", NUMBER, school.write("r2.csv", roster_csv(staff(2))))
    rows = {r["person_id"]: r["status"] for r in school.json("search", NUMBER)}
    assert rows["90001"] == "Actief" and rows["90002"] == "Actief"
    assert rows["90003"] == "Inactief"
    school.refused("select", NUMBER, "90003", rule="inactive-person")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (("\ufeff" + ROSTER_HEADER + "\n" + GOOD + "\n").encode(), "utf-8 BOM"),
        ((ROSTER_HEADER.replace(",", ";") + "\r\n" + GOOD.replace(",", ";") + "\r\n").encode(), "semicolons, CRLF"),
        ((ROSTER_HEADER + "\n90001,Zoë,Verbeke,Medewerker,Actief,2017-03-02,\n").encode("cp1252"), "cp1252"),
        ((ROSTER_HEADER + ",extra\n" + GOOD + ",x\n").encode(), "extra column"),
        ((ROSTER_HEADER.upper() + "\n" + GOOD.replace("Actief", "actief") + "\n\n").encode(), "case, blank line"),
    ],
)
def test_what_spreadsheets_write_is_accepted(data: bytes, expected: str) -> None:
    [entry] = parse_roster(data)
    assert entry.person_id == "90001", expected
    assert entry.status == "Actief"


def test_cp1252_names_survive() -> None:
    [entry] = parse_roster((ROSTER_HEADER + "\n1,Zoë,Çelik,Medewerker,Actief,2017-03-02,\n").encode("cp1252"))
    assert (entry.first_name, entry.last_name) == ("Zoë", "Çelik")
    assert entry.end_date is None


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("", None, "empty"),
        ("   \n", None, "empty"),
        (ROSTER_HEADER + "\n", None, "no persons"),
        ("person_id,first_name,last_name\n1,a,b\n", 1, "missing column"),
        (ROSTER_HEADER + "\n" + GOOD + "\n90001,B,C,Medewerker,Actief,01/01/2020,\n", 3, "also on line 2"),
        (ROSTER_HEADER + "\n" + GOOD + "\n2,B,C,Medewerker,Actief,2020/01/01,\n", 3, "dd/mm/yyyy"),
        (ROSTER_HEADER + "\n2,B,C,Medewerker,Actief,01/01/2020,31/12/2019\n", 2, "before begin_date"),
        (ROSTER_HEADER + "\n2,B,C,Medewerker,Weg,01/01/2020,\n", 2, "Actief or Inactief"),
        (ROSTER_HEADER + "\n2,,C,Medewerker,Actief,01/01/2020,\n", 2, "first_name is empty"),
        (ROSTER_HEADER + "\n2,B,C,Medewerker,Actief\n", 2, "expected 7 fields"),
        (ROSTER_HEADER + "\n" + GOOD + "\n\n" + "bad id,B,C,Medewerker,Actief,01/01/2020,\n", 4, "person id"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(text: str, line: int | None, problem: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_roster(text.encode())
    assert refused.value.rule == "roster-file"
    assert problem in refused.value.message
    if line is not None:
        assert refused.value.message.startswith(f"line {line}:")


def test_a_bad_file_leaves_the_roster_unchanged(school: Driver) -> None:
    before = school.json("search", NUMBER)
    bad = roster_csv(staff(3)) + "90099,X,Y,Medewerker,Actief,31/02/2020,\n"
    school.refused("roster", "import", NUMBER, school.write("bad.csv", bad), rule="roster-file", contains="line 5")
    school.refused("roster", "import", NUMBER, str(school.workdir / "missing.csv"), rule="roster-file", contains="cannot read")
    assert school.json("search", NUMBER) == before


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_either_parse_or_are_refused_cleanly(data: bytes) -> None:
    try:
        entries = parse_roster(data)
    except RuleViolation as refused:
        assert "\n" not in refused.message
    else:
        assert entries


def test_a_byte_that_is_text_in_neither_encoding_is_refused_naming_its_line() -> None:
    """0x81 has no character in UTF-8 or Windows-1252: refused, never a U+FFFD in a name."""
    data = (ROSTER_HEADER + "\n" + GOOD + "\n").encode("cp1252") + b"90002,Zo\x81,Dupr\xe9,Medewerker,Actief,2017-03-02,\n"
    with pytest.raises(RuleViolation) as refused:
        parse_roster(data)
    assert refused.value.rule == "roster-file"
    assert refused.value.message.startswith("line 3: byte 0x81 is not text in UTF-8 or Windows-1252")


def test_the_refusal_reaches_the_command_line_in_one_line(school: Driver) -> None:
    path = school.workdir / "bad.csv"
    path.write_bytes((ROSTER_HEADER + "\n").encode() + b"90001,An\x8d,Peeters,Medewerker,Actief,2017-03-02,\n")
    school.refused("roster", "import", NUMBER, str(path), rule="roster-file", contains="line 2: byte 0x8D")
