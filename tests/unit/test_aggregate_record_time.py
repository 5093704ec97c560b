"""Record time never runs backwards within an institution."""

from __future__ import annotations

from datetime import timedelta

from story import ROSTER, at, full_story

from grantbook.domain import Act, Institution


def test_an_event_is_never_recorded_before_the_one_it_follows() -> None:
    institution = Institution.register(at(60), "034793", "De Linde", ["jan", "mia"])
    institution.import_roster(at(0, "mia"), ROSTER)  # mia's clock is an hour behind
    institution.select(at(61), ["90001"])  # jan's clock again
    times = [e.timestamp for e in institution.collect_events()]
    assert times == [at(60).now, at(60).now, at(61).now]


def test_a_clock_that_is_ahead_is_kept() -> None:
    institution = full_story()
    later = Act("jan", institution.modified_on + timedelta(hours=1))
    institution.search(later)
    assert institution.collect_events()[-1].timestamp == later.now
