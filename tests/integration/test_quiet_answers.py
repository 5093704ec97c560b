"""What the cheaper requests (docs/adr/0029) must not give up, on both stores: a read model answers
without a catch-up only when none of the events after it is one it reads; a kept page or API list
is made again after any change to the register."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from api_helpers import API, tokens_for
from web_seed import IRIS, NUMBER, act, open_app, seed, today
from web_server import running

from sqlalchemy import Connection, select

from grantbook.adapters.store import StoreLocation
from grantbook.projections import read_models
from grantbook.projections.access import roles_of
from grantbook.projections.runner import ReadModels, tracking
from grantbook.web.sessions import SessionStore


def _position(models: ReadModels, name: str) -> int:
    return models.positions().get(name, 0)


def _positions(connection: Connection) -> dict[str, int]:
    return {name: int(position) for name, position in connection.execute(select(tracking.c.name, tracking.c.position))}


def test_events_the_access_model_does_not_read_need_no_catch_up_but_one_it_reads_does(store_url: str) -> None:
    seed(store_url)
    app = open_app(store_url)
    try:
        models = read_models(app)
        assert NUMBER in models.answer(lambda c: roles_of(c, "mia"), ["access"])
        at = _position(models, "access")
        app.select(act(), NUMBER, ["90001", "90002"])  # events the access model does not read
        app.select(act(), NUMBER, ["90003"])
        assert app.recorder.max_notification_id() > at
        answered = models.answer(lambda c: roles_of(c, "jan"), ["access"])
        assert NUMBER in answered
        assert _position(models, "access") == at  # answered as it stood: nothing written first
        app.remove_administrator(act(), NUMBER, "mia")  # one it reads, after more it does not
        app.select(act(), NUMBER, ["90004"])
        assert NUMBER not in models.answer(lambda c: roles_of(c, "mia"), ["access"])
        assert _position(models, "access") == app.recorder.max_notification_id()
        models.close()
    finally:
        app.close()


def test_the_chain_and_audit_models_read_every_event_so_every_event_moves_the_state_pages_are_kept_under(
    store_url: str,
) -> None:
    seed(store_url)
    app = open_app(store_url)
    try:
        models = read_models(app)
        by_name = {p.name: p for p in models.projections}
        assert by_name["chain"].topics == () and by_name["audit"].topics == ()
        models.answer(lambda c: None)
        before = models.answer(_positions)
        app.select(act(), NUMBER, ["90001"])
        after = models.answer(_positions)
        assert after["chain"] > before["chain"] and after["audit"] > before["audit"]
        models.close()
    finally:
        app.close()


def test_a_grant_recorded_elsewhere_is_on_the_kept_rights_page_and_the_kept_api_list(store_url: str) -> None:
    seed(store_url)
    with running(store_url) as server:
        sessions = SessionStore(StoreLocation.parse(store_url))
        cookies = {"grantbook_session": sessions.start("jan")}
        sessions.close()
        token = tokens_for(store_url)["head"]
        rights = f"/instellingen/{NUMBER}/rechten"
        listing = f"{API}/institutions/{NUMBER}/rights"
        bearer = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, timeout=30, cookies=cookies) as client:
            first = [client.get(rights) for _ in range(3)]
            assert all(r.status_code == 200 and "First5 Last5" not in r.text for r in first)
            assert first[1].text == first[0].text  # kept, and the same page
            empty = [client.get(listing, headers=bearer) for _ in range(3)]
            assert all(r.status_code == 200 and r.json()["items"] == [] for r in empty)
            assert empty[2].headers["content-type"] == "application/json"
            app = open_app(store_url)
            try:
                app.grant(act(), NUMBER, "90005", IRIS, "Gebruiker", today(), today() + timedelta(days=30))
            finally:
                app.close()
            page = client.get(rights)
            assert page.status_code == 200 and "First5 Last5" in page.text
            items = client.get(listing, headers=bearer).json()["items"]
            assert [row["person_id"] for row in items] == ["90005"]
            assert client.get(listing, headers={"Authorization": "Bearer gb_unknown"}).status_code == 401


@pytest.mark.parametrize("size", [0, 24])
def test_a_worker_keeps_at_most_the_pages_it_is_told_to(store_url: str, size: int) -> None:
    seed(store_url)
    with running(store_url, kept_pages=size) as server:
        sessions = SessionStore(StoreLocation.parse(store_url))
        cookies = {"grantbook_session": sessions.start("jan")}
        sessions.close()
        with httpx.Client(base_url=server.url, timeout=30, cookies=cookies) as client:
            pages = [client.get(f"/instellingen/{NUMBER}/rechten") for _ in range(3)]
        assert all(page.status_code == 200 for page in pages)
        assert pages[0].text == pages[2].text
        kept = server.server.config.app.state.services.kept_pages  # type: ignore[attr-defined]
        assert len(kept) == min(size, 1)
