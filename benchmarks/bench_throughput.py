"""Command throughput: confirm commands per second, each granting 25 people,
from 1, 2 and 4 processes, next to a raw baseline measured in the same run
(plain sqlite3 executemany / psycopg of the same rows, 25 per transaction).

Protocol (see benchmarks/run.py): ``measure(store_url, args, emit)``.
Standalone: ``python benchmarks/bench_throughput.py [--store URL] [--per-process N]``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
GROUP = 25


def _prepare(store_url: str, numbers: list[str]) -> None:
    """Register institutions, import 25 staff each, select them and assign (untimed)."""
    from schools import roster_of  # benchmarks/schools.py

    from grantbook.adapters.store import StoreLocation
    from grantbook.application import GrantBook
    from grantbook.domain import Act

    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    act = Act("bench", datetime.now(UTC))
    for number in numbers:
        app.register_institution(act, number, f"School {number}", ["bench"])
        roster = roster_of(number, GROUP)
        app.import_roster(act, number, roster)
        app.select(act, number, [r.person_id for r in roster])
        app.assign(act, number, IRIS, "Gebruiker", date(2026, 9, 1), date(2027, 8, 31))
    app.close()


def _confirm_all(store_url: str, numbers: list[str], start_at: float) -> None:
    """Worker process: confirm each institution's pending assignment, print timings."""
    from grantbook.adapters.store import StoreLocation
    from grantbook.application import GrantBook
    from grantbook.domain import Act

    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    while time.time() < start_at:
        time.sleep(0.001)
    begin = time.time()
    for number in numbers:
        granted = app.confirm(Act("bench", datetime.now(UTC)), number)
        assert len(granted) == GROUP
    print(json.dumps([begin, time.time(), len(numbers)]), flush=True)
    app.close()


def confirms_per_second(store_url: str, processes: int, per_process: int, offset: int) -> float:
    groups = [[f"{offset + p * per_process + i:06d}" for i in range(per_process)] for p in range(processes)]
    for numbers in groups:
        _prepare(store_url, numbers)
    start_at = time.time() + 2.0  # let every process import and connect first
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", store_url, repr(start_at), ",".join(numbers)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for numbers in groups
    ]
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        if worker.returncode != 0:
            raise RuntimeError(f"throughput worker failed with exit code {worker.returncode}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = max(end for _, end, _ in results) - min(begin for begin, _, _ in results)
    return sum(n for _, _, n in results) / elapsed


def raw_transactions_per_second(store_url: str, transactions: int) -> float:
    """The same rows written raw: one transaction of 25 grant rows per confirm."""
    rows = [
        (
            f"{t:06d}-{i}",
            f"{t:06d}",
            f"{t:06d}{i:03d}",
            IRIS,
            "Gebruiker",
            "2026-09-01",
            "2027-08-31",
            "bench",
        )
        for t in range(transactions)
        for i in range(GROUP)
    ]
    sql_create = (
        "CREATE TABLE raw_grants (grant_id text primary key, institution text, person_id text, "
        "right_name text, context text, begin_date text, end_date text, granted_by text)"
    )
    if store_url.startswith("sqlite:"):
        folder = Path(tempfile.mkdtemp(prefix="gb-raw-"))
        db = sqlite3.connect(folder / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(sql_create)
        begin = time.perf_counter()
        for t in range(transactions):
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO raw_grants VALUES (?,?,?,?,?,?,?,?)", rows[t * GROUP : (t + 1) * GROUP]
            )
            db.execute("COMMIT")
        elapsed = time.perf_counter() - begin
        db.close()
        return transactions / elapsed
    from grantbook.adapters.postgres import connect
    from grantbook.adapters.store import StoreLocation

    connection = connect(StoreLocation.parse(store_url))
    schema = "gb_raw_" + uuid.uuid4().hex[:8]
    connection.execute(f'CREATE SCHEMA "{schema}"')
    connection.execute(sql_create.replace("raw_grants", f'"{schema}".raw_grants'))
    try:
        begin = time.perf_counter()
        for t in range(transactions):
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(
                    f'INSERT INTO "{schema}".raw_grants VALUES (%s,%s,%s,%s,%s,%s,%s,%s)',
                    rows[t * GROUP : (t + 1) * GROUP],
                )
        return transactions / (time.perf_counter() - begin)
    finally:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        connection.close()


def measure(store_url: str, args: argparse.Namespace, emit: Callable[[dict], None]) -> None:
    per_process = getattr(args, "confirms_per_process", None) or 40
    baseline = raw_transactions_per_second(store_url, per_process * 4)
    emit({"name": "raw_25_row_transactions", "value": round(baseline, 1), "unit": "transactions/s"})
    for index, processes in enumerate((1, 2, 4)):
        rate = confirms_per_second(store_url, processes, per_process, offset=800000 + index * 40000)
        emit(
            {
                "name": f"confirm_throughput_{processes}p",
                "value": round(rate, 1),
                "unit": "confirms/s",
                "baseline": round(baseline, 1),
                "ratio": round(rate / baseline, 4),
            }
        )


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--worker":
    _confirm_all(sys.argv[2], sys.argv[4].split(","), float(sys.argv[3]))
elif __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="store URL (default: a new SQLite file)")
    parser.add_argument("--confirms-per-process", type=int, default=40)
    options = parser.parse_args()
    url = options.store or f"sqlite:///{Path(tempfile.mkdtemp(prefix='gb-bench-')) / 'bench.db'}"
    measure(url, options, lambda line: print(json.dumps(line), flush=True))
