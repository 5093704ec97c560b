"""grantbook notify end to end: mails through a real SMTP server on loopback (aiosmtpd), on both
stores, each accepted mail recorded as NoticeSent (docs/adr/0014).

The school's rights run out on 20/12/2026; the clock is pinned at 30/11/2026 (20 days left)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import IRIS, NUMBER, ROSTER_HEADER, RRN_1985, Driver, grant, roster_csv, staff
from mailserver import MailServer, free_port, parts

END = "2026-12-20"
FROM = "grantbook@delinde.example"


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def told(school: Driver) -> Driver:
    """Jan and mia have addresses; 90001's address is on the roster; 90001 and 90002 hold IRIS
    until END."""
    school.ok("admin", "email", NUMBER, "jan", "jan@delinde.example")
    school.ok("admin", "email", NUMBER, "mia", "mia@delinde.example", actor="mia")
    rows = [(*row, "an@delinde.example" if row[0] == "90001" else "") for row in staff(30)]
    school.ok("roster", "import", NUMBER, school.write("mail.csv", roster_csv(rows, ROSTER_HEADER + ",email")))
    grant(school, "90001", "90002", end=END)
    return school


def notify(gb: Driver, smtp: MailServer | str, *args: str, code: int = 0) -> tuple[str, str]:
    url = smtp if isinstance(smtp, str) else smtp.url
    result = gb.run("notify", "--smtp", url, "--from", FROM, *args)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def notices(gb: Driver) -> list[dict[str, object]]:
    return [e["details"] for e in gb.json("audit", NUMBER, "--event", "NoticeSent")]


def test_fourteen_days_before_every_administrator_and_the_holder_get_one_mail(told: Driver, smtp: MailServer) -> None:
    assert notify(told, smtp, "--on", "2026-12-05")[0] == ""  # 15 days left: nothing yet
    assert smtp.inbox.messages == []
    out, err = notify(told, smtp, "--on", "2026-12-06")  # 14 days left
    assert "3 mails sent and recorded via " + smtp.url in err
    assert len(out.splitlines()) == 3
    received = smtp.inbox.take()
    assert sorted(m["X-Envelope-To"] for m in received) == [
        "an@delinde.example", "jan@delinde.example", "mia@delinde.example"
    ]
    for message in received:
        assert message["Subject"] == "Gebruikersrechten die binnenkort aflopen - De Linde (034793)"
        assert message["From"] == FROM
        assert message["To"] == message["X-Envelope-To"]
    jan = smtp_one(received, "jan@delinde.example")
    plain, html = parts(jan)
    for text in (plain, html):
        assert "First1 Last1" in text and "First2 Last2" in text and "90001" not in text
        assert text.count(IRIS) == 2 and text.count("20/12/2026") == 2 and "nog 14 dagen" in text
        assert END not in text and " u " not in text and "Uw " not in text  # dd/mm/jjjj, "je"
        assert "Gebruiker" in text
    assert "<table>" in html and "<td>First1 Last1</td>" in html
    holder_plain, holder_html = parts(smtp_one(received, "an@delinde.example"))
    assert "First1 Last1" in holder_plain and "First2 Last2" not in holder_plain + holder_html
    recorded = notices(told)
    assert sorted((n["recipient"], n["role"]) for n in recorded) == [
        ("90001", "holder"), ("jan", "administrator"), ("mia", "administrator")
    ]
    assert {(g["grant_id"], g["end"], g["threshold"]) for n in recorded for g in n["grants"]} == {
        ("034793-1", END, 14), ("034793-2", END, 14)
    }


def smtp_one(messages: list, address: str):  # type: ignore[no-untyped-def]
    found = [m for m in messages if m["X-Envelope-To"] == address]
    assert len(found) == 1, [m["X-Envelope-To"] for m in messages]
    return found[0]


def test_a_second_run_sends_nothing_and_the_one_day_notice_follows(told: Driver, smtp: MailServer) -> None:
    notify(told, smtp, "--on", "2026-12-06")
    smtp.inbox.take()
    events = told.event_count()
    assert notify(told, smtp, "--on", "2026-12-06")[0] == ""
    assert notify(told, smtp, "--on", "2026-12-18")[0] == ""  # still within the 14-day notice
    assert smtp.inbox.messages == [] and told.event_count() == events
    notify(told, smtp, "--on", "2026-12-19")  # 1 day left
    received = smtp.inbox.take()
    assert len(received) == 3 and all("nog 1 dag)" in parts(m)[0] for m in received)
    assert notify(told, smtp, "--on", END)[0] == ""


def test_a_missed_day_is_caught_up_with_the_nearest_threshold_only(told: Driver, smtp: MailServer) -> None:
    out, _ = notify(told, smtp, "--on", "2026-12-11")  # nobody ran it on the 6th: 9 days left
    assert "(9 days left, 14-day notice)" in out and "1-day notice" not in out
    assert len(smtp.inbox.take()) == 3
    assert notify(told, smtp, "--on", "2026-12-12")[0] == ""
    out, _ = notify(told, smtp, "--on", END)  # nobody ran it on the 19th: the last day
    assert "(0 days left, 1-day notice)" in out and "14-day" not in out
    assert len(smtp.inbox.take()) == 3


def test_the_clock_says_which_day_it_is(told: Driver, smtp: MailServer, clock) -> None:  # type: ignore[no-untyped-def]
    assert notify(told, smtp)[0] == ""  # 30/11: 20 days left
    clock.move_to("2026-12-05 22:30:00")  # 23:30 in Brussels: still 15 days left
    assert notify(told, smtp)[0] == ""
    clock.move_to("2026-12-05 23:30:00")  # 00:30 on the 6th in Brussels: 14 days left
    assert len(notify(told, smtp)[0].splitlines()) == 3
    assert {n["day"] for n in notices(told)} == {"2026-12-06"}


def test_an_extension_or_a_revocation_between_runs(told: Driver, smtp: MailServer) -> None:
    notify(told, smtp, "--on", "2026-12-06")
    smtp.inbox.take()
    told.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-08-31")
    told.ok("revoke", NUMBER, "90002", "--right", IRIS, "--reason", "left the school")
    assert notify(told, smtp, "--on", "2026-12-19")[0] == ""  # neither is due any more
    assert smtp.inbox.messages == []
    out, _ = notify(told, smtp, "--on", "2027-08-17")  # the extended right's thresholds start afresh
    assert "034793-1" not in out and "90001 " + IRIS in out and "ends 2027-08-31 (14 days left" in out
    assert all("31/08/2027" in parts(m)[0] and "First2 Last2" not in parts(m)[0] for m in smtp.inbox.take())


def test_a_newly_appointed_administrator_gets_what_is_due(told: Driver, smtp: MailServer) -> None:
    notify(told, smtp, "--on", "2026-12-06")
    smtp.inbox.take()
    told.ok("admin", "add", NUMBER, "piet")
    told.ok("admin", "email", NUMBER, "piet", "piet@delinde.example", actor="piet")
    notify(told, smtp, "--on", "2026-12-08")
    assert [m["X-Envelope-To"] for m in smtp.inbox.take()] == ["piet@delinde.example"]


def test_a_server_that_is_down_records_nothing_and_the_next_run_sends(told: Driver, smtp: MailServer) -> None:
    events = told.event_count()
    down = f"smtp://127.0.0.1:{free_port()}"
    out, err = notify(told, down, "--on", "2026-12-06", code=1)
    failed = [line for line in err.splitlines() if line.startswith("error: ")]
    assert sorted(line.split(" <")[0] for line in failed) == [
        "error: not sent to 90001", "error: not sent to jan", "error: not sent to mia"
    ]
    assert all("cannot be used" in line for line in failed)
    assert told.event_count() == events and out == ""
    notify(told, smtp, "--on", "2026-12-07")  # the server is up: each mail goes out once
    assert len(smtp.inbox.take()) == 3
    notify(told, smtp, "--on", "2026-12-07")
    assert smtp.inbox.messages == []


def test_a_refused_recipient_is_retried_the_others_are_recorded(told: Driver, smtp: MailServer) -> None:
    smtp.inbox.refuse.add("mia@delinde.example")
    out, err = notify(told, smtp, "--on", "2026-12-06", code=1)
    failed = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(failed) == 1 and failed[0].startswith("error: not sent to mia <mia@delinde.example> (034793)")
    assert "550" in failed[0]
    assert sorted(m["X-Envelope-To"] for m in smtp.inbox.take()) == ["an@delinde.example", "jan@delinde.example"]
    assert sorted(n["recipient"] for n in notices(told)) == ["90001", "jan"]
    smtp.inbox.refuse.clear()
    notify(told, smtp, "--on", "2026-12-07")
    assert [m["X-Envelope-To"] for m in smtp.inbox.take()] == ["mia@delinde.example"]
    assert sorted(n["recipient"] for n in notices(told)) == ["90001", "jan", "mia"]


def test_a_dry_run_prints_what_would_be_sent_and_records_nothing(told: Driver, smtp: MailServer) -> None:
    events = told.event_count()
    out, err = notify(told, smtp, "--on", "2026-12-06", "--dry-run")
    assert len(out.splitlines()) == 3 and all(line.startswith("would send 034793 ") for line in out.splitlines())
    assert "nothing sent or recorded" in err
    assert smtp.inbox.messages == [] and told.event_count() == events
    # no server and no sender are needed for a dry run
    result = told.run("notify", "--on", "2026-12-06", "--dry-run", "--smtp", f"smtp://127.0.0.1:{free_port()}")
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 3


def test_administrators_without_an_address_are_named(school: Driver, smtp: MailServer) -> None:
    grant(school, "90003", end=END)
    out, err = notify(school, smtp, "--on", "2026-12-06")
    assert out == "" and "warning: 034793: administrator jan has no e-mail address" in err


def test_no_national_number_in_any_mail(told: Driver, smtp: MailServer) -> None:
    worker = told.ok("support-worker", "add", NUMBER, "--rrn", RRN_1985, "--first-name", "Dirk",
                     "--last-name", "Fonteyn", "--reason", "speech therapist").stdout.split()[-1]
    told.ok("select", NUMBER, worker)
    told.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-11-30", "--end", END)
    told.ok("confirm", NUMBER)
    out, err = notify(told, smtp, "--on", "2026-12-06")
    received = smtp.inbox.take()
    assert any("Dirk Fonteyn" in parts(m)[0] for m in received)
    for text in [out, err, *(m.as_string() for m in received)]:
        assert RRN_1985 not in text and RRN_1985[-2:] + "\n" not in text and "***" not in text
        assert "85.07.30" not in text


@pytest.mark.parametrize(
    ("args", "rule"),
    [
        (("--thresholds", "14,x"), "thresholds"),
        (("--smtp", "http://127.0.0.1:25"), "smtp-url"),
        (("--smtp", "smtp://"), "smtp-url"),
        (("--from", "nobody"), "mail-from"),
    ],
)
def test_bad_options_are_refused_and_record_nothing(told: Driver, args: tuple[str, ...], rule: str) -> None:
    told.refused("notify", "--smtp", "smtp://127.0.0.1:25", "--from", FROM, *args, rule=rule)


def test_the_sender_must_be_named_and_the_password_is_never_shown(told: Driver, smtp: MailServer) -> None:
    told.refused("notify", "--smtp", smtp.url, rule="mail-from")
    url = f"smtp://mailer:s3cr3t-pw@127.0.0.1:{free_port()}"
    result = told.run("notify", "--on", "2026-12-06", "--smtp", url, "--from", FROM)
    assert result.exit_code == 1 and "mailer@127.0.0.1" in result.stderr
    assert "s3cr3t" not in result.stdout + result.stderr


def test_addresses_are_checked_and_recorded(told: Driver) -> None:
    told.refused("admin", "email", NUMBER, "jan", "jan-at-delinde", rule="email-address", contains="@-sign")
    told.refused("admin", "email", NUMBER, "jan", "x@delinde.example", actor="piet", rule="not-an-administrator")
    # a bad address on the roster is left out with a warning; the roster itself is imported
    rows = [(*row, "no address" if row[0] == "90002" else "") for row in staff(30)]
    result = told.ok("roster", "import", NUMBER, told.write("bad.csv", roster_csv(rows, ROSTER_HEADER + ",email")))
    assert result.stderr.startswith("warning: roster line 3: email left out: that is not an e-mail address")
    recorded = [(e["actor"], e["details"]) for e in told.json("audit", NUMBER, "--event", "EmailAddressRecorded")]
    assert recorded == [
        ("jan", {"email": "jan@delinde.example", "person_id": "jan", "source": "administrator"}),
        ("mia", {"email": "mia@delinde.example", "person_id": "mia", "source": "administrator"}),
        ("jan", {"email": "an@delinde.example", "person_id": "90001", "source": "roster"}),
    ]


def test_the_console_script_sends_from_the_environments_settings(told: Driver, smtp: MailServer) -> None:
    """As a schedule runs it: the installed script, GRANTBOOK_SMTP and GRANTBOOK_MAIL_FROM."""
    import os
    import subprocess

    from test_end_to_end import grantbook_command

    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env.update(told.base_env, GRANTBOOK_STORE=told.store_url, GRANTBOOK_ACTOR="notifier",
               GRANTBOOK_SMTP=smtp.url, GRANTBOOK_MAIL_FROM=FROM)
    done = subprocess.run([*grantbook_command(), "notify", "--on", "2026-12-06"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(m["X-Envelope-To"] for m in smtp.inbox.take()) == [
        "an@delinde.example", "jan@delinde.example", "mia@delinde.example"
    ]
    assert {e["actor"] for e in told.json("audit", NUMBER, "--event", "NoticeSent")} == {"notifier"}


def test_an_address_taken_away_gets_no_more_notices(told: Driver, smtp: MailServer) -> None:
    told.refused("admin", "email", NUMBER, "jan", "--remove", actor="piet", rule="not-an-administrator")
    told.refused("admin", "email", NUMBER, "jan", rule="usage", code=2)  # neither ADDRESS nor --remove
    told.refused("admin", "email", NUMBER, "jan", "j@delinde.example", "--remove", rule="usage", code=2)
    assert told.ok("admin", "email", NUMBER, "mia", "--remove", actor="mia").stdout == (
        f"removed address of mia at {NUMBER}\n"
    )
    before = told.event_count()
    assert told.ok("admin", "email", NUMBER, "mia", "--remove").stdout.startswith("unchanged: no address")
    assert told.event_count() == before
    told.ok("admin", "email", NUMBER, "90001", "--remove")  # a head: the holder's roster address
    _, err = notify(told, smtp, "--on", "2026-12-06")
    assert [m["X-Envelope-To"] for m in smtp.inbox.messages] == ["jan@delinde.example"]
    assert f"warning: {NUMBER}: administrator mia has no e-mail address" in err
    removed = [(e["actor"], e["details"]) for e in told.json("audit", NUMBER, "--event", "EmailAddressRemoved")]
    assert removed == [("mia", {"person_id": "mia"}), ("jan", {"person_id": "90001"})]
