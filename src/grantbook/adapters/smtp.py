"""Sending mail through an SMTP server named by a URL (docs/adr/0014).

``smtp://user:password@host:port`` (plain, port 25 by default), ``smtp+starttls://…`` (STARTTLS,
587) and ``smtps://…`` (TLS from the start, 465). The password is never shown: ``display`` leaves
it out. One connection is opened at the first mail and reused; a server that cannot be reached
fails every mail of the run with the same reason, without trying again for each one.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from grantbook.domain import RuleViolation, rules

DEFAULT_SMTP = "smtp://localhost:25"
PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT = 30.0


class MailNotSent(Exception):
    """This mail was not accepted (the server refused the recipient, or could not be reached)."""


@dataclass(frozen=True)
class SmtpUrl:
    scheme: str
    host: str
    port: int
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, text: str) -> SmtpUrl:
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:
            raise RuleViolation(rules.SMTP_URL, "not an SMTP URL (the port is a number 0-65535)") from None
        scheme = parts.scheme.lower()
        if scheme not in PORTS:
            raise RuleViolation(
                rules.SMTP_URL,
                f"the URL must start with smtp://, smtp+starttls:// or smtps://, got {scheme!r}",
            )
        if not parts.hostname:
            raise RuleViolation(rules.SMTP_URL, "the URL names no host (smtp://HOST:PORT)")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise RuleViolation(rules.SMTP_URL, "an SMTP URL has no path, query or fragment")
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        return cls(scheme, parts.hostname, port or PORTS[scheme], user, password)

    @property
    def display(self) -> str:
        """The URL as it may be shown: never the password."""
        who = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{who}{host}:{self.port}"


class SmtpSender:
    """Sends one message at a time; ``send`` returns when the server accepted it, or raises
    ``MailNotSent``. Use as a context manager (the connection is closed at the end)."""

    def __init__(self, url: SmtpUrl) -> None:
        self.url = url
        self._client: smtplib.SMTP | None = None
        self._down: str | None = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None

    def _connect(self) -> smtplib.SMTP:
        url = self.url
        try:
            if url.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    url.host, url.port, timeout=TIMEOUT, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(url.host, url.port, timeout=TIMEOUT)
                if url.scheme == "smtp+starttls":
                    client.starttls(context=ssl.create_default_context())
            if url.user:
                client.login(url.user, url.password or "")
        except (smtplib.SMTPException, OSError) as error:
            self._down = f"mail server {url.display} cannot be used: {_reason(error)}"
            raise MailNotSent(self._down) from None
        return client

    def send(self, message: EmailMessage) -> None:
        if self._down is not None:
            raise MailNotSent(self._down)
        for attempt in (1, 2):
            if self._client is None:
                self._client = self._connect()
            try:
                refused = self._client.send_message(message)
            except smtplib.SMTPServerDisconnected as error:
                self._client = None  # the server hung up: connect once more, then give up
                if attempt == 2:
                    raise MailNotSent(f"mail server {self.url.display} hung up: {_reason(error)}") from None
                continue
            except smtplib.SMTPRecipientsRefused as error:
                codes = "; ".join(_reason(e) for e in error.recipients.values())
                raise MailNotSent(f"the server refused the recipient ({codes})") from None
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                raise MailNotSent(f"mail server {self.url.display}: {_reason(error)}") from None
            if refused:  # only with several recipients; a notice has one
                raise MailNotSent(f"the server refused {', '.join(sorted(refused))}")
            return


def _reason(error: object) -> str:
    if isinstance(error, tuple) and len(error) == 2:  # (code, message) of a refused recipient
        code, text = error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{code} {text}"
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
