"""``grantbook keys generate``, ``grantbook checkpoint``, ``grantbook verify``.

None of them needs the key of national register numbers or an acting person.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from grantbook.adapters.checkpoints import Checkpoint, make_checkpoint, verify_in_parts, walk
from grantbook.adapters.checkpoints import (
    verify as verify_store,
)
from grantbook.adapters.signing_keys import generate_keys, load_private_key, load_public_key
from grantbook.domain import rules
from grantbook.errors import TamperEvidenceError
from grantbook.projections import read_models
from grantbook.projections.check import differences
from grantbook.projections.parallel import cores

from .common import fail
from .context import Session, pass_session

# Stores at least this large show a progress bar on stderr.
PROGRESS_FROM = 20_000

FilePath = click.Path(dir_okay=False, path_type=Path)


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    if total < PROGRESS_FROM:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            if position - done >= 1000 or position >= total:
                bar.update(min(position, total) - done)
                done = min(position, total)

        yield advance


@click.group()
def keys() -> None:
    """Ed25519 key pairs for signing checkpoints."""


@keys.command("generate")
@click.option("--private", "private_path", type=FilePath, required=True, help="PEM file for the private key.")
@click.option("--public", "public_path", type=FilePath, required=True, help="PEM file for the public key.")
def keys_generate(private_path: Path, public_path: Path) -> None:
    """Make a key pair: sign checkpoints with the private key, give auditors the public one.

    \b
    Example:
      grantbook keys generate --private auditor.pem --public auditor.pub.pem
    """
    try:
        kid = generate_keys(private_path, public_path)
    except OSError as error:
        fail(rules.KEYS, f"cannot write {error.filename}: {error.strerror}")
    click.echo(
        f"wrote private key {private_path} (readable by you only) and public key {public_path}; key id {kid}"
    )


@click.command()
@click.option("--key", "key_path", type=FilePath, required=True, help="The private key (PEM) that signs.")
@click.option("--out", "out_path", type=FilePath, required=True, help="Where to write the checkpoint (JSON).")
@pass_session
def checkpoint(session: Session, key_path: Path, out_path: Path) -> None:
    """Verify every hash chain, then write a signed checkpoint of the store's heads.

    Keep checkpoint files outside the store: `verify --checkpoint` later
    proves the store still holds exactly this history and only grew since.

    \b
    Example:
      grantbook checkpoint --key auditor.pem --out checkpoint-2026-11-30.json
    """
    try:
        private_key = load_private_key(key_path)
        if out_path.exists():
            raise TamperEvidenceError(f"{out_path} already exists: a checkpoint is never overwritten")
        app = session.app(reading=True)
        with progress(app.recorder.max_notification_id() or 0, "checkpoint") as advance:
            walker = walk(app.recorder, advance)
        document = make_checkpoint(walker, private_key, session.now())
        out_path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        fail(rules.CHECKPOINT, f"cannot write {out_path}: {error.strerror}")
    click.echo(
        f"checkpoint {out_path}: position {walker.position}, {walker.events} events, "
        f"{len(walker.heads)} institutions, root {document['root']}"
    )


@click.command()
@click.option("--checkpoint", "checkpoint_paths", type=FilePath, multiple=True,
              help="A checkpoint file to check the store against (repeatable).")
@click.option("--public-key", "public_key_path", type=FilePath,
              help="Check checkpoint signatures with this key.")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Worker processes, each checking a share of the institutions (default: every core).")
@pass_session
def verify(
    session: Session, checkpoint_paths: tuple[Path, ...], public_key_path: Path | None, processes: int | None
) -> None:
    """Recompute every institution's hash chain and check checkpoints.

    Prints what it checked; on a fault, names the first broken institution
    and position and exits 1. Then builds the read models again from the
    events and names any row of the tables reports read that differs.
    A checkpoint counts only with its signature checked (--public-key).
    Needs neither the number key nor --as. The institutions are checked
    on every core (--processes N); the report is the same with one.

    \b
    Example:
      grantbook verify --checkpoint checkpoint-2026-11-30.json --public-key auditor.pub.pem
    """
    public_key = load_public_key(public_key_path) if public_key_path else None
    checkpoints = [Checkpoint.load(path, public_key) for path in checkpoint_paths]
    app = session.app(reading=True)
    processes = processes or cores()
    with progress(app.recorder.max_notification_id() or 0, "verify") as advance:
        if processes > 1:
            report = verify_in_parts(app.location, checkpoints, advance, processes)
        else:
            report = verify_store(app.recorder, checkpoints, advance)
    click.echo(
        f"verified {report.events} events of {report.institutions} institutions up to position "
        f"{report.position}: every hash chain is intact"
    )
    for item in report.checkpoints:
        click.echo(
            f"checkpoint {item.name} (position {item.position}, {len(item.institutions)} institutions): "
            "the store still holds exactly that history and has only grown since"
            + ("; signature valid" if item.signature_checked else "")
        )
    unsigned = [item.name for item in report.checkpoints if not item.signature_checked]
    if unsigned:
        raise TamperEvidenceError(
            f"the signature of checkpoint {', '.join(unsigned)} was not checked: give --public-key "
            "(anyone who can write the store can also write a checkpoint that matches it)"
        )
    models = read_models(app)
    try:
        found = list(differences(models, processes))
    finally:
        models.close()
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise TamperEvidenceError(f"read models: {found[0]}{more}: run `grantbook projections rebuild`")
    click.echo("read models: every row matches what the events say")


COMMANDS = (keys, checkpoint, verify)
