"""An expiry notice as a mail: Dutch, plain text with an HTML alternative, the institution in the
subject (docs/adr/0014). It names persons by name (a support worker as "(ondersteuner)"), dates as dd/mm/jjjj, and
speaks to the reader as "je" (shared/DUTCH.md): no id, and no national register number, masked or
not, ever goes into a mail."""

from __future__ import annotations

from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

from grantbook.domain.notices import ADMINISTRATOR, DueNotice, NoticeLine
from grantbook.domain.review_notices import ReviewNotice
from grantbook.domain.state import SUPPORT_WORKER_CATEGORY as SUPPORT_WORKER


def subject(number: str, name: str) -> str:
    return f"Gebruikersrechten die binnenkort aflopen - {name} ({number})"


def _days(days_left: int) -> str:
    if days_left == 0:
        return "vandaag de laatste dag"
    return "nog 1 dag" if days_left == 1 else f"nog {days_left} dagen"


def _row(line: NoticeLine) -> tuple[str, str, str, str, str]:
    grant = line.grant
    return (
        f"{grant.first_name} {grant.last_name}" + (" (ondersteuner)" if grant.category == SUPPORT_WORKER else ""),
        grant.right,
        grant.context,
        _dmy(grant.end),
        _days(line.days_left),
    )


HEADERS = ("Persoon", "Gebruikersrecht", "Context", "Einddatum", "Resterend")


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _intro(notice: DueNotice, number: str, name: str) -> str:
    if notice.role == ADMINISTRATOR:
        return (
            f"De volgende gebruikersrechten van {name} (instellingsnummer {number}) lopen binnenkort af. "
            "Verleng ze in Gebruikersbeheer als ze nog nodig zijn."
        )
    return (
        f"Je gebruikersrechten bij {name} (instellingsnummer {number}) lopen binnenkort af. "
        "Heb je ze nog nodig? Vraag dan een beheerder van je school om ze te verlengen."
    )


def compose(notice: DueNotice, number: str, name: str, sender: str, day: date) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(number, name)
    message["From"] = sender
    message["To"] = Address(addr_spec=notice.address)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    intro = _intro(notice, number, name)
    rows = [_row(line) for line in notice.lines]
    text = ["Dag,", "", intro, ""]
    for person, right, context, end, left in rows:
        text.append(f"- {person}: {right} [{context}], einddatum {end} ({left})")
    text += ["", f"Toestand op {_dmy(day)}.", "", "-- Gebruikersbeheer onderwijs en vorming"]
    message.set_content("\n".join(text) + "\n")
    cells = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    html = (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{escape(subject(number, name))}</title></head><body>"
        f"<p>Dag,</p><p>{escape(intro)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"
        f"<p>Toestand op {_dmy(day)}.</p><p>-- Gebruikersbeheer onderwijs en vorming</p></body></html>"
    )
    message.add_alternative(html, subtype="html")
    return message


# -- mails to reviewers of an access review (docs/adr/0025) -------------------------------------

_IF_UNDECIDED = {
    "keep": "Een recht waarover niemand beslist, blijft behouden wanneer de review sluit.",
    "revoke": "Een recht waarover niemand beslist, wordt ingetrokken wanneer de review sluit.",
    "recommendation": (
        "Voor een recht waarover niemand beslist, volgt de review de aanbeveling wanneer ze sluit: "
        "intrekken als de persoon niet meer actief is, anders behouden."
    ),
}


def review_subject(notice: ReviewNotice, number: str, name: str) -> str:
    return f"Toegangsreview {notice.name} - {name} ({number})"


def _review_lines(notice: ReviewNotice, number: str, name: str) -> list[str]:
    due = _dmy(notice.due)
    if notice.threshold is None:
        first = (
            f"Je bent beoordelaar in de toegangsreview \u201c{notice.name}\u201d van {name} "
            f"(instellingsnummer {number}). Bevestig voor elk gebruikersrecht of het nog nodig is "
            f"(Behouden) of niet (Intrekken), uiterlijk op {due}."
        )
    else:
        left = "vandaag de laatste dag" if notice.days_left == 0 else _days(notice.days_left)
        first = (
            f"Je kan in de toegangsreview \u201c{notice.name}\u201d van {name} (instellingsnummer "
            f"{number}) beslissen tot en met {due} ({left})."
        )
    if notice.left:
        verb = "wacht" if notice.left == 1 else "wachten"
        waiting = f"Nog {notice.left} van de {notice.items} rechten in deze review {verb} op een beslissing."
    else:
        waiting = "Over elk recht in deze review dat jij kan beoordelen, is al beslist."
    return [
        first,
        waiting,
        _IF_UNDECIDED.get(notice.if_undecided, ""),
        "Over je eigen gebruikersrecht beslist een andere beoordelaar.",
    ]


def compose_review(notice: ReviewNotice, number: str, name: str, sender: str, day: date) -> EmailMessage:
    """A mail to a reviewer: the review started, or its due date is near; Dutch, "je", dd/mm/jjjj."""
    message = EmailMessage()
    message["Subject"] = review_subject(notice, number, name)
    message["From"] = sender
    message["To"] = Address(addr_spec=notice.address)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    lines = _review_lines(notice, number, name)
    closing = [f"Toestand op {_dmy(day)}.", "-- Gebruikersbeheer onderwijs en vorming"]
    message.set_content("\n\n".join(["Dag,", *lines[:2], " ".join(lines[2:]), *closing]) + "\n")
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in ["Dag,", *lines[:2], " ".join(lines[2:]), *closing])
    title = escape(review_subject(notice, number, name))
    html = (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>{paragraphs}</body></html>"
    )
    message.add_alternative(html, subtype="html")
    return message
