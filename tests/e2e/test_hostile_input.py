"""Hostile input: whatever users type or paste either works or ends with one
line on stderr and exit code 1 (2 when malformed); never a traceback; a refusal changes nothing.

Two parts: every argument users type, fuzzed with hypothesis (hostile
strings mixed with random text), and a table of roster files as other
systems and spreadsheets export them, run through ``roster import``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    IRIS,
    NUMBER,
    ROSTER_HEADER,
    RRN_1985,
    Driver,
    grant,
    roster_csv,
    staff,
    store_contents,
    valid_rrn,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grantbook.cli.main import cli

HOSTILE = [
    "", " ", "\t", "034793 ", " 034793", "34793", "0347930", "03479a", "-034793", "+34793", "034 793",
    "٠٣٤٧٩٣", "０３４７９３", "90001", "9000\u200b1", "a" * 65, "a" * 100_000, "jan", "Jan", "piet",
    "30/11/2026", "2026-11-30", "31/02/2026", "2026-02-30", "29/02/2028", "00/00/0000", "0000-01-01",
    "0001-01-01", "9999-12-31", "31/12/9999", "1/1/2026", "2026-1-5", "30.11.2026", "20261130",
    "2026/11/30", "11/30/2026", "30-11-2026", "2026-11-30T00:00", " 2026-11-30 ", "today",
    RRN_1985, "85.07.30-033.28", "85073003329", "8507300332", "850730033288", "00000000000",
    valid_rrn("850730", 999), valid_rrn("014101", 1, True), "99999999999", "85 07 30 033 28",
    IRIS, IRIS.lower(), IRIS + " ", "Gebruiker", "gebruiker", "Beheerder", "Operator", "Gast",
    "'; DROP TABLE stored_events; --", '"quoted"', "%s%s%n", "{0}", "${HOME}", "../../etc/passwd",
    "line\nbreak", "tab\there", "\u202eevil", "naïve Ünïcödé", "🙂", "\x1b[31mred\x1b[0m", "\\", "-h", "--help",
    "-x", "NaN", "1e309",
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
)

# (command words, options, positionals); None marks the slot the fuzzed value fills.
T = tuple[tuple[str, ...], tuple[str, ...], tuple[str | None, ...]]
SLOTS: list[T] = [
    (("institution", "register"), ("--name=School", "--admin=jan"), (None,)),
    (("institution", "register"), ("--name", None, "--admin=jan"), ("123456",)),
    (("institution", "register"), ("--name=School", "--admin", None), ("654321",)),
    (("roster", "import"), (), (NUMBER, None)),
    (("search",), (), (None,)),
    (("search",), ("--name", None), (NUMBER,)),
    (("select",), (), (NUMBER, None)),
    (("deselect",), (), (NUMBER, None)),
    (("selection",), (), (None,)),
    (("assign",), ("--right", None, "--context=Gebruiker", "--begin=2026-12-01", "--end=2027-06-30"), (NUMBER,)),
    (("assign",), ("--right", IRIS, "--context", None, "--begin=2026-12-01", "--end=2027-06-30"), (NUMBER,)),
    (("assign",), ("--right", IRIS, "--context=Gebruiker", "--begin", None, "--end=2027-06-30"), (NUMBER,)),
    (("assign",), ("--right", IRIS, "--context=Gebruiker", "--begin=2026-12-01", "--end", None), (NUMBER,)),
    (("extend",), ("--right", IRIS, "--end=2027-09-30"), (NUMBER, None)),
    (("extend",), ("--right", IRIS, "--end", None), (NUMBER, "90002")),
    (("extend",), ("--right", None, "--end=2027-09-30"), (NUMBER, "90002")),
    (("extend",), ("--right", IRIS, "--end=2027-09-30", "--context", None), (NUMBER, "90002")),
    (("revoke",), ("--right", IRIS, "--reason=left"), (NUMBER, None)),
    (("revoke",), ("--right", None, "--reason=left"), (NUMBER, "90003")),
    (("revoke",), ("--right", IRIS, "--reason", None), (NUMBER, "90004")),
    (("support-worker", "add"), ("--rrn", None, "--first-name=An", "--last-name=Peeters", "--reason=r"), (NUMBER,)),
    (("support-worker", "add"), ("--rrn", valid_rrn("850730", 77), "--first-name", None, "--last-name=P", "--reason=r"), (NUMBER,)),
    (("support-worker", "add"), ("--rrn", valid_rrn("850730", 78), "--first-name=A", "--last-name=P", "--reason", None), (NUMBER,)),
    (("rights",), (), (None,)),
    (("rights",), ("--on", None), (NUMBER,)),
    (("expiring",), ("--on", None), ()),
    (("expiring",), ("--institution", None), ()),
    (("audit",), (), (None,)),
]


def build(slot: T, value: str) -> list[str]:
    words, options, positionals = slot
    fill = [value if part is None else part for part in options]
    # options as --opt=value, so a value starting with '-' stays a value
    joined: list[str] = []
    it = iter(fill)
    for part in it:
        if part.startswith("--") and "=" not in part:
            joined.append(f"{part}={next(it)}")
        else:
            joined.append(part)
    return [*words, *joined, "--", *[value if p is None else p for p in positionals]]


def assert_clean(gb: Driver, args: list[str], actor: str | None = "jan", env: dict[str, str] | None = None) -> int:
    """Works, or one line on stderr and exit 1 (refused) or 2 (malformed) with the store unchanged."""
    before = store_contents(gb.store_url)
    result = gb.runner.invoke(
        cli,
        ["--store", gb.store_url, *(["--as", actor] if actor is not None else []), *args],
        env={"GRANTBOOK_STORE": None, "GRANTBOOK_ACTOR": None, **gb.base_env, **(env or {})},
        catch_exceptions=True,
    )
    shown = (args[:6], result.stdout[-300:], result.stderr[-300:], repr(result.exception))
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    assert result.exit_code in (0, 1, 2), shown
    if result.exit_code in (1, 2):
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), shown
        assert store_contents(gb.store_url) == before, ("a refusal changed the store", shown)
        for secret in (RRN_1985, valid_rrn("850730", 999)):
            assert secret not in result.stderr, "a national register number was printed"
    return result.exit_code


@pytest.fixture
def busy_school(school: Driver) -> Driver:
    grant(school, "90002", "90003", "90004")
    school.ok("select", NUMBER, "90001")
    return school


@settings(max_examples=int(os.environ.get("GRANTBOOK_FUZZ_EXAMPLES", "0")) or 20, derandomize=True,
          deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_typed_argument_works_or_is_refused_in_one_line(busy_school: Driver, data: st.DataObject) -> None:
    slot = data.draw(st.sampled_from(SLOTS))
    value = data.draw(values)
    args = build(slot, value)
    if slot[0] == ("roster", "import"):
        args[-1] = busy_school.write("roster-arg.csv", value) if value else value
    assert_clean(busy_school, args)


ACTORS = ["", " ", "piet", "a" * 65, "jan;rm", "-x", "🙂", "line\nbreak", "JAN"]
STORE_URLS = ["", "sqlite://", "sqlite:///", "sqlite:///:memory:", "mysql://x/y", "postgresql://",
              "postgresql:///db", "postgresql://u@127.0.0.1:1/db", "http://example.org",
              "sqlite:///no/such/dir/x.db", "🙂"]


def test_the_acting_person_and_the_store_url_are_checked(busy_school: Driver) -> None:
    for actor in ACTORS:
        assert_clean(busy_school, ["search", "--", NUMBER], actor=actor)
    for url in STORE_URLS:
        result = busy_school.runner.invoke(
            cli, ["--store", url, "--as", "jan", "rights", NUMBER], env={"GRANTBOOK_STORE": None}, catch_exceptions=True,
        )
        assert result.exit_code == 1, (url, result.stdout, result.stderr, repr(result.exception))
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, (url, result.stderr)


def test_undecodable_bytes_in_an_argument_are_refused_cleanly(busy_school: Driver) -> None:
    """A terminal in Latin-1 hands Python bytes that are not UTF-8 (surrogate escapes)."""
    env = {**os.environ, "GRANTBOOK_STORE": busy_school.store_url, "GRANTBOOK_ACTOR": "jan",
           "LC_ALL": "C.UTF-8", **busy_school.base_env}
    script = Path(sys.executable).with_name("grantbook")
    for args in ([b"search", b"034793", b"--name", b"Pe\xebters"], [b"select", b"034793", b"9000\xff"],
                 [b"rights", b"034793", b"--on", b"30/11/2026\xa0"]):
        before = store_contents(busy_school.store_url)
        done = subprocess.run([str(script).encode(), *args], env=env, capture_output=True, timeout=60)
        err = done.stderr.decode("utf-8", "replace")
        assert b"Traceback" not in done.stderr, err
        assert done.returncode in (0, 1, 2), err
        if done.returncode in (1, 2):
            assert len(err.strip().splitlines()) == 1, err
            assert store_contents(busy_school.store_url) == before


# -- roster files ------------------------------------------------------------

GOOD = staff(3)
HEADER_SEMI = ROSTER_HEADER.replace(",", ";")


def rows(*lines: str, header: str = ROSTER_HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


# name, bytes, outcome: an int = persons imported; a str = text the one-line refusal contains
ROSTERS: list[tuple[str, bytes, int | str]] = [
    ("plain UTF-8", roster_csv(GOOD).encode(), 3),
    ("UTF-8 with BOM", b"\xef\xbb\xbf" + roster_csv(GOOD).encode(), 3),
    ("semicolons", roster_csv(GOOD, sep=";").encode(), 3),
    ("CRLF", roster_csv(GOOD).replace("\n", "\r\n").encode(), 3),
    ("BOM + ; + CRLF", b"\xef\xbb\xbf" + roster_csv(GOOD, sep=";").replace("\n", "\r\n").encode(), 3),
    ("cp1252 names", rows("90001;Zoë;Dupré;Medewerker;Actief;01/09/2020;", header=HEADER_SEMI).decode().encode("cp1252"), 1),
    ("UTF-16 (Excel 'Unicode text')", roster_csv(GOOD).replace(",", "\t").encode("utf-16"), 3),
    ("extra columns", rows("90001,A,B,Medewerker,Actief,01/09/2020,,x,y", header=ROSTER_HEADER + ",email,phone"), 1),
    ("columns in another order", rows("A,90001,B,Medewerker,Actief,2020-09-01,",
                                      header="first_name,person_id,last_name,category,status,begin_date,end_date"), 1),
    ("header in capitals", rows("90001,A,B,Medewerker,ACTIEF,2020-09-01,", header=ROSTER_HEADER.upper()), 1),
    ("quoted fields with separator inside", rows('90001,"Van, Dam",B,Medewerker,Actief,2020-09-01,'), 1),
    ("blank lines between rows", rows("90001,A,B,Medewerker,Actief,2020-09-01,", "", ",,,,,,", "90002,C,D,Medewerker,Actief,2020-09-01,"), 2),
    ("trailing spaces in cells", rows(" 90001 , A , B , Medewerker , Actief , 01/09/2020 , "), 1),
    ("empty file", b"", "empty"),
    ("only whitespace", b"  \r\n\n", "empty"),
    ("only a BOM", b"\xef\xbb\xbf", "empty"),
    ("header only", ROSTER_HEADER.encode() + b"\n", "no persons"),
    ("wrong header", rows("90001,A,B,Medewerker,Actief,2020-09-01,", header="id,voornaam,naam,categorie,status,begin,einde"), "line 1"),
    ("missing column", rows("90001,A,B,Actief,2020-09-01,", header=ROSTER_HEADER.replace("category,", "")), "category"),
    ("column twice", rows("90001,A,B,M,Actief,2020-09-01,,X", header=ROSTER_HEADER + ",last_name"), "twice"),
    ("row with a missing field", rows("90001,A,B,Medewerker,Actief,2020-09-01,", "90002,C,D,Medewerker,Actief"), "line 3"),
    ("row with an extra field", rows("90001,A,B,Medewerker,Actief,2020-09-01,,oops"), "line 2"),
    ("duplicate person id", rows("90001,A,B,M,Actief,2020-09-01,", "90002,C,D,M,Actief,2020-09-01,", "90001,E,F,M,Actief,2020-09-01,"), "line 4"),
    ("end before begin", rows("90001,A,B,M,Actief,2020-09-01,2019-01-01"), "line 2"),
    ("date d/m/yy", rows("90001,A,B,M,Actief,1/9/20,"), "line 2"),
    ("date with dots", rows("90001,A,B,M,Actief,01.09.2020,"), "line 2"),
    ("date US order", rows("90001,A,B,M,Actief,09/31/2020,"), "line 2"),
    ("date as Excel serial", rows("90001,A,B,M,Actief,44075,"), "line 2"),
    ("no such day", rows("90001,A,B,M,Actief,31/02/2020,"), "line 2"),
    ("empty begin date", rows("90001,A,B,M,Actief,,"), "line 2"),
    ("bad status", rows("90001,A,B,M,Busy,2020-09-01,"), "line 2"),
    ("empty name", rows("90001,,B,M,Actief,2020-09-01,"), "line 2"),
    ("bad person id", rows("9000 1,A,B,M,Actief,2020-09-01,"), "line 2"),
    ("person id too long", rows("9" * 65 + ",A,B,M,Actief,2020-09-01,"), "line 2"),
    ("name too long", rows("90001," + "A" * 201 + ",B,M,Actief,2020-09-01,"), "line 2"),
    ("NUL bytes", b"person_id\x00,first_name\n\x00\x00", "roster-file"),
    ("random binary", bytes(range(256)) * 4, "roster-file"),
    ("unterminated quote", rows('90001,"A,B,M,Actief,2020-09-01,'), "roster-file"),
    ("tab separated", roster_csv(GOOD).replace(",", "\t").encode(), 3),
    ("UTF-16 without BOM", roster_csv(GOOD).encode("utf-16-le"), "roster-file"),
    ("huge: 10,000 persons", roster_csv(staff(10_000)).encode(), 10_000),
    ("huge single line", b"x" * 3_000_000, "roster-file"),
]


def test_roster_files_as_users_produce_them(school: Driver) -> None:
    """Each case works (persons imported) or is refused in one line naming the problem."""
    report = []
    for name, data, outcome in ROSTERS:
        path = school.write("pasted.csv", data)
        before = store_contents(school.store_url)
        result = school.run("roster", "import", NUMBER, path)
        report.append((name, result.exit_code, (result.stdout + result.stderr).strip()[:160]))
        assert "Traceback" not in result.stdout + result.stderr, name
        if isinstance(outcome, int):
            assert result.exit_code == 0, (name, result.stderr)
            assert f"imported {outcome} persons" in result.stdout, name
            continue
        assert result.exit_code == 1, (name, result.stdout)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: roster-file"), (name, lines)
        assert outcome in lines[0], (name, lines[0])
        assert len(lines[0]) < 600, "the error line quotes too much of the file"
        assert store_contents(school.store_url) == before, name
    if os.environ.get("GRANTBOOK_SHOW_CASES"):
        for line in report:
            print(*line, sep=" | ")
