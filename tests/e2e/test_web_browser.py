"""The seed's scenario in headless Chromium through the web pages, signed in locally: search, + and
–, Ken gebruikersrecht toe, Stap 2 van 3, Stap 3 van 3, Bevestig; a support worker; Verleng and Trek in;
the reports; the main refusals. Controls are found by role and accessible name, as a person would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from browser import check
from playwright.sync_api import Page, expect
from web_seed import IRIS, NUMBER, OTHER, act, event_count, open_app, seed
from web_seed import today as brussels_today
from web_server import RunningServer, running

SEED_NAMES = [("Els", "Peeters"), ("Koen", "Maes"), ("Sofie", "Jacobs")]
RRN = "85.07.30-033.28"
RRN_DIGITS = "85073003328"


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url, staff=30, names=SEED_NAMES)
    with running(store_url, actor="jan") as running_server:
        yield running_server


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def step(page: Page) -> str:
    """The step caption above the heading ("Stap 2 van 3")."""
    return page.locator(".caption-step").inner_text()


def navigate(page: Page, action) -> int:  # type: ignore[no-untyped-def]
    """Runs an action that submits a form or follows a link; the status of the page it lands on."""
    with page.expect_navigation() as navigation:
        action()
    response = navigation.value
    assert response is not None
    return response.status


def test_the_seed_scenario_in_the_browser(server: RunningServer, page: Page) -> None:
    today = brussels_today()
    page.goto(server.login_url)
    assert "token" not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechten beheren")
    expect(page.get_by_role("link", name="Basisschool De Linde", exact=True)).to_be_visible()  # its card
    assert OTHER not in page.content()
    check(page, "01-start")

    page.get_by_role("link", name="Recht toekennen in Basisschool De Linde").click()
    check(page, "01b-toekennen")
    before = event_count(server.config.store)
    page.get_by_role("button", name="Zoek", exact=True).click()
    assert event_count(server.config.store) == before + 1  # the search is recorded
    expect(page.get_by_role("columnheader", name="Naam").first).to_be_visible()
    expect(page.get_by_role("cell", name="Els Peeters", exact=True)).to_be_visible()
    check(page, "02-zoek")

    for first, last in SEED_NAMES:
        picked = event_count(server.config.store)
        page.get_by_role("button", name=f"Selecteer {first} {last}").click()
        expect(page.get_by_role("button", name=f"Haal {first} {last} uit de selectie")).to_be_visible()
        # the pick is recorded; showing the list again after it records nothing more
        assert event_count(server.config.store) == picked + 1
    expect(page.get_by_role("heading", name="Geselecteerde gebruikers (3 van 25)")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("3 van 25 geselecteerd")
    page.get_by_role("button", name="Haal Koen Maes uit de selectie").click()
    expect(page.get_by_role("button", name="Haal Koen Maes uit de selectie")).to_have_count(0)
    page.get_by_role("button", name="Selecteer Koen Maes").click()
    check(page, "03-geselecteerd")
    after_picks = event_count(server.config.store)

    page.get_by_role("link", name="Ken gebruikersrecht toe").click()
    assert step(page) == "Stap 2 van 3"
    assert event_count(server.config.store) == after_picks  # showing pages records nothing
    expect(page.get_by_role("main").get_by_text("Basisschool De Linde (034793)")).to_be_visible()
    page.get_by_label("Gebruikersrecht").select_option(IRIS)
    page.get_by_label("Context").select_option("Gebruiker")
    page.get_by_label("Begindatum").fill(dmy(today))
    page.get_by_label("Einddatum", exact=True).fill(dmy(today + timedelta(days=20)))
    check(page, "04-stap-2")
    page.get_by_role("button", name="Verder").click()
    assert step(page) == "Stap 3 van 3"
    for first, last in SEED_NAMES:
        expect(page.get_by_text(f"{first} {last}")).to_be_visible()
    expect(page.get_by_role("button", name="Annuleer")).to_be_visible()
    expect(page.get_by_role("button", name="Terug")).to_be_visible()
    check(page, "05-stap-3")
    # Terug: back on step 2 with what was chosen, the selection kept (docs/adr/0015).
    page.get_by_role("button", name="Terug").click()
    assert step(page) == "Stap 2 van 3"
    expect(page.get_by_label("Einddatum", exact=True)).to_have_value(dmy(today + timedelta(days=20)))
    for first, last in SEED_NAMES:
        expect(page.get_by_text(f"{first} {last}")).to_be_visible()
    page.get_by_role("button", name="Verder").click()
    assert step(page) == "Stap 3 van 3"
    page.get_by_role("button", name="Bevestig").click()
    status = page.get_by_role("status")
    for first, last in SEED_NAMES:
        expect(status).to_contain_text(f"{first} {last}")
    check(page, "06-bevestigd")

    # A support worker, by national register number, never echoed in full.
    page.goto(server.url + "/")
    page.get_by_role("link", name="Meer voor Basisschool De Linde").click()
    page.get_by_role("link", name="Voeg gebruiker toe", exact=True).click()
    check(page, "07a-voeg-gebruiker-toe")
    page.get_by_label("Rijksregisternummer").fill(RRN)
    page.get_by_label("Voornaam").fill("Lotte")
    page.get_by_label("Achternaam").fill("Wouters")
    page.get_by_label("Reden").fill("ondersteuner")
    page.get_by_role("button", name="Voeg gebruiker toe").click()
    expect(page.get_by_role("status")).to_contain_text("**.**.**-***.28")
    assert RRN not in page.content() and RRN_DIGITS not in page.content() and RRN_DIGITS not in page.url
    expect(page.get_by_role("status")).to_contain_text("Lotte Wouters")
    expect(page.get_by_role("link", name="Ken Lotte een recht toe")).to_be_visible()
    check(page, "07-gebruiker-toegevoegd")
    page.get_by_role("link", name="Toekennen meerdere personen").click()
    page.get_by_role("button", name="Selecteer Lotte Wouters").click()
    page.get_by_role("link", name="Ken gebruikersrecht toe").click()
    page.get_by_label("Begindatum").fill(dmy(today))
    page.get_by_label("Einddatum", exact=True).fill(dmy(today + timedelta(days=10)))
    page.get_by_role("button", name="Verder").click()
    page.get_by_role("button", name="Bevestig").click()
    expect(page.get_by_role("status")).to_contain_text("Lotte Wouters")

    # Verleng and Trek in on the rights page.
    page.goto(f"{server.url}/instellingen/{NUMBER}/rechten")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechten")
    expect(page.get_by_role("row")).to_have_count(5)  # header + 4 rights
    check(page, "08-rechten")
    page.get_by_role("link", name="Verleng het recht van Els Peeters").click()
    check(page, "08b-verleng")
    page.get_by_label("Nieuwe einddatum").fill(dmy(today + timedelta(days=200)))
    page.get_by_role("button", name="Verleng").click()
    expect(page.get_by_role("status")).to_have_text("De einddatum is verlengd.")
    expect(page.get_by_role("row", name=re.compile("Peeters"))).to_contain_text(
        dmy(today + timedelta(days=200))
    )
    page.get_by_role("link", name="Trek in het recht van Koen Maes").click()
    check(page, "08c-trek-in")
    page.get_by_label("Reden").fill("verlaat de school")
    page.get_by_role("button", name="Trek in").click()
    expect(page.get_by_role("status")).to_have_text("Het recht is ingetrokken.")
    expect(page.get_by_role("row", name=re.compile("Maes"))).to_have_count(0)
    # As registered yesterday: nothing was granted yet.
    page.get_by_label("Zoals geregistreerd op").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Toon").click()
    expect(page.get_by_role("row")).to_have_count(1)

    # The reports.
    page.get_by_role("navigation").get_by_role("link", name="Vervallende rechten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vervallende rechten")
    expect(page.get_by_role("row", name=re.compile("Jacobs"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Wouters"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Peeters"))).to_have_count(0)  # extended past 30 days
    check(page, "09-vervallend")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Instellingsnummer;Persoonsnummer;Voornaam")
    assert "Jacobs" in text and "Wouters" in text and "Peeters" not in text

    page.goto(f"{server.url}/instellingen/{NUMBER}/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit")
    for done in ("het personeel doorzocht", "toegekend aan", "als ondersteuner toegevoegd", "verlengd", "ingetrokken"):
        expect(page.get_by_text(re.compile(f"^Op .* heeft .*{done}")).first).to_be_visible()
    assert RRN_DIGITS not in page.content()
    check(page, "10-audit")
    page.get_by_label("Door beheerder (naam of nummer)").fill("piet")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Geen gebeurtenissen gevonden met deze filters")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Controleer de geschiedenis", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("De geschiedenis is intact")
    check(page, "11-verificatie")

    # Afmelden: the pages ask to sign in again.
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent afgemeld")
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
    check(page, "12-aanmelden")


def test_annuleer_empties_the_selection_and_a_waiting_step_two_freezes_the_list(
    server: RunningServer, page: Page
) -> None:
    today = brussels_today()
    page.goto(server.login_url)
    page.goto(f"{server.url}/instellingen/{NUMBER}/toekennen")
    page.get_by_role("button", name="Selecteer Els Peeters").click()
    page.get_by_role("link", name="Ken gebruikersrecht toe").click()
    page.get_by_label("Begindatum").fill(dmy(today))
    page.get_by_label("Einddatum", exact=True).fill(dmy(today + timedelta(days=20)))
    page.get_by_role("button", name="Verder").click()
    assert step(page) == "Stap 3 van 3"

    # The list while step 2 waits: no + or –, only Naar stap 3, Terug and Annuleer.
    page.goto(f"{server.url}/instellingen/{NUMBER}/toekennen")
    expect(page.get_by_role("heading", name="Toekenning wacht op bevestiging")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Selecteer "))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Haal .* uit de selectie"))).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    check(page, "05b-selectie-wacht")
    page.get_by_role("button", name="Terug").click()  # from the list: the list again, free
    expect(page.get_by_role("heading", name="Toekenning wacht op bevestiging")).to_have_count(0)
    expect(page.get_by_role("button", name="Haal Els Peeters uit de selectie")).to_be_visible()
    page.get_by_role("button", name="Selecteer Koen Maes").click()

    page.get_by_role("link", name="Ken gebruikersrecht toe").click()
    page.get_by_label("Begindatum").fill(dmy(today))
    page.get_by_label("Einddatum", exact=True).fill(dmy(today + timedelta(days=20)))
    page.get_by_role("button", name="Verder").click()
    before = event_count(server.config.store)
    page.get_by_role("button", name="Annuleer").click()
    assert event_count(server.config.store) == before + 2  # AssignmentCancelled, SelectionCleared
    assert "Toekennen meerdere personen" in heading(page)
    expect(page.get_by_text("Nog niemand geselecteerd.")).to_be_visible()
    expect(page.get_by_role("heading", name="Toekenning wacht op bevestiging")).to_have_count(0)


def test_refusals_show_the_rule_keep_the_input_and_record_nothing(server: RunningServer, page: Page) -> None:
    today = brussels_today()
    app = open_app(server.config.store)
    try:  # 25 picks made already: the 26th is refused on the page
        app.select(act("jan"), NUMBER, [f"{90000 + i}" for i in range(4, 29)])
    finally:
        app.close()
    page.goto(server.login_url)
    page.goto(f"{server.url}/instellingen/{NUMBER}/toekennen")
    before = event_count(server.config.store)
    # The full list offers no + any more and says why; a pick posted all the same is refused.
    expect(page.get_by_role("status")).to_contain_text("25 van 25 geselecteerd: de selectie is vol")
    expect(page.get_by_role("button", name="Selecteer Els Peeters")).to_have_count(0)
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    refused = page.request.post(
        f"{server.url}/instellingen/{NUMBER}/toekennen/selecteer",
        form={"een": "90001", "csrf_token": token or ""},
        max_redirects=0,
    )
    assert refused.status == 422 and 'data-rule="selection-limit"' in refused.text()
    assert "(selection-limit)" not in refused.text()
    assert event_count(server.config.store) == before
    check(page, "20-selectie-limiet")

    page.get_by_role("link", name="Ken gebruikersrecht toe").click()
    page.get_by_label("Begindatum").fill(dmy(today))
    page.get_by_label("Einddatum", exact=True).fill(dmy(today - timedelta(days=1)))
    status = navigate(page, lambda: page.get_by_role("button", name="Verder").click())
    assert status == 422
    alert = page.get_by_role("alert")
    expect(alert.locator('li[data-rule="period"]')).to_have_count(1)
    expect(alert).not_to_contain_text("(period)")
    sentence = alert.locator('li[data-rule="period"]').inner_text()
    expect(page.locator("#einddatum-fout")).to_contain_text(sentence)  # the same sentence by the field
    expect(page.get_by_label("Einddatum", exact=True)).to_have_value(dmy(today - timedelta(days=1)))
    assert event_count(server.config.store) == before
    check(page, "21-periode-geweigerd")
    page.get_by_label("Einddatum", exact=True).fill(dmy(today + timedelta(days=5 * 366)))
    assert navigate(page, lambda: page.get_by_role("button", name="Verder").click()) == 422
    alert = page.get_by_role("alert")
    expect(alert.locator('li[data-rule="maximum-validity"]')).to_contain_text("mag hoogstens 4 jaar gelden")
    assert page.locator('[lang="en"]').count() == 0  # no English detail any more
    expect(page.locator("#einddatum-fout")).to_contain_text("mag hoogstens 4 jaar gelden")
    expect(page.locator("#einddatum-fout")).not_to_contain_text("may be granted")
    check(page, "21b-maximale-geldigheid-geweigerd")

    page.goto(f"{server.url}/instellingen/{NUMBER}/gebruiker-toevoegen")
    page.get_by_label("Rijksregisternummer").fill("85.07.30-033.29")  # wrong check digits
    page.get_by_label("Voornaam").fill("An")
    page.get_by_label("Achternaam").fill("Wouters")
    page.get_by_label("Reden").fill("ondersteuner")
    assert navigate(page, lambda: page.get_by_role("button", name="Voeg gebruiker toe").click()) == 422
    expect(page.get_by_role("alert").locator('li[data-rule="national-number"]')).to_have_count(1)
    expect(page.get_by_role("alert")).not_to_contain_text("(national-number)")
    expect(page.get_by_label("Voornaam")).to_have_value("An")
    expect(page.get_by_label("Rijksregisternummer")).to_have_value("")
    assert "85073003329" not in page.content() and "033.29" not in page.content()
    assert event_count(server.config.store) == before
    check(page, "22-rijksregisternummer-geweigerd")

    assert navigate(page, lambda: page.goto(f"{server.url}/instellingen/{OTHER}/rechten")) == 404
    check(page, "23-niet-gevonden")


def test_hostile_names_are_shown_as_text(store_url: str, page: Page) -> None:
    hostile = [("<script>alert(1)</script>", "Peeters"), ('"><img src=x onerror=alert(2)>', "Maes")]
    seed(store_url, staff=3, names=hostile)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with running(store_url, actor="jan") as server:
        page.goto(server.login_url)
        page.goto(f"{server.url}/instellingen/{NUMBER}/toekennen")
        expect(page.get_by_role("cell", name="<script>alert(1)</script> Peeters", exact=True)).to_be_visible()
        page.get_by_role("button", name='Selecteer "><img src=x onerror=alert(2)> Maes').click()
        expect(
            page.get_by_role("cell", name='"><img src=x onerror=alert(2)> Maes', exact=True).first
        ).to_be_visible()
        assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
    assert dialogs == []


def test_signing_in_through_a_real_openid_connect_provider(store_url: str, page: Page) -> None:
    from oidc_provider_mock import User, run_server_in_thread

    seed(store_url, staff=3, names=SEED_NAMES)
    users = [
        User(sub="sub-jan", claims={"preferred_username": "jan"}),
        User(sub="sub-eve", claims={"preferred_username": "eve"}),
    ]
    with run_server_in_thread(user_claims=users) as provider:
        issuer = f"http://localhost:{provider.server_port}"
        settings = {"oidc_issuer": issuer, "oidc_client_id": "grantbook", "oidc_client_secret": "s3cret"}
        with running(store_url, actor=None, **settings) as server:  # type: ignore[arg-type]
            page.goto(server.url + "/")
            expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
            assert navigate(page, lambda: page.goto(f"{server.url}/login?token=anything")) == 403
            page.goto(server.url + "/aanmelden")
            page.get_by_role("link", name="Aanmelden", exact=True).click()
            page.get_by_role("button", name="sub-jan").click()  # the provider's own sign-in page
            expect(page.get_by_role("heading", level=1)).to_have_text("Rechten beheren")
            expect(page.get_by_text("Aangemeld als jan")).to_be_visible()
            check(page, "30-oidc-start")
            # A step recorded from the web carries the signed-in person as actor.
            page.get_by_role("link", name="Recht toekennen in Basisschool De Linde").click()
            page.get_by_role("button", name="Selecteer Els Peeters").click()
            page.goto(f"{server.url}/instellingen/{NUMBER}/audit")
            expect(page.get_by_text(re.compile(r"^Op .* heeft jan .* geselecteerd\.$")).first).to_be_visible()
            page.get_by_role("button", name="Afmelden").click()

            # Someone the provider knows but who works for no institution sees none.
            page.goto(server.url + "/oidc/login")
            page.get_by_role("button", name="sub-eve").click()
            expect(page.get_by_text("Aangemeld als eve")).to_be_visible()
            expect(
                page.get_by_text("Je bent voor geen enkele instelling beheerder of auditor.")
            ).to_be_visible()
            assert navigate(page, lambda: page.goto(f"{server.url}/instellingen/{NUMBER}/rechten")) == 404
