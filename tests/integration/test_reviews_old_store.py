"""A store written by release 0.1.0 takes access reviews (docs/adr/0025): the new events only add,
the institution loaded from its old snapshot goes on as its replay does, and its chains and the
0.1.0 checkpoint still verify afterwards."""

from __future__ import annotations

from conftest import Driver
from eventsourcing.application import project_aggregate
from freezegun import freeze_time
from test_old_store import FIXTURE, old_store  # noqa: F401  (the fixture)

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Institution


def test_an_old_store_takes_a_review_and_still_verifies(old_store: Driver) -> None:  # noqa: F811
    with freeze_time("2026-12-02 09:00:00", tz_offset=0):
        assert old_store.ok(
            "review", "start", "034793", "--name", "Jaarlijks", "--due", "2026-12-15", "--if-undecided", "recommendation",
            actor="jan",
        ).stdout == "R1\n"
        rows = old_store.json("review", "show", "034793", "R1", actor=None)
        assert rows and {r["outcome"] for r in rows} == {""}
        first = next(r for r in rows if r["person_id"] != "mia")
        old_store.ok("review", "decide", "034793", "R1", first["grant_id"], "revoke", "--reason", "weg", actor="mia")
    with freeze_time("2026-12-16 09:00:00", tz_offset=0):
        assert old_store.ok("review", "run", actor="notifier").stdout.startswith("closed 034793 R1 (Jaarlijks)")
    shown = {r["grant_id"]: r for r in old_store.json("review", "show", "034793", "R1", actor=None)}
    assert shown[first["grant_id"]]["outcome"] == "revoked"
    old_store.ok(
        "verify", "--checkpoint", str(FIXTURE / "checkpoint.json"), "--public-key", str(FIXTURE / "auditor.pub.pem"),
        actor=None,
    )
    app = GrantBook.open(StoreLocation.parse(old_store.store_url), create=False)
    try:
        institution_id = Institution.id_for("034793")
        loaded = app.repository.get(institution_id)
        replayed = project_aggregate(None, app.events.get(institution_id))
        assert loaded.state == replayed.state and loaded.head_hash == replayed.head_hash
        assert loaded.state.reviews["R1"].closed_by == "notifier"
    finally:
        app.close()
