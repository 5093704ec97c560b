"""National register numbers: never in the store in plain text, never printed."""

from __future__ import annotations

import stat
from pathlib import Path

from conftest import NUMBER, RRN_1985, RRN_2001, Driver, grant, store_contents

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook


def forms(digits: str) -> list[str]:
    return [digits, f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}", digits[:9]]


def test_no_plain_number_in_store_files_or_output(school: Driver, tmp_path: Path) -> None:
    outputs = []
    for rrn, name in ((RRN_1985, "Peeters"), (RRN_2001, "Maes")):
        result = school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", rrn, "--first-name", "A", "--last-name", name)
        outputs += [result.stdout, result.stderr]
        grant(school, result.stdout.strip())
    outputs.append(school.run("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_1985, "--first-name", "A", "--last-name", "B").stderr)
    for args in (("audit", NUMBER), ("rights", NUMBER), ("expiring", "--within", "400"), ("search", NUMBER)):
        for fmt in ("table", "json", "csv"):
            result = school.ok(*args, "--format", fmt)
            outputs += [result.stdout, result.stderr]
    # Integrity commands see the ciphertext only, and need no key.
    school.ok("keys", "generate", "--private", str(tmp_path / "a.pem"), "--public", str(tmp_path / "a.pub"))
    checkpoint = tmp_path / "c.json"
    for args in (("checkpoint", "--key", str(tmp_path / "a.pem"), "--out", str(checkpoint)),
                 ("verify", "--checkpoint", str(checkpoint), "--public-key", str(tmp_path / "a.pub"))):
        result = school.ok(*args, actor=None, env={"GRANTBOOK_KEY_FILE": str(tmp_path / "absent.key")})
        outputs += [result.stdout, result.stderr]
    outputs.append(checkpoint.read_text())
    text = "\n".join(outputs)
    blobs = store_contents(school.store_url)
    for rrn in (RRN_1985, RRN_2001):
        for form in forms(rrn):
            assert form not in text
            assert all(form.encode() not in blob for blob in blobs), form
    assert "**.**.**-***.28" in text


def test_key_file_is_created_once_and_private(school: Driver, tmp_path: Path) -> None:
    first = school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_1985, "--first-name", "A", "--last-name", "B")
    key = school.key_path
    assert "created key file" in first.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    second = school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_2001, "--first-name", "C", "--last-name", "D")
    assert "created key file" not in second.stderr


def test_missing_or_wrong_key_is_a_clear_error(school: Driver, tmp_path: Path) -> None:
    school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_1985, "--first-name", "A", "--last-name", "B")
    key = school.key_path
    saved = key.read_bytes()
    key.unlink()
    school.refused("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_2001, "--first-name", "C", "--last-name", "D", rule="not found")
    # Without any key file configured, a server store cannot guess one.
    if not school.is_sqlite:
        school.refused("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_2001, "--first-name", "C", "--last-name", "D",
                       rule="GRANTBOOK_KEY_FILE", env={"GRANTBOOK_KEY_FILE": None})
    assert not key.exists(), "a new key must never replace a lost one"
    # Commands that do not touch the numbers need no key.
    for args in (("rights", NUMBER), ("audit", NUMBER), ("verify",)):
        school.ok(*args)
    grant(school, "90001")
    assert not key.exists()
    other = tmp_path / "other.key"
    other.write_text("ab" * 64 + "\n")
    other.chmod(0o600)
    school.refused("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_2001, "--first-name", "C", "--last-name", "D",
                   rule="not the key", env={"GRANTBOOK_KEY_FILE": str(other)})
    key.write_bytes(saved)
    key.chmod(0o600)  # restored from a backup: private again (grantbook refuses a key others can read)
    school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_2001, "--first-name", "C", "--last-name", "D")


def test_the_ciphertext_decrypts_with_the_key(school: Driver, tmp_path: Path) -> None:
    school.ok("support-worker", "add", "--reason", "needs access", NUMBER, "--rrn", RRN_1985, "--first-name", "A", "--last-name", "B")
    app = GrantBook.open(StoreLocation.parse(school.store_url), create=False, key_file=school.key_path)
    try:
        event = app._first_protected_number()
        assert app.vault().reveal(event.national_number_ciphertext).reveal() == RRN_1985
    finally:
        app.close()
