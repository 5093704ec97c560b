"""Stores for the web tests, filled through the application service (no frozen clock: the server's
event loop needs real time)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, RosterEntry

NUMBER = "034793"
OTHER = "111111"
IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"


def act(actor: str = "jan") -> Act:
    return Act(actor=actor, now=datetime.now(UTC))


def roster(n: int, names: list[tuple[str, str]] | None = None) -> list[RosterEntry]:
    entries = []
    for i in range(1, n + 1):
        first, last = names[i - 1] if names and i <= len(names) else (f"First{i}", f"Last{i}")
        entries.append(
            RosterEntry(
                person_id=f"{90000 + i}",
                first_name=first,
                last_name=last,
                category="Medewerker",
                status="Actief",
                begin_date=date(2017, 3, 2),
                end_date=date(2030, 3, 2),
            )
        )
    return entries


def open_app(store_url: str, key_file: Path | None = None) -> GrantBook:
    location = StoreLocation.parse(store_url)
    if key_file is None and location.path is not None:
        key_file = location.path.with_name(location.path.name + ".key")
    return GrantBook.open(location, create=True, key_file=key_file)


def seed(store_url: str, staff: int = 30, names: list[tuple[str, str]] | None = None) -> None:
    """034793 "De Linde" (heads jan and mia, ``staff`` persons) and 111111 "Het Anker" (head piet)."""
    app = open_app(store_url)
    try:
        app.register_institution(act(), NUMBER, "Basisschool De Linde", ["jan", "mia"])
        app.import_roster(act(), NUMBER, roster(staff, names))
        app.register_institution(act("piet"), OTHER, "Basisschool Het Anker", ["piet"])
        app.import_roster(act("piet"), OTHER, roster(3))
    finally:
        app.close()


def event_count(store_url: str) -> int:
    app = open_app(store_url)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def today() -> date:
    """Today as the server counts it: the date in Brussels."""
    from grantbook.domain.values import BRUSSELS

    return datetime.now(BRUSSELS).date()
