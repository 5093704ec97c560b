"""What the pages use, one set per server process: the application service (with its aggregate
cache, so a page does not replay an institution per request), the read models (one connection per
worker thread), the sessions, and the clock (the web, like the CLI, is where the clock is read)."""

from __future__ import annotations

import gc
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection

from grantbook.adapters import postgres
from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act
from grantbook.domain.values import BRUSSELS
from grantbook.projections import read_models
from grantbook.projections.freshness import POSITIONS
from grantbook.projections.runner import ReadModels

from .config import WebConfig
from .replica import Lag, SignedSessions
from .sessions import SessionStore

T = TypeVar("T")
READERS = 8  # read models (database connections) per server process


class Services:
    def __init__(self, config: WebConfig, clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.location = StoreLocation.parse(config.store)
        self.app = GrantBook.open(
            self.location,
            create=True,
            key_file=Path(config.key_file) if config.key_file else default_key_file(self.location),
            cache_size=config.cache_size,
        )
        # On a PostgreSQL hot standby the server only reads (web/replica.py, docs/adr/0026).
        self.replica_lags: Lag | None = None
        if self.location.kind == "postgresql" and postgres.standby_lag(self.location) is not None:
            self.replica_lags = Lag(self.location)
        self.sessions: SessionStore | SignedSessions
        if self.replica_lags is None:
            self.sessions = SessionStore(self.location)
        elif config.primary_store:
            self.sessions = SessionStore(StoreLocation.parse(config.primary_store))
        else:
            self.sessions = SignedSessions(self.location)
        self._clock = clock or (lambda: datetime.now(UTC))
        # Read models (each keeps one database connection) lent to one request at a time: at most
        # READERS per process, so worker threads cannot open more connections than the server allows.
        self._idle: queue.LifoQueue[ReadModels] = queue.LifoQueue()
        self._all_models: list[ReadModels] = []
        self._readers = threading.BoundedSemaphore(READERS)
        self._lock = threading.Lock()
        self.kept_pages = KeptPages(config.kept_pages)

    @property
    def replica(self) -> bool:
        """Whether this server runs on a read-only replica (it then refuses every change)."""
        return self.replica_lags is not None

    def replica_lag(self) -> float:
        """Seconds the replica's data are behind the primary (0 on a primary)."""
        return 0.0 if self.replica_lags is None else self.replica_lags.seconds()

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self.now().astimezone(BRUSSELS).date()

    def act(self, person_id: str) -> Act:
        return Act(actor=person_id, now=self.now())

    def answer(self, question: Callable[[Connection], T], names: list[str] | None = None) -> T:
        """A question to the read models, brought up to the latest event first."""
        with self._readers:
            try:
                models = self._idle.get_nowait()
            except queue.Empty:
                models = read_models(self.app)
                with self._lock:
                    self._all_models.append(models)
            try:
                return models.answer(question, names)
            finally:
                self._idle.put(models)

    def close(self) -> None:
        with self._lock:
            for models in self._all_models:
                models.close()
            self._all_models.clear()
        self.sessions.close()
        self.app.close()


class KeptPages:
    """Rendered pages kept per process, each under the state of the read models it was made from
    (docs/adr/0027): the session (its person and CSRF token are on the page), the address, the day,
    every projection's position and every chain found broken, read in a snapshot caught up to the
    latest event. Any event moves a position (the chain and audit models read every event, so
    the runner's quiet answer never applies to them), so a page is made again after any change,
    whichever process recorded it; a rebuild that finds a chain broken ends at the same positions but not the
    same verdicts. At most ``size`` pages (the oldest forgotten first)."""

    def __init__(self, size: int = 24) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._making: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: tuple[Any, ...]) -> Any:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def making(self, key: tuple[Any, ...]) -> threading.Lock:
        """The lock under which one thread makes the page for ``key``: requests asking it at the
        same moment wait for that one instead of each rendering it again."""
        with self._lock:
            return self._making.setdefault(key, threading.Lock())

    def put(self, key: tuple[Any, ...], body: Any) -> None:
        with self._lock:
            self._kept[key] = body
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def made(self, key: tuple[Any, ...]) -> None:
        """The page for ``key`` is made, kept or not (a refusal is not): its lock is let go."""
        with self._lock:
            self._making.pop(key, None)


def read_models_state(connection: Connection) -> tuple[Any, ...]:
    """Where the read models stand in this snapshot: every projection's position and every chain
    found broken (a key for ``KeptPages``)."""
    from grantbook.projections.chain import broken

    positions = tuple(sorted(connection.info[POSITIONS].items()))  # read by ReadModels.answer
    verdicts = tuple((b["number"], b["broken_at"], b["problem"]) for b in broken(connection))
    return positions, verdicts


def settle_heap() -> None:
    """For a server process once its application is made (web/app.py, web/serving.py): what is
    loaded by then (modules, templates, the application) moved out of the collector's sight
    (``gc.freeze``) and the youngest generation collected less often, so a page of thousands of
    rows does not pay for walking that heap again and again (docs/adr/0027). Not for the tests'
    in-process servers: what is frozen is never collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def default_key_file(location: StoreLocation) -> Path | None:
    """As the CLI: beside an SQLite database, unless GRANTBOOK_KEY_FILE names one."""
    if location.kind == "sqlite" and location.path is not None:
        return location.path.with_name(location.path.name + ".key")
    return None
