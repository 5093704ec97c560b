"""The web pages under load: requests per second and p50/p99 latency of the rights page and the
expiring report on the filled store, and grant flows per second (25 times "+", "Verder" on step 2,
"Bevestig"), served by ``grantbook serve`` with 1 and 4 worker processes, each next to the same work
done by a direct call of the application in the same run (``ratio`` = web / direct).

Protocol (see benchmarks/run.py): ``measure(store_url, args, emit)``.
Standalone: ``python benchmarks/bench_web.py [--store URL] [--requests N] [--flows N] [--clients N]``
(without --store: fills a small SQLite store first).
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
GROUP = 25
ACTOR = "bench"  # the administrator of every institution the filled store holds


def _now() -> datetime:
    return datetime.now(UTC)


def _prepare_flows(store_url: str, numbers: list[str]) -> None:
    """Institutions with 25 staff each, administered by ``bench`` (untimed)."""
    from schools import roster_of  # benchmarks/schools.py

    from grantbook.adapters.store import StoreLocation
    from grantbook.application import GrantBook
    from grantbook.domain import Act

    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    act = Act(ACTOR, _now())
    for number in numbers:
        app.register_institution(act, number, f"Flow school {number}", [ACTOR])
        roster = roster_of(number, GROUP)
        app.import_roster(act, number, roster)
    app.close()


class Server:
    """``grantbook serve`` as a subprocess, signed in through the link it prints."""

    def __init__(self, store_url: str, workers: int) -> None:
        command = [
            sys.executable,
            "-m",
            "grantbook.cli.main",
            "--store",
            store_url,
            "--as",
            ACTOR,
            "serve",
            "--port",
            "0",
            "--workers",
            str(workers),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("open "):
            raise RuntimeError(f"grantbook serve did not start: {line!r}")
        self.link = line.split(" ", 1)[1].strip()
        self.base = self.link.split("/login")[0]
        with httpx.Client(base_url=self.base) as client:
            for _ in range(100):  # every worker answers once it has started
                try:
                    client.get(self.link)
                    self.cookie = client.cookies["grantbook_session"]
                    break
                except (httpx.HTTPError, KeyError):
                    time.sleep(0.1)
            start = client.get("/", cookies={"grantbook_session": self.cookie})
        found = re.search(r'name="csrf_token" value="([^"]+)"', start.text)
        assert found, start.text[:500]
        self.csrf = found.group(1)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, cookies={"grantbook_session": self.cookie}, timeout=60)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _load(server: Server, path: str, requests: int, clients: int) -> tuple[float, list[float]]:
    """``requests`` GETs of ``path`` from ``clients`` threads: (requests/s, latencies in seconds)."""
    latencies: list[float] = []
    lock = threading.Lock()
    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def work(count: int) -> None:
        mine = []
        with server.client() as client:
            for _ in range(count):
                started = time.perf_counter()
                response = client.get(path)
                mine.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
        with lock:
            latencies.extend(mine)

    with server.client() as client:  # warm: read models caught up, institution in the cache
        client.get(path)
    threads = [threading.Thread(target=work, args=(n,)) for n in share]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return requests / (time.perf_counter() - started), latencies


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _direct(function: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    function()  # warm
    latencies = []
    started = time.perf_counter()
    for _ in range(repeat):
        begin = time.perf_counter()
        function()
        latencies.append(time.perf_counter() - begin)
    return repeat / (time.perf_counter() - started), latencies


def _web_flow(server: Server, number: str) -> None:
    with server.client() as client:
        for i in range(GROUP):
            response = client.post(
                f"/instellingen/{number}/toekennen/selecteer",
                data={"csrf_token": server.csrf, "persoon": f"{number}{i:03d}"},
            )
            assert response.status_code == 303, response.text[:300]
        today = datetime.now(UTC).date()
        response = client.post(
            f"/instellingen/{number}/toekennen/stap-2",
            data={
                "csrf_token": server.csrf,
                "recht": IRIS,
                "context": "Gebruiker",
                "begindatum": today.strftime("%d/%m/%Y"),
                "einddatum": (today + timedelta(days=300)).strftime("%d/%m/%Y"),
            },
        )
        assert response.status_code == 303, response.text[:300]
        response = client.post(f"/instellingen/{number}/toekennen/bevestig", data={"csrf_token": server.csrf})
        assert response.status_code == 303, response.text[:300]


def _flows_per_second(run_flow: Callable[[str], None], numbers: list[str], clients: int) -> float:
    queue = list(numbers)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                number = queue.pop()
            run_flow(number)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(numbers) / (time.perf_counter() - started)


def measure(store_url: str, args: argparse.Namespace, emit: Callable[[dict[str, Any]], None]) -> None:
    from grantbook.adapters.store import StoreLocation
    from grantbook.application import GrantBook
    from grantbook.domain import Act
    from grantbook.projections import read_models
    from grantbook.projections.rights_questions import query_ending_between, query_held_on

    requests = getattr(args, "web_requests", None) or 200
    flows = getattr(args, "web_flows", None) or 8
    clients = getattr(args, "web_clients", None) or 4
    number = "100000"  # the filled store's first institution
    series = {1: [f"{950000 + i:06d}" for i in range(flows)], 4: [f"{960000 + i:06d}" for i in range(flows)]}
    direct_numbers = [f"{820000 + i:06d}" for i in range(flows)]
    _prepare_flows(store_url, [n for numbers in series.values() for n in numbers] + direct_numbers)

    # The same work by a direct call of the application (one process, its read models kept open).
    app = GrantBook.open(StoreLocation.parse(store_url), create=False, cache_size=1000)
    models = read_models(app)
    today = datetime.now(UTC).date()
    direct = {
        "rights": _direct(lambda: models.answer(lambda c: query_held_on(c, today, number)), requests),
        "expiring": _direct(
            lambda: models.answer(lambda c: query_ending_between(c, today, 30, None)), requests
        ),
    }

    def direct_flow(n: str) -> None:
        act = Act(ACTOR, _now())
        for i in range(GROUP):
            app.select(Act(ACTOR, _now()), n, [f"{n}{i:03d}"])
        app.assign(act, n, IRIS, "Gebruiker", today, today + timedelta(days=300))
        app.confirm(Act(ACTOR, _now()), n)

    direct_flows = _flows_per_second(direct_flow, direct_numbers, 1)
    models.close()
    app.close()

    pages = {"rights": f"/instellingen/{number}/rechten", "expiring": "/vervallend?binnen=30"}
    for workers in (1, 4):
        server = Server(store_url, workers)
        try:
            for name, path in pages.items():
                rate, latencies = _load(server, path, requests, clients)
                base_rate, base_latencies = direct[name]
                prefix = f"web_{name}_w{workers}"
                emit(
                    {
                        "name": f"{prefix}_rps",
                        "value": round(rate, 1),
                        "unit": "requests/s",
                        "baseline": round(base_rate, 1),
                        "clients": clients,
                    }
                )
                for q, label in ((0.5, "p50"), (0.99, "p99")):
                    emit(
                        {
                            "name": f"{prefix}_{label}",
                            "value": round(_quantile(latencies, q), 5),
                            "unit": "s",
                            "baseline": round(_quantile(base_latencies, q), 5),
                        }
                    )
            rate = _flows_per_second(lambda n, s=server: _web_flow(s, n), series[workers], clients)
            emit(
                {
                    "name": f"web_grant_flows_w{workers}",
                    "value": round(rate, 2),
                    "unit": "flows/s",
                    "baseline": round(direct_flows, 2),
                    "clients": clients,
                    "persons_per_flow": GROUP,
                }
            )
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a filled store (default: fill a small SQLite store first)")
    parser.add_argument("--requests", dest="web_requests", type=int, default=200)
    parser.add_argument("--flows", dest="web_flows", type=int, default=8)
    parser.add_argument("--clients", dest="web_clients", type=int, default=4)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="grantbook-bench-web-")
    url = args.store
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    if url is None:
        from run import fill

        url = f"sqlite:///{tmp.name}/bench.db"
        fill(url, 20, 800, 4000, "filling store")
    from run import emit

    measure(url, args, emit)
    tmp.cleanup()


if __name__ == "__main__":
    main()
