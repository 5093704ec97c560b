"""Rebuild and verify on every core (docs/adr/0026).

``measure(store_url, args, emit)`` times ``projections rebuild`` and ``verify`` (the chain walk and
the read-model comparison, as the command does) with one process and with one per core, alternating,
``--replay-repeat`` times (default 3), and emits the median of each: ``rebuild_seconds_p1``,
``rebuild_seconds_pN`` and ``verify_seconds_p1``, ``verify_seconds_pN`` (each pN line with the p1
median as its baseline: ratio < 1 is faster; ``speedup`` = p1 / pN). Both give the same result: the
tests say so (tests/integration/test_parallel_replay.py).

Standalone: ``python benchmarks/bench_replay.py STORE_URL [PROCESSES]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from grantbook.adapters.checkpoints import verify, verify_in_parts
from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.projections import read_models
from grantbook.projections.check import differences
from grantbook.projections.parallel import cores

FIRST = True  # run before plug-ins that add to the store (run.py): every chain must be intact


def _seconds(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(store_url: str, args: Any, emit: Callable[[dict[str, Any]], None]) -> None:
    processes = max(2, getattr(args, "processes", None) or cores())
    repeat = getattr(args, "replay_repeat", None) or 3
    app = GrantBook.open(StoreLocation.parse(store_url), create=False)
    models = read_models(app)
    try:

        def verify_with(n: int) -> None:
            if n == 1:
                verify(app.recorder)
            else:
                verify_in_parts(app.location, processes=n)
            assert not list(differences(models, n))

        runs: dict[str, list[float]] = {"rebuild1": [], "rebuildN": [], "verify1": [], "verifyN": []}
        load = os.getloadavg()[0]  # other work on the machine: with every core busy, no speed-up shows
        for _ in range(repeat):
            runs["rebuild1"].append(_seconds(lambda: models.rebuild(processes=1)))
            runs["rebuildN"].append(_seconds(lambda: models.rebuild(processes=processes)))
            runs["verify1"].append(_seconds(lambda: verify_with(1)))
            runs["verifyN"].append(_seconds(lambda: verify_with(processes)))
    finally:
        models.close()
        app.close()
    for what in ("rebuild", "verify"):
        one, many = statistics.median(runs[what + "1"]), statistics.median(runs[what + "N"])
        emit(
            {
                "name": f"{what}_seconds_p1",
                "value": round(one, 3),
                "unit": "s",
                "samples": [round(x, 3) for x in runs[what + "1"]],
            }
        )
        emit(
            {
                "name": f"{what}_seconds_pN",
                "value": round(many, 3),
                "unit": "s",
                "baseline": round(one, 3),
                "processes": processes,
                "speedup": round(one / many, 2),
                "samples": [round(x, 3) for x in runs[what + "N"]],
                # other work on the machine, 1-minute load before and after: with every core busy,
                # no speed-up can show
                "load": [round(load, 2), round(os.getloadavg()[0], 2)],
            }
        )


if __name__ == "__main__":
    import json

    class Args:
        processes = int(sys.argv[2]) if len(sys.argv) > 2 else None
        replay_repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3

    measure(sys.argv[1], Args(), lambda line: print(json.dumps(line), flush=True))
