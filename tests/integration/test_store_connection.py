"""Connection trouble is one line naming host and database; passwords never shown."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner
from conftest import POSTGRES_URL, postgres_connection

from grantbook.adapters.store import StoreLocation
from grantbook.cli.main import cli

BASE = StoreLocation.parse(POSTGRES_URL)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), env={"GRANTBOOK_STORE": None, "GRANTBOOK_ACTOR": None})


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"postgresql://{BASE.user}:pw-secret-1@{BASE.host}:1/{BASE.dbname}", "server not reachable"),
        (f"postgresql://{BASE.user}:pw-secret-1@{BASE.host}:{BASE.port}/no_such_db_xyz", 'database "no_such_db_xyz" does not exist'),
        (f"postgresql://no_such_role_xyz:pw-secret-1@{BASE.host}:{BASE.port}/{BASE.dbname}", "no_such_role_xyz"),
    ],
)
@pytest.mark.parametrize("command", [("audit", "034793"), ("--as", "jan", "institution", "register", "123456", "--name", "X", "--admin", "jan")])
def test_connection_trouble_is_one_clear_line(url: str, reason: str, command: tuple[str, ...]) -> None:
    result = run("--store", url, *command)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    host = StoreLocation.parse(url)
    assert line.startswith(f"error: store: cannot reach PostgreSQL store on host {host.host}:{host.port}, database {host.dbname}")
    assert reason in line
    assert "pw-secret-1" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_password_in_the_url_is_never_printed_back(tmp_path) -> None:
    schema = "gbt_" + uuid.uuid4().hex[:12]
    url = f"postgresql://{BASE.user or 'postgres'}:pw-secret-2@{BASE.host}:{BASE.port}/{BASE.dbname}?schema={schema}"
    try:
        results = [
            run("--store", url, "--as", "jan", "institution", "register", "123456", "--name", "X", "--admin", "jan"),
            run("--store", url, "store", "copy", "--from", url, "--to", f"sqlite:///{tmp_path / 'c.db'}"),
            run("--store", url, "audit", "999999"),
        ]
        assert [r.exit_code for r in results] == [0, 0, 1]
        assert "***" in results[1].stdout
        for result in results:
            assert "pw-secret-2" not in result.stdout + result.stderr
    finally:
        with postgres_connection() as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_tables_are_created_once_when_many_processes_start_together() -> None:
    import subprocess
    import sys

    schema = "gbt_" + uuid.uuid4().hex[:12]
    url = f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}schema={schema}"
    code = (
        "import sys; from click.testing import CliRunner; from grantbook.cli.main import cli;"
        "r = CliRunner().invoke(cli, ['--store', sys.argv[1], '--as', 'jan', 'institution', 'register', sys.argv[2],"
        " '--name', 'X', '--admin', 'jan']); sys.stderr.write(r.stderr); sys.exit(r.exit_code)"
    )
    try:
        processes = [subprocess.Popen([sys.executable, "-c", code, url, f"{100000 + i}"], stderr=subprocess.PIPE, text=True)
                     for i in range(8)]
        outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
        assert all(code == 0 for code, _ in outcomes), outcomes
    finally:
        with postgres_connection() as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
