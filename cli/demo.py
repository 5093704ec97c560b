"""``grantbook demo``: the seed's checklist, end to end, on a fresh store.

Institution 034793, three staff members from the seed's roster, the IRIS
right with context Gebruiker for all three, a support worker added by
national register number and granted the same right, and one end date
extended to the end of the school year. Dates are relative to today so the
expiry report always has something to show.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import click

from grantbook.adapters.store import StoreLocation
from grantbook.domain import RosterEntry
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
# A valid national register number made up for the demo (not a real person's).
DEMO_RRN = "85.07.30-033.28"

# Addresses for expiry notices (grantbook notify, docs/adr/0014); example.org-style, no real mailbox.
ADMIN_EMAIL = "beheerder@delinde.example"
STAFF_EMAILS = {"90002": "koen.maes@delinde.example", "90003": "sofie.jacobs@delinde.example"}

STAFF = (
    ("90001", "Els", "Peeters", date(2017, 3, 2), date(2027, 3, 2)),
    ("90002", "Koen", "Maes", date(2017, 3, 2), date(2027, 3, 2)),
    ("90003", "Sofie", "Jacobs", date(2019, 8, 19), date(2029, 8, 19)),
)


def end_of_school_year(today: date) -> date:
    year = today.year if today.month < 9 else today.year + 1
    return date(year, 8, 31)


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
    today = act.today
    short_end = today + timedelta(days=20)

    app.register_institution(act, NUMBER, "Basisschool De Linde (demo)", [act.actor])
    say(f"1. registered institution {NUMBER}, administrator {act.actor}")
    app.record_email(act, NUMBER, act.actor, ADMIN_EMAIL)
    say(f"   expiry notices for {act.actor} go to {ADMIN_EMAIL}")
    roster = [
        RosterEntry(
            person_id=pid,
            first_name=first,
            last_name=last,
            category="Medewerker",
            status="Actief",
            begin_date=begin,
            end_date=end,
        )
        for pid, first, last, begin, end in STAFF
    ]
    app.import_roster(act, NUMBER, roster, STAFF_EMAILS)
    say(f"2. imported the roster: {len(roster)} staff members ({len(STAFF_EMAILS)} with an e-mail address)")
    found = app.search(act, NUMBER)
    say(f"3. searched {NUMBER}: {len(found)} persons listed")
    app.select(act, NUMBER, [pid for pid, *_ in STAFF])
    say(f"4. selected {', '.join(pid for pid, *_ in STAFF)}")
    app.assign(act, NUMBER, IRIS, "Gebruiker", today, short_end)
    say(f"5. assigned {IRIS} [Gebruiker] {today.isoformat()} to {short_end.isoformat()}")
    granted = app.confirm(act, NUMBER)
    say(f"6. confirmed: granted to {len(granted)} persons")
    worker = app.add_support_worker(
        act, NUMBER, DEMO_RRN, "Lotte", "Wouters", reason="ondersteuner for the demo"
    )
    say(f"7. added support worker {worker.person_id} ({worker.national_number_masked})")
    app.select(act, NUMBER, [worker.person_id])
    worker_end = today + timedelta(days=10)
    app.assign(act, NUMBER, IRIS, "Gebruiker", today, worker_end)
    app.confirm(act, NUMBER)
    say(f"8. granted {IRIS} [Gebruiker] to {worker.person_id} until {worker_end.isoformat()}")
    year_end = end_of_school_year(today)
    app.extend(act, NUMBER, "90001", IRIS, year_end)
    say(f"9. extended 90001's end date to {year_end.isoformat()} (end of the school year)")

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
    say(f"Try: grantbook --store {session.store.display} audit {NUMBER}")
    say(f"     grantbook --store {session.store.display} verify")
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
