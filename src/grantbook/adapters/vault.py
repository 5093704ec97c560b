"""Protection of national register numbers at rest.

A store has one secret key (64 random bytes, hex in a key file). Its first
half keys an HMAC-SHA256 digest used to refuse duplicates without keeping
the number; its second half is an AES-256-GCM key for the ciphertext. A
short key id (not the key) is recorded with each protected number so that a
wrong key is detected instead of silently producing different digests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from grantbook.domain import NationalNumber, ProtectedNumber
from grantbook.errors import KeyFileError

KEY_BYTES = 64
_AAD = b"grantbook national register number v1"


class NumberVault:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise KeyFileError(f"a grantbook key is {KEY_BYTES} bytes, got {len(key)}")
        self._mac_key = key[:32]
        self._aead = AESGCM(key[32:])
        self.key_id = hashlib.sha256(b"grantbook key id\0" + key).hexdigest()[:16]

    def protect(self, number: NationalNumber) -> ProtectedNumber:
        digits = number.reveal().encode("ascii")
        nonce = secrets.token_bytes(12)
        sealed = nonce + self._aead.encrypt(nonce, digits, _AAD)
        return ProtectedNumber(
            masked=number.masked,
            digest=hmac.new(self._mac_key, digits, hashlib.sha256).hexdigest(),
            ciphertext=base64.b64encode(sealed).decode("ascii"),
            key_id=self.key_id,
        )

    def reveal(self, ciphertext: str) -> NationalNumber:
        sealed = base64.b64decode(ciphertext)
        try:
            digits = self._aead.decrypt(sealed[:12], sealed[12:], _AAD).decode("ascii")
        except InvalidTag:
            raise KeyFileError("the key does not decrypt this store's national numbers") from None
        return NationalNumber.parse(digits)


def read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text("ascii").strip()
        return bytes.fromhex(text)
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} not found") from None
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError(f"key file {path} does not hold a grantbook key") from None


def create_key_file(path: Path) -> bytes:
    """A new random key, readable by its owner only; refuses to overwrite."""
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key
