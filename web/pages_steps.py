"""The seed's grant flow, steps 2 and 3: "Ken gebruikersrecht toe" (Stap 2 van 3: right, context and
period, every selected person checked at once), Stap 3 van 3 with "Bevestig", "Terug" (step 2 again,
the selection kept) and "Annuleer" (the selection emptied), and the confirmation.

A page reached again after Bevestig (the browser's Back button) says what was recorded and offers
the next step, instead of an empty step 2 or 3."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, rules

from .forms import Choice, Day, Field, Link, Name, PageModel, Refused, form_doc, parse, query_doc, typed
from .pages_grant import grants_named, list_url, right_choices
from .people import display_name, names_in, person_rows
from .render import dmy, page, refusal, shown
from .security import PostedForm, SignedIn, Visitor, institution_for, services_of

router = APIRouter()
REFUSED = 422


class StepTwoForm(PageModel):
    recht: Choice
    context: Choice
    begindatum: Day
    einddatum: Day


class StepTwoQuery(PageModel):
    """Step 2 filled in again with what "Terug" dropped."""

    recht: Name = ""
    context: Name = ""
    begindatum: Name = ""
    einddatum: Name = ""


class DoneQuery(PageModel):
    rechten: Name = ""


class StepThreeForm(PageModel):
    naar: Name = ""


class ChooseEndForm(PageModel):
    """Step 2's one-click end of the school year: the button carries the day."""

    schooljaar: list[Name] = Field(default_factory=list)


def school_year_end(day: date) -> date:
    """The last day (31/08) of the Flemish school year that ``day`` falls in."""
    return date(day.year if day.month < 9 else day.year + 1, 8, 31)


def _step_two(
    request: Request, person: Visitor, number: str, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    selection = services.app.selection(services.act(person.person_id), number)
    if not selection and status == 200:
        return _nothing_waits(request, person, number)
    state = services.app.institution(number).state
    today = services.today()
    return page(
        request,
        "grant_step2.html",
        status,
        institution=institution,
        number=number,
        selection=person_rows(selection, state.grants.values(), today),
        categories=sorted({p.category for p in selection}),
        year_end=dmy(school_year_end(today)),
        **right_choices(values),
        **extra,
    )


@router.get("/instellingen/{number}/toekennen/stap-2", response_class=HTMLResponse, openapi_extra=query_doc(StepTwoQuery))
def step_two(request: Request, person: SignedIn, number: str) -> Response:
    """Step 2, filled in with the waiting assignment, or with what "Terug" dropped (the query)."""
    institution_for(person, number, change=True)
    services = services_of(request)
    pending = services.app.pending(services.act(person.person_id), number)
    today = services.today()
    try:
        dropped = parse(StepTwoQuery, request.query_params)
    except Refused:
        dropped = StepTwoQuery()
    if pending is None and dropped.recht:
        values = dropped.model_dump()
    elif pending is not None:
        values = {
            "recht": pending.right,
            "context": pending.context,
            "begindatum": dmy(pending.begin),
            "einddatum": dmy(pending.end),
        }
    else:
        first = right_choices({})["rights"][0]
        values = {"recht": first.name, "context": "", "begindatum": dmy(today), "einddatum": ""}
    return _step_two(request, person, number, values)


@router.post("/instellingen/{number}/toekennen/stap-2", openapi_extra=form_doc(StepTwoForm))
def assign(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(StepTwoForm, form)
    try:
        if parse(ChooseEndForm, form).schooljaar:  # "tot 31/08": the end of the begin date's school year
            values["einddatum"] = _year_end_for(values["begindatum"], services.today())
        chosen = parse(StepTwoForm, values)
    except Refused as refused:
        return _step_two(request, person, number, values, REFUSED, **shown(refused.problems))
    state = services.app.institution(number).state
    try:
        services.app.assign(
            services.act(person.person_id),
            number,
            chosen.recht,
            chosen.context,
            chosen.begindatum,
            chosen.einddatum,
            check_persons=True,
        )
    except RuleViolation as error:
        links = _ways_on(number, error)
        shown_refusal = refusal(error, None, names_in(state), links)
        return _step_two(request, person, number, values, REFUSED, refused=_refused_persons(error), **shown_refusal)
    return RedirectResponse(f"/instellingen/{number}/toekennen/stap-3", status_code=303)


def _year_end_for(typed_begin: str, today: date) -> str:
    try:
        begin = parse(StepTwoForm, {"recht": "x", "context": "x", "begindatum": typed_begin, "einddatum": typed_begin})
        return dmy(school_year_end(begin.begindatum))
    except Refused:
        return dmy(school_year_end(today))


def _refused_persons(error: RuleViolation) -> list[str]:
    """The persons a refusal at step 2 names (to take them out of the selection at once)."""
    items = error.facts.get("refused") or ([error.facts] if "person" in error.facts else [])
    return [item["person"] for item in items if item.get("person")]


def _ways_on(number: str, error: RuleViolation) -> list[Link]:
    """Where to go from a refusal at step 2: extend the existing rights of the persons who hold them."""
    items = error.facts.get("refused") or [error.facts]
    held = [item["grant_id"] for item in items if item.get("rule", error.rule) == rules.OVERLAPPING_GRANT and item.get("grant_id")]
    if not held:
        return []
    query = urlencode([("toekenning", grant_id) for grant_id in held])
    return [Link("Verleng hun bestaande recht" if len(held) > 1 else "Verleng het bestaande recht", f"/instellingen/{number}/rechten/meerdere/verleng?{query}")]


def _step_three(request: Request, person: Visitor, number: str, status: int = 200, **extra: Any) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    act = services.act(person.person_id)
    pending = services.app.pending(act, number)
    if pending is None:
        return _nothing_waits(request, person, number)
    state = services.app.institution(number).state
    selection = services.app.selection(act, number)
    return page(
        request,
        "grant_step3.html",
        status,
        institution=institution,
        number=number,
        pending=pending,
        selection=[display_name(p, p.person_id) for p in selection],
        today=services.today(),
        names=names_in(state),
        **extra,
    )


def _nothing_waits(request: Request, person: Visitor, number: str) -> Response:
    """Step 2 or 3 with nothing to do (an empty selection, nothing waiting): what was last granted here
    by the visitor, if anything, and the next step."""
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    state = services.app.institution(number).state
    mine = [g for g in state.grants.values() if g.granted_by == person.person_id]
    last = max((g.granted_at for g in mine), default=None)
    recent = [g for g in mine if g.granted_at == last]
    return page(
        request,
        "grant_nothing.html",
        institution=institution,
        number=number,
        recent=recent,
        names=names_in(state),
    )


@router.get("/instellingen/{number}/toekennen/stap-3", response_class=HTMLResponse)
def step_three(request: Request, person: SignedIn, number: str) -> Response:
    return _step_three(request, person, number)


@router.post("/instellingen/{number}/toekennen/bevestig", openapi_extra=form_doc(StepThreeForm))
def confirm(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    state = services.app.institution(number).state
    try:
        grants = services.app.confirm(services.act(person.person_id), number)
    except RuleViolation as error:
        if error.rule == rules.NO_PENDING_ASSIGNMENT:  # confirmed already (a second click, another tab)
            return _nothing_waits(request, person, number)
        return _step_three(request, person, number, REFUSED, **refusal(error, None, names_in(state), _ways_on(number, error)))
    ids = ",".join(g.grant_id for g in grants)
    return RedirectResponse(f"/instellingen/{number}/toekennen/bevestigd?{urlencode({'rechten': ids})}", 303)


@router.post("/instellingen/{number}/toekennen/terug", openapi_extra=form_doc(StepThreeForm))
def back(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    """Terug: step 2 dropped, the selection kept; back on step 2 with what was chosen filled in,
    or, from the list (``naar=lijst``), on the list, where the selection may change again."""
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        dropped = services.app.back(services.act(person.person_id), number)
    except RuleViolation as error:
        if error.rule == rules.NO_PENDING_ASSIGNMENT:
            return _nothing_waits(request, person, number)
        return _step_three(request, person, number, REFUSED, **refusal(error))
    if form.get("naar") == "lijst":
        return RedirectResponse(list_url(number), status_code=303)
    chosen = {
        "recht": dropped.right,
        "context": dropped.context,
        "begindatum": dmy(dropped.begin),
        "einddatum": dmy(dropped.end),
    }
    return RedirectResponse(f"/instellingen/{number}/toekennen/stap-2?{urlencode(chosen)}", status_code=303)


@router.post("/instellingen/{number}/toekennen/annuleer", openapi_extra=form_doc(StepThreeForm))
def cancel(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    """Annuleer: step 2 dropped and the selection emptied; back on the (empty) list."""
    institution_for(person, number, change=True)
    services = services_of(request)
    try:
        services.app.cancel(services.act(person.person_id), number)
    except RuleViolation as error:
        if error.rule != rules.NO_PENDING_ASSIGNMENT:
            return _step_three(request, person, number, REFUSED, **refusal(error))
    return RedirectResponse(list_url(number), status_code=303)


@router.get("/instellingen/{number}/toekennen/bevestigd", response_class=HTMLResponse, openapi_extra=query_doc(DoneQuery))
def confirmed(request: Request, person: SignedIn, number: str) -> Response:
    institution = institution_for(person, number, change=True)
    services = services_of(request)
    state = services.app.institution(number).state
    try:
        ids = parse(DoneQuery, request.query_params).rechten.split(",")
    except Refused:
        ids = []
    grants = grants_named(state, number, ids)
    return page(
        request,
        "grant_done.html",
        institution=institution,
        number=number,
        grants=grants,
        names=names_in(state),
        today=services.today(),
    )
