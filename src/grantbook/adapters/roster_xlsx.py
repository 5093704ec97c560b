"""Reading an .xlsx roster: the cells of its first sheet, as text, for roster_file.validate.

The same header and columns as a CSV roster, on the first non-empty row; a line number in a
refusal is the sheet's row number. Cells become the text a CSV export of them would hold:
a date (or a date and time at midnight) as ``yyyy-mm-dd``, a whole number as its digits
(person id 90001 stored as a number, not ``90001.0``), formulas as their last computed value.

A workbook is a zip of XML parts, so a hostile one could be large once unpacked: the parts'
declared sizes are checked before anything is read (zipfile reads no more than a part
declares), rows are read one at a time up to ``MAX_ROWS`` and ``MAX_COLUMNS`` cells wide.
Anything openpyxl cannot read is one refusal, never a traceback (docs/adr/0017).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, time
from typing import Any

from grantbook.domain import RuleViolation, rules

from .roster_file import MAX_ROWS, RosterTable, check_row_count

MAX_UNPACKED = 200 * 1024 * 1024  # bytes of XML, all parts together (100,000 rows fit well within)
MAX_COLUMNS = 100  # cells read from each row; the roster's columns are among the first few


def _refuse(problem: str) -> RuleViolation:
    return RuleViolation(rules.ROSTER_FILE, problem)


def read_sheet(data: bytes) -> RosterTable:
    """The header and rows of the first sheet of the workbook in ``data``."""
    _check_unpacked_size(data)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    with closing(_sheet_rows(data)) as sheet_rows:  # the workbook is closed even when a row is refused
        for line, values in sheet_rows:
            cells = [_text(line, value) for value in values]
            if header is None:
                if any(cell.strip() for cell in cells):
                    header, header_line = _trimmed(cells), line
                elif line > MAX_ROWS:
                    raise _refuse(f"the first sheet has no header in its first {MAX_ROWS:,} rows")
                continue
            rows.append((line, _fitted(cells, len(header))))
            check_row_count(len(rows))
    if header is None:
        raise _refuse("the first sheet of the workbook is empty")
    return RosterTable([name.strip().lower() for name in header], header_line, rows)


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except Exception as error:  # noqa: BLE001  BadZipFile, EOFError, struct.error...: not a workbook
        raise _refuse(f"not a readable .xlsx workbook: {_reason(error)}") from None
    if unpacked > MAX_UNPACKED:
        raise _refuse(f"the workbook unpacks to more than {MAX_UNPACKED // 2**20} MB; save its roster as CSV")


def _sheet_rows(data: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(sheet row number, cell values) for every row of the first sheet, gaps included."""
    import openpyxl  # only when a workbook is read

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001  any failure of the parser on a hostile file is one refusal
        raise _refuse(f"not a readable .xlsx workbook: {_reason(error)}") from None
    try:
        if not workbook.worksheets:
            raise _refuse("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        if not hasattr(sheet, "reset_dimensions"):  # a chart sheet, not cells
            raise _refuse("the first sheet of the workbook holds no cells")
        sheet.reset_dimensions()  # a sheet's declared size may be wrong (or huge): read what is there
        rows = sheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS, values_only=True)
        line = 0
        while True:
            try:
                values = next(rows, None)
            except Exception as error:  # noqa: BLE001  a broken part is found only while reading it
                raise _refuse(f"not a readable .xlsx workbook: {_reason(error)}") from None
            if values is None:
                return
            line += 1
            yield line, values
    finally:
        workbook.close()


def _reason(error: Exception) -> str:
    """A short, single-line reason (the parser's messages may quote the file)."""
    text = " ".join(str(error).split())[:120]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _text(line: int, value: Any) -> str:
    """A cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # with a time of day it is no date (refused in a date column)
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if len(text) > csv.field_size_limit():  # the limit a CSV roster's cells have
        raise _refuse(f"line {line}: a cell holds {len(text):,} characters")
    return text


def _trimmed(cells: list[str]) -> list[str]:
    """Without the empty cells at the end (a sheet's rows have no fixed width)."""
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _fitted(cells: list[str], width: int) -> list[str]:
    """A row as wide as the header: empty cells past it dropped, missing ones empty. A value past
    the header keeps the row longer, so validation refuses it as a CSV row with too many fields."""
    cells = _trimmed(cells)
    return cells + [""] * (width - len(cells))
