"""A person's rights across institutions, and the person id already given to a national number."""

from __future__ import annotations

from typing import Any

from .current_rights import query_person

__all__ = ["person_for_digest", "query_person"]


def person_for_digest(db: Any, digest: str) -> str | None:
    row = db.execute("SELECT person_id FROM gb_person_digests WHERE digest = ?", (digest,)).fetchone()
    return row[0] if row else None
