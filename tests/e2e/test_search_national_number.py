"""A search text is recorded (``StaffSearched``), so it is never a national register number: the
domain refuses one, however it is written, from the CLI and from the web, and records nothing. A
store that holds such a search from before shows it masked everywhere it is read, while the event
stays as it is and the hash chain stays intact (docs/adr/0021)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from conftest import ADMIN, NUMBER, RRN_1985, RRN_2001

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RuleViolation, rules

WRITTEN = [
    RRN_1985,
    "85.07.30-033.28",
    "85 07 30 033 28",
    "850730-03328",
    " 85073003328 ",
    "Peeters 85.07.30-033.28",
    "85073003328Peeters",
    "Ann " + RRN_2001,
]
DIGITS = re.compile(r"85\D?07\D?30\D?033|01\D?01\D?01\D?123")


@pytest.mark.parametrize("text", WRITTEN)
def test_the_cli_refuses_a_search_for_a_national_number(school, text: str) -> None:
    result = school.refused("search", NUMBER, "--name", text, rule=rules.SEARCH_NATIONAL_NUMBER)
    assert not DIGITS.search(result.stderr + result.stdout)


@pytest.mark.parametrize("text", ["Peeters", "034793", "90001", "2026-11-30", "12345678901", ""])
def test_names_ids_and_other_numbers_are_still_searched(school, text: str) -> None:
    before = school.event_count()
    school.ok("search", NUMBER, "--name", text)
    assert school.event_count() == before + 1


def plant_old_search(store_url: str, text: str) -> None:
    """A search recorded before such texts were refused: the command runs with an ordinary text and
    the event is changed after the checks, before it is stored, so its hash chain is intact."""
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    try:
        institution = app.institution(NUMBER)
        institution.search(Act(ADMIN, datetime(2026, 11, 30, 9, 30, tzinfo=UTC)), "Peeters")
        event = institution.pending_events[-1]
        object.__setattr__(event, "name_filter", text)
        app.save(institution)
        # The domain itself now refuses it.
        with pytest.raises(RuleViolation) as refused:
            app.search(Act(ADMIN, datetime(2026, 11, 30, 9, 31, tzinfo=UTC)), NUMBER, text)
        assert refused.value.rule == rules.SEARCH_NATIONAL_NUMBER
    finally:
        app.close()


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_an_old_search_for_a_national_number_is_shown_masked(school, fmt: str) -> None:
    plant_old_search(school.store_url, "Peeters 85.07.30-033.28")
    for args in (("audit", NUMBER), ("audit", NUMBER, "--event", "StaffSearched")):
        result = school.ok(*args, "--format", fmt)
        assert "StaffSearched" in result.stdout
        assert not DIGITS.search(result.stdout + result.stderr), result.stdout
        assert "**.**.**-***.28" in result.stdout
    school.ok("projections", "rebuild")
    assert not DIGITS.search(school.ok("audit", NUMBER, "--format", fmt).stdout)
    verified = school.ok("verify")
    assert not DIGITS.search(verified.stdout + verified.stderr)


def test_the_event_itself_is_kept_as_recorded(school) -> None:
    plant_old_search(school.store_url, RRN_1985)
    app = GrantBook.open(StoreLocation.parse(school.store_url), create=False)
    try:
        searched = [r.event for r in app.recorded_events() if type(r.event).__name__ == "StaffSearched"]
    finally:
        app.close()
    assert searched[-1].name_filter == RRN_1985  # type: ignore[attr-defined]
    assert searched[-1].details()["name_filter"] == "**.**.**-***.28"


# -- the web -------------------------------------------------------------------------------------


@pytest.fixture
def server(store_url: str) -> Iterator[object]:
    from web_seed import seed
    from web_server import running

    seed(store_url)
    with running(store_url, actor="jan") as running_server:
        yield running_server


@pytest.mark.parametrize("text", ["85.07.30-033.28", "Peeters " + RRN_1985])
def test_the_web_search_refuses_it_records_nothing_and_keeps_it_out_of_the_url(server, text: str) -> None:
    from web_seed import event_count

    before = event_count(server.config.store)  # type: ignore[attr-defined]
    with httpx.Client(base_url=server.url) as client:  # type: ignore[attr-defined]
        assert client.get(server.login_url).status_code == 303  # type: ignore[attr-defined]
        page = client.get(f"/toekennen?instellingsnummer={NUMBER}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        response = client.post(
            "/toekennen/zoek", data={"csrf_token": token, "instellingsnummer": NUMBER, "naam": text}
        )
        assert response.status_code < 500
        assert not DIGITS.search(response.headers.get("location", ""))
        assert not DIGITS.search(response.text), "the refused page echoes the number"
        assert response.status_code == 422 or "location" not in response.headers
    assert event_count(server.config.store) == before  # type: ignore[attr-defined]
