"""Shared fixtures: a real SQLite store in a temp folder, a pinned clock,
and a CLI driver that checks refusals leave the store unchanged."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import throwaway_postgres
from click.testing import CliRunner, Result
from freezegun import configure, freeze_time
from throwaway_postgres import answers

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.cli.main import cli

# Frozen time must not reach the database drivers: psycopg's and the pool's
# timeouts would wait on a clock that never moves. Our own code passes every
# timestamp explicitly, so the library needs no frozen clock either.
configure(extend_ignore_list=["psycopg", "psycopg_pool", "psycopg_binary", "eventsourcing"])
# psycopg's C speed-ups check the size of the datetime types when first imported: import them
# before any test freezes time, or they see freezegun's fake classes.
try:
    import psycopg  # noqa: F401
except ImportError:  # pragma: no cover - the postgres extra is part of the test install
    pass

NUMBER = "034793"
IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
ADMIN = "jan"
ROSTER_HEADER = "person_id,first_name,last_name,category,status,begin_date,end_date"
# Valid test numbers (check digits correct), not real persons' numbers.
RRN_1985 = "85073003328"
RRN_2001 = "01010112301"


def valid_rrn(birth: str, serial: int, born_2000_or_later: bool = False) -> str:
    """A national register number with correct check digits (YYMMDD, serial)."""
    base = f"{birth}{serial:03d}"
    check = 97 - int(("2" if born_2000_or_later else "") + base) % 97
    return f"{base}{check:02d}"


def roster_csv(rows: list[tuple[str, ...]], header: str = ROSTER_HEADER, sep: str = ",") -> str:
    lines = [header.replace(",", sep)] + [sep.join(r) for r in rows]
    return "\n".join(lines) + "\n"


def staff(n: int, start: int = 1, status: str = "Actief") -> list[tuple[str, ...]]:
    return [
        (f"{90000 + i}", f"First{i}", f"Last{i}", "Medewerker", status, "02/03/2017", "02/03/2030")
        for i in range(start, start + n)
    ]




def _postgres_url() -> str:
    """The machine's PostgreSQL (GRANTBOOK_TEST_POSTGRES) when it answers, else a throwaway one.

    The PostgreSQL half of the suite never skips: on a machine with only
    Python it runs against a server started from the `pgserver` wheel."""
    url = os.environ.get("GRANTBOOK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    location = StoreLocation.parse(url)
    if answers(location.host or "127.0.0.1", int(location.port or 5432)):
        return url
    return throwaway_postgres.start()


# Where the PostgreSQL tests run; each test gets a schema of its own there.
POSTGRES_URL = _postgres_url()


def postgres_connection() -> object:
    import psycopg

    from grantbook.adapters.store import StoreLocation

    location = StoreLocation.parse(POSTGRES_URL)
    return psycopg.connect(
        host=location.host, port=location.port, dbname=location.dbname,
        user=location.user or None, password=location.password or None, autocommit=True,
    )


def fresh_store(kind: str, folder: Path, name: str = "store") -> Iterator[str]:
    """A new, empty, real store of a kind; a server schema is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    schema = "gbt_" + uuid.uuid4().hex[:12]
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}schema={schema}"
    with postgres_connection() as connection:  # type: ignore[attr-defined]
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, real store: an SQLite file, or a new schema on the PostgreSQL server."""
    yield from fresh_store(request.param, tmp_path)


@pytest.fixture
def other_store_url(store_url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh store, of the other kind than ``store_url``."""
    yield from fresh_store("postgres" if store_url.startswith("sqlite:") else "sqlite", tmp_path, "other")


def store_contents(store_url: str) -> list[bytes]:
    """Every byte the store keeps: files (SQLite) and every row of every table."""
    from grantbook.adapters.store import StoreLocation

    location = StoreLocation.parse(store_url)
    blobs: list[bytes] = []
    if location.kind == "sqlite":
        import sqlite3

        assert location.path is not None
        blobs += [p.read_bytes() for p in location.path.parent.glob(location.path.name + "*") if not p.name.endswith(".key")]
        db = sqlite3.connect(location.path)
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            blobs += [repr(row).encode() for row in db.execute(f'select * from "{table}"')]
        db.close()
        return blobs
    with postgres_connection() as connection:  # type: ignore[attr-defined]
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = %s order by table_name",
            (location.schema,),
        ).fetchall()
        assert tables, "no tables found in the test schema"
        for (table,) in tables:  # rows in a stable order: PostgreSQL returns them in any order
            rows = connection.execute(f'select * from "{location.schema}"."{table}"').fetchall()
            for row in sorted(rows, key=repr):
                blobs.append(repr(row).encode())
                blobs += [bytes(v) for v in row if isinstance(v, (bytes, memoryview))]
    return blobs


class Driver:
    """Runs grantbook commands in-process against one store."""

    def __init__(self, store_url: str, workdir: Path) -> None:
        self.store_url = store_url
        self.workdir = workdir
        self.runner = CliRunner()
        self.is_sqlite = store_url.startswith("sqlite:")
        # An SQLite store keeps its key beside the database; a server store is told where.
        self.key_path = workdir / ("store.db.key" if self.is_sqlite else "store.key")
        self.base_env = {} if self.is_sqlite else {"GRANTBOOK_KEY_FILE": str(self.key_path)}

    @contextmanager
    def pointed_at(self, url: str) -> Iterator[Driver]:
        """The same driver, for a while against another store."""
        saved, self.store_url = self.store_url, url
        try:
            yield self
        finally:
            self.store_url = saved

    def run(self, *args: str, actor: str | None = ADMIN, env: dict[str, str] | None = None) -> Result:
        full = ["--store", self.store_url]
        if actor is not None:
            full += ["--as", actor]
        environment: dict[str, str | None] = {
            "GRANTBOOK_STORE": None, "GRANTBOOK_ACTOR": None, "GRANTBOOK_KEY_FILE": None,
        }
        environment.update(self.base_env)
        environment.update(env or {})
        return self.runner.invoke(cli, [*full, *args], env=environment, catch_exceptions=False)

    def ok(self, *args: str, **kwargs: object) -> Result:
        result = self.run(*args, **kwargs)  # type: ignore[arg-type]
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def json(self, *args: str, **kwargs: object) -> list[dict[str, object]]:
        return json.loads(self.ok(*args, "--format", "json", **kwargs).stdout)

    def event_count(self) -> int:
        from grantbook.errors import StoreError

        try:
            app = GrantBook.open(StoreLocation.parse(self.store_url), create=False)
        except StoreError:
            return 0
        try:
            return app.recorder.max_notification_id() or 0
        finally:
            app.close()

    def refused(self, *args: str, rule: str, contains: str = "", code: int = 1, **kwargs: object) -> Result:
        """The command exits ``code`` (1 refused, 2 malformed) with one line
        ``error: <rule>: ...``; nothing recorded."""
        before = self.event_count()
        result = self.run(*args, **kwargs)  # type: ignore[arg-type]
        assert result.exit_code == code, (result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert re.match(r"error: [a-z][a-z-]*: ", lines[0]), lines
        assert rule in lines[0], lines[0]
        assert rule in lines[0], lines[0]
        assert contains in lines[0], lines[0]
        assert "Traceback" not in result.stderr + result.stdout
        assert self.event_count() == before, "a refused command recorded events"
        return result

    def write(self, name: str, text: str | bytes) -> str:
        path = self.workdir / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)


@pytest.fixture
def clock() -> Iterator[object]:
    with freeze_time("2026-11-30 09:00:00", tz_offset=0) as frozen:
        yield frozen


@pytest.fixture
def gb(store_url: str, tmp_path: Path, clock: object) -> Driver:
    return Driver(store_url, tmp_path)


@pytest.fixture
def school(gb: Driver) -> Driver:
    """Institution 034793 with administrators jan and mia and 30 staff."""
    gb.ok("institution", "register", NUMBER, "--name", "De Linde", "--admin", ADMIN, "--admin", "mia")
    rows = staff(30) + [("80001", "Old", "Timer", "Medewerker", "Inactief", "01/09/2000", "")]
    gb.ok("roster", "import", NUMBER, gb.write("roster.csv", roster_csv(rows)))
    return gb


def grant(gb: Driver, *person_ids: str, begin: str = "2026-11-30", end: str = "2027-08-31",
          context: str = "Gebruiker", actor: str = ADMIN) -> None:
    gb.ok("select", NUMBER, *person_ids, actor=actor)
    gb.ok("assign", NUMBER, "--right", IRIS, "--context", context, "--begin", begin, "--end", end, actor=actor)
    gb.ok("confirm", NUMBER, actor=actor)


# The browser tests' fixtures (headless Chromium, a page per test): tests/browser.py.
from browser import browser, page  # noqa: E402,F401
