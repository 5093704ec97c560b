"""``grantbook serve``: the web pages on the store, signed in locally or through OpenID Connect."""

from __future__ import annotations

import ipaddress
import os
import secrets

import click

from grantbook.domain import RuleViolation, person_id

from .common import fail
from .context import Session, pass_session

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server worker processes (they share sessions through the store).",
)
@pass_session
def serve(session: Session, host: str, port: int, workers: int) -> None:
    """Serve the web pages on the store.

    Without an identity provider (local mode) it listens on loopback only and
    prints one link that signs the browser in as the --as person. With
    GRANTBOOK_OIDC_ISSUER, GRANTBOOK_OIDC_CLIENT_ID, GRANTBOOK_OIDC_CLIENT_SECRET
    (and GRANTBOOK_OIDC_CLAIM, default preferred_username) people sign in through
    OpenID Connect; the issuer's discovery document is checked at start.
    GRANTBOOK_AUDITORS names auditors of every institution. GRANTBOOK_BASE_URL
    (e.g. https://rechten.school.be) is where people reach the server: redirects
    are built from it, never from the Host header. GRANTBOOK_ALLOWED_HOSTS
    (comma-separated host names) answers other Host headers with 400.

    On a PostgreSQL hot standby (a streaming replica) the server only reads: each
    page says how old its data are and every change is refused, naming
    GRANTBOOK_PRIMARY_URL; sessions are kept on GRANTBOOK_PRIMARY_STORE when set,
    else in signed cookies.

    For operators (no sign-in): /healthz, /readyz (503 when the store does not
    answer or the read models are more than GRANTBOOK_READY_MAX_LAG events
    behind, default 1000) and /metrics (Prometheus; with GRANTBOOK_METRICS_TOKEN
    as a bearer token, else from loopback only; with --workers, set
    PROMETHEUS_MULTIPROC_DIR to an empty folder). One JSON line per request on
    stdout. Each worker keeps the last GRANTBOOK_KEPT_PAGES reading pages (default
    24; 0: none) until the register changes.

    \b
    Example:
      grantbook --as jan serve --port 8000
    """
    from grantbook.web.serving import serve_web

    config = _config(session, host)
    _prepare_metrics_folder()
    from grantbook.web.operations import configure_access_log

    configure_access_log()
    serve_web(config, host, port, workers, session.store.display)


def _config(session: Session, host: str):  # type: ignore[no-untyped-def]
    from grantbook.web.config import (
        WebConfig,
        auditors_from,
        base_url_from,
        hosts_from,
        kept_pages_from,
        max_lag_from,
        oidc_settings,
    )

    oidc = oidc_settings()
    auditors = auditors_from(os.environ.get("GRANTBOOK_AUDITORS"))
    for auditor in auditors:
        try:
            person_id(auditor)
        except RuleViolation as error:
            raise RuleViolation("auditors", f"GRANTBOOK_AUDITORS: {error.message}") from None
    try:
        base_url = base_url_from(os.environ.get("GRANTBOOK_BASE_URL"))
    except ValueError as error:
        fail("base-url", str(error))
    try:
        ready_max_lag = max_lag_from(os.environ.get("GRANTBOOK_READY_MAX_LAG"))
    except ValueError as error:
        fail("ready-max-lag", str(error))
    try:
        kept_pages = kept_pages_from(os.environ.get("GRANTBOOK_KEPT_PAGES"))
    except ValueError as error:
        fail("kept-pages", str(error))
    key_file = session.key_file()
    common = {
        "store": session.store.url,
        "key_file": str(key_file) if key_file else None,
        "auditors": auditors,
        "base_url": base_url,
        "allowed_hosts": hosts_from(os.environ.get("GRANTBOOK_ALLOWED_HOSTS")),
        "ready_max_lag": ready_max_lag,
        "kept_pages": kept_pages,
        "metrics_token": os.environ.get("GRANTBOOK_METRICS_TOKEN", "").strip() or None,
        "primary_url": _primary_url(),
        "primary_store": os.environ.get("GRANTBOOK_PRIMARY_STORE", "").strip() or None,
    }
    if oidc["oidc_issuer"]:
        missing = [name for name in ("oidc_client_id", "oidc_client_secret") if not oidc[name]]
        if missing:
            names = ", ".join("GRANTBOOK_" + name.upper() for name in missing)
            fail("oidc", f"GRANTBOOK_OIDC_ISSUER is set but {names} is not")
        _check_issuer(oidc["oidc_issuer"])
        secure = os.environ.get("GRANTBOOK_SECURE_COOKIES", "").lower() in {"1", "y", "yes", "true"}
        return WebConfig(**common, **oidc, secure_cookies=secure)  # type: ignore[arg-type]
    if not is_loopback(host):
        raise RuleViolation(
            "loopback-only",
            f"without an identity provider (GRANTBOOK_OIDC_ISSUER) the server listens on loopback only, "
            f"not on {host!r}",
        )
    actor = session.act().actor
    return WebConfig(**common, local_actor=actor, local_token=secrets.token_urlsafe(24))  # type: ignore[arg-type]


def _primary_url() -> str | None:
    """``GRANTBOOK_PRIMARY_URL``: where a read-only replica's visitors make changes (docs/adr/0026)."""
    from grantbook.web.config import base_url_from

    try:
        return base_url_from(os.environ.get("GRANTBOOK_PRIMARY_URL"))
    except ValueError as error:
        fail("primary-url", str(error).replace("GRANTBOOK_BASE_URL", "GRANTBOOK_PRIMARY_URL"))


def _prepare_metrics_folder() -> None:
    """``PROMETHEUS_MULTIPROC_DIR``: the workers' counts are kept there (docs/adr/0022). It must be a
    folder; the files of an earlier start are removed (prometheus-client's rule: counts start again
    with the server, as they do with one process)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder is None:
        return
    from pathlib import Path

    path = Path(folder)
    if not folder.strip() or not path.is_dir():
        fail("metrics", f"PROMETHEUS_MULTIPROC_DIR is not a folder: {folder[:80]!r}")
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


def _check_issuer(issuer: str) -> None:
    from grantbook.web.oidc import IssuerProblem, check_issuer

    try:
        check_issuer(issuer)
    except IssuerProblem as problem:
        fail("oidc", str(problem))


COMMANDS = (serve,)
