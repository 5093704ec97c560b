"""``expiring --format ics``: an RFC 5545 calendar made with ``icalendar`` (docs/adr/0014).

One all-day event per expiring right on its end date, its summary naming the person and the
right, a reminder (VALARM) 14 days before, and a UID stable per grant: importing a newer file
after an extension moves the event instead of adding a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from grantbook import __version__

REMINDER_DAYS = 14
UID_DOMAIN = "grantbook.invalid"


def uid(grant_id: str) -> str:
    return f"grant-{grant_id}@{UID_DOMAIN}"


def render_ics(rows: list[dict[str, Any]], now: datetime) -> str:
    calendar = Calendar()
    calendar.add("prodid", f"-//grantbook//grantbook {__version__}//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "grantbook: aflopende gebruikersrechten")
    for row in rows:
        end = datetime.fromisoformat(row["end"]).date()
        who = f"{row['first_name']} {row['last_name']}"
        event = Event()
        event.add("uid", uid(row["grant_id"]))
        event.add("dtstamp", now)
        event.add("dtstart", end)
        event.add("dtend", end + timedelta(days=1))
        event.add("summary", f"{who}: {row['right']} ({row['context']}) loopt af")
        event.add(
            "description",
            f"Laatste dag van {row['right']} [{row['context']}] voor {who} ({row['person_id']}) "
            f"bij instelling {row['institution']}; verleend door {row['granted_by']}.",
        )
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Over {REMINDER_DAYS} dagen loopt {row['right']} van {who} af")
        alarm.add("trigger", timedelta(days=-REMINDER_DAYS))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
