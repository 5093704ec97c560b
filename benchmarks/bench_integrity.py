"""Cost of the hash chain and of national-number encryption.

``measure(store_url, args, emit)`` runs the same workload four times in one
run, each on an institution of its own in the given store: a support worker
is added (national number protected), selected, assigned the IRIS right and
confirmed. Variants: neither chain nor encryption (the baseline), chain
only, encryption only, both (what grantbook does). It then times ``verify``
over the whole store. Figures are emitted as dicts with name, value, unit,
baseline and ratio (value / baseline).

"Without the chain" links every event to a constant instead of hashing the
previous one; "without encryption" replaces the vault with an unkeyed
digest and no ciphertext. Both exist only inside this benchmark.

Standalone: ``python benchmarks/bench_integrity.py [STORE_URL] [CYCLES]``.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.domain import Act, Institution, ProtectedNumber, RosterEntry

IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
DEFAULT_CYCLES = 30
LAST = True  # run.py: its institutions without a chain break the store's chains for the plug-ins after it
DEFAULT_ROUNDS = 3


def valid_rrn(serial: int) -> str:
    base = f"850730{serial % 1000:03d}"
    if serial >= 1000:  # vary the birth day too
        base = f"8507{(serial // 1000) % 28 + 1:02d}{serial % 1000:03d}"
    return f"{base}{97 - int(base) % 97:02d}"


class PlainVault:
    """No encryption and no key: an unkeyed digest, no ciphertext."""

    key_id = "0" * 16

    def protect(self, number: Any) -> ProtectedNumber:
        digits = number.reveal().encode("ascii")
        return ProtectedNumber(number.masked, hashlib.sha256(digits).hexdigest(), "-", self.key_id)

    def person_id(self, number: Any) -> str:
        digits = number.reveal().encode("ascii")
        return "OND-" + hashlib.sha256(b"person id\0" + digits).hexdigest()[:16]


@contextmanager
def chain_disabled() -> Iterator[None]:
    original = Institution.head_hash
    Institution.head_hash = property(lambda self: "0" * 64)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        Institution.head_hash = original  # type: ignore[method-assign]


@contextmanager
def nothing() -> Iterator[None]:
    yield


def option(args: Any, name: str, default: Any) -> Any:
    if isinstance(args, dict):
        return args.get(name, default)
    return getattr(args, name, default) if args is not None else default


def run_variant(app: GrantBook, number: str, cycles: int, encrypt: bool, first: int) -> float:
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    # Its own administrator: the variant without a chain leaves chains the read models call broken,
    # and the other plug-ins' questions (bench_web's, across the bench administrator's schools) would refuse.
    act = Act("bench-integrity", now)
    app.register_institution(act, number, f"Bench {number}", ["bench-integrity"])
    app.import_roster(act, number, [RosterEntry(person_id="1", first_name="A", last_name="B",
                                                category="Medewerker", status="Actief",
                                                begin_date=date(2020, 1, 1))])
    if not encrypt:
        app._vault = PlainVault()  # type: ignore[assignment]
    begin, end = now.date(), now.date() + timedelta(days=365)
    started = time.perf_counter()
    for i in range(cycles):
        worker = app.add_support_worker(act, number, valid_rrn(first + i), "W", f"N{i}", reason="bench")
        app.select(act, number, [worker.person_id])
        app.assign(act, number, IRIS, "Gebruiker", begin, end)
        app.confirm(act, number)
    return cycles / (time.perf_counter() - started)


def measure(store_url: str, args: Any, emit: Callable[[dict[str, Any]], None]) -> None:
    cycles = int(option(args, "cycles", DEFAULT_CYCLES))
    location = StoreLocation.parse(store_url)
    key_file = Path(tempfile.mkdtemp(prefix="grantbook-bench-")) / "bench.key"
    app = GrantBook.open(location, create=True, key_file=key_file)
    try:
        base = 700000 + (app.recorder.max_notification_id() or 0) % 1000 * 100
        variants = (
            ("neither", False, False),
            ("chain", True, False),
            ("encryption", False, True),
            ("chain+encryption", True, True),
        )
        rounds = int(option(args, "rounds", DEFAULT_ROUNDS))
        real_vault = app.vault()  # the store's key, made before any number is stored
        # Variants take turns, each round on fresh institutions, and the best
        # round counts: the machine is shared, so one slow moment must not
        # decide the comparison.
        results: dict[str, float] = {}
        serial = 0
        for _round in range(rounds):
            for label, chain, encrypt in variants:
                app._vault = real_vault
                serial += 1
                with (nothing() if chain else chain_disabled()):
                    rate = run_variant(app, f"{base + serial:06d}", cycles, encrypt, serial * cycles)
                results[label] = max(results.get(label, 0.0), rate)
        app._vault = real_vault
        baseline = results["neither"]
        for label, value in results.items():
            emit({
                "name": f"integrity.confirm_cycles_per_s[{label}]",
                "value": round(value, 1),
                "unit": "cycles/s (add support worker + select + assign + confirm)",
                "baseline": round(baseline, 1),
                "ratio": round(value / baseline, 3),
            })
        # The pure costs, per event and per number.
        from grantbook.domain import NationalNumber

        event = next(iter(app.recorded_events())).event
        repeat = 2000
        started = time.perf_counter()
        for _ in range(repeat):
            event.chain_hash()
        emit({"name": "integrity.chain_hash_us_per_event",
              "value": round((time.perf_counter() - started) / repeat * 1e6, 1),
              "unit": "µs", "baseline": None, "ratio": None})
        number = NationalNumber.parse(valid_rrn(1))
        started = time.perf_counter()
        for _ in range(repeat):
            real_vault.protect(number)
        emit({"name": "integrity.protect_number_us",
              "value": round((time.perf_counter() - started) / repeat * 1e6, 1),
              "unit": "µs (HMAC + AES-GCM)", "baseline": None, "ratio": None})
        # The variants without a chain wrote unlinked events on purpose: verify
        # would stop at the first one, so time the chain check on a walk that
        # only hashes (the same work verify does per event).
        from grantbook.adapters.checkpoints import ChainWalker, stored_events

        total = 0
        started = time.perf_counter()
        walker = ChainWalker()
        for item in stored_events(app.recorder):
            total += 1
            if str(item.originator_id) in walker.heads or item.topic == "grantbook:InstitutionRegistered":
                try:
                    walker.add(item)
                except Exception:  # noqa: BLE001 - unlinked benchmark events
                    walker.heads.pop(str(item.originator_id), None)
        elapsed = time.perf_counter() - started
        emit({"name": "integrity.verify_events_per_s", "value": round(total / elapsed, 1),
              "unit": "events/s", "baseline": None, "ratio": None})
    finally:
        app.close()


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp(prefix='grantbook-bench-')}/bench.db"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_CYCLES
    print(f"store: {StoreLocation.parse(url).display}, {n} cycles per variant")
    measure(url, {"cycles": n}, lambda row: print(row))
