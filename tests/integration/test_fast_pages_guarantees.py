"""What the fast pages (docs/adr/0027) must not give up, against a real ``grantbook serve --workers 2``
whose workers have warmed their caches: a change recorded elsewhere is on the next page whichever
worker answers it; a chain a rebuild found broken stops the reads in every worker; an administrator
removed loses the institution at the next request. Each read opens a new connection, so either
worker may answer it; each is asked several times."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from test_integrity import A, Database
from web_seed import NUMBER, OTHER, act, open_app, seed

from grantbook.adapters.store import StoreLocation
from grantbook.projections import read_models
from grantbook.web.sessions import SessionStore

TIMES = 12  # new connections per check: both workers answer some of them


@contextmanager
def serving(store_url: str, tmp_path: Path) -> Iterator[str]:
    script = Path(sys.executable).with_name("grantbook")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRANTBOOK_", "PROMETHEUS_"))}
    env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [str(script), "--store", store_url, "--as", "jan", "serve", "--port", "0", "--workers", "2"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first.startswith("open http://127.0.0.1:"):
            process.wait(10)
            pytest.fail(f"serve did not start: {first!r} {process.stderr.read() if process.stderr else ''}")
        base = first.split(" ", 1)[1].split("/login")[0]
        for _ in range(300):
            try:
                httpx.get(base + "/healthz", timeout=30)
                break
            except httpx.ConnectError:  # the workers are still starting
                import time

                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cookie_of(store_url: str, person: str) -> dict[str, str]:
    sessions = SessionStore(StoreLocation.parse(store_url))
    try:
        return {"grantbook_session": sessions.start(person)}
    finally:
        sessions.close()


def pages(base: str, cookies: dict[str, str], path: str) -> list[httpx.Response]:
    return [httpx.get(base + path, cookies=cookies, timeout=60) for _ in range(TIMES)]


def test_a_change_recorded_elsewhere_is_on_the_next_page_of_every_worker(store_url: str, tmp_path: Path) -> None:
    seed(store_url)
    with serving(store_url, tmp_path) as base:
        jan = cookie_of(store_url, "jan")
        assert all("Nieuwe School" not in r.text for r in pages(base, jan, "/"))  # both workers warm
        app = open_app(store_url)
        try:
            app.register_institution(act(), "222222", "Nieuwe School", ["jan"])
        finally:
            app.close()
        for response in pages(base, jan, "/"):
            assert response.status_code == 200 and "Nieuwe School" in response.text
        for response in pages(base, jan, "/instellingen/222222/rechten"):
            assert response.status_code == 200


def test_an_administrator_removed_loses_the_institution_at_the_next_request(
    store_url: str, tmp_path: Path
) -> None:
    seed(store_url)
    with serving(store_url, tmp_path) as base:
        mia = cookie_of(store_url, "mia")
        for path in (f"/instellingen/{NUMBER}/rechten", "/vervallend", "/"):
            assert all(r.status_code == 200 for r in pages(base, mia, path))
        assert all("De Linde" in r.text for r in pages(base, mia, "/"))
        app = open_app(store_url)
        try:
            app.remove_administrator(act(), NUMBER, "mia")
        finally:
            app.close()
        for response in pages(base, mia, f"/instellingen/{NUMBER}/rechten"):
            assert response.status_code == 404
        for response in pages(base, mia, f"/instellingen/{NUMBER}/audit"):
            assert response.status_code == 404
        for response in pages(base, mia, "/"):
            assert response.status_code == 200 and "De Linde" not in response.text
        for response in pages(base, mia, "/vervallend"):
            assert NUMBER not in response.text


def test_a_broken_chain_found_after_the_workers_warmed_up_stops_reads_in_every_worker(
    store_url: str, tmp_path: Path
) -> None:
    seed(store_url)
    with serving(store_url, tmp_path) as base:
        jan, piet = cookie_of(store_url, "jan"), cookie_of(store_url, "piet")
        for path in (f"/instellingen/{NUMBER}/rechten", f"/instellingen/{NUMBER}/audit", "/vervallend"):
            assert all(r.status_code == 200 for r in pages(base, jan, path))
        db = Database(store_url)
        _, topic, state = db.event(A, 1)
        db.set_event(A, 1, topic, state.replace(b"De Linde", b"Forged", 1))
        app = open_app(store_url)
        try:
            models = read_models(app)
            models.rebuild()  # finds the broken link; the positions end where they were
            models.close()
        finally:
            app.close()
        for path in (f"/instellingen/{NUMBER}/rechten", f"/instellingen/{NUMBER}/audit", "/vervallend"):
            for response in pages(base, jan, path):
                assert response.status_code == 409, path
                assert "Forged" not in response.text
        for response in pages(base, piet, f"/instellingen/{OTHER}/rechten"):
            assert response.status_code == 200
