"""Rows out: a table for people, JSON or CSV for machines."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

import click

FORMATS = ("table", "json", "csv")

format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; json or csv for machines.",
)


# Interim (branch notices, to pass tests/e2e/test_old_hostile_event.py, which fails on main at
# 1c28fa3): a character a terminal would act on is shown escaped. Branch hostile's output.py
# (ADR 0012) does this fully; at the merge, take that one and drop these lines.
_RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(text: str) -> str:
    return _RAW.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def _cell(value: Any) -> str:
    return _visible(_text(value))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], output_format: str) -> str:
    if output_format == "json":  # json.dumps escapes C0 in strings itself; the rest as \\u escapes
        text = json.dumps(list(rows), ensure_ascii=False, indent=2)
        return _RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        return buffer.getvalue().rstrip("\r\n")
    return table(rows, columns)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "(none)"
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=False)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)).rstrip() for r in cells]
    return "\n".join(lines)


def format_option_with(*extra: str) -> click.Option:  # type: ignore[type-arg]
    """``--format`` with further choices than table, json and csv (``expiring``: ics)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS + extra),
        default="table",
        show_default=True,
        help=f"table for people; json or csv for machines; {', '.join(extra)}.",
    )
