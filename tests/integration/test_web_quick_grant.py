""" "Snel recht toekennen" over HTTP: one person, one right, at once, the selection untouched; every
refusal named next to its field with nothing recorded; a period before today granted but flagged,
there and on step 3. And a guard over every route: sign-in first, a CSRF token on every form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from test_web_http import csrf_of, signed_in
from web_seed import IRIS, NUMBER, OTHER, act, event_count, open_app, roster, seed, today
from web_server import RunningServer, running

FORM = f"/instellingen/{NUMBER}/snel-toekennen"


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url, names=[("Cécile", "D'hondt"), ("Ann", "Peeters"), ("Bart", "Leeuw")])
    app = open_app(store_url)
    try:
        staff = roster(30, [("Cécile", "D'hondt"), ("Ann", "Peeters"), ("Bart", "Leeuw")])
        staff[2] = staff[2].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)
        app.select(act(), NUMBER, ["90005"])
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


def _post(client: httpx.Client, **fields: str) -> httpx.Response:
    day = today()
    data = {
        "persoon": "90001",
        "recht": IRIS,
        "context": "Gebruiker",
        "begindatum": day.strftime("%d/%m/%Y"),
        "einddatum": (day + timedelta(days=100)).strftime("%d/%m/%Y"),
        "csrf_token": csrf_of(client.get(FORM).text),
        **fields,
    }
    return client.post(FORM, data=data)


def test_a_quick_grant_gives_one_person_a_right_and_leaves_the_selection(server: RunningServer) -> None:
    with signed_in(server) as client:
        form = client.get(FORM).text
        assert '<label for="persoon">Persoon</label>' in form
        assert "D&#39;hondt Cécile (medewerker)" in form and "Leeuw Bart" not in form  # only who can get one
        assert "90001" not in form.split('value="90001"', 1)[1].split("</option>")[0]  # by name, no id shown
        assert f'href="{FORM}"' in client.get(f"/instellingen/{NUMBER}").text  # on the institution page
        response = _post(client)
        assert response.status_code == 303
        assert (
            response.headers["location"] == f"/instellingen/{NUMBER}/toekennen/bevestigd?rechten={NUMBER}-1"
        )
        done = client.get(response.headers["location"]).text
        assert "Cécile D&#39;hondt" in done and "Let op" not in done
        rights = client.get(f"/instellingen/{NUMBER}/rechten").text
        assert rights.count(f'toekenning={NUMBER}-1">Cécile D&#39;hondt</a>') == 1
    app = open_app(server.config.store)
    try:
        assert [p.person_id for p in app.selection(act(), NUMBER)] == ["90005"]  # untouched
    finally:
        app.close()


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"persoon": ""}, "persoon", "required"),
        ({"persoon": "90003"}, "persoon", "inactive-person"),
        ({"persoon": "99999"}, "persoon", "unknown-person"),
        ({"begindatum": "31/02/2026"}, "begindatum", "date-format"),
        ({"einddatum": "morgen"}, "einddatum", "date-format"),
        ({"context": "Koning"}, "context", "unknown-context"),
        ({"einddatum": "01/01/2099"}, "einddatum", "maximum-validity"),
    ],
)
def test_a_refused_quick_grant_names_the_field_and_records_nothing(
    server: RunningServer, fields: dict[str, str], field: str, rule: str
) -> None:
    with signed_in(server) as client:
        before = event_count(server.config.store)
        response = _post(client, **fields)
        assert response.status_code == 422
        assert f'id="{field}-fout"' in response.text and f'data-rule="{rule}"' in response.text
        assert f'<a href="#{field}">' in response.text  # the summary links to the field
        assert event_count(server.config.store) == before


def test_an_overlapping_quick_grant_is_refused(server: RunningServer) -> None:
    with signed_in(server) as client:
        assert _post(client).status_code == 303
        before = event_count(server.config.store)
        response = _post(client)
        assert response.status_code == 422 and 'data-rule="overlapping-grant"' in response.text
        assert event_count(server.config.store) == before


def test_a_period_before_today_is_granted_but_flagged_here_and_on_step_three(server: RunningServer) -> None:
    last_year = today() - timedelta(days=400)
    period = {
        "begindatum": last_year.strftime("%d/%m/%Y"),
        "einddatum": (last_year + timedelta(days=30)).strftime("%d/%m/%Y"),
    }
    with signed_in(server) as client:
        response = _post(client, **period)
        assert response.status_code == 303
        assert "Let op" in client.get(response.headers["location"]).text
        token = csrf_of(client.get(FORM).text)
        step_two = {"recht": "iris", "context": "Gebruiker", "csrf_token": token, **period}
        assert client.post(f"/instellingen/{NUMBER}/toekennen/stap-2", data=step_two).status_code == 303
        assert "Let op" in client.get(f"/instellingen/{NUMBER}/toekennen/stap-3").text


def test_a_quick_grant_elsewhere_or_as_auditor_is_refused(server: RunningServer, store_url: str) -> None:
    app = open_app(store_url)
    try:
        app.appoint_auditor(act(), NUMBER, "els")
    finally:
        app.close()
    with signed_in(server) as client:
        assert client.get(f"/instellingen/{OTHER}/snel-toekennen").status_code == 404
    with running(store_url, actor="els") as audit, httpx.Client(base_url=audit.url) as client:
        client.get(audit.login_url)
        token = csrf_of(client.get("/").text)
        before = event_count(store_url)
        assert client.get(FORM).status_code == 403
        assert client.post(FORM, data={"persoon": "90001", "csrf_token": token}).status_code == 403
        assert event_count(store_url) == before


def test_every_page_needs_sign_in_and_every_form_a_csrf_token(server: RunningServer) -> None:
    paths = server.server.config.app.openapi()["paths"]  # every route the pages declare
    open_paths = {"/aanmelden", "/login", "/oidc/login", "/oidc/callback", "/afmelden"}
    open_paths |= {"/healthz", "/readyz", "/metrics"}  # operators' tools, no sign-in (web/operations.py)
    guarded = {path.replace("{number}", NUMBER): set(methods) for path, methods in paths.items()}
    guarded = {path: methods for path, methods in guarded.items() if path not in open_paths}
    assert "/taken" in guarded and "post" in guarded[FORM]
    before = event_count(server.config.store)
    with httpx.Client(base_url=server.url) as anonymous:
        for path, methods in guarded.items():
            for method in methods:
                response = anonymous.request(method.upper(), path)
                assert response.status_code == 303 and response.headers["location"] == "/aanmelden", path
    with signed_in(server) as client:
        for path, methods in guarded.items():
            if "post" in methods:
                assert client.post(path, data={"persoon": "90001"}).status_code == 403, path
    assert event_count(server.config.store) == before
