"""The "Mijn taken" page over HTTP: the same tasks as ``grantbook tasks``, in Dutch, each with a link
to the page that does it; the start page's count links to it; an auditor has none."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from web_seed import NUMBER, OTHER, act, open_app, roster, seed, today
from web_server import running


def _fill(store_url: str) -> None:
    """jan at 034793: two rights ending in 10 days, a leaver holding a right, an open selection;
    piet's school 111111 has an expiring right that is none of jan's business."""
    seed(store_url, names=[("Cécile", "D'hondt"), ("Ann", "Peeters"), ("Bart", "Leeuw")])
    app = open_app(store_url)
    try:
        day = today()
        app.select(act(), NUMBER, ["90001", "90002"])
        app.assign(act(), NUMBER, "iris", "Gebruiker", day, day + timedelta(days=10))
        app.confirm(act(), NUMBER)
        app.select(act(), NUMBER, ["90003"])
        app.assign(act(), NUMBER, "iris", "Gebruiker", day, day + timedelta(days=200))
        app.confirm(act(), NUMBER)
        staff = roster(30, [("Cécile", "D'hondt"), ("Ann", "Peeters"), ("Bart", "Leeuw")])
        staff[2] = staff[2].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)
        app.select(act(), NUMBER, ["90010"])
        app.select(act("piet"), OTHER, ["90001"])
        app.assign(act("piet"), OTHER, "iris", "Gebruiker", day, day + timedelta(days=5))
        app.confirm(act("piet"), OTHER)
    finally:
        app.close()


def test_my_tasks_lists_each_task_in_dutch_with_where_to_do_it(store_url: str) -> None:
    _fill(store_url)
    soon = (today() + timedelta(days=10)).strftime("%d/%m/%Y")
    with running(store_url, actor="jan") as server, httpx.Client(base_url=server.url) as client:
        client.get(server.login_url)
        start = client.get("/").text
        listed = client.get("/taken")
        links = re.findall(r'<td data-label="Actie"><a href="([^"]+)"', listed.text)
        followed = [client.get(html.unescape(link)) for link in links]  # each task's page can be reached
    assert '<a class="button" href="/taken">Toon mijn taken</a>' in start
    assert "4 taken wachten op jou" in start
    assert listed.status_code == 200
    page = listed.text
    assert "4 taken wachten op jou" in page
    assert OTHER not in page  # piet's school is not jan's
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    kinds = [row.split('<td data-label="Taak">')[1].split("</td>")[0] for row in rows]
    assert kinds == ["Selectie", "Recht vervalt", "Recht vervalt", "Vertrokken, heeft nog een recht"]
    assert "1 persoon geselecteerd: kies een recht (stap 2)" in rows[0]
    assert f'href="/instellingen/{NUMBER}/toekennen/stap-2"' in rows[0]
    assert "Ann Peeters" in rows[1] and "Cécile D&#39;hondt" in rows[2]  # soonest, then by name; escaped
    assert "D'hondt" not in page
    assert f"Gebruiker, laatste dag {soon}" in rows[2]
    # one row, one grant: Verleng and Trek in name the grant (?toekenning=), and its page shows whose it is
    assert f"/instellingen/{NUMBER}/rechten/verleng?toekenning={NUMBER}-" in rows[2]
    assert "Bart Leeuw" in rows[3]
    assert f"/instellingen/{NUMBER}/rechten/trek-in?toekenning={NUMBER}-" in rows[3]
    assert [response.status_code for response in followed] == [200, 200, 200, 200]
    assert "Cécile D&#39;hondt" in followed[2].text and "Bart Leeuw" in followed[3].text


def test_an_auditor_and_a_person_without_schools_have_no_tasks(store_url: str) -> None:
    seed(store_url)
    app = open_app(store_url)
    try:
        app.appoint_auditor(act(), NUMBER, "els")
    finally:
        app.close()
    for actor in ("els", "nobody"):
        with running(store_url, actor=actor) as server, httpx.Client(base_url=server.url) as client:
            client.get(server.login_url)
            page = client.get("/taken")
        assert page.status_code == 200
        assert "Je bent voor geen enkele instelling beheerder" in page.text
        assert "<table" not in page.text
