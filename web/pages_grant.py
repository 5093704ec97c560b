"""The seed's grant flow: "Toekennen meerdere personen" (Zoek, + and –, at most 25), "Ken
gebruikersrecht toe" (Stap 2 van 3), Stap 3 van 3 with "Bevestig", "Terug" (step 2 again, the
selection kept) and "Annuleer" (the selection emptied), and the confirmation. While step 2 waits the
selection cannot change (docs/adr/0015): the list then offers only Stap 3, Terug and Annuleer.

Each POST calls one application command and redirects (POST then GET); a refusal shows the rule's
Dutch sentence and code (render.refusal) in role="alert" with a 422 and what was typed, and records
nothing (the domain's rules)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import MAX_SELECTION, RuleViolation, default_catalogue, institution_number, parse_date

from .render import dmy, page, refusal
from .security import PostedForm, SignedIn, institution_for, services_of

router = APIRouter()
REFUSED = 422
GRANT_ID = re.compile(r"^[0-9]{6}-[0-9]{1,9}$")


def _list_url(number: str, name: str = "") -> str:
    query = f"?{urlencode({'naam': name})}" if name else ""
    return f"/instellingen/{number}/toekennen{query}"


@router.get("/toekennen", response_class=HTMLResponse)
def search_form(request: Request, person: SignedIn, instellingsnummer: str = "") -> HTMLResponse:
    mine = [n for n in person.institutions if person.can_change(n)]
    number = instellingsnummer or (mine[0] if len(mine) == 1 else "")
    return page(request, "grant_search.html", number=number, name="")


@router.post("/toekennen/zoek")
def search(request: Request, person: SignedIn, form: PostedForm) -> Response:
    typed, name = form.get("instellingsnummer", ""), form.get("naam", "").strip()
    try:
        number = institution_number(typed)
    except RuleViolation as error:
        return page(request, "grant_search.html", REFUSED, number=typed, name=name, **refusal(error))
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        services.app.search(services.act(person.person_id), number, name or None)
    except RuleViolation as error:
        return page(request, "grant_search.html", REFUSED, number=typed, name=name, **refusal(error))
    return RedirectResponse(_list_url(number, name), status_code=303)


def _list_page(
    request: Request, person: Any, number: str, name: str, status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    act = services.act(person.person_id)
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
        staff=staff,
        selection=selection,
        chosen=chosen,
        pending=services.app.pending(act, number),
        limit=MAX_SELECTION,
        **extra,
    )


@router.get("/instellingen/{number}/toekennen", response_class=HTMLResponse)
def staff_list(request: Request, person: SignedIn, number: str, naam: str = "") -> Response:
    return _list_page(request, person, number, naam)


def _change_selection(
    request: Request, person: Any, number: str, form: dict[str, str], add: bool
) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    name = form.get("naam", "")
    command = services.app.select if add else services.app.deselect
    try:
        command(services.act(person.person_id), number, [form.get("persoon", "")])
    except RuleViolation as error:
        return _list_page(request, person, number, name, REFUSED, **refusal(error))
    return RedirectResponse(_list_url(number, name), status_code=303)


@router.post("/instellingen/{number}/toekennen/selecteer")
def select(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    return _change_selection(request, person, number, form, add=True)


@router.post("/instellingen/{number}/toekennen/verwijder")
def deselect(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    return _change_selection(request, person, number, form, add=False)


def grants_named(state: Any, number: str, ids: Sequence[str]) -> list[Any]:
    """The institution's grants among ``ids`` (from a URL or a form), in order, each once; an id that
    is malformed, of another institution or unknown is left out."""
    wanted = dict.fromkeys(i for i in ids if GRANT_ID.fullmatch(i) and i.startswith(number + "-"))
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


def _step_two(
    request: Request, person: Any, number: str, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    selection = services.app.selection(services.act(person.person_id), number)
    return page(
        request,
        "grant_step2.html",
        status,
        institution=institution,
        number=number,
        selection=selection,
        categories=sorted({p.category for p in selection}),
        **right_choices(values),
        **extra,
    )


@router.get("/instellingen/{number}/toekennen/stap-2", response_class=HTMLResponse)
def step_two(
    request: Request,
    person: SignedIn,
    number: str,
    recht: str = "",
    context: str = "",
    begindatum: str = "",
    einddatum: str = "",
) -> Response:
    """Step 2, filled in with the waiting assignment, or with what "Terug" dropped (the query)."""
    institution_for(person, number, change=True)
    services = services_of(request)
    pending = services.app.pending(services.act(person.person_id), number)
    today = services.today()
    if pending is None and recht:
        values = {"recht": recht, "context": context, "begindatum": begindatum, "einddatum": einddatum}
    elif pending is not None:
        values = {
            "recht": pending.right,
            "context": pending.context,
            "begindatum": dmy(pending.begin),
            "einddatum": dmy(pending.end),
        }
    else:
        first = default_catalogue().rights[0]
        values = {"recht": first.name, "context": "Gebruiker", "begindatum": dmy(today), "einddatum": ""}
    return _step_two(request, person, number, values)


@router.post("/instellingen/{number}/toekennen/stap-2")
def assign(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = {key: form.get(key, "") for key in ("recht", "context", "begindatum", "einddatum")}
    try:
        begin = _day(values["begindatum"], "begindatum")
        end = _day(values["einddatum"], "einddatum")
        services.app.assign(
            services.act(person.person_id), number, values["recht"], values["context"], begin, end
        )
    except _FieldRefusal as refused:
        return _step_two(request, person, number, values, REFUSED, **refusal(refused.error, refused.field))
    except RuleViolation as error:
        return _step_two(request, person, number, values, REFUSED, **refusal(error))
    return RedirectResponse(f"/instellingen/{number}/toekennen/stap-3", status_code=303)


class _FieldRefusal(Exception):
    def __init__(self, error: RuleViolation, field: str) -> None:
        super().__init__(error.message)
        self.error, self.field = error, field


def _day(text: str, field: str) -> Any:
    try:
        return parse_date(text)
    except RuleViolation as error:
        raise _FieldRefusal(error, field) from None


def _step_three(request: Request, person: Any, number: str, status: int = 200, **extra: Any) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    act = services.act(person.person_id)
    pending = services.app.pending(act, number)
    if pending is None:
        return RedirectResponse(f"/instellingen/{number}/toekennen/stap-2", status_code=303)
    selection = services.app.selection(act, number)
    return page(
        request,
        "grant_step3.html",
        status,
        institution=institution,
        number=number,
        pending=pending,
        selection=selection,
        today=services.today(),
        **extra,
    )


@router.get("/instellingen/{number}/toekennen/stap-3", response_class=HTMLResponse)
def step_three(request: Request, person: SignedIn, number: str) -> Response:
    return _step_three(request, person, number)


@router.post("/instellingen/{number}/toekennen/bevestig")
def confirm(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        grants = services.app.confirm(services.act(person.person_id), number)
    except RuleViolation as error:
        return _step_three(request, person, number, REFUSED, **refusal(error))
    ids = ",".join(g.grant_id for g in grants)
    return RedirectResponse(f"/instellingen/{number}/toekennen/bevestigd?{urlencode({'rechten': ids})}", 303)


@router.post("/instellingen/{number}/toekennen/terug")
def back(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    """Terug: step 2 dropped, the selection kept; back on step 2 with what was chosen filled in,
    or, from the list (``naar=lijst``), on the list, where the selection may change again."""
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        dropped = services.app.back(services.act(person.person_id), number)
    except RuleViolation as error:
        return _step_three(request, person, number, REFUSED, **refusal(error))
    if form.get("naar") == "lijst":
        return RedirectResponse(_list_url(number), status_code=303)
    chosen = {
        "recht": dropped.right,
        "context": dropped.context,
        "begindatum": dmy(dropped.begin),
        "einddatum": dmy(dropped.end),
    }
    return RedirectResponse(f"/instellingen/{number}/toekennen/stap-2?{urlencode(chosen)}", status_code=303)


@router.post("/instellingen/{number}/toekennen/annuleer")
def cancel(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    """Annuleer: step 2 dropped and the selection emptied; back on the (empty) list."""
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        services.app.cancel(services.act(person.person_id), number)
    except RuleViolation as error:
        return _step_three(request, person, number, REFUSED, **refusal(error))
    return RedirectResponse(_list_url(number), status_code=303)


@router.get("/instellingen/{number}/toekennen/bevestigd", response_class=HTMLResponse)
def confirmed(request: Request, person: SignedIn, number: str, rechten: str = "") -> Response:
    institution = institution_for(person, number, change=True)
    state = services_of(request).app.institution(number).state
    grants = grants_named(state, number, rechten.split(","))
    today = services_of(request).today()
    return page(
        request, "grant_done.html", institution=institution, number=number, grants=grants, today=today
    )
