"""What operators and their tools ask of a running server (issue 22, docs/adr/0022), without signing in:

- ``GET /healthz``: the process answers (no store access);
- ``GET /readyz``: the store answers and the read models are at most ``WebConfig.ready_max_lag``
  (``GRANTBOOK_READY_MAX_LAG``, default 1000) events behind, measured with ``ReadModels.status()``
  (what ``grantbook projections status`` shows); further behind, one catch-up starts in the
  background and the answer is 503 until it is done;
- ``GET /metrics``: Prometheus text: requests by route template and status, their duration, and,
  asked of the store at each scrape, the read models' lag, the events recorded and the notices sent.
  Only with ``Authorization: Bearer GRANTBOOK_METRICS_TOKEN`` when that is set, else only from a
  loopback client. With ``PROMETHEUS_MULTIPROC_DIR`` the workers' counts are added up
  (prometheus-client's multiprocess mode);
- one JSON line per request on the logger ``grantbook.access`` (stdout under ``grantbook serve``):
  time, method, route template, status, duration and the request id of ``X-Request-Id``
  (web/hostile.py ``Guard`` calls ``Operations.observe``). Never the path's values, a query string,
  a cookie or a header.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount

from grantbook.projections import read_models
from grantbook.projections.audit import audit

from .config import WebConfig

router = APIRouter()
access_log = logging.getLogger("grantbook.access")
log = logging.getLogger("grantbook.web")

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
READY_TIMEOUT = 3.0  # seconds the store has to answer /readyz (a PostgreSQL connect waits up to 5)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
UNMATCHED = "(unmatched)"  # no route: a 404, or refused by the guard before routing


def route_template(scope: dict[str, Any] | Any) -> str:
    """The declared path of the route that answered (``/instellingen/{number}``, ``/static/{path}``),
    never the requested path: no number or name reaches a label or a log line. A route of a mounted
    app (the mounts' own paths hold no parameters) is named with the mount's path before it."""
    route = scope.get("route")
    mounted = str(scope.get("root_path") or "")  # the mounts' paths (``grantbook serve`` sets no root path)
    if isinstance(route, Mount) or (route is None and mounted):  # a mounted app that is no router answered
        return mounted + "/{path}"
    template = getattr(route, "path_format", None) if route is not None else None
    if not isinstance(template, str) or not template:
        return UNMATCHED
    return mounted + template  # a route of the app, or of a mounted FastAPI app


def method_label(method: str) -> str:
    """The request's method when it is a known one; anything a client made up is ``OTHER``."""
    return method if method in METHODS else "OTHER"


@dataclass(frozen=True)
class StoreState:
    head: int  # the store's latest notification id
    lags: dict[str, int]  # per projection, as ``grantbook projections status``
    notices_sent: int  # NoticeSent events the audit read model holds

    @property
    def lag(self) -> int:
        return max(0, *self.lags.values())


class Operations:
    """One per app: the request metrics, the scrape registry and the store questions."""

    def __init__(self, services: Any, config: WebConfig) -> None:
        self.services = services
        self.config = config
        self.multiprocess = bool(os.environ.get(MULTIPROCESS))
        self.requests = Counter(
            "grantbook_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=None,
        )
        self.duration = Histogram(
            "grantbook_http_request_duration_seconds",
            "Time from receiving a request to the end of its answer, by method and route template.",
            ["method", "route"],
            registry=None,
        )
        self.registry = CollectorRegistry(auto_describe=True)
        if self.multiprocess:  # every worker's counts, from the files in PROMETHEUS_MULTIPROC_DIR
            from prometheus_client import multiprocess

            multiprocess.MultiProcessCollector(self.registry)
        else:
            self.registry.register(self.requests)
            self.registry.register(self.duration)
        self.registry.register(StoreCollector(self))
        self._catching_up = threading.Lock()

    def observe(self, scope: Any, method: str, status: int, seconds: float, request_id: str) -> None:
        """Called by the guard once per answered request (web/hostile.py)."""
        route, method = route_template(scope), method_label(method)
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(seconds)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                json.dumps(
                    {
                        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        "request_id": request_id,
                    }
                )
            )

    def store_state(self) -> StoreState:
        """Asked of the store now, catching nothing up: the positions and lag from ``ReadModels.status``
        (the function ``grantbook projections status`` shows), the NoticeSent rows of the audit."""
        models = read_models(self.services.app)
        try:
            rows = models.status()
            with models.db.snapshot() as connection:
                sent = connection.execute(
                    select(func.count()).select_from(audit).where(audit.c.event == "NoticeSent")
                ).scalar()
        finally:
            models.close()
        head = max((int(row["head"]) for row in rows), default=0)
        lags = {row["projection"]: max(0, int(row["lag"])) for row in rows}  # a page may move one past head
        return StoreState(head, lags, int(sent or 0))

    def start_catching_up(self) -> bool:
        """One catch-up of every read model in the background (through the pages' own read models);
        False when one is running already."""
        if not self._catching_up.acquire(blocking=False):
            return False

        def run() -> None:
            try:
                self.services.answer(lambda connection: None)  # catches every projection up first
            except Exception as error:
                log.warning("readyz: catching the read models up failed: %s", type(error).__name__)
            finally:
                self._catching_up.release()

        threading.Thread(target=run, name="grantbook-readyz-catch-up", daemon=True).start()
        return True


class StoreCollector(Collector):
    """The store's numbers, asked at each scrape (the same from every worker)."""

    def __init__(self, operations: Operations) -> None:
        self.operations = operations

    def collect(self) -> Iterable[Any]:
        up = GaugeMetricFamily("grantbook_store_up", "1 when the store answered this scrape, else 0.")
        try:
            state = self.operations.store_state()
        except Exception as error:
            log.warning("metrics: the store does not answer: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        lag = GaugeMetricFamily(
            "grantbook_read_model_lag_events",
            "Events recorded that a read model has not applied yet, by projection.",
            labels=["projection"],
        )
        for name, behind in sorted(state.lags.items()):
            lag.add_metric([name], behind)
        yield lag
        yield CounterMetricFamily(
            "grantbook_events_recorded",
            "The store's latest notification id: events recorded (PostgreSQL may skip ids).",
            value=state.head,
        )
        yield CounterMetricFamily(
            "grantbook_notices_sent",
            "NoticeSent events in the audit read model (mails the server accepted; grantbook notify).",
            value=state.notices_sent,
        )

    def describe(self) -> Iterator[Any]:
        return iter(())  # nothing asked of the store when registered


def operations_of(request: Request) -> Operations:
    return request.app.state.operations  # type: ignore[no-any-return]


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    operations = operations_of(request)
    limit = operations.config.ready_max_lag
    try:
        state = await asyncio.wait_for(run_in_threadpool(operations.store_state), READY_TIMEOUT)
    except TimeoutError:
        return _not_ready(f"the store did not answer within {READY_TIMEOUT:g} s")
    except Exception as error:
        log.warning("readyz: the store does not answer: %s: %s", type(error).__name__, error)
        return _not_ready("the store does not answer")
    if state.lag > limit:
        operations.start_catching_up()
        return _not_ready(
            f"the read models are {state.lag} events behind (at most {limit}); catching up",
            lag=state.lag,
        )
    return JSONResponse({"status": "ready", "lag": state.lag})


def _not_ready(reason: str, **more: int) -> JSONResponse:
    return JSONResponse({"status": "not ready", "reason": reason, **more}, status_code=503)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    operations = operations_of(request)
    token = operations.config.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
            return Response(
                "metrics: a bearer token is required\n", status_code=401, media_type="text/plain",
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif not _loopback(request.client.host if request.client else None):
        return Response("metrics: loopback only\n", status_code=403, media_type="text/plain")
    body = await run_in_threadpool(generate_latest, operations.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def configure_access_log() -> None:
    """One JSON line per request on stdout (``grantbook serve``, and each of its workers)."""
    if any(getattr(handler, "grantbook_access", False) for handler in access_log.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.grantbook_access = True  # type: ignore[attr-defined]
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
