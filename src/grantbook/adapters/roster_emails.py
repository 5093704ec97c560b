"""The optional ``email`` column of a roster file (docs/adr/0014): person id -> address.

Read beside ``roster_file.validate`` (which checks everything else and ignores extra columns),
from the same cells, CSV or .xlsx. An empty cell means no address. A bad address does not refuse
the file (who is still Actief matters more than where a notice goes): it is left out and named
by line in the warnings returned.
"""

from __future__ import annotations

from grantbook.domain import RuleViolation, rules
from grantbook.domain.notices import email_address

from .roster_file import RosterTable, read_table


def parse_roster_emails(data: bytes) -> tuple[dict[str, str], list[str]]:
    """The addresses by person id in a roster file's bytes, and a warning per address left out."""
    return roster_emails(read_table(data))


def roster_emails(table: RosterTable) -> tuple[dict[str, str], list[str]]:
    """The addresses by person id, and a warning per address left out."""
    header = table.header
    if "email" not in header:
        return {}, []
    if header.count("email") > 1:
        raise RuleViolation(rules.ROSTER_FILE, f"line {table.header_line}: column email appears twice")
    at, pid_at = header.index("email"), header.index("person_id")
    found: dict[str, str] = {}
    warnings: list[str] = []
    for line, row in table.rows:
        if len(row) != len(header) or not row[at].strip():
            continue  # wrong rows are refused by roster_file.validate, which runs first
        try:
            found[row[pid_at].strip()] = email_address(row[at])
        except RuleViolation as error:
            warnings.append(f"roster line {line}: email left out: {error.message}")
    return found, warnings
