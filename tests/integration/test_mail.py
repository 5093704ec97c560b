"""The mail adapters against a real SMTP server on loopback: SMTP URLs, logging in, refusals, and
the roster's optional email column (docs/adr/0014)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from mailserver import Inbox, free_port, parts

from grantbook.adapters.notice_mail import compose
from grantbook.adapters.roster_emails import parse_roster_emails
from grantbook.adapters.smtp import MailNotSent, SmtpSender, SmtpUrl
from grantbook.domain import RuleViolation
from grantbook.domain.notices import ADMINISTRATOR, DueNotice, NoticeLine
from grantbook.domain.state import Grant


@pytest.mark.parametrize(
    ("url", "parsed", "shown"),
    [
        ("smtp://mail.example", ("smtp", "mail.example", 25, None, None), "smtp://mail.example:25"),
        ("smtp+starttls://u%40x:p%3Aw@mail.example", ("smtp+starttls", "mail.example", 587, "u@x", "p:w"),
         "smtp+starttls://u@x@mail.example:587"),
        ("smtps://bot:secret@10.0.0.1:2465", ("smtps", "10.0.0.1", 2465, "bot", "secret"), "smtps://bot@10.0.0.1:2465"),
        ("SMTP://[::1]:8025/", ("smtp", "::1", 8025, None, None), "smtp://[::1]:8025"),
    ],
)
def test_smtp_urls_are_parsed_and_shown_without_the_password(url: str, parsed: tuple, shown: str) -> None:
    found = SmtpUrl.parse(url)
    assert (found.scheme, found.host, found.port, found.user, found.password) == parsed
    assert found.display == shown
    assert "secret" not in found.display and "p:w" not in found.display


@pytest.mark.parametrize(
    "url", ["http://mail.example", "smtp://", "smtp://mail.example:99999", "smtp://mail.example/inbox", "mail.example"]
)
def test_what_is_not_an_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(RuleViolation) as refusal:
        SmtpUrl.parse(url)
    assert refusal.value.rule == "smtp-url"


class Logins:
    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        self.seen.append((auth_data.login, auth_data.password))
        # handled=False: the server answers 535 itself when the password is wrong
        return AuthResult(success=auth_data.password == b"right-pw", handled=False)


@pytest.fixture
def guarded() -> Iterator[tuple[Controller, Inbox, Logins]]:
    """A server that wants a login (over plain SMTP: loopback only, for the test; aiosmtpd warns)."""
    inbox, logins = Inbox(), Logins()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=logins, auth_required=True,
        auth_require_tls=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        controller.start()
    yield controller, inbox, logins
    controller.stop()


def message(to: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "gb@delinde.example", to, "test"
    mail.set_content("hallo")
    return mail


def test_the_sender_logs_in_with_the_urls_user_and_password(guarded) -> None:  # type: ignore[no-untyped-def]
    controller, inbox, logins = guarded
    with SmtpSender(SmtpUrl.parse(f"smtp://mailer:right-pw@127.0.0.1:{controller.port}")) as sender:
        sender.send(message("jan@delinde.example"))
        sender.send(message("mia@delinde.example"))  # over the same connection
    assert [m["To"] for m in inbox.messages] == ["jan@delinde.example", "mia@delinde.example"]
    assert logins.seen == [(b"mailer", b"right-pw")]


def test_a_wrong_password_sends_nothing_and_is_not_shown(guarded) -> None:  # type: ignore[no-untyped-def]
    controller, inbox, _ = guarded
    with SmtpSender(SmtpUrl.parse(f"smtp://mailer:wrong-pw@127.0.0.1:{controller.port}")) as sender:
        with pytest.raises(MailNotSent) as first:
            sender.send(message("jan@delinde.example"))
        with pytest.raises(MailNotSent) as second:  # not tried again for every mail
            sender.send(message("mia@delinde.example"))
    assert inbox.messages == []
    assert "535" in str(first.value) and str(first.value) == str(second.value)
    assert "wrong-pw" not in str(first.value) and "mailer@127.0.0.1" in str(first.value)


def test_a_refused_recipient_fails_that_mail_only(guarded) -> None:  # type: ignore[no-untyped-def]
    controller, inbox, _ = guarded
    inbox.refuse.add("gone@delinde.example")
    with SmtpSender(SmtpUrl.parse(f"smtp://mailer:right-pw@127.0.0.1:{controller.port}")) as sender:
        with pytest.raises(MailNotSent, match="550"):
            sender.send(message("gone@delinde.example"))
        sender.send(message("jan@delinde.example"))
    assert [m["To"] for m in inbox.messages] == ["jan@delinde.example"]


def test_a_notice_names_the_institution_and_escapes_html() -> None:
    grant = Grant(
        grant_id="034793-1", person_id="90001", first_name="<An>", last_name="D'Hondt & Co", category="Medewerker",
        right="IRIS-Platform (Leerlingenpaspoort) Gebruiker", context="Gebruiker", begin=date(2026, 9, 1),
        end=date(2027, 8, 31), granted_by="jan", granted_at=datetime(2026, 9, 1, tzinfo=UTC),
    )
    notice = DueNotice("jan", "jan@delinde.example", ADMINISTRATOR, (NoticeLine(grant, 0, 1),))
    mail = compose(notice, "034793", "Basisschool De Linde", "gb@delinde.example", date(2027, 8, 31))
    assert mail["Subject"] == "Gebruikersrechten die binnenkort aflopen - Basisschool De Linde (034793)"
    plain, html = parts(mail)
    assert "<An> D'Hondt & Co" in plain and "90001" not in plain and "vandaag de laatste dag" in plain
    assert "&lt;An&gt; D&#x27;Hondt &amp; Co</td>" in html and "<An>" not in html


def test_the_roster_email_column_is_optional() -> None:
    header = "person_id,first_name,last_name,category,status,begin_date,end_date"
    assert parse_roster_emails(f"{header}\n90001,An,C,Medewerker,Actief,01/09/2020,\n".encode()) == ({}, [])
    data = (
        "\ufeff" + header.replace(",", ";") + ";E-mail\n"  # not the column's name: ignored
    ).encode() + b"90001;An;C;Medewerker;Actief;01/09/2020;;an@x.example\n"
    assert parse_roster_emails(data) == ({}, [])
    data = (header.replace(",", ";") + ";Email\n90001;An;C;Medewerker;Actief;01/09/2020;;An@X.Example\n"
            "90002;Bo;D;Medewerker;Actief;01/09/2020;;\n").encode("utf-8-sig")
    assert parse_roster_emails(data) == ({"90001": "An@x.example"}, [])
    # a bad address is left out and named by line, never repeated; the roster itself still counts
    found, warnings = parse_roster_emails(
        f"{header},email\n90001,A,B,M,Actief,01/09/2020,,a@x.example\n90002,A,B,M,Actief,01/09/2020,,85073003328\n".encode()
    )
    assert found == {"90001": "a@x.example"}
    assert len(warnings) == 1 and warnings[0].startswith("roster line 3: email left out: ")
    assert "85073003328" not in warnings[0]
    with pytest.raises(RuleViolation, match="email appears twice"):
        parse_roster_emails(f"{header},email,Email\n".encode())
