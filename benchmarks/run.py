"""Region-sized benchmark for grantbook's read models.

    python benchmarks/run.py [--store URL] [--institutions N] [--staff N] [--grants N]

Fills a store (default: a new SQLite file in a temporary folder) through the
application, many events per save, with a progress bar on stderr, then
prints one JSON object per line on stdout: ``name``, ``value``, ``unit`` and,
where there is one, ``baseline`` and ``ratio`` (value / baseline).

Lines: ``projection_catchup`` (events/s, next to a raw read of the same
stored events), ``decode_only`` (the library's read-and-decode pass over the
same events in the same pages: ``select_notifications`` and
``mapper.to_domain_event``), ``catchup_vs_decode`` (catch-up next to that
pass), ``projection_catchup_pN`` (the catch-up from nothing in worker
processes, docs/adr/0026), ``expiring_{all,one}_{p50,p99}`` and
``rights_on_{all,one}_{p50,p99}`` (seconds per question, catch-up check
included, next to a hand-written SQL query returning the same rows from the
same tables), ``rebuild_peak_rss_{small,full}`` (kB, a full rebuild in a
subprocess, on a store a tenth the size and on the full one).

Plug-ins: every ``benchmarks/bench_*.py`` module is imported and its
``measure(store_url: str, args: argparse.Namespace, emit: Callable[[dict], None]) -> None``
called with the filled store's URL, the parsed arguments and ``emit``, which
prints one line (a dict with at least ``name``, ``value``, ``unit``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from latency import latencies, raw_connection  # benchmarks/latency.py

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, Institution, RosterEntry, RuleViolation
from grantbook.projections import read_models
from grantbook.projections.parallel import cores
from grantbook.projections.runner import BULK_PAGE as PAGE

IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
CONTEXTS = ("Gebruiker", "Beheerder", "Operator")
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
TODAY = date(2026, 11, 30)
BATCH = 20
SAVE_EVERY = 10  # institutions per save


def emit(line: dict[str, Any]) -> None:
    if "baseline" in line and line["baseline"]:
        line["ratio"] = float(f"{line['value'] / line['baseline']:.3g}")  # 3 significant digits
    print(json.dumps(line), flush=True)


def fill(url: str, institutions: int, staff: int, grants: int, label: str) -> int:
    """Registers institutions, imports rosters and grants rights; returns the number of grants."""
    rng = random.Random(1)
    app = GrantBook.open(StoreLocation.parse(url), create=True)
    act = Act(actor="bench", now=NOW)
    per_staff = max(1, staff // institutions)
    per_grants = max(1, grants // institutions)
    total = 0
    pending: list[Institution] = []
    with click.progressbar(length=institutions, label=label, file=sys.stderr) as bar:
        for n in range(institutions):
            number = f"{100000 + n:06d}"
            institution = Institution.register(act, number, f"School {n}", ["bench"])
            ids = [f"{n * per_staff + i + 100000:07d}" for i in range(per_staff)]
            roster = [
                RosterEntry(
                    person_id=pid,
                    first_name=f"F{i}",
                    last_name=f"L{rng.randrange(1000)}",
                    category="Leraar",
                    status="Actief",
                    begin_date=date(2015, 9, 1),
                )
                for i, pid in enumerate(ids)
            ]
            institution.import_roster(act, roster)
            done = 0
            k = 0
            while done < per_grants:
                size = min(BATCH, per_grants - done, per_staff)
                first = (k * BATCH) % per_staff
                chosen = [ids[(first + j) % per_staff] for j in range(size)]
                pass_no = (k * BATCH) // per_staff
                context = CONTEXTS[pass_no % len(CONTEXTS)]
                begin = date(2026, 6, 1) + timedelta(
                    days=400 * (pass_no // len(CONTEXTS)) + rng.randrange(30)
                )
                end = begin + timedelta(days=rng.randrange(60, 360))
                institution.select(act, chosen)
                institution.assign(act, IRIS, context, begin, end)
                try:
                    institution.confirm(act)
                    done += size
                except RuleViolation:
                    institution.cancel(act)
                left = [person.person_id for person in institution.selection_of(act.actor)]
                if left:
                    institution.deselect(act, left)
                if rng.random() < 0.2:
                    try:
                        institution.extend(act, chosen[0], IRIS, end + timedelta(days=30), context)
                    except RuleViolation:
                        pass
                k += 1
            total += done
            # A later roster re-import: about one in twenty has left (the leavers).
            institution.import_roster(
                act,
                [e.model_copy(update={"status": "Inactief"}) if rng.random() < 0.05 else e for e in roster],
            )
            pending.append(institution)
            if len(pending) >= SAVE_EVERY:
                app.save(*pending)
                pending.clear()
            bar.update(1)
        if pending:
            app.save(*pending)
    app.close()
    return total


def catchup_speed(url: str) -> None:
    app = GrantBook.open(StoreLocation.parse(url), create=False)
    models = read_models(app)
    models.rebuild()  # warm, and start from nothing below
    models.empty()
    events = models.head()
    started = time.perf_counter()
    models.catch_up()
    ours = events / (time.perf_counter() - started)
    # The raw read of the same rows: every stored event, straight from the database.
    table = "stored_events" if app.location.kind == "sqlite" else "grantbook_events"
    connection = raw_connection(models)
    started = time.perf_counter()
    cursor = connection.cursor()
    cursor.execute(f"SELECT * FROM {table}")  # a constant: the library's table name
    rows = cursor.fetchall()
    raw = len(rows) / (time.perf_counter() - started)
    connection.close()
    emit({"name": "projection_catchup", "value": round(ours), "unit": "events/s", "baseline": round(raw)})
    # The library's own read-and-decode pass over the same events, in the catch-up's pages: each
    # stored event read with select_notifications and made into its domain event, nothing else.
    decoded = decode_only(app, events)
    emit({"name": "decode_only", "value": round(decoded), "unit": "events/s", "baseline": round(raw)})
    emit({"name": "catchup_vs_decode", "value": round(ours), "unit": "events/s", "baseline": round(decoded)})
    models.empty()  # the same catch-up from nothing, in worker processes (docs/adr/0026)
    models.processes = cores()
    started = time.perf_counter()
    models.catch_up()
    parts = events / (time.perf_counter() - started)
    emit({"name": "projection_catchup_pN", "value": round(parts), "unit": "events/s",
          "baseline": round(decoded), "processes": models.processes})
    models.close()
    app.close()


def decode_only(app: Any, head: int) -> float:
    recorder, mapper = app.recorder, app.mapper
    started = time.perf_counter()
    position = count = 0
    while position < head:
        page = recorder.select_notifications(start=position, limit=PAGE, stop=head, inclusive_of_start=False)
        for notification in page:
            mapper.to_domain_event(notification)
        count += len(page)
        position = page[-1].id if len(page) == PAGE else head
    return count / (time.perf_counter() - started)


def rebuild_rss(url: str) -> int:
    """Peak RSS (kB) of a full rebuild, measured in a fresh subprocess."""
    out = subprocess.run(
        [sys.executable, __file__, "--rebuild-child", url], check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def rebuild_child(url: str) -> None:
    import resource

    app = GrantBook.open(StoreLocation.parse(url), create=False)
    models = read_models(app)
    models.rebuild()
    models.close()
    app.close()
    # ru_maxrss survives exec on Linux (it would report the parent's peak): prefer VmHWM.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                print(int(line.split()[1]))
                return
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def small_url(url: str) -> str:
    location = StoreLocation.parse(url)
    if location.kind == "sqlite":
        assert location.path is not None
        return "sqlite:///" + str(location.path.with_name(location.path.stem + "-small.db"))
    base = url.split("?")[0]
    return f"{base}?schema={(location.schema or 'public')}_small"


def plugins() -> list[Any]:
    found = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.append(module)
    # Plug-ins that need the store as filled (``FIRST = True``: bench_replay verifies every chain)
    # run first; those that leave it damaged (``LAST = True``: bench_integrity adds institutions
    # whose chains it disables, which stops every reader of all institutions) run last.
    def order(module: Any) -> int:
        return 0 if getattr(module, "FIRST", False) else 2 if getattr(module, "LAST", False) else 1

    return sorted(found, key=order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--staff", type=int, help="default: 40 per institution")
    parser.add_argument("--grants", type=int, help="default: 200 per institution")
    parser.add_argument("--repeat", type=int, default=50, help="samples per latency")
    parser.add_argument("--replay-repeat", type=int, default=3, help="rebuild, verify samples")
    parser.add_argument("--rebuild-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rebuild_child:
        rebuild_child(args.rebuild_child)
        return
    args.staff = args.staff or args.institutions * 40
    args.grants = args.grants or args.institutions * 200
    tmp = tempfile.TemporaryDirectory(prefix="grantbook-bench-")
    url = args.store or f"sqlite:///{tmp.name}/bench.db"
    started = time.perf_counter()
    grants = fill(url, args.institutions, args.staff, args.grants, "filling store")
    seconds = time.perf_counter() - started
    emit({"name": "fill_grants", "value": grants, "unit": "grants"})
    emit({"name": "fill_rate", "value": round(grants / seconds), "unit": "grants/s"})
    catchup_speed(url)
    latencies(url, args.repeat, emit)
    small = small_url(url)
    fill(
        small,
        max(1, args.institutions // 10),
        max(1, args.staff // 10),
        max(1, args.grants // 10),
        "small store",
    )
    emit({"name": "rebuild_peak_rss_small", "value": rebuild_rss(small), "unit": "kB"})
    emit({"name": "rebuild_peak_rss_full", "value": rebuild_rss(url), "unit": "kB"})
    for module in plugins():
        module.measure(url, args, emit)
    tmp.cleanup()


if __name__ == "__main__":
    main()
