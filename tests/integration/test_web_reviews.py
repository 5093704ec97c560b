""" "Toegangsreviews" over HTTP on both stores (issue 24, docs/adr/0025): a head starts a review (every
error of the form at once), reviewers decide "Behouden" / "Intrekken" per row and for ticked rows at
once (a missing motivering refused, what was ticked kept), nobody decides on their own right (the
refusal names the person), "Sluit de review" shows what it will revoke before it does, the report as
CSV and Excel, an auditor reads every review (also as registered on an earlier day) and changes
nothing, and every refusal records nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from test_web_http import csrf_of, signed_in
from web_seed import IRIS, NUMBER, OTHER, act, event_count, open_app, roster, seed, today
from web_server import RunningServer, running

NAMES = [("Els", "Peeters"), ("Ann", "Claes"), ("Bart", "Leeuw"), ("Dirk", "Maes")]
REVIEWS = f"/instellingen/{NUMBER}/reviews"
SHIFT = {"days": 1}  # the server's clock runs this many days ahead of the seed (as-of questions)


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def clock() -> datetime:
    return datetime.now(UTC) + timedelta(days=SHIFT["days"])


def server_today() -> date:
    return today() + timedelta(days=SHIFT["days"])


@pytest.fixture
def store(store_url: str) -> str:
    """90001-90004 hold IRIS (Gebruiker) for a year; 90003 (Bart Leeuw) left (Inactief); 90002 (Ann
    Claes) is an administrator too, so she holds a right she may not decide on."""
    SHIFT["days"] = 1
    seed(store_url, names=NAMES)
    app = open_app(store_url)
    try:
        for pid in ("90001", "90002", "90003", "90004"):
            app.grant(act(), NUMBER, pid, IRIS, "Gebruiker", today(), today() + timedelta(days=365))
        staff = roster(30, NAMES)
        staff[2] = staff[2].model_copy(update={"status": "Inactief"})
        app.import_roster(act(), NUMBER, staff)
        app.appoint_administrator(act(), NUMBER, "90002")
    finally:
        app.close()
    return store_url


@pytest.fixture
def server(store: str) -> Iterator[RunningServer]:
    with running(store, actor="jan", clock=clock) as running_server:
        yield running_server


def _grant_ids(store_url: str) -> dict[str, str]:
    app = open_app(store_url)
    try:
        return {g.person_id: g.grant_id for g in app.institution(NUMBER).state.grants.values()}
    finally:
        app.close()


def _review(store_url: str, review_id: str = "R1") -> Any:
    app = open_app(store_url)
    try:
        return app.institution(NUMBER).state.reviews.get(review_id)
    finally:
        app.close()


def _post(client: httpx.Client, path: str, **fields: Any) -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_of(client.get("/").text), **fields})


def _start(client: httpx.Client, **fields: Any) -> httpx.Response:
    form = {
        "naam": "IRIS voorjaar",
        "recht": IRIS,
        "context": "",
        "persoon": ["jan", "mia", "90002"],
        "vervaldatum": dmy(server_today() + timedelta(days=30)),
        "zonder_beslissing": "behouden",
        **fields,
    }
    return _post(client, f"{REVIEWS}/nieuw", **form)


def _problems(html: str) -> list[str]:
    return re.findall(r'<li data-rule="([^"]+)">', html)


def test_a_head_starts_a_review_every_error_at_once(server: RunningServer) -> None:
    store = server.config.store
    with signed_in(server) as client:
        institution = client.get(f"/instellingen/{NUMBER}").text
        assert f'href="{REVIEWS}"' in institution and "Toegangsreviews" in institution
        listed = client.get(REVIEWS)
        assert listed.status_code == 200 and f'href="{REVIEWS}/nieuw"' in listed.text
        form = client.get(f"{REVIEWS}/nieuw")
        assert form.status_code == 200
        assert ">Ann Claes</label>" in form.text and ">jan</label>" in form.text  # by name where known
        assert form.text.count('name="persoon"') == 3 and form.text.count(" checked") >= 4  # all, behouden
        before = event_count(store)
        refused = _post(
            client,
            f"{REVIEWS}/nieuw",
            naam="",
            recht=IRIS,
            context="",
            vervaldatum="31/02/2027",
            zonder_beslissing="behouden",
        )
        assert refused.status_code == 422
        assert _problems(refused.text) == [
            "required",
            "required",
            "date-format",
        ]  # naam, persoon, vervaldatum
        assert "Vul de naam in." in refused.text and "Kies minstens één beoordelaar." in refused.text
        past = _start(
            client, vervaldatum=dmy(server_today() - timedelta(days=1)), context="Gebruiker", recht=""
        )
        assert past.status_code == 422 and _problems(past.text) == ["required", "review-due"]
        assert "Kies ook het gebruikersrecht" in past.text and "Kies vandaag" in past.text
        assert 'value="IRIS voorjaar"' in past.text  # what was typed stays
        assert event_count(store) == before  # nothing recorded
        started = _start(client, motivering="ja", herhaal="3")
        assert started.status_code == 303
        assert started.headers["location"] == f"{REVIEWS}/R1?gedaan=gestart"
        page = client.get(started.headers["location"]).text
        assert "De toegangsreview is gestart." in page and "0 van 4 beoordeeld" in page
        assert "Els Peeters" in page and "Bart Leeuw" in page and "elke 3 maanden" in page
        assert page.count('name="toekenning"') == 4  # jan holds no right here: every row is his to decide
        listed = client.get(REVIEWS).text
        assert "IRIS voorjaar" in listed and "0 van 4 beoordeeld" in listed and ">open<" in listed
    review = _review(store)
    assert review.justify and review.every == 3 and review.reviewers == ["jan", "mia", "90002"]


def test_reviewers_decide_in_bulk_and_per_row_and_a_head_closes_with_a_summary(server: RunningServer) -> None:
    store = server.config.store
    ids = _grant_ids(store)
    one = f"{REVIEWS}/R1"
    with signed_in(server) as client:
        assert _start(client, motivering="ja").status_code == 303
        before = event_count(store)
        chosen = [ids["90001"], ids["90002"]]
        refused = _post(client, f"{one}/beslis", toekenning=chosen, beslissing="behouden", reden="")
        assert refused.status_code == 422 and _problems(refused.text) == ["justification-required"]
        assert "motivering" in refused.text
        assert refused.text.count(" checked") == 2  # what was ticked stays ticked
        nothing = _post(client, f"{one}/beslis", beslissing="intrekken", reden="")
        assert nothing.status_code == 422 and "Kies eerst één of meer rijen" in nothing.text
        assert event_count(store) == before
        kept = _post(client, f"{one}/beslis", toekenning=chosen, beslissing="behouden", reden="geeft les")
        assert kept.status_code == 303 and event_count(store) == before + 1  # one event for both
        page = client.get(kept.headers["location"]).text
        assert "Je beslissing is bewaard: 2 rechten behouden." in page and "2 van 4 beoordeeld" in page
        assert "geeft les" in page and f"door jan op {dmy(server_today())} om " in page
        row = _post(client, f"{one}/beslis", beslissing=f"intrekken:{ids['90003']}", reden="vertrokken")
        assert row.status_code == 303
        assert "3 van 4 beoordeeld" in client.get(one).text
        assert f'href="{one}/sluiten"' in client.get(one).text
        before = event_count(store)
        summary = client.get(f"{one}/sluiten")
        assert summary.status_code == 200 and event_count(store) == before  # the summary records nothing
        text = summary.text
        revoked = text.split("Wordt ingetrokken:")[1].split("</table>")[0]
        assert "Bart Leeuw" in revoked and "beslist: intrekken" in revoked and "Els Peeters" not in revoked
        stays = text.split("Blijft:")[1].split("</table>")[0]
        assert "Els Peeters" in stays and "Ann Claes" in stays and "Dirk Maes" in stays
        assert "niet beoordeeld; aanbeveling: behouden" in stays
        closed = _post(client, f"{one}/sluiten")
        assert closed.status_code == 303 and closed.headers["location"] == f"{one}?gedaan=gesloten"
        page = client.get(closed.headers["location"]).text
        assert "De toegangsreview is gesloten." in page and "Sluit de review" not in page
        assert (
            f"ingetrokken vanaf {dmy(server_today())}" in page
            and page.count('data-label="Uitkomst">behouden</td>') == 3
        )
        assert 'name="beslissing"' not in page  # a closed review changes no more
        again = _post(client, f"{one}/beslis", toekenning=[ids["90001"]], beslissing="intrekken", reden="x")
        assert again.status_code == 422 and _problems(again.text) == ["review-closed"]
        listed = client.get(REVIEWS).text
        assert ">gesloten<" in listed and "3 van 4 beoordeeld" in listed
    app = open_app(store)
    try:
        grants = app.institution(NUMBER).state.grants
        assert grants[ids["90003"]].revoked_on == server_today()
        assert grants[ids["90003"]].revoke_reason == "Toegangsreview IRIS voorjaar"
        assert all(grants[ids[p]].revoked_on is None for p in ("90001", "90002", "90004"))
    finally:
        app.close()


def test_nobody_decides_on_their_own_right_the_refusal_names_them(server: RunningServer) -> None:
    store = server.config.store
    ids = _grant_ids(store)
    with signed_in(server) as client:
        assert _start(client).status_code == 303
    with running(store, actor="90002", clock=clock) as ann, signed_in(ann) as client:
        page = client.get(f"{REVIEWS}/R1").text
        assert "Je eigen recht: een andere beoordelaar beslist." in page
        assert page.count('name="toekenning"') == 3  # her own row has no checkbox
        before = event_count(store)
        refused = _post(
            client, f"{REVIEWS}/R1/beslis", toekenning=[ids["90001"], ids["90002"]], beslissing="behouden"
        )
        assert refused.status_code == 422 and _problems(refused.text) == ["own-right"]
        assert "Ann Claes heeft zelf IRIS-Platform (Leerlingenpaspoort) Gebruiker" in refused.text
        assert event_count(store) == before
        assert _post(client, f"{REVIEWS}/R1/beslis", beslissing=f"behouden:{ids['90001']}").status_code == 303


def test_my_tasks_link_to_the_review_waiting_for_me(server: RunningServer) -> None:
    with signed_in(server) as client:
        assert _start(client).status_code == 303
        tasks = client.get("/taken").text
        assert "Toegangsreview" in tasks and f'href="{REVIEWS}/R1"' in tasks
        assert "IRIS voorjaar: nog 4 rechten te beoordelen" in tasks


def test_the_report_as_csv_and_excel(server: RunningServer) -> None:
    store = server.config.store
    ids = _grant_ids(store)
    with signed_in(server) as client:
        assert _start(client).status_code == 303
        _post(client, f"{REVIEWS}/R1/beslis", beslissing=f"intrekken:{ids['90003']}", reden="vertrokken")
        assert _post(client, f"{REVIEWS}/R1/sluiten").status_code == 303
        answer = client.get(f"{REVIEWS}/R1/rapport.csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert 'filename="toegangsreview-034793-R1.csv"' in answer.headers["content-disposition"]
        assert answer.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in answer.content
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:4] == ["Naam", "Persoonsnummer", "Gebruikersrecht", "Context"]
        assert "Uitkomst" in rows[0] and "Beslist op" in rows[0]
        bart = next(r for r in rows if r[0] == "Bart Leeuw")
        assert "intrekken" in bart and f"ingetrokken vanaf {dmy(server_today())}" in bart and "jan" in bart
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", bart[rows[0].index("Beslist op")])
        excel = client.get(f"{REVIEWS}/R1/rapport.xlsx")
        assert excel.status_code == 200
    sheet = load_workbook(io.BytesIO(excel.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Naam" and len(values) == 5
    assert isinstance(values[1][values[0].index("Einddatum")], datetime)  # a real date cell


def test_an_auditor_reads_every_review_and_changes_nothing(store: str) -> None:
    ids = _grant_ids(store)
    with running(store, actor="jan", clock=clock) as server, signed_in(server) as client:
        assert _start(client).status_code == 303
        SHIFT["days"] = 2  # decided a day later
        assert _post(client, f"{REVIEWS}/R1/beslis", beslissing=f"behouden:{ids['90001']}").status_code == 303
    with running(store, actor="ann", auditors=("ann",)) as server, signed_in(server) as client:
        institution = client.get(f"/instellingen/{NUMBER}").text
        assert f'href="{REVIEWS}"' in institution
        listed = client.get(REVIEWS).text
        assert "IRIS voorjaar" in listed and f'href="{REVIEWS}/nieuw"' not in listed
        page = client.get(f"{REVIEWS}/R1").text
        assert "1 van 4 beoordeeld" in page and "Els Peeters" in page and "behouden" in page
        assert 'name="beslissing"' not in page and "Sluit de review" not in page
        assert "rapport.csv" in page
        earlier = client.get(f"{REVIEWS}/R1", params={"geregistreerd_op": dmy(today() + timedelta(days=1))})
        assert earlier.status_code == 200 and "0 van 4 beoordeeld" in earlier.text
        assert f"zoals geregistreerd op {dmy(today() + timedelta(days=1))}" in earlier.text
        assert "geregistreerd_op=" in earlier.text  # the report as registered then
        before_start = client.get(f"{REVIEWS}/R1", params={"geregistreerd_op": dmy(today())})
        assert before_start.status_code == 422 and "nog niet gestart" in before_start.text
        bad = client.get(f"{REVIEWS}/R1", params={"geregistreerd_op": "31/02/2026"})
        assert bad.status_code == 422 and _problems(bad.text) == ["date-format"]
        old_file = client.get(
            f"{REVIEWS}/R1/rapport.csv", params={"geregistreerd_op": dmy(today() + timedelta(days=1))}
        )
        assert old_file.status_code == 200 and "behouden;jan" not in old_file.text
        before = event_count(store)
        assert client.get(f"{REVIEWS}/nieuw").status_code == 403
        assert client.get(f"{REVIEWS}/R1/sluiten").status_code == 403
        token = csrf_of(client.get("/").text)
        for path, data in (
            (f"{REVIEWS}/nieuw", {"naam": "x", "vervaldatum": dmy(today()), "persoon": "jan"}),
            (f"{REVIEWS}/R1/beslis", {"beslissing": f"intrekken:{ids['90002']}"}),
            (f"{REVIEWS}/R1/sluiten", {}),
        ):
            assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
        assert event_count(store) == before


def test_other_institutions_and_unknown_reviews_answer_404(server: RunningServer) -> None:
    with signed_in(server) as client:
        assert _start(client).status_code == 303
        for path in (
            f"/instellingen/{OTHER}/reviews",
            f"/instellingen/{OTHER}/reviews/R1",
            f"{REVIEWS}/R9",
            f"{REVIEWS}/R9/sluiten",
            f"{REVIEWS}/R9/rapport.csv",
        ):
            assert client.get(path).status_code == 404, path
        before = event_count(server.config.store)
        assert (
            _post(client, f"/instellingen/{OTHER}/reviews/R1/beslis", beslissing="behouden").status_code
            == 404
        )
        assert _post(client, f"{REVIEWS}/R9/sluiten").status_code == 404
        assert event_count(server.config.store) == before


def test_a_reviewer_who_is_no_administrator_is_named(server: RunningServer) -> None:
    before = event_count(server.config.store)
    with signed_in(server) as client:
        refused = _start(client, persoon=["jan", "90001"])  # a crafted form: Els Peeters is no administrator
        assert refused.status_code == 422 and _problems(refused.text) == ["reviewer-not-administrator"]
        assert "Els Peeters is geen beheerder van deze instelling" in refused.text
    assert event_count(server.config.store) == before
