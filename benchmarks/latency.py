"""Latency lines of ``benchmarks/run.py``: each question as a command asks it (freshness check,
snapshot, query), next to a hand-written SQL query returning the same rows from the same tables."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.projections import read_models
from grantbook.projections.rights_questions import query_ending_between, query_held_on

TODAY = date(2026, 11, 30)
WARM_UP = 3  # calls of each case before its samples


def timed(ours: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> list[tuple[float, float]]:
    """(p50, p99) seconds of ``ours`` and of ``baseline``, their samples taken in turn (so both meet the
    same load on the machine) after a few calls each to warm caches (statements compiled once per
    process, pages in the database's cache)."""
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(WARM_UP):
        ours(), baseline()
    for _ in range(repeat):
        for function, found in zip((ours, baseline), samples, strict=True):
            started = time.perf_counter()
            function()
            found.append(time.perf_counter() - started)
    figures = []
    for found in samples:
        found.sort()
        figures.append((statistics.median(found), found[min(len(found) - 1, int(len(found) * 0.99))]))
    return figures


HAND_EXPIRING = (
    "SELECT i.number, r.person_id, r.first_name, r.last_name, r.category, r.right_name, r.context,"
    " r.begin_day, r.end_day, r.granted_by, r.granted_at"
    " FROM gb_rights r JOIN gb_institutions i ON i.originator_id = r.originator_id"
    " WHERE r.voided_at IS NULL AND r.end_day >= ? AND r.end_day <= ?"
    " AND (r.revoked_on IS NULL OR r.revoked_on > ?) {extra}"
    " ORDER BY r.end_day, i.number, r.last_name, r.first_name, r.person_id"
)
HAND_RIGHTS_ON = (
    "SELECT i.number, r.person_id, r.first_name, r.last_name, r.category, r.right_name, r.context,"
    " r.begin_day, r.end_day, r.granted_by, r.granted_at,"
    " r.grant_id, r.revoked_on, r.revoked_by, r.revoke_reason"
    " FROM gb_rights r JOIN gb_institutions i ON i.originator_id = r.originator_id"
    " WHERE r.last_day IS NOT NULL AND r.begin_day <= ? AND r.last_day >= ? {extra}"
    " ORDER BY i.number, r.last_name, r.first_name, r.person_id, r.right_name"
)


def raw_connection(models: Any) -> Any:
    """A plain DB-API connection to the read models' database (the hand-written baseline's)."""
    connection = models.db.engine.raw_connection()
    if models.db.kind != "sqlite":
        cursor = connection.cursor()
        cursor.execute("SELECT set_config('search_path', %s, false)", (models.db.schema,))
        connection.commit()
    return connection


def latencies(url: str, repeat: int, emit: Callable[[dict[str, Any]], None]) -> None:
    app = GrantBook.open(StoreLocation.parse(url), create=False)
    models = read_models(app)
    models.catch_up()
    raw = raw_connection(models)
    marker = "?" if models.db.kind == "sqlite" else "%s"
    one = "100000"
    day, last = TODAY, TODAY + timedelta(days=30)

    def hand(sql: str, params: list[Any]) -> Callable[[], Any]:
        def run() -> Any:
            cursor = raw.cursor()
            cursor.execute(sql.replace("?", marker), params)
            return cursor.fetchall()

        return run

    def ours(question: Callable[[Any], Any]) -> Callable[[], Any]:
        return lambda: models.answer(question)  # catch-up check, snapshot, question: what a command does

    cases = {
        "expiring_all": (
            ours(lambda c: query_ending_between(c, day, 30)),
            hand(HAND_EXPIRING.format(extra=""), [day.isoformat(), last.isoformat(), day.isoformat()]),
        ),
        "expiring_one": (
            ours(lambda c: query_ending_between(c, day, 30, one)),
            hand(
                HAND_EXPIRING.format(extra="AND i.number = ?"),
                [day.isoformat(), last.isoformat(), day.isoformat(), one],
            ),
        ),
        "rights_on_all": (
            ours(lambda c: query_held_on(c, day)),
            hand(HAND_RIGHTS_ON.format(extra=""), [day.isoformat(), day.isoformat()]),
        ),
        "rights_on_one": (
            ours(lambda c: query_held_on(c, day, one)),
            hand(HAND_RIGHTS_ON.format(extra="AND i.number = ?"), [day.isoformat(), day.isoformat(), one]),
        ),
    }
    for name, (ours, baseline) in cases.items():
        (p50, p99), (b50, b99) = timed(ours, baseline, repeat)
        emit({"name": f"{name}_p50", "value": round(p50, 6), "unit": "s", "baseline": round(b50, 6)})
        emit({"name": f"{name}_p99", "value": round(p99, 6), "unit": "s", "baseline": round(b99, 6)})
    raw.close()
    models.close()
    app.close()


