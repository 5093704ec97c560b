"""The audit trail as an auditor reads it: every event one Dutch sentence (docs/adr/0020).

"Op 07/12/2026 om 14:05 heeft Jan Peeters het gebruikersrecht IRIS-Platform (Leerlingenpaspoort)
Gebruiker (context Gebruiker) toegekend aan Els Peeters, van 01/09/2026 t.e.m. 31/08/2027."

``SENTENCES`` has one entry per event type (a unit test fails on an event type without one): what
the actor did, from the event's details as the audit read model keeps them (``gb_audit.details``).
``KINDS`` groups the event types under the Dutch words of the page's "Soort actie" filter. Persons
are named by ``names`` (first and last name as the institution knows them, "(ondersteuner)" for a
support worker, else the person id). A search text that holds a national register number (old
stores kept what was typed) is shown masked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from grantbook.domain.national_number import looks_like_national_number, mask
from grantbook.domain.values import BRUSSELS

Names = Callable[[str], str]
Details = dict[str, Any]
LISTED = 10
"""Persons named in one sentence at most; the rest are counted ("en 14 anderen")."""


def day(value: Any) -> str:
    """dd/mm/jjjj from an ISO day (or a date); anything else as it is."""
    try:
        found = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return found.strftime("%d/%m/%Y")


def moment(value: Any) -> str:
    """ "07/12/2026 om 14:05" in Brussels time, from an ISO timestamp (or a datetime)."""
    try:
        found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if found.tzinfo is not None:
        found = found.astimezone(BRUSSELS)
    return found.strftime("%d/%m/%Y om %H:%M")


def period(begin: Any, end: Any) -> str:
    return f"van {day(begin)} t.e.m. {day(end)}"


def listed(parts: Sequence[str]) -> str:
    """ "A", "A en B", "A, B en C"; beyond ``LISTED`` the rest counted."""
    shown, rest = list(parts[:LISTED]), len(parts) - LISTED
    if rest > 0:
        shown.append(f"{rest} {'andere' if rest == 1 else 'anderen'}")
    if len(shown) <= 1:
        return "".join(shown) or "niemand"
    return ", ".join(shown[:-1]) + " en " + shown[-1]


def persons(ids: Sequence[str], names: Names) -> str:
    return listed([names(i) for i in dict.fromkeys(ids)])


def right(d: Details, context: Any = None) -> str:
    found = d.get("context") if context is None else context
    return f"het gebruikersrecht {d.get('right', '')}" + (f" (context {found})" if found else "")


def contexts(grants: Sequence[Details]) -> str | None:
    found = sorted({str(g.get("context", "")) for g in grants if g.get("context")})
    return " / ".join(found) or None


def with_reason(text: str, reason: Any) -> str:
    return f"{text}, met als reden: {reason}" if reason else text


_DIGIT_RUN = re.compile(r"[0-9](?:[0-9 .\-/]*[0-9])?")


def masked(text: Any) -> str:
    """A search text with every national register number in it masked (and any other long number)."""

    def one(found: re.Match[str]) -> str:
        run = found.group(0)
        digits = "".join(c for c in run if c.isdigit())
        if len(digits) == 11 and looks_like_national_number(digits):
            return mask(digits)
        return "*" * len(run) if len(digits) >= 9 else run

    return _DIGIT_RUN.sub(one, str(text or ""))


def _registered(d: Details, names: Names) -> str:
    heads = persons(d.get("administrators") or [], names)
    return (
        f"de instelling {d.get('name')} ({d.get('number')}) geregistreerd, met als hoofdbeheerder(s) {heads}"
    )


def _roster(d: Details, names: Names) -> str:
    who = persons(d.get("person_ids") or [], names)
    return (
        f"de personeelslijst ingeladen: {d.get('persons', 0)} personen ({who}), "
        f"waarvan {d.get('active', 0)} actief"
    )


def _support_worker(d: Details, names: Names) -> str:
    who = f"{d.get('first_name', '')} {d.get('last_name', '')}".strip()
    number = d.get("national_number_masked") or "**.**.**-***.**"
    return with_reason(f"{who} als ondersteuner toegevoegd (rijksregisternummer {number})", d.get("reason"))


def _administrator(d: Details, names: Names) -> str:
    role = "hoofdbeheerder" if d.get("head") else "beheerder"
    return f"{names(d.get('person_id', ''))} aangesteld als {role}"


def _renamed(d: Details, names: Names) -> str:
    return f"de naam van de instelling gewijzigd van {d.get('previous_name')} in {d.get('name')}"


def _email(d: Details, names: Names) -> str:
    source = " (uit de personeelslijst)" if d.get("source") == "roster" else ""
    whose = names(d.get("person_id", ""))
    return f"het e-mailadres voor meldingen van {whose} ingesteld op {d.get('email')}{source}"


def _notice(d: Details, names: Names) -> str:
    grants = d.get("grants") or []
    about = persons([g.get("person_id", "") for g in grants], names)
    what = "over een vervallend recht" if len(grants) == 1 else f"over {len(grants)} vervallende rechten"
    return (
        f"een melding {what} ({about}) naar {names(d.get('recipient', ''))} ({d.get('email')}) "
        f"laten versturen op {day(d.get('day'))}"
    )


def _searched(d: Details, names: Names) -> str:
    results = d.get("results", 0)
    found = "1 persoon" if results == 1 else f"{results} personen"
    text = d.get("name_filter")
    asked = f' naar "{masked(text)}"' if text else ""
    return f"het personeel doorzocht{asked} en {found} gevonden"


def _confirmed(d: Details, names: Names) -> str:
    grants = d.get("grants") or []
    holders = listed(
        [
            f"{g.get('first_name', '')} {g.get('last_name', '')}".strip() or names(g.get("person_id", ""))
            for g in grants
        ]
    )
    how = " met Snel recht toekennen" if d.get("direct") else ""
    return f"{right(d)} toegekend aan {holders}{how}, {period(d.get('begin'), d.get('end'))}"


def _extended(d: Details, names: Names) -> str:
    return (
        f"{right(d)} van {names(d.get('person_id', ''))} verlengd: de einddatum is nu "
        f"{day(d.get('new_end'))} in plaats van {day(d.get('previous_end'))}"
    )


def _extended_many(d: Details, names: Names) -> str:
    grants = d.get("grants") or []
    whose = persons([g.get("person_id", "") for g in grants], names)
    ending = f" (alle rechten die op {day(d.get('ending'))} eindigden)" if d.get("ending") else ""
    return f"{right(d, contexts(grants))} van {whose} verlengd tot {day(d.get('new_end'))}{ending}"


def _revoked(d: Details, names: Names) -> str:
    text = f"{right(d)} van {names(d.get('person_id', ''))} ingetrokken vanaf {day(d.get('revoked_on'))}"
    return with_reason(text, d.get("reason"))


def _revoked_many(d: Details, names: Names) -> str:
    grants = d.get("grants") or []
    whose = persons([g.get("person_id", "") for g in grants], names)
    text = f"{right(d, contexts(grants))} van {whose} ingetrokken vanaf {day(d.get('revoked_on'))}"
    return with_reason(text, d.get("reason"))


def _voided(d: Details, names: Names) -> str:
    text = f"{right(d)} van {names(d.get('person_id', ''))} ongeldig verklaard: het gold op geen enkele dag"
    return with_reason(text, d.get("reason"))


def _review_started(d: Details, names: Names) -> str:
    items = d.get("items") or []
    scope = right(d) if d.get("right") else "alle gebruikersrechten"
    every = f", elke {d.get('every')} maanden" if d.get("every") else ""
    return (
        f"toegangsreview {d.get('review_id', '')} ({d.get('name', '')}) gestart over {scope}: "
        f"{len(items)} {'recht' if len(items) == 1 else 'rechten'}, te beoordelen tot {day(d.get('due'))} "
        f"door {persons(d.get('reviewers') or [], names)}{every}"
    )


def _review_decided(d: Details, names: Names) -> str:
    grants = d.get("grants") or []
    what = "behouden" if d.get("decision") == "keep" else "intrekken"
    whose = persons([g.get("person_id", "") for g in grants], names)
    text = f"in toegangsreview {d.get('review_id', '')} beslist: {what} voor {whose}"
    return with_reason(text, d.get("reason"))


def _review_closed(d: Details, names: Names) -> str:
    items = d.get("items") or []
    revoked = sum(1 for i in items if i.get("outcome") == "revoked")
    by = " door de geplande verwerking" if d.get("scheduled") else ""
    return (
        f"toegangsreview {d.get('review_id', '')} gesloten{by}: {revoked} van {len(items)} "
        f"{'recht' if len(items) == 1 else 'rechten'} ingetrokken vanaf {day(d.get('closed_on'))}"
    )


def _review_notice(d: Details, names: Names) -> str:
    return (
        f"een melding over toegangsreview {d.get('review_id', '')} naar {names(d.get('recipient', ''))} "
        f"({d.get('email')}) laten versturen op {day(d.get('day'))}"
    )


def _person(template: str) -> Callable[[Details, Names], str]:
    return lambda d, names: template.format(names(d.get("person_id", "")))


SENTENCES: dict[str, Callable[[Details, Names], str]] = {
    "InstitutionRegistered": _registered,
    "RosterImported": _roster,
    "SupportWorkerAdded": _support_worker,
    "AdministratorAppointed": _administrator,
    "AdministratorRemoved": _person("{} verwijderd als beheerder"),
    "AuditorAppointed": _person("{} aangesteld als auditor"),
    "AuditorRemoved": _person("{} verwijderd als auditor"),
    "InstitutionRenamed": _renamed,
    "EmailAddressRecorded": _email,
    "EmailAddressRemoved": _person("het e-mailadres voor meldingen van {} verwijderd"),
    "NoticeSent": _notice,
    "StaffSearched": _searched,
    "PersonSelected": _person("{} geselecteerd"),
    "PersonDeselected": _person("{} uit de selectie gehaald"),
    "SelectionCleared": lambda d, names: (
        f"de selectie leeggemaakt ({persons(d.get('person_ids') or [], names)})"
    ),
    "RightAssigned": lambda d, names: (
        f"{right(d)} gekozen, {period(d.get('begin'), d.get('end'))} (stap 2 van 3)"
    ),
    "AssignmentCancelled": lambda d, names: f"stap 2 geannuleerd ({right(d)}); de selectie blijft",
    "AssignmentConfirmed": _confirmed,
    "EndDateExtended": _extended,
    "EndDatesExtended": _extended_many,
    "RightRevoked": _revoked,
    "RightsRevoked": _revoked_many,
    "GrantVoided": _voided,
    "ReviewStarted": _review_started,
    "ReviewDecisionRecorded": _review_decided,
    "ReviewClosed": _review_closed,
    "ReviewNoticeSent": _review_notice,
}

KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "toegekend": ("Toegekend", ("AssignmentConfirmed",)),
    "verlengd": ("Verlengd", ("EndDateExtended", "EndDatesExtended")),
    "ingetrokken": ("Ingetrokken", ("RightRevoked", "RightsRevoked")),
    "ongeldig": ("Ongeldig verklaard", ("GrantVoided",)),
    "ondersteuner": ("Ondersteuner toegevoegd", ("SupportWorkerAdded",)),
    "personeelslijst": ("Personeelslijst ingeladen", ("RosterImported",)),
    "gezocht": ("Personeel doorzocht", ("StaffSearched",)),
    "geselecteerd": ("Geselecteerd", ("PersonSelected",)),
    "selectie": ("Uit de selectie gehaald", ("PersonDeselected", "SelectionCleared")),
    "stap-2": ("Recht gekozen of stap 2 geannuleerd", ("RightAssigned", "AssignmentCancelled")),
    "beheerders": (
        "Beheerders en auditors",
        (
            "AdministratorAppointed",
            "AdministratorRemoved",
            "AuditorAppointed",
            "AuditorRemoved",
        ),
    ),
    "meldingen": (
        "E-mailadressen en meldingen",
        ("EmailAddressRecorded", "EmailAddressRemoved", "NoticeSent"),
    ),
    "instelling": ("Instelling geregistreerd of hernoemd", ("InstitutionRegistered", "InstitutionRenamed")),
    "toegangsreview": (
        "Toegangsreviews",
        ("ReviewStarted", "ReviewDecisionRecorded", "ReviewClosed", "ReviewNoticeSent"),
    ),
}
"""The page's "Soort actie": a word in the URL, its Dutch label, the event types it stands for."""


class Facts(dict[str, Any]):
    """An event's details where a missing or empty value reads as "" (never "None" in a sentence)."""

    def get(self, key: str, default: Any = "") -> Any:  # type: ignore[override]
        value = super().get(key)
        return default if value is None else value


def sentence(row: dict[str, Any], names: Names) -> str:
    """One audit row (``query_audit``) as one Dutch sentence, starting with when and who."""
    make = SENTENCES.get(str(row.get("event")))
    facts = Facts(row.get("details") or {})
    what = make(facts, names) if make else "iets geregistreerd dat deze versie niet kent"
    return f"Op {moment(row.get('recorded_at'))} heeft {names(str(row.get('actor', '')))} {what}."
