""" "Naam wijzigen" over HTTP: a head administrator renames the institution (the start page and the
audit show it); a name refused by the rules stays next to its field with nothing recorded; anyone
else gets 403."""

from __future__ import annotations

import httpx
import pytest
from test_web_http import csrf_of, signed_in
from web_seed import NUMBER, act, event_count, open_app, seed
from web_server import RunningServer, running

FORM = f"/instellingen/{NUMBER}/naam"


@pytest.fixture
def server(store_url: str) -> RunningServer:
    seed(store_url)
    app = open_app(store_url)
    try:
        app.appoint_administrator(act(), NUMBER, "kim")
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


def test_a_head_renames_the_institution(server: RunningServer) -> None:
    with signed_in(server) as client:
        assert f'href="{FORM}"' in client.get(f"/instellingen/{NUMBER}").text  # on the institution page
        form = client.get(FORM).text
        assert 'value="Basisschool De Linde"' in form
        response = client.post(
            FORM, data={"naam": "Basisschool De Linde-Ter Beke", "csrf_token": csrf_of(form)}
        )
        done = f"/instellingen/{NUMBER}?gedaan=naam"
        assert response.status_code == 303 and response.headers["location"] == done
        assert "<h1>Basisschool De Linde-Ter Beke</h1>" in client.get(done).text
        start = client.get("/").text
        assert f'<a href="/instellingen/{NUMBER}">Basisschool De Linde-Ter Beke</a>' in start  # its card
        audit = client.get(f"/instellingen/{NUMBER}/audit").text
        assert "InstitutionRenamed" in audit or "Basisschool De Linde-Ter Beke" in audit


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Basisschool De Linde", "same-institution-name"),
        ("", "institution-name"),
        ("De Linde\u202e", "text-character"),
        ("De\nLinde", "text-character"),
        ("x" * 500, "text-length"),
    ],
)
def test_a_refused_name_stays_next_to_its_field(server: RunningServer, name: str, rule: str) -> None:
    with signed_in(server) as client:
        token = csrf_of(client.get(FORM).text)
        before = event_count(server.config.store)
        response = client.post(FORM, data={"naam": name, "csrf_token": token})
        assert response.status_code == 422
        assert 'id="naam-fout"' in response.text and f'data-rule="{rule}"' in response.text
        assert "\u202e" not in response.text
        assert event_count(server.config.store) == before


def test_only_a_head_may_rename(server: RunningServer) -> None:
    with running(server.config.store, actor="kim") as other, httpx.Client(base_url=other.url) as client:
        client.get(other.login_url)
        start = client.get("/").text
        assert f'href="{FORM}"' not in start
        before = event_count(server.config.store)
        assert client.get(FORM).status_code == 403
        assert client.post(FORM, data={"naam": "Iets", "csrf_token": csrf_of(start)}).status_code == 403
        assert event_count(server.config.store) == before
