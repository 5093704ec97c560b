"""Support workers added by several administrators at the same moment.

Each command runs in its own OS process; all of them are released at one
instant (a shared CLOCK_MONOTONIC deadline) so that they race for the first
key file and for the person id of one national number.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import RRN_1985, Driver, fresh_store

ROUNDS = 4
INSTITUTIONS = ["034793", "000042", "000043"]

# Waits for the shared deadline, then runs one grantbook command in this process.
RACER = textwrap.dedent(
    """
    import sys, time
    deadline = float(sys.argv[1])
    while time.monotonic() < deadline:
        pass
    from grantbook.cli.main import main
    sys.argv = ["grantbook", *sys.argv[2:]]
    main()
    """
)


def at_once(gb: Driver, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env.update(gb.base_env)
    env.update({"GRANTBOOK_STORE": gb.store_url, "GRANTBOOK_ACTOR": "jan"})
    deadline = time.monotonic() + 3.0  # every process is started and waiting before it
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, repr(deadline), *command],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for command in commands
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_first_numbers_at_several_institutions_at_once_share_one_key_and_one_person(
    store_url: str, tmp_path: Path
) -> None:
    kind = "sqlite" if store_url.startswith("sqlite:") else "postgres"
    for round_ in range(ROUNDS):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        stores = fresh_store(kind, folder)
        gb = Driver(next(stores), folder)
        for number in INSTITUTIONS:
            gb.ok("institution", "register", number, "--name", "School", "--admin", "jan")

        results = at_once(gb, [
            ["support-worker", "add", number, "--rrn", RRN_1985, "--first-name", "Els",
             "--last-name", "Peeters", "--reason", "ondersteuning"]
            for number in INSTITUTIONS
        ])

        for result in results:
            assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        people = {row["person_id"] for number in INSTITUTIONS for row in gb.json("search", number)}
        assert len(people) == 1, f"round {round_}: one person keeps one id everywhere, got {people}"
        (person,) = people
        assert all(person in result.stdout for result in results)
        assert gb.key_path.exists()
        next(stores, None)  # drops the round's schema


def test_a_key_file_created_by_another_process_first_is_the_one_used(tmp_path: Path) -> None:
    """The window between "no key file yet" and creating it: the later creator reads the key."""
    from grantbook.adapters.vault import create_key_file, read_key_file

    path = tmp_path / "store.db.key"
    first = create_key_file(path)
    assert create_key_file(path) == first == read_key_file(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["store.db.key"]  # no temporary file left
