"""Tamper evidence: the store is altered through its own database, and
``verify`` finds it (hash chain, or checkpoint), naming where."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from conftest import IRIS, NUMBER, RRN_1985, Driver, grant, postgres_connection

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, Institution, RosterEntry

OTHER = "123456"
A = Institution.id_for(NUMBER)
B = Institution.id_for(OTHER)


class Database:
    """The store's events table, reached with the database's own driver."""

    def __init__(self, store_url: str) -> None:
        self.location = StoreLocation.parse(store_url)
        self.sqlite = self.location.kind == "sqlite"
        if self.sqlite:
            self.table, self.id_column, self.mark = "stored_events", "rowid", "?"
        else:
            self.table = f'"{self.location.schema}".grantbook_events'
            self.id_column, self.mark = "notification_id", "%s"

    @contextmanager
    def connect(self) -> Iterator[Any]:
        if self.sqlite:
            connection = sqlite3.connect(self.location.path)
            try:
                yield connection
                connection.commit()
            finally:
                connection.close()
        else:
            with postgres_connection() as connection:  # type: ignore[attr-defined]
                yield connection

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        statement = statement.replace("?", self.mark).replace("EVENTS", self.table).replace("ID", self.id_column)
        key = [p.hex if isinstance(p, UUID) and self.sqlite else p for p in params]
        with self.connect() as connection:
            cursor = connection.execute(statement, key)
            return list(cursor.fetchall()) if cursor.description else []

    def event(self, oid: UUID, version: int) -> tuple[int, str, bytes]:
        [(position, topic, state)] = self.sql(
            "SELECT ID, topic, state FROM EVENTS WHERE originator_id = ? AND originator_version = ?", oid, version
        )
        return position, topic, bytes(state)

    def last_version(self, oid: UUID) -> int:
        return self.sql("SELECT max(originator_version) FROM EVENTS WHERE originator_id = ?", oid)[0][0]

    def set_event(self, oid: UUID, version: int, topic: str, state: bytes) -> None:
        self.sql("UPDATE EVENTS SET topic = ?, state = ? WHERE originator_id = ? AND originator_version = ?",
                 topic, state, oid, version)

    def delete(self, oid: UUID, version: int) -> None:
        self.sql("DELETE FROM EVENTS WHERE originator_id = ? AND originator_version = ?", oid, version)

    def insert(self, oid: UUID, version: int, topic: str, state: bytes) -> int:
        self.sql("INSERT INTO EVENTS (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                 oid, version, topic, state)
        return self.event(oid, version)[0]


@pytest.fixture
def history(school: Driver) -> Driver:
    """Two institutions with grants, a support worker, a revocation and an
    appointment (written through the application: quicker than the CLI)."""
    app = GrantBook.open(StoreLocation.parse(school.store_url), create=False, key_file=school.key_path)
    try:
        jan, els = Act("jan", datetime.now(UTC)), Act("els", datetime.now(UTC))
        app.register_institution(els, OTHER, "De Eik", ["els"])
        app.import_roster(els, OTHER, [RosterEntry(person_id="70001", first_name="Ann", last_name="Eik",
                                                   category="Medewerker", status="Actief",
                                                   begin_date=date(2020, 9, 1))])
        worker = app.add_support_worker(jan, NUMBER, RRN_1985, "A", "B", reason="ondersteuner").person_id
        for persons in (["90001", "90002"], [worker]):
            app.select(jan, NUMBER, persons)
            app.assign(jan, NUMBER, IRIS, "Gebruiker", date(2026, 11, 30), date(2027, 8, 31))
            app.confirm(jan, NUMBER)
        app.revoke(jan, NUMBER, "90002", IRIS, reason="left")
        app.appoint_administrator(jan, NUMBER, "piet")
    finally:
        app.close()
    return school


def verify(gb: Driver, *args: str) -> Any:
    # Needs neither an acting person nor the key of national register numbers.
    return gb.run("verify", *args, actor=None, env={"GRANTBOOK_KEY_FILE": str(gb.workdir / "absent.key")})


def assert_broken(gb: Driver, *args: str, institution: str, position: int | None = None, says: str = "") -> str:
    result = verify(gb, *args)
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: integrity: "), result.stderr
    assert f"institution {institution}" in lines[0], lines[0]
    if position is not None:
        assert f"position {position}:" in lines[0], lines[0]
    assert says in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def signed(history: Driver) -> tuple[Driver, list[str]]:
    gb = history
    gb.ok("keys", "generate", "--private", str(gb.workdir / "a.pem"), "--public", str(gb.workdir / "a.pub"),
          actor=None)
    gb.ok("checkpoint", "--key", str(gb.workdir / "a.pem"), "--out", str(gb.workdir / "c1.json"), actor=None)
    return gb, ["--checkpoint", str(gb.workdir / "c1.json"), "--public-key", str(gb.workdir / "a.pub")]


def test_untouched_store_verifies_and_says_what_it_checked(signed: tuple[Driver, list[str]]) -> None:
    gb, args = signed
    total = gb.event_count()
    result = verify(gb)
    assert result.exit_code == 0, result.stderr
    assert f"verified {total} events of 2 institutions up to position {total}" in result.stdout
    # The store grows after the checkpoint: still fine.
    grant(gb, "90003")
    result = verify(gb, *args)
    assert result.exit_code == 0, result.stderr
    assert "signature valid" in result.stdout and "only grown" in result.stdout
    # A second checkpoint, both checked in one pass.
    gb.ok("checkpoint", "--key", str(gb.workdir / "a.pem"), "--out", str(gb.workdir / "c2.json"), actor=None)
    result = verify(gb, *args, "--checkpoint", str(gb.workdir / "c2.json"))
    assert result.exit_code == 0 and result.stdout.count("signature valid") == 2
    # Without the public key the signature is not checked: that is no proof, and it says so.
    unchecked = verify(gb, "--checkpoint", str(gb.workdir / "c1.json"))
    assert unchecked.exit_code == 1 and "c1.json was not checked: give --public-key" in unchecked.stderr


def test_a_changed_field_breaks_the_chain(history: Driver) -> None:
    db = Database(history.store_url)
    position, topic, state = db.event(A, 5)  # the first AssignmentConfirmed's neighbourhood
    data = json.loads(state)
    data["timestamp"] = "2020-01-01T00:00:00+00:00"
    db.set_event(A, 5, topic, json.dumps(data, sort_keys=True, separators=(",", ":")).encode())
    # named: the event that was changed (version 5), and the one whose link no longer fits it
    assert_broken(history, institution=NUMBER, position=position, says="version 6 (grantbook:")


def test_a_changed_grant_period_breaks_the_chain(history: Driver) -> None:
    db = Database(history.store_url)
    version = next(v for v in range(1, db.last_version(A)) if db.event(A, v)[1] == "grantbook:AssignmentConfirmed")
    position, topic, state = db.event(A, version)
    db.set_event(A, version, topic, state.replace(b'"2027-08-31"', b'"2029-08-31"'))
    assert_broken(history, institution=NUMBER, position=position, says=f"version {version} was changed")


def test_a_deleted_event_is_found(history: Driver) -> None:
    db = Database(history.store_url)
    db.delete(A, 4)
    assert_broken(history, institution=NUMBER, position=db.event(A, 5)[0], says="removed or reordered")
    # A broken store is never checkpointed.
    history.ok("keys", "generate", "--private", str(history.workdir / "k.pem"), "--public",
               str(history.workdir / "k.pub"), actor=None)
    result = history.run("checkpoint", "--key", str(history.workdir / "k.pem"), "--out",
                         str(history.workdir / "c.json"), actor=None)
    assert result.exit_code == 1 and "institution 034793" in result.stderr
    assert not (history.workdir / "c.json").exists()


def test_deleting_the_last_events_is_caught_by_the_checkpoint(signed: tuple[Driver, list[str]]) -> None:
    gb, args = signed
    db = Database(gb.store_url)
    last = db.last_version(A)
    db.delete(A, last)
    db.delete(A, last - 1)
    assert verify(gb).exit_code == 0  # each chain alone is still intact ...
    assert_broken(gb, *args, institution=NUMBER, says=f"recorded {last} events")  # ... but not the history


def test_changing_the_last_event_is_caught_by_the_checkpoint(signed: tuple[Driver, list[str]]) -> None:
    gb, args = signed
    db = Database(gb.store_url)
    last = db.last_version(A)
    _, topic, state = db.event(A, last)
    db.set_event(A, last, topic, state.replace(b'"piet"', b'"eve0"'))
    assert verify(gb).exit_code == 0
    assert_broken(gb, *args, institution=NUMBER, says="differs from checkpoint")


def test_swapped_events_are_found(history: Driver) -> None:
    db = Database(history.store_url)
    _, topic3, state3 = db.event(A, 3)
    _, topic4, state4 = db.event(A, 4)
    db.set_event(A, 3, topic4, state4)
    db.set_event(A, 4, topic3, state3)
    assert_broken(history, institution=NUMBER, position=db.event(A, 2)[0],
                  says=f"position {db.event(A, 3)[0]}) recorded")


def test_a_forged_event_is_found(history: Driver) -> None:
    db = Database(history.store_url)
    last = db.last_version(A)
    _, topic, state = db.event(A, last)
    forged = json.loads(state)
    forged["person_id"] = "mallory"
    forged["head"] = True
    forged["previous_hash"] = "0" * 64
    position = db.insert(A, last + 1, topic, json.dumps(forged, sort_keys=True, separators=(",", ":")).encode())
    assert_broken(history, institution=NUMBER, position=db.event(A, last)[0],
                  says=f"position {position}) recorded")
    assert "forged, copied or moved" in verify(history).stderr


def test_an_event_copied_from_another_institution_is_found(history: Driver) -> None:
    db = Database(history.store_url)
    _, topic, state = db.event(B, 2)
    last = db.last_version(A)
    db.insert(A, last + 1, topic, state)
    assert_broken(history, institution=NUMBER, position=db.event(A, last)[0],
                  says=f"version {last + 1} was forged, copied or moved")


def test_a_checkpoint_that_was_altered_or_signed_by_another_key_is_refused(signed: tuple[Driver, list[str]]) -> None:
    gb, args = signed
    path = gb.workdir / "c1.json"
    gb.ok("keys", "generate", "--private", str(gb.workdir / "b.pem"), "--public", str(gb.workdir / "b.pub"),
          actor=None)
    result = verify(gb, "--checkpoint", str(path), "--public-key", str(gb.workdir / "b.pub"))
    assert result.exit_code == 1 and "signature does not match" in result.stderr
    document = json.loads(path.read_text())
    document["institutions"][0]["version"] += 5
    path.write_text(json.dumps(document))
    result = verify(gb, *args)
    assert result.exit_code == 1 and "root hash does not match" in result.stderr
    gb.write("junk.json", "{}")
    assert "not a grantbook checkpoint" in verify(gb, "--checkpoint", str(gb.workdir / "junk.json")).stderr
    # A key file is never overwritten.
    again = gb.run("keys", "generate", "--private", str(gb.workdir / "a.pem"), "--public", str(gb.workdir / "x.pub"))
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_private_key_is_private_and_audit_hides_the_chain(signed: tuple[Driver, list[str]]) -> None:
    gb, _ = signed
    assert (gb.workdir / "a.pem").stat().st_mode & 0o077 == 0
    assert all("previous_hash" not in row["details"] for row in gb.json("audit", NUMBER))


def test_verify_on_a_missing_store_creates_nothing(gb: Driver, tmp_path: Path) -> None:
    result = verify(gb)
    assert result.exit_code == 1 and "nothing was created" in result.stderr


def test_large_stores_show_progress_on_stderr(history: Driver, monkeypatch: pytest.MonkeyPatch) -> None:
    from grantbook.cli import verify as verify_cmd

    monkeypatch.setattr(verify_cmd, "PROGRESS_FROM", 1)
    result = verify(history)
    assert result.exit_code == 0 and "verify" in result.stderr
    assert "verified" in result.stdout and "verified" not in result.stderr


def test_a_read_model_row_edited_by_hand_is_named(history: Driver) -> None:
    """The tables every report reads are checked against the events too, not only the chains."""
    from sqlalchemy import delete, select, update

    from grantbook.projections import read_models
    from grantbook.projections.audit import audit
    from grantbook.projections.rights import rights

    assert "read models: every row matches" in verify(history).stdout
    app = GrantBook.open(StoreLocation.parse(history.store_url), create=False)
    models = read_models(app)
    try:
        with models.db.writing() as connection:
            grant_id = connection.execute(select(rights.c.grant_id).limit(1)).scalar()
            connection.execute(update(rights).where(rights.c.grant_id == grant_id).values(end_day="2099-12-31"))
    finally:
        models.close()
        app.close()
    result = verify(history)
    assert result.exit_code == 1 and "every hash chain is intact" in result.stdout  # the table is not
    line = result.stderr.strip()
    assert line.startswith("error: integrity: read models: gb_rights row grant_id=")
    assert "differs from what the events say in end_day" in line and "projections rebuild" in line
    history.ok("projections", "rebuild")
    app = GrantBook.open(StoreLocation.parse(history.store_url), create=False)
    models = read_models(app)
    try:
        with models.db.writing() as connection:  # a line of the audit trail removed
            connection.execute(delete(audit).where(audit.c.position == 3))
    finally:
        models.close()
        app.close()
    assert "gb_audit row position=3 is missing" in verify(history).stderr


def test_reading_commands_refuse_an_institution_whose_chain_a_rebuild_found_broken(history: Driver) -> None:
    db = Database(history.store_url)
    position, topic, state = db.event(A, 5)
    db.set_event(A, 5, topic, state.replace(b'"jan"', b'"eve"', 1))
    history.ok("projections", "rebuild", actor=None)  # the read models check each link as they apply it
    refused = history.run("rights", NUMBER)
    assert refused.exit_code == 1 and refused.stdout == ""
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith(f"error: integrity: the hash chain is broken (institution {NUMBER} at position")
    assert "--ignore-integrity" in line
    across = history.run("expiring", "--within", "365")  # a question across institutions names it
    assert across.exit_code == 1 and f"institution {NUMBER}" in across.stderr
    anyway = history.run("rights", NUMBER, "--ignore-integrity", "--format", "json")
    assert anyway.exit_code == 0 and json.loads(anyway.stdout)
    assert anyway.stderr.startswith("warning: integrity: the hash chain is broken")
    assert history.run("rights", OTHER).exit_code == 0  # the other institution's chain is intact


def test_notify_skips_an_institution_whose_chain_is_broken_and_serves_the_others(history: Driver) -> None:
    """What is "due" at a school whose history was altered cannot be trusted: no mail for it, named
    on an error line (exit 1); the other school's administrator is still told."""
    from mailserver import MailServer

    history.ok("admin", "email", NUMBER, "jan", "jan@delinde.example")
    history.ok("admin", "email", OTHER, "els", "els@eik.example", actor="els")
    history.ok("grant", OTHER, "70001", "--right", "iris", "--context", "Gebruiker",
               "--begin", "2026-11-30", "--end", "2027-08-31", actor="els")
    db = Database(history.store_url)
    position, topic, state = db.event(A, 5)
    db.set_event(A, 5, topic, state.replace(b'"jan"', b'"eve"', 1))
    history.ok("projections", "rebuild", actor=None)
    server = MailServer()
    server.start()
    try:
        sent = history.run("notify", "--on", "2027-08-20", "--smtp", server.url, "--from", "gb@eik.example")
        received = [m["X-Envelope-To"] for m in server.inbox.messages]
    finally:
        server.stop()
    assert sent.exit_code == 1, sent.stderr
    assert received == ["els@eik.example"]
    [line] = [x for x in sent.stderr.splitlines() if x.startswith("error:")]
    assert line.startswith(f"error: integrity: the hash chain is broken (institution {NUMBER} at position")
    assert "no notices sent for it" in line
