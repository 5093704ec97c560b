"""A real uvicorn server on loopback, in a thread of the test process, over a real store."""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import uvicorn

from grantbook.web.app import create_app
from grantbook.web.config import WebConfig
from grantbook.web.serving import listening_socket


class RunningServer:
    def __init__(self, config: WebConfig, url: str, server: uvicorn.Server) -> None:
        self.config = config
        self.url = url
        self.server = server

    @property
    def login_url(self) -> str:
        return f"{self.url}/login?token={self.config.local_token}"


@contextmanager
def running(
    store_url: str,
    actor: str | None = "jan",
    clock: Callable[[], datetime] | None = None,
    **settings: object,
) -> Iterator[RunningServer]:
    if not store_url.startswith("sqlite:") and "key_file" not in settings:
        # A server store is told where the key of national register numbers is (as GRANTBOOK_KEY_FILE).
        settings["key_file"] = str(Path(tempfile.mkdtemp(prefix="grantbook-key-")) / "store.key")
    config = WebConfig(
        store=store_url,
        local_actor=actor,
        local_token=secrets.token_urlsafe(16) if actor else None,
        **settings,  # type: ignore[arg-type]
    )
    app = create_app(config, clock)
    sock = listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield RunningServer(config, f"http://127.0.0.1:{port}", server)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
