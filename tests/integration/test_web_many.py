""" "Wijzigen meerdere personen" and "Nieuw schooljaar" over HTTP (docs/adr/0016): several grants
extended or revoked at once, the rollover with a leaver left alone, and every refusal shown with its
rule code, status 422 (403, 404) and nothing recorded: all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from test_web_http import csrf_of, signed_in
from web_seed import IRIS, NUMBER, OTHER, act, event_count, open_app, roster, seed, today
from web_server import RunningServer, running

NAMES = [("Cécile", "D'hondt"), ("Ann", "Peeters"), ("Bart", "Leeuw"), ("Dirk", "Maes"), ("Eva", "Goossens")]
MANY = f"/instellingen/{NUMBER}/rechten/meerdere"
ROLLOVER = f"/instellingen/{NUMBER}/rechten/schooljaar"


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def ending() -> date:
    return today() + timedelta(days=100)


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    """90001-90004 hold IRIS (Gebruiker) until ``ending()``, 90005 holds it as Operator; 90003 (Bart
    Leeuw) has left (Inactief) but still holds his right."""
    seed(store_url, names=NAMES)
    app = open_app(store_url)
    try:
        for pid in ("90001", "90002", "90003", "90004"):
            app.grant(act(), NUMBER, pid, IRIS, "Gebruiker", today(), ending())
        app.grant(act(), NUMBER, "90005", IRIS, "Operator", today(), ending())
        staff = roster(30, NAMES)
        staff[2] = staff[2].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


def _grants(store_url: str) -> dict[str, object]:
    app = open_app(store_url)
    try:
        return {g.person_id + "/" + g.context: g for g in app.institution(NUMBER).state.grants.values()}
    finally:
        app.close()


def _ids(store_url: str, *persons: str) -> list[str]:
    grants = _grants(store_url)
    return [g.grant_id for key, g in grants.items() if key.split("/")[0] in persons]  # type: ignore[attr-defined]


def _post(client: httpx.Client, path: str, chosen: list[str], **fields: str) -> httpx.Response:
    data: dict[str, object] = {"csrf_token": csrf_of(client.get("/").text), "toekenning": chosen, **fields}
    return client.post(path, data=data)


def test_the_institution_page_links_to_the_pages_for_administrators(server: RunningServer) -> None:
    with signed_in(server) as client:
        assert f'href="/instellingen/{NUMBER}"' in client.get("/").text  # the card's "Meer"
        institution = client.get(f"/instellingen/{NUMBER}").text
        assert f'href="{MANY}"' in institution and f'href="{ROLLOVER}"' in institution
        listed = client.get(MANY)
        assert listed.status_code == 200
        assert listed.text.count('type="checkbox" ') == 5
        assert (
            "Kies Cécile D&#39;hondt: IRIS-Platform (Leerlingenpaspoort) Gebruiker</span>" in listed.text
        )
        assert '<label for="toekenning">' in listed.text and f'formaction="{MANY}/trek-in"' in listed.text


def test_several_grants_are_extended_at_once(server: RunningServer) -> None:
    store = server.config.store
    chosen = _ids(store, "90001", "90002")
    new_end = ending() + timedelta(days=200)
    with signed_in(server) as client:
        action = client.get(f"{MANY}/verleng", params={"toekenning": chosen})
        assert action.status_code == 200
        assert "Cécile" in action.text and "Ann" in action.text and "Dirk" not in action.text
        assert '<label for="einddatum">Nieuwe einddatum</label>' in action.text
        before = event_count(store)
        response = _post(client, f"{MANY}/verleng", chosen, einddatum=dmy(new_end))
        assert response.status_code == 303
        assert response.headers["location"].startswith(f"{MANY}/gedaan?actie=verlengd&toekenning=")
        assert event_count(store) == before + 1  # one event for both
        done = client.get(response.headers["location"]).text
        assert "2 rechten zijn verlengd" in done and dmy(new_end) in done
        assert "Cécile D&#39;hondt" in done and "Ann Peeters" in done
    grants = _grants(store)
    assert grants["90001/Gebruiker"].end == new_end and grants["90002/Gebruiker"].end == new_end  # type: ignore[attr-defined]
    assert grants["90004/Gebruiker"].end == ending()  # type: ignore[attr-defined]


def test_several_grants_are_revoked_with_a_reason_from_a_later_day(server: RunningServer) -> None:
    store = server.config.store
    chosen = _ids(store, "90003", "90004")  # a leaver's right is revoked like anyone's
    first_day = today() + timedelta(days=10)
    with signed_in(server) as client:
        action = client.get(f"{MANY}/trek-in", params={"toekenning": chosen})
        assert action.status_code == 200
        assert '<label for="reden">Reden</label>' in action.text and '<label for="vanaf">' in action.text
        before = event_count(store)
        response = _post(client, f"{MANY}/trek-in", chosen, reden="verlaat de school", vanaf=dmy(first_day))
        assert response.status_code == 303
        assert event_count(store) == before + 1
        done = client.get(response.headers["location"]).text
        assert "2 rechten zijn ingetrokken" in done and dmy(first_day) in done
        listed = client.get(MANY).text  # held until then, shown with the coming day
        assert listed.count('type="checkbox" ') == 5 and dmy(first_day) in listed
    grants = _grants(store)
    for key in ("90003/Gebruiker", "90004/Gebruiker"):
        assert grants[key].revoked_on == first_day  # type: ignore[attr-defined]
        assert grants[key].revoke_reason == "verlaat de school"  # type: ignore[attr-defined]
    assert grants["90001/Gebruiker"].revoked_on is None  # type: ignore[attr-defined]


def test_a_revocation_without_vanaf_is_from_today(server: RunningServer) -> None:
    store = server.config.store
    with signed_in(server) as client:
        response = _post(client, f"{MANY}/trek-in", _ids(store, "90001"), reden="fout", vanaf="")
        assert response.status_code == 303
    assert _grants(store)["90001/Gebruiker"].revoked_on == today()  # type: ignore[attr-defined]


def test_the_rollover_extends_the_active_and_leaves_the_leaver_alone(server: RunningServer) -> None:
    store = server.config.store
    new_end = ending() + timedelta(days=365)
    with signed_in(server) as client:
        form = client.get(ROLLOVER).text
        for label in (
            "Gebruikersrecht",
            "Context",
            "Huidige einddatum",
            "Nieuwe einddatum",
        ):
            assert f">{label}</label>" in form
        before = event_count(store)
        fields = {"recht": IRIS, "context": "Gebruiker", "huidige_einddatum": dmy(ending())}
        response = _post(client, ROLLOVER, [], nieuwe_einddatum=dmy(new_end), **fields)
        assert response.status_code == 303
        assert event_count(store) == before + 1
        done = client.get(response.headers["location"]).text
        assert "3 rechten zijn verlengd" in done and dmy(new_end) in done
        for name in ("Cécile D&#39;hondt", "Ann Peeters", "Dirk Maes"):
            assert name in done
        assert "Ongemoeid gelaten" in done and "Bart Leeuw (status: inactief)" in done
        assert not any(f"({pid})" in done for pid in ("90001", "90002", "90003", "90004"))  # by name only
    grants = _grants(store)
    assert grants["90003/Gebruiker"].end == ending()  # type: ignore[attr-defined]
    assert grants["90005/Operator"].end == ending()  # another context: untouched  # type: ignore[attr-defined]
    assert grants["90004/Gebruiker"].end == new_end  # type: ignore[attr-defined]


FAR = dmy(today() + timedelta(days=5 * 366))  # past the right's maximum (4 years from the begin)
LATER = dmy(ending() + timedelta(days=30))


@pytest.mark.parametrize(
    ("action", "persons", "fields", "field", "rule"),
    [
        ("verleng", (), {"einddatum": "01/01/2030"}, "toekenning", "empty-selection"),
        ("trek-in", (), {"reden": "weg"}, "toekenning", "empty-selection"),
        ("verleng", ("90001", "90002"), {"einddatum": "31/02/2027"}, "einddatum", "date-format"),
        ("verleng", ("90001", "90002"), {"einddatum": "morgen"}, "einddatum", "date-format"),
        ("verleng", ("90001", "90002"), {"einddatum": FAR}, "einddatum", "maximum-validity"),
        ("verleng", ("90001",), {"einddatum": FAR}, "einddatum", "maximum-validity"),
        ("verleng", ("90001",), {"einddatum": dmy(today())}, "einddatum", "end-date-not-later"),
        ("verleng", ("90001", "90003"), {"einddatum": LATER}, None, "inactive-person"),
        ("verleng", ("90001", "90005"), {"einddatum": LATER}, "toekenning", "one-right-at-a-time"),
        ("trek-in", ("90001", "90005"), {"reden": "weg"}, "toekenning", "one-right-at-a-time"),
        ("trek-in", ("90001", "90002"), {"reden": ""}, "reden", "reason-required"),
        ("trek-in", ("90001", "90002"), {"reden": "weg", "vanaf": "gisteren"}, "vanaf", "date-format"),
        ("trek-in", ("90001", "90002"), {"reden": "weg", "vanaf": "01/01/2020"}, "vanaf", "revoke-date"),
    ],
)
def test_a_refused_change_of_many_names_its_rule_and_records_nothing(
    server: RunningServer,
    action: str,
    persons: tuple[str, ...],
    fields: dict[str, str],
    field: str | None,
    rule: str,
) -> None:
    store = server.config.store
    chosen = _ids(store, *persons)
    with signed_in(server) as client:
        before = event_count(store)
        response = _post(client, f"{MANY}/{action}", chosen, **fields)
        assert response.status_code == 422
        assert f'data-rule="{rule}"' in response.text and 'role="alert"' in response.text
        if field:
            assert f'id="{field}-fout"' in response.text and f'<a href="#{field}">' in response.text
        for grant_id in chosen:  # the choice is kept
            assert f'value="{grant_id}"' in response.text
        if field != "toekenning":  # the action page again, with what was typed
            for value in fields.values():
                assert f'value="{value}"' in response.text
        assert event_count(store) == before


def test_choosing_nothing_or_two_rights_is_refused_before_the_action_page(server: RunningServer) -> None:
    store = server.config.store
    with signed_in(server) as client:
        response = client.get(f"{MANY}/verleng")
        assert response.status_code == 422 and 'data-rule="empty-selection"' in response.text
        mixed = _ids(store, "90001", "90005")
        response = client.get(f"{MANY}/trek-in", params={"toekenning": mixed})
        assert response.status_code == 422 and 'data-rule="one-right-at-a-time"' in response.text
        assert response.text.count(" checked") == 2  # the ticks are kept
        response = client.get(f"{MANY}/verleng", params={"toekenning": [f"{OTHER}-1"]})
        assert response.status_code == 422 and 'data-rule="unknown-grant"' in response.text


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"huidige_einddatum": "31/02/2027"}, "huidige_einddatum", "date-format"),
        ({"nieuwe_einddatum": "volgend jaar"}, "nieuwe_einddatum", "date-format"),
        ({"huidige_einddatum": "01/01/2099"}, "huidige_einddatum", "no-active-grant"),
        ({"nieuwe_einddatum": FAR}, "nieuwe_einddatum", "maximum-validity"),
        ({"nieuwe_einddatum": dmy(today())}, "nieuwe_einddatum", "end-date-not-later"),
        ({"context": "Koning"}, "context", "unknown-context"),
    ],
)
def test_a_refused_rollover_names_its_rule_and_records_nothing(
    server: RunningServer, fields: dict[str, str], field: str | None, rule: str
) -> None:
    store = server.config.store
    values = {
        "recht": IRIS,
        "context": "Gebruiker",
        "huidige_einddatum": dmy(ending()),
        "nieuwe_einddatum": dmy(ending() + timedelta(days=365)),
        **fields,
    }
    with signed_in(server) as client:
        before = event_count(store)
        response = _post(client, ROLLOVER, [], **values)
        assert response.status_code == 422
        assert f'data-rule="{rule}"' in response.text
        if field:
            assert f'id="{field}-fout"' in response.text and f'<a href="#{field}">' in response.text
        assert f'value="{values["huidige_einddatum"]}"' in response.text
        assert f'value="{values["nieuwe_einddatum"]}"' in response.text
        assert event_count(store) == before


def test_only_leavers_ending_that_day_is_refused(server: RunningServer, store_url: str) -> None:
    app = open_app(store_url)
    try:
        app.grant(act(), NUMBER, "90004", IRIS, "Beheerder", today(), ending() + timedelta(days=1))
        staff = roster(30, NAMES)
        for left in (2, 3):
            staff[left] = staff[left].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)  # 90004 leaves too
    finally:
        app.close()
    values = {
        "recht": IRIS,
        "context": "Beheerder",
        "huidige_einddatum": dmy(ending() + timedelta(days=1)),
        "nieuwe_einddatum": dmy(ending() + timedelta(days=365)),
    }
    with signed_in(server) as client:
        before = event_count(store_url)
        response = _post(client, ROLLOVER, [], **values)
        assert response.status_code == 422 and 'data-rule="no-active-grant"' in response.text
        assert event_count(store_url) == before


def test_without_csrf_token_nothing_is_recorded(server: RunningServer) -> None:
    store = server.config.store
    chosen = _ids(store, "90001", "90002")
    with signed_in(server) as client:
        before = event_count(store)
        new_end = dmy(ending() + timedelta(days=30))
        assert (
            client.post(f"{MANY}/verleng", data={"toekenning": chosen, "einddatum": new_end}).status_code
            == 403
        )
        assert client.post(f"{MANY}/trek-in", data={"toekenning": chosen, "reden": "x"}).status_code == 403
        rollover = {
            "recht": IRIS,
            "context": "Gebruiker",
            "huidige_einddatum": dmy(ending()),
            "nieuwe_einddatum": new_end,
        }
        assert client.post(ROLLOVER, data=rollover).status_code == 403
        wrong = {**rollover, "csrf_token": "niet-het-token"}
        assert client.post(ROLLOVER, data=wrong).status_code == 403
        assert event_count(store) == before


def test_an_auditor_gets_403_and_another_institution_404(server: RunningServer, store_url: str) -> None:
    app = open_app(store_url)
    try:
        app.appoint_auditor(act(), NUMBER, "els")
    finally:
        app.close()
    chosen = _ids(store_url, "90001", "90002")
    new_end = dmy(ending() + timedelta(days=30))
    with signed_in(server) as client:
        for path in (f"/instellingen/{OTHER}/rechten/meerdere", f"/instellingen/{OTHER}/rechten/schooljaar"):
            assert client.get(path).status_code == 404
        before = event_count(store_url)
        response = _post(
            client, f"/instellingen/{OTHER}/rechten/meerdere/verleng", [f"{OTHER}-1"], einddatum=new_end
        )
        assert response.status_code == 404
        assert event_count(store_url) == before
    with running(store_url, actor="els") as audit, httpx.Client(base_url=audit.url) as client:
        client.get(audit.login_url)
        start = client.get("/").text
        assert f'href="{MANY}"' not in start and f'href="{ROLLOVER}"' not in start
        token = csrf_of(start)
        before = event_count(store_url)
        for path in (MANY, ROLLOVER, f"{MANY}/verleng?toekenning={chosen[0]}"):
            assert client.get(path).status_code == 403, path
        data = {"csrf_token": token, "toekenning": chosen, "einddatum": new_end, "reden": "weg"}
        assert client.post(f"{MANY}/verleng", data=data).status_code == 403
        assert client.post(f"{MANY}/trek-in", data=data).status_code == 403
        rollover = {
            "csrf_token": token,
            "recht": IRIS,
            "huidige_einddatum": dmy(ending()),
            "nieuwe_einddatum": new_end,
        }
        assert client.post(ROLLOVER, data=rollover).status_code == 403
        assert event_count(store_url) == before
