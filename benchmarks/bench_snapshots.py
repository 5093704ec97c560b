"""Load time of an institution with a long history, with and without snapshots.

``measure(store_url, args, emit)`` builds one institution with ``args.events``
events (default 100,000: select/deselect steps after a roster), then times
loading it through the repository (latest snapshot + the events after it)
and replaying every event from the start, in the same run. Run standalone:

    .venv/bin/python benchmarks/bench_snapshots.py [EVENTS]
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.application import project_aggregate

from grantbook.adapters.store import StoreLocation
from grantbook.application import SNAPSHOT_INTERVAL, GrantBook
from grantbook.domain import Act, Institution, RosterEntry

BATCH = 5000  # events per save while building the history


def _build(app: GrantBook, number: str, events: int) -> uuid.UUID:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    act = Act("jan", now)
    app.register_institution(act, number, "Benchmark school", ["jan"])
    entries = [
        RosterEntry(person_id=f"{90000 + i}", first_name=f"F{i}", last_name=f"L{i}", category="Medewerker",
                    status="Actief", begin_date=date(2015, 9, 1))
        for i in range(1, 201)
    ]
    app.import_roster(act, number, entries)
    institution = app.institution(number)
    n = 0
    while institution.version < events:
        n += 1
        step = Act("jan", now + timedelta(seconds=n))
        pid = f"{90000 + 1 + n % 200}"
        institution.select(step, [pid])
        institution.deselect(step, [pid])
        if len(institution.pending_events) >= BATCH:
            app.save(institution)
    app.save(institution)
    return Institution.id_for(number)


def _best_of(repeats: int, action: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best


def measure(store_url: str, args: Any, emit: Callable[[dict[str, Any]], None]) -> None:
    events = int(getattr(args, "events", None) or 100_000)
    number = f"{int(time.time() * 1000) % 900000 + 100000:06d}"  # a fresh institution each run
    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    try:
        started = time.perf_counter()
        institution_id = _build(app, number, events)
        build = time.perf_counter() - started
        version = app.repository.get(institution_id).version
        with_snapshots = _best_of(5, lambda: app.repository.get(institution_id))
        replay = _best_of(2, lambda: project_aggregate(None, app.events.get(institution_id)))
    finally:
        app.close()
    label = f"{version} events, snapshot every {SNAPSHOT_INTERVAL}"
    emit({"name": f"load institution ({label})", "value": round(with_snapshots * 1000, 2), "unit": "ms",
          "baseline": round(replay * 1000, 2), "ratio": round(with_snapshots / replay, 4)})
    emit({"name": f"replay institution without snapshots ({version} events)",
          "value": round(replay * 1000, 2), "unit": "ms", "baseline": None, "ratio": None})
    emit({"name": f"build history ({version} events, batches of {BATCH})",
          "value": round(build, 2), "unit": "s", "baseline": None, "ratio": None})


if __name__ == "__main__":
    class _Args:
        events = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000

    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.db'}", _Args(), lambda row: print(row))
