"""Zoek on the web pages finds names as people type them (domain/matching.py), as `grantbook search`:
over HTTP against a real uvicorn on loopback and a real store."""

from __future__ import annotations

import httpx
from web_seed import NUMBER, seed
from web_server import running


def test_the_staff_list_finds_names_as_people_type_them(store_url: str) -> None:
    names = [("Cécile", "D\u2019hondt"), ("Jan", "Van den Broeck"), ("Els", "Peeters")]
    seed(store_url, staff=3, names=names)
    with running(store_url, actor="jan") as server, httpx.Client(base_url=server.url) as client:
        assert client.get(server.login_url).status_code == 303  # signed in as jan
        for typed, name, other in (("cecile dhondt", "Cécile", "Els"), ("vandenbroeck", "Broeck", "Cécile")):
            response = client.get(f"/instellingen/{NUMBER}/toekennen", params={"naam": typed})
            assert response.status_code == 200
            assert name in response.text and other not in response.text, typed
