"""What a web server process needs to know, passed to every worker process through one variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

CONFIG_VARIABLE = "GRANTBOOK_WEB_CONFIG"


@dataclass(frozen=True)
class WebConfig:
    store: str
    key_file: str | None = None
    # Local mode: the person the printed link signs in, and the token in that link.
    local_actor: str | None = None
    local_token: str | None = None
    # OpenID Connect mode (a deployment).
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_claim: str = "preferred_username"
    # Auditors of every institution (GRANTBOOK_AUDITORS).
    auditors: tuple[str, ...] = field(default_factory=tuple)
    # Cookies marked Secure (behind https).
    secure_cookies: bool = False
    # Institutions kept in memory per worker (the library's aggregate cache).
    cache_size: int = 1000
    # GRANTBOOK_BASE_URL: where people reach the server (redirects and the OIDC callback are built
    # from it, never from the Host header); GRANTBOOK_ALLOWED_HOSTS: the only Host headers answered.
    base_url: str | None = None
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    # GRANTBOOK_READY_MAX_LAG: /readyz answers 503 when the read models are further behind (events);
    # GRANTBOOK_METRICS_TOKEN: /metrics wants it as a bearer token (without it: loopback clients only).
    ready_max_lag: int = 1000
    # GRANTBOOK_KEPT_PAGES: reading pages and API lists kept per worker (web/reading.py, 0 for none).
    kept_pages: int = 24
    metrics_token: str | None = None
    # On a read-only replica (docs/adr/0026): GRANTBOOK_PRIMARY_URL, where people make changes (named
    # in the refusal); GRANTBOOK_PRIMARY_STORE, the primary's store URL, to keep sessions there.
    primary_url: str | None = None
    primary_store: str | None = None

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_issuer)

    def to_environment(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> WebConfig:
        data = json.loads(os.environ[CONFIG_VARIABLE])
        data["auditors"] = tuple(data.get("auditors") or ())
        data["allowed_hosts"] = tuple(data.get("allowed_hosts") or ())
        return cls(**data)


def oidc_settings(environ: dict[str, str] | os._Environ[str] = os.environ) -> dict[str, str | None]:
    """The OpenID Connect settings named in the environment (all None when not configured)."""
    return {
        "oidc_issuer": environ.get("GRANTBOOK_OIDC_ISSUER") or None,
        "oidc_client_id": environ.get("GRANTBOOK_OIDC_CLIENT_ID") or None,
        "oidc_client_secret": environ.get("GRANTBOOK_OIDC_CLIENT_SECRET") or None,
        "oidc_claim": environ.get("GRANTBOOK_OIDC_CLAIM") or "preferred_username",
    }


def auditors_from(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (text or "").split(",") if part.strip()))


def base_url_from(text: str | None) -> str | None:
    """``GRANTBOOK_BASE_URL``: http(s)://host[:port][/path], without a query; None when not set.
    Raises ValueError naming what is wrong."""
    if not text or not text.strip():
        return None
    parts = urlsplit(text.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"GRANTBOOK_BASE_URL must be http(s)://host[:port], not {text.strip()[:60]!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("GRANTBOOK_BASE_URL must not hold a query, a fragment or a user name")
    return text.strip().rstrip("/")


def hosts_from(text: str | None) -> tuple[str, ...]:
    """``GRANTBOOK_ALLOWED_HOSTS``: comma-separated host names (without port), lower case."""
    return tuple(dict.fromkeys(part.strip().lower() for part in (text or "").split(",") if part.strip()))


def max_lag_from(text: str | None) -> int:
    """``GRANTBOOK_READY_MAX_LAG``: a whole number of events, 0 or more (default 1000). Raises ValueError."""
    return _whole_number("GRANTBOOK_READY_MAX_LAG", "events", text, 1000)


def kept_pages_from(text: str | None) -> int:
    """``GRANTBOOK_KEPT_PAGES``: answers kept per worker (docs/adr/0029), 0 or more (default 24; 0:
    every page made each time). Raises ValueError."""
    return _whole_number("GRANTBOOK_KEPT_PAGES", "pages", text, 24)


def _whole_number(name: str, unit: str, text: str | None, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        value = int(text.strip())
    except ValueError:
        shown = text.strip()[:30]
        raise ValueError(f"{name} must be a whole number of {unit}, not {shown!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be 0 or more")
    return value
