"""``grantbook serve`` on a PostgreSQL hot standby (docs/adr/0026): a real streaming replica, made with
``pg_basebackup -R`` on loopback from a throwaway primary started for this module (initdb's own
pg_hba lets loopback connections replicate; the machine's cluster is left alone). The replica's
server serves the pages and API reads, says how old its data are, refuses every change in Dutch
(recording nothing), and shows new events once the primary has them and the standby replayed them."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from glob import glob
from pathlib import Path

import httpx
import psycopg
import pytest
import throwaway_postgres
from web_seed import IRIS, NUMBER, act, open_app, seed
from web_server import RunningServer, running

from grantbook.adapters import postgres
from grantbook.adapters.store import StoreLocation
from grantbook.adapters.tokens import TokenStore
from grantbook.projections import read_models

PRIMARY_URL_SHOWN = "https://rechten.example"


def _binaries() -> Path:
    """The machine's PostgreSQL binaries (the newest installed), else those of the pgserver wheel."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_basebackup"))
    return Path(found[-1]).parent if found else throwaway_postgres._binaries()


class Cluster:
    def __init__(self, home: Path, name: str, user: str | None, bin_dir: Path) -> None:
        self.home, self.data, self.user, self.bin = home, home / name, user, bin_dir
        self.port = throwaway_postgres._free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/test"

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin / tool), *args], check=True, capture_output=True, user=self.user, cwd=self.home
        )

    def start(self) -> None:
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data) + ".log",
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.home} -c fsync=off -c wal_level=replica "
            "-c max_wal_senders=5 -c hot_standby=on -c max_connections=60",
            "start",
        )

    def stop(self) -> None:
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            user=self.user,
            cwd=self.home,
        )


@pytest.fixture(scope="module")
def replicated() -> Iterator[tuple[str, str]]:
    """(primary URL, replica URL): a primary holding two schools, their grants, the read models and
    the session secret (its server ran once), and its streaming replica."""
    bin_dir = _binaries()
    user = throwaway_postgres._service_user()
    home = Path(tempfile.mkdtemp(prefix="grantbook-replica-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    primary = Cluster(home, "primary", user, bin_dir)
    replica = Cluster(home, "replica", user, bin_dir)
    try:
        primary.run(
            "initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        primary.start()
        primary.run("createdb", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "test")
        seed(primary.url)
        grant(primary.url, ["90001", "90002"])
        with running(primary.url) as server, signed_in(server) as client:  # the primary's server, once
            assert client.get("/").status_code == 200
        primary.run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(replica.data),
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "--checkpoint=fast",
        )
        replica.start()
        assert postgres.standby_lag(StoreLocation.parse(replica.url)) is not None  # a standby indeed
        assert postgres.standby_lag(StoreLocation.parse(primary.url)) is None
        yield primary.url, replica.url
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(home, ignore_errors=True)


def grant(url: str, persons: list[str], catch_up: bool = True) -> None:
    app = open_app(url)
    try:
        app.select(act(), NUMBER, persons)
        app.assign(act(), NUMBER, IRIS, "Gebruiker", date(2026, 12, 1), date(2027, 8, 31))
        app.confirm(act(), NUMBER)
        if catch_up:  # what the primary's server or `projections catch-up` there does
            models = read_models(app)
            models.catch_up()
            models.close()
    finally:
        app.close()


def events(url: str) -> int:
    location = StoreLocation.parse(url)
    with psycopg.connect(
        host=location.host, port=location.port, dbname="test", user="postgres"
    ) as connection:
        return int(connection.execute("SELECT count(*) FROM public.grantbook_events").fetchone()[0])  # type: ignore[index]


def replayed(primary: str, replica: str, timeout: float = 30) -> None:
    """Waits until the standby holds every event the primary holds."""
    deadline = time.monotonic() + timeout
    while events(replica) != events(primary):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)


@pytest.fixture
def signed_in_replica(replicated: tuple[str, str]) -> Iterator[tuple[RunningServer, httpx.Client]]:
    _, replica = replicated
    with running(replica, primary_url=PRIMARY_URL_SHOWN) as server, signed_in(server) as client:
        yield server, client


@contextmanager
def signed_in(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        response = client.get(server.login_url)
        assert response.status_code == 303 and response.headers["location"] == "/"
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_a_replica_serves_every_reading_page_and_says_how_old_its_data_are(
    signed_in_replica: tuple[RunningServer, httpx.Client],
) -> None:
    _, client = signed_in_replica
    for path in (
        "/",
        f"/instellingen/{NUMBER}",
        f"/instellingen/{NUMBER}/rechten",
        "/vervallend",
        f"/instellingen/{NUMBER}/audit",
        "/taken",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert "Deze server kan alleen lezen; gegevens van" in response.text, path
    rights = client.get(f"/instellingen/{NUMBER}/rechten").text
    assert "First1" in rights and "First2" in rights


def test_a_replica_refuses_every_change_in_dutch_and_records_nothing(
    replicated: tuple[str, str], signed_in_replica: tuple[RunningServer, httpx.Client]
) -> None:
    primary, replica = replicated
    _, client = signed_in_replica
    before = (events(primary), events(replica))
    csrf = csrf_of(client.get("/").text)
    for path, data in (
        ("/toekennen/zoek", {"instellingsnummer": NUMBER, "csrf_token": csrf}),
        (f"/instellingen/{NUMBER}/naam", {"naam": "Andere naam", "csrf_token": csrf}),
        ("/api-sleutels", {"naam": "x", "csrf_token": csrf}),
    ):
        response = client.post(path, data=data)
        assert response.status_code == 503, (path, response.status_code)
        assert "Deze server kan alleen lezen. Wijzig rechten op https://rechten.example." in response.text
        assert "Er werd niets geregistreerd" in response.text
    assert (events(primary), events(replica)) == before
    response = client.post("/afmelden", data={"csrf_token": csrf})  # signing out still works
    assert response.status_code == 303
    assert client.get("/").status_code == 303  # signed out


def test_the_api_reads_on_a_replica_and_refuses_changes_with_a_problem(replicated: tuple[str, str]) -> None:
    primary, replica = replicated
    tokens = TokenStore(StoreLocation.parse(primary))
    secret, _ = tokens.create("jan", "rapportering", date.today())
    tokens.close()
    replayed(primary, replica)
    time.sleep(0.5)  # the token row is replicated with the same WAL; let replay pass it
    headers = {"Authorization": f"Bearer {secret}"}
    with (
        running(replica, primary_url=PRIMARY_URL_SHOWN) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        deadline = time.monotonic() + 30
        while (
            response := client.get(f"/api/v1/institutions/{NUMBER}/rights", headers=headers)
        ).status_code == 401:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert response.status_code == 200, response.text
        assert {item["person_id"] for item in response.json()["items"]} >= {"90001", "90002"}
        before = events(primary)
        body = {
            "persons": ["90003"],
            "right": IRIS,
            "context": "Gebruiker",
            "begin": "2026-12-01",
            "end": "2027-08-31",
        }
        for method in ("POST", "PUT", "DELETE"):
            refused = client.request(
                method, f"/api/v1/institutions/{NUMBER}/grants", headers=headers, json=body
            )
            assert refused.status_code == 503, (method, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["code"] == "read-only"
            assert "Deze server kan alleen lezen" in refused.json()["detail"]
        assert events(primary) == before


def test_a_replica_shows_what_the_primary_recorded_once_replayed(
    replicated: tuple[str, str], signed_in_replica: tuple[RunningServer, httpx.Client]
) -> None:
    primary, replica = replicated
    _, client = signed_in_replica
    assert "First5" not in client.get(f"/instellingen/{NUMBER}/rechten").text
    grant(primary, ["90005"])
    replayed(primary, replica)
    deadline = time.monotonic() + 30
    while "First5" not in (page := client.get(f"/instellingen/{NUMBER}/rechten")).text:
        assert time.monotonic() < deadline, "the replica's page never showed the new grant"
        time.sleep(0.2)
    assert page.status_code == 200
    # New events whose read models the primary has not caught up yet: the replica answers from what
    # is there (it cannot write them), and still serves the page.
    grant(primary, ["90006"], catch_up=False)
    replayed(primary, replica)
    response = client.get(f"/instellingen/{NUMBER}/rechten")
    assert response.status_code == 200 and "First5" in response.text
