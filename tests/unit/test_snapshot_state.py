"""A snapshot is the declared state, dumped and validated by pydantic; an
institution loaded from one equals the one replayed from its events. So does
one loaded from a snapshot in the old tagged-JSON format."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from story import IRIS, at, full_story
from test_stored_events import golden_records

from grantbook.adapters.persistence import CanonicalJSONTranscoder, PydanticMapper
from grantbook.adapters.snapshots import LegacyInstitutionSnapshot
from grantbook.domain import Institution
from grantbook.domain.snapshot import InstitutionSnapshot
from grantbook.domain.state import InstitutionState

MAPPER = PydanticMapper(transcoder=CanonicalJSONTranscoder())
OLD_SNAPSHOT = Path(__file__).parent / "data" / "snapshot_tagged_json_v1.json"


def same_institution(loaded: Institution, replayed: Institution) -> None:
    assert type(loaded) is Institution
    assert (loaded.id, loaded.version) == (replayed.id, replayed.version)
    assert (loaded.created_on, loaded.modified_on) == (replayed.created_on, replayed.modified_on)
    assert loaded.head_hash == replayed.head_hash
    assert loaded.state == replayed.state


def replay_golden() -> Institution:
    institution = None
    for record in golden_records():
        institution = MAPPER.to_domain_event(record).mutate(institution)
    assert isinstance(institution, Institution)
    return institution


def test_a_snapshot_is_the_declared_state_and_loads_as_the_replay() -> None:
    institution = full_story()
    stored = MAPPER.to_stored_event(InstitutionSnapshot.take(institution))
    assert stored.topic == "grantbook:InstitutionStateSnapshot"
    document = json.loads(stored.state)
    assert InstitutionState.model_validate(document["state"]) == institution.state
    assert document["state"]["administrators"] == ["jan", "tom"]  # sets stored sorted
    loaded = MAPPER.to_domain_event(stored).mutate(None)
    same_institution(loaded, institution)


def test_the_loaded_institution_goes_on_as_the_replayed_one() -> None:
    institution = full_story()
    institution.collect_events()
    loaded = MAPPER.to_domain_event(MAPPER.to_stored_event(InstitutionSnapshot.take(institution))).mutate(
        None
    )
    for aggregate in (institution, loaded):
        aggregate.extend(at(30), "90001", IRIS, date(2029, 8, 31))
    assert [MAPPER.to_stored_event(e) for e in loaded.collect_events()] == [
        MAPPER.to_stored_event(e) for e in institution.collect_events()
    ]


def test_an_old_format_snapshot_loads_to_the_same_state_as_a_replay() -> None:
    row = json.loads(OLD_SNAPSHOT.read_text("utf-8"))
    record = StoredEvent(
        UUID(row["originator_id"]), row["originator_version"], row["topic"], row["state"].encode()
    )
    assert record.topic == "grantbook:InstitutionSnapshot"
    snapshot = MAPPER.to_domain_event(record)
    assert isinstance(snapshot, LegacyInstitutionSnapshot)
    same_institution(snapshot.mutate(None), replay_golden())


def test_a_snapshot_keeps_voids_and_revocations_from_a_later_day() -> None:
    """docs/adr/0016: the new grant fields are part of the declared state a snapshot stores."""
    institution = full_story()
    institution.void(at(30), "034793-2", "granted to the wrong person")
    institution.revoke(at(31), "90001", IRIS, reason="leaves", first_day=date(2027, 3, 1))
    stored = MAPPER.to_stored_event(InstitutionSnapshot.take(institution))
    loaded = MAPPER.to_domain_event(stored).mutate(None)
    same_institution(loaded, institution)
    grant = loaded.state.grants["034793-2"]
    assert (grant.voided_by, grant.void_reason, grant.last_day) == ("jan", "granted to the wrong person", None)
    assert loaded.state.grants["034793-1"].revoked_on == date(2027, 3, 1)
