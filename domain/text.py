"""Text people type: names, reasons, search words. Text is text.

Every such value passes :func:`plain_text` before anything is recorded: it
is NFC-normalised and stripped, and refused when it holds a control
character (C0 and C1, tab and line breaks included, and the Unicode line
and paragraph separators), a bidi formatting character (embeddings,
overrides, isolates and marks), an unpaired surrogate, or more characters
than its field's limit (ADR 0012). The refusal names the field, never
quotes the raw text, and says which character (as ``U+XXXX``) and where.

Stored events are not re-checked when loaded: a store written before these
rules still loads, and every output escapes what it cannot show (cli/output.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from . import rules
from .national_number import looks_like_national_number
from .rules import RuleViolation

NAME_LIMIT = 200
REASON_LIMIT = 1000
INSTITUTION_NAME_LIMIT = 200

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f"  # arabic letter mark, left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
LINE_SEPARATORS = frozenset("\u2028\u2029")


def is_unsafe(char: str) -> bool:
    """A character that text never holds: it moves the cursor, ends a line,
    talks to the terminal or reorders what a reader sees."""
    return (
        unicodedata.category(char) in ("Cc", "Cs")  # C0, DEL, C1; lone surrogates
        or char in BIDI_CONTROLS
        or char in LINE_SEPARATORS
    )


def describe_char(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        name = {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE", "\x00": "NUL"}.get(
            char, "control character"
        )
    return f"U+{ord(char):04X} ({name})"


@dataclass(frozen=True)
class TextField:
    """What a piece of text is (its label in messages) and how long it may be."""

    label: str
    limit: int


INSTITUTION_NAME = TextField("institution name", INSTITUTION_NAME_LIMIT)
FIRST_NAME = TextField("first name", NAME_LIMIT)
LAST_NAME = TextField("last name", NAME_LIMIT)
CATEGORY = TextField("category", NAME_LIMIT)
REASON = TextField("reason", REASON_LIMIT)
SEARCH_NAME = TextField("search name", NAME_LIMIT)
ROSTER_FIELDS = {"first_name": FIRST_NAME, "last_name": LAST_NAME, "category": CATEGORY}
"""The text columns of a roster (file) and their fields."""


def plain_text(value: str, field: TextField) -> str:
    """``value`` NFC-normalised and stripped, or a refusal naming ``field``."""
    for position, char in enumerate(value, start=1):
        if is_unsafe(char):
            raise RuleViolation(
                rules.TEXT_CHARACTER,
                f"the {field.label} holds {describe_char(char)} at character {position}: "
                "text may not hold control characters, tabs, line breaks or bidi formatting characters",
            )
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > field.limit:
        raise RuleViolation(
            rules.TEXT_LENGTH,
            f"the {field.label} is {len(text):,} characters long; at most {field.limit:,} are allowed",
        )
    return text


def shown(value: str, limit: int = 60) -> str:
    """A value people typed, for an error message: quoted, escaped, and cut short;
    a national register number (typed in the wrong place) is not shown at all."""
    if looks_like_national_number(value):
        return "a national register number (not shown)"
    if len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value):,} characters)"
    return repr(value)
