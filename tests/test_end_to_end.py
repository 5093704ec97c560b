"""The seed scenario through the installed console script, as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import IRIS, NUMBER, RRN_1985

pytestmark = pytest.mark.e2e


def grantbook_command() -> list[str]:
    script = Path(sys.executable).with_name("grantbook")
    if script.exists():
        return [str(script)]
    found = shutil.which("grantbook")
    assert found, "the grantbook console script is not installed"
    return [found]


def test_seed_scenario_end_to_end(tmp_path: Path) -> None:
    env = {**os.environ, "GRANTBOOK_STORE": f"sqlite:///{tmp_path / 'e2e.db'}", "GRANTBOOK_ACTOR": "jan"}
    env.pop("GRANTBOOK_KEY_FILE", None)

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
    gb("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "26/08/2020", "--end", "26/08/2099")
    gb("confirm", NUMBER)
    worker = gb("support-worker", "add", NUMBER, "--rrn", "85.07.30-033.28", "--first-name", "An", "--last-name", "Wouters").stdout.strip()
    gb("select", NUMBER, worker)
    gb("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2020-08-26", "--end", "2099-01-01")
    gb("confirm", NUMBER)
    gb("extend", NUMBER, "90002", "--right", IRIS, "--end", "31/12/2099")
    rights = json.loads(gb("rights", NUMBER, "--format", "json").stdout)
    assert sorted(r["person_id"] for r in rights) == sorted(["90001", "90002", "90003", worker])
    assert next(r for r in rights if r["person_id"] == "90002")["end"] == "2099-12-31"
    expiring = json.loads(gb("expiring", "--within", "36500", "--format", "json").stdout)
    assert [r["person_id"] for r in expiring][-1] == "90002"
    refused = gb("select", NUMBER, "99999", ok=False)
    assert refused.returncode == 1 and refused.stderr.startswith("error: unknown-person")
    audit = json.loads(gb("audit", NUMBER, "--format", "json").stdout)
    assert [e["event"] for e in audit].count("AssignmentConfirmed") == 2
    everything = "".join(p.read_text("latin-1") for p in tmp_path.iterdir() if p.is_file() and "key" not in p.name)
    assert RRN_1985 not in everything


def test_demo_runs_on_a_fresh_store(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    done = subprocess.run([*grantbook_command(), "--store", f"sqlite:///{tmp_path / 'demo.db'}", "demo"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Rights held at 034793" in done.stdout
    assert "Expiring within 30 days:" in done.stdout
    assert done.stdout.count("IRIS-Platform (Leerlingenpaspoort) Gebruiker  Gebruiker") >= 4 + 3
    again = subprocess.run([*grantbook_command(), "--store", f"sqlite:///{tmp_path / 'demo.db'}", "demo"],
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 1 and "fresh store" in again.stderr
