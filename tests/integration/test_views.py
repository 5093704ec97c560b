"""projections/views (docs/adr/0023): each question answered from one snapshot, who may see it, the
chain and the rows together; the rows are those the old query functions gave; and the CLI and the
pages asked the same questions of one store show the same rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import Driver
from test_integrity import A, Database
from web_seed import IRIS, NUMBER, OTHER, act, open_app, roster, seed, today
from web_server import running

from grantbook.errors import TamperEvidenceError
from grantbook.projections import read_models, views
from grantbook.projections.audit import query_audit
from grantbook.projections.people import query_leavers
from grantbook.projections.rights_questions import (
    query_ending_between,
    query_every_grant,
    query_held_on,
    query_person,
)
from grantbook.projections.runner import ReadModels

CLI, JAN, PIET = views.Reader(None), views.Reader("jan"), views.Reader("piet")
EVERY = views.Reader("els", auditor_of_every=True)


def _fill(store_url: str) -> dict[str, str]:
    """The web seed (034793 with heads jan and mia, 111111 with head piet), grants at both (one
    ending within 30 days, one revoked, one later) and a roster that leaves 90030 out (a leaver)."""
    seed(store_url)
    day = today()
    app = open_app(store_url)
    try:
        ids = {
            person: app.grant(
                act(), NUMBER, person, IRIS, "Gebruiker", day - timedelta(days=5), day + timedelta(days=days)
            ).grant_id
            for person, days in (("90001", 100), ("90002", 20), ("90003", 200), ("90030", 40))
        }
        app.grant(act(), NUMBER, "90004", IRIS, "Gebruiker", day + timedelta(days=3), day + timedelta(days=25))
        app.revoke(act(), NUMBER, "90003", IRIS, "Gebruiker", "vertrokken")
        app.grant(act("piet"), OTHER, "90001", IRIS, "Gebruiker", day, day + timedelta(days=10))
        app.import_roster(act(), NUMBER, roster(29))  # 90030 is no longer on it
    finally:
        app.close()
    return ids


@pytest.fixture
def models(store_url: str) -> Iterator[ReadModels]:
    _fill(store_url)
    app = open_app(store_url)
    found = read_models(app)
    try:
        yield found
    finally:
        found.close()
        app.close()


def old(models: ReadModels, question: Any) -> Any:
    return models.answer(question)


def test_the_views_give_the_rows_the_old_questions_gave(models: ReadModels) -> None:
    day = today()
    ask = views.ask
    assert ask(models, views.rights_on, CLI, NUMBER, day) == old(models, lambda c: query_held_on(c, day, NUMBER))
    assert ask(models, views.every_grant, JAN, NUMBER, day) == old(models, lambda c: query_every_grant(c, day, NUMBER))
    every = old(models, lambda c: query_ending_between(c, day, 60))
    assert {r["institution"] for r in every} == {NUMBER, OTHER}
    assert ask(models, views.expiring, CLI, day, 60) == every
    assert ask(models, views.expiring, EVERY, day, 60) == every
    assert ask(models, views.expiring, JAN, day, 60) == [r for r in every if r["institution"] == NUMBER]
    assert ask(models, views.expiring, CLI, day, 60, NUMBER, with_ids=True) == old(
        models, lambda c: query_ending_between(c, day, 60, NUMBER, with_ids=True)
    )
    assert ask(models, views.person_rights, CLI, "90001", day) == old(models, lambda c: query_person(c, "90001", day))
    assert [r["institution"] for r in ask(models, views.person_rights, PIET, "90001", day)] == [OTHER]
    leavers = ask(models, views.leavers, CLI, day)
    assert leavers == old(models, lambda c: query_leavers(c, day)) and [r["person_id"] for r in leavers] == ["90030"]
    trail = ask(models, views.audit, CLI, NUMBER, limit=None)
    assert trail.items == old(models, lambda c: query_audit(c, NUMBER)) and trail.total == len(trail.items)
    second = ask(models, views.audit, JAN, NUMBER, offset=2, limit=3)
    assert second.items == trail.items[2:5] and second.total == trail.total
    about = ask(models, views.audit, JAN, NUMBER, about="90003", kinds=["RightRevoked"], limit=None)
    assert [r["event"] for r in about.items] == ["RightRevoked"] and about.total == 1
    assert ask(models, views.institution, JAN, NUMBER) == {
        "institution": NUMBER, "name": "Basisschool De Linde", "role": "head", "version": trail.items[-1]["position"],
    }
    assert ask(models, views.visible_institutions, JAN, day) == [
        {"institution": NUMBER, "name": "Basisschool De Linde", "role": "head", "rights_today": 3, "expiring_30d": 1}
    ]
    assert [r["institution"] for r in ask(models, views.visible_institutions, EVERY, day)] == [NUMBER, OTHER]
    status = ask(models, views.verify_status, PIET)
    assert [(r["institution"], r["intact"]) for r in status] == [(OTHER, True)] and status[0]["events"] >= 3


def test_staff_comes_from_the_read_models_and_matches_as_a_search_does(store_url: str, models: ReadModels) -> None:
    app = open_app(store_url)
    try:
        persons = app.staff(act(), NUMBER)
        found = app.staff(act(), NUMBER, "last 12")
    finally:
        app.close()
    rows = views.ask(models, views.staff, JAN, NUMBER)
    assert [(r["person_id"], r["first_name"], r["last_name"], r["category"], r["status"]) for r in rows] == [
        (p.person_id, p.first_name, p.last_name, p.category, p.status) for p in persons
    ]
    assert [r["begin"] for r in rows] == [p.begin_date.isoformat() for p in persons]
    assert [r["person_id"] for r in views.ask(models, views.staff, JAN, NUMBER, "last 12")] == [
        p.person_id for p in found
    ]
    assert {r["person_id"]: r["status"] for r in rows}["90030"] == "Inactief"


@pytest.mark.parametrize(
    "question",
    [
        lambda m, r: views.ask(m, views.rights_on, r, NUMBER, today()),
        lambda m, r: views.ask(m, views.every_grant, r, NUMBER, today()),
        lambda m, r: views.ask(m, views.expiring, r, today(), 30, NUMBER),
        lambda m, r: views.ask(m, views.leavers, r, today(), NUMBER),
        lambda m, r: views.ask(m, views.audit, r, NUMBER),
        lambda m, r: views.ask(m, views.institution, r, NUMBER),
        lambda m, r: views.ask(m, views.staff, r, NUMBER),
    ],
)
def test_another_school_is_not_visible_an_auditor_of_every_one_sees_it(models: ReadModels, question: Any) -> None:
    with pytest.raises(views.NotVisible):
        question(models, PIET)
    question(models, JAN)
    question(models, views.Reader("piet", auditor_of_every=True))
    question(models, CLI)


def test_an_unknown_institution_is_not_visible_even_to_the_cli(models: ReadModels) -> None:
    with pytest.raises(views.NotVisible):
        views.ask(models, views.rights_on, CLI, "999999", today())
    assert views.ask(models, views.expiring, PIET, today(), 365, None) and all(
        r["institution"] == OTHER for r in views.ask(models, views.expiring, PIET, today(), 365)
    )


def _break(store_url: str) -> None:
    db = Database(store_url)
    _, topic, state = db.event(A, 1)  # the registration: the roster import's link no longer fits it
    db.set_event(A, 1, topic, state.replace(b"De Linde", b"Forged", 1))
    app = open_app(store_url)
    try:
        models = read_models(app)
        models.rebuild()
        models.close()
    finally:
        app.close()


def test_a_broken_chain_refuses_unless_ignored_and_the_others_still_answer(store_url: str) -> None:
    _fill(store_url)
    _break(store_url)
    app = open_app(store_url)
    models = read_models(app)
    day = today()
    try:
        for reader in (CLI, JAN):
            for view, args in (
                (views.rights_on, (NUMBER, day)), (views.every_grant, (NUMBER, day)),
                (views.expiring, (day, 30)), (views.leavers, (day,)), (views.audit, (NUMBER,)),
                (views.staff, (NUMBER,)), (views.institution, (NUMBER,)),
                (views.visible_institutions, (day,)), (views.person_rights, ("90001", day)),
            ):
                with pytest.raises(TamperEvidenceError, match=f"institution {NUMBER} at position"):
                    views.ask(models, view, reader, *args)
                views.ask(models, view, reader, *args, ignore_integrity=True)
        assert views.ask(models, views.rights_on, PIET, OTHER, day)
        assert {r["institution"] for r in views.ask(models, views.expiring, PIET, day, 30)} == {OTHER}
        status = {r["institution"]: r for r in views.ask(models, views.verify_status, CLI)}
        assert not status[NUMBER]["intact"] and status[NUMBER]["broken_at"] and status[OTHER]["intact"]
    finally:
        models.close()
        app.close()


def _page_rows(html: str) -> list[tuple[str, str, str]]:
    """(grant id, begin, end) of each row of the rights page, dates as dd/mm/yyyy."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        grant = re.search(r"rechten/toekenning\?toekenning=([^\"&]+)\"", row)
        begin = re.search(r'data-label="Begindatum">([^<]*)<', row)
        end = re.search(r'data-label="Einddatum">([^<]*)<', row)
        if grant and begin and end:
            found.append((grant.group(1), begin.group(1).strip(), end.group(1).strip()))
    return found


def _dmy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def test_the_cli_and_the_pages_show_the_same_rows(store_url: str, tmp_path: Path) -> None:
    ids = _fill(store_url)
    day = today()
    key = {} if store_url.startswith("sqlite:") else {"key_file": str(tmp_path / "store.key")}
    cli = Driver(store_url, tmp_path)
    env = {} if store_url.startswith("sqlite:") else {"GRANTBOOK_KEY_FILE": key["key_file"]}
    held = cli.json("rights", NUMBER, "--on", day.isoformat(), env=env)
    every = cli.json("rights", NUMBER, "--all", "--on", day.isoformat(), env=env)
    ending = cli.json("expiring", "--within", "60", "--on", day.isoformat(), actor="jan", env=env)
    assert {r["grant_id"] for r in held} == {ids["90001"], ids["90002"], ids["90030"]}
    with running(store_url, actor="jan", **key) as server, httpx.Client(base_url=server.url) as client:
        client.get(server.login_url)
        page = client.get(f"/instellingen/{NUMBER}/rechten")
        assert page.status_code == 200
        assert _page_rows(page.text) == [(r["grant_id"], _dmy(r["begin"]), _dmy(r["end"])) for r in held]
        page = client.get(f"/instellingen/{NUMBER}/rechten", params={"alle": "1"})
        assert _page_rows(page.text) == [(r["grant_id"], _dmy(r["begin"]), _dmy(r["end"])) for r in every]
        download = client.get("/vervallend.csv", params={"binnen": "60"})
        assert download.status_code == 200
        text = download.content.decode("utf-8-sig")
        shown = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    mine = [r for r in ending if r["institution"] == NUMBER]  # the CLI sees every school; jan his own
    assert mine and len(mine) < len(ending)
    assert [(r["Persoonsnummer"], r["Begindatum"], r["Einddatum"]) for r in shown] == [
        (r["person_id"], _dmy(r["begin"]), _dmy(r["end"])) for r in mine
    ]


def test_the_cli_and_the_json_api_give_the_same_rows(store_url: str, tmp_path: Path) -> None:
    """The API half (issue 22): /api/v1 answers the same questions with the same rows as the CLI."""
    from grantbook.adapters.store import StoreLocation
    from grantbook.adapters.tokens import TokenStore

    ids = _fill(store_url)
    day = today()
    key = {} if store_url.startswith("sqlite:") else {"key_file": str(tmp_path / "store.key")}
    cli = Driver(store_url, tmp_path)
    env = {} if store_url.startswith("sqlite:") else {"GRANTBOOK_KEY_FILE": key["key_file"]}
    held = cli.json("rights", NUMBER, "--on", day.isoformat(), env=env)
    every = cli.json("rights", NUMBER, "--all", "--on", day.isoformat(), env=env)
    ending = [r for r in cli.json("expiring", "--within", "60", "--on", day.isoformat(), env=env)
              if r["institution"] == NUMBER]
    gone = cli.json("leavers", "--institution", NUMBER, env=env)
    assert {r["grant_id"] for r in held} == {ids["90001"], ids["90002"], ids["90030"]} and gone
    tokens = TokenStore(StoreLocation.parse(store_url))
    secret = tokens.create("jan", "same rows", day)[0]
    tokens.close()
    picked = ("person_id", "right", "context", "begin", "end")
    with running(store_url, actor="jan", **key) as server, httpx.Client(
        base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {secret}"}
    ) as api:
        def rows(path: str, **params: str) -> list[dict[str, Any]]:
            found, cursor = [], None
            while True:  # every page, two rows at a time
                answer = api.get(path, params={**params, "limit": "2", **({"cursor": cursor} if cursor else {})})
                assert answer.status_code == 200, answer.text
                found += answer.json()["items"]
                cursor = answer.json()["next"]
                if cursor is None:
                    return found

        assert [(r["grant_id"], *(r[c] for c in picked)) for r in rows(f"/institutions/{NUMBER}/rights", on=day.isoformat())] == [
            (r["grant_id"], *(r[c] for c in picked)) for r in held
        ]
        assert [(r["grant_id"], r["status"]) for r in rows(f"/institutions/{NUMBER}/rights", on=day.isoformat(), all="true")] == [
            (r["grant_id"], r["status"]) for r in every
        ]
        assert [tuple(r[c] for c in picked) for r in rows(f"/institutions/{NUMBER}/expiring", days="60", on=day.isoformat())] == [
            tuple(r[c] for c in picked) for r in ending
        ]
        assert [tuple(r[c] for c in picked) for r in rows(f"/institutions/{NUMBER}/leavers")] == [
            tuple(r[c] for c in picked) for r in gone
        ]
