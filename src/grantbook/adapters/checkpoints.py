"""Tamper evidence: hash chains, signed checkpoints and their verification.

See docs/adr/0006-hash-chain-and-checkpoints.md for the encodings. Nothing
here needs the key of national register numbers: the chain covers the
stored bytes, ciphertext included, and verification never decrypts.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from eventsourcing.persistence import ApplicationRecorder, Notification

from grantbook.adapters.signing_keys import key_id
from grantbook.domain.chain import canonical_json, chain_hash, genesis_hash
from grantbook.domain.events import InstitutionRegistered
from grantbook.errors import TamperEvidenceError

CHECKPOINT_FORMAT = "grantbook-checkpoint-v1"
ROOT_PREFIX = b"grantbook-checkpoint-root-v1\n"
PAGE = 1000


@dataclass
class Head:
    """The last verified event of one institution."""

    number: str
    version: int
    hash: str
    position: int = 0


# -- reading the store --------------------------------------------------------------


def stored_events(recorder: ApplicationRecorder, start: int = 1, page: int = PAGE) -> Iterator[Notification]:
    """Every stored event in store order, a page at a time."""
    position = start
    while True:
        batch = recorder.select_notifications(start=position, limit=page)
        yield from batch
        if len(batch) < page:
            return
        position = batch[-1].id + 1


class ChainWalker:
    """Checks each stored event against its institution's chain, keeping only
    one head per institution (constant memory in the number of events)."""

    def __init__(self) -> None:
        self.heads: dict[str, Head] = {}
        self.events = 0
        self.position = 0

    def name_of(self, originator_id: str) -> str:
        head = self.heads.get(originator_id)
        return head.number if head is not None else originator_id

    def add(self, item: Notification) -> None:
        oid = str(item.originator_id)
        previous = self.heads.get(oid)
        where = previous.number if previous else oid
        try:
            state = json.loads(item.state)
            linked = state["previous_hash"]
        except (ValueError, KeyError, TypeError):
            raise TamperEvidenceError(
                "the stored event cannot be read or carries no previous_hash", where, item.id
            ) from None
        expected_version = previous.version + 1 if previous else 1
        if item.originator_version != expected_version:
            raise TamperEvidenceError(
                f"version {item.originator_version} where {expected_version} was expected "
                "(an event was removed or reordered)",
                where,
                item.id,
            )
        expected_link = previous.hash if previous else genesis_hash(oid)
        if linked != expected_link and previous is None:
            raise TamperEvidenceError(
                f"version 1 ({item.topic}) does not carry the institution's genesis value: it was "
                "forged or copied",
                where,
                item.id,
            )
        if linked != expected_link:
            assert previous is not None
            raise TamperEvidenceError(  # named by the event whose content the next link no longer fits
                f"version {previous.version} no longer matches the link that version "
                f"{item.originator_version} ({item.topic}, position {item.id}) recorded: version "
                f"{previous.version} was changed after it was recorded, or version "
                f"{item.originator_version} was forged, copied or moved",
                where,
                previous.position,
            )
        if previous is None:
            if item.topic != InstitutionRegistered.TOPIC or not isinstance(state.get("number"), str):
                raise TamperEvidenceError(
                    "the first event of an institution is not its registration", where, item.id
                )
            previous = self.heads[oid] = Head(state["number"], 0, "")
        previous.version = item.originator_version
        previous.hash = chain_hash(item.topic, oid, item.originator_version, item.state)
        previous.position = item.id
        self.events += 1
        self.position = item.id


# -- checkpoints -------------------------------------------------------------------


def root_hash(institutions: Sequence[dict[str, Any]]) -> str:
    ordered = sorted(institutions, key=lambda i: i["id"])
    lines = "".join(f"{i['id']} {i['version']} {i['head']}\n" for i in ordered)
    return hashlib.sha256(ROOT_PREFIX + lines.encode("ascii")).hexdigest()


def signed_part(document: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in document.items() if k != "signature"})


def make_checkpoint(walker: ChainWalker, private_key: Ed25519PrivateKey, now: datetime) -> dict[str, Any]:
    institutions = [
        {"id": oid, "number": head.number, "version": head.version, "head": head.hash}
        for oid, head in sorted(walker.heads.items())
    ]
    document: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "position": walker.position,
        "events": walker.events,
        "created_at": now.isoformat(),
        "institutions": institutions,
        "root": root_hash(institutions),
        "key_id": key_id(private_key.public_key()),
    }
    document["signature"] = base64.b64encode(private_key.sign(signed_part(document))).decode("ascii")
    return document


@dataclass
class Checkpoint:
    name: str
    document: dict[str, Any]
    signature_checked: bool = False
    checked: bool = False
    institutions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def position(self) -> int:
        return int(self.document["position"])

    @classmethod
    def load(cls, path: Path, public_key: Ed25519PublicKey | None) -> Checkpoint:
        try:
            document = json.loads(path.read_text("utf-8"))
            if document.get("format") != CHECKPOINT_FORMAT:
                raise ValueError
            institutions = {i["id"]: i for i in document["institutions"]}
            position = int(document["position"])
            signature = base64.b64decode(document["signature"], validate=True)
        except OSError as error:
            raise TamperEvidenceError(f"cannot read checkpoint {path}: {error.strerror}") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise TamperEvidenceError(f"{path} is not a grantbook checkpoint") from None
        if root_hash(list(institutions.values())) != document.get("root"):
            raise TamperEvidenceError(f"checkpoint {path}: its root hash does not match its institutions")
        checkpoint = cls(str(path), document, institutions=institutions)
        if position < 0:
            raise TamperEvidenceError(f"{path} is not a grantbook checkpoint")
        if public_key is not None:
            try:
                public_key.verify(signature, signed_part(document))
            except InvalidSignature:
                raise TamperEvidenceError(
                    f"checkpoint {path}: the signature does not match (altered, or another key)"
                ) from None
            checkpoint.signature_checked = True
        return checkpoint

    def check(self, walker: ChainWalker) -> None:
        """The store, read up to this checkpoint's position, ends exactly where it did."""
        for oid, recorded in self.institutions.items():
            head = walker.heads.get(oid)
            number = recorded.get("number", oid)
            if head is None or head.version < recorded["version"]:
                held = 0 if head is None else head.version
                raise TamperEvidenceError(
                    f"checkpoint {self.name} recorded {recorded['version']} events up to position "
                    f"{self.position}, the store holds {held} (events were removed)",
                    number,
                    self.position,
                )
            if head.version > recorded["version"] or head.hash != recorded["head"]:
                raise TamperEvidenceError(
                    f"up to position {self.position} the store differs from checkpoint {self.name} "
                    f"(version {head.version} there, checkpoint head at version {recorded['version']})",
                    number,
                    self.position,
                )
        for oid, head in walker.heads.items():
            if oid not in self.institutions:
                raise TamperEvidenceError(
                    f"has events at or before position {self.position} that checkpoint {self.name} "
                    "does not know",
                    head.number,
                    self.position,
                )
        self.checked = True


@dataclass
class Report:
    events: int
    institutions: int
    position: int
    checkpoints: list[Checkpoint]


def verify(
    recorder: ApplicationRecorder,
    checkpoints: Sequence[Checkpoint] = (),
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Walks every chain once; checks each checkpoint when the walk passes its
    position. Raises TamperEvidenceError at the first fault."""
    walker = ChainWalker()
    waiting = sorted(checkpoints, key=lambda c: c.position)
    for item in stored_events(recorder):
        while waiting and waiting[0].position < item.id:
            waiting.pop(0).check(walker)
        walker.add(item)
        if progress is not None:
            progress(item.id)
    for checkpoint in waiting:
        if checkpoint.position > walker.position:
            # The store ends before the checkpoint did: its last events are gone.
            checkpoint.check(walker)
            raise TamperEvidenceError(
                f"the store ends at position {walker.position}, checkpoint {checkpoint.name} "
                f"was taken at position {checkpoint.position} (events were removed)"
            )
        checkpoint.check(walker)
    return Report(walker.events, len(walker.heads), walker.position, list(checkpoints))


def walk(recorder: ApplicationRecorder, progress: Callable[[int], None] | None = None) -> ChainWalker:
    walker = ChainWalker()
    for item in stored_events(recorder):
        walker.add(item)
        if progress is not None:
            progress(item.id)
    return walker


# -- the walk in parts (docs/adr/0026) -----------------------------------------------


def verify_in_parts(
    location: Any,
    checkpoints: Sequence[Checkpoint] = (),
    progress: Callable[[int], None] | None = None,
    processes: int = 2,
) -> Report:
    """``verify`` with the institutions split among ``processes`` worker processes (each reads every
    stored event, checks the chains of its own institutions and notes their heads at each
    checkpoint's position). The parent puts the parts together as the serial walk would have met
    them: the checkpoints passed before the first fault in store order are checked first, then that
    fault is raised; so the report, the first fault named and the exit code are those of ``verify``."""
    from grantbook.projections.parallel import run_parts

    positions = sorted({c.position for c in checkpoints})
    at: list[int] = [0] * processes

    def advance(part: int) -> Callable[[int], None]:
        def step(position: int) -> None:
            at[part] = position
            if progress is not None:
                progress(min(at))

        return step

    steps = [advance(part) for part in range(processes)]
    results = run_parts(
        _walk_part, processes, (location, positions), (lambda m: steps[m[0]](m[1])) if progress else None
    )
    faults = [r["fault"] for r in results if r["fault"] is not None]
    fault = min(faults, key=lambda f: f[0]) if faults else None
    first_seen = {oid: seen for r in results for oid, seen in r["first_seen"].items()}

    def walker_at(snapshots: list[dict[str, Head]]) -> ChainWalker:
        walker = ChainWalker()
        merged = {oid: head for heads in snapshots for oid, head in heads.items()}
        walker.heads = {oid: merged[oid] for oid in sorted(merged, key=first_seen.__getitem__)}
        return walker

    last = max(r["position"] for r in results)
    waiting = sorted(checkpoints, key=lambda c: c.position)
    stop = fault[0] if fault is not None else last + 1
    while waiting and waiting[0].position < stop:
        checkpoint = waiting.pop(0)
        checkpoint.check(walker_at([r["snapshots"][checkpoint.position] for r in results]))
    if fault is not None:
        _, text, institution, position = fault
        error = TamperEvidenceError.__new__(TamperEvidenceError)
        Exception.__init__(error, text)
        error.institution, error.position = institution, position
        raise error
    final = walker_at([r["heads"] for r in results])
    final.events = sum(r["events"] for r in results)
    final.position = last
    for checkpoint in waiting:
        if checkpoint.position > final.position:
            checkpoint.check(final)
            raise TamperEvidenceError(
                f"the store ends at position {final.position}, checkpoint {checkpoint.name} "
                f"was taken at position {checkpoint.position} (events were removed)"
            )
        checkpoint.check(final)
    return Report(final.events, len(final.heads), final.position, list(checkpoints))


def _head(location: Any) -> int:
    from grantbook.projections.parallel import open_events

    recorder, _, close = open_events(location)
    try:
        return int(recorder.max_notification_id() or 0)
    finally:
        close()


def _copy_heads(heads: dict[str, Head]) -> dict[str, Head]:
    return {oid: Head(h.number, h.version, h.hash, h.position) for oid, h in heads.items()}


def _walk_part(
    part: int, parts: int, location: Any, positions: list[int], report: Callable[[Any], None]
) -> dict[str, Any]:
    """Worker: the chains of this part's institutions, their heads at each checkpoint position, and
    the first fault met (the position of the event at which it was found, and the error)."""
    from grantbook.projections.parallel import read_part

    walker = ChainWalker()
    snapshots: dict[int, dict[str, Head]] = {}
    first_seen: dict[str, int] = {}
    waiting = list(positions)
    fault = None
    last = 0
    head = _head(location)
    for _, read_to, mine in read_part(location, part, parts, head, PAGE):
        for item in mine:
            while waiting and waiting[0] < item.id:  # the heads as the walk passes a checkpoint
                snapshots[waiting.pop(0)] = _copy_heads(walker.heads)
            first_seen.setdefault(item.originator_id, item.id)
            try:
                walker.add(item)  # type: ignore[arg-type]
            except TamperEvidenceError as error:
                fault = (item.id, str(error), error.institution, error.position)
                break
        if fault is not None:
            break
        while waiting and waiting[0] < read_to:  # passed by other parts' events in this page
            snapshots[waiting.pop(0)] = _copy_heads(walker.heads)
        last = read_to
        report((part, read_to))
    for position in waiting:
        snapshots[position] = _copy_heads(walker.heads)
    report((part, last))
    return {
        "fault": fault,
        "snapshots": snapshots,
        "heads": walker.heads,
        "first_seen": first_seen,
        "events": walker.events,
        "position": last,
    }
