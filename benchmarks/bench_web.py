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
import http.client
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
GROUP = 25
FLOWS = 32  # grant flows per run, web and direct each: 8 took half a second, too short for a steady rate
ACTOR = "bench"  # the administrator of every institution the filled store holds


def _now() -> datetime:
    return datetime.now(UTC)


def _prepare_flows(store_url: str, first: int, count: int) -> list[str]:
    """``count`` new institutions numbered from ``first`` on, with 25 staff each, administered by
    ``bench`` (untimed). Numbers an earlier run registered are passed over: their staff hold the
    right already, and a flow there would be refused."""
    from schools import roster_of  # benchmarks/schools.py

    from grantbook.adapters.store import StoreLocation
    from grantbook.application import GrantBook
    from grantbook.domain import Act, RuleViolation

    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    act = Act(ACTOR, _now())
    numbers: list[str] = []
    candidate = first
    while len(numbers) < count:
        if candidate > 999_999:
            raise RuntimeError(f"no free institution numbers from {first} on for the grant flows")
        number, candidate = f"{candidate:06d}", candidate + 1
        try:
            app.register_institution(act, number, f"Flow school {number}", [ACTOR])
        except RuleViolation:
            continue
        app.import_roster(act, number, roster_of(number, GROUP))
        numbers.append(number)
    app.close()
    return numbers


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
        # the workers write a JSON line per request on stdout: read on, or they block on a full pipe
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
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

    def worker_peaks(self) -> list[int]:
        """Peak resident memory (kB, VmHWM) of each worker process (Linux /proc), so far."""
        peaks = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                if parent == self.process.pid:
                    status = (stat.parent / "status").read_text()
                    peaks.append(int(status.split("VmHWM:")[1].split()[0]))
            except (OSError, IndexError, ValueError):
                continue
        return peaks

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Browser:
    """One keep-alive connection, as a browser tab holds one: the standard library's HTTP client, so
    the load generator (on the same cores as the server) spends little of their time itself (httpx
    took 1-2 ms of CPU per request, as much as a kept page costs the server)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None,
                 cookies: dict[str, str] | None = None) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = dict(headers or {})
        if cookies:
            self.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())

    def get(self, path: str) -> tuple[int, bytes]:
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def post(self, path: str, form: dict[str, str]) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(form)
        headers = {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def _load(
    server: Server, path: str, requests: int, clients: int,
    headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None,
) -> tuple[float, list[float]]:
    """``requests`` GETs of ``path`` from ``clients`` threads, each on its own keep-alive
    connection: (requests/s, latencies in seconds)."""
    latencies: list[float] = []
    lock = threading.Lock()
    share = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]

    def client() -> Browser:
        return Browser(server.base, headers, cookies)

    def work(count: int) -> None:
        mine = []
        with client() as client_:
            for _ in range(count):
                started = time.perf_counter()
                status, _ = client_.get(path)
                mine.append(time.perf_counter() - started)
                assert status == 200, (path, status)
        with lock:
            latencies.extend(mine)

    def warm() -> None:  # read models caught up, every worker's caches: connections in parallel,
        with client() as fresh:  # so that each worker accepts some (one keep-alive reaches one)
            for _ in range(2):
                fresh.get(path)

    warming = [threading.Thread(target=warm) for _ in range(2 * clients)]
    for thread in warming:
        thread.start()
    for thread in warming:
        thread.join()
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
    with Browser(server.base, cookies={"grantbook_session": server.cookie}) as client:
        for i in range(GROUP):
            status, body = client.post(
                f"/instellingen/{number}/toekennen/selecteer",
                {"csrf_token": server.csrf, "persoon": f"{number}{i:03d}"},
            )
            assert status == 303, body[:300]
        today = datetime.now(UTC).date()
        status, body = client.post(
            f"/instellingen/{number}/toekennen/stap-2",
            {
                "csrf_token": server.csrf,
                "recht": IRIS,
                "context": "Gebruiker",
                "begindatum": today.strftime("%d/%m/%Y"),
                "einddatum": (today + timedelta(days=300)).strftime("%d/%m/%Y"),
            },
        )
        assert status == 303, body[:300]
        status, body = client.post(f"/instellingen/{number}/toekennen/bevestig", {"csrf_token": server.csrf})
        assert status == 303, body[:300]


def _flows_per_second(run_flow: Callable[[str], None], numbers: list[str], clients: int) -> float:
    queue = list(numbers)
    lock = threading.Lock()

    failed: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                if not queue or failed:
                    return
                number = queue.pop()
            try:
                run_flow(number)
            except BaseException as error:  # a refused flow: no rate at all, not a faster one
                failed.append(error)
                return

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[0]
    return len(numbers) / (time.perf_counter() - started)


ONE = "bench1"  # administrator of the filled store's first institution only
AUDITOR = "oudit"  # auditor of every institution (GRANTBOOK_AUDITORS)


def _prepare_people(store_url: str, number: str) -> None:
    """``ONE`` appointed administrator of ``number`` (untimed; once per store)."""
    from grantbook.adapters.store import StoreLocation
    from grantbook.application import GrantBook
    from grantbook.domain import Act, RuleViolation

    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    try:
        app.appoint_administrator(Act(ACTOR, _now()), number, ONE)
    except RuleViolation:
        pass  # appointed by an earlier run
    app.close()


def _emit_load(
    emit: Callable[[dict[str, Any]], None],
    prefix: str,
    web: tuple[float, list[float]],
    direct: tuple[float, list[float]],
    clients: int,
) -> None:
    rate, latencies = web
    base_rate, base_latencies = direct
    emit({"name": f"{prefix}_rps", "value": round(rate, 1), "unit": "requests/s",
          "baseline": round(base_rate, 1), "clients": clients})
    for q, label in ((0.5, "p50"), (0.99, "p99")):
        emit({"name": f"{prefix}_{label}", "value": round(_quantile(latencies, q), 5), "unit": "s",
              "baseline": round(_quantile(base_latencies, q), 5)})


def measure(store_url: str, args: argparse.Namespace, emit: Callable[[dict[str, Any]], None]) -> None:
    """Lines ``web_<page>_c<clients>_{rps,p50,p99}`` for one school's pages as its administrator
    (``ONE``) and the API as that person; ``web_<page>_many_c<clients>_…`` for the administrator of
    every school (``bench``) and ``web_<page>_auditor_many_c<clients>_…`` for an auditor of every
    institution; each next to the same view asked by a direct call (``baseline``). Then
    ``web_grant_flows_w<workers>`` next to the same steps called directly; last the one-school lines
    with nothing kept, ``web_<page>_made_c<clients>_…``."""
    import os

    from grantbook.adapters.store import StoreLocation
    from grantbook.adapters.tokens import TokenStore
    from grantbook.application import GrantBook
    from grantbook.domain import Act
    from grantbook.domain.tasks import EXPIRING_DAYS
    from grantbook.projections import read_models, views
    from grantbook.web.sessions import SessionStore

    requests = getattr(args, "web_requests", None) or 200
    flows = getattr(args, "web_flows", None) or FLOWS
    clients = getattr(args, "web_clients", None) or 8
    workers = getattr(args, "web_workers", None) or 2
    number = "100000"  # the filled store's first institution
    location = StoreLocation.parse(store_url)
    series = _prepare_flows(store_url, 950000, flows)
    direct_numbers = _prepare_flows(store_url, 820000, flows)
    _prepare_people(store_url, number)

    # The same views asked by a direct call (one process, its read models kept open).
    app = GrantBook.open(location, create=False, cache_size=1000)
    models = read_models(app)
    today = datetime.now(UTC).date()
    one, bench, auditor = views.Reader(ONE), views.Reader(ACTOR), views.Reader(AUDITOR, True)

    def asking(view: Callable[..., Any], *a: Any, **k: Any) -> Callable[[], Any]:
        return lambda: views.ask(models, view, *a, **k)

    def trail(reader: views.Reader) -> Callable[[], Any]:
        def run() -> Any:
            views.ask(models, views.audit, reader, number, limit=0)
            return views.ask(models, views.audit, reader, number, limit=50)
        return run

    cases: dict[str, tuple[str, str, Callable[[], Any]]] = {  # line: (who, path, direct)
        "rights": (ONE, f"/instellingen/{number}/rechten", asking(views.rights_on, one, number, today)),
        "expiring": (ONE, "/vervallend?binnen=30", asking(views.expiring, one, today, 30)),
        "audit": (ONE, f"/instellingen/{number}/audit", trail(one)),
        "start": (ONE, "/", asking(views.visible_institutions, one, today, EXPIRING_DAYS,
                                   ignore_integrity=True)),
        "api_rights": (ONE, f"/api/v1/institutions/{number}/rights",
                       asking(views.rights_on, one, number, today)),
        "api_expiring": (ONE, f"/api/v1/institutions/{number}/expiring",
                         asking(views.expiring, one, today, 30, number, with_ids=True)),
        "expiring_many": (ACTOR, "/vervallend?binnen=30", asking(views.expiring, bench, today, 30)),
        "start_many": (ACTOR, "/", asking(views.visible_institutions, bench, today, EXPIRING_DAYS,
                                          ignore_integrity=True)),
        "expiring_auditor_many": (AUDITOR, "/vervallend?binnen=30",
                                  asking(views.expiring, auditor, today, 30)),
        "start_auditor_many": (AUDITOR, "/", asking(views.visible_institutions, auditor, today,
                                                    EXPIRING_DAYS, ignore_integrity=True)),
    }
    only = getattr(args, "web_only", None)
    if only:
        cases = {k: v for k, v in cases.items() if k in only.split(",")}
    direct = {name: _direct(call, requests) for name, (_, _, call) in cases.items()}

    def direct_flow(n: str) -> None:
        act = Act(ACTOR, _now())
        for i in range(GROUP):
            app.select(Act(ACTOR, _now()), n, [f"{n}{i:03d}"])
        app.assign(act, n, IRIS, "Gebruiker", today, today + timedelta(days=300))
        app.confirm(Act(ACTOR, _now()), n)

    direct_flows = _flows_per_second(direct_flow, direct_numbers, 1) if not only else 0.0
    models.close()
    app.close()

    sessions = SessionStore(location)
    cookies = {who: sessions.start(who) for who in (ONE, ACTOR, AUDITOR)}
    sessions.close()
    tokens = TokenStore(location)
    secret, _ = tokens.create(ONE, "bench", today)
    tokens.close()
    os.environ["GRANTBOOK_AUDITORS"] = AUDITOR

    def pages(server: Server, names: list[str], suffix: str) -> None:
        """Each case's page under load, as its person (a session, or the API token)."""
        for name in names:
            who, path, _ = cases[name]
            if path.startswith("/api/"):
                headers, jar = {"Authorization": f"Bearer {secret}"}, {}
            else:
                headers, jar = {}, {"grantbook_session": cookies[who]}
            web = _load(server, path, requests, clients, headers, jar)
            _emit_load(emit, f"web_{name}{suffix}_c{clients}", web, direct[name], clients)

    server = Server(store_url, workers)
    try:
        pages(server, list(cases), "")
        peaks = server.worker_peaks()
        if peaks:  # the many-school pages are the heaviest; a single worker process has none of its own
            emit({"name": f"web_worker_peak_rss_w{workers}", "value": max(peaks), "unit": "kB",
                  "workers": len(peaks)})
        if not only:
            rate = _flows_per_second(lambda n, s=server: _web_flow(s, n), series, clients)
            emit({"name": f"web_grant_flows_w{workers}", "value": round(rate, 2), "unit": "flows/s",
                  "baseline": round(direct_flows, 2), "clients": clients, "persons_per_flow": GROUP})
    finally:
        server.stop()
    # The one-school lines again with nothing kept (GRANTBOOK_KEPT_PAGES=0): every request made anew,
    # as the first after a change is (lines web_<page>_made_c<clients>_...).
    os.environ["GRANTBOOK_KEPT_PAGES"] = "0"
    server = Server(store_url, workers)
    try:
        pages(server, [name for name, (who, _, _) in cases.items() if who == ONE], "_made")
    finally:
        server.stop()
        del os.environ["GRANTBOOK_KEPT_PAGES"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a filled store (default: fill a small SQLite store first)")
    parser.add_argument("--requests", dest="web_requests", type=int, default=200)
    parser.add_argument("--flows", dest="web_flows", type=int, default=FLOWS)
    parser.add_argument("--clients", dest="web_clients", type=int, default=8)
    parser.add_argument("--workers", dest="web_workers", type=int, default=2)
    parser.add_argument("--only", dest="web_only", help="comma-separated page lines (no grant flows)")
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
