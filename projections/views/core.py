"""What every view shares: who reads (``Reader``), what they may see (the ``access`` read model),
whether an institution's chain is intact (``gb_chain``), and asking a view from one snapshot."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from grantbook.errors import TamperEvidenceError

from ..access import AUDITOR, access, all_institutions, names, roles_of
from ..chain import broken, chain

T = TypeVar("T")


@dataclass(frozen=True)
class Reader:
    """Who asks: a person (sees the institutions they administer or audit), an auditor of every
    institution (``GRANTBOOK_AUDITORS``), or ``Reader(None)``: the CLI, which sees every one."""

    person_id: str | None
    auditor_of_every: bool = False

    @property
    def sees_every(self) -> bool:
        return self.person_id is None or self.auditor_of_every


class NotVisible(Exception):
    """The institution is unknown, or the reader may not see it (pages and API: 404, the same)."""

    def __init__(self, number: str) -> None:
        super().__init__(f"institution {number} is not registered")
        self.number = number


class BrokenChain(TamperEvidenceError):
    """An institution asked about has a hash chain the read models found broken; ``found`` names
    each (number, broken_at, problem). Entrances say it in their words (cli/reading.py, web)."""

    def __init__(self, found: list[dict[str, Any]]) -> None:
        named = "; ".join(
            f"institution {b['number']} at position {b['broken_at']}: {b['problem']}" for b in found
        )
        self.message = f"the hash chain is broken ({named}): run `grantbook verify`"
        super().__init__(self.message)
        self.found = found


@dataclass(frozen=True)
class Page:
    """A paged list: the rows of one page and how many there are in all."""

    items: list[dict[str, Any]]
    total: int


def view(*projections: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Marks a query function with the read models it reads (``ask`` catches up those)."""

    def mark(function: Callable[..., T]) -> Callable[..., T]:
        function.projections = ("institutions", "access", "chain", *projections)  # type: ignore[attr-defined]
        return function

    return mark


def ask(models: Any, question: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """One view answered from one snapshot of up-to-date read models: ``models`` is a
    ``ReadModels``, anything with the same ``answer(question, names)`` (web/services.py) or an
    application (its read models opened and closed around the question)."""
    names = getattr(question, "projections", None)
    names = list(names) if names is not None else None

    def asked(connection: Connection) -> T:
        return question(connection, *args, **kwargs)

    if hasattr(models, "answer"):
        return models.answer(asked, names)  # type: ignore[no-any-return]
    from .. import answer

    return answer(models, asked, names)


def visible(connection: Connection, reader: Reader) -> dict[str, dict[str, Any]]:
    """The institutions ``reader`` sees: number -> {"number", "name", "roles"}, by number."""
    if reader.person_id is None:
        return all_institutions(connection)
    mine = roles_of(connection, reader.person_id)
    if not reader.auditor_of_every:
        return mine
    every = all_institutions(connection)
    for number, entry in every.items():
        entry["roles"] = mine.get(number, {}).get("roles", set()) | {AUDITOR}
    return every


def intact(connection: Connection, numbers: Iterable[str] | None, ignore: bool = False) -> None:
    """Refuses (``BrokenChain``) when the chain of an institution numbered (``None``: any) was found
    broken, unless ``ignore``."""
    if ignore:
        return
    found = broken(connection)
    if numbers is not None:
        wanted = set(numbers)
        found = [b for b in found if b["number"] in wanted]
    if found:
        raise BrokenChain(found)


def one(connection: Connection, reader: Reader, number: str, ignore: bool = False) -> dict[str, Any]:
    """The institution numbered, if ``reader`` sees it ({"number", "name", "roles",
    "originator_id"}; else NotVisible: unknown or not theirs, the same), its chain intact (else
    BrokenChain, unless ``ignore``); asked again in the same snapshot (a page asking
    two views of one institution together), the answer of the first time (docs/adr/0027)."""
    memo = _in_snapshot(connection)
    key = (reader, number, ignore)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = _seen_intact(connection, reader, number, ignore)
        if memo is not None:
            memo[key] = found
    return {**found, "roles": set(found["roles"])}


def _seen_intact(connection: Connection, reader: Reader, number: str, ignore: bool) -> dict[str, Any]:
    """``one``'s question in one statement (each statement is a round trip to a PostgreSQL server):
    a row per role the reader holds there, the chain's verdict beside each. Who may not see the
    institution learns nothing of its chain."""
    person = reader.person_id if reader.person_id is not None else ""
    theirs = (access.c.originator_id == names.c.originator_id) & (access.c.person_id == person)
    found_broken = (chain.c.originator_id == names.c.originator_id) & chain.c.broken_at.is_not(None)
    query = (
        select(names.c.originator_id, names.c.name, access.c.role, chain.c.broken_at, chain.c.problem)
        .select_from(names.outerjoin(access, theirs).outerjoin(chain, found_broken))
        .where(names.c.number == number)
    )
    rows = connection.execute(query).all()
    if not rows:
        raise NotVisible(number)
    oid, name = rows[0][0], rows[0][1]
    roles = {row[2] for row in rows if row[2] is not None} if reader.person_id is not None else set()
    if reader.person_id is not None:
        if reader.auditor_of_every:
            roles.add(AUDITOR)
        elif not roles:
            raise NotVisible(number)
    verdicts = {(row[3], row[4]) for row in rows if row[3] is not None}
    if verdicts and not ignore:
        raise BrokenChain(
            [{"number": number, "broken_at": at, "problem": problem} for at, problem in sorted(verdicts)]
        )
    return {"number": number, "name": name, "roles": roles, "originator_id": oid}


_snapshots = threading.local()


def _in_snapshot(connection: Connection) -> dict[Any, Any] | None:
    """What this thread found in the snapshot (the transaction) ``connection`` is in; forgotten
    when the thread asks in another one. None outside a transaction."""
    transaction = connection.get_transaction()
    if transaction is None:
        return None
    held = getattr(_snapshots, "held", None)
    if held is None or held[0] is not transaction:  # held strongly: no other can take its identity
        held = _snapshots.held = (transaction, {})
    return held[1]


def several(
    connection: Connection, reader: Reader, number: str | None, ignore: bool = False
) -> dict[str, dict[str, Any]]:
    """The institutions a question answers about: the one numbered (``one``), or every one visible,
    each of their chains intact."""
    if number is not None:
        entry = one(connection, reader, number, ignore)
        return {number: entry}
    found = visible(connection, reader)
    intact(connection, None if reader.sees_every else list(found), ignore)
    return found
