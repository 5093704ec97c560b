"""``grantbook serve`` with an identity provider it cannot use: one line ``error: oidc: ...`` on stderr,
exit 1, no traceback, nothing served. The issuer's discovery document is checked at start."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_end_to_end import grantbook_command


@contextmanager
def answering(status: int, body: bytes, content_type: str = "text/html") -> Iterator[str]:
    """A loopback HTTP server that answers every GET with ``status`` and ``body``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def serve(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env.update({"GRANTBOOK_OIDC_CLIENT_ID": "grantbook", "GRANTBOOK_OIDC_CLIENT_SECRET": "s3cret"})
    env.update(settings)
    return subprocess.run(
        [*grantbook_command(), "--store", f"sqlite:///{tmp_path / 's.db'}", "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_oidc_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: oidc: "), done.stderr
    assert "Traceback" not in done.stderr and "open http" not in done.stdout
    for word in words:
        assert word in lines[0], lines[0]


def test_an_unreachable_issuer_is_one_line(tmp_path: Path) -> None:
    done = serve(tmp_path, GRANTBOOK_OIDC_ISSUER="http://127.0.0.1:1")
    assert_one_oidc_line(done, "http://127.0.0.1:1/.well-known/openid-configuration", "does not answer")


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (404, b"<h1>Not Found</h1>", "answered 404"),
        (200, b"<html>a login page</html>", "not JSON"),
        (200, b'["a list"]', "not a discovery document"),
        (200, b'{"issuer": "http://elsewhere.example"}', "has no authorization_endpoint"),
    ],
)
def test_a_wrong_issuer_is_one_line(tmp_path: Path, status: int, body: bytes, says: str) -> None:
    with answering(status, body) as issuer:
        done = serve(tmp_path, GRANTBOOK_OIDC_ISSUER=issuer)
    assert_one_oidc_line(done, says)


def test_an_issuer_naming_another_issuer_is_one_line(tmp_path: Path) -> None:
    document = (
        b'{"issuer": "http://elsewhere.example", "authorization_endpoint": "http://x/a", '
        b'"token_endpoint": "http://x/t", "jwks_uri": "http://x/j"}'
    )
    with answering(200, document, "application/json") as issuer:
        done = serve(tmp_path, GRANTBOOK_OIDC_ISSUER=issuer)
    assert_one_oidc_line(done, "names issuer 'http://elsewhere.example'")


def test_an_issuer_without_client_settings_is_one_line(tmp_path: Path) -> None:
    done = serve(tmp_path, GRANTBOOK_OIDC_ISSUER="http://127.0.0.1:1", GRANTBOOK_OIDC_CLIENT_SECRET="")
    assert_one_oidc_line(done, "GRANTBOOK_OIDC_CLIENT_SECRET is not")


def test_a_wrong_base_url_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env["GRANTBOOK_BASE_URL"] = "ftp://x"
    done = subprocess.run(
        [*grantbook_command(), "--store", f"sqlite:///{tmp_path / 's.db'}", "--as", "jan", "serve"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: base-url: "), done.stderr


def test_a_real_provider_passes_and_a_sign_in_while_it_is_gone_is_a_dutch_page(store_url: str) -> None:
    from oidc_provider_mock import run_server_in_thread
    from web_seed import seed
    from web_server import running

    from grantbook.web.oidc import check_issuer

    seed(store_url, staff=3)
    with run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        assert check_issuer(issuer)["issuer"].rstrip("/") == issuer
    settings = {"oidc_issuer": issuer, "oidc_client_id": "grantbook", "oidc_client_secret": "s3cret"}
    with running(store_url, actor=None, **settings) as server:  # type: ignore[arg-type]
        import httpx

        response = httpx.get(server.url + "/oidc/login")
    assert response.status_code == 503 and "Aanmelden lukt nu niet" in response.text
