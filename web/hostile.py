"""The outermost guard of the pages (docs/adr/0021): whatever a request holds, the answer is a page in
Dutch, never a 5xx with details, and the server keeps serving.

One pure ASGI middleware, outside everything FastAPI adds (so nothing it refuses reaches a page, and
nothing a page raises reaches uvicorn, which would log a traceback and answer in English):

- every response carries ``X-Request-Id`` (made here, never taken from the request) and the security
  headers;
- a path with a NUL or bytes that are not UTF-8, a query string or an urlencoded or multipart form
  body with such bytes (Starlette would read them as U+FFFD or Latin-1 and a page could store that),
  and a Host not in ``GRANTBOOK_ALLOWED_HOSTS`` are refused with 400 before the app sees them; a form
  body is read whole (at most ``MAX_BODY`` bytes) and handed on unchanged;
- ``HEAD`` runs as ``GET`` and the body is dropped;
- a redirect built from the Host header (Starlette's ``/static`` -> ``/static/``) points to the
  configured base URL or is made relative;
- an exception that escapes the app is logged with its traceback (logger ``grantbook.web``, with the
  request id) and answered with a Dutch 500 page that names only that id;
- once a request is answered, ``observe(scope, method, status, seconds, request_id)`` is told (the
  access log line and the request metrics, web/operations.py; docs/adr/0022): just before the last
  part of the answer goes out, so a client that has read an answer finds it counted (a file's answer
  awaits the closing of the file after its last part), or after the app when no answer ended.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from .config import WebConfig

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Observe = Callable[[Scope, str, int, float, str], None]

log = logging.getLogger("grantbook.web")

REQUEST_ID = "X-Request-Id"
MAX_BODY = 2_000_000  # a form of the pages is a few kilobytes; 30 fields of 10,000 characters fit
FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")

NOT_READABLE = (
    "Wat je verstuurde kan niet gelezen worden: het bevat tekens die geen tekst zijn. "
    "Typ het opnieuw, zonder het te kopiëren uit een ander programma."
)
TOO_LARGE = "Wat je verstuurde is te groot. Er werd niets gewijzigd."
WRONG_HOST = "Deze server antwoordt niet op dit adres."


def broken(request_id: str) -> str:
    """The 500 page's whole message: no detail of what went wrong, only the code to quote."""
    return f"Er ging iets mis. Probeer het opnieuw; lukt het niet, meld het met code {request_id}."


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _text(raw: bytes) -> bool:
    """Whether percent-decoded bytes are UTF-8 text without a NUL."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in raw


def check_path(scope: Scope) -> None:
    raw = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogatepass")
    if not _text(raw) or not _text(unquote_to_bytes(raw)):
        raise Refused(400, NOT_READABLE)


def check_urlencoded(raw: bytes) -> None:
    """Every name and value, percent-decoded as Starlette will, is UTF-8 without a NUL."""
    if not _text(raw):
        raise Refused(400, NOT_READABLE)
    for pair in raw.replace(b";", b"&").split(b"&"):
        for part in pair.split(b"=", 1):
            if not _text(unquote_to_bytes(part.replace(b"+", b" "))):
                raise Refused(400, NOT_READABLE)


def check_multipart(body: bytes, content_type: bytes) -> None:
    """Every part's name, and the value of every part that is not a file, is UTF-8 without a NUL."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise Refused(400, NOT_READABLE)
    parts: list[tuple[bytearray, bytearray]] = []  # (headers, data)

    def begin() -> None:
        parts.append((bytearray(), bytearray()))

    def header(data: bytes, start: int, end: int) -> None:
        parts[-1][0].extend(data[start:end] + b"\n")

    def data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    callbacks = {"on_part_begin": begin, "on_header_field": header, "on_header_value": header,
                 "on_part_data": data}
    try:
        parser = MultipartParser(boundary, callbacks, max_size=MAX_BODY)  # type: ignore[arg-type]
        parser.write(body)
        parser.finalize()
    except Exception:  # a malformed body: Starlette would refuse it too
        raise Refused(400, NOT_READABLE) from None
    for headers, value in parts:
        if not _text(bytes(headers)):
            raise Refused(400, NOT_READABLE)
        if b"filename=" not in headers.lower() and not _text(bytes(value)):
            raise Refused(400, NOT_READABLE)


class Guard:
    """The pure ASGI middleware described above; ``render(request, status, title, message)`` makes the
    Dutch page (web/app.py passes the templates' one)."""

    def __init__(
        self,
        app: ASGIApp,
        config: WebConfig,
        render: Callable[[Request, int, str, str], Any],
        observe: Observe | None = None,
    ) -> None:
        self.app = app
        self.config = config
        self.render = render
        self.observe = observe
        self.allowed = {host.lower() for host in config.allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        method = scope["method"]
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        host = _header(scope, b"host").decode("latin-1")
        started = observed = False
        status = 500

        def observe() -> None:
            nonlocal observed
            if observed or self.observe is None:
                return
            observed = True
            try:
                self.observe(scope, method, status, time.perf_counter() - began, request_id)
            except Exception:
                log.error("request %s: observing it failed", request_id, exc_info=True)

        async def guarded_send(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message.get("status", 500))
                message = self._headers(message, request_id, host)
            elif message["type"] == "http.response.body":
                if head:
                    message = {**message, "body": b""}
                if not message.get("more_body", False):
                    observe()
            await send(message)

        try:
            await self._guarded(scope, receive, guarded_send, host, request_id, lambda: started)
        finally:
            observe()

    async def _guarded(
        self, scope: Scope, receive: Receive, send: Send, host: str, request_id: str,
        started: Callable[[], bool],
    ) -> None:
        try:
            self._check_request(scope, host)
            receive = await self._checked_body(scope, receive)
        except Refused as refused:
            title = "Te groot" if refused.status == 413 else "Niet gelezen"
            await self._answer(scope, send, refused.status, title, refused.message)
            return
        try:
            await self.app(scope, receive, send)
        except Exception:
            log.error(
                "request %s: %s %s failed", request_id, scope["method"], scope.get("path", ""), exc_info=True
            )
            if not started():
                await self._answer(scope, send, 500, "Er ging iets mis", broken(request_id))

    def _check_request(self, scope: Scope, host: str) -> None:
        if self.allowed and _host_name(host) not in self.allowed:
            raise Refused(400, WRONG_HOST)
        check_path(scope)
        query = scope.get("query_string", b"")
        if query:
            check_urlencoded(query)

    async def _checked_body(self, scope: Scope, receive: Receive) -> Receive:
        """The form body read whole and checked, then handed to the app as one message."""
        content_type = _header(scope, b"content-type")
        kind = content_type.split(b";", 1)[0].strip().lower()
        if scope["method"] in {"GET", "HEAD"} or kind not in FORM_TYPES:
            return receive
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                return _replay(b"".join(chunks), message, receive)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                raise Refused(413, TOO_LARGE)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if kind == FORM_TYPES[0]:
            check_urlencoded(body)
        else:
            check_multipart(body, content_type)
        return _replay(body, None, receive)

    def _headers(self, message: Message, request_id: str, host: str) -> Message:
        """The security headers (web/security.py HEADERS) where the response set none of its own, and
        the request id: on every response, error pages included."""
        headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != _REQUEST_ID]
        present = {k.lower() for k, _ in headers}
        headers.extend(pair for pair in _security_headers() if pair[0] not in present)
        headers.append((_REQUEST_ID, request_id.encode()))
        headers = [(k, self._location(v, host) if k.lower() == b"location" else v) for k, v in headers]
        return {**message, "headers": headers}

    def _location(self, value: bytes, host: str) -> bytes:
        """A redirect to this server's own address as the Host header gave it: to the base URL, or
        relative. Redirects elsewhere (the identity provider) are left alone."""
        target = urlsplit(value.decode("latin-1"))
        if not target.netloc or target.netloc.lower() != host.lower():
            return value
        local = (target.path or "/") + (f"?{target.query}" if target.query else "")
        return ((self.config.base_url or "") + local).encode("latin-1")

    async def _answer(self, scope: Scope, send: Send, status: int, title: str, message: str) -> None:
        request = Request({**scope, "method": "GET", "query_string": b""})
        try:
            response = self.render(request, status, title, message)
        except Exception:  # the page itself cannot be made: plain text, still in Dutch
            log.error("request %s: the error page failed", scope["state"]["request_id"], exc_info=True)
            from starlette.responses import PlainTextResponse

            response = PlainTextResponse(message, status_code=status)

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)


_REQUEST_ID = REQUEST_ID.lower().encode()


@functools.cache
def _security_headers() -> tuple[tuple[bytes, bytes], ...]:
    from .security import HEADERS

    return tuple((name.lower().encode(), value.encode()) for name, value in HEADERS.items())


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return b""


def _host_name(host: str) -> str:
    """The Host header without its port (``[::1]:8000`` -> ``[::1]``)."""
    if host.startswith("["):
        return host.split("]", 1)[0].lower() + "]"
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


def _replay(body: bytes, last: Message | None, receive: Receive) -> Receive:
    """A receive that gives the read body once (then ``last``, if the client went away), then defers to
    the server's receive (for the disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if last is not None:
        pending.append(last)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
