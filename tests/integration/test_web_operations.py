"""What operators ask of a running server (issue 22, docs/adr/0022): /healthz, /readyz, /metrics and the
access log line per request, against a real server on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from conftest import fresh_store
from prometheus_client.parser import text_string_to_metric_families
from web_seed import IRIS, NUMBER, act, event_count, open_app, seed, today
from web_server import RunningServer, running

from grantbook.projections import read_models

RRN = "85.07.30-033.28"  # valid check digits, not a real person's


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """The samples of one metric (by sample name) in a scrape."""
    found = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found.append((dict(sample.labels), sample.value))
    return found


def one(text: str, name: str, **labels: str) -> float:
    values = [value for found, value in samples(text, name) if all(found.get(k) == v for k, v in labels.items())]
    assert len(values) == 1, (name, labels, samples(text, name))
    return values[0]


def grant_one(store_url: str, person: str) -> None:
    """A grant recorded by another process's application: the server's read models do not see it yet."""
    app = open_app(store_url)
    try:
        app.grant(act(), NUMBER, person, IRIS, "Gebruiker", today(), today().replace(year=today().year + 1))
    finally:
        app.close()


def lag_as_projections_status(store_url: str) -> int:
    """What ``grantbook projections status`` shows (its function, ReadModels.status)."""
    app = open_app(store_url)
    models = read_models(app)
    try:
        return max(row["lag"] for row in models.status())
    finally:
        models.close()
        app.close()


def wait_for(client: httpx.Client, path: str, status: int, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = client.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_lines() -> Iterator[Lines]:
    logger = logging.getLogger("grantbook.access")
    handler, level = Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_healthz_answers_without_sign_in(store_url: str) -> None:
    with running(store_url) as server, httpx.Client(base_url=server.url) as client:
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        assert re.fullmatch(r"[0-9a-f]{16}", response.headers["x-request-id"])
        assert client.head("/healthz").status_code == 200


def test_readyz_says_how_far_behind_the_read_models_are(store_url: str) -> None:
    seed(store_url)
    with running(store_url, ready_max_lag=2) as server, httpx.Client(base_url=server.url) as client:
        behind = lag_as_projections_status(store_url)
        assert behind > 2  # the seed's events: nothing has caught the read models up yet
        response = client.get("/readyz")
        assert response.status_code == 503, response.text
        assert response.json()["lag"] == behind and "behind" in response.json()["reason"]
        # Further behind than allowed, the server catches up in the background, then it is ready.
        ready = wait_for(client, "/readyz", 200)
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "lag": 0}
        assert lag_as_projections_status(store_url) == 0

        for person in ("90002", "90003", "90004"):  # events the server's read models have not applied
            grant_one(store_url, person)
        behind = lag_as_projections_status(store_url)
        assert behind > 2
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json()["lag"] == behind
        assert wait_for(client, "/readyz", 200).json() == {"status": "ready", "lag": 0}

    with running(store_url, ready_max_lag=1000) as server, httpx.Client(base_url=server.url) as client:
        grant_one(store_url, "90005")
        response = client.get("/readyz")  # behind, but within the limit
        assert response.status_code == 200
        assert response.json() == {"status": "ready", "lag": lag_as_projections_status(store_url)}
        assert response.json()["lag"] > 0


class Proxy:
    """A TCP proxy on loopback in front of the database: closing it is the database going away (every
    open connection cut, new ones refused); opening it again on the same port brings it back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.start()

    def start(self) -> None:
        if self.listener.fileno() == -1:
            self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        try:
            while True:
                for key, _ in selector.select():
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            a.close()
            b.close()

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()


def test_readyz_answers_503_when_the_store_goes_away(tmp_path: Path) -> None:
    """PostgreSQL only: a server store can go away under a running server (a network cut, a restart);
    an SQLite store is a local file the process holds open from its start."""
    with contextmanager(fresh_store)("postgres", tmp_path) as store_url:
        _readyz_through_a_proxy(store_url)


def _readyz_through_a_proxy(store_url: str) -> None:
    seed(store_url)
    parts = urlsplit(store_url)
    proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    through = urlunsplit(parts._replace(netloc=parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")))
    assert through != store_url
    try:
        with running(through) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            assert wait_for(client, "/readyz", 200).status_code == 200
            proxy.close()
            began = time.monotonic()
            response = client.get("/readyz")
            assert response.status_code == 503, response.text
            assert response.json()["status"] == "not ready"
            assert "store" in response.json()["reason"]
            assert "127.0.0.1" not in response.text and "postgres" not in response.text.lower()
            assert time.monotonic() - began < 10
            assert client.get("/healthz").status_code == 200  # the process itself still answers
            scrape = client.get("/metrics")
            assert scrape.status_code == 200 and one(scrape.text, "grantbook_store_up") == 0
            proxy.start()  # the database is back
            assert wait_for(client, "/readyz", 200).status_code == 200
    finally:
        proxy.close()


def test_metrics_count_requests_by_route_template(store_url: str) -> None:
    seed(store_url)
    with running(store_url) as server, httpx.Client(base_url=server.url) as client:
        assert client.get(f"/instellingen/{NUMBER}/rechten").status_code == 303  # to sign in
        assert client.get(f"/instellingen/{NUMBER}/rechten", params={"naam": RRN}).status_code == 303
        assert client.get("/healthz").status_code == 200
        assert client.get("/bestaat-niet/123456").status_code in {303, 404}
        assert client.get("/static/style.css").status_code == 200
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        route = "/instellingen/{number}/rechten"
        assert one(text, "grantbook_http_requests_total", method="GET", route=route, status="303") == 2
        assert one(text, "grantbook_http_requests_total", method="GET", route="/healthz", status="200") == 1
        assert one(text, "grantbook_http_request_duration_seconds_count", method="GET", route=route) == 2
        assert one(text, "grantbook_http_requests_total", method="GET", route="/static/{path}", status="200") == 1
        assert one(text, "grantbook_http_requests_total", method="GET", route="(unmatched)", status="404") == 1
        routes = {labels["route"] for labels, _ in samples(text, "grantbook_http_requests_total")}
        assert all(not re.search(r"[0-9]", r) for r in routes), routes  # templates, never ids
        # Names and labels only: a sample's value (0.0034793…) may hold any digits.
        described = "\n".join(line.rsplit(" ", 1)[0] for line in text.splitlines() if not line.startswith("#"))
        assert NUMBER not in described and RRN not in described and "naam" not in text
        # Asked of the store at the scrape.
        assert one(text, "grantbook_store_up") == 1
        assert one(text, "grantbook_events_recorded_total") == event_count(store_url)
        lags = {labels["projection"]: value for labels, value in samples(text, "grantbook_read_model_lag_events")}
        assert set(lags) >= {"rights", "audit", "access"} and max(lags.values()) == lag_as_projections_status(store_url)
        assert one(text, "grantbook_notices_sent_total") == 0
        # A second scrape counts the first one under /metrics.
        again = client.get("/metrics").text
        assert one(again, "grantbook_http_requests_total", method="GET", route="/metrics", status="200") == 1


def test_metrics_need_the_token_when_one_is_set_and_else_a_loopback_client(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with running(store_url, metrics_token="s3cret-token") as server, httpx.Client(base_url=server.url) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Basic s3cret-token"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    with running(store_url) as server:
        app = server.server.config.app

        async def scrape(client_host: str) -> int:
            transport = httpx.ASGITransport(app=app, client=(client_host, 40000))  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=transport, base_url="http://rechten.example") as client:
                return (await client.get("/metrics")).status_code

        def in_own_loop(client_host: str) -> int:  # a loop of its own: an earlier test may hold one
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, scrape(client_host)).result()

        assert in_own_loop("192.0.2.7") == 403
        assert in_own_loop("::1") == 200


def test_one_json_access_line_per_request_without_query_values(store_url: str, access_lines: Lines) -> None:
    seed(store_url)
    with running(store_url) as server, httpx.Client(base_url=server.url) as client:
        assert client.get(server.login_url).status_code == 303  # signed in: a session cookie is sent
        cookie = client.cookies["grantbook_session"]
        response = client.get(f"/instellingen/{NUMBER}/toekennen", params={"naam": RRN, "token": "tok-zz9"})
        assert response.status_code in {200, 422}  # a search for a national number is refused
        refused = client.get("/healthz?x=%C3%28")  # bytes that are not UTF-8: the guard answers 400
    assert refused.status_code == 400
    lines = [json.loads(line) for line in access_lines.lines]
    mine = [line for line in lines if line["request_id"] == response.headers["x-request-id"]]
    assert len(mine) == 1, lines
    line = mine[0]
    assert set(line) == {"time", "method", "route", "status", "duration_ms", "request_id"}
    assert line["method"] == "GET" and line["route"] == "/instellingen/{number}/toekennen"
    assert line["status"] == response.status_code and line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    guarded = [x for x in lines if x["request_id"] == refused.headers["x-request-id"]]
    assert guarded and guarded[0]["status"] == 400
    everything = "\n".join(access_lines.lines)
    login = [x for x in lines if x["route"] == "/login"]
    assert len(login) == 1 and login[0]["status"] == 303
    for secret in (RRN, "85073003328", "naam", "tok-zz9", cookie, server.config.local_token, NUMBER, "%C3"):
        assert secret not in everything


def test_serve_with_workers_writes_json_lines_and_adds_up_the_workers_metrics(tmp_path: Path) -> None:
    """The installed ``grantbook serve --workers 2`` with PROMETHEUS_MULTIPROC_DIR: one JSON line per
    request on stdout (request ids as the X-Request-Id headers), and /metrics counts every request
    whichever worker answered it."""
    store_url = f"sqlite:///{tmp_path / 'served.db'}"
    seed(store_url)
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_999.db").write_bytes(b"left from an earlier start")
    script = Path(sys.executable).with_name("grantbook")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRANTBOOK_", "PROMETHEUS_"))}
    env.update(PYTHONUNBUFFERED="1", PROMETHEUS_MULTIPROC_DIR=str(folder), GRANTBOOK_METRICS_TOKEN="tok-123")
    process = subprocess.Popen(
        [str(script), "--store", store_url, "--as", "jan", "serve", "--port", "0", "--workers", "2"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    ids = []
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first.startswith("open http://127.0.0.1:"):
            process.wait(10)
            pytest.fail(f"serve did not start: {first!r} {process.stderr.read() if process.stderr else ''}")
        base = first.split(" ", 1)[1].split("/login")[0]
        assert not (folder / "counter_999.db").exists()
        deadline = time.monotonic() + 30
        while len(ids) < 30:
            try:  # a new connection each time: either worker may answer
                response = httpx.get(base + "/healthz", params={"naam": RRN}, timeout=30)
            except httpx.ConnectError:  # the workers are still starting
                assert time.monotonic() < deadline
                time.sleep(0.1)
                continue
            assert response.status_code == 200
            ids.append(response.headers["x-request-id"])
        workers = {path.name for path in folder.glob("counter_*.db")}
        for _ in range(4):  # each worker is asked: every one adds up all the workers' counts
            scrape = httpx.get(base + "/metrics", headers={"Authorization": "Bearer tok-123"}, timeout=30)
            assert scrape.status_code == 200
            assert one(scrape.text, "grantbook_http_requests_total", method="GET", route="/healthz", status="200") == 30
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert {line["request_id"] for line in lines} >= set(ids)
    assert {line["route"] for line in lines if line["request_id"] in ids} == {"/healthz"}
    assert RRN not in out + err and "85073003328" not in out + err and "naam" not in out
    assert "Traceback" not in err
    assert len(workers) == 2, workers  # both workers answered some of the thirty


@pytest.mark.parametrize(
    ("variable", "value", "rule"),
    [
        ("GRANTBOOK_READY_MAX_LAG", "many", "ready-max-lag"),
        ("GRANTBOOK_READY_MAX_LAG", "-1", "ready-max-lag"),
        ("GRANTBOOK_KEPT_PAGES", "alle", "kept-pages"),
        ("GRANTBOOK_KEPT_PAGES", "-3", "kept-pages"),
        ("PROMETHEUS_MULTIPROC_DIR", "/nonexistent/metrics", "metrics"),
    ],
)
def test_serve_refuses_a_wrong_setting_in_one_line(tmp_path: Path, variable: str, value: str, rule: str) -> None:
    from click.testing import CliRunner

    from grantbook.cli.main import cli

    env = {"GRANTBOOK_STORE": None, "GRANTBOOK_KEY_FILE": None, "PROMETHEUS_MULTIPROC_DIR": None, variable: value}
    result = CliRunner().invoke(cli, ["--store", f"sqlite:///{tmp_path / 's.db'}", "--as", "jan", "serve", "--port", "0"],
                                env=env)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {rule}: "), result.stderr
