"""``grantbook auditor add/remove``: head administrators name auditors, recorded as events."""

from __future__ import annotations

from conftest import NUMBER, Driver


def test_a_head_appoints_and_removes_an_auditor(school: Driver) -> None:
    result = school.ok("auditor", "add", NUMBER, "ann")
    assert "appointed auditor ann at 034793; auditors: ann" in result.stdout
    events = [row["event"] for row in school.json("audit", NUMBER)]
    assert events[-1] == "AuditorAppointed"
    school.refused("auditor", "add", NUMBER, "ann", rule="already-auditor")
    school.refused("auditor", "add", NUMBER, "bob", rule="not-an-administrator", actor="ann")
    school.ok("admin", "add", NUMBER, "piet")
    school.refused("auditor", "remove", NUMBER, "ann", rule="not-a-head-administrator", actor="piet")
    result = school.ok("auditor", "remove", NUMBER, "ann", actor="mia")
    assert "removed auditor ann from 034793; auditors: -" in result.stdout
    school.refused("auditor", "remove", NUMBER, "ann", rule="not-an-auditor")
    assert [row["event"] for row in school.json("audit", NUMBER)][-1] == "AuditorRemoved"
