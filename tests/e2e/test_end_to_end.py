"""The seed scenario through the installed console script, as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IRIS, NUMBER, RRN_1985, store_contents

pytestmark = pytest.mark.e2e


def grantbook_command() -> list[str]:
    script = Path(sys.executable).with_name("grantbook")
    if script.exists():
        return [str(script)]
    found = shutil.which("grantbook")
    assert found, "the grantbook console script is not installed"
    return [found]


def test_seed_scenario_end_to_end(store_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "GRANTBOOK_STORE": store_url, "GRANTBOOK_ACTOR": "jan",
           "GRANTBOOK_KEY_FILE": str(tmp_path / "e2e.key")}

    def gb(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*grantbook_command(), *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=60, check=False)
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    roster = tmp_path / "staff.csv"
    roster.write_text(
        "person_id;first_name;last_name;category;status;begin_date;end_date\r\n"
        "90001;Els;Peeters;Medewerker;Actief;02/03/2017;02/03/2027\r\n"
        "90002;Koen;Maes;Medewerker;Actief;02/03/2017;02/03/2027\r\n"
        "90003;Sofie;Jacobs;Medewerker;Actief;19/08/2019;19/08/2029\r\n",
        encoding="utf-8-sig",
    )
    gb("institution", "register", NUMBER, "--name", "De Linde", "--admin", "jan")
    gb("roster", "import", NUMBER, str(roster))
    assert len(json.loads(gb("search", NUMBER, "--format", "json").stdout)) == 3
    gb("select", NUMBER, "90001", "90002", "90003")
    gb("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "26/08/2025", "--end", "31/08/2028")
    gb("confirm", NUMBER)
    worker = gb("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", "85.07.30-033.28", "--first-name", "An", "--last-name", "Wouters",
                "--reason", "ondersteuner").stdout.strip()
    gb("select", NUMBER, worker)
    gb("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2025-08-26", "--end", "2029-01-01")
    gb("confirm", NUMBER)
    gb("extend", NUMBER, "90002", "--right", IRIS, "--end", "26/08/2029")
    rights = json.loads(gb("rights", NUMBER, "--format", "json").stdout)
    assert sorted(r["person_id"] for r in rights) == sorted(["90001", "90002", "90003", worker])
    assert next(r for r in rights if r["person_id"] == "90002")["end"] == "2029-08-26"
    expiring = json.loads(gb("expiring", "--within", "36500", "--format", "json").stdout)
    assert [r["person_id"] for r in expiring][-1] == "90002"
    refused = gb("select", NUMBER, "99999", ok=False)
    assert refused.returncode == 1 and refused.stderr.startswith("error: unknown-person")
    audit = json.loads(gb("audit", NUMBER, "--format", "json").stdout)
    assert [e["event"] for e in audit].count("AssignmentConfirmed") == 2
    assert all(RRN_1985.encode() not in blob for blob in store_contents(store_url))
    assert "every hash chain is intact" in gb("verify").stdout


def test_demo_runs_on_a_fresh_store(store_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env["GRANTBOOK_KEY_FILE"] = str(tmp_path / "demo.key")
    done = subprocess.run([*grantbook_command(), "--store", store_url, "demo"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Rights held at 034793" in done.stdout
    assert "Expiring within 30 days:" in done.stdout
    assert done.stdout.count("IRIS-Platform (Leerlingenpaspoort) Gebruiker  Gebruiker") >= 4 + 3
    # the demo's store has administrator addresses: a dry run would mail the administrator
    notify = subprocess.run([*grantbook_command(), "--store", store_url, "--as", "demo-admin", "notify", "--dry-run"],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert notify.returncode == 0, notify.stderr
    assert "would send 034793 administrator demo-admin <beheerder@delinde.example>" in notify.stdout
    assert "OND-" in notify.stdout and "(10 days left, 14-day notice)" in notify.stdout
    again = subprocess.run([*grantbook_command(), "--store", store_url, "demo"],
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 1 and "fresh store" in again.stderr
