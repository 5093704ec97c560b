"""The JSON API (/api/v1) over a real server on both stores: who may do what (401, 403, 404 with
nothing recorded), a grant to three persons as one event, ETag and If-Match (412), idempotency keys,
one grant's extend / revoke / void, support workers (the national number never echoed), the roster
PUT, paging with signed cursors, and problems in RFC 9457 form."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from api_helpers import Api, api_server
from conftest import valid_rrn
from test_web_http import signed_in
from web_seed import IRIS, NUMBER, OTHER, event_count, open_app, today

from grantbook.domain.events import AssignmentConfirmed

PROBLEM = "application/problem+json"


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    with api_server(store_url) as found:
        yield found


def grant_body(*persons: str, days: int = 100) -> dict[str, object]:
    day = today()
    return {
        "persons": list(persons),
        "right": IRIS,
        "context": "Gebruiker",
        "begin": day.isoformat(),
        "end": (day + timedelta(days=days)).isoformat(),
    }


def test_who_may_do_what_and_refusals_record_nothing(api: Api) -> None:
    before = event_count(api.store)
    with api.client(None) as anonymous:
        for path in ("/institutions", f"/institutions/{NUMBER}", "/tasks"):
            response = anonymous.get(path)
            assert response.status_code == 401 and response.headers["content-type"] == PROBLEM
            assert (
                response.json()["code"] == "unauthorized" and "Bearer" in response.headers["www-authenticate"]
            )
        assert anonymous.post(f"/institutions/{NUMBER}/grants", json=grant_body("90001")).status_code == 401
    with api.client("gb_not-a-token") as wrong:
        assert wrong.get("/institutions").status_code == 401
    with signed_in(api.server) as browser:  # a session cookie means nothing to the API
        assert browser.get("/api/v1/institutions").status_code == 401
    with api.client(api.head) as head:  # and a token nothing to the pages
        page = head.get(api.server.url + "/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/aanmelden"
        listed = head.get("/institutions").json()
        assert [i["institution"] for i in listed["items"]] == [NUMBER] and listed["next"] is None
        assert head.get(f"/institutions/{OTHER}").status_code == 404
        assert head.get("/institutions/999999/rights").json()["code"] == "not-found"
        assert head.post(f"/institutions/{OTHER}/grants", json=grant_body("90001")).status_code == 404
    for token, code in ((api.auditor, "forbidden"), (api.read_only, "read-only-token")):
        with api.client(token) as reader:
            assert reader.get(f"/institutions/{NUMBER}/rights").status_code == 200
            refused = reader.post(f"/institutions/{NUMBER}/grants", json=grant_body("90001"))
            assert refused.status_code == 403 and refused.json()["code"] == code
            assert reader.post(f"/grants/{NUMBER}-1/void", json={"reason": "x"}).status_code == 403
    with api.client(api.other) as piet:
        assert piet.get(f"/institutions/{NUMBER}/audit").status_code == 404
        assert [i["institution"] for i in piet.get("/institutions").json()["items"]] == [OTHER]
    assert event_count(api.store) == before


def test_a_grant_to_three_persons_is_one_event_and_if_match_guards_it(api: Api) -> None:
    with api.client(api.head) as head:
        read = head.get(f"/institutions/{NUMBER}")
        tag = read.headers["etag"]
        assert read.json()["version"] == int(tag.strip('"'))
        before = event_count(api.store)
        made = head.post(
            f"/institutions/{NUMBER}/grants",
            json=grant_body("90001", "90002", "90003"),
            headers={"If-Match": tag},
        )
        assert made.status_code == 201, made.text
        body = made.json()
        assert [g["person_id"] for g in body["grants"]] == ["90001", "90002", "90003"]
        assert made.headers["etag"] == f'"{body["version"]}"' != tag
        assert event_count(api.store) == before + 1
        stale = head.post(
            f"/institutions/{NUMBER}/grants", json=grant_body("90004"), headers={"If-Match": tag}
        )
        assert stale.status_code == 412 and stale.json()["code"] == "version-mismatch"
        assert event_count(api.store) == before + 1
        first = head.get(f"/institutions/{NUMBER}/rights", params={"limit": 2})
        assert len(first.json()["items"]) == 2 and first.json()["next"]
        rest = head.get(f"/institutions/{NUMBER}/rights", params={"limit": 2, "cursor": first.json()["next"]})
        assert len(rest.json()["items"]) == 2 and rest.json()["next"] is None
        for bad in ("nope", first.json()["next"] + "x"):
            response = head.get(f"/institutions/{NUMBER}/rights", params={"cursor": bad})
            assert response.status_code == 400 and response.json()["code"] == "bad-cursor"
        elsewhere = head.get(f"/institutions/{NUMBER}/staff", params={"cursor": first.json()["next"]})
        assert elsewhere.status_code == 400  # a cursor belongs to its list
        overlap = head.post(f"/institutions/{NUMBER}/grants", json=grant_body("90005", "90001"))
        assert overlap.status_code == 409 and overlap.json()["code"] == "overlapping-grant"
        assert "90001" in overlap.json()["detail"]
        unknown = head.post(f"/institutions/{NUMBER}/grants", json={**grant_body("90005"), "context": "Nope"})
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown-context"
        too_many = head.post(
            f"/institutions/{NUMBER}/grants", json=grant_body(*[str(90001 + i) for i in range(26)])
        )
        assert too_many.status_code == 422 and too_many.headers["content-type"] == PROBLEM
    app = open_app(api.store)
    try:
        last = list(app.recorded_events())[-1].event
        assert isinstance(last, AssignmentConfirmed) and last.direct and len(last.grants) == 3
    finally:
        app.close()
    assert event_count(api.store) == before + 1


def test_the_same_idempotency_key_answers_once(api: Api) -> None:
    with api.client(api.head) as head:
        before = event_count(api.store)
        key = {"Idempotency-Key": "grant-90004-once"}
        first = head.post(f"/institutions/{NUMBER}/grants", json=grant_body("90004"), headers=key)
        again = head.post(f"/institutions/{NUMBER}/grants", json=grant_body("90004"), headers=key)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
        assert event_count(api.store) == before + 1
        other = head.post(f"/institutions/{NUMBER}/grants", json=grant_body("90006"), headers=key)
        assert other.status_code == 422 and other.json()["code"] == "idempotency-key-reused"
        assert event_count(api.store) == before + 1
    with api.client(api.other) as piet:  # keys are per person
        assert (
            piet.post(f"/institutions/{OTHER}/grants", json=grant_body("90001"), headers=key).status_code
            == 201
        )


def test_one_grant_is_extended_revoked_and_voided(api: Api) -> None:
    with api.client(api.head) as head:
        grant_id = head.post(f"/institutions/{NUMBER}/grants", json=grant_body("90001")).json()["grants"][0][
            "grant_id"
        ]
        new_end = (today() + timedelta(days=200)).isoformat()
        extended = head.post(f"/grants/{grant_id}/extend", json={"end": new_end})
        assert extended.status_code == 200 and extended.json()["grant"]["end"] == new_end
        shorter = head.post(f"/grants/{grant_id}/extend", json={"end": today().isoformat()})
        assert shorter.status_code == 422 and shorter.json()["code"] == "end-date-not-later"
        later = (today() + timedelta(days=10)).isoformat()
        revoked = head.post(f"/grants/{grant_id}/revoke", json={"reason": "left", "from": later})
        assert revoked.status_code == 200 and revoked.json()["grant"]["revoked_on"] == later
        voided = head.post(f"/grants/{grant_id}/void", json={"reason": "entered by mistake"})
        assert voided.status_code == 200 and voided.json()["grant"]["voided"] is True
        assert head.post(f"/grants/{grant_id}/void", json={"reason": "again"}).status_code == 409
        for unknown in (f"{NUMBER}-999", "nonsense", f"{OTHER}-1"):
            assert head.post(f"/grants/{unknown}/extend", json={"end": new_end}).status_code == 404
        every = head.get(f"/institutions/{NUMBER}/rights", params={"all": "true"}).json()["items"]
        assert {r["grant_id"]: r["status"] for r in every}[grant_id] == "voided"
        trail = head.get(f"/institutions/{NUMBER}/audit", params={"person": "90001", "limit": 2}).json()
        assert [e["event"] for e in trail["items"]][:1] == ["RosterImported"] or trail["items"]


def test_a_support_workers_number_is_never_echoed(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    number = valid_rrn("850730", 33)
    caplog.set_level(logging.DEBUG)
    with api.client(api.head) as head:
        body = {
            "national_number": number,
            "first_name": "Dirk",
            "last_name": "Fonteyn",
            "reason": "logopedist",
        }
        added = head.post(f"/institutions/{NUMBER}/support-workers", json=body)
        assert added.status_code == 201, added.text
        assert number not in added.text and added.json()["first_name"] == "Dirk"
        twice = head.post(f"/institutions/{NUMBER}/support-workers", json=body)
        assert twice.status_code == 409 and number not in twice.text
        wrong = head.post(
            f"/institutions/{NUMBER}/support-workers", json={**body, "national_number": number[:-1] + "0"}
        )
        assert wrong.status_code == 422 and wrong.json()["code"] == "national-number"
        assert number[:-1] not in wrong.text
        unreadable = head.post(f"/institutions/{NUMBER}/support-workers", json={**body, "extra": number})
        assert unreadable.status_code == 422 and number not in unreadable.text
        staff = head.get(f"/institutions/{NUMBER}/staff", params={"name": "Fonteyn"}).text
        assert "Dirk" in staff and number not in staff and "national" not in staff
    assert number not in caplog.text


def test_the_roster_is_put_as_json_or_csv(api: Api) -> None:
    rows = [
        {
            "person_id": f"{90000 + i}",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "category": "Medewerker",
            "status": "Actief",
            "begin_date": "2017-03-02",
            "end_date": "2030-03-02",
        }
        for i in range(1, 31)
    ]
    rows[9]["status"] = "Inactief"  # 90010 still holds a right
    with api.client(api.head) as head:
        put = head.put(f"/institutions/{NUMBER}/roster", json={"rows": rows})
        assert put.status_code == 200, put.text
        report = put.json()
        assert report["left"] == ["90010"] and report["joined"] == []
        assert "90010" in report["report"] and "imported 30 persons" in report["report"]
        leavers = head.get(f"/institutions/{NUMBER}/leavers").json()["items"]
        assert [r["person_id"] for r in leavers] == ["90010"]
        text = "person_id;first_name;last_name;category;status;begin_date;end_date\n" + "".join(
            f"{r['person_id']};{r['first_name']};{r['last_name']};Medewerker;Actief;02/03/2017;02/03/2030\n"
            for r in rows
        )
        csv_put = head.put(
            f"/institutions/{NUMBER}/roster", content=text.encode(), headers={"Content-Type": "text/csv"}
        )
        assert csv_put.status_code == 200 and csv_put.json()["joined"] == ["90010"]
        before = event_count(api.store)
        bad = head.put(
            f"/institutions/{NUMBER}/roster", content=b"person_id\n1\n", headers={"Content-Type": "text/csv"}
        )
        assert bad.status_code == 422 and bad.json()["code"] == "roster-file"
        odd = head.put(f"/institutions/{NUMBER}/roster", content=b"x", headers={"Content-Type": "image/png"})
        assert odd.status_code == 415
        assert event_count(api.store) == before
    with api.client(api.auditor) as auditor:
        assert auditor.put(f"/institutions/{NUMBER}/roster", json={"rows": rows}).status_code == 403


def test_the_openapi_document_describes_every_operation(api: Api) -> None:
    with api.client(None) as anonymous:
        document = anonymous.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operations = [(path, method) for path, item in document["paths"].items() for method in item]
    assert len(operations) == 16
    for path, method in operations:
        operation = document["paths"][path][method]
        assert operation.get("summary") and "422" in operation["responses"], (path, method)
    assert "Problem" in document["components"]["schemas"]
    referenced = set(re.findall(r"#/components/schemas/([A-Za-z0-9_]+)", json.dumps(document)))
    assert referenced <= set(document["components"]["schemas"])  # no dangling $ref
    assert json.dumps(document).count("national_number") >= 1
    with api.client(None) as anonymous:
        assert (
            anonymous.get(api.server.url + "/openapi.json").status_code == 404
        )  # the pages keep theirs hidden
