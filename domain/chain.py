"""The hash chain over an institution's events (docs/adr/0006).

Every event carries ``previous_hash``: the hash of the event before it in
the same institution, or the institution's genesis value for the first.
The hash of an event is SHA-256 over::

    b"grantbook-chain-v1\\n" + topic + b"\\n" + originator_id + b"\\n"
        + str(originator_version) + b"\\n" + state

where ``topic`` is the stored topic (``grantbook:<EventName>``),
``originator_id`` the institution's UUID in its 36-character lower-case
form, and ``state`` the canonical JSON of every other field of the event
(``previous_hash`` included): keys sorted, no insignificant whitespace,
UTF-8, non-ASCII characters kept as they are. This is exactly what the
store keeps in its state column, so an auditor can check a chain from the
database alone.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

CHAIN_VERSION = b"grantbook-chain-v1"
HASH_PATTERN = r"^[0-9a-f]{64}$"


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def genesis_hash(originator_id: UUID | str) -> str:
    """What the first event of an institution carries as ``previous_hash``."""
    return hashlib.sha256(CHAIN_VERSION + b" genesis\n" + str(originator_id).encode("ascii")).hexdigest()


def chain_hash(topic: str, originator_id: UUID | str, originator_version: int, state: bytes) -> str:
    material = b"\n".join(
        (
            CHAIN_VERSION,
            topic.encode("utf-8"),
            str(originator_id).encode("ascii"),
            str(originator_version).encode("ascii"),
            state,
        )
    )
    return hashlib.sha256(material).hexdigest()
