"""Moving to another store: SQLite to PostgreSQL and back, resumable."""

from __future__ import annotations

import pytest
from conftest import IRIS, NUMBER, RRN_1985, Driver, grant, postgres_connection

from grantbook.adapters.store import StoreLocation
from grantbook.adapters.store_copy import copy_events
from grantbook.application import GrantBook


def fill(school: Driver) -> None:
    grant(school, "90001", "90002", "90003", end="2027-06-30")
    worker = school.ok("support-worker", "add", NUMBER, "--rrn", RRN_1985, "--first-name", "A", "--last-name", "B",
                       "--reason", "support").stdout.strip()
    grant(school, worker, end="2026-12-20")
    school.ok("extend", NUMBER, "90002", "--right", IRIS, "--end", "2027-08-31")
    school.ok("revoke", NUMBER, "90003", "--right", IRIS, "--reason", "left")
    for i in range(4, 20):
        school.ok("search", NUMBER, "--name", f"last{i}")


def views(gb: Driver, url: str) -> list[str]:
    with gb.pointed_at(url):
        return [gb.ok(*args, "--format", "json").stdout
                for args in (("audit", NUMBER), ("rights", NUMBER), ("expiring", "--within", "400"))]


def copy(gb: Driver, source: str, target: str):
    return gb.run("store", "copy", "--from", source, "--to", target, actor=None)


def test_copy_to_the_other_kind_and_back(school: Driver, other_store_url: str, tmp_path) -> None:
    fill(school)
    result = copy(school, school.store_url, other_store_url)
    assert result.exit_code == 0, result.stderr
    assert f"copied {school.event_count()} events" in result.stdout
    with school.pointed_at(other_store_url):  # built by the copy: a reader who may not write reads them
        status = school.json("projections", "status")
    assert {row["lag"] for row in status} == {0} and status[0]["head"] == school.event_count()
    assert views(school, other_store_url) == views(school, school.store_url)
    # The hash chains survive the move: the copy verifies.
    verified = school.runner.invoke(__import__("grantbook.cli.main", fromlist=["cli"]).cli,
                                    ["--store", other_store_url, "verify"])
    assert verified.exit_code == 0, verified.stderr
    # And back, into a third, empty store of the first kind.
    back = school.store_url.replace("store.db", "back.db") if school.is_sqlite else None
    if back is not None:
        assert copy(school, other_store_url, back).exit_code == 0
        assert views(school, back) == views(school, school.store_url)
    # Copying again finds everything there already: nothing to do.
    again = copy(school, school.store_url, other_store_url)
    assert again.exit_code == 0 and "copied 0 events" in again.stdout


def test_an_interrupted_copy_is_resumed(school: Driver, other_store_url: str, monkeypatch) -> None:
    fill(school)
    monkeypatch.setattr("grantbook.adapters.store_copy.BATCH", 7)
    source = GrantBook.open(StoreLocation.parse(school.store_url), create=False)
    target = GrantBook.open(StoreLocation.parse(other_store_url), create=True)
    batches = []

    def interrupt_on_third_batch(n: int) -> None:
        batches.append(n)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        copy_events(source.recorder, target.recorder, 0, interrupt_on_third_batch)
    assert target.recorder.max_notification_id() is not None
    source.close()
    target.close()
    result = copy(school, school.store_url, other_store_url)
    assert result.exit_code == 0, result.stderr
    assert f"resumed after {7 * len(batches)} already there" in result.stdout
    assert views(school, other_store_url) == views(school, school.store_url)


def test_a_target_holding_other_events_is_refused(school: Driver, other_store_url: str) -> None:
    fill(school)
    with school.pointed_at(other_store_url):
        school.ok("institution", "register", "111111", "--name", "Else", "--admin", "jan")
    result = copy(school, school.store_url, other_store_url)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: store: the target store holds events that are not a prefix")


def test_copy_from_a_missing_store_creates_nothing(gb: Driver, other_store_url: str, tmp_path) -> None:
    result = copy(gb, gb.store_url, other_store_url)
    assert result.exit_code == 1 and "nothing was created" in result.stderr


def burn_positions(store_url: str, how_many: int = 500) -> None:
    """What a rolled-back transaction does on PostgreSQL: the sequence moves on, no row is written."""
    location = StoreLocation.parse(store_url)
    GrantBook.open(location, create=True).close()
    with postgres_connection() as connection:  # type: ignore[attr-defined]
        sequence = f'"{location.schema}".grantbook_events'
        connection.execute("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), "
                           "nextval(pg_get_serial_sequence(%s, 'notification_id')) + %s)",
                           (sequence, sequence, how_many))


def positions(gb: Driver, url: str) -> list[int]:
    with gb.pointed_at(url):
        return [row["position"] for row in gb.json("audit", NUMBER)]


def test_events_keep_their_positions_and_checkpoints_verify_on_the_copy(
    school: Driver, other_store_url: str, tmp_path
) -> None:
    """Positions are shown in the audit trail and recorded in checkpoints: a copy must not renumber.
    PostgreSQL leaves gaps (a rolled-back insert uses up sequence numbers); they are kept too."""
    school.ok("search", NUMBER, "--name", "before the gap")
    if not school.is_sqlite:
        burn_positions(school.store_url)  # a gap in the source
    else:
        burn_positions(other_store_url)  # an earlier attempt at the target was rolled back
    fill(school)
    school.ok("keys", "generate", "--private", str(tmp_path / "k.pem"), "--public", str(tmp_path / "k.pub"), actor=None)
    school.ok("checkpoint", "--key", str(tmp_path / "k.pem"), "--out", str(tmp_path / "c.json"), actor=None)

    assert copy(school, school.store_url, other_store_url).exit_code == 0
    assert positions(school, other_store_url) == positions(school, school.store_url)
    with school.pointed_at(other_store_url):
        school.ok("verify", "--checkpoint", str(tmp_path / "c.json"), "--public-key", str(tmp_path / "k.pub"),
                  actor=None)
        # Work goes on in the copy, after the copied events.
        last = positions(school, other_store_url)[-1]
        school.ok("search", NUMBER, "--name", "after the move")
        assert positions(school, other_store_url)[-1] > last
