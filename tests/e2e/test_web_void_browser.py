"""The rights page's "Alle toekenningen", "Ongeldig verklaren" and "Trek in" from a later day in
headless Chromium, by role and accessible name, with axe-core on every page visited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from browser import check
from playwright.sync_api import Page, expect
from web_seed import IRIS, NUMBER, act, open_app, seed, today
from web_server import RunningServer, running


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url, names=[("Els", "Peeters"), ("Koen", "Maes")])
    app = open_app(store_url)
    try:
        for person in ("90001", "90002"):
            app.grant(act(), NUMBER, person, IRIS, "Gebruiker", today(), today() + timedelta(days=100))
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


def test_all_grants_void_and_revoke_from_a_later_day(server: RunningServer, page: Page) -> None:
    page.goto(server.login_url)
    page.goto(f"{server.url}/instellingen/{NUMBER}/rechten")
    page.get_by_role("link", name="Ongeldig verklaren de toekenning aan Koen Maes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ongeldig verklaren")
    check(page, "10-ongeldig-verklaren")
    page.get_by_role("button", name="Verklaar ongeldig").click()
    alert = page.get_by_role("alert")
    expect(alert.locator('li[data-rule="reason-required"]')).to_have_count(1)
    expect(alert).not_to_contain_text("(reason-required)")
    expect(page.locator("#reden-fout")).to_be_visible()
    check(page, "10b-ongeldig-verklaren-fout")
    page.get_by_label("Reden").fill("verkeerde persoon")
    page.get_by_role("button", name="Verklaar ongeldig").click()
    expect(page.get_by_role("status")).to_contain_text("ongeldig verklaard")
    expect(page.get_by_label(re.compile("Alle toekenningen"))).to_be_checked()
    expect(page.get_by_role("row", name=re.compile("Maes"))).to_contain_text("ongeldig verklaard")
    expect(page.get_by_role("row", name=re.compile("Maes"))).to_contain_text("verkeerde persoon")
    check(page, "10c-alle-toekenningen")

    later = today() + timedelta(days=7)
    page.get_by_role("link", name="Trek in het recht van Els Peeters").click()
    page.get_by_label("Reden").fill("verlaat de school")
    page.get_by_label("Vanaf", exact=True).fill(dmy(later))
    check(page, "10d-trek-in-vanaf")
    page.get_by_role("button", name="Trek in").click()
    expect(page.get_by_role("status")).to_have_text("Het recht is ingetrokken.")
    peeters = page.get_by_role("row", name=re.compile("Peeters"))
    expect(peeters).to_contain_text(f"ingetrokken vanaf {dmy(later)}")
    expect(page.get_by_role("row", name=re.compile("Maes"))).to_have_count(0)  # voided: on no day
