"""expiring --format ics: an RFC 5545 calendar that two independent parsers read (icalendar and
vobject), one all-day event per right on its end date, a reminder 14 days before, and a UID that an
extension keeps (docs/adr/0014)."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import vobject
from conftest import IRIS, NUMBER, Driver, grant


def calendar(gb: Driver, *args: str) -> str:
    result = gb.ok("expiring", "--within", "365", "--format", "ics", *args)
    data = result.stdout_bytes
    assert all(line.endswith(b"\r") for line in data.split(b"\n")[:-1]), "RFC 5545 lines end in CRLF"
    return data.decode("utf-8")


def events_by_icalendar(text: str) -> dict[str, dict[str, object]]:
    parsed = icalendar.Calendar.from_ical(text)
    found = {}
    for event in parsed.walk("VEVENT"):
        alarms = event.walk("VALARM")
        found[str(event["UID"])] = {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "alarm": [alarm.decoded("TRIGGER") for alarm in alarms],
        }
    return found


def events_by_vobject(text: str) -> dict[str, dict[str, object]]:
    parsed = vobject.readOne(text)
    found = {}
    for event in parsed.vevent_list:
        found[event.uid.value] = {
            "start": event.dtstart.value,
            "end": event.dtend.value,
            "summary": event.summary.value,
            "alarm": [alarm.trigger.value for alarm in event.contents.get("valarm", [])],
        }
    return found


def test_one_all_day_event_per_right_read_alike_by_two_parsers(school: Driver) -> None:
    grant(school, "90001", "90002", end="2027-06-30")
    grant(school, "90003", end="2027-08-31", context="Operator")
    text = calendar(school)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "VERSION:2.0" in text and "PRODID:" in text
    by_icalendar, by_vobject = events_by_icalendar(text), events_by_vobject(text)
    assert by_icalendar == by_vobject
    assert sorted(by_icalendar) == [
        "grant-034793-1@grantbook.invalid", "grant-034793-2@grantbook.invalid", "grant-034793-3@grantbook.invalid"
    ]
    third = by_icalendar["grant-034793-3@grantbook.invalid"]
    assert third["start"] == date(2027, 8, 31) and third["end"] == date(2027, 9, 1)
    assert third["summary"] == f"First3 Last3: {IRIS} (Operator) loopt af"
    assert third["alarm"] == [timedelta(days=-14)]
    assert "DTSTART;VALUE=DATE:20270831" in text


def test_an_extension_moves_the_event_it_keeps_its_uid(school: Driver) -> None:
    grant(school, "90001", end="2027-06-30")
    before = events_by_vobject(calendar(school))
    school.ok("extend", NUMBER, "90001", "--right", IRIS, "--end", "2027-08-31")
    after = events_by_vobject(calendar(school))
    assert list(before) == list(after) == ["grant-034793-1@grantbook.invalid"]
    assert before["grant-034793-1@grantbook.invalid"]["start"] == date(2027, 6, 30)
    assert after["grant-034793-1@grantbook.invalid"]["start"] == date(2027, 8, 31)


def test_revoked_and_ended_rights_are_left_out(school: Driver, clock) -> None:  # type: ignore[no-untyped-def]
    grant(school, "90001", "90002", end="2027-06-30")
    clock.move_to("2026-11-30 10:00:00")
    school.ok("revoke", NUMBER, "90002", "--right", IRIS, "--reason", "left")
    assert list(events_by_icalendar(calendar(school))) == ["grant-034793-1@grantbook.invalid"]
    assert events_by_icalendar(calendar(school, "--on", "2027-07-01")) == {}
    # as the register stood before the revocation, with --as-of
    early = calendar(school, "--as-of", "2026-11-30T09:30:00+00:00")
    assert "grant-034793-2@grantbook.invalid" in events_by_icalendar(early)


def test_the_json_of_expiring_is_unchanged(school: Driver) -> None:
    grant(school, "90001", end="2027-06-30")
    rows = school.json("expiring", "--within", "365")
    assert set(rows[0]) == {
        "institution", "person_id", "first_name", "last_name", "category", "right", "context", "begin", "end",
        "granted_by", "granted_at", "days_left",
    }
