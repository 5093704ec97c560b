"""What a web server process needs to know, passed to every worker process through one variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

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

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_issuer)

    def to_environment(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> WebConfig:
        data = json.loads(os.environ[CONFIG_VARIABLE])
        data["auditors"] = tuple(data.get("auditors") or ())
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
