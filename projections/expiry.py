"""Expiry: rights ending within N days after a day, across all institutions or one, soonest first."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .current_rights import only_institution, rights_as_of, table_row


def query_ending_between(
    db: Any, day: date, within_days: int, institution: str | None = None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Rights still in force whose end date falls in [day, day + within], as recorded now or ``as_of``."""
    last = day + timedelta(days=within_days)
    sql, params = rights_as_of(as_of)
    sql += " AND r.end_day >= ? AND r.end_day <= ? AND (r.revoked_on IS NULL OR r.revoked_on > ?)"
    params += [day.isoformat(), last.isoformat(), day.isoformat()]
    sql, params = only_institution(sql, params, institution)
    rows = []
    for found in db.query(sql, params):
        row = table_row(found)
        row["days_left"] = (date.fromisoformat(row["end"]) - day).days
        rows.append(row)
    rows.sort(key=lambda r: (r["end"], r["institution"], r["last_name"], r["first_name"], r["person_id"]))
    return rows
