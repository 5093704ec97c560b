"""The read models' snapshot on PostgreSQL: one repeatable-read, read-only transaction started by a
single BEGIN (projections/db.py), after which the same connection writes as before; and one
institution's question (who may see it, whether its chain is intact) asked in one statement."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ADMIN, NUMBER, grant
from sqlalchemy import event, update

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.projections import read_models, views
from grantbook.projections.chain import chain
from grantbook.projections.runner import tracking

POSTGRES_ONLY = pytest.mark.parametrize("store_url", ["postgres"], indirect=True)


def settings(connection) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    isolation = connection.exec_driver_sql("SHOW transaction_isolation").scalar()
    read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
    return isolation, read_only


@POSTGRES_ONLY
def test_a_snapshot_is_repeatable_read_and_read_only_and_a_write_after_it_is_not(store_url: str) -> None:
    app = GrantBook.open(StoreLocation.parse(store_url), create=True)
    models = read_models(app)
    try:
        models.catch_up()
        sent: list[str] = []
        event.listen(models.db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        with models.db.snapshot() as connection:
            assert settings(connection) == ("repeatable read", "on")
        assert not any(s.upper().startswith("SET TRANSACTION") for s in sent), sent
        with models.db.writing() as connection:
            assert settings(connection) == ("read committed", "off")
            connection.execute(update(tracking).values(position=tracking.c.position))  # may write
        with models.db.snapshot() as connection:  # and the next snapshot is one again
            assert settings(connection) == ("repeatable read", "on")
    finally:
        models.close()
        app.close()


def test_one_institution_is_asked_in_one_statement_and_a_broken_chain_still_refuses(
    school, store_url: str
) -> None:
    grant(school, "90001", "90002")
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    models = read_models(app)
    reader = views.Reader(ADMIN)
    try:
        views.ask(models, views.rights_on, reader, NUMBER, date(2026, 12, 1))  # caught up
        sent: list[str] = []
        event.listen(models.db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        with models.db.snapshot() as connection:
            found = views.core.one(connection, reader, NUMBER)
        assert found["number"] == NUMBER and found["roles"]
        assert len([s for s in sent if s.lstrip().upper().startswith("SELECT")]) == 1, sent
        with pytest.raises(views.NotVisible):
            with models.db.snapshot() as connection:
                views.core.one(connection, views.Reader("somebody-else"), NUMBER)
        with models.db.writing() as connection:
            connection.execute(update(chain).values(broken_at=7, problem="link"))
        with pytest.raises(views.BrokenChain) as refused:
            with models.db.snapshot() as connection:
                views.core.one(connection, reader, NUMBER)
        assert refused.value.found == [{"number": NUMBER, "broken_at": 7, "problem": "link"}]
        with models.db.snapshot() as connection:  # unless told to ignore it
            assert views.core.one(connection, reader, NUMBER, ignore=True)["number"] == NUMBER
        with pytest.raises(views.NotVisible):  # who may not see it learns nothing of its chain
            with models.db.snapshot() as connection:
                views.core.one(connection, views.Reader("somebody-else"), NUMBER)
    finally:
        models.close()
        app.close()
