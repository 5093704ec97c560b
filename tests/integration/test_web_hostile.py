"""The hostile walk (issue 21, docs/adr/0021): every route the app declares, signed in as a head
administrator with a valid CSRF token, gets hostile values in every declared parameter and form field
and in the names the pages use (``ALWAYS``): a NUL, a bidi override, a line break, 10,000 characters,
5,000 digits, bytes that are not UTF-8, a field repeated 30 times, and nothing. No answer is a 5xx, a
refused (4xx) request records nothing, and the server logs no traceback.

Only SQLite: the walk is a few hundred requests against one store, and what it checks is the web
layer's answer to input, which does not depend on the store kind (the stores' own handling of hostile
text, NULs included, is tested on both kinds in tests/e2e/test_hostile_*.py)."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from web_seed import IRIS, NUMBER, act, open_app, seed, today
from web_server import RunningServer, running

from grantbook.adapters.store import StoreLocation

ALWAYS = (
    "naam", "persoon", "binnen", "begindatum", "einddatum", "reden", "vanaf", "toekenning",
    "instellingsnummer", "recht", "context", "op", "geregistreerd_op",
)
NOT_WALKED = {"/afmelden"}  # it ends the walk's own session (its CSRF check is tested elsewhere)
VALUES: dict[str, Any] = {
    "nul": "Ann\x00Peeters",
    "bidi": "Ann\u202esreeteP",
    "newline": "Ann\r\nX-Injected: 1",
    "long": "x" * 10_000,
    "digits": "1" * 5_000,
    "not-utf8": b"%C3%28",  # sent as is: the bytes C3 28 are not UTF-8
    "repeated": ["90001"] * 30,
    "empty": "",
}
ONE_AT_A_TIME = ("bidi", "long", "digits", "newline")  # round robin over a form's fields, the rest valid
IN_PATH = ("long", "newline")  # the {number} of a path: a few, the rest is the 404 of any other number
LOGGERS = ("grantbook", "grantbook.web", "uvicorn", "uvicorn.error", "uvicorn.asgi")


@dataclass(frozen=True)
class Walked:
    method: str
    path: str
    value: str
    status: int
    recorded: int

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path[:80]} [{self.value}] -> {self.status}, {self.recorded} events"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[Records]:
    """Warnings and errors of our logger and uvicorn's (which do not propagate to the root logger)."""
    handler = Records()
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield handler
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)


@pytest.fixture
def server(tmp_path: Any) -> Iterator[RunningServer]:
    store_url = f"sqlite:///{tmp_path / 'walk.db'}"
    seed(store_url)
    app = open_app(store_url)
    try:  # something to change: a grant, a selection and a waiting step 2
        app.grant(act(), NUMBER, "90002", IRIS, "Gebruiker", today(), today().replace(year=today().year + 1))
        app.select(act("mia"), NUMBER, ["90003"])
        app.start_review(act(), NUMBER, "Toegangsreview", today() + timedelta(days=30))  # R1, open
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


def events(store_url: str) -> int:
    path = StoreLocation.parse(store_url).path
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return int(db.execute("select count(*) from stored_events").fetchone()[0])


def declared(operation: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The operation's query parameters and form fields (web/forms.py form_doc / query_doc)."""
    query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    content = operation.get("requestBody", {}).get("content", {})
    form: list[str] = []
    for kind in content.values():
        form += list(kind.get("schema", {}).get("properties", {}))
    return query, [name for name in form if name != "csrf_token"]


def valid() -> dict[str, str]:
    """A plausible value for each name the pages use, so one hostile field gets past the others."""
    day = today()
    return {
        "naam": "Peeters", "persoon": "90001", "een": "90001", "binnen": "30", "toekenning": "034793-1",
        "begindatum": day.strftime("%d/%m/%Y"), "einddatum": day.replace(year=day.year + 1).strftime("%d/%m/%Y"),
        "reden": "vertrekt", "vanaf": "", "instellingsnummer": NUMBER, "recht": IRIS, "context": "Gebruiker",
        "op": day.isoformat(), "geregistreerd_op": "", "voornaam": "Ann", "achternaam": "Peeters",
    }


def encoded(data: dict[str, Any]) -> bytes:
    """Fields as an urlencoded query or body; bytes are sent as they are (the not-UTF-8 case)."""
    parts = []
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            raw = one if isinstance(one, bytes) else quote(one, safe="").encode()
            parts.append(quote(name).encode() + b"=" + raw)
    return b"&".join(parts)


def requests(paths: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(method, path, what is hostile, the fields to send) for the walk."""
    for template, operations in paths.items():
        if template in NOT_WALKED:
            continue
        for method, operation in operations.items():
            path = template.replace("{number}", NUMBER).replace("{review_id}", "R1")
            query, form = declared(operation)
            fields = list(dict.fromkeys([*(form if method == "post" else query), *ALWAYS]))
            for name, value in VALUES.items():
                if method == "get" and name in ("long", "digits"):
                    # One field at a time: a query of several 10,000-character values is beyond
                    # what the HTTP server reads (it answers 400 itself before any page runs).
                    for field in query or ["naam"]:
                        yield method, path, f"{name} in {field}", {field: value}
                else:
                    yield method, path, name, dict.fromkeys(fields, value)
            if method == "post":  # one hostile field, the others valid: the page's own rules run
                for index, field in enumerate(form or ALWAYS):
                    name = ONE_AT_A_TIME[index % len(ONE_AT_A_TIME)]
                    data = {key: text for key, text in valid().items() if key in form} if form else valid()
                    yield method, path, f"{name} in {field} alone", {**data, field: VALUES[name]}
            if "{number}" in template and method == "get":
                for name in IN_PATH:
                    hostile = template.replace("{number}", quote(VALUES[name], safe="")).replace("{review_id}", "R1")
                    yield method, hostile, f"{name} in the path", {}


def test_the_hostile_walk(server: RunningServer, logged: Records) -> None:
    paths = server.server.config.app.openapi()["paths"]
    assert len(paths) > 30
    store = server.config.store
    walked: list[Walked] = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get(server.login_url).status_code == 303
        page = client.get(f"/instellingen/{NUMBER}/toekennen").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for method, path, name, data in requests(paths):
            before = events(store)
            if method == "post":
                body = b"csrf_token=" + token.encode() + (b"&" + encoded(data) if data else b"")
                headers = {"content-type": "application/x-www-form-urlencoded"}
                response = client.post(path, content=body, headers=headers)
            else:
                query = encoded(data)
                url = path + ("?" + query.decode("latin-1") if query else "")
                response = client.request(method.upper(), url)
            walked.append(Walked(method, path, name, response.status_code, events(store) - before))
            location = response.headers.get("location", "")
            assert location != "/aanmelden", f"signed out by {walked[-1]}"
    assert len(walked) < 900, len(walked)  # a few hundred requests, not thousands
    broken = [w for w in walked if w.status >= 500]
    recorded = [w for w in walked if 400 <= w.status < 500 and w.recorded]
    tracebacks = [r for r in logged.records if r.exc_info or "Traceback" in r.getMessage()]
    errors = [r for r in logged.records if r.levelno >= logging.ERROR]
    assert not broken, "5xx answers:\n" + "\n".join(map(str, broken))
    assert not recorded, "refused but recorded:\n" + "\n".join(map(str, recorded))
    assert not tracebacks and not errors, [r.getMessage() for r in tracebacks + errors]
    assert {w.status for w in walked if w.value == "not-utf8"} <= {400, 404}
    assert {w.status for w in walked if w.value == "nul"} <= {400, 404}
