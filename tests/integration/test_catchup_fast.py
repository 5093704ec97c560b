"""The fast catch-up's write and read paths (docs/adr/0028) keep what the plain ones gave, on both
stores: a load from nothing equals a catch-up page by page, rows written as tuples or through the
driver's ``executemany`` equal what SQLAlchemy writes, the SQLite store's rows read directly are
the events the library reads, and a parallel rebuild leaves no part attached and the page cache as
it was, also when it fails half way."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Driver
from sqlalchemy import bindparam, delete, insert, select, update
from test_parallel_replay import read_model_rows, rebuild, region  # noqa: F401 - fixtures

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.projections import parallel, parts_copy, read_models, runner
from grantbook.projections.audit import persons
from grantbook.projections.db import Batch, insert_many
from grantbook.projections.people import people
from grantbook.projections.projection import Change


def _catch_up(url: str, bulk_from: int) -> int:
    app = GrantBook.open(StoreLocation.parse(url), create=False)
    models = read_models(app)
    try:
        models.empty()
        models.bulk_from = bulk_from
        return models.catch_up()
    finally:
        models.close()
        app.close()


def test_a_load_from_nothing_equals_a_catch_up_in_small_pages(
    region: Driver, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    loaded = _catch_up(region.store_url, bulk_from=1)  # one transaction, indexes made at the end
    expected = read_model_rows(region.store_url)
    assert expected["gb_rights"] and expected["gb_audit"] and expected["gb_audit_persons"]
    assert expected["gb_people"] and expected["gb_chain"] and expected["gb_rights_history"]
    monkeypatch.setattr(runner, "PAGE", 7)  # many pages: rows found in the tables, updated there
    assert _catch_up(region.store_url, bulk_from=10**9) == loaded
    assert read_model_rows(region.store_url) == expected


def test_rows_as_tuples_and_the_drivers_executemany_write_what_sqlalchemy_writes(store_url: str) -> None:
    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    models = read_models(app)
    try:
        pairs = [(f"p{n}", n) for n in range(5)]
        with pytest.raises(_Undo), models.db.writing() as connection:
            batch = Batch(connection)
            for person, position in pairs[:3]:
                batch.add(insert(persons), (person, position))  # tuples, in column order
            batch.flush()
            insert_many(connection, insert(persons), [{"position": 4, "person_id": "p4"},
                                                      {"person_id": "p3", "position": 3}])
            written = sorted(connection.execute(select(persons.c.person_id, persons.c.position)).all())
            assert written == sorted(pairs)
            # A DELETE and an UPDATE with parameters only; an UPDATE with a value of its own.
            insert_many(connection, delete(persons).where(persons.c.person_id == bindparam("who")),
                        [{"who": "p0"}, {"who": "p2"}])
            rows = [{"originator_id": "i", "person_id": p, "status": "Actief", "support_worker": 0}
                    for p in ("a", "b", "c")]
            insert_many(connection, insert(people), rows)
            insert_many(connection, update(people).where(people.c.person_id == bindparam("pid")),
                        [{"pid": "a", "first_name": "Ann"}, {"pid": "b", "first_name": "Bo"}])
            left = update(people).where(people.c.person_id == bindparam("pid")).values(status="Inactief")
            insert_many(connection, left, [{"pid": "b"}, {"pid": "c"}])
            kept = sorted(connection.execute(select(persons.c.person_id)).scalars())
            staff = sorted(connection.execute(select(people.c.person_id, people.c.first_name,
                                                     people.c.status)).all())
            raise _Undo
        assert kept == ["p1", "p3", "p4"]
        assert staff == [("a", "Ann", "Actief"), ("b", "Bo", "Inactief"), ("c", "", "Inactief")]
    finally:
        models.close()
        app.close()


class _Undo(Exception):
    """Raised to roll the test's writes back."""


def _fields(change: Change) -> tuple[Any, ...]:
    return (change.position, change.topic, change.originator_id, change.version, change.stored,
            change.state)


def test_the_sqlite_stores_rows_are_the_events_the_library_reads(region: Driver) -> None:  # noqa: F811
    app = GrantBook.open(StoreLocation.parse(region.store_url), create=False)
    models = read_models(app)
    try:
        head = models.head()
        rights = [p for p in models.projections if p.name == "rights"]
        every = list(models.projections)
        for position, limit, group in [(0, 10_000, every), (3, 5, every), (0, 4, rights), (9, 10_000, rights)]:
            mine, end = models._read(group, position, head, limit)
            topics = tuple(sorted({t for p in group for t in p.topics})) if all(p.topics for p in group) else ()
            page = app.recorder.select_notifications(
                start=position, limit=limit, stop=head, topics=topics, inclusive_of_start=False
            )
            assert [_fields(c) for c in mine] == [_fields(Change.of(n, app.mapper)) for n in page]
            assert mine and end == (page[-1].id if len(page) == limit else head)
        fast = models._rows(0, head, 10, ())
        assert (fast is not None) == (models.db.kind == "sqlite")  # PostgreSQL: the library reads
    finally:
        models.close()
        app.close()


# Parts are attached on SQLite only (PostgreSQL copies them in with COPY): these run on SQLite alone.
SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def _attached_and_cache(models: Any) -> tuple[list[str], int]:
    raw = models.db.connection().connection.dbapi_connection
    names = [row[1] for row in raw.execute("PRAGMA database_list").fetchall()]
    return names, raw.execute("PRAGMA cache_size").fetchone()[0]


@SQLITE_ONLY
def test_a_parallel_rebuild_detaches_its_parts_and_rolls_back_whole(
    region: Driver, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    rebuild(region.store_url, 1)
    expected = read_model_rows(region.store_url)
    app = GrantBook.open(StoreLocation.parse(region.store_url), create=False)
    models = read_models(app)
    try:
        before = _attached_and_cache(models)
        assert before[0] == ["main"]
        copy = parts_copy.copy_sqlite

        def copy_then_fail(*args: Any) -> None:
            copy(*args)
            raise RuntimeError("disk full")

        monkeypatch.setattr(parts_copy, "copy_sqlite", copy_then_fail)
        with pytest.raises(RuntimeError, match="disk full"):
            models.rebuild(processes=2)
        assert _attached_and_cache(models) == before  # detached, the cache as it was
        assert read_model_rows(region.store_url) == expected  # rolled back: nothing emptied
        monkeypatch.setattr(parts_copy, "copy_sqlite", copy)
        for _ in range(2):  # the same names attached again, in the same connection
            models.rebuild(processes=2)
            assert _attached_and_cache(models) == before
            assert read_model_rows(region.store_url) == expected
    finally:
        models.close()
        app.close()


@SQLITE_ONLY
def test_more_parts_than_sqlite_attaches_at_once_give_the_same_read_models(region: Driver) -> None:  # noqa: F811
    serial_applied = rebuild(region.store_url, 1)
    serial = read_model_rows(region.store_url)
    assert rebuild(region.store_url, 12) == serial_applied  # 11 parts to copy; SQLite attaches 10
    assert read_model_rows(region.store_url) == serial
