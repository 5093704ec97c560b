"""Roster files as spreadsheets write them; a bad row refuses the whole file."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from conftest import NUMBER, ROSTER_HEADER, Driver, roster_csv, staff, store_contents
from hypothesis import given, settings
from hypothesis import strategies as st

from grantbook.adapters.roster_emails import parse_roster_emails
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


# -- Excel's sep= line -----------------------------------------------------------------------


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_excels_sep_line_names_the_separator_and_is_skipped(sep: str) -> None:
    data = f"sep={sep}\r\n" + roster_csv([tuple(GOOD.split(","))], sep=sep).replace("\n", "\r\n")
    [entry] = parse_roster(("\ufeff" + data).encode())
    assert (entry.person_id, entry.last_name) == ("90001", "Peeters")


def test_after_a_sep_line_errors_name_the_files_own_lines() -> None:
    # a ';' file whose rows also hold commas: only the sep= line says which separator counts
    text = "sep=;\n" + ROSTER_HEADER.replace(",", ";") + "\n90001;An, Jr;Peeters;Medewerker;Actief;02/03/2017;\n"
    assert parse_roster(text.encode())[0].first_name == "An, Jr"
    with pytest.raises(RuleViolation) as refused:
        parse_roster((text + "90002;B;C;Medewerker;Weg;02/03/2017;\n").encode())
    assert refused.value.message.startswith("line 4: status must be Actief or Inactief")
    with pytest.raises(RuleViolation) as refused:
        parse_roster(b"sep=;\nperson_id;first_name\n")
    assert refused.value.message.startswith("line 2: missing column(s)")


@pytest.mark.parametrize(("text", "problem"), [("sep=|\n" + ROSTER_HEADER + "\n", "line 1: 'sep=|'"), ("sep=;\n", "empty")])
def test_a_sep_line_with_another_separator_or_nothing_after_it_is_refused(text: str, problem: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_roster(text.encode())
    assert problem in refused.value.message


# -- .xlsx workbooks -------------------------------------------------------------------------


def workbook(*rows: tuple[object, ...], before: int = 0) -> bytes:
    """An .xlsx file (written by openpyxl, as Excel writes it) whose first sheet holds ``rows``,
    after ``before`` empty rows; a second sheet that must be ignored."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for _ in range(before):
        sheet.append([])
    for row in rows:
        sheet.append(list(row))
    book.create_sheet("Andere").append(["not", "a", "roster"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER_CELLS = tuple(ROSTER_HEADER.split(","))


def test_an_xlsx_roster_with_date_cells_number_ids_and_text_dates() -> None:
    data = workbook(
        (*HEADER_CELLS, "email"),
        (90001, "Cécile", "D\u2019hondt", "Medewerker", "Actief", date(2017, 3, 2), datetime(2030, 3, 2), "c@x.example"),
        ("90002", "Jan", "Peeters", "Medewerker", "inactief", "02/03/2017", "2029-08-31", None),
        (90003.0, "Els", "Smet", "Medewerker", "Actief", datetime(2020, 9, 1), None),
        before=2,
    )
    first, second, third = parse_roster(data)
    assert (first.person_id, first.first_name, first.begin_date, first.end_date) == (
        "90001", "Cécile", date(2017, 3, 2), date(2030, 3, 2))
    assert (second.status, second.begin_date, second.end_date) == ("Inactief", date(2017, 3, 2), date(2029, 8, 31))
    assert (third.person_id, third.end_date) == ("90003", None)
    assert parse_roster_emails(data) == ({"90001": "c@x.example"}, [])


def test_an_xlsx_file_is_known_by_its_content_not_its_name(school: Driver) -> None:
    data = workbook(HEADER_CELLS, *[(int(r[0]), *r[1:]) for r in staff(2)])
    result = school.ok("roster", "import", NUMBER, school.write("staff.csv", data))
    assert "imported 2 persons (2 Actief) into 034793" in result.stdout
    active = sorted(r["person_id"] for r in school.json("search", NUMBER) if r["status"] == "Actief")
    assert active == ["90001", "90002"]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ((90002, "B", "C", "Medewerker", "Weg", date(2020, 1, 1), None), "line 5: status must be Actief or Inactief"),
        ((90002, "B", "C", "Medewerker", "Actief", "2020/01/01", None), "line 5: date-format"),
        ((90002, "B", "C", "Medewerker", "Actief", datetime(2020, 1, 1, 8, 30), None), "line 5: date-format"),
        ((90002, None, "C", "Medewerker", "Actief", date(2020, 1, 1), None), "line 5: first_name is empty"),
        ((90001, "B", "C", "Medewerker", "Actief", date(2020, 1, 1), None), "line 5: person id 90001 is also on line 4"),
        ((90002, "B", "C", "Medewerker", "Actief", date(2020, 1, 1), None, "x"), "line 5: expected 7 fields, found 8"),
    ],
)
def test_a_bad_xlsx_row_is_refused_naming_its_sheet_row(row: tuple[object, ...], problem: str) -> None:
    good = (90001, "An", "Peeters", "Medewerker", "Actief", date(2017, 3, 2), None)
    with pytest.raises(RuleViolation) as refused:
        parse_roster(workbook(HEADER_CELLS, good, row, before=2))
    assert refused.value.rule == "roster-file"
    assert refused.value.message.startswith(problem.split(": ")[0] + ":"), refused.value.message
    assert problem.split(": ", 1)[1] in refused.value.message


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ((), "the first sheet of the workbook is empty"),
        ((HEADER_CELLS,), "no persons"),
        ((("person_id", "first_name"), (1, "A")), "line 1: missing column(s)"),
    ],
)
def test_an_xlsx_without_persons_or_columns_is_refused(rows: tuple[tuple[object, ...], ...], problem: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_roster(workbook(*rows))
    assert problem in refused.value.message


def corrupt_workbooks() -> list[tuple[str, bytes]]:
    good = workbook(HEADER_CELLS, (90001, "An", "Peeters", "Medewerker", "Actief", date(2017, 3, 2), None))
    parts = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(parts, "w") as broken:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # the sheet's XML cut off
            broken.writestr(item, content)
    return [
        ("cut short", good[: len(good) // 2]),
        ("sheet xml cut off", parts.getvalue()),
        ("zip magic then junk", b"PK\x03\x04" + b"\x00" * 200),
        ("a zip that is no workbook", _zip_of({"hello.txt": b"hi"})),
        ("encrypted (a compound file)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
    ]


def _zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(("name", "data"), corrupt_workbooks())
def test_a_corrupt_or_encrypted_workbook_is_one_clear_refusal(school: Driver, name: str, data: bytes) -> None:
    before = store_contents(school.store_url)
    result = school.refused("roster", "import", NUMBER, school.write("staff.xlsx", data), rule="roster-file")
    assert "workbook" in result.stderr or ".xls" in result.stderr, name
    assert store_contents(school.store_url) == before


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from grantbook.adapters import roster_xlsx

    monkeypatch.setattr(roster_xlsx, "MAX_UNPACKED", 1000)
    with pytest.raises(RuleViolation, match="unpacks to more than"):
        parse_roster(workbook(HEADER_CELLS, *[(int(r[0]), *r[1:]) for r in staff(50)]))


def test_more_rows_than_the_limit_are_refused_in_csv_and_xlsx(monkeypatch: pytest.MonkeyPatch) -> None:
    from grantbook.adapters import roster_file

    monkeypatch.setattr(roster_file, "MAX_ROWS", 10)
    for data in (roster_csv(staff(11)).encode(), workbook(HEADER_CELLS, *[(int(r[0]), *r[1:]) for r in staff(11)])):
        with pytest.raises(RuleViolation, match="more than 10 rows"):
            parse_roster(data)
    assert len(parse_roster(roster_csv(staff(10)).encode())) == 10


GOOD_WORKBOOK = workbook(HEADER_CELLS, (90001, "An", "Peeters", "Medewerker", "Actief", date(2017, 3, 2), None))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(GOOD_WORKBOOK) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_damaged_workbook_either_parses_or_is_refused_cleanly(changes: list[tuple[int, int]]) -> None:
    data = bytearray(GOOD_WORKBOOK)
    for at, byte in changes:
        data[at] = byte
    try:
        entries = parse_roster(bytes(data))
    except RuleViolation as refused:
        assert refused.rule == "roster-file" and "\n" not in refused.message
    else:
        assert entries
