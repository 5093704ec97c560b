"""One run at a time per store, for a job that acts outside the store before it records what it did.

``notify`` hands a mail to the SMTP server and only then records ``NoticeSent`` (docs/adr/0014). Two
runs at once would both find the same notices due and both send them before either records one. So
a sending run first takes this lock, without waiting: a second run finds it held and is refused.

- PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection held for the run,
  keyed by the schema and the job, so stores in other schemas of the same database do not collide.
  The server releases it when the connection ends, also when the process dies.
- SQLite: an exclusive ``flock`` (on Windows a byte lock) on a file next to the database
  (``<file>.<job>.lock``); the system releases it when the process ends. The file stays
  (removing a lock file races with its next user).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from grantbook.adapters.store import StoreLocation


class RunLocked(Exception):
    """Another run of the same job holds the store's lock."""


def advisory_key(schema: str, job: str) -> int:
    """A signed 64-bit key for ``pg_try_advisory_lock``, the same in every process."""
    digest = hashlib.sha256(f"grantbook:{schema}:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def exclusive_run(location: StoreLocation, job: str) -> Iterator[None]:
    """Held for the ``with`` block; ``RunLocked`` at once if another run holds it."""
    if location.kind == "postgresql":
        with _postgres_lock(location, job):
            yield
        return
    assert location.path is not None
    path = location.path.with_name(f"{location.path.name}.{job}.lock")
    with open(path, "a+b") as handle:
        _lock_file(handle, job)
        try:
            yield
        finally:
            _unlock_file(handle)


def _lock_file(handle: Any, job: str) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: a lock on the file's first byte
        import msvcrt

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            raise RunLocked(job) from None
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RunLocked(job) from None


def _unlock_file(handle: Any) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _postgres_lock(location: StoreLocation, job: str) -> Iterator[None]:
    from grantbook.adapters.postgres import connect, schema_of

    key = advisory_key(schema_of(location), job)
    connection = connect(location)
    try:
        row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if not row or not row[0]:
            raise RunLocked(job)
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (key,))
    finally:
        connection.close()
