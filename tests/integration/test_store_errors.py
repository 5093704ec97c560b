"""A busy, read-only or missing store: one clear line, nothing recorded or created."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import NUMBER, Driver, postgres_connection, roster_csv, staff

from grantbook.adapters.store import StoreLocation


def one_line(result: object) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    return lines[0]


@contextmanager
def write_lock(store_url: str) -> Iterator[None]:
    """Another process's connection holding the store's write lock."""
    location = StoreLocation.parse(store_url)
    if location.kind == "sqlite":
        db = sqlite3.connect(str(location.path), isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            db.rollback()
            db.close()
        return
    with postgres_connection() as connection:  # type: ignore[attr-defined]
        tables = [t for (t,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = %s and table_name like %s",
            (location.schema, "%events"),
        )]
        connection.autocommit = False
        for table in tables:
            connection.execute(f'LOCK TABLE "{location.schema}"."{table}" IN EXCLUSIVE MODE')
        try:
            yield
        finally:
            connection.rollback()


def test_a_store_locked_by_another_writer_says_busy(school: Driver) -> None:
    with write_lock(school.store_url):
        started = time.monotonic()
        result = school.run("select", NUMBER, "90001", env={"GRANTBOOK_LOCK_TIMEOUT": "1"})
        waited = time.monotonic() - started
        line = one_line(result)
    assert "busy" in line and "GRANTBOOK_LOCK_TIMEOUT" in line, line
    assert waited < 30
    school.ok("select", NUMBER, "90001")  # once the lock is gone it works
    assert [r["person_id"] for r in school.json("selection", NUMBER)] == ["90001"]


def test_a_deleted_store_is_named_and_nothing_is_created(school: Driver) -> None:
    location = StoreLocation.parse(school.store_url)
    if location.kind == "sqlite":
        assert location.path is not None
        for path in location.path.parent.glob(location.path.name + "*"):
            if not path.name.endswith(".key"):
                path.unlink()
        named = str(location.path)
    else:
        with postgres_connection() as connection:  # type: ignore[attr-defined]
            connection.execute(f'DROP SCHEMA "{location.schema}" CASCADE')
        named = location.schema
    for args in (["rights", NUMBER], ["select", NUMBER, "90001"],
                 ["roster", "import", NUMBER, school.write("r.csv", roster_csv(staff(2)))], ["audit", NUMBER]):
        line = one_line(school.run(*args))
        assert named in line, line
    if location.kind == "sqlite":
        assert location.path is not None and not location.path.exists(), "a new store was created"
    else:
        with postgres_connection() as connection:  # type: ignore[attr-defined]
            found = connection.execute(
                "select count(*) from information_schema.tables where table_schema = %s", (location.schema,)
            ).fetchone()
            assert found == (0,), "tables were created"


@contextmanager
def read_only(store_url: str) -> Iterator[dict[str, str]]:
    """The store's file and folder made immutable, or the server session read-only."""
    location = StoreLocation.parse(store_url)
    if location.kind != "sqlite":
        yield {"PGOPTIONS": "-c default_transaction_read_only=on"}
        return
    assert location.path is not None
    paths = [location.path.parent, *location.path.parent.glob(location.path.name + "*")]
    # chattr, not chmod: the tests may run as root, whom permissions do not stop
    subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    try:
        yield {}
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_a_read_only_store_is_one_line(school: Driver) -> None:
    location = StoreLocation.parse(school.store_url)
    before = school.event_count()
    with read_only(school.store_url) as env:
        line = one_line(school.run("select", NUMBER, "90001", env=env))
    assert "cannot be written" in line or "read-only" in line, line
    assert school.event_count() == before
    if location.kind == "sqlite":
        assert Path(str(location.path)).exists()


@contextmanager
def small_disk(folder: Path) -> Iterator[Path]:
    """A 2 MB file system of its own (tmpfs), unmounted afterwards."""
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_is_one_line(gb: Driver, tmp_path: Path) -> None:
    """A full disk under an SQLite store (a PostgreSQL server's disk is the server's;
    its 'No space left' error maps to the same message). Runs for both store
    parameters, on a file store in a small file system of its own."""
    with small_disk(tmp_path / "small") as folder:
        full = Driver(f"sqlite:///{folder / 'store.db'}", tmp_path)
        full.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", "jan")
        before = full.event_count()
        big = full.write("big.csv", roster_csv(staff(3000)))  # the roster lives outside the small disk
        filler = folder / "filler"
        with filler.open("wb") as out:
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
        line = one_line(full.run("roster", "import", NUMBER, big))
        assert "disk is full or failing" in line, line
        filler.unlink()
        assert full.event_count() == before
        full.ok("roster", "import", NUMBER, big)
