"""Reading a roster (staff list) file into validated entries.

Accepts what spreadsheets really write: UTF-8 with or without a byte-order
mark, UTF-16 with a byte-order mark (Excel's "Unicode text"), Windows code
page 1252 when the file is not UTF-8, ``,``, ``;`` or a tab as separator,
CRLF line ends, extra columns (ignored). A bad row refuses the whole file,
naming its line number (the header is line 1); so does anything the csv
module cannot read (a NUL byte, a field over its size limit).
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from grantbook.domain import RosterEntry, RuleViolation, parse_date, person_id, rules
from grantbook.domain.text import ROSTER_FIELDS, plain_text, shown

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


def parse_roster(data: bytes) -> list[RosterEntry]:
    try:
        return _parse(decode(data))
    except csv.Error as error:
        # e.g. a field over the csv module's limit, or a NUL byte: not a roster
        raise RuleViolation(rules.ROSTER_FILE, f"not a CSV roster: {error}") from None


def _parse(text: str) -> list[RosterEntry]:
    if not text.strip():
        raise RuleViolation(rules.ROSTER_FILE, "the file is empty")
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # ties: ','
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise _refuse(1, f"missing column(s) {', '.join(missing)} (header must name {','.join(COLUMNS)})")
    for name in COLUMNS:
        if header.count(name) > 1:
            raise _refuse(1, f"column {name} appears twice")
    index = {name: header.index(name) for name in COLUMNS}

    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1  # where the row starts (a quoted cell may span lines)
        row = next(reader, None)
        if row is None:
            break
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
        cell = {name: plain_text(value, ROSTER_FIELDS[name]) if name in ROSTER_FIELDS else value.strip()
                for name, value in raw.items()}
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
