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
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

    def person_id(self, number: NationalNumber) -> str:
        """The person id a support worker gets the first time their number is seen.

        Derived from the number with the store's secret key (an HMAC, under a
        label of its own so it differs from the duplicate digest): the same
        number gives the same id at every institution, even when two are added
        at the same moment, and the id reveals nothing without the key."""
        digits = number.reveal().encode("ascii")
        mac = hmac.new(self._mac_key, b"grantbook person id\0" + digits, hashlib.sha256)
        return "OND-" + mac.hexdigest()[:16]

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


def check_key_path(path: Path) -> None:
    """A key file is a file that only its owner may read or change (mode 600)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} not found") from None
    except OSError as error:
        raise KeyFileError(f"key file {path} cannot be read: {error.strerror}") from None
    if stat.S_ISDIR(mode):
        raise KeyFileError(f"key file {path} is a folder: GRANTBOOK_KEY_FILE must name the key file itself")
    if os.name == "posix" and mode & 0o077:
        raise KeyFileError(
            f"key file {path} can be read or changed by others (mode {stat.S_IMODE(mode):03o}): "
            f"make it private with: chmod 600 {path}"
        )


def read_key_file(path: Path) -> bytes:
    check_key_path(path)
    try:
        text = path.read_text("ascii").strip()
        return bytes.fromhex(text)
    except FileNotFoundError:
        raise KeyFileError(f"key file {path} not found") from None
    except OSError as error:
        raise KeyFileError(f"key file {path} cannot be read: {error.strerror}") from None
    except (ValueError, UnicodeDecodeError):
        raise KeyFileError(f"key file {path} does not hold a grantbook key") from None


def create_key_file(path: Path) -> bytes:
    """A new random key, readable by its owner only; never overwrites one.

    The key is written to a private temporary file that is then linked into
    place: the key file appears whole or not at all. When another process
    created it first (two first commands at the same moment), its key is the
    one used."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    except OSError as error:
        raise KeyFileError(f"cannot create key file {path}: {error.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return read_key_file(path)
    finally:
        os.unlink(temporary)
    return key


def open_vault(key_file: Path, first: Any, notice: Callable[[str], None]) -> NumberVault:
    """The store's vault: its key file read, or created when the store holds no national number
    yet (``first``: the first ``SupportWorkerAdded`` event, if any, whose key id must match)."""
    if key_file.exists() or key_file.is_symlink():
        vault = NumberVault(read_key_file(key_file))
    elif first is None:
        vault = NumberVault(create_key_file(key_file))
        notice(
            f"created key file {key_file} for national register numbers "
            "(readable by you only); back it up: without it they cannot be read"
        )
    else:
        raise KeyFileError(
            f"key file {key_file} not found, and this store holds national "
            "register numbers encrypted with a key: restore the key file or set "
            "GRANTBOOK_KEY_FILE"
        )
    if first is not None and first.national_number_key_id != vault.key_id:
        raise KeyFileError(
            f"key file {key_file} is not the key this store's national "
            "register numbers were written with"
        )
    return vault
