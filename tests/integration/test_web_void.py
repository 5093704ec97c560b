""" "Rechten" for auditors and heads over HTTP: "Alle toekenningen" (every grant with its status and
reason, as ``rights --all``), "Ongeldig verklaren" (heads only; the grant counts on no day, the audit
keeps it; every refusal re-shows the form with nothing recorded) and "Trek in" from a later day
("Vanaf"). Rule codes are asserted, not the messages' words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from test_web_http import csrf_of, signed_in
from web_seed import IRIS, NUMBER, OTHER, act, event_count, open_app, seed, today
from web_server import RunningServer, running

RIGHTS = f"/instellingen/{NUMBER}/rechten"
VOID = f"/instellingen/{NUMBER}/rechten/ongeldig"
REVOKE = f"/instellingen/{NUMBER}/rechten/trek-in"


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def grants(store_url: str) -> dict[str, str]:
    """The grant ids of 90001 (current), 90002 (current: the one voided), 90003 (future), 90004
    (ended) and 90005 (revoked today, "vertrokken"); kim administers (not head), els audits."""
    seed(store_url)
    day = today()
    periods = {
        "90001": (day - timedelta(days=10), day + timedelta(days=100)),
        "90002": (day - timedelta(days=30), day + timedelta(days=60)),
        "90003": (day + timedelta(days=10), day + timedelta(days=50)),
        "90004": (day - timedelta(days=100), day - timedelta(days=50)),
        "90005": (day - timedelta(days=10), day + timedelta(days=100)),
    }
    app = open_app(store_url)
    try:
        ids = {
            person: app.grant(act(), NUMBER, person, IRIS, "Gebruiker", begin, end).grant_id
            for person, (begin, end) in periods.items()
        }
        app.revoke(act(), NUMBER, "90005", IRIS, "Gebruiker", "vertrokken")
        app.appoint_administrator(act(), NUMBER, "kim")
        app.appoint_auditor(act(), NUMBER, "els")
    finally:
        app.close()
    return ids


@pytest.fixture
def server(store_url: str, grants: dict[str, str]) -> Iterator[RunningServer]:
    with running(store_url, actor="jan") as running_server:
        yield running_server


def row_of(html: str, grant_id: str) -> str:
    """The table row of a grant ('' if it is not listed): one row, one grant, its links name it."""
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if f'rechten/toekenning?toekenning={grant_id}"' in row:
            return str(row)
    return ""


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def cells(row: str) -> dict[str, str]:
    """Each cell's text by its column (data-label); what is shown under it (the Einddatum's "ingetrokken
    vanaf", the Status's reason) as "<column> onder"."""
    found: dict[str, str] = {}
    for label, body in re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S):
        main, _, under = body.partition('<span class="holds">')
        found[label], found[f"{label} onder"] = _text(main), _text(under)
    return found


def _void(client: httpx.Client, grant_id: str, **fields: str) -> httpx.Response:
    token = csrf_of(client.get(RIGHTS).text)
    data = {"toekenning": grant_id, "reden": "verkeerde persoon", "csrf_token": token, **fields}
    return client.post(VOID, data=data)


def test_all_grants_lists_every_grant_with_its_status_reason_and_number(
    server: RunningServer, grants: dict[str, str]
) -> None:
    with signed_in(server) as client:
        plain = client.get(RIGHTS).text
        assert "Alle toekenningen (ook toekomstige, beëindigde, ingetrokken en ongeldig verklaarde)" in plain
        assert '<input type="checkbox" id="alle" name="alle" value="1">' in plain
        held = {person for person, grant_id in grants.items() if row_of(plain, grant_id)}
        assert held == {"90001", "90002"}  # each row links to its grant's page
        assert '<th scope="col">Status</th>' not in plain
        for gone in ("Toegekend door", "Toekenningsnummer", "Ingetrokken vanaf"):  # on the detail page
            assert gone not in plain
        every = client.get(RIGHTS, params={"alle": "1"}).text
        assert 'name="alle" value="1" checked' in every
        assert '<th scope="col">Einddatum</th><th scope="col">Status</th><th scope="col">Acties</th>' in every
        statuses = {person: cells(row_of(every, grant_id)) for person, grant_id in grants.items()}
        assert {person: found["Status"] for person, found in statuses.items()} == {
            "90001": "loopt",
            "90002": "loopt",
            "90003": "begint later",
            "90004": "beëindigd",
            "90005": "ingetrokken",
        }
        assert statuses["90005"]["Status onder"] == "vertrokken"  # the reason under the status
        assert statuses["90005"]["Einddatum onder"] == f"ingetrokken vanaf {dmy(today())}"
        assert statuses["90001"]["Status onder"] == "" and statuses["90001"]["Einddatum onder"] == ""
        detail = client.get(f"{RIGHTS}/toekenning", params={"toekenning": grants["90005"]})
        assert detail.status_code == 200 and grants["90005"] in detail.text and "vertrokken" in detail.text
        # Verleng and Trek in only where something is still held; Ongeldig verklaren on every grant.
        assert "Verleng" in row_of(every, grants["90003"]) and "Verleng" not in row_of(every, grants["90004"])
        assert all("Ongeldig verklaren" in row_of(every, grant_id) for grant_id in grants.values())


def test_all_grants_combine_with_a_day_and_a_record_time(server: RunningServer, grants: dict[str, str]) -> None:
    with signed_in(server) as client:
        later = today() + timedelta(days=20)
        every = client.get(RIGHTS, params={"alle": "1", "op": later.isoformat()}).text
        assert f"Alle toekenningen, met hun status op {dmy(later)}: 5" in every
        assert cells(row_of(every, grants["90003"]))["Status"] == "loopt"
        earlier = today() - timedelta(days=60)
        every = client.get(RIGHTS, params={"alle": "1", "op": earlier.isoformat()}).text
        assert cells(row_of(every, grants["90004"]))["Status"] == "loopt"
        assert cells(row_of(every, grants["90001"]))["Status"] == "begint later"
        assert cells(row_of(every, grants["90005"]))["Status"] == "begint later"  # revoked from today
        yesterday = (today() - timedelta(days=1)).isoformat()
        before = client.get(RIGHTS, params={"alle": "1", "geregistreerd_op": yesterday})
        assert before.status_code == 200 and ": 0.</p>" in before.text  # nothing was granted yet
        assert "Ongeldig verklaren" not in before.text  # no changes to a past register
        now = client.get(RIGHTS, params={"alle": "1", "geregistreerd_op": today().isoformat()}).text
        assert all(row_of(now, grant_id) for grant_id in grants.values())
        refused = client.get(RIGHTS, params={"alle": "1", "op": "gisteren"})
        assert refused.status_code == 422 and 'id="op-fout"' in refused.text
        assert 'data-rule="date-format"' in refused.text


def test_a_head_voids_a_grant_it_then_counts_on_no_day_and_stays_in_the_audit(
    server: RunningServer, grants: dict[str, str]
) -> None:
    voided = grants["90002"]
    with signed_in(server) as client:
        link = f'href="{VOID}?toekenning={voided}"'
        assert link in client.get(RIGHTS).text
        form = client.get(VOID, params={"toekenning": voided})
        assert form.status_code == 200
        for shown in ("First2 Last2", "Gebruiker", dmy(today() - timedelta(days=30))):
            assert shown in form.text, shown
        assert "90002" not in form.text  # the person by name, no id
        assert dmy(today() + timedelta(days=60)) in form.text
        assert "audit" in form.text and 'class="warning"' in form.text
        assert '<label for="reden">Reden</label>' in form.text
        days = [(today() + timedelta(days=offset)).isoformat() for offset in (-30, -20, -1, 0, 1, 30, 60)]
        assert all(row_of(client.get(RIGHTS, params={"op": day}).text, voided) for day in days)
        before = event_count(server.config.store)
        response = _void(client, voided)
        assert response.status_code == 303
        assert response.headers["location"] == f"{RIGHTS}?alle=1&gedaan=ongeldig"
        done = client.get(response.headers["location"]).text
        assert 'role="status"' in done and "ongeldig verklaard" in done
        found = cells(row_of(done, voided))
        assert (found["Status"], found["Status onder"]) == ("ongeldig verklaard", "verkeerde persoon")
        assert "Ongeldig verklaren" not in row_of(done, voided)  # voided once
        assert event_count(server.config.store) == before + 1
        for day in days:  # gone from every day's overview, the past's too
            assert row_of(client.get(RIGHTS, params={"op": day}).text, voided) == "", day
        audit = client.get(f"/instellingen/{NUMBER}/audit").text
        assert "GrantVoided" in audit and "verkeerde persoon" in audit


@pytest.mark.parametrize(
    ("which", "fields", "rule", "field"),
    [
        ("unknown", {}, "unknown-grant", None),
        ("voided", {}, "already-voided", None),
        ("current", {"reden": ""}, "reason-required", "reden"),
        ("current", {"reden": "   "}, "reason-required", "reden"),
        ("current", {"reden": "fout\x07"}, "text-character", "reden"),
    ],
)
def test_a_refused_void_shows_the_form_again_and_records_nothing(
    server: RunningServer, grants: dict[str, str], which: str, fields: dict[str, str], rule: str, field: str
) -> None:
    grant_id = {"unknown": f"{NUMBER}-99", "voided": grants["90002"], "current": grants["90001"]}[which]
    if which == "voided":
        app = open_app(server.config.store)
        try:
            app.void(act(), NUMBER, grant_id, "eerder ongeldig verklaard")
        finally:
            app.close()
    with signed_in(server) as client:
        before = event_count(server.config.store)
        response = _void(client, grant_id, **fields)
        assert response.status_code == 422
        assert f'data-rule="{rule}"' in response.text and 'role="alert"' in response.text
        assert f'action="{VOID}"' in response.text and f'name="toekenning" value="{grant_id}"' in response.text
        if field:
            assert f'id="{field}-fout"' in response.text
        assert "\x07" not in response.text
        assert event_count(server.config.store) == before
        if which != "current":  # the form itself says so at once
            form = client.get(VOID, params={"toekenning": grant_id})
            assert form.status_code == 422 and f'data-rule="{rule}"' in form.text
        if which == "voided":  # who voided it, when and why
            assert f"door jan op {dmy(today())}: eerder ongeldig verklaard" in response.text


def test_only_heads_void_and_only_at_their_institutions(
    server: RunningServer, store_url: str, grants: dict[str, str]
) -> None:
    grant_id = grants["90001"]
    before = event_count(store_url)
    with signed_in(server) as client:
        token = csrf_of(client.get("/").text)
        other = f"/instellingen/{OTHER}/rechten/ongeldig"
        assert client.get(other, params={"toekenning": f"{OTHER}-1"}).status_code == 404
        data = {"toekenning": f"{OTHER}-1", "reden": "r", "csrf_token": token}
        assert client.post(other, data=data).status_code == 404
        assert client.post(VOID, data={"toekenning": grant_id, "reden": "r"}).status_code == 403  # no CSRF
    for who in ("kim", "els"):  # an administrator who is not head; an auditor
        with running(store_url, actor=who) as visit, signed_in(visit) as client:
            token = csrf_of(client.get("/").text)
            every = client.get(RIGHTS, params={"alle": "1"})
            assert every.status_code == 200 and cells(row_of(every.text, grant_id))["Status"] == "loopt"
            assert "Ongeldig verklaren" not in every.text and "/rechten/ongeldig" not in every.text
            assert ("Trek in" in every.text) == (who == "kim")
            assert client.get(VOID, params={"toekenning": grant_id}).status_code == 403
            response = client.post(VOID, data={"toekenning": grant_id, "reden": "r", "csrf_token": token})
            assert response.status_code == 403 and 'role="alert"' in response.text
    assert event_count(store_url) == before


def _revoke(client: httpx.Client, grant_id: str, **fields: str) -> httpx.Response:
    token = csrf_of(client.get(REVOKE, params={"toekenning": grant_id}).text)
    data = {"toekenning": grant_id, "reden": "vertrekt", "csrf_token": token}
    return client.post(REVOKE, data={**data, **fields})


def test_trek_in_from_a_later_day_shows_in_ingetrokken_vanaf(server: RunningServer, grants: dict[str, str]) -> None:
    first_day = today() + timedelta(days=5)
    with signed_in(server) as client:
        form = client.get(REVOKE, params={"toekenning": grants["90001"]}).text
        assert "Het recht vervalt vandaag." not in form
        assert '<label for="vanaf">Vanaf</label>' in form
        response = _revoke(client, grants["90001"], vanaf=dmy(first_day))
        assert response.status_code == 303
        row = cells(row_of(client.get(RIGHTS).text, grants["90001"]))
        assert row["Einddatum onder"] == f"ingetrokken vanaf {dmy(first_day)}"  # still held, and until when
        assert cells(row_of(client.get(RIGHTS).text, grants["90005"])) == {}  # the other grants untouched
        last = (first_day - timedelta(days=1)).isoformat()
        assert row_of(client.get(RIGHTS, params={"op": last}).text, grants["90001"])
        assert not row_of(client.get(RIGHTS, params={"op": first_day.isoformat()}).text, grants["90001"])
        every = client.get(RIGHTS, params={"alle": "1", "op": first_day.isoformat()}).text
        found = cells(row_of(every, grants["90001"]))
        assert (found["Status"], found["Status onder"]) == ("ingetrokken", "vertrekt")


@pytest.mark.parametrize(
    ("vanaf", "rule"),
    [("31/02/2027", "date-format"), ("morgen", "date-format"), ("yesterday", "revoke-date")],
)
def test_a_bad_vanaf_is_named_next_to_the_field(
    server: RunningServer, grants: dict[str, str], vanaf: str, rule: str
) -> None:
    if vanaf == "yesterday":
        vanaf = dmy(today() - timedelta(days=1))
    with signed_in(server) as client:
        before = event_count(server.config.store)
        response = _revoke(client, grants["90001"], vanaf=vanaf)
        assert response.status_code == 422
        assert 'id="vanaf-fout"' in response.text and f'data-rule="{rule}"' in response.text
        assert f'value="{vanaf}"' in response.text  # what was typed stays
        assert event_count(server.config.store) == before


def test_trek_in_without_vanaf_is_from_today(server: RunningServer, grants: dict[str, str]) -> None:
    with signed_in(server) as client:
        assert _revoke(client, grants["90001"], vanaf="").status_code == 303
        assert not row_of(client.get(RIGHTS).text, grants["90001"])
        every = client.get(RIGHTS, params={"alle": "1"}).text
        assert cells(row_of(every, grants["90001"]))["Einddatum onder"] == f"ingetrokken vanaf {dmy(today())}"
        assert cells(row_of(every, grants["90002"]))["Status"] == "loopt"  # only the grant named
