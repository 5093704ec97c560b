"""Refusals over HTTP in Dutch (web/messages.py, docs/adr/0011): a refused step 2 shows the rule's
Dutch sentence and code next to the field and in the summary, and the English message, which names
the specifics, as a detail line (lang="en") in the summary only; nothing is recorded."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from test_web_http import csrf_of, signed_in
from web_seed import IRIS, NUMBER, event_count, seed, today
from web_server import RunningServer, running

from grantbook.web.messages import DAYS, DUTCH

BASE = f"/instellingen/{NUMBER}/toekennen"


@pytest.fixture
def server(store_url: str) -> Iterator[RunningServer]:
    seed(store_url)
    with running(store_url, actor="jan") as running_server:
        yield running_server


def _summary(page: str) -> str:
    found = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S)
    assert found, "no error summary"
    return found.group(0)


def _field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-fout">(.*?)</p>', page, re.S)
    assert found, f"no error next to {field}"
    return found.group(1)


def test_an_end_date_too_far_on_step_two_is_refused_in_dutch_with_the_english_detail(
    server: RunningServer,
) -> None:
    day = today()
    too_far = day + timedelta(days=365 * 10)
    with signed_in(server) as client:
        token = csrf_of(client.get(BASE).text)
        assert client.post(f"{BASE}/selecteer", data={"persoon": "90001", "csrf_token": token}).status_code == 303
        before = event_count(server.config.store)
        response = client.post(
            f"{BASE}/stap-2",
            data={
                "recht": IRIS,
                "context": "Gebruiker",
                "begindatum": day.strftime("%d/%m/%Y"),
                "einddatum": too_far.strftime("%d/%m/%Y"),
                "csrf_token": token,
            },
        )
        assert response.status_code == 422
        assert event_count(server.config.store) == before
    page = response.text
    dutch = "De einddatum ligt te ver: dit gebruikersrecht mag maar een beperkt aantal jaren gelden."
    shown = f"{html.escape(DUTCH['maximum-validity'], quote=True)} (maximum-validity)"
    assert dutch in page

    summary = _summary(page)
    assert f'<a href="#einddatum">{shown}</a>' in summary  # the summary links to the field
    detail = re.search(r'<span class="error-summary__detail" lang="en">Details: (.*?)</span>', summary, re.S)
    assert detail, "no English detail in the summary"
    english = html.unescape(detail.group(1))
    assert "may be granted for at most 4 years" in english and too_far.isoformat() in english

    beside = _field_error(page, "einddatum")
    assert shown in beside and "may be granted" not in beside  # the detail: in the summary only
    assert 'aria-invalid="true"' in page and 'aria-describedby="einddatum-hint einddatum-fout"' in page
    assert page.count('lang="en"') == 1 and '<html lang="nl">' in page


def test_what_was_typed_is_only_in_the_english_detail_and_escaped(server: RunningServer) -> None:
    typed = "<script>alert(1)</script>"
    with signed_in(server) as client:
        token = csrf_of(client.get(BASE).text)
        client.post(f"{BASE}/selecteer", data={"persoon": "90001", "csrf_token": token})
        response = client.post(
            f"{BASE}/stap-2",
            data={
                "recht": typed,
                "context": "Gebruiker",
                "begindatum": today().strftime("%d/%m/%Y"),
                "einddatum": (today() + timedelta(days=100)).strftime("%d/%m/%Y"),
                "csrf_token": token,
            },
        )
    assert response.status_code == 422
    page = response.text
    assert "<script>" not in page
    summary = _summary(page)
    assert f"{DUTCH['unknown-right']} (unknown-right)" in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary.split('lang="en"')[1]
    assert "script" not in _field_error(page, "recht")


@pytest.mark.parametrize(("binnen", "rule"), [("veel", DAYS), ("-1", DAYS)])
def test_the_reports_own_refusal_is_in_dutch_too(server: RunningServer, binnen: str, rule: str) -> None:
    with signed_in(server) as client:
        response = client.get("/vervallend", params={"binnen": binnen})
    assert response.status_code == 422
    beside = _field_error(response.text, "binnen")
    assert DUTCH[rule] in beside and f"({rule})" not in beside
    assert DUTCH[rule] in _summary(response.text) and "the number of days" not in response.text
