"""Expiry: rights ending within N days after a day, across all institutions or one, soonest first."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .current_rights import _SELECT, only_institution, table_row


def query_ending_between(
    db: Any, day: date, within_days: int, institution: str | None = None
) -> list[dict[str, Any]]:
    last = day + timedelta(days=within_days)
    sql = _SELECT + " WHERE r.end_day >= ? AND r.end_day <= ? AND (r.revoked_on IS NULL OR r.revoked_on > ?)"
    params: list[Any] = [day.isoformat(), last.isoformat(), day.isoformat()]
    sql, params = only_institution(sql, params, institution)
    rows = []
    for found in db.query(sql, params):
        row = table_row(found)
        row["days_left"] = (date.fromisoformat(row["end"]) - day).days
        rows.append(row)
    rows.sort(key=lambda r: (r["end"], r["institution"], r["last_name"], r["first_name"], r["person_id"]))
    return rows
