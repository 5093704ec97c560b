"""Refusals over HTTP in Dutch (web/messages.py, docs/adr/0011): a refused step 2 shows the rule's
Dutch sentence, made specific with the refusal's facts, next to the field and in the summary (the rule
code only as data-rule on the summary's item); no English on the page; nothing is recorded."""

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


def test_an_end_date_too_far_on_step_two_is_refused_in_dutch_naming_the_limit(
    server: RunningServer,
) -> None:
    """The Dutch sentence names the specifics (the years and the last day, dd/mm/jjjj) that the English
    detail line used to; the rule code is only in data-rule; no English anywhere."""
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
    try:
        last = day.replace(year=day.year + 4)
    except ValueError:  # 29 February
        last = day.replace(year=day.year + 4, day=28)
    dutch = (
        "Dit gebruikersrecht mag hoogstens 4 jaar gelden: de einddatum mag niet later zijn dan "
        f"{last.strftime('%d/%m/%Y')}."
    )

    summary = _summary(page)
    assert "autofocus" in summary
    assert f'<li data-rule="maximum-validity"><a href="#einddatum">{dutch}</a></li>' in summary
    assert "(maximum-validity)" not in page and "Details:" not in page
    assert "may be granted" not in page and too_far.isoformat() not in page

    beside = _field_error(page, "einddatum")
    assert dutch in beside and "maximum-validity" not in beside
    assert 'aria-invalid="true"' in page and 'aria-describedby="einddatum-hint einddatum-fout"' in page
    assert 'lang="en"' not in page and '<html lang="nl">' in page


def test_what_was_typed_is_never_echoed_in_the_refusal(server: RunningServer) -> None:
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
    assert "<script>" not in page and "alert(1)" not in page
    summary = _summary(page)
    dutch = html.escape(DUTCH["unknown-right"], quote=True)
    assert f'<li data-rule="unknown-right"><a href="#recht">{dutch}</a>' in summary
    assert "(unknown-right)" not in page and 'lang="en"' not in page


@pytest.mark.parametrize(("binnen", "rule"), [("veel", DAYS), ("-1", DAYS)])
def test_the_reports_own_refusal_is_in_dutch_too(server: RunningServer, binnen: str, rule: str) -> None:
    with signed_in(server) as client:
        response = client.get("/vervallend", params={"binnen": binnen})
    assert response.status_code == 422
    beside = _field_error(response.text, "binnen")
    assert DUTCH[rule] in beside and f"({rule})" not in beside
    assert DUTCH[rule] in _summary(response.text) and "the number of days" not in response.text
