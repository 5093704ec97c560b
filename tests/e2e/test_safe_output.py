"""Issue 13, output a spreadsheet can open safely and nothing raw reaches a terminal.

The hostile names here were recorded before the write-side rules existed: a
test writes them with the library directly, as an old store holds them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from conftest import IRIS, NUMBER, Driver, grant

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.cli.output import spreadsheet_cell
from grantbook.domain import Act, RosterEntry
from grantbook.domain.events import RosterImported
from grantbook.domain.text import is_unsafe

OLD_NAMES = {
    "90101": ("=HYPERLINK(\"http://evil\",\"klik\")", "+32475000000", "@SUM(A1)"),
    "90102": ("-2+3", "\x1b]0;owned\x07\x1b[2JCleared", "Medewerker\u202egnp.exe"),
    "90103": ("Tab\tinside", "Return\rinside", "Line\nBreak\u2028Sep\x9b31m"),
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plant_old_names(gb: Driver) -> None:
    """Names with formulas, escapes, bidi and line breaks, recorded as an old release did."""
    app = GrantBook.open(StoreLocation.parse(gb.store_url), create=False)
    try:
        institution = app.institution(NUMBER)
        entries = tuple(
            RosterEntry(person_id=pid, first_name=first, last_name=last, category=category, status="Actief",
                        begin_date=date(2020, 9, 1))
            for pid, (first, last, category) in OLD_NAMES.items()
        )
        institution._trigger(RosterImported, Act(actor="jan", now=datetime.now(UTC)), entries=entries)
        app.save(institution)
    finally:
        app.close()


@pytest.fixture
def old_store(school: Driver) -> Driver:
    plant_old_names(school)
    grant(school, *OLD_NAMES)
    school.ok("revoke", NUMBER, "90103", "--right", IRIS, "--reason", "left")
    return school


READING = [("rights", NUMBER), ("search", NUMBER), ("selection", NUMBER), ("audit", NUMBER),
           ("expiring", "--within", "400"), ("person", "90101"), ("leavers",)]


def raw(text: str) -> list[str]:
    return [c for c in text if is_unsafe(c) and c not in "\r\n"]


@pytest.mark.parametrize("args", READING, ids=[a[0] for a in READING])
def test_no_stored_character_reaches_the_terminal_raw(old_store: Driver, args: tuple[str, ...]) -> None:
    for fmt in ("table", "json", "csv"):
        result = old_store.ok(*args, "--format", fmt)
        assert not raw(result.stdout) and not raw(result.stderr), (fmt, result.stdout[:500])
        if fmt == "table":
            assert "\r" not in result.stdout and result.stdout.count("\n") == len(result.stdout.splitlines())
    rows = old_store.json(*args)
    if args[0] in ("rights", "search"):  # JSON escapes the characters, it does not drop them
        names = {(r["first_name"], r["last_name"]) for r in rows}
        assert {(f, la) for pid, (f, la, _) in OLD_NAMES.items() if pid != "90103"} <= names


def test_table_shows_control_characters_as_escapes(old_store: Driver) -> None:
    out = old_store.ok("search", NUMBER, "--name", "cleared").stdout
    assert "\\x1b]0;owned\\x07\\x1b[2JCleared" in out
    assert "Medewerker\\u202egnp.exe" in out


def cells(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("args", READING, ids=[a[0] for a in READING])
def test_csv_cells_are_never_formulas_and_every_row_ends_in_crlf(old_store: Driver, args: tuple[str, ...]) -> None:
    out = old_store.ok(*args, "--format", "csv").stdout_bytes.decode("utf-8")
    assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")
    table = cells(out)
    assert len(out.split("\r\n")) - 1 == len(table)
    for row in table:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), (args, cell)
    if args[0] == "search":
        assert ["90101", "'=HYPERLINK(\"http://evil\",\"klik\")", "'+32475000000", NUMBER, "'@SUM(A1)"] == \
            [r for r in table if r[0] == "90101"][0][:5]
        assert [r for r in table if r[0] == "90103"][0][1:3] == ["Tab\\x09inside", "Return\\x0dinside"]


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+32", "'+32"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\\x09x"), ("\rx", "'\\x0dx"), ("Peeters", "Peeters"), ("", ""), (None, ""),
])
def test_the_owasp_rule_cell_by_cell(value: str | None, cell: str) -> None:
    assert spreadsheet_cell(value) == cell
    assert spreadsheet_cell("034793", "institution", excel=True) == '="034793"'
    assert spreadsheet_cell("=034793", "institution", excel=True) == "'=034793"


def test_excel_output_is_semicolons_utf8_with_bom_and_numbers_kept_as_text(old_store: Driver) -> None:
    data = old_store.ok("rights", NUMBER, "--excel").stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1:]
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    table = cells(text, ";")
    assert table[0][:3] == ["institution", "person_id", "first_name"]
    for row in table[1:]:
        assert row[0] == '="034793"'  # the only formula grantbook writes
        assert not any(c.startswith(FORMULA_STARTS) for c in row[1:]), row
    assert data == old_store.ok("rights", NUMBER, "--format", "csv", "--excel").stdout_bytes
    audit = cells(old_store.ok("audit", NUMBER, "--excel").stdout_bytes.decode("utf-8-sig"), ";")
    assert {row[4] for row in audit[1:]} == {'="034793"'}


def test_excel_cannot_be_combined_with_another_format(old_store: Driver) -> None:
    result = old_store.run("rights", NUMBER, "--excel", "--format", "json")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: usage: --excel")


def test_json_stays_valid_json_with_the_characters_escaped(old_store: Driver) -> None:
    out = old_store.ok("audit", NUMBER, "--format", "json").stdout
    assert "\\u001b]0;owned" in out and "\\u202e" in out and "\\u2028" in out and "\\u009b" in out
    events = json.loads(out)
    imported = [e for e in events if e["event"] == "RosterImported"]
    assert imported and "90102" in imported[-1]["details"]["person_ids"]


def test_confirm_extend_and_revoke_lines_show_old_names_escaped(school: Driver) -> None:
    plant_old_names(school)
    school.ok("select", NUMBER, "90102")
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-12-01", "--end", "2027-01-01")
    outputs = [school.ok("confirm", NUMBER).stdout,
               school.ok("extend", NUMBER, "90102", "--right", IRIS, "--end", "2027-02-01").stdout,
               school.ok("revoke", NUMBER, "90102", "--right", IRIS, "--reason", "left").stdout]
    for out in outputs:
        assert "\\x1b]0;owned" in out and not raw(out.replace("\n", "")), out
