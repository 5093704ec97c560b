"""The optional ``email`` column of a roster file (docs/adr/0014): person id -> address.

Read beside ``roster_file.parse_roster`` (which checks everything else and ignores extra
columns), from the same bytes, with the same decoding and separator. An empty cell means no
address. A bad address does not refuse the file (who is still Actief matters more than where a
notice goes): it is left out and named by line in the warnings returned.
"""

from __future__ import annotations

import csv
import io

from grantbook.domain import RuleViolation, rules
from grantbook.domain.notices import email_address

from .roster_file import decode


def parse_roster_emails(data: bytes) -> tuple[dict[str, str], list[str]]:
    """The addresses by person id, and a warning per address left out."""
    text = decode(data)
    if not text.strip():
        return {}, []
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # as roster_file does
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    if "email" not in header:
        return {}, []
    if header.count("email") > 1:
        raise RuleViolation(rules.ROSTER_FILE, "line 1: column email appears twice")
    at, pid_at = header.index("email"), header.index("person_id")
    found: dict[str, str] = {}
    warnings: list[str] = []
    for row in reader:
        if len(row) != len(header) or not row[at].strip():
            continue  # wrong rows are refused by parse_roster, which runs first
        try:
            found[row[pid_at].strip()] = email_address(row[at])
        except RuleViolation as error:
            warnings.append(f"roster line {reader.line_num}: email left out: {error.message}")
    return found, warnings
