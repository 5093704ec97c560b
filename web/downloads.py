"""Files people open in Excel, made one way for every download (docs/adr/0020).

A download is a list of rows and the columns to show, each column with its Dutch header and its kind
(text, a day, a moment, an institution number). Two files come of it:

- **CSV for Belgian Excel**: Dutch headers, ``;`` between cells, UTF-8 with a byte-order mark, CRLF,
  days as dd/mm/jjjj, moments as dd/mm/jjjj HH:MM in Brussels time; each cell made safe by the CLI's
  ``spreadsheet_cell`` (no formula, no control or bidi character, the institution number as text).
  The CLI's ``--excel`` writes the same bytes (cli/output.py).
- **.xlsx** (openpyxl): a bold header row that stays in view (frozen), days and moments as real date
  cells (``dd/mm/yyyy``), every text a text cell (never a formula, whatever it starts with).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from grantbook.cli.output import spreadsheet_cell
from grantbook.domain.values import BRUSSELS

TEXT, DAY, MOMENT, NUMBER = "text", "day", "moment", "number"

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = TEXT


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("institution", "Instellingsnummer", NUMBER),
        Column("person_id", "Persoonsnummer"),
        Column("first_name", "Voornaam"),
        Column("last_name", "Achternaam"),
        Column("category", "Categorie"),
        Column("right", "Gebruikersrecht"),
        Column("context", "Context"),
        Column("begin", "Begindatum", DAY),
        Column("end", "Einddatum", DAY),
        Column("granted_by", "Toegekend door"),
        Column("granted_at", "Toegekend op", MOMENT),
        Column("days_left", "Dagen tot einddatum"),
        Column("grant_id", "Toekenningsnummer"),
        Column("revoked_on", "Ingetrokken vanaf", DAY),
        Column("revoked_by", "Ingetrokken door"),
        Column("revoke_reason", "Reden van intrekking"),
        Column("status", "Status"),
        Column("voided_by", "Ongeldig verklaard door"),
        Column("void_reason", "Reden ongeldig"),
        Column("voided_at", "Ongeldig verklaard op", MOMENT),
        Column("recorded_at", "Geregistreerd op", MOMENT),
        Column("actor", "Door"),
        Column("sentence", "Wat"),
        Column("action", "Soort actie"),
        Column("event", "Gebeurtenis"),
        Column("details", "Details"),
        Column("number", "Instellingsnummer", NUMBER),
        Column("name", "Naam"),
        Column("role", "Rol"),
        Column("description", "Omschrijving"),
        Column("contexts", "Contexten"),
        Column("email", "E-mailadres"),
        Column("reason", "Reden"),
        Column("position", "Positie"),
    )
}


def columns_for(keys: Sequence[str]) -> list[Column]:
    """The Dutch columns for output keys; a key without a Dutch name keeps its key as header."""
    return [COLUMNS.get(key, Column(key, key)) for key in keys]


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    """A moment as Brussels wall-clock time without its offset (Excel has no time zones)."""
    if value is None or value == "":
        return None
    try:
        found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if found.tzinfo is not None:
        found = found.astimezone(BRUSSELS)
    return found.replace(tzinfo=None, microsecond=0)


def csv_cell(value: Any, column: Column) -> str:
    """One cell as Belgian Excel reads it (also the CLI's ``--excel``)."""
    if column.kind == DAY and (day := _day(value)) is not None:
        return day.strftime("%d/%m/%Y")
    if column.kind == MOMENT and (moment := _moment(value)) is not None:
        return moment.strftime("%d/%m/%Y %H:%M")
    return spreadsheet_cell(value, "institution" if column.kind == NUMBER else "", excel=True)


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[Column]) -> str:
    """The whole CSV: byte-order mark, Dutch headers, ``;``, CRLF after every row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(c.header) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(c.key), c) for c in columns])
    return "\ufeff" + buffer.getvalue()


def _text(value: Any) -> str:
    """Text for an .xlsx cell: as the CSV shows it (control and bidi characters written as escapes,
    lists joined), but without the CSV's leading ``'``: the cell is text already."""
    text = spreadsheet_cell(value)
    if text.startswith("'") and not (isinstance(value, str) and value.startswith("'")):
        text = text[1:]
    return text


def xlsx_bytes(rows: Iterable[dict[str, Any]], columns: Sequence[Column], sheet: str) -> bytes:
    """The workbook: one sheet named ``sheet``, bold frozen header row, typed day and moment cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        _set_text(cell, column.header)
        cell.font = bold
    widths = [len(c.header) for c in columns]
    for row_number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=row_number, column=index)
            value = row.get(column.key)
            if column.kind == DAY and (day := _day(value)) is not None:
                cell.value = day
                cell.number_format = "dd/mm/yyyy"
                width = 10
            elif column.kind == MOMENT and (moment := _moment(value)) is not None:
                cell.value = moment
                cell.number_format = "dd/mm/yyyy hh:mm"
                width = 16
            elif isinstance(value, int) and not isinstance(value, bool) and column.kind == TEXT:
                cell.value = value
                width = len(str(value))
            else:
                text = _text(value)
                _set_text(cell, text)
                width = len(text)
            widths[index - 1] = max(widths[index - 1], min(width, 60))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width + 2
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set_text(cell: Any, text: str) -> None:
    """A text cell that stays text: openpyxl would store ``=...`` as a formula, Excel would turn an
    edited ``=...`` into one; the data type ``s`` and the quote prefix prevent both."""
    cell.value = text
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
