"""The edges of serving the pages (docs/adr/0021), over HTTP against a real uvicorn and a real store:
a page that raises gives a Dutch 500 with a request id and the server keeps serving; unreadable bytes
(not UTF-8, a NUL) are refused with 400 and nothing is recorded; redirects never point to the Host
header's address; other hosts are refused when allowed hosts are set; HEAD answers like GET."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_web_http import csrf_of, signed_in
from web_seed import NUMBER, event_count, seed
from web_server import RunningServer, running

from grantbook.web.hostile import MAX_BODY

BROKEN = "Er ging iets mis. Probeer het opnieuw; lukt het niet, meld het met code "
NOT_READ = "kan niet gelezen worden"


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url)
    with running(store_url, actor="jan") as running_server:
        yield running_server


def _add_a_page_that_raises(server: RunningServer) -> None:
    """A route that fails as a page with a bug would: the app's own router, the real server."""
    app = server.server.config.app

    @app.get("/kapot")  # type: ignore[misc]
    def broken_page() -> None:
        raise RuntimeError("a bug with private detail 85073003328")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_page_that_raises_gives_a_dutch_500_and_the_next_request_works(server: RunningServer) -> None:
    _add_a_page_that_raises(server)
    uvicorn_log = Records()  # uvicorn's loggers do not propagate to the root logger (caplog)
    logging.getLogger("uvicorn.error").addHandler(uvicorn_log)
    ours = Records()
    logging.getLogger("grantbook.web").addHandler(ours)
    with signed_in(server) as client:
        response = client.get("/kapot")
        assert response.status_code == 500
        request_id = response.headers["x-request-id"]
        assert BROKEN + request_id + "." in response.text
        assert "RuntimeError" not in response.text and "85073003328" not in response.text
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["x-frame-options"] == "DENY"
        again = client.get("/")
        assert again.status_code == 200 and again.headers["x-request-id"] != request_id
        head = client.head("/kapot")
        assert head.status_code == 500 and head.content == b""
    logging.getLogger("uvicorn.error").removeHandler(uvicorn_log)
    logging.getLogger("grantbook.web").removeHandler(ours)
    logged = [r for r in ours.records if r.levelno == logging.ERROR]
    assert logged and request_id in logged[0].getMessage() and logged[0].exc_info is not None
    assert logged[0].exc_info[0] is RuntimeError
    assert uvicorn_log.records == []  # nothing reached uvicorn: no "Exception in ASGI application"


def test_every_response_carries_a_request_id_of_its_own(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        ids = {client.get(path).headers["x-request-id"] for path in ("/aanmelden", "/", "/static/style.css")}
        sent = client.get("/aanmelden", headers={"X-Request-Id": "forged"})
    assert len(ids) == 3 and sent.headers["x-request-id"] != "forged"


@pytest.mark.parametrize(
    "bad",
    [
        {"query": "?naam=%C3%28"},
        {"query": "?%C3%28=x"},
        {"query": "?naam=a%00b"},
        {"path": "/aanmelden%00"},
        {"path": "/aanmelden%C3%28"},
        {"body": b"naam=%C3%28&instellingsnummer=034793"},
        {"body": b"naam=\xc3\x28"},
        {"body": b"naam=a%00"},
        {"multipart": b"\xc3\x28"},
        {"multipart": b"a\x00"},
    ],
)
def test_bytes_that_are_not_text_are_refused_with_400_and_nothing_recorded(
    server: RunningServer, bad: dict[str, object]
) -> None:
    before = event_count(server.config.store)
    with signed_in(server) as client:
        token = csrf_of(client.get(f"/toekennen?instellingsnummer={NUMBER}").text)
        path = str(bad.get("path", "/toekennen/zoek")) + str(bad.get("query", ""))
        if "body" in bad:
            body = f"csrf_token={token}&".encode() + bad["body"]  # type: ignore[operator]
            headers = {"content-type": "application/x-www-form-urlencoded"}
            response = client.post(path, content=body, headers=headers)
        elif "multipart" in bad:
            boundary = "grens"
            body = (
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"naam\"\r\n\r\n"
            ).encode() + bad["multipart"] + f"\r\n--{boundary}--\r\n".encode()  # type: ignore[operator]
            headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
            response = client.post(path, content=body, headers=headers)
        elif "query" in bad and "path" not in bad:
            response = client.post(path, data={"csrf_token": token, "instellingsnummer": NUMBER})
        else:
            response = client.get(path)
    assert response.status_code == 400, (bad, response.status_code)
    assert NOT_READ in response.text and "x-request-id" in response.headers
    assert event_count(server.config.store) == before


def test_a_good_multipart_form_still_reaches_the_page(server: RunningServer) -> None:
    with signed_in(server) as client:
        token = csrf_of(client.get(f"/toekennen?instellingsnummer={NUMBER}").text)
        response = client.post(
            "/toekennen/zoek",
            files={"csrf_token": (None, token), "instellingsnummer": (None, NUMBER), "naam": (None, "Cécile")},
        )
    assert response.status_code < 400, response.status_code


def test_a_body_beyond_the_limit_is_refused(server: RunningServer) -> None:
    before = event_count(server.config.store)
    with signed_in(server) as client:
        response = client.post("/toekennen/zoek", data={"naam": "x" * (MAX_BODY + 1)})
    assert response.status_code == 413
    assert event_count(server.config.store) == before


def test_a_redirect_never_points_to_the_host_header(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/static", headers={"Host": "evil.example"})
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"] == "/static/"


def test_with_a_base_url_redirects_point_there(store_url: str) -> None:
    seed(store_url)
    with running(store_url, base_url="https://rechten.example") as server:
        with httpx.Client(base_url=server.url) as client:
            response = client.get("/static", headers={"Host": "evil.example"})
    assert response.headers["location"] == "https://rechten.example/static/"


def test_with_allowed_hosts_another_host_is_refused(store_url: str) -> None:
    seed(store_url)
    with running(store_url, allowed_hosts=("127.0.0.1", "rechten.example")) as server:
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/aanmelden").status_code == 200
            assert client.get("/aanmelden", headers={"Host": "rechten.example:443"}).status_code == 200
            refused = client.get("/static", headers={"Host": "evil.example"})
            assert refused.status_code == 400 and "location" not in refused.headers
            assert "Deze server antwoordt niet op dit adres" in refused.text


def test_head_answers_like_get_without_a_body(server: RunningServer) -> None:
    with signed_in(server) as client:
        for path in ("/", "/aanmelden", f"/instellingen/{NUMBER}/rechten", "/static/style.css", "/bestaat-niet"):
            got, head = client.get(path), client.head(path)
            assert head.status_code == got.status_code, path
            assert head.content == b"", path
            assert head.headers["content-type"] == got.headers["content-type"], path
    with httpx.Client(base_url=server.url) as anonymous:
        head = anonymous.head("/")
        assert head.status_code == 303 and head.headers["location"] == "/aanmelden"


def test_every_table_a_worker_opens_is_made_before_the_workers_start(store_url: str, tmp_path: Path) -> None:
    """Workers starting together once each made the API's tables, and one died of "table
    gb_api_tokens already exists" (seen under load): ``prepare`` makes them all first."""
    from sqlalchemy import inspect

    from grantbook.adapters.store import StoreLocation, side_engine
    from grantbook.web.config import WebConfig
    from grantbook.web.serving import prepare

    key_file = None if store_url.startswith("sqlite:") else str(tmp_path / "store.key")
    prepare(WebConfig(store=store_url, key_file=key_file))
    location = StoreLocation.parse(store_url)
    engine = side_engine(location, pool_size=1)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names(schema=location.schema or None))
    finally:
        engine.dispose()
    assert {"gb_web_sessions", "gb_api_tokens", "gb_api_idempotency"} <= tables
