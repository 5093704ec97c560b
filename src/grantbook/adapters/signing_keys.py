"""Ed25519 key pairs that sign checkpoints: made, written and read as PEM files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from grantbook.errors import TamperEvidenceError


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_keys(private_path: Path, public_path: Path) -> str:
    """A new Ed25519 pair as PEM files; the private one readable by its owner only."""
    for path in (private_path, public_path):
        if path.exists():
            raise TamperEvidenceError(f"{path} already exists: a key file is never overwritten")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public_path.write_bytes(public_pem)
    return key_id(key.public_key())


def _load_key(path: Path, load: Callable[[bytes], object], kind: str, form: str, expected: type) -> Any:
    try:
        key = load(path.read_bytes())
    except OSError as error:
        raise TamperEvidenceError(f"cannot read {kind} key {path}: {error.strerror}") from None
    except (ValueError, TypeError):
        raise TamperEvidenceError(f"{path} is not {form}") from None
    if not isinstance(key, expected):
        raise TamperEvidenceError(f"{path} is not an Ed25519 {kind} key")
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    def load(data: bytes) -> object:
        return serialization.load_pem_private_key(data, password=None)

    return _load_key(path, load, "private", "an unencrypted PEM private key", Ed25519PrivateKey)


def load_public_key(path: Path) -> Ed25519PublicKey:
    return _load_key(path, serialization.load_pem_public_key, "public", "a PEM public key", Ed25519PublicKey)
