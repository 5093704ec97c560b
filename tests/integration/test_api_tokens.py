"""Personal API tokens from the command line and from the page "API-sleutels" (made, shown once,
listed, revoked), and OpenID Connect access tokens (JWTs checked against the issuer's JWKS, here a
locally generated key served from loopback)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from api_helpers import API, seeded
from authlib.jose import JsonWebKey, jwt
from conftest import Driver
from sqlalchemy import select
from test_web_http import csrf_of, signed_in
from web_seed import NUMBER, event_count
from web_server import running

from grantbook.adapters.store import StoreLocation
from grantbook.adapters.tokens import TokenStore, api_tokens


def test_the_cli_makes_lists_and_revokes_tokens(store_url: str, tmp_path: Path) -> None:
    gb = Driver(store_url, tmp_path)  # not the frozen clock of the `gb` fixture: a server runs below
    seeded(gb.store_url)
    made = gb.ok("token", "create", "--name", "rapportering", "--read-only")
    secret = made.stdout.strip()
    assert re.fullmatch(r"gb_[A-Za-z0-9_-]{43}", secret) and "shown only now" in made.stderr
    listed = gb.json("token", "list")
    assert [(t["name"], t["access"], t["status"]) for t in listed] == [
        ("rapportering", "read-only", "active")
    ]
    assert secret not in json.dumps(listed) and secret not in gb.ok("token", "list", "--format", "csv").stdout
    assert gb.json("token", "list", actor="mia") == []
    gb.refused("token", "revoke", str(listed[0]["id"]), rule="unknown-token", actor="mia")
    gb.refused("token", "create", "--name", "x", "--expires", "2001-01-01", rule="token-expiry")
    gb.refused("token", "create", "--name", " ", rule="token-name")
    with running(gb.store_url, actor="jan") as server:
        headers = {"Authorization": f"Bearer {secret}"}
        assert httpx.get(server.url + API + "/institutions", headers=headers).status_code == 200
        body = {
            "persons": ["90001"],
            "right": "iris",
            "context": "Gebruiker",
            "begin": "2026-12-01",
            "end": "2027-06-30",
        }
        denied = httpx.post(server.url + API + f"/institutions/{NUMBER}/grants", headers=headers, json=body)
        assert denied.status_code == 403 and denied.json()["code"] == "read-only-token"
        gb.ok("token", "revoke", str(listed[0]["id"]))
        assert httpx.get(server.url + API + "/institutions", headers=headers).status_code == 401
    assert gb.json("token", "list")[0]["status"] == "revoked"


def test_the_page_makes_a_token_once_and_revokes_it(store_url: str) -> None:
    seeded(store_url)
    with running(store_url, actor="jan") as server, signed_in(server) as browser:
        assert 'href="/api-sleutels"' in browser.get("/").text
        form = browser.get("/api-sleutels").text
        assert "<h1>API-sleutels</h1>" in form and "Je hebt nog geen API-sleutels." in form
        refused = browser.post("/api-sleutels", data={"naam": "", "csrf_token": csrf_of(form)})
        assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
        late = browser.post(
            "/api-sleutels", data={"naam": "x", "vervaldatum": "01/01/2001", "csrf_token": csrf_of(form)}
        )
        assert late.status_code == 422 and "Kies een vervaldatum" in late.text
        assert browser.post("/api-sleutels", data={"naam": "x"}).status_code == 403  # no CSRF token
        made = browser.post(
            "/api-sleutels", data={"naam": "rapportering", "alleen_lezen": "1", "csrf_token": csrf_of(form)}
        )
        assert made.status_code == 200 and "je ziet hem maar één keer" in made.text
        secret = re.search(r'<code id="sleutel">(gb_[^<]+)</code>', made.text).group(1)  # type: ignore[union-attr]
        again = browser.get("/api-sleutels").text
        assert secret not in again and "rapportering" in again and "Alleen lezen" in again
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {secret}"}) as api:
            assert api.get(API + f"/institutions/{NUMBER}").status_code == 200
            assert (
                api.get("/api-sleutels", follow_redirects=False).status_code == 303
            )  # no token on the pages
        token_id = re.search(r'action="/api-sleutels/([0-9a-f]+)/intrekken"', again).group(1)  # type: ignore[union-attr]
        done = browser.post(f"/api-sleutels/{token_id}/intrekken", data={"csrf_token": csrf_of(again)})
        assert done.status_code == 303 and "Ingetrokken" in browser.get(done.headers["location"]).text
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {secret}"}) as api:
            assert api.get(API + "/institutions").status_code == 401
        assert (
            browser.post(
                f"/api-sleutels/{token_id}/intrekken", data={"csrf_token": csrf_of(again)}
            ).status_code
            == 404
        )


def test_only_a_hash_is_kept(store_url: str) -> None:
    seeded(store_url)
    store = TokenStore(StoreLocation.parse(store_url))
    try:
        from web_seed import today

        secret, _ = store.create("jan", "x", today())
        with store.engine.connect() as connection:
            rows = [tuple(map(str, row)) for row in connection.execute(select(api_tokens))]
        assert rows and all(secret not in value and secret[3:] not in value for row in rows for value in row)
    finally:
        store.close()


@contextmanager
def issuer_with_key() -> Iterator[tuple[str, dict[str, object]]]:
    """A loopback OpenID provider serving only its discovery document and JWKS; yields (issuer, private JWK)."""
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    private = key.as_dict(is_private=True)
    private["kid"] = "k1"
    public = {**key.as_dict(), "kid": "k1", "use": "sig", "alg": "RS256"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_port}"  # type: ignore[attr-defined]
            documents = {
                "/.well-known/openid-configuration": {
                    "issuer": base,
                    "authorization_endpoint": base + "/auth",
                    "token_endpoint": base + "/token",
                    "jwks_uri": base + "/jwks",
                },
                "/jwks": {"keys": [public]},
            }
            body = json.dumps(documents.get(self.path, {})).encode()
            self.send_response(200 if self.path in documents else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", private
    finally:
        server.shutdown()


def _jwt(private: dict[str, object], **claims: object) -> str:
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, private).decode()


def test_an_oidc_access_token_is_checked_against_the_issuers_keys(store_url: str) -> None:
    seeded(store_url)
    with issuer_with_key() as (issuer, private):
        settings = {"oidc_issuer": issuer, "oidc_client_id": "grantbook", "oidc_client_secret": "s3cret"}
        now = int(time.time())
        good = {"iss": issuer, "aud": "grantbook", "exp": now + 300, "iat": now, "preferred_username": "jan"}
        other = JsonWebKey.generate_key("RSA", 2048, is_private=True).as_dict(is_private=True)
        with running(store_url, actor=None, **settings) as server:  # type: ignore[arg-type]

            def status(token: str) -> int:
                headers = {"Authorization": f"Bearer {token}"}
                return httpx.get(server.url + API + f"/institutions/{NUMBER}", headers=headers).status_code

            before = event_count(store_url)
            assert status(_jwt(private, **good)) == 200
            assert status(_jwt(private, **{**good, "preferred_username": "piet"})) == 404  # not his school
            assert status(_jwt(private, **{**good, "aud": "someone-else"})) == 401
            assert status(_jwt(private, **{**good, "iss": "http://evil.example"})) == 401
            assert status(_jwt(private, **{**good, "exp": now - 3600})) == 401
            assert status(_jwt(other, **good)) == 401  # signed with a key the issuer does not publish
            assert (
                status(_jwt(private, **{k: v for k, v in good.items() if k != "preferred_username"})) == 401
            )
            assert status("not.a.jwt") == 401
            assert event_count(store_url) == before
