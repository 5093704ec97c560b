"""Issue 13, text is text: every name, reason and search word typed on the command line or
read from a roster file is NFC-normalised, and refused (naming the field, and in a file the
line where the row starts) when it holds control, line-break or bidi characters or is over
its limit; nothing is recorded then."""

from __future__ import annotations

import pytest
from conftest import IRIS, NUMBER, ROSTER_HEADER, RRN_1985, Driver, grant

from grantbook.domain.text import is_unsafe

BAD = {
    "tab": "An\tna",
    "newline": "An\nForged line",
    "carriage return": "An\rna",
    "escape sequence": "\x1b[2J\x1b]0;owned\x07An",
    "C1 CSI": "An\x9b31m",
    "DEL": "An\x7f",
    "bidi override": "\u202etxt.exe",
    "bidi isolate": "An\u2066na\u2069",
    "line separator": "An\u2028na",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_control_and_bidi_characters_are_refused_in_every_typed_text(school: Driver, text: str) -> None:
    sw = ("support-worker", "add", NUMBER, "--rrn", RRN_1985, "--first-name", "An", "--last-name", "Peeters",
          "--reason", "ondersteuner")
    cases = [
        (("institution", "register", "123456", "--name", text, "--admin", "jan"), "institution name"),
        (tuple(text if a == "An" else a for a in sw), "first name"),
        (tuple(text if a == "Peeters" else a for a in sw), "last name"),
        (tuple(text if a == "ondersteuner" else a for a in sw), "reason"),
        (("search", NUMBER, "--name", text), "search name"),
    ]
    grant(school, "90001")
    cases.append((("revoke", NUMBER, "90001", "--right", IRIS, "--reason", text), "reason"))
    for args, field in cases:
        result = school.refused(*args, rule="text-character", contains=field)
        assert "U+" in result.stderr
        assert not [c for c in result.stderr.removesuffix("\n") if is_unsafe(c)], result.stderr
    assert not school.key_path.exists(), "a refused support worker created a key file"


@pytest.mark.parametrize(("option", "field", "limit"), [("--first-name", "first name", 200),
                                                         ("--last-name", "last name", 200),
                                                         ("--reason", "reason", 1000)])
def test_over_long_text_is_refused_in_one_line(school: Driver, option: str, field: str, limit: int) -> None:
    """A 5,000-character name was a pydantic traceback (issue 13)."""
    values = {"--first-name": "An", "--last-name": "Peeters", "--reason": "ondersteuner"}
    school.ok("support-worker", "add", NUMBER, "--rrn", RRN_1985, *[x for o, v in values.items()
              for x in (o, "x" * limit if o == option else v)])
    values[option] = "x" * 5000
    args = [x for o, v in values.items() for x in (o, v)]
    result = school.refused("support-worker", "add", NUMBER, "--rrn", "85073003328", *args,
                            rule="text-length", contains=field)
    assert "5,000 characters" in result.stderr and len(result.stderr) < 300


def test_a_300_character_institution_name_is_one_line(gb: Driver) -> None:
    """A traceback in issue 13."""
    result = gb.run("institution", "register", NUMBER, "--name", "N" * 300, "--admin", "jan")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: text-length: the institution name is 300 characters")
    gb.ok("institution", "register", NUMBER, "--name", "N" * 200, "--admin", "jan")


def test_names_are_stored_nfc_normalised(gb: Driver) -> None:
    decomposed = "Zoe\u0308 Dupre\u0301"
    gb.ok("institution", "register", NUMBER, "--name", "Basisschool " + decomposed, "--admin", "jan")
    roster = f"{ROSTER_HEADER}\n90001,Zoe\u0308,Dupre\u0301,Medewerker,Actief,2020-09-01,\n"
    gb.ok("roster", "import", NUMBER, gb.write("nfd.csv", roster))
    [person] = gb.json("search", NUMBER, "--name", "zoe\u0308")
    assert (person["first_name"], person["last_name"]) == ("Zo\u00eb", "Dupr\u00e9")
    [registered] = gb.json("audit", NUMBER)[:1]
    assert registered["details"]["name"] == "Basisschool Zo\u00eb Dupr\u00e9"


ROWS = [
    ("90001,An,Peeters,Medewerker,Actief,2020-09-01,", None),
    ('90002,"Forged\nline",Peeters,Medewerker,Actief,2020-09-01,', "first name"),
    ("90003,An,Pee\tters,Medewerker,Actief,2020-09-01,", "last name"),
    ("90004,An,Peeters,Mede\x1b[31mwerker,Actief,2020-09-01,", "category"),
    ("90005,\u202eAn,Peeters,Medewerker,Actief,2020-09-01,", "first name"),
    ("90006,An," + "P" * 201 + ",Medewerker,Actief,2020-09-01,", "last name"),
]


@pytest.mark.parametrize("bad", range(1, len(ROWS)))
def test_a_roster_row_with_bad_text_is_refused_naming_the_line_where_it_starts(school: Driver, bad: int) -> None:
    # a good multi-line cell first, so the bad row starts on a later line than its index says
    good_first = '90009,An,"Van Dam",Medewerker,Actief,2020-09-01,'
    lines = [ROSTER_HEADER, good_first, ROWS[0][0], ROWS[bad][0]]
    start = 1 + 1 + 1 + 1  # header, two one-line rows: the bad row starts on line 4
    result = school.refused("roster", "import", NUMBER, school.write("bad.csv", "\n".join(lines) + "\n"),
                            rule="roster-file", contains=f"line {start}: ")
    assert ROWS[bad][1] in result.stderr
    # a multi-line quoted cell before it moves the start line on
    lines = [ROSTER_HEADER, '90010,An,"Van\nDam",Medewerker,Actief,2020-09-01,', ROWS[bad][0]]
    school.refused("roster", "import", NUMBER, school.write("bad2.csv", "\n".join(lines) + "\n"),
                   rule="roster-file", contains="line 2: ")


def test_a_forged_line_in_a_roster_starts_where_its_row_starts(school: Driver) -> None:
    lines = [ROSTER_HEADER, ROWS[0][0], ROWS[1][0]]  # the bad row starts on line 3 and ends on line 4
    school.refused("roster", "import", NUMBER, school.write("bad.csv", "\n".join(lines) + "\n"),
                   rule="roster-file", contains="line 3: text-character: the first name holds U+000A")
