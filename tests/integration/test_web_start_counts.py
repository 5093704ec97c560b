"""The start page over HTTP: the counts on each card of "Jouw instellingen" (one grouped query, as
``grantbook institution list``), the name as last renamed, and the "Mijn taken" count."""

from __future__ import annotations

from datetime import timedelta

import httpx
from web_seed import NUMBER, act, open_app, seed, today
from web_server import running


def test_the_start_page_shows_counts_the_new_name_and_the_tasks(store_url: str) -> None:
    seed(store_url)
    app = open_app(store_url)
    try:
        day = today()
        for pids, end in (
            (["90001", "90002"], day + timedelta(days=10)),
            (["90003"], day + timedelta(days=300)),
        ):
            app.select(act(), NUMBER, pids)
            app.assign(act(), NUMBER, "iris", "Gebruiker", day, end)
            app.confirm(act(), NUMBER)
        app.rename_institution(act(), NUMBER, "Basisschool De Linde-Ter Beke")
        app.select(act(), NUMBER, ["90010"])
    finally:
        app.close()
    with running(store_url, actor="jan") as server, httpx.Client(base_url=server.url) as client:
        client.get(server.login_url)
        page = client.get("/").text
    card = page[page.index('<li class="card">') :].split("</li>")[0]  # one card per institution
    assert f'<a href="/instellingen/{NUMBER}">Basisschool De Linde-Ter Beke</a>' in card
    assert f"Instellingsnummer {NUMBER}" in card
    assert "<p>3 rechten vandaag, 2 vervallen binnen 30 dagen.</p>" in card
    assert "3 taken wachten op jou" in page  # the selection and the two expiring rights
