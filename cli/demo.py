"""``grantbook demo``: the seed's checklist, end to end, on a fresh store.

Institution 034793, "Basisschool De Linde (demo)", with a roster of twelve staff members, set up
so that every page has something to show and the seed's main scenario works at the first try:

- six staff members hold no right yet (Nathalie Wuyts, Pieter De Smet, Hanne Goossens, Wout
  Vermeulen, Fien Willems, Cécile D'hondt): "give IRIS to three colleagues for this school year"
  succeeds;
- Els Peeters, Koen Maes and Sofie Jacobs got IRIS [Gebruiker] through the seed's steps (search,
  select, assign, confirm) until 20 days from today; Els's end date was then extended to the end of
  the school year, so Koen's and Sofie's rights are expiring soon;
- Bart Claes holds IRIS until the end of the school year but left the school (a second roster
  import says Inactief): a leaver;
- Ruben Janssens's right was revoked ("andere opdracht"), and a grant to Lien Dubois entered by
  mistake was declared void: history in the audit and under "Alle toekenningen";
- support worker Lotte Wouters (added by a made-up national register number) holds IRIS until 10
  days from today; support worker Ann Vandenberghe has no right yet (a task);
- a second administrator, An De Vos (``an.devos``), has an assignment for Jonas Mertens waiting for
  step 3 (Bevestig).

Dates are relative to the day the demo runs (the CLI reads the clock; the domain never does).
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import click

from grantbook.adapters.store import StoreLocation
from grantbook.domain import Act, RosterEntry
from grantbook.errors import StoreError
from grantbook.projections import answer
from grantbook.projections.rights_questions import (
    EXPIRING_COLUMNS,
    RIGHTS_COLUMNS,
    query_ending_between,
    query_held_on,
)

from .context import Session, pass_session
from .output import table

NUMBER = "034793"
IRIS = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"
ADMIN = "demo-admin"
OTHER_ADMIN = "an.devos"  # a second head administrator, with an assignment waiting for step 3
# Valid national register numbers made up for the demo (not real persons').
DEMO_RRN = "85.07.30-033.28"
SECOND_RRN = "90.03.15-012.91"

# Addresses for expiry notices (grantbook notify, docs/adr/0014); example.org-style, no real mailbox.
ADMIN_EMAIL = "beheerder@delinde.example"
STAFF_EMAILS = {"90002": "koen.maes@delinde.example", "90003": "sofie.jacobs@delinde.example"}

STAFF = (
    ("90001", "Els", "Peeters", date(2017, 3, 2), date(2027, 3, 2)),
    ("90002", "Koen", "Maes", date(2017, 3, 2), date(2027, 3, 2)),
    ("90003", "Sofie", "Jacobs", date(2019, 8, 19), date(2029, 8, 19)),
    ("90004", "Bart", "Claes", date(2015, 9, 1), None),
    ("90005", "Nathalie", "Wuyts", date(2018, 9, 1), None),
    ("90006", "Pieter", "De Smet", date(2020, 9, 1), None),
    ("90007", "Hanne", "Goossens", date(2021, 9, 1), None),
    ("90008", "Wout", "Vermeulen", date(2016, 9, 1), None),
    ("90009", "Fien", "Willems", date(2023, 9, 1), None),
    ("90010", "Jonas", "Mertens", date(2022, 9, 1), None),
    ("90011", "Cécile", "D’hondt", date(2019, 9, 1), None),
    ("90012", "Ruben", "Janssens", date(2014, 9, 1), None),
    ("90013", "Lien", "Dubois", date(2024, 9, 1), None),
)
FIRST_THREE = ("90001", "90002", "90003")  # the seed's three, granted through its steps
LEAVER = "90004"
WITHOUT_A_RIGHT = ("90005", "90006", "90007", "90008", "90009", "90011")


def end_of_school_year(today: date) -> date:
    year = today.year if today.month < 9 else today.year + 1
    return date(year, 8, 31)


def roster(inactive: tuple[str, ...] = ()) -> list[RosterEntry]:
    return [
        RosterEntry(
            person_id=pid,
            first_name=first,
            last_name=last,
            category="Medewerker",
            status="Inactief" if pid in inactive else "Actief",
            begin_date=begin,
            end_date=end,
        )
        for pid, first, last, begin, end in STAFF
    ]


def run_demo(session: Session) -> None:
    if not session.store_given:
        folder = Path(tempfile.mkdtemp(prefix="grantbook-demo-"))
        session.store = StoreLocation.parse(f"sqlite:///{folder / 'demo.db'}")
    session.actor = session.actor or ADMIN
    say = click.echo
    say(f"demo store: {session.store.display}")
    app = session.app()
    if app.recorder.max_notification_id():
        raise StoreError(f"demo needs a fresh store: {session.store.display} already holds events")
    act = session.act()
    other = Act(OTHER_ADMIN, act.now)
    today = act.today
    short_end = today + timedelta(days=20)
    year_end = end_of_school_year(today)

    app.register_institution(act, NUMBER, "Basisschool De Linde (demo)", [act.actor])
    say(f"1. registered institution {NUMBER}, administrator {act.actor}")
    app.appoint_administrator(act, NUMBER, OTHER_ADMIN, head=True)  # IRIS is granted by heads only
    say(f"   appointed a second head administrator, {OTHER_ADMIN}")
    app.record_email(act, NUMBER, act.actor, ADMIN_EMAIL)
    say(f"   expiry notices for {act.actor} go to {ADMIN_EMAIL}")
    app.import_roster(act, NUMBER, roster(), STAFF_EMAILS)
    say(f"2. imported the roster: {len(STAFF)} staff members ({len(STAFF_EMAILS)} with an e-mail address)")
    found = app.search(act, NUMBER)
    say(f"3. searched {NUMBER}: {len(found)} persons listed")
    app.select(act, NUMBER, list(FIRST_THREE))
    say(f"4. selected {', '.join(FIRST_THREE)}")
    app.assign(act, NUMBER, IRIS, "Gebruiker", today, short_end)
    say(f"5. assigned {IRIS} [Gebruiker] {today.isoformat()} to {short_end.isoformat()}")
    granted = app.confirm(act, NUMBER)
    say(f"6. confirmed: granted to {len(granted)} persons")
    app.extend(act, NUMBER, "90001", IRIS, year_end)
    say(f"7. extended 90001's end date to {year_end.isoformat()} (end of the school year)")

    # A leaver: granted until the end of the school year, then Inactief on the next roster.
    app.grant(act, NUMBER, LEAVER, IRIS, "Gebruiker", today, year_end)
    app.grant(act, NUMBER, "90012", IRIS, "Gebruiker", today, year_end)
    app.revoke(act, NUMBER, "90012", IRIS, reason="andere opdracht binnen de school")
    mistake = app.grant(act, NUMBER, "90013", IRIS, "Gebruiker", today, year_end)
    app.void(act, NUMBER, mistake.grant_id, "toegekend aan de verkeerde persoon")
    say(f"8. granted {IRIS} to {LEAVER}, 90012 (then revoked) and 90013 (then declared void)")
    app.import_roster(act, NUMBER, roster(inactive=(LEAVER,)), STAFF_EMAILS)
    say(f"9. imported the roster again: {LEAVER} is Inactief and still holds {IRIS}")

    worker = app.add_support_worker(
        act, NUMBER, DEMO_RRN, "Lotte", "Wouters", reason="ondersteuner voor leerlingenbegeleiding"
    )
    say(f"10. added support worker {worker.person_id} ({worker.national_number_masked})")
    app.select(act, NUMBER, [worker.person_id])
    worker_end = today + timedelta(days=10)
    app.assign(act, NUMBER, IRIS, "Gebruiker", today, worker_end)
    app.confirm(act, NUMBER)
    say(f"11. granted {IRIS} [Gebruiker] to {worker.person_id} until {worker_end.isoformat()}")
    second = app.add_support_worker(
        act, NUMBER, SECOND_RRN, "Ann", "Vandenberghe", reason="ondersteuner vanaf volgende week"
    )
    say(f"12. added support worker {second.person_id} ({second.national_number_masked}), no right yet")

    app.search(other, NUMBER, "mertens")
    app.select(other, NUMBER, ["90010"])
    app.assign(other, NUMBER, IRIS, "Gebruiker", today, year_end)
    say(f"13. {OTHER_ADMIN} assigned {IRIS} to 90010: waiting for step 3 (confirm)")

    # The same read models the rights and expiring commands answer from.
    held, ending = answer(
        app, lambda db: (query_held_on(db, today, NUMBER), query_ending_between(db, today, 30, NUMBER))
    )
    say("")
    say(f"Rights held at {NUMBER} on {today.isoformat()}:")
    say(table(held, RIGHTS_COLUMNS))
    say("")
    say("Expiring within 30 days:")
    say(table(ending, EXPIRING_COLUMNS))
    say("")
    say(f"Without a right yet: {', '.join(WITHOUT_A_RIGHT)} (try: give them {IRIS})")
    say(f"Try: grantbook --store {session.store.display} audit {NUMBER}")
    say(f"     grantbook --store {session.store.display} verify")
    say(f"     grantbook --store {session.store.display} --as {act.actor} tasks")
    say(f"     grantbook --store {session.store.display} --as {act.actor} notify --dry-run")


@click.command()
@click.option("--serve", "serve_pages", is_flag=True,
              help="Then serve the web pages on the demo store, signed in as its head administrator.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="With --serve: the port on 127.0.0.1.")
@pass_session
def demo(session: Session, serve_pages: bool, port: int) -> None:
    """Run the seed's scenario on a fresh store and print the results.

    Uses --store if one is given (it must not exist yet), else a new
    store in a temporary folder. With --serve, the web pages then open on
    it (loopback only), signed in locally as the demo school's head
    administrator: the last line printed is the link to open.

    \b
    Example:
      grantbook demo
      grantbook demo --serve --port 8000
    """
    run_demo(session)
    if serve_pages:
        from .serve import serve

        session.close()  # the server opens the store itself
        click.get_current_context().invoke(serve, host="127.0.0.1", port=port, workers=1)
