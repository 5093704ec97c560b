"""The table for people: columns padded to their width, moments in Brussels time, cells cut to fit.

A table is read by a person at a terminal, so it differs from JSON and CSV (never changed) in two
ways. A moment (an ISO 8601 timestamp with an offset in a column named for moments: ``granted_at``,
``recorded_at``, any ``*_at``) is shown as the wall-clock time in Brussels to the second,
``2026-09-01 09:15:02``: that is the time a Flemish school keeps, and an offset is noise there. Both
the name and the value must say it is a moment, so a name that merely looks like one is left alone.
When the table is wider than the terminal (``width``; only when stdout is one), the widest columns
give way first and a cut cell ends in ``…``. Cells are cut before escaping is counted, never inside
an escape (``\\x1b``), and by display width: a wide (East Asian) character counts two, a combining
mark none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from grantbook.domain.text import is_unsafe
from grantbook.domain.values import BRUSSELS

ELLIPSIS = "…"
GAP = "  "
MOMENT_COLUMNS = frozenset({"timestamp", "moment"})
MIN_WIDTH = 3  # a column never shrinks below this (its first characters and the ellipsis)
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})"
)


def escaped(char: str) -> str:
    """How one character is shown: itself, or its escape if a terminal would act on it."""
    if not is_unsafe(char):
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def char_width(piece: str) -> int:
    """Display columns of one shown character (or escape): 2 wide, 0 combining, else its length."""
    if len(piece) != 1:
        return len(piece)
    if unicodedata.combining(piece):
        return 0
    return 2 if unicodedata.east_asian_width(piece) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(escaped(c)) for c in text)


def cut(text: str, width: int) -> str:
    """``text`` shown (escaped) in at most ``width`` columns; if it does not fit, as much as fits
    before an ``…``, never half an escape."""
    pieces = [escaped(c) for c in text]
    if sum(char_width(p) for p in pieces) <= width:
        return "".join(pieces)
    kept, used = [], 0
    for piece in pieces:
        if used + char_width(piece) > width - 1:
            break
        kept.append(piece)
        used += char_width(piece)
    return "".join(kept) + ELLIPSIS


def is_moment_column(column: str) -> bool:
    """Columns that hold moments are named for it (``granted_at``, ``recorded_at``)."""
    return column.endswith("_at") or column in MOMENT_COLUMNS


def local_time(value: str) -> str:
    """An ISO timestamp with an offset as Brussels wall-clock time to the second; anything else as is."""
    if not _MOMENT.fullmatch(value):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M:%S")


def fitted_widths(natural: list[int], width: int | None) -> list[int]:
    """Each column's width: its natural one, or (too wide for ``width``) the widest cut first."""
    widths = list(natural)
    if width is None:
        return widths
    room = width - len(GAP) * (len(widths) - 1)
    while sum(widths) > room:
        order = sorted(range(len(widths)), key=lambda i: widths[i], reverse=True)
        widest = order[0]
        if widths[widest] <= MIN_WIDTH:
            break  # as narrow as a table gets: the terminal wraps the rest
        runner_up = widths[order[1]] if len(order) > 1 else MIN_WIDTH
        step = min(sum(widths) - room, widths[widest] - max(runner_up, MIN_WIDTH)) or 1
        widths[widest] -= step
    return widths


def _padded(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str], cell: Any, width: int | None = None) -> str:
    """The rows as a table of ``columns``; ``cell(value)`` is a value's text; ``width``: the terminal's."""
    if not rows:
        return "(none)"
    moments = [is_moment_column(c) for c in columns]
    raw = [
        [
            local_time(cell(row.get(c))) if moment else cell(row.get(c))
            for c, moment in zip(columns, moments, strict=True)
        ]
        for row in rows
    ]
    natural = [max(text_width(c), *(text_width(r[i]) for r in raw)) for i, c in enumerate(columns)]
    widths = fitted_widths(natural, width)

    def line(values: Sequence[str]) -> str:
        return GAP.join(_padded(cut(v, w), w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(columns), GAP.join("-" * w for w in widths)]
    lines += [line(r) for r in raw]
    return "\n".join(lines)
