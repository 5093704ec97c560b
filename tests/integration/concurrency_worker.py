"""One administrator's stream of commands, run as its own OS process by
test_concurrency.py. Writes what each command returned as JSON."""

from __future__ import annotations

import json
import random
import sys

from click.testing import CliRunner

from grantbook.cli.main import cli

IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
PERIODS = [("2026-12-01", "2027-03-31"), ("2027-03-01", "2027-08-31"), ("2027-09-01", "2028-08-31")]


def main(store_url: str, actor: str, seed: int, steps: int, institutions: list[str], out: str) -> None:
    rng = random.Random(seed)
    runner = CliRunner()
    log = []
    selected: dict[str, list[str]] = {number: [] for number in institutions}

    def run(*args: str) -> dict[str, object]:
        result = runner.invoke(cli, ["--store", store_url, "--as", actor, *args], catch_exceptions=True)
        entry = {"args": list(args), "exit_code": result.exit_code, "stdout": result.stdout,
                 "stderr": result.stderr, "exception": repr(result.exception) if result.exit_code not in (0, 1) else None}
        log.append(entry)
        return entry

    for _ in range(steps):
        number = rng.choice(institutions)
        action = rng.choices(["select", "deselect", "assign", "confirm", "revoke"], [5, 1, 2, 2, 1])[0]
        if action == "select":
            ids = rng.sample([f"{90000 + i}" for i in range(1, 41)], rng.randint(1, 6))
            if run("select", number, *ids)["exit_code"] == 0:
                selected[number] += ids
        elif action == "deselect" and selected[number]:
            pid = rng.choice(selected[number])
            if run("deselect", number, pid)["exit_code"] == 0:
                selected[number].remove(pid)
        elif action == "assign":
            begin, end = rng.choice(PERIODS)
            run("assign", number, "--right", IRIS, "--context", rng.choice(["Gebruiker", "Operator"]),
                "--begin", begin, "--end", end)
        elif action == "confirm":
            if run("confirm", number)["exit_code"] == 0:
                selected[number] = []
        elif action == "revoke":
            run("revoke", number, f"{90000 + rng.randint(1, 40)}", "--right", IRIS, "--reason", "concurrency test")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(log, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(","), sys.argv[6])
