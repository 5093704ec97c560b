"""The web pages over HTTP against a real uvicorn on loopback and a real store: sign-in, sessions in
the store, CSRF, security headers, other institutions' pages answer 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from web_seed import NUMBER, OTHER, event_count, seed
from web_server import RunningServer, running


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url)
    with running(store_url, actor="jan") as running_server:
        yield running_server


@contextmanager
def signed_in(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        response = client.get(server.login_url)
        assert response.status_code == 303 and response.headers["location"] == "/"
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_not_signed_in_is_sent_to_sign_in(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        for path in (
            "/",
            f"/instellingen/{NUMBER}/rechten",
            "/vervallend",
            f"/instellingen/{NUMBER}/toekennen",
        ):
            response = client.get(path)
            assert response.status_code == 303 and response.headers["location"] == "/aanmelden", path
        before = event_count(server.config.store)
        response = client.post("/toekennen/zoek", data={"instellingsnummer": NUMBER})
        assert response.status_code == 303 and response.headers["location"] == "/aanmelden"
        assert event_count(server.config.store) == before


def test_a_wrong_token_signs_nobody_in(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/login?token=wrong")
        assert response.status_code == 403 and "grantbook_session" not in response.headers.get(
            "set-cookie", ""
        )
        assert 'role="alert"' in response.text


def test_sign_in_sets_a_safe_cookie_and_shows_the_persons_institutions(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        response = client.get(server.login_url)
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
        assert server.config.local_token not in response.headers["location"]
        page = client.get("/")
        assert page.status_code == 200
        assert "Rechten beheren" in page.text and "Jouw instellingen" in page.text
        assert f'href="/instellingen/{NUMBER}"' in page.text  # the card's "Meer"
        assert NUMBER in page.text and "Basisschool De Linde" in page.text
        assert OTHER not in page.text and "Het Anker" not in page.text


def test_security_headers_on_every_page(server: RunningServer) -> None:
    with signed_in(server) as client:
        for path in ("/", "/aanmelden", "/static/style.css", f"/instellingen/{OTHER}/rechten", "/nergens"):
            headers = client.get(path).headers
            csp = headers["content-security-policy"]
            assert (
                "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
            )
            assert headers["referrer-policy"] == "same-origin"
            assert headers["x-content-type-options"] == "nosniff"


def test_other_institutions_answer_404(server: RunningServer) -> None:
    with signed_in(server) as client:
        for path in (
            f"/instellingen/{OTHER}/rechten",
            f"/instellingen/{OTHER}/toekennen",
            f"/instellingen/{OTHER}/audit",
            f"/instellingen/{OTHER}/gebruiker-toevoegen",
            "/instellingen/999999/rechten",
            "/instellingen/12/rechten",
        ):
            assert client.get(path).status_code == 404, path
        token = csrf_of(client.get("/").text)
        before = event_count(server.config.store)
        response = client.post("/toekennen/zoek", data={"instellingsnummer": OTHER, "csrf_token": token})
        assert response.status_code == 422 and 'id="instellingsnummer-fout"' in response.text
        assert "Het Anker" not in response.text
        assert event_count(server.config.store) == before


def test_a_form_without_a_valid_csrf_token_is_refused_and_records_nothing(server: RunningServer) -> None:
    with signed_in(server) as client:
        before = event_count(server.config.store)
        for data in ({"instellingsnummer": NUMBER}, {"instellingsnummer": NUMBER, "csrf_token": "forged"}):
            response = client.post("/toekennen/zoek", data=data)
            assert response.status_code == 403
        assert event_count(server.config.store) == before
        token = csrf_of(client.get("/").text)
        response = client.post("/toekennen/zoek", data={"instellingsnummer": NUMBER, "csrf_token": token})
        assert response.status_code == 303
        assert (
            event_count(server.config.store) == before + 1
        )  # the search, recorded as `grantbook search` does


def test_sign_out_ends_the_session_on_the_server(server: RunningServer) -> None:
    with signed_in(server) as client:
        cookie = client.cookies["grantbook_session"]
        token = csrf_of(client.get("/").text)
        assert client.post("/afmelden", data={}).status_code == 403  # sign-out is a form like the others
        response = client.post("/afmelden", data={"csrf_token": token})
        assert response.status_code == 303
    with httpx.Client(base_url=server.url, cookies={"grantbook_session": cookie}) as copied:
        response = copied.get("/")
        assert response.status_code == 303 and response.headers["location"] == "/aanmelden"


def test_sessions_live_in_the_store_so_another_server_process_accepts_them(
    server: RunningServer, store_url: str
) -> None:
    with signed_in(server) as client:
        cookie = client.cookies["grantbook_session"]
    with (
        running(store_url, actor=None) as second,
        httpx.Client(base_url=second.url, cookies={"grantbook_session": cookie}) as other,
    ):
        assert other.get("/").status_code == 200


def _appoint_auditor(store_url: str, person: str) -> None:
    from web_seed import act, open_app

    app = open_app(store_url)
    try:
        app.appoint_auditor(act("jan"), NUMBER, person)
    finally:
        app.close()


@pytest.mark.parametrize("how", ["appointed", "GRANTBOOK_AUDITORS"])
def test_an_auditor_reads_and_cannot_change_anything(store_url: str, how: str) -> None:
    seed(store_url)
    settings: dict[str, object] = {}
    if how == "appointed":
        _appoint_auditor(store_url, "ann")
    else:
        settings["auditors"] = ("ann",)
    with running(store_url, actor="ann", **settings) as server, signed_in(server) as client:
        start = client.get("/")
        assert NUMBER in start.text
        assert ("Het Anker" in start.text) == (how == "GRANTBOOK_AUDITORS")  # auditors of every institution
        assert "Toekennen meerdere personen voor" not in start.text
        for path in (
            f"/instellingen/{NUMBER}/rechten",
            f"/instellingen/{NUMBER}/audit",
            "/vervallend",
            "/vervallend.csv",
            "/verificatie",
        ):
            assert client.get(path).status_code == 200, path
        rights = client.get(f"/instellingen/{NUMBER}/rechten").text
        assert "Verleng" not in rights and "Trek in" not in rights
        token = csrf_of(start.text)
        before = event_count(store_url)
        response = client.post("/toekennen/zoek", data={"instellingsnummer": NUMBER, "csrf_token": token})
        assert response.status_code == 422 and 'id="instellingsnummer-fout"' in response.text  # not theirs
        posts = {
            f"/instellingen/{NUMBER}/toekennen/selecteer": {"persoon": "90001"},
            f"/instellingen/{NUMBER}/toekennen/stap-2": {"recht": "x", "context": "Gebruiker"},
            f"/instellingen/{NUMBER}/toekennen/bevestig": {},
            f"/instellingen/{NUMBER}/rechten/verleng": {
                "toekenning": f"{NUMBER}-1",
                "einddatum": "01/01/2030",
            },
            f"/instellingen/{NUMBER}/rechten/trek-in": {"toekenning": f"{NUMBER}-1", "reden": "r"},
            f"/instellingen/{NUMBER}/gebruiker-toevoegen": {"voornaam": "A", "achternaam": "B", "reden": "r"},
        }
        for path, data in posts.items():
            response = client.post(path, data={**data, "csrf_token": token})
            assert response.status_code == 403, path
            assert 'role="alert"' in response.text
        for path in (f"/instellingen/{NUMBER}/toekennen", f"/instellingen/{NUMBER}/gebruiker-toevoegen"):
            assert client.get(path).status_code == 403, path
        assert event_count(store_url) == before


def test_who_sees_an_institution_follows_the_events(store_url: str) -> None:
    from web_seed import act, open_app

    seed(store_url)
    app = open_app(store_url)
    try:
        app.appoint_administrator(act("jan"), NUMBER, "piet")  # piet: head of 111111, now also here
        app.appoint_auditor(act("jan"), NUMBER, "ann")
    finally:
        app.close()
    with running(store_url, actor="piet") as server, signed_in(server) as client:
        assert client.get(f"/instellingen/{NUMBER}/toekennen").status_code == 200
        app = open_app(store_url)
        try:
            app.remove_administrator(act("jan"), NUMBER, "piet")
        finally:
            app.close()
        assert client.get(f"/instellingen/{NUMBER}/toekennen").status_code == 404
        assert client.get(f"/instellingen/{OTHER}/toekennen").status_code == 200
    with running(store_url, actor="ann") as server, signed_in(server) as client:
        assert client.get(f"/instellingen/{NUMBER}/rechten").status_code == 200
        app = open_app(store_url)
        try:
            app.remove_auditor(act("mia"), NUMBER, "ann")
        finally:
            app.close()
        assert client.get(f"/instellingen/{NUMBER}/rechten").status_code == 404


def test_the_rights_page_shows_a_revocation_planned_for_a_later_day(server: RunningServer) -> None:
    """docs/adr/0016: a right revoked from a later day is held until then, and says so."""
    from datetime import timedelta

    from web_seed import IRIS, act, open_app, today

    app = open_app(server.config.store)
    try:
        day = today()
        app.select(act(), NUMBER, ["90001", "90002"])
        app.assign(act(), NUMBER, IRIS, "Gebruiker", day, day + timedelta(days=200))
        app.confirm(act(), NUMBER)
        app.revoke(act(), NUMBER, ["90001", "90002"], IRIS, reason="leave", first_day=day + timedelta(days=30))
    finally:
        app.close()
    with signed_in(server) as client:
        page = client.get(f"/instellingen/{NUMBER}/rechten").text
    later = (day + timedelta(days=30)).strftime("%d/%m/%Y")
    assert page.count(f"ingetrokken vanaf {later}") == 2  # under the Einddatum of each row



def test_while_step_two_waits_the_selection_is_refused_and_terug_and_annuleer_do_what_they_say(
    server: RunningServer,
) -> None:
    """docs/adr/0015: a + or – posted while step 2 waits is refused (422, the rule, nothing recorded);
    Terug keeps the selection and shows step 2 filled in; Annuleer empties the selection."""
    base = f"/instellingen/{NUMBER}/toekennen"
    step_two = {"recht": "iris", "context": "Gebruiker", "begindatum": "01/12/2026", "einddatum": "31/08/2027"}
    with signed_in(server) as client:
        token = csrf_of(client.get(base).text)
        assert client.post(f"{base}/selecteer", data={"persoon": "90001", "csrf_token": token}).status_code == 303
        assert client.post(f"{base}/stap-2", data={**step_two, "csrf_token": token}).status_code == 303
        before = event_count(server.config.store)
        for path in ("selecteer", "verwijder"):
            person = "90002" if path == "selecteer" else "90001"
            response = client.post(f"{base}/{path}", data={"persoon": person, "csrf_token": token})
            assert response.status_code == 422 and "assignment-pending" in response.text
        assert event_count(server.config.store) == before
        listed = client.get(base).text
        assert "Toekenning wacht op bevestiging" in listed
        assert 'name="een"' not in listed and 'name="persoon"' not in listed  # nothing to tick, + or –
        assert ">Voeg toe aan selectie</button>" not in listed

        response = client.post(f"{base}/terug", data={"csrf_token": token})
        assert response.status_code == 303 and response.headers["location"].startswith(f"{base}/stap-2?")
        filled = client.get(response.headers["location"]).text
        assert 'value="31/08/2027"' in filled and "Stap 2 van 3" in filled
        assert event_count(server.config.store) == before + 1
        assert "Haal First1 Last1 uit de selectie" in client.get(base).text  # the selection stays, free again

        assert client.post(f"{base}/stap-2", data={**step_two, "csrf_token": token}).status_code == 303
        response = client.post(f"{base}/annuleer", data={"csrf_token": token})
        assert response.status_code == 303 and response.headers["location"] == base
        assert "Nog niemand geselecteerd" in client.get(base).text
        response = client.post(f"{base}/terug", data={"csrf_token": token})  # nothing waits any more
        assert response.status_code == 200 and "Er wacht niets op bevestiging" in response.text
