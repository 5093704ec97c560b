"""``grantbook serve`` and ``grantbook demo --serve`` as the installed console script: loopback only in
local mode, one link printed, the demo school signed in as its head administrator, and no national
register number in any page, URL or line the server writes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
from test_end_to_end import grantbook_command

RRN = "85.07.30-033.28"
OTHER_RRN = "01.01.01-123.01"  # valid check digits (born in 2001), not a real person's


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_local_mode_refuses_any_host_but_loopback(tmp_path: Path) -> None:
    for host in ("0.0.0.0", "192.0.2.1", "example.org"):
        done = subprocess.run(
            [
                *grantbook_command(),
                "--store",
                f"sqlite:///{tmp_path / 's.db'}",
                "--as",
                "jan",
                "serve",
                "--host",
                host,
            ],
            env=_environment(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: loopback-only: "), done.stderr


def test_demo_serve_opens_the_demo_school_signed_in_as_its_head(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*grantbook_command(), "demo", "--serve", "--port", "0"],
        env=_environment(),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = []
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line)
            if line.startswith("open http://127.0.0.1:"):
                break
        link = printed[-1].split(" ", 1)[1].strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+/login\?token=[A-Za-z0-9_-]{20,}", link), printed
        base = link.split("/login")[0]
        with httpx.Client(base_url=base, follow_redirects=True) as client:
            start = client.get(link)
            assert start.status_code == 200 and "token" not in str(start.url)
            assert "034793" in start.text and "Basisschool De Linde (demo)" in start.text
            assert "Aangemeld als demo-admin" in start.text
            assert "Jouw instellingen" in start.text
            assert 'href="/instellingen/034793"' in start.text  # its card
            token = re.search(r'name="csrf_token" value="([^"]+)"', start.text).group(1)  # type: ignore[union-attr]
            for number in (RRN, OTHER_RRN):  # a duplicate, then a new one
                client.post(
                    "/instellingen/034793/gebruiker-toevoegen",
                    data={
                        "csrf_token": token,
                        "rijksregisternummer": number,
                        "voornaam": "An",
                        "achternaam": "Claes",
                        "reden": "ondersteuner",
                    },
                )
            pages = [
                client.get(path)
                for path in (
                    "/instellingen/034793",
                    "/instellingen/034793/audit",
                    "/instellingen/034793/rechten",
                    "/vervallend",
                    "/vervallend.csv",
                )
            ]
            for response in pages:
                assert response.status_code == 200
                for digits in ("85073003328", "01010112301", RRN, OTHER_RRN):
                    assert digits not in response.text and digits not in str(response.url)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    everything = "".join(printed) + out + err
    for digits in ("85073003328", "01010112301", RRN, OTHER_RRN):
        assert digits not in everything
    assert "Traceback" not in everything


def test_several_workers_share_the_sessions_through_the_store(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'w.db'}"
    env = _environment()
    subprocess.run(
        [
            *grantbook_command(),
            "--store",
            store,
            "--as",
            "jan",
            "institution",
            "register",
            "034793",
            "--name",
            "De Linde",
            "--admin",
            "jan",
        ],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        [*grantbook_command(), "--store", store, "--as", "jan", "serve", "--port", "0", "--workers", "3"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        link = process.stdout.readline().split(" ", 1)[1].strip()
        base = link.split("/login")[0]
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):  # the workers start a moment after the link is printed
                try:
                    assert client.get(link).status_code == 303
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            # new connections each time: the requests spread over the workers, each one finds the session
            cookie = client.cookies["grantbook_session"]
        for _ in range(12):
            with httpx.Client(base_url=base, cookies={"grantbook_session": cookie}, timeout=30) as fresh:
                response = fresh.get("/")
                assert response.status_code == 200 and "De Linde" in response.text
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert "Traceback" not in err
