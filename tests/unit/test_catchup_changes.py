"""What the fast catch-up reads of a stored event (docs/adr/0028): the same id, record time and
state as the library's objects give, from the row as the store keeps it."""

from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace
from uuid import UUID

import pytest

from grantbook.projections.projection import NUL_SHOWN, Change, canonical_id

ID = UUID("bf25dc55-2e22-578d-8ffd-74b6b3fd23c7")


@pytest.mark.parametrize("stored", [ID.hex, str(ID), str(ID).upper(), ID.hex.upper()])
def test_an_id_as_stored_is_the_id_the_library_makes(stored: str) -> None:
    assert canonical_id(stored) == str(UUID(stored)) == str(ID)


@pytest.mark.parametrize(
    "timestamp", ["2026-11-30T09:00:00Z", "2026-11-30T09:00:00.123456+00:00", "2027-03-01T10:30:00+01:00"]
)
def test_a_rows_record_time_is_read_as_the_event_says(timestamp: str) -> None:
    plain = SimpleNamespace(cipher=None, compressor=None)
    state = {"timestamp": timestamp, "actor": "jan", "name": "x\u0000y"}
    change = Change.of_row(7, ID.hex, 3, "grantbook:InstitutionRenamed", json.dumps(state).encode(), plain)
    moment = datetime.fromisoformat(timestamp)
    assert (change.moment, change.recorded_at, change.epoch) == (moment, moment.isoformat(), moment.timestamp())
    assert (change.position, change.version, change.originator_id, change.name) == (7, 3, str(ID), "InstitutionRenamed")
    assert change.state["name"] == f"x{NUL_SHOWN}y"  # an old event's NUL shown, as before
