"""Rows out: a table for people, JSON or CSV for machines, CSV for Excel.

Nothing stored reaches a terminal or a spreadsheet raw (ADR 0012): a
control, escape, line-break or bidi character in an old event is shown
escaped (``\\x1b``, ``\\u202e``) in a table and in CSV, and as a JSON
``\\u`` escape in JSON; a CSV cell that a spreadsheet would take for a
formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first) starts
with ``'`` so it shows as text (the OWASP rule). Every CSV row ends in CRLF.
``--excel`` is CSV as Belgian Excel opens it: ``;``-separated UTF-8 with a
byte-order mark, institution numbers as ``="034793"`` so the leading zero
stays (the only formula grantbook writes).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import click

from grantbook.domain.text import is_unsafe

FORMATS = ("table", "json", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_COLUMNS = frozenset({"institution", "number"})
_SIX_DIGITS = re.compile(r"[0-9]{6}")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character a terminal or reader would act on written as an escape."""
    if not any(is_unsafe(c) for c in text):
        return text
    return "".join(_escape(c) if is_unsafe(c) else c for c in text)


def _json_safe(text: str) -> str:
    """JSON with the characters json.dumps leaves raw (DEL, C1, bidi, separators) as ``\\u``
    escapes; json.dumps escapes C0 inside strings, so a raw line feed is indentation."""
    return "".join(f"\\u{ord(c):04x}" if c != "\n" and is_unsafe(c) else c for c in text)


def format_option_with(*extra: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format`` (table, json, csv and the ``extra`` formats: ``expiring`` adds ics) and
    ``--excel``; the command gets ``output_format`` (``excel`` for CSV for Excel)."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, output_format: str, excel: bool, **kwargs: Any) -> Any:
            if excel:
                source = click.get_current_context().get_parameter_source("output_format")
                if output_format != "csv" and source is not click.core.ParameterSource.DEFAULT:
                    raise click.UsageError(
                        f"--excel writes CSV for Excel; it cannot be combined with --format {output_format}"
                    )
                output_format = "excel"
            return command(*args, output_format=output_format, **kwargs)

        more = "".join(f"; {name}" for name in extra)
        options = [
            click.option(
                "--format", "output_format", type=click.Choice(FORMATS + extra), default="table",
                show_default=True, help=f"table for people; json or csv for machines{more}.",
            ),
            click.option(
                "--excel", is_flag=True,
                help="CSV for Excel: ';'-separated UTF-8 with BOM, institution numbers kept as text.",
            ),
        ]
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


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


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], output_format: str) -> str:
    """The whole output: CSV (and Excel) with a CRLF after every row, the others without a final newline."""
    if output_format == "json":
        return _json_safe(json.dumps(list(rows), ensure_ascii=False, indent=2))
    if output_format in ("csv", "excel"):
        excel = output_format == "excel"
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_cell(row.get(c), c, excel) for c in columns])
        return ("\ufeff" if excel else "") + buffer.getvalue()
    return table(rows, columns)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], output_format: str) -> None:
    """Writes ``render``'s output to stdout: CSV byte for byte (UTF-8), the others as a line."""
    text = render(rows, columns, output_format)
    if output_format in ("csv", "excel"):
        click.echo(text.encode("utf-8"), nl=False)
    else:
        click.echo(text)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[visible(_cell(row.get(c))) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=False)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)).rstrip() for r in cells]
    return "\n".join(lines)
