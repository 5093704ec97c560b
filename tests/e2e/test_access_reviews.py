"""Access reviews end to end on both stores (issue 24, docs/adr/0025): a quarterly review run by
``review run`` across its due date with a pinned clock (closes, applies, starts the next one once,
does nothing on the second run), the mails to its reviewer through a real SMTP server, what
auditors read (``--as-of``), and ``verify`` intact afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import NUMBER, Driver, grant
from mailserver import MailServer, parts

from grantbook.adapters.run_lock import exclusive_run
from grantbook.adapters.store import StoreLocation

FROM = "grantbook@delinde.example"
NAME = "IRIS per kwartaal"


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def reviewed(school: Driver) -> Driver:
    """IRIS for 90001-90003; jan and mia have addresses; mia is the one reviewer of R1 (quarterly,
    due 31/12/2026, undecided rights revoked), started on 30/11/2026."""
    school.ok("admin", "email", NUMBER, "mia", "mia@delinde.example", actor="mia")
    school.ok("admin", "email", NUMBER, "jan", "jan@delinde.example")
    grant(school, "90001", "90002", "90003")
    out = school.ok(
        "review", "start", NUMBER, "--name", NAME, "--due", "31/12/2026", "--right", "iris",
        "--reviewer", "mia", "--if-undecided", "revoke", "--every", "3",
    ).stdout
    assert out == "R1\n"
    return school


def notify(gb: Driver, smtp: MailServer, day: str) -> str:
    result = gb.run("notify", "--smtp", smtp.url, "--from", FROM, "--on", day, actor="notifier")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def run(gb: Driver) -> tuple[str, str]:
    result = gb.ok("review", "run", actor="notifier")
    return result.stdout, result.stderr


def test_a_quarterly_review_across_its_due_date(reviewed: Driver, smtp: MailServer, clock: object) -> None:
    gb = reviewed
    refused = gb.refused("review", "decide", NUMBER, "R1", "034793-1", "keep", actor="jan", rule="not-a-reviewer")
    assert "mia" in refused.stderr
    gb.ok("review", "decide", NUMBER, "R1", "034793-1", "034793-2", "keep", actor="mia")
    gb.ok("review", "decide", NUMBER, "R1", "034793-2", "revoke", "--reason", "left the school", actor="mia")
    [task] = [t for t in gb.json("tasks", actor="mia") if t["kind"] == "review"]
    assert task["detail"] == f"R1 {NAME}: 1 of 3 left to decide" and task["due"] == "2026-12-31"
    assert gb.json("review", "list", NUMBER) == [
        {"id": "R1", "name": NAME, "status": "open", "due": "2026-12-31", "items": 3, "decided": 2}
    ]

    assert run(gb) == ("", "review run on 2026-11-30: 0 closed, 0 started\n")  # not past due: nothing
    clock.move_to("2027-01-01 09:00:00")  # type: ignore[attr-defined]
    out, err = run(gb)
    assert out.splitlines()[0] == f"closed {NUMBER} R1 ({NAME}): 2 revoked, 1 kept, 0 already ended"
    assert "034793-3 90003" in out and "revoked from 2027-01-01" in out
    assert err == "review run on 2027-01-01: 1 closed, 0 started\n"
    assert run(gb) == ("", "review run on 2027-01-01: 0 closed, 0 started\n")  # the second run: nothing

    rows = {r["grant_id"]: r for r in gb.json("review", "show", NUMBER, "R1", actor=None)}
    assert {g: (r["decision"], r["outcome"]) for g, r in rows.items()} == {
        "034793-1": ("keep", "kept"), "034793-2": ("revoke", "revoked"), "034793-3": ("", "revoked")
    }
    assert (rows["034793-2"]["decided_by"], rows["034793-2"]["justification"]) == ("mia", "left the school")
    assert rows["034793-1"]["name"] == "First1 Last1" and rows["034793-1"]["recommendation"] == "keep"
    before = gb.json("review", "show", NUMBER, "R1", "--as-of", "2026-12-15", actor=None)
    assert {r["outcome"] for r in before} == {""}
    assert gb.json("review", "list", NUMBER, "--as-of", "2026-12-15")[0]["status"] == "open"
    every = {r["grant_id"]: r for r in gb.json("rights", NUMBER, "--all")}
    assert every["034793-3"]["revoke_reason"] == f"Toegangsreview {NAME}"
    assert every["034793-3"]["revoked_on"] == "2027-01-01" and every["034793-3"]["revoked_by"] == "notifier"
    assert every["034793-1"]["revoked_on"] is None
    gb.refused("review", "decide", NUMBER, "R1", "034793-1", "revoke", actor="mia", rule="review-closed")

    clock.move_to("2027-02-27 09:00:00")  # type: ignore[attr-defined]
    assert run(gb)[0] == ""
    clock.move_to("2027-02-28 09:00:00")  # type: ignore[attr-defined]
    out, err = run(gb)
    assert out == f"started {NUMBER} R2 ({NAME}): 1 items, due 2027-03-31\n"
    assert run(gb)[0] == ""  # once: never two open reviews of one series
    listed = gb.json("review", "list", NUMBER)
    assert [(r["id"], r["status"], r["items"]) for r in listed] == [("R1", "closed", 3), ("R2", "open", 1)]
    assert "every hash chain is intact" in gb.ok("verify").stdout
    audit = gb.json("audit", NUMBER, "--event", "ReviewClosed")
    assert [e["actor"] for e in audit] == ["notifier"]


def test_the_reviewer_is_mailed_at_the_start_and_7_and_1_days_before_the_due_date(
    reviewed: Driver, smtp: MailServer
) -> None:
    out = notify(reviewed, smtp, "2026-11-30")
    assert out == f"sent {NUMBER} reviewer mia <mia@delinde.example>: review R1 due 2026-12-31 (3 of 3 left to decide, start notice)\n"
    [mail] = smtp.inbox.take()
    assert mail["Subject"] == f"Toegangsreview {NAME} - De Linde ({NUMBER})" and mail["To"] == "mia@delinde.example"
    plain, html = parts(mail)
    for text in (plain, html):
        assert "31/12/2026" in text and "2026-12-31" not in text and "Je bent beoordelaar" in text
        assert " u " not in text and "Uw " not in text and "90001" not in text
    assert notify(reviewed, smtp, "2026-12-01") == "" and smtp.inbox.take() == []  # sent once
    assert "7-day notice" in notify(reviewed, smtp, "2026-12-24")
    [week] = smtp.inbox.take()
    assert "nog 7 dagen" in parts(week)[0]
    assert notify(reviewed, smtp, "2026-12-25") == ""
    assert "1-day notice" in notify(reviewed, smtp, "2026-12-30")
    assert "nog 1 dag" in parts(smtp.inbox.take()[0])[0]
    assert notify(reviewed, smtp, "2026-12-31") == "" and smtp.inbox.take() == []
    recorded = [e["details"] for e in reviewed.json("audit", NUMBER, "--event", "ReviewNoticeSent")]
    assert [(n["recipient"], n["threshold"]) for n in recorded] == [("mia", None), ("mia", 7), ("mia", 1)]


def test_rules_and_usage_on_the_command_line(reviewed: Driver) -> None:
    gb = reviewed
    gb.refused("review", "start", NUMBER, "--name", "X", "--due", "2026-12-31", actor="piet", rule="not-an-administrator")
    gb.ok("admin", "add", NUMBER, "piet")
    gb.refused("review", "start", NUMBER, "--name", "X", "--due", "2026-12-31", actor="piet", rule="not-a-head-administrator")
    gb.refused("review", "start", NUMBER, "--name", "X", "--due", "2026-12-31", "--reviewer", "90001",
               rule="reviewer-not-administrator")
    gb.refused("review", "start", NUMBER, "--name", "X", "--due", "2026-12-31", "--every", "4", rule="usage", code=2)
    gb.refused("review", "close", NUMBER, "R1", actor="piet", rule="not-a-head-administrator")
    gb.refused("review", "show", NUMBER, "R9", rule="unknown-review")
    gb.refused("review", "decide", NUMBER, "R1", "034793-1", "maybe", actor="mia", rule="usage", code=2)
    gb.refused("review", "run", "--on", "2026-11-29", rule="revoke-date")
    two = gb.ok("review", "start", NUMBER, "--name", "Alles", "--due", "2026-12-31", "--justify").stdout
    assert two == "R2\n"
    gb.refused("review", "decide", NUMBER, "R2", "034793-1", "keep", actor="mia", rule="justification-required")
    out = gb.ok("review", "close", NUMBER, "R2", actor="mia").stdout
    assert out.startswith(f"closed R2 (Alles) at {NUMBER}: 0 revoked, 3 kept")
    assert "Example:" in gb.ok("review", "start", "--help").stdout


def test_one_run_at_a_time_per_store(reviewed: Driver) -> None:
    with exclusive_run(StoreLocation.parse(reviewed.store_url), "review"):
        reviewed.refused("review", "run", actor="notifier", rule="review-running")
    reviewed.ok("review", "run", actor="notifier")


def test_an_auditor_reads_every_review_and_its_decisions_on_a_past_moment_too(reviewed: Driver, clock: object) -> None:
    reviewed.ok("auditor", "add", NUMBER, "ann")
    reviewed.ok("review", "decide", NUMBER, "R1", "034793-3", "revoke", "--reason", "left", actor="mia")
    clock.move_to("2026-12-02 09:00:00")  # type: ignore[attr-defined]
    reviewed.ok("review", "close", NUMBER, "R1", "--last")
    assert [r["status"] for r in reviewed.json("review", "list", NUMBER, actor="ann")] == ["closed"]
    rows = reviewed.json("review", "show", NUMBER, "R1", actor="ann")
    assert [(r["grant_id"], r["decision"], r["decided_by"], r["outcome"]) for r in rows] == [
        ("034793-1", "", "", "revoked"), ("034793-2", "", "", "revoked"), ("034793-3", "revoke", "mia", "revoked")
    ]
    then = reviewed.json("review", "show", NUMBER, "R1", "--as-of", "2026-11-30", actor="ann")
    assert [(r["decision"], r["outcome"]) for r in then] == [("", ""), ("", ""), ("revoke", "")]
    csv = reviewed.ok("review", "show", NUMBER, "R1", "--format", "csv", actor="ann").stdout
    assert csv.startswith("grant_id,person_id,name,right,context,end,recommendation,decision,decided_by,")
    gb = reviewed
    clock.move_to("2027-03-01 09:00:00")  # type: ignore[attr-defined]
    assert gb.ok("review", "run", actor="notifier").stdout == ""  # --last: the series ends
    gb.refused("review", "decide", NUMBER, "R1", "034793-1", "keep", actor="ann", rule="not-an-administrator")
