"""Issue 13, secrets stay secret: a national register number can be kept out of the command
line (``--rrn -`` or a hidden prompt), a key file others can read is refused, and no
refusal shows more of a number than its two check digits."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from click.testing import Result
from conftest import ADMIN, NUMBER, RRN_1985, Driver, store_contents, valid_rrn

from grantbook.cli.main import cli

NAMES = ("--first-name", "An", "--last-name", "Peeters", "--reason", "ondersteuner")


def add(gb: Driver, *options: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    environment: dict[str, str | None] = {"GRANTBOOK_STORE": None, "GRANTBOOK_ACTOR": None, "GRANTBOOK_KEY_FILE": None}
    environment.update(gb.base_env)
    environment.update(env or {})
    return gb.runner.invoke(cli, ["--store", gb.store_url, "--as", ADMIN, "support-worker", "add", NUMBER,
                                  *options, *NAMES], input=stdin, env=environment, catch_exceptions=False)


def one_line(result: Result, code: int, starts: str) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(starts), line
    return line


def test_the_number_can_come_from_the_first_line_of_stdin(school: Driver) -> None:
    result = add(school, "--rrn", "-", stdin="85.07.30-033.28\nsecond line ignored\n")
    assert result.exit_code == 0, result.stderr
    person = result.stdout.strip()
    assert RRN_1985 not in result.output and "85.07.30" not in result.output
    [row] = [r for r in school.json("search", NUMBER) if r["person_id"] == person]
    assert row["last_name"] == "Peeters"


def test_an_empty_stdin_is_refused(school: Driver) -> None:
    before = store_contents(school.store_url)
    one_line(add(school, "--rrn", "-", stdin=""), 1, "error: national-number: --rrn -: the first line of stdin is empty")
    assert store_contents(school.store_url) == before


def test_without_rrn_and_without_a_terminal_it_is_wrong_usage(school: Driver) -> None:
    line = one_line(add(school, stdin="85073003328\n"), 2, "error: usage: ")
    assert "--rrn -" in line


def test_without_rrn_on_a_terminal_a_hidden_prompt_asks_for_it(school: Driver) -> None:
    """A real pseudo-terminal: the digits typed are neither echoed nor printed."""
    master, slave = os.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {**os.environ, "GRANTBOOK_STORE": school.store_url, "GRANTBOOK_ACTOR": ADMIN, **school.base_env}
    script = Path(sys.executable).with_name("grantbook")
    with subprocess.Popen([str(script), "support-worker", "add", NUMBER, *NAMES], stdin=slave,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          preexec_fn=controlling_terminal) as process:
        os.close(slave)
        shown = b""
        deadline = time.monotonic() + 60
        while b"not shown" not in shown and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                shown += os.read(master, 1024)
            if process.poll() is not None:
                break
        assert b"not shown" in shown or process.poll() is None, shown
        os.write(master, b"85073003328\n")
        out, err = process.communicate(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            try:
                shown += os.read(master, 1024)
            except OSError:
                break
        os.close(master)
    assert process.returncode == 0, (out, err, shown)
    assert out.decode().strip().startswith("OND-")
    for channel in (out, err, shown):
        assert b"85073003328" not in channel, channel


def test_a_key_file_others_can_read_is_refused_saying_how_to_fix_it(school: Driver) -> None:
    assert add(school, "--rrn", RRN_1985).exit_code == 0
    school.key_path.chmod(0o644)
    before = store_contents(school.store_url)
    line = one_line(add(school, "--rrn", valid_rrn("850730", 77)), 1, "error: key-file: ")
    assert "chmod 600" in line and str(school.key_path) in line and "644" in line
    assert store_contents(school.store_url) == before
    school.key_path.chmod(0o600)
    assert add(school, "--rrn", valid_rrn("850730", 77)).exit_code == 0


def test_a_key_file_setting_that_names_a_folder_is_one_line(school: Driver, tmp_path: Path) -> None:
    """A traceback (IsADirectoryError) in issue 13."""
    before = store_contents(school.store_url)
    line = one_line(add(school, "--rrn", RRN_1985, env={"GRANTBOOK_KEY_FILE": str(tmp_path)}), 1, "error: key-file: ")
    assert "folder" in line
    assert store_contents(school.store_url) == before


MONTH_13 = valid_rrn("851330", 33)
TOMORROW = valid_rrn("261201", 33, born_2000_or_later=True)  # the suite's clock says 30/11/2026


@pytest.mark.parametrize(("number", "says", "not_says"), [
    (MONTH_13, "date of birth", "check digits"),
    (TOMORROW, "after today", "check digits"),
    ("85073003327", "check digits do not match", "date of birth"),
    ("85O73003328", "digits only", "11 digits"),
    ("85073003", "this one has 8", "check digits"),
])
def test_each_national_number_problem_has_its_own_message(school: Driver, number: str, says: str, not_says: str) -> None:
    line = one_line(add(school, "--rrn", number), 1, "error: national-number: ")
    assert says in line and not_says not in line
    digits = "".join(c for c in number if c.isdigit())
    for cut in range(3, len(digits) + 1):  # no run of the number's digits beyond the last two
        assert digits[:cut] not in line or cut <= 2
    assert digits[:-2] not in line


@pytest.mark.parametrize("args", [
    ("deselect", NUMBER, RRN_1985),  # found by the hostile-input fuzzer with a larger budget
    ("select", NUMBER, "85.07.30-033.28"),
    ("extend", NUMBER, "85 07 30 033 28", "--right", "x", "--end", "2027-01-01"),
    ("rights", RRN_1985),  # typed where the institution number goes
    ("person", RRN_1985),
    ("admin", "add", NUMBER, RRN_1985),
])
def test_a_national_number_typed_in_the_wrong_place_is_not_echoed(school: Driver, args: tuple[str, ...]) -> None:
    result = school.run(*args)
    assert result.exit_code in (1, 2), result.output
    [line] = result.stderr.strip().splitlines()
    assert "national register number" in line, line
    for form in (RRN_1985, "85.07.30-033.28", "85 07 30 033 28", "850730033"):
        assert form not in result.output


def test_a_roster_cannot_use_national_numbers_as_person_ids(school: Driver) -> None:
    roster = f"person_id,first_name,last_name,category,status,begin_date,end_date\n{RRN_1985},A,B,M,Actief,2020-09-01,\n"
    result = school.refused("roster", "import", NUMBER, school.write("rrn.csv", roster), rule="roster-file",
                            contains="line 2: person-id: a person id is never a national register number")
    assert RRN_1985 not in result.output


def test_a_duplicate_support_worker_is_refused_without_touching_the_store(school: Driver) -> None:
    """Found by the fuzzer: the refusal came after the read models were caught up, so it changed them."""
    assert add(school, "--rrn", RRN_1985).exit_code == 0
    school.ok("select", NUMBER, "90001")  # the read models are now behind
    before = store_contents(school.store_url)
    one_line(add(school, "--rrn", RRN_1985), 1, "error: duplicate-support-worker: ")
    assert store_contents(school.store_url) == before
