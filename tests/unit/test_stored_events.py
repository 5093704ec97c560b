"""Stored events stay byte-identical: the golden file was written by the code
before the domain was split (one events module), from the same story."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from story import full_story

from grantbook.adapters.persistence import CanonicalJSONTranscoder, PydanticMapper
from grantbook.domain import Institution

GOLDEN = Path(__file__).parent / "data" / "stored_events_v1.jsonl"
MAPPER = PydanticMapper(transcoder=CanonicalJSONTranscoder())


def golden_records() -> list[StoredEvent]:
    rows = [json.loads(line) for line in GOLDEN.read_text("utf-8").splitlines()]
    return [
        StoredEvent(UUID(r["originator_id"]), r["originator_version"], r["topic"], r["state"].encode("utf-8"))
        for r in rows
    ]


def test_the_story_is_stored_with_the_same_topics_and_bytes_as_before() -> None:
    stored = [MAPPER.to_stored_event(e) for e in full_story().collect_events()]
    assert stored == golden_records()


def test_events_stored_under_the_old_topics_load_and_replay() -> None:
    events = [MAPPER.to_domain_event(record) for record in golden_records()]
    assert [type(e).TOPIC for e in events] == [r.topic for r in golden_records()]
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Institution)
    assert replayed.version == len(events)
    assert replayed.head_hash == full_story().head_hash


def test_old_events_read_back_are_stored_with_the_same_bytes_so_their_hashes_stay() -> None:
    """Fields added since (``AssignmentConfirmed.direct``) are left out at their default."""
    for record in golden_records():
        assert MAPPER.to_stored_event(MAPPER.to_domain_event(record)) == record


def test_an_old_assignment_cancelled_keeps_the_selection_as_it_did() -> None:
    """Before docs/adr/0015 ``cancel`` recorded AssignmentCancelled alone: mia's selection stays."""
    records = golden_records()
    [cancelled] = [n for n, r in enumerate(records) if r.topic == "grantbook:AssignmentCancelled"]
    assert b'"actor":"mia"' in records[cancelled].state
    replayed = None
    for record in records[: cancelled + 1]:  # later, mia stops being an administrator
        replayed = MAPPER.to_domain_event(record).mutate(replayed)
    assert isinstance(replayed, Institution)
    assert replayed.state.selections == {"mia": ["90003"]}
    assert "mia" not in replayed.state.pending


def test_the_old_module_paths_of_moved_classes_still_resolve() -> None:
    from eventsourcing.utils import resolve_topic

    from grantbook.domain import events

    for name in events.__all__:
        if name[0].isupper():
            assert resolve_topic(f"grantbook.domain.events:{name}") is getattr(events, name)
    assert resolve_topic("grantbook.domain.institution:ProtectedNumber") is resolve_topic(
        "grantbook.domain.values:ProtectedNumber"
    )
