"""``--dutch``: the CLI's CSV for a person in Excel is the web's "Download CSV", byte for byte (Dutch
headers, ``;``, BOM, CRLF, dd/mm/jjjj); JSON and plain CSV stay as machines read them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import httpx
from conftest import IRIS, NUMBER, Driver, roster_csv, staff
from web_seed import today
from web_server import running


def school(store_url: str, tmp_path: Path) -> Driver:
    gb = Driver(store_url, tmp_path)  # real time: the web server beside it reads the real clock
    gb.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", "jan")
    gb.ok("roster", "import", NUMBER, gb.write("roster.csv", roster_csv(staff(3))))
    first, last = today(), today() + timedelta(days=40)
    gb.ok("select", NUMBER, "90001", "90002")
    gb.ok(
        "assign",
        NUMBER,
        "--right",
        IRIS,
        "--context",
        "Gebruiker",
        "--begin",
        first.isoformat(),
        "--end",
        last.isoformat(),
    )
    gb.ok("confirm", NUMBER)
    return gb


def test_the_cli_writes_the_webs_dutch_file(store_url: str, tmp_path: Path) -> None:
    gb = school(store_url, tmp_path)
    cli_file = gb.ok("expiring", "--within", "60", "--dutch").stdout_bytes
    assert cli_file == gb.ok("expiring", "--within", "60", "--format", "csv", "--dutch").stdout_bytes
    assert cli_file.startswith(b"\xef\xbb\xbf") and cli_file.count(b"\n") == cli_file.count(b"\r\n") == 3
    rows = list(csv.reader(io.StringIO(cli_file.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:4] == ["Instellingsnummer", "Persoonsnummer", "Voornaam", "Achternaam"]
    assert rows[1][0] == f'="{NUMBER}"' and rows[1][8] == (today() + timedelta(days=40)).strftime("%d/%m/%Y")
    settings = {} if gb.is_sqlite else {"key_file": str(gb.key_path)}
    with running(store_url, actor="jan", **settings) as server, httpx.Client(base_url=server.url) as client:
        client.get(server.login_url)
        web_file = client.get("/vervallend.csv", params={"binnen": "60"}).content
    assert web_file == cli_file


def test_machines_keep_their_csv_and_json_and_columns_keep_their_names(
    store_url: str, tmp_path: Path
) -> None:
    gb = school(store_url, tmp_path)
    plain = gb.ok("expiring", "--within", "60", "--format", "csv").stdout
    assert plain.startswith("institution,person_id,") and today().isoformat() in plain
    chosen = gb.ok("expiring", "--within", "60", "--dutch", "--columns", "end,last_name").stdout_bytes
    assert chosen.decode("utf-8-sig").splitlines()[0] == "Einddatum;Achternaam"
    audit = gb.ok("audit", NUMBER, "--dutch").stdout_bytes.decode("utf-8-sig")
    assert audit.splitlines()[0].startswith("Positie;Geregistreerd op;Door;")
    result = gb.run("expiring", "--dutch", "--format", "json")
    assert result.exit_code == 2 and "--dutch" in result.stderr
