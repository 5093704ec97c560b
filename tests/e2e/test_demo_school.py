"""The demo school behind ``make web`` (``grantbook demo``) as a newcomer meets it: the seed's main
scenario, "give IRIS to three colleagues for this school year", works at the first try, and every
page has something to show (rights expiring soon, a leaver, a support worker, tasks, history)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import IRIS, NUMBER
from test_end_to_end import grantbook_command

pytestmark = pytest.mark.e2e

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def gb(store_url: str, tmp_path: Path) -> Run:
    """``grantbook`` on the demo's store, as the demo's head administrator (after ``grantbook demo``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env["GRANTBOOK_KEY_FILE"] = str(tmp_path / "demo.key")

    def run(*args: str, actor: str = "demo-admin", ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*grantbook_command(), "--store", store_url, "--as", actor, *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    made = subprocess.run(
        [*grantbook_command(), "--store", store_url, "demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    return run


def rows(done: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def end_of_school_year(today: date) -> date:
    return date(today.year if today.month < 9 else today.year + 1, 8, 31)


def test_three_colleagues_get_iris_for_this_school_year_at_the_first_try(gb: Run) -> None:
    staff = rows(gb("search", NUMBER, "--format", "json"))
    holders = {r["person_id"] for r in rows(gb("rights", NUMBER, "--format", "json"))}
    free = [
        p
        for p in staff
        if p["person_id"] not in holders and p["status"] == "Actief" and p["category"] == "Medewerker"
    ]
    assert len(free) >= 3, free
    three = [p["person_id"] for p in free[:3]]
    today = date.fromisoformat(rows(gb("rights", NUMBER, "--format", "json"))[0]["begin"])  # the demo's day
    gb("select", NUMBER, *three)
    gb(
        "assign",
        NUMBER,
        "--right",
        IRIS,
        "--context",
        "Gebruiker",
        "--begin",
        today.strftime("%d/%m/%Y"),
        "--end",
        end_of_school_year(today).strftime("%d/%m/%Y"),
    )
    gb("confirm", NUMBER)
    now_held = {r["person_id"] for r in rows(gb("rights", NUMBER, "--format", "json"))}
    assert set(three) <= now_held
    names = {p["person_id"]: f"{p['first_name']} {p['last_name']}" for p in staff}
    assert all(names[pid].split()[0][0].isupper() for pid in three)  # real names, not placeholders


def test_every_page_has_something_to_show(gb: Run) -> None:
    expiring = rows(gb("expiring", "--within", "30", "--format", "json"))
    assert expiring and all(r["institution"] == NUMBER for r in expiring)

    leavers = rows(gb("leavers", "--format", "json"))
    assert leavers and all(r["status"] != "Actief" for r in leavers)

    staff = rows(gb("search", NUMBER, "--format", "json"))
    workers = [p for p in staff if p["person_id"].startswith("OND-")]
    assert workers and all(p["category"] == "Ondersteuner" for p in workers)

    tasks = rows(gb("tasks", "--format", "json"))
    kinds = {t["kind"] for t in tasks}
    assert {"expiring", "leaver", "support-worker"} <= kinds, kinds
    # another head administrator has an assignment waiting for step 3 (Bevestig)
    assert "pending" in {t["kind"] for t in rows(gb("tasks", "--format", "json", actor="an.devos"))}

    every = rows(gb("rights", NUMBER, "--all", "--format", "json"))
    assert {"revoked", "voided"} <= {r["status"] for r in every}, {r["status"] for r in every}
    events = {e["event"] for e in rows(gb("audit", NUMBER, "--format", "json"))}
    assert {"AssignmentConfirmed", "EndDateExtended", "SupportWorkerAdded", "RosterImported"} <= events
    assert "every hash chain is intact" in gb("verify").stdout
