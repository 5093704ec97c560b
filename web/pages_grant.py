"""The seed's grant flow, step 1: "Toekennen meerdere personen" (Instellingsnummer, Zoek; the staff
list with what each person already holds; tick several and "Voeg toe aan selectie", or **+** on one
row; **–**; "Selectie leegmaken"; at most 25, counted as "n van 25 geselecteerd"). Steps 2 and 3 are
in pages_steps.py. While step 2 waits the selection cannot change (docs/adr/0015).

Every form is one model of web/forms.py: all its problems at once, next to their fields and in the
summary; every successful POST redirects (POST, then GET), the **+** of a row back to that row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import MAX_SELECTION, RuleViolation, default_catalogue
from grantbook.domain.national_number import contains_national_number

from .forms import Field, Name, PageModel, Person, Problem, Refused, SearchText, form_doc, parse, query_doc
from .messages import dutch
from .people import names_in, person_rows
from .render import page, refusal, shown
from .security import PostedForm, SignedIn, Visitor, institution_for, my_institution, services_of

router = APIRouter()
REFUSED = 422
NOT_YOURS = "institution-not-yours"


class SearchForm(PageModel):
    instellingsnummer: Name = ""
    naam: SearchText = ""


class ListQuery(PageModel):
    naam: SearchText = ""


class SelectForm(PageModel):
    """The staff list's form: the ticked boxes (``persoon``), or the **+** of one row (``een``, which
    then alone counts), or the **–** of the selection's rows (``persoon``)."""

    persoon: list[Person] = Field(default_factory=list)
    een: list[Person] = Field(default_factory=list)
    naam: SearchText = ""
    terug: Name = ""

    @property
    def persons(self) -> list[str]:
        return self.een or self.persoon


def list_url(number: str, name: str = "", anchor: str = "") -> str:
    query = f"?{urlencode({'naam': name})}" if name else ""
    return f"/instellingen/{number}/toekennen{query}{'#' + anchor if anchor else ''}"


def row_anchor(pid: str) -> str:
    return f"persoon-{pid}"


@router.get("/toekennen", response_class=HTMLResponse, openapi_extra=query_doc(SearchForm))
def search_form(request: Request, person: SignedIn) -> HTMLResponse:
    mine = [n for n in person.institutions if person.can_change(n)]
    typed = request.query_params.get("instellingsnummer", "")
    number = typed if len(typed) <= 6 else ""
    return page(
        request, "grant_search.html", values={"instellingsnummer": number or (mine[0] if len(mine) == 1 else "")}
    )


@router.post("/toekennen/zoek", openapi_extra=form_doc(SearchForm))
def search(request: Request, person: SignedIn, form: PostedForm) -> Response:
    typed = {key: form.get(key, "") for key in ("instellingsnummer", "naam")}
    typed = {key: value if isinstance(value, str) and len(value) <= 200 else "" for key, value in typed.items()}
    if contains_national_number(typed["naam"]):  # never shown again, not even in the refused form
        typed["naam"] = ""
    try:
        wanted = parse(SearchForm, form)
        number = wanted.instellingsnummer.strip()
        problems = [] if number else [Problem("instellingsnummer", NOT_YOURS, "Geef het instellingsnummer.")]
        if number and my_institution(person, number, change=True) is None:
            problems.append(Problem("instellingsnummer", NOT_YOURS, _not_yours(number)))
        if problems:
            raise Refused(problems)
    except Refused as refused:
        return page(request, "grant_search.html", REFUSED, values=typed, **shown(refused.problems))
    services = services_of(request)
    try:
        services.app.search(services.act(person.person_id), number, wanted.naam or None)
    except RuleViolation as error:
        return page(request, "grant_search.html", REFUSED, values=typed, **refusal(error, "naam"))
    return RedirectResponse(list_url(number, wanted.naam), status_code=303)


def _not_yours(number: str) -> str:
    if not number.isdigit() or len(number) != 6:
        return dutch("institution-number") or ""
    return f"Je beheert geen instelling met nummer {number}. Kies een van je instellingen op Rechten beheren."


def list_page(
    request: Request, person: Visitor, number: str, name: str, status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    act = services.act(person.person_id)
    state = services.app.institution(number).state
    today = services.today()
    staff = services.app.staff(act, number, name or None)
    selection = services.app.selection(act, number)
    chosen = {p.person_id for p in selection}
    return page(
        request,
        "grant_list.html",
        status,
        institution=institution,
        number=number,
        name=name,
        staff=person_rows(staff, state.grants.values(), today),
        selection=person_rows(selection, state.grants.values(), today),
        chosen=chosen,
        full=len(selection) >= MAX_SELECTION,
        pending=services.app.pending(act, number),
        limit=MAX_SELECTION,
        **extra,
    )


@router.get("/instellingen/{number}/toekennen", response_class=HTMLResponse, openapi_extra=query_doc(ListQuery))
def staff_list(request: Request, person: SignedIn, number: str) -> Response:
    try:
        query = parse(ListQuery, request.query_params)
    except Refused as refused:
        return list_page(request, person, number, "", REFUSED, **shown(refused.problems))
    return list_page(request, person, number, query.naam)


def _changed_selection(request: Request, person: Visitor, number: str, form: Any, add: bool) -> Response:
    institution_for(person, number, change=True)
    try:
        wanted = parse(SelectForm, form)
        if not wanted.persons:
            raise Refused([Problem("personeel", "empty-selection", "Vink eerst minstens één persoon aan.")])
    except Refused as refused:
        return list_page(request, person, number, "", REFUSED, **shown(refused.problems))
    services = services_of(request)
    command = services.app.select if add else services.app.deselect
    try:
        command(services.act(person.person_id), number, wanted.persons)
    except RuleViolation as error:
        names = names_in(services.app.institution(number).state)
        return list_page(request, person, number, wanted.naam, REFUSED, **refusal(error, "personeel", names))
    if wanted.terug == "stap-2":
        return RedirectResponse(f"/instellingen/{number}/toekennen/stap-2", status_code=303)
    anchor = row_anchor(wanted.een[0]) if wanted.een else ("selectie" if add else "")
    return RedirectResponse(list_url(number, wanted.naam, anchor), status_code=303)


@router.post("/instellingen/{number}/toekennen/selecteer", openapi_extra=form_doc(SelectForm))
def select(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    return _changed_selection(request, person, number, form, add=True)


@router.post("/instellingen/{number}/toekennen/verwijder", openapi_extra=form_doc(SelectForm))
def deselect(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    return _changed_selection(request, person, number, form, add=False)


@router.post("/instellingen/{number}/toekennen/leegmaken", openapi_extra=form_doc(ListQuery))
def clear(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    """"Selectie leegmaken": the selection emptied (and a waiting step 2 dropped), as ``selection clear``."""
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        services.app.clear_selection(services.act(person.person_id), number)
    except RuleViolation as error:
        return list_page(request, person, number, "", REFUSED, **refusal(error))
    return RedirectResponse(list_url(number), status_code=303)


def grants_named(state: Any, number: str, ids: Sequence[str]) -> list[Any]:
    """The institution's grants among ``ids`` (from a URL or a form), in order, each once; an id that
    is of another institution or unknown is left out."""
    wanted = dict.fromkeys(i for i in ids if isinstance(i, str) and i.startswith(number + "-"))
    return [state.grants[i] for i in wanted if i in state.grants]


def right_choices(values: dict[str, str]) -> dict[str, Any]:
    """The rights and contexts a form offers, and its values with the context preselected least
    privileged first: the catalogue lists contexts from most to least (Beheerder, Operator,
    Gebruiker), so an untouched form never grants more than Gebruiker."""
    catalogue = default_catalogue()
    contexts = list(dict.fromkeys(c for right in catalogue.rights for c in right.contexts))
    return {
        "rights": catalogue.rights,
        "contexts": contexts,
        "values": {**values, "context": values.get("context") or contexts[-1]},
    }
