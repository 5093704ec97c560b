"""The optional ``email`` column of a roster file (docs/adr/0014): person id -> address.

Read beside ``roster_file.parse_roster`` (which checks everything else and ignores extra
columns), from the same bytes, with the same decoding and separator. An empty cell means no
address; a bad address refuses the whole file, naming its line.
"""

from __future__ import annotations

import csv
import io

from grantbook.domain import RuleViolation, rules
from grantbook.domain.notices import email_address

from .roster_file import decode


def parse_roster_emails(data: bytes) -> dict[str, str]:
    text = decode(data)
    if not text.strip():
        return {}
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # as roster_file does
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    if "email" not in header:
        return {}
    if header.count("email") > 1:
        raise RuleViolation(rules.ROSTER_FILE, "line 1: column email appears twice")
    at, pid_at = header.index("email"), header.index("person_id")
    found: dict[str, str] = {}
    for row in reader:
        if len(row) != len(header) or not row[at].strip():
            continue  # wrong rows are refused by parse_roster, which runs first
        try:
            found[row[pid_at].strip()] = email_address(row[at])
        except RuleViolation as error:
            raise RuleViolation(rules.ROSTER_FILE, f"line {reader.line_num}: {error.message}") from None
    return found
