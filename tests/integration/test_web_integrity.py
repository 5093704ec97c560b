"""A reading page about an institution whose hash chain a rebuild found broken refuses to answer
(409, the institution named in role="alert"), as the reading commands do; the other institution's
pages still answer."""

from __future__ import annotations

import httpx
from test_integrity import A, Database
from web_seed import NUMBER, OTHER, open_app, seed
from web_server import running

from grantbook.projections import read_models


def test_reading_pages_refuse_an_institution_whose_chain_is_broken(store_url: str) -> None:
    seed(store_url)
    db = Database(store_url)
    _, topic, state = db.event(A, 1)  # the registration: the roster import's link no longer fits it
    db.set_event(A, 1, topic, state.replace(b"De Linde", b"Forged", 1))
    app = open_app(store_url)
    try:
        models = read_models(app)
        models.rebuild()  # the read models check each link as they apply it
        models.close()
    finally:
        app.close()
    with running(store_url, actor="jan") as server, httpx.Client(base_url=server.url) as client:
        client.get(server.login_url)
        for path in (f"/instellingen/{NUMBER}/rechten", f"/instellingen/{NUMBER}/audit", "/vervallend"):
            response = client.get(path)
            assert response.status_code == 409, path
            assert 'role="alert"' in response.text and f"instelling {NUMBER}" in response.text
            assert "Forged" not in response.text
        assert client.get("/vervallend.csv").status_code == 409
    with running(store_url, actor="piet") as server, httpx.Client(base_url=server.url) as client:
        client.get(server.login_url)
        assert client.get(f"/instellingen/{OTHER}/rechten").status_code == 200
        assert client.get("/vervallend").status_code == 200
