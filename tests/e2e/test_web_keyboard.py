"""The whole grant flow with the keyboard alone: Tab to each control, type, press Enter. No mouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from browser import check
from playwright.sync_api import Page, expect
from web_seed import IRIS, NUMBER, act, event_count, open_app, roster, seed
from web_seed import today as brussels_today
from web_server import RunningServer, running

SEED_NAMES = [("Els", "Peeters"), ("Koen", "Maes"), ("Sofie", "Jacobs")]
NAME_OF_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.getAttribute("aria-label") || (el.labels && el.labels.length ? el.labels[0].textContent : "");
  return (label || el.textContent || "").replace(/\\s+/g, " ").trim();
}"""


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url, staff=10, names=SEED_NAMES)
    with running(store_url, actor="jan") as running_server:
        yield running_server


def tab_to(page: Page, name: str, limit: int = 300) -> None:
    """Presses Tab until the control with this accessible name has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(NAME_OF_FOCUSED) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def enter(page: Page) -> None:
    """Presses Enter on a link or button, and waits for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_grant_flow_with_the_keyboard_alone(server: RunningServer, page: Page) -> None:
    today = brussels_today()
    page.goto(server.login_url)
    tab_to(page, "Recht toekennen in Basisschool De Linde")  # the button on the institution's card
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Toekennen meerdere personen")
    tab_to(page, "Zoek op naam")
    page.keyboard.type("e")
    tab_to(page, "Zoek")
    enter(page)
    expect(page.get_by_role("button", name="Selecteer Els Peeters")).to_be_visible()
    for first, last in SEED_NAMES:
        tab_to(page, f"Selecteer {first} {last}")
        enter(page)
        expect(page.get_by_role("button", name=f"Haal {first} {last} uit de selectie")).to_be_visible()
    tab_to(page, "Haal Koen Maes uit de selectie")
    enter(page)
    expect(page.get_by_role("button", name="Selecteer Koen Maes")).to_be_visible()
    tab_to(page, "Selecteer Koen Maes")
    enter(page)
    tab_to(page, "Ken gebruikersrecht toe")
    enter(page)
    expect(page.locator(".caption-step")).to_have_text("Stap 2 van 3")
    tab_to(page, "Einddatum")
    page.keyboard.type((today + timedelta(days=20)).strftime("%d/%m/%Y"))
    check(page, "40-toetsenbord-stap-2")
    tab_to(page, "Verder")
    enter(page)
    expect(page.locator(".caption-step")).to_have_text("Stap 3 van 3")
    before = event_count(server.config.store)
    tab_to(page, "Bevestig")
    enter(page)
    status = page.get_by_role("status")
    for first, last in SEED_NAMES:
        expect(status).to_contain_text(f"{first} {last}")
    assert event_count(server.config.store) == before + 1


def test_a_quick_grant_and_my_tasks_with_the_keyboard_alone(server: RunningServer, page: Page) -> None:
    """Snel recht toekennen for one person (the select changed with the arrow keys), then "Mijn
    taken" from the menu lists the right that ends soon, with the link to extend it."""
    today = brussels_today()
    page.goto(server.login_url)
    tab_to(page, "Meer voor Basisschool De Linde")  # the institution page has the other links
    enter(page)
    tab_to(page, "Snel recht toekennen")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Snel recht toekennen")
    tab_to(page, "Persoon")
    page.keyboard.press("ArrowDown")  # the first person after "Kies een persoon": Jacobs Sofie
    expect(page.get_by_label("Persoon")).to_have_value("90003")
    expect(page.get_by_label("Context")).to_have_value("Gebruiker")  # least privilege unless chosen
    expect(page.get_by_label("Begindatum")).to_have_value(today.strftime("%d/%m/%Y"))
    tab_to(page, "Einddatum")
    page.keyboard.type((today + timedelta(days=10)).strftime("%d/%m/%Y"))
    check(page, "42-toetsenbord-snel-recht")
    before = event_count(server.config.store)
    tab_to(page, "Ken toe")
    enter(page)
    expect(page.get_by_role("status")).to_contain_text("Sofie Jacobs")
    assert event_count(server.config.store) == before + 1
    tab_to(page, "Mijn taken")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn taken")
    expect(page.get_by_role("row").nth(1)).to_contain_text("Recht vervalt")
    check(page, "43-toetsenbord-mijn-taken")
    tab_to(page, "Verleng: Recht vervalt Sofie Jacobs (Basisschool De Linde)")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verleng")


def test_the_school_year_rollover_with_the_keyboard_alone(server: RunningServer, page: Page) -> None:
    """Nieuw schooljaar: every IRIS right (Gebruiker) ending on a day moves to the next year's end,
    but Sofie Jacobs, who has left, is left alone and named as such."""
    today = brussels_today()
    ending, new_end = today + timedelta(days=60), today + timedelta(days=60 + 365)
    app = open_app(server.config.store)
    try:
        for pid in ("90001", "90002", "90003"):
            app.grant(act(), NUMBER, pid, IRIS, "Gebruiker", today, ending)
        staff = roster(10, SEED_NAMES)
        staff[2] = staff[2].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)
    finally:
        app.close()
    page.goto(server.login_url)
    tab_to(page, "Meer voor Basisschool De Linde")
    enter(page)
    tab_to(page, "Nieuw schooljaar")
    enter(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw schooljaar")
    expect(page.get_by_label("Gebruikersrecht")).to_have_value(IRIS)
    expect(page.get_by_label("Context")).to_have_value("Gebruiker")
    tab_to(page, "Huidige einddatum")
    page.keyboard.type(ending.strftime("%d/%m/%Y"))
    tab_to(page, "Nieuwe einddatum")
    page.keyboard.type(new_end.strftime("%d/%m/%Y"))
    check(page, "44-toetsenbord-schooljaar")
    before = event_count(server.config.store)
    tab_to(page, "Verleng naar het nieuwe schooljaar")
    enter(page)
    status = page.get_by_role("status")
    expect(status).to_contain_text("2 rechten zijn verlengd")
    expect(status).to_contain_text(new_end.strftime("%d/%m/%Y"))
    for name in ("Els Peeters", "Koen Maes"):
        expect(status).to_contain_text(name)
    expect(status).not_to_contain_text("Sofie Jacobs")
    expect(status).not_to_contain_text("(9000")  # by name, no ids
    expect(page.get_by_role("main")).to_contain_text("Sofie Jacobs (status: inactief)")
    assert event_count(server.config.store) == before + 1
