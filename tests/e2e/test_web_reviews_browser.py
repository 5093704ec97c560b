""" "Toegangsreviews" in Chromium with the keyboard alone (issue 24): a head starts a review, decides
on ticked rows at once and on one row, closes the review after its summary and downloads the report;
every page without serious or critical axe-core violations, and at 390 pixels wide without sideways
scroll."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from browser import check
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from test_web_keyboard import enter, tab_to
from web_seed import IRIS, NUMBER, act, event_count, open_app, roster, seed
from web_seed import today as brussels_today
from web_server import RunningServer, running

NAMES = [("Els", "Peeters"), ("Ann", "Claes"), ("Bart", "Leeuw"), ("Dirk", "Maes")]
REVIEWS = f"/instellingen/{NUMBER}/reviews"
LABEL = IRIS  # the right's name ends in its context: one label


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    """Four IRIS rights (Gebruiker); Bart Leeuw has left; Ann Claes is an administrator too."""
    seed(store_url, names=NAMES)
    app = open_app(store_url)
    try:
        for pid in ("90001", "90002", "90003", "90004"):
            app.grant(
                act(),
                NUMBER,
                pid,
                IRIS,
                "Gebruiker",
                brussels_today(),
                brussels_today() + timedelta(days=300),
            )
        staff = roster(30, NAMES)
        staff[2] = staff[2].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)
        app.appoint_administrator(act(), NUMBER, "90002")
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


def no_sideways_scroll(page: Page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: {width} px wide"  # type: ignore[index]


def test_a_review_decided_in_bulk_closed_and_reported_with_the_keyboard(
    server: RunningServer, page: Page
) -> None:
    due = brussels_today() + timedelta(days=30)
    store = server.config.store
    page.goto(server.login_url)
    tab_to(page, "Meer voor Basisschool De Linde")
    enter(page)
    tab_to(page, "Toegangsreviews")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegangsreviews")
    check(page, "70-toegangsreviews")
    tab_to(page, "Start een toegangsreview")
    enter(page)
    tab_to(page, "Naam")
    page.keyboard.type("IRIS voorjaar")
    tab_to(page, "Vervaldatum")
    page.keyboard.type("31/02/2027")  # refused, with everything typed kept
    tab_to(page, "Start de toegangsreview")
    enter(page)
    expect(page.get_by_role("alert")).to_contain_text("Deze datum klopt niet")
    check(page, "71-toegangsreview-start-geweigerd")
    expect(page.get_by_label("Naam")).to_have_value("IRIS voorjaar")
    tab_to(page, "Vervaldatum")
    page.keyboard.press("Control+A")
    page.keyboard.type(due.strftime("%d/%m/%Y"))
    tab_to(page, "Wie een recht behoudt, geeft een motivering")
    page.keyboard.press("Space")
    tab_to(page, "Start de toegangsreview")
    enter(page)
    expect(page.get_by_role("status")).to_contain_text("De toegangsreview is gestart")
    expect(page.locator(".counter")).to_have_text("0 van 4 beoordeeld")
    check(page, "72-toegangsreview")

    before = event_count(store)
    tab_to(page, f"Kies Els Peeters: {LABEL}")
    page.keyboard.press("Space")
    tab_to(page, f"Kies Dirk Maes: {LABEL}")
    page.keyboard.press("Space")
    tab_to(page, "Behoud de geselecteerde")  # without the motivering the review asks: refused
    enter(page)
    expect(page.get_by_role("alert")).to_contain_text("motivering")
    expect(page.get_by_label(f"Kies Els Peeters: {LABEL}")).to_be_checked()  # still ticked
    check(page, "73-toegangsreview-motivering")
    assert event_count(store) == before
    tab_to(page, "Motivering of reden")
    page.keyboard.type("geven nog les")
    tab_to(page, "Behoud de geselecteerde")
    enter(page)
    expect(page.get_by_role("status")).to_contain_text("2 rechten behouden")
    tab_to(page, f"Intrekken: Bart Leeuw, {LABEL}")
    enter(page)
    expect(page.locator(".counter")).to_have_text("3 van 4 beoordeeld")
    assert event_count(store) == before + 2

    tab_to(page, "Sluit de review")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sluit de review")
    expect(page.locator("table").first).to_contain_text("Bart Leeuw")
    check(page, "74-toegangsreview-sluiten")
    assert event_count(store) == before + 2  # the summary records nothing
    tab_to(page, "Sluit de review")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    enter(page)
    expect(page.get_by_role("status")).to_contain_text("gesloten")
    expect(page.get_by_role("row", name="Bart Leeuw")).to_contain_text("ingetrokken vanaf")
    check(page, "75-toegangsreview-gesloten")

    tab_to(page, "Rapport als Excel")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = download.value.path()
    assert download.value.suggested_filename == f"toegangsreview-{NUMBER}-R1.xlsx"
    sheet = load_workbook(io.BytesIO(open(path, "rb").read())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Naam" and len(rows) == 5
    bart = next(r for r in rows if r[0] == "Bart Leeuw")
    assert "intrekken" in bart and any(str(v).startswith("ingetrokken vanaf") for v in bart)


def test_the_review_pages_at_390_pixels(server: RunningServer, page: Page) -> None:
    store = server.config.store
    app = open_app(store)
    try:
        app.start_review(act(), NUMBER, "IRIS voorjaar", brussels_today() + timedelta(days=30), justify=True)
        grant = next(i.grant_id for i in app.institution(NUMBER).state.reviews["R1"].items)
        app.decide_review(act("mia"), NUMBER, "R1", [grant], "keep", "geeft nog les in het zesde leerjaar")
    finally:
        app.close()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.login_url)
    for path, name in (
        (REVIEWS, "80-toegangsreviews-390"),
        (f"{REVIEWS}/nieuw", "81-toegangsreview-start-390"),
        (f"{REVIEWS}/R1", "82-toegangsreview-390"),
        (f"{REVIEWS}/R1/sluiten", "83-toegangsreview-sluiten-390"),
    ):
        page.goto(server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        no_sideways_scroll(page, name)
        check(page, name)
