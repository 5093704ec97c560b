"""The guard tells the metrics and the access log of a request before the client can have read all of
its answer (web/hostile.py): a scrape right after an answer finds that answer counted, also where the
app still awaits something after its last part (a file's answer closes its file then)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from grantbook.web.config import WebConfig
from grantbook.web.hostile import Guard


def scope(method: str = "GET") -> dict[str, Any]:
    return {"type": "http", "method": method, "path": "/static/style.css", "raw_path": b"/static/style.css",
            "query_string": b"", "headers": [(b"host", b"localhost")], "root_path": ""}


def run(app: Any, method: str = "GET") -> tuple[list[tuple[str, Any]], list[tuple[Any, ...]]]:
    """Runs the guard around ``app``; returns what reached the client and what was observed, in order."""
    order: list[tuple[str, Any]] = []
    observed: list[tuple[Any, ...]] = []

    def observe(scope: Any, method: str, status: int, seconds: float, request_id: str) -> None:
        observed.append((method, status))
        order.append(("observed", status))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        order.append(("sent", message["type"], message.get("more_body", False)))

    guard = Guard(app, WebConfig(store="sqlite:///unused.db"), lambda *a: None, observe)
    # A thread of its own: a test before may leave an event loop running in this one (Playwright's).
    failed: list[BaseException] = []

    def run_loop() -> None:
        try:
            asyncio.run(guard(scope(method), receive, send))
        except BaseException as error:
            failed.append(error)

    thread = threading.Thread(target=run_loop)
    thread.start()
    thread.join()
    assert not failed, failed
    return order, observed


async def a_file(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"body {", "more_body": True})
    await send({"type": "http.response.body", "body": b"}", "more_body": False})
    await asyncio.sleep(0)  # closing the file: the client has the whole answer already


def test_an_answer_is_observed_before_its_last_part_goes_out() -> None:
    order, observed = run(a_file)
    assert observed == [("GET", 200)]  # once
    assert order == [
        ("sent", "http.response.start", False),
        ("sent", "http.response.body", True),
        ("observed", 200),
        ("sent", "http.response.body", False),
    ]


def test_a_head_request_is_observed_once_under_its_own_method() -> None:
    order, observed = run(a_file, method="HEAD")
    assert observed == [("HEAD", 200)]


def test_an_app_that_never_ends_its_answer_is_still_observed_once() -> None:
    async def gives_up(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})

    order, observed = run(gives_up)
    assert observed == [("GET", 204)]
    assert order[-1] == ("observed", 204)
