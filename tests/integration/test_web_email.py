""""E-mailadres voor meldingen" over HTTP: an administrator sets and takes away their own address for
expiry notices (recorded as by ``grantbook admin email``); a bad address stays next to its field with
nothing recorded; an auditor gets 403."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from test_web_http import csrf_of, signed_in
from web_seed import NUMBER, act, event_count, open_app, seed
from web_server import RunningServer, running

FORM = f"/instellingen/{NUMBER}/e-mailadres"


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url)
    with running(store_url, actor="jan") as running_server:
        yield running_server


def _emails(store_url: str) -> dict[str, str]:
    app = open_app(store_url)
    try:
        return dict(app.institution(NUMBER).state.emails)
    finally:
        app.close()


def test_an_administrator_sets_and_removes_their_own_address(server: RunningServer) -> None:
    with signed_in(server) as client:
        assert f'href="{FORM}"' in client.get(f"/instellingen/{NUMBER}").text  # on the institution page
        form = client.get(FORM).text
        assert "geen meldingen" in form and "Verwijder mijn e-mailadres" not in form
        token = csrf_of(form)
        response = client.post(FORM, data={"email": "Jan@DeLinde.example", "actie": "bewaar", "csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == f"{FORM}?gedaan=bewaard"
        shown = client.get(response.headers["location"]).text
        assert "Je e-mailadres is bewaard" in shown and 'value="Jan@delinde.example"' in shown
        assert _emails(server.config.store) == {"jan": "Jan@delinde.example"}
        response = client.post(FORM, data={"email": "", "actie": "verwijder", "csrf_token": token})
        assert response.status_code == 303 and "Je e-mailadres is verwijderd" in client.get(
            response.headers["location"]
        ).text
    assert _emails(server.config.store) == {}


@pytest.mark.parametrize("typed", ["jan-at-delinde", "", "jan@delinde.example\u202e"])
def test_a_bad_address_is_refused_next_to_its_field(server: RunningServer, typed: str) -> None:
    with signed_in(server) as client:
        token = csrf_of(client.get(FORM).text)
        before = event_count(server.config.store)
        response = client.post(FORM, data={"email": typed, "actie": "bewaar", "csrf_token": token})
        assert response.status_code == 422
        assert 'id="email-fout"' in response.text and 'data-rule="email-address"' in response.text
        assert "\u202e" not in response.text
        assert event_count(server.config.store) == before


def test_an_auditor_cannot_set_an_address(server: RunningServer) -> None:
    app = open_app(server.config.store)
    try:
        app.appoint_auditor(act(), NUMBER, "els")
    finally:
        app.close()
    with running(server.config.store, actor="els") as audit, httpx.Client(base_url=audit.url) as client:
        client.get(audit.login_url)
        token = csrf_of(client.get("/").text)
        before = event_count(server.config.store)
        assert client.get(FORM).status_code == 403
        assert client.post(FORM, data={"email": "els@x.example", "csrf_token": token}).status_code == 403
        assert event_count(server.config.store) == before
