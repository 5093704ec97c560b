"""The audit page an auditor reads without help: every event one Dutch sentence (names, dd/mm/jjjj,
Brussels time), the technical fields only behind "Technische gegevens", filters by person, kind,
period and administrator, 100 per page, and exports of exactly what is filtered. And /verificatie
checks only the visitor's own institutions."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest
from browser import check
from conftest import RRN_1985
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from web_seed import IRIS, NUMBER, OTHER, act, open_app, seed, today
from web_server import RunningServer, running

AUDIT = f"/instellingen/{NUMBER}/audit"
NAMES = [("Els", "Peeters"), ("Jan", "Janssens"), ("Piet", "Claes")]


@pytest.fixture
def server(store_url: str, tmp_path: Path) -> Iterator[RunningServer]:
    seed(store_url, staff=5, names=NAMES)
    key = tmp_path / "store.key"
    app = open_app(store_url, key_file=key)
    try:
        year = today().year
        begin, end = date(year, 9, 1), date(year + 1, 8, 31)
        app.select(act("jan"), NUMBER, ["90001", "90002"])
        app.assign(act("jan"), NUMBER, IRIS, "Gebruiker", begin, end)
        app.confirm(act("jan"), NUMBER)
        app.extend(act("mia"), NUMBER, "90002", IRIS, date(year + 2, 8, 31))
        app.revoke(act("mia"), NUMBER, "90001", IRIS, reason="vertrokken")
        app.add_support_worker(act("jan"), NUMBER, RRN_1985, "Ali", "Benali", reason="logopedie")
    finally:
        app.close()
    with running(store_url, actor="jan", key_file=str(key)) as running_server:
        yield running_server


@contextmanager
def client_of(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        assert client.get(server.login_url).status_code == 303
        yield client


def visible(html: str) -> str:
    """The page's text a person reads first: without the <details> blocks and without tags."""
    main = html.split('<main id="inhoud"', 1)[1]
    main = re.sub(r"<details>.*?</details>", " ", main, flags=re.S)
    main = re.sub(r"<select.*?</select>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def sentences(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", s).strip() for s in re.findall(r"<li>\s*<p>(.*?)</p>", html, flags=re.S)]


def test_every_event_is_a_dutch_sentence_with_names_dates_and_reasons(server: RunningServer) -> None:
    year = today().year
    with client_of(server) as client:
        response = client.get(AUDIT)
    assert response.status_code == 200
    said = sentences(response.text)
    assert said and all(s.startswith("Op ") and " om " in s and " heeft " in s for s in said)
    granted = next(s for s in said if "toegekend aan" in s)
    assert "Els Peeters en Jan Janssens" in granted
    assert f"van 01/09/{year} t.e.m. 31/08/{year + 1}" in granted and "(context Gebruiker)" in granted
    assert any("van Jan Janssens verlengd" in s and f"31/08/{year + 2}" in s for s in said)
    assert any("van Els Peeters ingetrokken" in s and "met als reden: vertrokken" in s for s in said)
    assert any("Ali Benali als ondersteuner toegevoegd" in s and "**.**.**-***.28" in s for s in said)
    text = visible(response.text)
    for word in ("AssignmentConfirmed", "person_id", "None", "[", "UTC", "Gebeurtenis"):
        assert word not in text, word
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates outside the technical details
    assert "<summary>Technische gegevens</summary>" in response.text
    assert "AssignmentConfirmed" in response.text  # but they are there, for whoever opens them
    assert RRN_1985 not in response.text


def test_filters_by_kind_person_administrator_and_period(server: RunningServer) -> None:
    with client_of(server) as client:
        revoked = sentences(client.get(AUDIT, params={"soort": "ingetrokken"}).text)
        assert len(revoked) == 1 and "ingetrokken" in revoked[0]
        about_els = sentences(client.get(AUDIT, params={"persoon": "els pee"}).text)
        assert about_els and all("Els Peeters" in s for s in about_els)
        assert len(about_els) == len(sentences(client.get(AUDIT, params={"persoon": "90001"}).text))
        by_mia = sentences(client.get(AUDIT, params={"door": "mia"}).text)
        assert len(by_mia) == 2 and all(" heeft mia " in s for s in by_mia)
        day = today().strftime("%d/%m/%Y")
        assert len(sentences(client.get(AUDIT, params={"vanaf": day, "tot": day}).text)) >= 8
        assert sentences(client.get(AUDIT, params={"tot": "01/01/2000"}).text) == []
        page = client.get(AUDIT, params={"soort": "verlengd"}).text
        assert "Weergave 1–1 van 1" in page
        assert 'href="/instellingen/034793/audit.csv?soort=verlengd"' in page
        assert 'type="date"' not in page


def test_all_problems_at_once_each_beside_its_field(server: RunningServer) -> None:
    with client_of(server) as client:
        response = client.get(
            AUDIT, params={"vanaf": "32/13/2026", "tot": "morgen", "soort": "x", "pagina": "0"}
        )
    assert response.status_code == 422
    for name in ("vanaf", "tot", "soort", "pagina"):
        assert f'href="#{name}"' in response.text or name == "pagina", name
    assert response.text.count('class="field-error"') == 3
    assert 'value="32/13/2026"' in response.text
    assert "Deze pagina bestaat niet." in response.text and 'href="#pagina"' not in response.text


@pytest.mark.parametrize(
    "params",
    [
        {"persoon": "a\u202eb"},
        {"door": "x" * 10_000},
        {"vanaf": "1" * 5_000},
        {"pagina": "9" * 5_000},
        {"soort": "<script>"},
        [("persoon", "a"), ("persoon", "b")],
        {"persoon": "a\x00b"},
    ],
)
def test_hostile_values_answer_in_dutch_never_5xx(server: RunningServer, params: object) -> None:
    with client_of(server) as client:
        for path in (AUDIT, AUDIT + ".csv", AUDIT + ".xlsx"):
            response = client.get(path, params=params)  # type: ignore[arg-type]
            assert 400 <= response.status_code < 500, (path, response.status_code)
            assert "<script>" not in response.text
            if response.status_code == 422 and path.endswith((".csv", ".xlsx")):
                assert response.text.startswith("Het bestand kan niet gemaakt worden.")


def test_a_hundred_per_page_and_the_links_keep_the_filters(store_url: str) -> None:
    seed(store_url, staff=2)
    app = open_app(store_url)
    try:
        for _ in range(60):
            app.select(act("mia"), NUMBER, ["90001"])
            app.deselect(act("mia"), NUMBER, ["90001"])
    finally:
        app.close()
    with running(store_url, actor="jan") as server, client_of(server) as client:
        first = client.get(AUDIT, params={"door": "mia"}).text
        assert "Weergave 1–100 van 120" in first and len(sentences(first)) == 100
        assert "Vorige" not in visible(first)
        following = re.search(r'href="([^"]*pagina=2[^"]*)">Volgende', first)
        assert following and "door=mia" in following.group(1)
        second = client.get(following.group(1).replace("&amp;", "&")).text
        assert "Weergave 101–120 van 120" in second and len(sentences(second)) == 20
        assert "Volgende" not in visible(second) and "Vorige" in visible(second)
        past = client.get(AUDIT, params={"door": "mia", "pagina": "7"}).text  # past the last: the last
        assert "Weergave 101–120 van 120" in past
        exported = client.get(AUDIT + ".csv", params={"door": "mia"})
        assert exported.status_code == 200
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["Geregistreerd op", "Door", "Soort actie", "Wat", "Positie"]
        assert len(rows) == 121 and {r[1] for r in rows[1:]} == {"mia"}
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", rows[1][0])
        book = load_workbook(io.BytesIO(client.get(AUDIT + ".xlsx", params={"door": "mia"}).content))
        sheet = book["Geschiedenis"]
        assert sheet.max_row == 121 and sheet.freeze_panes == "A2"
        assert sheet["A2"].is_date and sheet["D2"].value.startswith("Op ")


def test_verification_checks_only_the_visitors_institutions(store_url: str) -> None:
    seed(store_url)
    with running(store_url, actor="piet") as server, client_of(server) as client:
        response = client.get("/verificatie")
    assert response.status_code == 200
    assert "Controleer de geschiedenis" in response.text and "Basisschool Het Anker" in response.text
    assert NUMBER not in response.text and "De Linde" not in response.text
    assert "De geschiedenis is intact: 2 gebeurtenissen van 1 instelling gecontroleerd" in response.text
    with running(store_url, actor="ann", auditors=("ann",)) as server, client_of(server) as client:
        every = client.get("/verificatie").text
    assert NUMBER in every and OTHER in every and "4 gebeurtenissen van 2 instellingen" in every


def test_verification_names_the_broken_institution_in_dutch(store_url: str) -> None:
    from test_integrity import A, Database

    seed(store_url)
    db = Database(store_url)
    _, topic, state = db.event(A, 1)
    db.set_event(A, 1, topic, state.replace(b"De Linde", b"Forged", 1))
    with running(store_url, actor="jan") as server, client_of(server) as client:
        response = client.get("/verificatie")
    assert response.status_code == 409
    text = visible(response.text)
    assert "De geschiedenis is niet intact" in text and f"({NUMBER})" in text
    assert "integrity" not in text and "version" not in text
    assert "Technische gegevens" in response.text
    with running(store_url, actor="piet") as server, client_of(server) as client:
        assert client.get("/verificatie").status_code == 200  # another school's history is intact


def test_in_the_browser_filter_download_and_verify(server: RunningServer, page: Page) -> None:
    """With the keyboard and a screen reader's names: no serious axe-core violation on the pages."""
    page.goto(server.login_url)
    page.goto(server.url + AUDIT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit")
    expect(page.get_by_text(re.compile(r"^Op .* heeft mia .* van Els Peeters ingetrokken"))).to_be_visible()
    check(page, "40-audit-zinnen")
    page.get_by_label("Soort actie").select_option(label="Verlengd")
    page.get_by_label("Vanaf").fill("1/1/2000")
    page.get_by_label("Tot en met").fill("31-12-2099")
    page.get_by_label("Tot en met").press("Enter")
    expect(page.get_by_text("Weergave 1–1 van 1")).to_be_visible()
    expect(page.get_by_label("Vanaf")).to_have_value("01/01/2000")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download Excel (.xlsx)").click()
    assert download.value.suggested_filename == f"geschiedenis-{NUMBER}.xlsx"
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()))["Geschiedenis"]
    assert sheet.max_row == 2 and sheet["C2"].value == "Verlengd"
    page.get_by_label("Vanaf").fill("31/02/2026")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#vanaf-fout")).to_be_visible()
    check(page, "41-audit-fout")
    page.goto(server.url + "/verificatie")
    expect(page.get_by_role("status")).to_contain_text("De geschiedenis is intact")
    check(page, "42-verificatie")
