"""The "Vervallende rechten" files a secretary opens in Excel: a CSV as Belgian Excel reads it (Dutch
headers, ``;``, UTF-8 with BOM, CRLF, dd/mm/jjjj, the institution number as text, no formula) and an
.xlsx with typed date cells and a frozen bold header row; a refused download answers in Dutch."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import httpx
import pytest
from openpyxl import load_workbook
from web_seed import IRIS, NUMBER, act, open_app, seed, today
from web_server import RunningServer, running

NAMES = [('=HYPERLINK("http://x")', "Peeters"), ("Jan", "@Janssens"), ("Piet", "Claes")]


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url, staff=3, names=NAMES)
    app = open_app(store_url)
    try:
        for person, days in (("90001", 10), ("90002", 20), ("90003", 200)):
            app.grant(act(), NUMBER, person, IRIS, "Gebruiker", today(), today() + timedelta(days=days))
    finally:
        app.close()
    with running(store_url, actor="jan") as running_server:
        yield running_server


@contextmanager
def client_of(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        assert client.get(server.login_url).status_code == 303
        yield client


HEADERS = [
    "Instellingsnummer",
    "Persoonsnummer",
    "Voornaam",
    "Achternaam",
    "Categorie",
    "Gebruikersrecht",
    "Context",
    "Begindatum",
    "Einddatum",
    "Toegekend door",
    "Toegekend op",
    "Dagen tot einddatum",
]


def test_the_csv_is_for_belgian_excel(server: RunningServer) -> None:
    with client_of(server) as client:
        response = client.get("/vervallend.csv", params={"binnen": "30"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.content
    assert body.startswith("\ufeff".encode()) and b"\r\n" in body and body.count(b"\n") == body.count(b"\r\n")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    assert len(rows) == 3  # the right ending in 200 days is not expiring within 30
    first, second = rows[1], rows[2]
    assert first[0] == f'="{NUMBER}"'  # the leading zero stays
    assert first[2] == '\'=HYPERLINK("http://x")' and second[3] == "'@Janssens"  # never a formula
    assert first[7] == today().strftime("%d/%m/%Y")
    assert first[8] == (today() + timedelta(days=10)).strftime("%d/%m/%Y")
    assert len(first[10]) == 16 and first[10][2] == "/" and first[10][13] == ":"  # dd/mm/jjjj HH:MM
    assert first[11] == "10"
    assert "T" not in "".join(first[7:11])  # no ISO dates


def test_the_xlsx_has_typed_dates_a_frozen_header_and_no_formula(server: RunningServer) -> None:
    with client_of(server) as client:
        page = client.get("/vervallend", params={"binnen": "30"}).text
        assert 'href="/vervallend.xlsx?binnen=30"' in page and "Download Excel (.xlsx)" in page
        response = client.get("/vervallend.xlsx", params={"binnen": "30"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Vervallende rechten"]
    assert [c.value for c in sheet[1]] == HEADERS and all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 3
    number, first_name, end = sheet["A2"], sheet["C2"], sheet["I2"]
    assert number.value == NUMBER and number.data_type == "s"
    assert first_name.value == '=HYPERLINK("http://x")' and first_name.data_type == "s"
    assert sheet["D3"].value == "@Janssens" and sheet["D3"].data_type == "s"
    assert end.is_date and end.number_format == "dd/mm/yyyy"
    assert end.value.date() == today() + timedelta(days=10)
    assert sheet["K2"].is_date and isinstance(sheet["H2"].value.date(), date)


@pytest.mark.parametrize(
    "binnen",
    ["9" * 5_000, "veel", "-1", "1e3", "36601", "\u202e3", "x" * 10_000, "²"],
)
def test_a_hostile_number_of_days_answers_in_dutch(server: RunningServer, binnen: str) -> None:
    with client_of(server) as client:
        page = client.get("/vervallend", params={"binnen": binnen})
        assert page.status_code == 422 and 'role="alert"' in page.text
        assert 'id="binnen-fout"' in page.text
        for path in ("/vervallend.csv", "/vervallend.xlsx"):
            response = client.get(path, params={"binnen": binnen})
            assert response.status_code == 422, path
            assert response.text.startswith("Het bestand kan niet gemaakt worden.")
            assert "days" not in response.text and "-" not in response.text.split(".")[0]
        twice = client.get("/vervallend.csv", params=[("binnen", "3"), ("binnen", "4")])
        assert twice.status_code == 422 and "meer dan eens" in twice.text
