"""smtp+starttls:// and smtps:// against a real server on loopback with a certificate made for
the test (trusted through SSL_CERT_FILE, as an administrator would trust a private CA)."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from mailserver import Inbox, free_port

from grantbook.adapters.smtp import MailNotSent, SmtpSender, SmtpUrl


def certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    cert, key = certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "gb@delinde.example", "jan@delinde.example", "test"
    mail.set_content("hallo")
    return mail


@pytest.fixture
def starttls_server(tls) -> Iterator[tuple[Controller, Inbox]]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=tls[1], require_starttls=True)
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def smtps_server(tls) -> Iterator[tuple[Controller, Inbox]]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ssl_context=tls[1])
    controller.start()
    yield controller, inbox
    controller.stop()


def test_starttls_with_a_trusted_certificate(starttls_server, tls, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    controller, inbox = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tls[0]))
    with SmtpSender(SmtpUrl.parse(f"smtp+starttls://localhost:{controller.port}")) as sender:
        sender.send(message())
    assert [m["To"] for m in inbox.messages] == ["jan@delinde.example"]


def test_plain_smtp_to_a_server_that_requires_starttls_is_refused(starttls_server) -> None:  # type: ignore[no-untyped-def]
    controller, inbox = starttls_server
    with SmtpSender(SmtpUrl.parse(f"smtp://localhost:{controller.port}")) as sender, pytest.raises(MailNotSent):
        sender.send(message())
    assert inbox.messages == []


def test_smtps_with_a_trusted_certificate(smtps_server, tls, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    controller, inbox = smtps_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tls[0]))
    with SmtpSender(SmtpUrl.parse(f"smtps://localhost:{controller.port}")) as sender:
        sender.send(message())
    assert [m["To"] for m in inbox.messages] == ["jan@delinde.example"]


def test_an_untrusted_certificate_sends_nothing(smtps_server) -> None:  # type: ignore[no-untyped-def]
    controller, inbox = smtps_server
    with SmtpSender(SmtpUrl.parse(f"smtps://localhost:{controller.port}")) as sender:
        with pytest.raises(MailNotSent, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            sender.send(message())
    assert inbox.messages == []
