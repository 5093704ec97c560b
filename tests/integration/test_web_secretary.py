"""The grant flow as a school secretary meets it, over HTTP against a real server and store: the staff
list says who already holds what, several persons are ticked at once, Stap 2 names every person it
refuses (by name, dates as dd/mm/jjjj) with a way on, every error of a form at once, the Back button
after Bevestig, one row one grant, and a typed institution number that is not yours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from web_seed import IRIS, NUMBER, act, event_count, open_app, seed
from web_server import RunningServer, running

NAMES = [("An", "Claes"), ("Bert", "Dewulf"), ("Chris", "Engels"), ("Dirk", "Fonteyn"), ("Els", "Goossens")]
LIST = f"/instellingen/{NUMBER}/toekennen"
STEP_TWO = f"{LIST}/stap-2"


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url, staff=30, names=NAMES)
    app = open_app(store_url)
    try:  # An and Bert already hold IRIS for the school year
        for person in ("90001", "90002"):
            app.grant(act(), NUMBER, person, IRIS, "Gebruiker", date(2026, 9, 1), date(2027, 8, 31))
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


@pytest.fixture
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as signed_in:
        signed_in.get(server.login_url)
        yield signed_in


def csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def summary(html: str) -> list[tuple[str, str]]:
    """The error summary's items: (rule code from data-rule, visible text)."""
    items = re.findall(r'<li data-rule="([^"]+)">(.*?)</li>', html, re.S)
    return [(rule, re.sub(r"<[^>]+>", "", text).strip()) for rule, text in items]


def select(client: httpx.Client, *persons: str) -> httpx.Response:
    return client.post(f"{LIST}/selecteer", data={"csrf_token": csrf(client), "persoon": list(persons)})


def test_the_staff_list_says_who_already_holds_the_right(client: httpx.Client) -> None:
    page = client.get(LIST).text
    row = page[page.index('id="persoon-90001"') :].split("</tr>")[0]
    assert "An Claes" in row and "IRIS-Platform (Leerlingenpaspoort) Gebruiker tot 31/08/2027" in row
    other = page[page.index('id="persoon-90003"') :].split("</tr>")[0]
    assert "Chris Engels" in other and "tot 31/08/2027" not in other
    assert "0 van 25 geselecteerd" in page


def test_ticking_several_selects_them_all_and_counts(client: httpx.Client, server: RunningServer) -> None:
    response = select(client, "90003", "90004", "90005")
    assert response.status_code == 303 and response.headers["location"].endswith("#selectie")
    page = client.get(LIST).text
    assert "3 van 25 geselecteerd" in page
    assert all(name in page.split('id="selectie"')[1] for name in ("Chris Engels", "Dirk Fonteyn", "Els Goossens"))


def test_plus_on_one_row_selects_only_that_person_and_returns_to_the_row(client: httpx.Client) -> None:
    token = csrf(client)
    response = client.post(f"{LIST}/selecteer", data={"csrf_token": token, "persoon": ["90004"], "een": "90003"})
    assert response.status_code == 303 and response.headers["location"] == f"{LIST}#persoon-90003"
    page = client.get(LIST).text
    assert "1 van 25 geselecteerd" in page and "Chris Engels" in page.split('id="selectie"')[1]


def test_thirty_at_once_is_refused_as_the_limit_and_nothing_is_recorded(client: httpx.Client, server: RunningServer) -> None:
    before = event_count(server.config.store)
    response = select(client, *(f"{90000 + i}" for i in range(1, 31)))
    assert response.status_code == 422
    [(rule, text)] = summary(response.text)
    assert rule == "selection-limit" and "25" in text and "30" in text
    assert event_count(server.config.store) == before


def test_a_full_selection_offers_no_more_plus_buttons(client: httpx.Client) -> None:
    select(client, *(f"{90000 + i}" for i in range(3, 28)))
    page = client.get(LIST).text
    assert "25 van 25 geselecteerd" in page and "de selectie is vol" in page
    assert 'name="een"' not in page and 'name="persoon" value="90028"' not in page


def test_step_two_names_every_person_who_already_holds_it_with_a_way_on(client: httpx.Client, server: RunningServer) -> None:
    select(client, "90001", "90002", "90003")
    before = event_count(server.config.store)
    form = {"csrf_token": csrf(client), "recht": IRIS, "context": "Gebruiker", "begindatum": "1/9/2026", "einddatum": "31-08-2027"}
    response = client.post(STEP_TWO, data=form)
    assert response.status_code == 422 and event_count(server.config.store) == before
    [(rule, text)] = summary(response.text)
    assert rule == "overlapping-grant"
    assert "An Claes heeft het al van 01/09/2026 t.e.m. 31/08/2027" in text
    assert "Bert Dewulf heeft het al van 01/09/2026 t.e.m. 31/08/2027" in text
    assert "Chris Engels" not in text and "overlapping-grant" not in text and "2026-09-01" not in text
    assert f"/instellingen/{NUMBER}/rechten/meerdere/verleng?toekenning={NUMBER}-1&amp;toekenning={NUMBER}-2" in response.text
    # The way on: take both out of the selection at once, then step 2 works for Chris.
    take_out = client.post(f"{LIST}/verwijder", data={"csrf_token": form["csrf_token"], "persoon": ["90001", "90002"], "terug": "stap-2"})
    assert take_out.headers["location"] == STEP_TWO
    assert client.post(STEP_TWO, data=form).headers["location"].endswith("/stap-3")


def test_every_error_of_step_two_at_once_with_the_focus_on_the_summary(client: httpx.Client, server: RunningServer) -> None:
    select(client, "90003")
    before = event_count(server.config.store)
    response = client.post(STEP_TWO, data={"csrf_token": csrf(client), "recht": IRIS, "context": "Gebruiker", "begindatum": "32/13/2026", "einddatum": "morgen"})
    assert response.status_code == 422 and event_count(server.config.store) == before
    assert [rule for rule, _ in summary(response.text)] == ["date-format", "date-format"]
    assert '<a href="#begindatum">' in response.text and '<a href="#einddatum">' in response.text
    assert re.search(r'class="error-summary"[^>]*tabindex="-1"[^>]*autofocus', response.text)
    assert 'id="begindatum-fout"' in response.text and 'id="einddatum-fout"' in response.text
    assert 'value="32/13/2026"' in response.text and 'value="morgen"' in response.text  # what was typed stays


def test_end_of_the_school_year_in_one_click(client: httpx.Client) -> None:
    select(client, "90003")
    response = client.post(STEP_TWO, data={"csrf_token": csrf(client), "recht": IRIS, "context": "Gebruiker", "begindatum": "01/09/2026", "schooljaar": "1"})
    assert response.headers["location"].endswith("/stap-3")
    assert "van 01/09/2026 t.e.m. 31/08/2027" in client.get(f"{LIST}/stap-3").text


def test_back_after_bevestig_says_what_was_recorded(client: httpx.Client, server: RunningServer) -> None:
    select(client, "90003", "90004")
    token = csrf(client)
    client.post(STEP_TWO, data={"csrf_token": token, "recht": IRIS, "context": "Gebruiker", "begindatum": "01/09/2026", "einddatum": "31/08/2027"})
    assert client.post(f"{LIST}/bevestig", data={"csrf_token": token}).status_code == 303
    recorded = event_count(server.config.store)
    for back in (f"{LIST}/stap-3", STEP_TWO):
        page = client.get(back).text
        assert "Er wacht niets op bevestiging" in page and "Je toekenning is al geregistreerd" in page
        assert "Chris Engels" in page and "Dirk Fonteyn" in page and "niemand" not in page
    again = client.post(f"{LIST}/bevestig", data={"csrf_token": token})  # a second click records nothing
    assert again.status_code == 200 and "Je toekenning is al geregistreerd" in again.text
    assert event_count(server.config.store) == recorded


def test_a_typed_institution_number_that_is_not_yours_is_a_field_error(client: httpx.Client, server: RunningServer) -> None:
    before = event_count(server.config.store)
    for typed in ("111111", "999999", "12ab"):
        response = client.post("/toekennen/zoek", data={"csrf_token": csrf(client), "instellingsnummer": typed})
        assert response.status_code == 422, typed
        [(rule, text)] = summary(response.text)
        assert '<a href="#instellingsnummer">' in response.text and "instellingsnummer" in text.lower() or "instelling" in text
    assert event_count(server.config.store) == before


def test_revoking_one_row_leaves_the_later_grant_of_the_same_right(client: httpx.Client, server: RunningServer) -> None:
    app = open_app(server.config.store)
    try:
        later = app.grant(act(), NUMBER, "90001", IRIS, "Gebruiker", date(2027, 9, 1), date(2028, 8, 31))
    finally:
        app.close()
    form = client.get(f"/instellingen/{NUMBER}/rechten/trek-in?toekenning={NUMBER}-1").text
    assert "An Claes" in form and "t.e.m. 31/08/2027" in form
    response = client.post(
        f"/instellingen/{NUMBER}/rechten/trek-in",
        data={"csrf_token": csrf(client), "toekenning": f"{NUMBER}-1", "reden": "vertrokken", "vanaf": ""},
    )
    assert response.status_code == 303
    app = open_app(server.config.store)
    try:
        state = app.institution(NUMBER).state
        assert state.grants[f"{NUMBER}-1"].revoked_on is not None
        assert state.grants[later.grant_id].revoked_on is None
    finally:
        app.close()
