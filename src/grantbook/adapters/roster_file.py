"""Reading a roster (staff list) file into validated entries.

Accepts what spreadsheets really write: UTF-8 with or without a byte-order
mark, UTF-16 with a byte-order mark (Excel's "Unicode text"), Windows code
page 1252 when the file is not UTF-8, ``,``, ``;`` or a tab as separator
(or the one Excel's first line ``sep=;`` names: that line is skipped, line
numbers stay the file's own), CRLF line ends, extra columns (ignored), and
.xlsx workbooks (roster_xlsx.py), told apart by content. Both give a
``RosterTable`` of text cells that ``validate`` checks. A bad row refuses
the whole file, naming its line number (the header is line 1, or 2 after a
``sep=`` line; a sheet's row number); so does anything the csv module cannot
read (a NUL byte, a field over its size limit) and a file of more than
``MAX_ROWS`` rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pydantic import ValidationError

from grantbook.domain import RosterEntry, RuleViolation, parse_date, person_id, rules
from grantbook.domain.text import ROSTER_FIELDS, plain_text, shown

SEPARATORS = (",", ";", "\t")
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip file
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an encrypted workbook, or an old .xls: a compound file
MAX_ROWS = 100_000  # rows after the header, blank ones included: far more than any school's staff
COLUMNS = ("person_id", "first_name", "last_name", "category", "status", "begin_date", "end_date")
STATUSES = {"actief": "Actief", "inactief": "Inactief"}


def _refuse(line: int, problem: str) -> RuleViolation:
    return RuleViolation(rules.ROSTER_FILE, f"line {line}: {problem}")


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16 with a BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: no character in either
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        problem = f"byte 0x{byte:02X} is not text in UTF-8 or Windows-1252 (save the file as UTF-8)"
        raise _refuse(line, problem) from None


@dataclass(frozen=True)
class RosterTable:
    """A roster file's cells, before they are checked: what CSV and .xlsx files both give."""

    header: list[str]  # column names, stripped and lower case
    header_line: int  # the file's line (a sheet's row) the header is on
    rows: list[tuple[int, list[str]]]  # each row after the header with the line it starts on


def read_table(data: bytes) -> RosterTable:
    """The cells of a CSV or .xlsx roster, told apart by content (not by the file's name)."""
    if data.startswith(ZIP_MAGIC):
        from .roster_xlsx import read_sheet  # openpyxl is imported only for workbooks

        return read_sheet(data)
    if data.startswith(OLE_MAGIC):
        raise RuleViolation(
            rules.ROSTER_FILE,
            "a password-protected workbook or an old .xls file: save it as .xlsx without a password "
            "or as CSV",
        )
    text = decode(data)
    try:
        return _csv_table(text)
    except csv.Error as error:
        # e.g. a field over the csv module's limit, or a NUL byte: not a roster
        raise RuleViolation(rules.ROSTER_FILE, f"not a CSV roster: {error}") from None


def parse_roster(data: bytes) -> list[RosterEntry]:
    """The validated entries of a CSV or .xlsx roster file, or one refusal naming the line."""
    return validate(read_table(data))


def _separator_line(text: str) -> str | None:
    """The separator Excel's first line ``sep=;`` names (``sep=,``, ``sep=<tab>`` too), if any."""
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.lower().startswith("sep="):
        return None
    named = first[len("sep=") :]
    if named not in SEPARATORS:
        raise _refuse(1, f"{shown(first)} names a separator other than ',', ';' or a tab")
    return named


def _csv_table(text: str) -> RosterTable:
    delimiter = _separator_line(text)
    offset = 0  # lines before the header (the sep= line), so lines stay the file's own
    if delimiter is not None:
        text = text.split("\n", 1)[1] if "\n" in text else ""
        offset = 1
    if not text.strip():
        raise RuleViolation(rules.ROSTER_FILE, "the file is empty")
    if delimiter is None:
        first_line = text.splitlines()[0]
        delimiter = max(SEPARATORS, key=first_line.count)  # ties: ','
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)
    rows: list[tuple[int, list[str]]] = []
    while True:
        line = reader.line_num + 1 + offset  # where the row starts (a quoted cell may span lines)
        row = next(reader, None)
        if row is None:
            break
        rows.append((line, row))
        check_row_count(len(rows))
    return RosterTable([name.strip().lower() for name in header], 1 + offset, rows)


def check_row_count(rows: int) -> None:
    """A file of more rows than any school has is refused before it is read to its end."""
    if rows > MAX_ROWS:
        raise RuleViolation(rules.ROSTER_FILE, f"the file has more than {MAX_ROWS:,} rows after the header")


def validate(table: RosterTable) -> list[RosterEntry]:
    """The entries of ``table``: each row checked, or the whole file refused naming its line."""
    header, at = table.header, table.header_line
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise _refuse(at, f"missing column(s) {', '.join(missing)} (header must name {','.join(COLUMNS)})")
    for name in COLUMNS:
        if header.count(name) > 1:
            raise _refuse(at, f"column {name} appears twice")
    index = {name: header.index(name) for name in COLUMNS}

    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for line, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise _refuse(line, f"expected {len(header)} fields, found {len(row)}")
        cell = {name: row[i] for name, i in index.items()}
        entry = _entry(line, cell)
        if entry.person_id in seen:
            raise _refuse(line, f"person id {entry.person_id} is also on line {seen[entry.person_id]}")
        seen[entry.person_id] = line
        entries.append(entry)
    if not entries:
        raise RuleViolation(rules.ROSTER_FILE, "the file lists no persons (only a header)")
    return entries


def _entry(line: int, raw: dict[str, str]) -> RosterEntry:
    try:
        # names and category: plain text (domain/text.py), the other cells by their own parsers
        cell = {
            name: plain_text(value, ROSTER_FIELDS[name]) if name in ROSTER_FIELDS else value.strip()
            for name, value in raw.items()
        }
        pid = person_id(cell["person_id"])
        begin = parse_date(cell["begin_date"])
        end = parse_date(cell["end_date"]) if cell["end_date"] else None
    except RuleViolation as error:
        raise _refuse(line, f"{error.rule}: {error.message}") from None
    status = STATUSES.get(cell["status"].casefold())
    if status is None:
        raise _refuse(line, f"status must be Actief or Inactief, got {shown(cell['status'])}")
    for name in ("first_name", "last_name", "category"):
        if not cell[name]:
            raise _refuse(line, f"{name} is empty")
    if end is not None and end < begin:
        raise _refuse(line, f"end_date {end.isoformat()} is before begin_date {begin.isoformat()}")
    try:
        return RosterEntry(
            person_id=pid,
            first_name=cell["first_name"],
            last_name=cell["last_name"],
            category=cell["category"],
            status=status,
            begin_date=begin,
            end_date=end,
        )
    except ValidationError as error:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise _refuse(line, problem) from None
