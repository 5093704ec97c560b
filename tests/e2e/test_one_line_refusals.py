"""Issue 13, every refusal is one line ``error: <rule>: <what>``: exit 1 when refused,
2 for wrong usage or a malformed value; and authority is one rule."""

from __future__ import annotations

import re

import pytest
from conftest import IRIS, NUMBER, Driver, grant

LINE = re.compile(r"error: [a-z][a-z-]*: \S")


def test_an_ordinary_administrator_may_not_revoke_what_only_a_head_grants(school: Driver) -> None:
    grant(school, "90001")
    school.ok("admin", "add", NUMBER, "piet")
    school.refused("revoke", NUMBER, "90001", "--right", IRIS, "--reason", "left", actor="piet",
                   rule="not-a-head-administrator", contains="revoked only by a head administrator")
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--end", "2028-01-01", actor="piet",
                   rule="not-a-head-administrator", contains="piet")
    school.ok("revoke", NUMBER, "90001", "--right", IRIS, "--reason", "left", actor="mia")


def test_revoke_with_an_unknown_context_says_so_like_assign(school: Driver) -> None:
    grant(school, "90001")
    school.ok("select", NUMBER, "90002")
    assign = school.refused("assign", NUMBER, "--right", IRIS, "--context", "Foo", "--begin", "2026-12-01",
                            "--end", "2027-01-01", rule="unknown-context", contains="'Foo'")
    revoke = school.refused("revoke", NUMBER, "90001", "--right", IRIS, "--context", "Foo", "--reason", "x",
                            rule="unknown-context", contains="'Foo'")
    assert revoke.stderr == assign.stderr
    school.refused("extend", NUMBER, "90001", "--right", IRIS, "--context", "Foo", "--end", "2028-01-01",
                   rule="unknown-context")


def test_audit_since_after_until_is_refused(school: Driver) -> None:
    school.refused("audit", NUMBER, "--since", "2026-12-01", "--until", "2026-11-01", rule="date-range",
                   contains="--since")
    assert school.json("audit", NUMBER, "--since", "2026-11-30", "--until", "2026-11-30")


@pytest.mark.parametrize("option", ["--since", "--until", "--as-of"])
def test_a_malformed_timestamp_is_a_malformed_value(school: Driver, option: str) -> None:
    for bad in ("yesterday", "9999-12-31T00:00:00+00:00", "1800-01-01"):
        result = school.refused("audit", NUMBER, option, bad, rule="date-format", contains=option, code=2)
        assert LINE.match(result.stderr)


@pytest.mark.parametrize("args", [
    ("rights",),  # a missing argument
    ("rights", NUMBER, "--format", "xml"),  # a choice
    ("expiring", "--within", "soon"),  # a malformed number
    ("rights", NUMBER, "--bogus"),  # an unknown option
    ("no-such-command",),
    ("rights", NUMBER, "--format", "\x1b[2J"),  # nothing raw echoed back
])
def test_wrong_usage_is_one_line_and_exit_2(school: Driver, args: tuple[str, ...]) -> None:
    result = school.run(*args)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: usage: "), line
    assert "\x1b" not in result.stderr and result.stdout == ""


def test_every_error_has_its_rule_prefix(school: Driver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Store, key and file errors lacked a rule (issue 13)."""
    cases = [
        (("--store", "mysql://x/y"), ("rights", NUMBER), "store"),
        (("--store", f"sqlite:///{tmp_path / 'absent.db'}"), ("rights", NUMBER), "store"),
        ((), ("roster", "import", NUMBER, str(tmp_path / "absent.csv")), "roster-file"),
    ]
    for prefix, args, rule in cases:
        result = school.runner.invoke(__import__("grantbook.cli.main", fromlist=["cli"]).cli,
                                      [*prefix, "--as", "jan", *args] if prefix else
                                      ["--store", school.store_url, "--as", "jan", *args],
                                      env={"GRANTBOOK_STORE": None, **school.base_env})
        assert result.exit_code == 1, result.output
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"error: {rule}: "), line
