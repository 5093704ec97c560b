"""The refusals a web page can show, in plain Dutch (docs/adr/0011).

The domain refuses in English (``RuleViolation.message``, for the CLI and the logs) and names the rule
with a stable code (domain/rules.py). The pages are Dutch, so every rule that can reach a page has a
short Dutch sentence here: what is wrong and what to do. The sentences are fixed text: they never hold
what was typed, a name, a date or a limit. Those specifics stay in the English message, which the page
shows as a smaller second line (``lang="en"``) in the error summary (web/render.py ``refusal``).

"Reachable from the web" means: raised by a value parser or an application command that a page in
web/pages_*.py calls inside a ``try`` whose ``except RuleViolation`` renders ``refusal()``. That is:
the values the forms read (instellingsnummer, persoon, dates, rijksregisternummer, names, reasons,
search words), steps 1 to 3, the quick grant, extend, revoke, adding a support worker, renaming the
institution, changes to many persons at once and the rollover, voiding, one's own e-mail address for
notices, and the reports' filters. Every other rule of domain/rules.py is listed in ``CLI_ONLY``: the
CLI's usage, roster files, the store, keys and checkpoints, sending mail, roles and registration.
Those reach a person only through the CLI, or through the web's own error pages (a store or key
failure is not a ``RuleViolation`` there).
tests/unit/test_web_messages.py fails when a rule in domain/rules.py is in neither list, so a new rule
needs a decision: a Dutch sentence, or CLI-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from grantbook.domain import rules
from grantbook.domain.rules import RuleViolation

from .people import right_label

DAYS = "days"
"""The expiring-rights report's "Binnen (dagen)" (web/pages_reports.py): a rule of the web alone."""

REPEATED = "repeated-field"
"""A form or query that sends one field several times where the page takes one value (web/forms.py)."""
REQUIRED = "required"
"""A field a page needs left empty (web/forms.py)."""
REQUIRED_DAY = "required-date"
"""A date field a page needs left empty (web/forms.py)."""
VALUE = "value"
"""A value a page cannot read at all (web/forms.py), e.g. a list where text is expected."""
SEARCH_NATIONAL_NUMBER = rules.SEARCH_NATIONAL_NUMBER

DUTCH: dict[str, str] = {
    # -- what people type ------------------------------------------------------------
    rules.INSTITUTION_NUMBER: (
        "Dit is geen geldig instellingsnummer. Geef de zes cijfers, bijvoorbeeld 034793."
    ),
    rules.PERSON_ID: (
        "Dit persoonsnummer kan niet: het is ongeldig of al in gebruik. Een persoonsnummer bestaat uit "
        "letters, cijfers of . _ @ - en is nooit een rijksregisternummer."
    ),
    rules.DATE_FORMAT: (
        "Deze datum klopt niet. Geef een bestaande dag als dd/mm/jjjj, bijvoorbeeld 31/08/2027."
    ),
    rules.NATIONAL_NUMBER: (
        "Dit rijksregisternummer klopt niet. Controleer de 11 cijfers; punten, streepjes en spaties mogen."
    ),
    rules.TEXT_CHARACTER: (
        "De tekst bevat een teken dat niet mag, zoals een tab, een regeleinde of een stuurteken. "
        "Typ de tekst opnieuw zonder dat teken."
    ),
    rules.TEXT_LENGTH: "De tekst is te lang. Maak hem korter.",
    rules.DATE_RANGE: "Deze periode valt buiten de kalender. Kies een kleiner aantal dagen.",
    DAYS: "Geef het aantal dagen als een geheel getal van 0 tot 36600.",
    REPEATED: "Dit veld werd meer dan eens verstuurd. Vul het formulier opnieuw in.",
    VALUE: "Deze waarde klopt niet. Vul het veld opnieuw in.",
    REQUIRED: "Vul dit veld in, of kies een waarde uit de lijst.",
    REQUIRED_DAY: "Vul een datum in als dd/mm/jjjj, bijvoorbeeld 31/08/2027.",
    rules.SEARCH_NATIONAL_NUMBER: (
        "Zoek op naam, niet op rijksregisternummer: een rijksregisternummer bewaren we niet bij een "
        "zoekopdracht. Een ondersteuner voeg je toe met zijn rijksregisternummer op Voeg gebruiker toe."
    ),
    # -- the catalogue -----------------------------------------------------------------
    rules.UNKNOWN_RIGHT: "Dit gebruikersrecht bestaat niet. Kies een Gebruikersrecht uit de lijst.",
    rules.AMBIGUOUS_RIGHT: (
        "Deze naam past bij meer dan één gebruikersrecht. Kies het Gebruikersrecht uit de lijst."
    ),
    rules.UNKNOWN_CONTEXT: (
        "Deze Context bestaat niet voor dit gebruikersrecht. Kies een Context uit de lijst."
    ),
    rules.MAXIMUM_VALIDITY: (
        "De einddatum ligt te ver: dit gebruikersrecht mag maar een beperkt aantal jaren gelden. "
        "Kies een vroegere einddatum."
    ),
    # -- registration and who may act --------------------------------------------------
    rules.NOT_REGISTERED: "Deze instelling is niet gekend. Controleer het instellingsnummer.",
    rules.NOT_AN_ADMINISTRATOR: (
        "Je bent geen beheerder van deze instelling, dus je kan hier niets wijzigen."
    ),
    rules.NOT_A_HEAD_ADMINISTRATOR: (
        "Alleen een hoofdbeheerder van deze instelling mag dit doen. Vraag het aan een hoofdbeheerder."
    ),
    rules.INSTITUTION_NAME: "De naam van de instelling is leeg. Geef een naam.",
    rules.SAME_INSTITUTION_NAME: (
        "De instelling heeft deze naam al. Geef een andere naam, of laat de naam zoals hij is."
    ),
    # -- roster, selection and the three steps -----------------------------------------
    rules.UNKNOWN_PERSON: (
        "Deze persoon staat niet in het personeel van deze instelling. Kies een persoon uit de lijst."
    ),
    rules.INACTIVE_PERSON: (
        "Deze persoon is niet actief in de instelling en kan geen gebruikersrecht krijgen."
    ),
    rules.ALREADY_SELECTED: "Deze persoon zit al in de selectie.",
    rules.NOT_SELECTED: "Deze persoon zit niet in je selectie.",
    rules.SELECTION_LIMIT: (
        f"De selectie is vol: je kan hoogstens {rules.MAX_SELECTION} personen tegelijk selecteren. "
        "Ken eerst een recht toe of verwijder iemand uit de selectie."
    ),
    rules.EMPTY_SELECTION: "De selectie is leeg. Selecteer eerst minstens één persoon.",
    rules.PERIOD: "De begindatum ligt na de einddatum. Kies een einddatum op of na de begindatum.",
    rules.NO_PENDING_ASSIGNMENT: (
        "Er wacht geen toekenning op bevestiging. Kies eerst een gebruikersrecht in stap 2."
    ),
    rules.OVERLAPPING_GRANT: (
        "Deze persoon heeft dit gebruikersrecht al in deze Context voor (een deel van) deze periode. "
        "Verleng het bestaande recht in plaats van een nieuw toe te kennen."
    ),
    rules.ASSIGNMENT_PENDING: (
        "Er wacht een toekenning op bevestiging, dus de selectie kan nu niet veranderen. "
        "Bevestig de toekenning, ga terug naar stap 2 of annuleer."
    ),
    # -- later changes -----------------------------------------------------------------
    rules.NO_ACTIVE_GRANT: (
        "Deze persoon heeft dit gebruikersrecht niet (meer): er is geen lopend recht om te wijzigen."
    ),
    rules.AMBIGUOUS_GRANT: (
        "Deze persoon heeft dit gebruikersrecht in meer dan één Context. Kies de Context."
    ),
    rules.END_DATE_NOT_LATER: "De nieuwe einddatum moet later liggen dan de huidige einddatum.",
    rules.REASON_REQUIRED: "Geef een Reden.",
    rules.DUPLICATE_SUPPORT_WORKER: (
        "Een persoon met dit rijksregisternummer is al toegevoegd aan deze instelling."
    ),
    rules.PERSON_NAME: "Geef een voornaam en een achternaam.",
    rules.EMAIL_ADDRESS: "Dit is geen geldig e-mailadres. Geef een adres zoals jan.peeters@school.be.",
    # -- several persons at once, corrections ------------------------------------------
    rules.PERSONS_REFUSED: (
        "Niet alle gekozen personen kunnen dit krijgen; de details noemen elke persoon en waarom. "
        "Er werd niets gewijzigd."
    ),
    rules.ONE_RIGHT_AT_A_TIME: (
        "De gekozen rijen horen bij meer dan één gebruikersrecht of Context. Kies rijen van één "
        "gebruikersrecht in één Context tegelijk; er werd niets gewijzigd."
    ),
    rules.REVOKE_DATE: "De datum Vanaf mag niet in het verleden liggen. Kies vandaag of later.",
    rules.UNKNOWN_GRANT: "Deze toekenning bestaat niet bij deze instelling. Kies een rij uit de lijst.",
    rules.ALREADY_VOIDED: "Deze toekenning is al ongeldig verklaard.",
    # -- access reviews (docs/adr/0025) ------------------------------------------------
    rules.UNKNOWN_REVIEW: (
        "Deze toegangsreview bestaat niet bij deze instelling. Kies een review uit de lijst."
    ),
    rules.REVIEW_CLOSED: "Deze toegangsreview is gesloten en verandert niet meer.",
    rules.NOT_A_REVIEWER: "Je bent geen beoordelaar van deze toegangsreview, dus je kan hier niet beslissen.",
    rules.OWN_RIGHT: (
        "Over je eigen gebruikersrecht beslis je niet zelf. Een andere beoordelaar beslist daarover."
    ),
    rules.NOT_IN_REVIEW: "Deze toekenning hoort niet bij deze toegangsreview. Kies een rij uit de lijst.",
    rules.JUSTIFICATION_REQUIRED: (
        "Deze toegangsreview vraagt een motivering om een recht te behouden. Vul een motivering in."
    ),
    rules.REVIEWER_NOT_ADMINISTRATOR: (
        "Een beoordelaar moet beheerder van deze instelling zijn. Kies beoordelaars uit de beheerders."
    ),
    rules.REVIEW_NAME: "Geef de toegangsreview een naam.",
    rules.REVIEW_SETTING: "Deze keuze bestaat niet. Kies een waarde uit de lijst.",
    rules.REVIEW_DUE: (
        "Deze vervaldatum kan niet. Kies vandaag of later, en bij een herhaling een dag voor de "
        "volgende review start."
    ),
    rules.EMPTY_REVIEW: (
        "Er is vandaag geen lopend of toekomstig recht om te beoordelen. Kies een ander recht."
    ),
}
"""Rule code -> the Dutch sentence a page shows (fixed text, never a typed value)."""

CLI_ONLY: frozenset[str] = frozenset(
    {
        rules.USAGE,
        rules.ARGUMENTS,
        rules.ACTOR_REQUIRED,
        rules.ACTOR,
        rules.ROSTER_FILE,
        rules.STORE,
        rules.LOCK_TIMEOUT,
        rules.KEY_FILE,
        rules.VALUE_RANGE,
        rules.KEYS,
        rules.CHECKPOINT,
        rules.INTEGRITY,
        rules.ALREADY_REGISTERED,
        rules.ADMINISTRATOR_REQUIRED,
        rules.ALREADY_ADMINISTRATOR,
        rules.LAST_HEAD_ADMINISTRATOR,
        rules.ALREADY_AUDITOR,
        rules.NOT_AN_AUDITOR,
        rules.ROSTER_PERSON_ID,
        rules.THRESHOLDS,
        rules.SMTP_URL,
        rules.MAIL_FROM,
        rules.NOTIFY_RUNNING,
        rules.UNKNOWN_EVENT,
        rules.REVIEW_NOT_DUE,
        rules.REVIEW_RUNNING,
    }
)
"""Rules no page can show (see above): a refusal for one of them falls back to the English message."""


def dutch(rule: str) -> str | None:
    """The Dutch sentence for ``rule``, or None (the page then shows the English message)."""
    return DUTCH.get(rule)


def sentence(error: RuleViolation, names: Callable[[str], str] | None = None) -> str:
    """The Dutch sentence a page shows for ``error``: the rule's fixed sentence, made specific with the
    refusal's facts (persons by name through ``names``, dates as dd/mm/jjjj) where a formatter knows
    them; a rule without a Dutch sentence shows a general one (never the English message)."""
    if len(error.facts.get("refused") or ()) > 1:  # several persons: each named with their reason
        return _overlap(error.facts, names or (lambda pid: pid)) or GENERAL
    formatter = SPECIFIC.get(error.rule)
    if formatter is not None and error.facts:
        specific = formatter(error.facts, names or (lambda pid: pid))
        if specific:
            return specific
    return DUTCH.get(error.rule) or GENERAL


GENERAL = "Dit kan niet. Er werd niets gewijzigd."

Names = Callable[[str], str]


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def _period(facts: dict[str, Any]) -> str:
    return f"van {_day(facts['begin'])} t.e.m. {_day(facts['end'])}"


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def _right(facts: dict[str, Any]) -> str:
    return right_label(str(facts["right"]), facts.get("context"))


def _why(item: dict[str, Any], names: Names) -> str:
    """One refused person in a sentence about several."""
    who = names(item["person"]) if item.get("person") else "iemand"
    if item["rule"] == rules.OVERLAPPING_GRANT and "begin" in item:
        return f"{who} heeft het al {_period(item)}"
    if item["rule"] == rules.INACTIVE_PERSON:
        return f"{who} is niet meer actief"
    if item["rule"] == rules.UNKNOWN_PERSON:
        return f"{who} staat niet (meer) in de personeelslijst"
    if item["rule"] == rules.NO_ACTIVE_GRANT:
        return f"{who} heeft dit recht niet (meer)"
    if item["rule"] == rules.END_DATE_NOT_LATER and "end" in item:
        return f"het recht van {who} loopt al tot {_day(item['end'])}"
    return f"{who}: {(DUTCH.get(item['rule']) or GENERAL).rstrip('.').lower()}"


def _overlap(facts: dict[str, Any], names: Names) -> str | None:
    refused = facts.get("refused")
    if refused:
        listed = _listed([_why(item, names) for item in refused])
        return (
            f"Niet iedereen kan {_right(facts)} krijgen voor deze periode: {listed}. "
            "Haal hen uit de selectie, kies een periode daarna of verleng hun bestaande recht."
        )
    if "person" not in facts or "begin" not in facts:
        return None
    return (
        f"{names(facts['person'])} heeft {_right(facts)} al {_period(facts)}. "
        "Kies een periode daarna, of verleng het bestaande recht."
    )


def _persons_refused(facts: dict[str, Any], names: Names) -> str | None:
    refused = facts.get("refused")
    if not refused:
        return None
    listed = _listed([_why(item, names) for item in refused])
    return f"Dit kan niet voor iedereen: {listed}. Er werd niets gewijzigd."


def _person(sentence: str) -> Callable[[dict[str, Any], Names], str | None]:
    """A fixed sentence about one person, ``{name}`` filled in with their name."""
    return lambda facts, names: sentence.format(name=names(facts["person"])) if "person" in facts else None


def _selection_limit(facts: dict[str, Any], names: Names) -> str | None:
    if "selected" not in facts:
        return None
    return (
        f"Je hebt al {facts['selected']} van {rules.MAX_SELECTION} personen geselecteerd; er kunnen er "
        f"nog {max(rules.MAX_SELECTION - facts['selected'], 0)} bij, niet {facts['wanted']}. "
        "Ken eerst een recht toe aan de selectie, of haal iemand uit de selectie."
    )


def _period_refused(facts: dict[str, Any], names: Names) -> str | None:
    if "begin" not in facts:
        return None
    return (
        f"De begindatum {_day(facts['begin'])} ligt na de einddatum {_day(facts['end'])}. "
        "Kies een einddatum op of na de begindatum."
    )


def _not_later(facts: dict[str, Any], names: Names) -> str | None:
    if "end" not in facts:
        return None
    who = f"Het recht van {names(facts['person'])}" if facts.get("person") else "Het recht"
    return f"{who} loopt al tot {_day(facts['end'])}. Kies een nieuwe einddatum na die dag."


def _maximum(facts: dict[str, Any], names: Names) -> str | None:
    if "last_day" not in facts:
        return None
    return (
        f"Dit gebruikersrecht mag hoogstens {facts['years']} jaar gelden: de einddatum mag niet later "
        f"zijn dan {_day(facts['last_day'])}."
    )


def _own_right(facts: dict[str, Any], names: Names) -> str | None:
    """A reviewer's decision on their own right (the review page adds the person and the right)."""
    if "person" not in facts or "right" not in facts:
        return None
    return (
        f"{names(facts['person'])} heeft zelf {_right(facts)}: over je eigen recht beslis je niet. "
        "Een andere beoordelaar beslist daarover. Haal die rij uit je keuze; er werd niets bewaard."
    )


SPECIFIC: dict[str, Callable[[dict[str, Any], Names], str | None]] = {
    rules.OVERLAPPING_GRANT: _overlap,
    rules.PERSONS_REFUSED: _persons_refused,
    rules.SELECTION_LIMIT: _selection_limit,
    rules.PERIOD: _period_refused,
    rules.END_DATE_NOT_LATER: _not_later,
    rules.MAXIMUM_VALIDITY: _maximum,
    rules.INACTIVE_PERSON: _person(
        "{name} is niet actief in de instelling en kan geen gebruikersrecht krijgen."
    ),
    rules.UNKNOWN_PERSON: _person(
        "{name} staat niet in de personeelslijst van deze instelling. Kies een persoon uit de lijst."
    ),
    rules.ALREADY_SELECTED: _person("{name} zit al in je selectie."),
    rules.OWN_RIGHT: _own_right,
    rules.REVIEWER_NOT_ADMINISTRATOR: _person(
        "{name} is geen beheerder van deze instelling en kan dus geen beoordelaar zijn. "
        "Kies beoordelaars uit de beheerders."
    ),
    rules.NOT_SELECTED: _person("{name} zit niet in je selectie."),
    rules.NO_ACTIVE_GRANT: _person(
        "{name} heeft dit gebruikersrecht niet (meer): er is geen lopend recht om te wijzigen."
    ),
}
"""Rule code -> a sentence from the refusal's facts: persons by name, dates as dd/mm/jjjj."""
