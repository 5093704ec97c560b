"""Expiry notices on the aggregate in memory: who is due which notice on which day (docs/adr/0014)."""

from __future__ import annotations

from datetime import date

import pytest
from story import IRIS, at, granted, refused, school

from grantbook.domain import Institution, RuleViolation
from grantbook.domain.notices import email_address, nearest_threshold, parse_thresholds

END = date(2027, 8, 31)
THRESHOLDS = (14, 1)


def days_before_end(days: int) -> date:
    return date.fromordinal(END.toordinal() - days)


def with_addresses() -> Institution:
    """school() with 90001 and 90002 holding IRIS until END; jan has an address, mia none."""
    institution = school()
    institution.record_email(at(3), "jan", "jan@delinde.example")
    granted(institution, "90001", "90002", end=END)
    return institution


def send_all(institution: Institution, day: date) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """What a notify run on ``day`` mails (recipient, role, [(grant, threshold)]), all accepted."""
    sent = []
    for notice in institution.notices_due(day, THRESHOLDS):
        sent.append((notice.person_id, notice.role, [(n.grant.grant_id, n.threshold) for n in notice.lines]))
        assert institution.record_notice(at(30), notice, day)
    return sent


def test_nothing_is_due_before_the_first_threshold() -> None:
    institution = with_addresses()
    assert institution.notices_due(days_before_end(15), THRESHOLDS) == []


def test_at_fourteen_days_one_mail_to_each_administrator_with_an_address_lists_every_right() -> None:
    institution = with_addresses()
    assert send_all(institution, days_before_end(14)) == [
        ("jan", "administrator", [("034793-1", 14), ("034793-2", 14)])
    ]
    assert institution.unwarned_administrators(days_before_end(14), THRESHOLDS) == ["mia", "piet"]
    assert institution.unwarned_administrators(days_before_end(15), THRESHOLDS) == []


def test_a_second_run_the_same_day_or_the_next_sends_nothing() -> None:
    institution = with_addresses()
    send_all(institution, days_before_end(14))
    assert institution.notices_due(days_before_end(14), THRESHOLDS) == []
    assert institution.notices_due(days_before_end(5), THRESHOLDS) == []


def test_the_one_day_notice_comes_after_the_fourteen_day_one() -> None:
    institution = with_addresses()
    send_all(institution, days_before_end(14))
    assert send_all(institution, days_before_end(1)) == [
        ("jan", "administrator", [("034793-1", 1), ("034793-2", 1)])
    ]
    assert institution.notices_due(END, THRESHOLDS) == []


def test_a_missed_day_is_caught_up_with_the_nearest_threshold_only() -> None:
    institution = with_addresses()
    # nobody ran it at 14 days: at 9 days left the 14-day notice still goes, once
    assert send_all(institution, days_before_end(9)) == [
        ("jan", "administrator", [("034793-1", 14), ("034793-2", 14)])
    ]
    # nobody ran it at 1 day either: on the last day only the 1-day notice, once
    fresh = with_addresses()
    assert send_all(fresh, END) == [("jan", "administrator", [("034793-1", 1), ("034793-2", 1)])]
    assert fresh.notices_due(END, THRESHOLDS) == []


def test_an_ended_right_gets_no_notice() -> None:
    institution = with_addresses()
    assert institution.notices_due(date(2027, 9, 1), THRESHOLDS) == []


def test_an_extension_restarts_the_thresholds() -> None:
    institution = with_addresses()
    send_all(institution, days_before_end(14))
    new_end = date(2028, 8, 31)
    institution.extend(at(40), "90001", IRIS, new_end)
    # the extended right is no longer due at the old end's one-day mark
    assert send_all(institution, days_before_end(1)) == [("jan", "administrator", [("034793-2", 1)])]
    # and its thresholds start afresh for the new end date
    two_weeks_before = date.fromordinal(new_end.toordinal() - 14)
    assert send_all(institution, two_weeks_before) == [("jan", "administrator", [("034793-1", 14)])]


def test_a_rollover_restarts_the_thresholds_of_every_right_it_moves() -> None:
    institution = with_addresses()
    send_all(institution, days_before_end(14))
    new_end = date(2028, 8, 31)
    institution.extend_ending(at(40), IRIS, END, new_end)
    assert send_all(institution, days_before_end(1)) == []
    two_weeks_before = date.fromordinal(new_end.toordinal() - 14)
    assert send_all(institution, two_weeks_before) == [("jan", "administrator", [("034793-1", 14), ("034793-2", 14)])]


def test_a_voided_right_and_one_revoked_from_a_later_day_get_no_notice() -> None:
    institution = with_addresses()
    institution.void(at(40), "034793-1", "entered by mistake")
    institution.revoke(at(40), "90002", IRIS, reason="leaves", first_day=date(2027, 6, 1))
    assert send_all(institution, days_before_end(14)) == []


def test_a_revoked_right_gets_no_notice() -> None:
    institution = with_addresses()
    institution.revoke(at(40), "90002", IRIS, reason="left the school")
    assert send_all(institution, days_before_end(14)) == [("jan", "administrator", [("034793-1", 14)])]


def test_a_newly_appointed_administrator_gets_what_is_due() -> None:
    institution = with_addresses()
    send_all(institution, days_before_end(14))
    institution.appoint_administrator(at(40), "tom")
    institution.record_email(at(41, "tom"), "tom", "tom@delinde.example")
    assert send_all(institution, days_before_end(10)) == [
        ("tom", "administrator", [("034793-1", 14), ("034793-2", 14)])
    ]


def test_a_holder_with_an_address_is_told_about_their_own_rights_only() -> None:
    institution = with_addresses()
    institution.record_roster_emails(at(4), {"90002": "bert@delinde.example"})
    assert send_all(institution, days_before_end(14)) == [
        ("jan", "administrator", [("034793-1", 14), ("034793-2", 14)]),
        ("90002", "holder", [("034793-2", 14)]),
    ]


def test_a_notice_recorded_meanwhile_is_not_recorded_twice() -> None:
    institution = with_addresses()
    notice = institution.notices_due(days_before_end(14), THRESHOLDS)[0]
    assert institution.record_notice(at(30), notice, days_before_end(14))
    version = institution.version
    assert not institution.record_notice(at(31), notice, days_before_end(14))
    assert institution.version == version


def test_an_administrator_sets_their_own_address_a_head_anyones() -> None:
    institution = school()
    assert institution.record_email(at(3, "piet"), "piet", "Piet@DeLinde.example")
    assert institution.state.emails["piet"] == "Piet@delinde.example"  # the domain part normalised
    assert institution.record_email(at(4, "jan"), "piet", "piet.peeters@delinde.example")
    assert not institution.record_email(at(5, "jan"), "piet", "piet.peeters@delinde.example")
    refused(institution, "not-a-head-administrator",
            lambda: institution.record_email(at(6, "piet"), "jan", "x@delinde.example"))
    refused(institution, "not-an-administrator",
            lambda: institution.record_email(at(6, "jan"), "90001", "x@delinde.example"))
    refused(institution, "not-an-administrator",
            lambda: institution.record_email(at(6, "nobody"), "nobody", "x@delinde.example"))
    refused(institution, "email-address",
            lambda: institution.record_email(at(6, "jan"), "jan", "not an address"))


@pytest.mark.parametrize("text", ["", "jan", "jan@", "@example.org", "jan@@example.org", "jan@exa mple.org"])
def test_what_is_not_an_address_is_refused(text: str) -> None:
    with pytest.raises(RuleViolation) as refusal:
        email_address(text)
    assert refusal.value.rule == "email-address"


@pytest.mark.parametrize(
    ("text", "expected"), [("14,1", (14, 1)), ("1, 14", (14, 1)), ("30", (30,)), ("7,7,0", (7, 0))]
)
def test_thresholds(text: str, expected: tuple[int, ...]) -> None:
    assert parse_thresholds(text) == expected


@pytest.mark.parametrize("text", ["", "14,", "-1", "a", "1.5", "99999", "١٤"])
def test_bad_thresholds_are_refused(text: str) -> None:
    with pytest.raises(RuleViolation) as refusal:
        parse_thresholds(text)
    assert refusal.value.rule == "thresholds"


@pytest.mark.parametrize(
    ("days_left", "expected"), [(20, None), (14, 14), (9, 14), (2, 14), (1, 1), (0, 1), (-1, None)]
)
def test_the_nearest_threshold(days_left: int, expected: int | None) -> None:
    assert nearest_threshold(days_left, THRESHOLDS) == expected


def test_addresses_and_notices_survive_a_snapshot_and_the_stored_events() -> None:
    from grantbook.adapters.persistence import CanonicalJSONTranscoder, PydanticMapper
    from grantbook.domain.snapshot import InstitutionSnapshot

    mapper = PydanticMapper(transcoder=CanonicalJSONTranscoder())
    institution = with_addresses()
    send_all(institution, days_before_end(14))
    events = institution.collect_events()
    assert {type(e).__name__ for e in events} >= {"EmailAddressRecorded", "NoticeSent"}
    for event in events:
        stored = mapper.to_stored_event(event)
        assert stored.topic.startswith("grantbook:")
        assert mapper.to_domain_event(stored) == event
    assert institution.state.notified != set()
    stored = mapper.to_stored_event(InstitutionSnapshot.take(institution))
    loaded = mapper.to_domain_event(stored).mutate(None)
    assert loaded.state == institution.state
    assert loaded.notices_due(days_before_end(14), THRESHOLDS) == []
    assert [n.person_id for n in loaded.notices_due(days_before_end(1), THRESHOLDS)] == ["jan"]


def test_an_address_is_taken_away_by_its_owner_or_a_head_and_no_notice_goes_to_it() -> None:
    institution = with_addresses()
    institution.record_email(at(3, "piet"), "piet", "piet@delinde.example")
    institution.record_roster_emails(at(3), {"90001": "an@delinde.example"})
    day = days_before_end(14)
    assert {n.person_id for n in institution.notices_due(day, THRESHOLDS)} == {"jan", "piet", "90001"}
    refused(institution, "not-a-head-administrator", lambda: institution.remove_email(at(3, "piet"), "jan"))
    assert institution.remove_email(at(3, "piet"), "piet")  # one's own
    assert not institution.remove_email(at(4, "piet"), "piet")  # gone already: nothing recorded
    assert "piet" not in institution.state.emails
    assert "piet" in institution.unwarned_administrators(day, THRESHOLDS)
    assert "piet" not in {n.person_id for n in institution.notices_due(day, THRESHOLDS)}
    assert institution.remove_email(at(5, "jan"), "90001")  # a head: a holder's roster address too
    assert {n.person_id for n in institution.notices_due(day, THRESHOLDS)} == {"jan"}
    refused(institution, "not-an-administrator", lambda: institution.remove_email(at(6, "nobody"), "jan"))
    assert [type(e).__name__ for e in institution.collect_events()][-2:] == ["EmailAddressRemoved"] * 2
