"""GRANTBOOK_LOCK_TIMEOUT: seconds, fractions allowed; anything else is one line, exit 1."""

from __future__ import annotations

import pytest
from conftest import NUMBER, grant


@pytest.mark.parametrize("seconds", ["0.5", "0.25", "2", " 3 "])
def test_fractions_of_a_second_simply_work(school, seconds: str) -> None:
    env = {"GRANTBOOK_LOCK_TIMEOUT": seconds}
    school.ok("select", NUMBER, "90001", env=env)
    school.ok("deselect", NUMBER, "90001", env=env)
    grant(school, "90002")
    rows = school.json("rights", NUMBER, env=env)
    assert [r["person_id"] for r in rows] == ["90002"]


@pytest.mark.parametrize("value", ["abc", "-1", "-0.5", "nan", "inf", "1e400"])
@pytest.mark.parametrize("command", [("select", NUMBER, "90001"), ("rights", NUMBER), ("audit", NUMBER)])
def test_a_bad_lock_timeout_is_one_line(school, value: str, command: tuple[str, ...]) -> None:
    result = school.refused(
        *command,
        rule="lock-timeout",
        contains="GRANTBOOK_LOCK_TIMEOUT",
        env={"GRANTBOOK_LOCK_TIMEOUT": value},
    )
    assert result.stderr.startswith("error: lock-timeout: ")
