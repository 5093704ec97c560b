"""Leavers: rights still held (today or later) by persons no longer Actief on their institution's roster."""

from __future__ import annotations

from datetime import date
from typing import Any

from .current_rights import _SELECT, RIGHTS_COLUMNS, only_institution, rights_sort_key, table_row

LEAVERS_COLUMNS = (*RIGHTS_COLUMNS, "status")


def query_leavers(db: Any, day: date, institution: str | None = None) -> list[dict[str, Any]]:
    sql = (
        _SELECT.replace(" FROM", ", p.status FROM")
        + " JOIN gb_people p ON p.originator_id = r.originator_id AND p.person_id = r.person_id"
        + " WHERE p.status <> 'Actief' AND r.last_day IS NOT NULL AND r.last_day >= ?"
    )
    params: list[Any] = [day.isoformat()]
    sql, params = only_institution(sql, params, institution)
    rows = []
    for found in db.query(sql, params):
        row = table_row(found)
        row["status"] = found["status"]
        rows.append(row)
    rows.sort(key=rights_sort_key)
    return rows
