"""Output for people (cli/output.py, cli/table.py): ``--columns`` on every listing in every format,
tables cut to a narrow terminal (never JSON or CSV, never piped output), moments in Brussels time."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NUMBER, Driver, grant
from hypothesis import given, settings
from hypothesis import strategies as st

from grantbook.cli.output import render
from grantbook.cli.table import cut, local_time, table, text_width
from grantbook.domain.text import is_unsafe

FORMATS = ("table", "json", "csv", "excel")


def _columns_of(output: str, output_format: str) -> list[str]:
    if output_format == "json":
        return list(json.loads(output)[0])
    if output_format in ("csv", "excel"):
        return next(
            csv.reader(
                io.StringIO(output.lstrip("\ufeff")), delimiter=";" if output_format == "excel" else ","
            )
        )
    return output.splitlines()[0].split()


@pytest.mark.parametrize("output_format", FORMATS)
def test_columns_choose_and_order_in_every_format(school: Driver, output_format: str) -> None:
    grant(school, "90001")
    fmt = ["--excel"] if output_format == "excel" else ["--format", output_format]
    for command, chosen in (
        (("rights", NUMBER), ["last_name", "person_id", "end"]),
        (("audit", NUMBER), ["event", "position"]),
        (("search", NUMBER), ["person_id", "status"]),
        (("catalogue",), ["contexts", "code"]),
        (("institution", "list"), ["rights_today", "institution"]),
        (("expiring", "--within", "365"), ["days_left", "person_id"]),
        (("leavers",), ["person_id"]),
    ):
        result = school.ok(*command, *fmt, "--columns", ",".join(chosen))
        if command[0] == "leavers":
            continue  # no leavers: nothing but the header (CSV) or "(none)" / []
        assert _columns_of(result.stdout, output_format) == chosen, (command, result.stdout)


def test_json_with_columns_holds_just_those_keys_in_order(school: Driver) -> None:
    grant(school, "90001")
    assert school.json("rights", NUMBER, "--columns", "end, person_id") == [
        {"end": "2027-08-31", "person_id": "90001"}
    ]


def test_an_unknown_column_is_wrong_usage_naming_the_known_ones(school: Driver) -> None:
    result = school.refused(
        "rights", NUMBER, "--columns", "person_id,nope", rule="usage", contains="'nope'", code=2
    )
    assert "known: institution, person_id, first_name" in result.stderr
    school.refused("catalogue", "--columns", "", rule="usage", code=2)
    school.refused("tasks", "--format", "json", "--columns", "kind,x", rule="usage", code=2)
    # a command that records (search) refuses before it records anything (refused() checks)
    school.refused("search", NUMBER, "--columns", "nope", rule="usage", code=2)
    school.refused("expiring", "--format", "ics", "--columns", "end", rule="usage", contains="ics", code=2)


def test_a_table_is_cut_to_the_width_json_and_csv_never() -> None:
    rows = [{"code": "iris", "name": "x" * 80, "escape": "a\x1b[31mred" * 3, "wide": "漢字漢字漢字"}]
    columns = ("code", "name", "escape", "wide")
    cut_table = table(rows, columns, str, width=40)
    assert all(text_width(line) <= 40 for line in cut_table.splitlines()), cut_table
    assert "…" in cut_table
    assert "\x1b" not in cut_table
    whole = table(rows, columns, str)
    assert "x" * 80 in whole and "…" not in whole
    for output_format in ("json", "csv"):
        assert "x" * 80 in render(rows, columns, output_format, width=40)


@pytest.mark.parametrize("width", range(1, 14))
def test_a_cell_is_never_cut_inside_an_escape(width: int) -> None:
    shown = cut("ab\x1bcd\u202eef", width)
    assert text_width(shown) <= max(width, 1)
    body = shown.removesuffix("…")
    assert body in "ab\\x1bcd\\u202eef"
    assert body.endswith(("a", "b", "\\x1b", "c", "d", "\\u202e", "e", "f")) or body == ""


def test_wide_characters_count_two_columns() -> None:
    assert text_width("漢字") == 4
    assert cut("漢字漢字", 5) == "漢字…"


def _under_a_terminal(args: list[str], columns: int, env: dict[str, str]) -> str:
    """Runs the console script with stdout on a pseudo-terminal ``columns`` wide."""
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    script = Path(sys.executable).with_name("grantbook")
    done = subprocess.run(
        [str(script), *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**env, "COLUMNS": str(columns)},
        timeout=60,
        check=False,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.returncode == 0, done.stderr
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_narrow_terminal_gets_a_cut_table_a_pipe_the_whole(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env["GRANTBOOK_STORE"] = f"sqlite:///{tmp_path / 'none.db'}"
    narrow = _under_a_terminal(["catalogue"], 60, env)
    lines = narrow.strip("\n").splitlines()
    assert len(lines) == 3 and all(text_width(line) <= 60 for line in lines), narrow
    assert "…" in narrow
    script = Path(sys.executable).with_name("grantbook")
    piped = subprocess.run(
        [str(script), "catalogue"],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "60"},
        timeout=60,
        check=True,
    ).stdout
    assert "…" not in piped and "Dit recht verleent toegang tot de toepassing van het IRIS-Platform" in piped
    as_json = _under_a_terminal(["catalogue", "--format", "json"], 60, env)
    assert "…" not in as_json


def test_moments_in_a_table_are_brussels_time_across_summer_time(school: Driver, clock) -> None:  # type: ignore[no-untyped-def]
    clock.move_to("2027-03-28 00:30:00")  # 01:30 in Brussels, winter time (+01:00)
    school.ok("select", NUMBER, "90001")
    clock.move_to("2027-03-28 01:30:00")  # 03:30 in Brussels: the clocks went forward at 01:00 UTC
    school.ok("select", NUMBER, "90002")
    clock.move_to("2027-10-31 00:30:00")  # 02:30 in Brussels, still summer time (+02:00)
    school.ok("select", NUMBER, "90003")
    clock.move_to("2027-10-31 01:30:00")  # 02:30 in Brussels again, winter time (+01:00)
    school.ok("select", NUMBER, "90004")
    lines = school.ok("audit", NUMBER, "--event", "PersonSelected", "--columns", "recorded_at,details").stdout
    shown = [line[:19] for line in lines.splitlines()[2:]]
    assert shown == [
        "2027-03-28 01:30:00",
        "2027-03-28 03:30:00",
        "2027-10-31 02:30:00",
        "2027-10-31 02:30:00",
    ]
    # JSON and CSV keep the recorded moment, with its offset
    recorded = [e["recorded_at"] for e in school.json("audit", NUMBER, "--event", "PersonSelected")]
    assert recorded[0] == "2027-03-28T00:30:00+00:00"
    assert "2027-03-28T00:30:00+00:00" in school.ok("audit", NUMBER, "--format", "csv").stdout


def test_only_moments_in_moment_columns_are_turned_into_brussels_time() -> None:
    rows = [{"granted_at": "2026-09-01T07:15:02+00:00", "first_name": "2026-09-01T07:15:02+00:00"}]
    lines = table(rows, ("granted_at", "first_name"), str).splitlines()
    assert lines[2].split() == ["2026-09-01", "09:15:02", "2026-09-01T07:15:02+00:00"]


def test_only_moments_are_turned_into_brussels_time() -> None:
    assert local_time("2026-09-01T07:15:02.123456+00:00") == "2026-09-01 09:15:02"
    assert local_time("2026-12-01T07:15:02Z") == "2026-12-01 08:15:02"
    for text in ("2026-09-01", "2026-09-01T07:15:02", "034793", "noon 2026-09-01T07:15:02+00:00"):
        assert local_time(text) == text


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.lists(st.text(max_size=40), min_size=3, max_size=3), min_size=1, max_size=4),
    width=st.integers(min_value=3 * 3 + 2 * 2, max_value=120),
)
def test_any_table_fits_any_terminal_wide_enough_for_its_columns(cells: list[list[str]], width: int) -> None:
    columns = ("a", "bb", "ccc")
    rows = [dict(zip(columns, row, strict=True)) for row in cells]
    shown = table(rows, columns, str, width=width)
    assert all(text_width(line) <= width for line in shown.splitlines()), shown
    assert not any(is_unsafe(c) for c in shown.replace("\n", ""))
