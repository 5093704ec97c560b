"""Record time follows the store's order, whatever each writer's clock says.

Two administrators whose clocks differ: mia's runs 30 minutes behind jan's.
Within an institution no event is recorded with an earlier time than the one
before it, so ``--as-of`` never shows a later state without the earlier one.
"""

from __future__ import annotations

from datetime import datetime

from conftest import IRIS, NUMBER, grant


def people(rows: list[dict[str, object]]) -> list[object]:
    return [row["person_id"] for row in rows]


def test_a_writer_with_a_slow_clock_does_not_record_before_the_event_it_follows(school, clock) -> None:
    clock.move_to("2026-11-30 10:00:00")
    grant(school, "90001", begin="2026-12-01", end="2027-06-30")  # jan, 10:00 UTC
    clock.move_to("2026-11-30 09:30:00")  # mia's clock is half an hour behind
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "31/12/2027", actor="mia")

    trail = school.json("audit", NUMBER)
    times = [datetime.fromisoformat(str(row["recorded_at"])) for row in trail]
    assert times == sorted(times), "the trail's times run backwards"
    assert [row["event"] for row in trail][-2:] == ["AssignmentConfirmed", "EndDateExtended"]

    # Before jan confirmed (10:00 UTC), nobody held the right, extended or not.
    before = "2026-11-30T09:45:00+00:00"
    assert school.json("rights", NUMBER, "--on", "2027-03-01", "--as-of", before) == []
    assert school.json("rights", NUMBER, "--on", "2027-09-01", "--as-of", before) == []
    early = school.json("audit", NUMBER, "--as-of", before)
    assert early == trail[: len(early)]
    assert "EndDateExtended" not in [row["event"] for row in early]

    # From then on, as the store has it: granted, then extended.
    after = "2026-11-30T10:00:01+00:00"
    assert people(school.json("rights", NUMBER, "--on", "2027-09-01", "--as-of", after)) == ["90001"]
