"""Rows out: a table for people, JSON or CSV for machines, CSV for Excel.

Nothing stored reaches a terminal or a spreadsheet raw (ADR 0012): a
control, escape, line-break or bidi character in an old event is shown
escaped (``\\x1b``, ``\\u202e``) in a table and in CSV, and as a JSON
``\\u`` escape in JSON; a CSV cell that a spreadsheet would take for a
formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first) starts
with ``'`` so it shows as text (the OWASP rule). Every CSV row ends in CRLF.
``--excel`` is CSV as Belgian Excel opens it: ``;``-separated UTF-8 with a
byte-order mark, institution numbers as ``="034793"`` so the leading zero
stays (the only formula grantbook writes). ``--dutch`` is that file for a person: Dutch column
headers, dates as dd/mm/jjjj and moments as dd/mm/jjjj HH:MM in Brussels time, byte for byte what
the web pages' "Download CSV" gives (web/downloads.py, docs/adr/0020).

``--columns a,b,c`` chooses and orders the columns in every format; the table for people is
cli/table.py (Brussels time, cut to the terminal). JSON and CSV keep every value whole and every
moment as ISO 8601 with its offset: they are for machines (docs/adr/0018).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from grantbook.domain.text import is_unsafe, shown

from . import table as people_table

FORMATS = ("table", "json", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_COLUMNS = frozenset({"institution", "number"})
_SIX_DIGITS = re.compile(r"[0-9]{6}")
_COLUMNS_KEY = "grantbook.columns"  # where the format decorator leaves --columns for emit (ctx.meta)


def visible(text: str) -> str:
    """``text`` with every character a terminal or reader would act on written as an escape."""
    if not any(is_unsafe(c) for c in text):
        return text
    return "".join(people_table.escaped(c) for c in text)


def _json_safe(text: str) -> str:
    """JSON with the characters json.dumps leaves raw (DEL, C1, bidi, separators) as ``\\u``
    escapes; json.dumps escapes C0 inside strings, so a raw line feed is indentation."""
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and is_unsafe(c) else c for c in text)


def format_option_with(
    *extra: str, columns: Sequence[str] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` (table, json, csv and the ``extra`` formats: ``expiring`` adds ics), ``--excel``
    and ``--columns``; the command gets ``output_format`` (``excel`` for CSV for Excel). ``emit``
    shows the chosen columns; a command that names its ``columns`` here has them checked before it
    runs (one that records something, like ``search``, must: a refused option records nothing)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(
            *args: Any, output_format: str, excel: bool, dutch: bool, chosen: str | None, **kwargs: Any
        ) -> Any:
            ctx = click.get_current_context()
            if excel or dutch:
                source = ctx.get_parameter_source("output_format")
                if output_format != "csv" and source is not click.core.ParameterSource.DEFAULT:
                    flag = "--dutch" if dutch else "--excel"
                    raise click.UsageError(
                        f"{flag} writes CSV for Excel; it cannot be combined with --format {output_format}"
                    )
                output_format = "dutch" if dutch else "excel"
            if chosen is not None and output_format in extra:
                raise click.UsageError(
                    f"--columns chooses columns of a table, JSON or CSV, not --format {output_format}"
                )
            ctx.meta[_COLUMNS_KEY] = None if chosen is None else _parsed_columns(chosen)
            if columns is not None:
                chosen_columns(columns)
            return command(*args, output_format=output_format, **kwargs)

        more = "".join(f"; {name}" for name in extra)
        options = [
            click.option(
                "--format",
                "output_format",
                type=click.Choice(FORMATS + extra),
                default="table",
                show_default=True,
                help=f"table for people; json or csv for machines{more}.",
            ),
            click.option(
                "--excel",
                is_flag=True,
                help="CSV for Excel: ';'-separated UTF-8 with BOM, institution numbers kept as text.",
            ),
            click.option(
                "--dutch",
                is_flag=True,
                help="CSV for Excel with Dutch column headers and dates as dd/mm/jjjj (implies --excel).",
            ),
            click.option(
                "--columns",
                "chosen",
                metavar="A,B,...",
                help="Only these columns, in this order (every format).",
            ),
        ]
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def _parsed_columns(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise click.UsageError(f"--columns: a comma-separated list of column names, got {shown(text)}")
    return names


def chosen_columns(columns: Sequence[str]) -> Sequence[str]:
    """The columns ``--columns`` chose (in its order) from a command's ``columns``, or all of them;
    a name that is not one of them is wrong usage (exit 2), naming the known ones."""
    ctx = click.get_current_context(silent=True)
    chosen = ctx.meta.get(_COLUMNS_KEY) if ctx is not None else None
    if chosen is None:
        return columns
    unknown = [name for name in chosen if name not in columns]
    if unknown:
        raise click.UsageError(f"--columns: no column {shown(unknown[0])} (known: {', '.join(columns)})")
    return list(dict.fromkeys(chosen))


format_option = format_option_with()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def spreadsheet_cell(value: Any, column: str = "", excel: bool = False) -> str:
    """A cell a spreadsheet shows as the text it is: never a formula, nothing raw."""
    text = _cell(value)
    if excel and column in NUMBER_COLUMNS and _SIX_DIGITS.fullmatch(text):
        return f'="{text}"'
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return visible(text)


def render(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], output_format: str, width: int | None = None
) -> str:
    """The whole output: CSV (and Excel) with a CRLF after every row, the others without a final
    newline; ``width``: the terminal's, which a table fits."""
    if output_format == "json":
        return _json_safe(json.dumps(list(rows), ensure_ascii=False, indent=2))
    if output_format == "dutch":
        from grantbook.web.downloads import columns_for, csv_text  # the web's own file, not a copy

        return csv_text(rows, columns_for(columns))
    if output_format in ("csv", "excel"):
        excel = output_format == "excel"
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_cell(row.get(c), c, excel) for c in columns])
        return ("\ufeff" if excel else "") + buffer.getvalue()
    return table(rows, columns, width)


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (a table is fitted to it), else None (piped: whole)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], output_format: str) -> None:
    """Writes ``render``'s output of the ``--columns`` chosen to stdout: CSV byte for byte (UTF-8),
    the others as a line (JSON rows hold just the chosen keys, in order, when columns were chosen)."""
    chosen = chosen_columns(columns)
    if chosen is not columns and output_format == "json":
        rows = [{c: row.get(c) for c in chosen} for row in rows]
    text = render(rows, chosen, output_format, terminal_width())
    if output_format in ("csv", "excel", "dutch"):
        click.echo(text.encode("utf-8"), nl=False)
    else:
        click.echo(text)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], width: int | None = None) -> str:
    """The table for people (cli/table.py): moments in Brussels time, cut to ``width`` if given."""
    return people_table.table(rows, columns, _cell, width)
