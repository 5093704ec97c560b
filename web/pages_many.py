""" "Wijzigen meerdere personen" and "Nieuw schooljaar": extend or revoke the rights of several persons
at once, and the school year's rollover (docs/adr/0016).

A first page lists the rights held today, one checkbox per grant; its two buttons (a GET form, nothing
changes) lead to one page per action: "Verleng de geselecteerde" (Nieuwe einddatum) or "Trek de
geselecteerde in" (Reden, Vanaf). The domain's commands take persons and one right (and context), so
the chosen grants must all be of one right in one context (else ``one-right-at-a-time``): one command,
one event, all or nothing. The rollover is ``extend_ending``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, rules
from grantbook.domain.text import shown
from grantbook.projections import views

from .pages_grant import grants_named, right_choices
from .forms import Choice, Day, Field, Name, OptionalDay, PageModel, Reason, Refused, form_doc, parse, typed
from .people import names_in
from .reading import ask
from .render import page, refusal
from .render import shown as problems_shown
from .security import PostedForm, SignedIn, institution_for, services_of

router = APIRouter()
REFUSED = 422
CHOSEN = "toekenning"  # the checkboxes' name: one grant id each
ACTIONS = {"verleng": "many_extend.html", "trek-in": "many_revoke.html"}
# Which field a refusal is about, per page (others: in the summary only).
FIELD_OF_RULE = {
    "verleng": {
        rules.DATE_FORMAT: "einddatum",
        rules.MAXIMUM_VALIDITY: "einddatum",
        rules.END_DATE_NOT_LATER: "einddatum",
        rules.OVERLAPPING_GRANT: "einddatum",
    },
    "trek-in": {
        rules.REASON_REQUIRED: "reden",
        rules.TEXT_CHARACTER: "reden",
        rules.TEXT_LENGTH: "reden",
        rules.DATE_FORMAT: "vanaf",
        rules.REVOKE_DATE: "vanaf",
    },
    "schooljaar": {
        rules.NO_ACTIVE_GRANT: "huidige_einddatum",
        rules.MAXIMUM_VALIDITY: "nieuwe_einddatum",
        rules.END_DATE_NOT_LATER: "nieuwe_einddatum",
        rules.OVERLAPPING_GRANT: "nieuwe_einddatum",
        rules.INACTIVE_PERSON: "huidige_einddatum",
        rules.UNKNOWN_RIGHT: "recht",
        rules.UNKNOWN_CONTEXT: "context",
    },
}


class ExtendManyForm(PageModel):
    toekenning: list[Name] = Field(default_factory=list)
    einddatum: Day


class RevokeManyForm(PageModel):
    toekenning: list[Name] = Field(default_factory=list)
    reden: Reason = ""
    vanaf: OptionalDay = None


class RolloverForm(PageModel):
    recht: Choice
    context: Choice = ""
    huidige_einddatum: Day
    nieuwe_einddatum: Day


async def chosen_of_form(form: PostedForm, request: Request) -> list[str]:
    """Every checked grant id of a posted form (after its CSRF check; the form is read once)."""
    return [v for v in (await request.form()).getlist(CHOSEN) if isinstance(v, str)]


ChosenInForm = Annotated[list[str], Depends(chosen_of_form)]
ChosenInQuery = Annotated[list[str], Query(alias=CHOSEN)]


def _held_today(request: Request, number: str) -> list[dict[str, Any]]:
    return ask(request, views.rights_on, number, services_of(request).today())  # one snapshot (ADR 0023)


def _group(request: Request, number: str, chosen: Sequence[str]) -> tuple[list[Any], str, str]:
    """The chosen grants (from the institution's state), and their one right and context; refused
    if none is chosen, one is unknown here, or they are of more than one right or context."""
    if not chosen:
        raise RuleViolation(rules.EMPTY_SELECTION, "no right chosen in the list")
    state = services_of(request).app.institution(number).state
    grants = grants_named(state, number, chosen)
    known = {g.grant_id for g in grants}
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise RuleViolation(rules.UNKNOWN_GRANT, f"no grant {shown(unknown[0])} at {number}")
    groups = sorted({(g.right, g.context) for g in grants})
    if len(groups) > 1:
        named = "; ".join(f"{right} ({context})" for right, context in groups)
        raise RuleViolation(
            rules.ONE_RIGHT_AT_A_TIME,
            f"the chosen rows hold {len(groups)} rights: {named}; "
            "choose rows of one right in one context at a time (nothing was changed)",
        )
    [(right, context)] = groups
    return grants, right, context


def _list_page(
    request: Request, person: Any, number: str, chosen: Sequence[str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    return page(
        request,
        "many.html",
        status,
        institution=institution,
        number=number,
        rows=_held_today(request, number),
        chosen=set(chosen),
        day=services_of(request).today(),
        **extra,
    )


def _action_page(
    request: Request,
    person: Any,
    number: str,
    action: str,
    grants: list[Any],
    values: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> Response:
    institution = institution_for(person, number, change=True)
    back = urlencode([(CHOSEN, g.grant_id) for g in grants])
    return page(
        request,
        ACTIONS[action],
        status,
        institution=institution,
        number=number,
        grants=grants,
        values=values,
        back=back,
        **extra,
    )


@router.get("/instellingen/{number}/rechten/meerdere", response_class=HTMLResponse)
def many(request: Request, person: SignedIn, number: str, toekenning: ChosenInQuery = []) -> Response:  # noqa: B006
    return _list_page(request, person, number, toekenning)


def _chosen_action(request: Request, person: Any, number: str, action: str, chosen: list[str]) -> Response:
    institution_for(person, number, change=True)
    try:
        grants, _, _ = _group(request, number, chosen)
    except RuleViolation as error:
        return _list_page(request, person, number, chosen, REFUSED, **refusal(error, CHOSEN))
    values = {"einddatum": ""} if action == "verleng" else {"reden": "", "vanaf": ""}
    return _action_page(request, person, number, action, grants, values)


@router.get("/instellingen/{number}/rechten/meerdere/verleng", response_class=HTMLResponse)
def extend_chosen(
    request: Request,
    person: SignedIn,
    number: str,
    toekenning: ChosenInQuery = [],  # noqa: B006
) -> Response:
    return _chosen_action(request, person, number, "verleng", toekenning)


@router.get("/instellingen/{number}/rechten/meerdere/trek-in", response_class=HTMLResponse)
def revoke_chosen(
    request: Request,
    person: SignedIn,
    number: str,
    toekenning: ChosenInQuery = [],  # noqa: B006
) -> Response:
    return _chosen_action(request, person, number, "trek-in", toekenning)


def _done(number: str, action: str, grants: Sequence[Any]) -> Response:
    query = urlencode([("actie", action), *((CHOSEN, g.grant_id) for g in grants)])
    return RedirectResponse(f"/instellingen/{number}/rechten/meerdere/gedaan?{query}", status_code=303)


@router.post("/instellingen/{number}/rechten/meerdere/verleng", openapi_extra=form_doc(ExtendManyForm))
def extend_many(
    request: Request, person: SignedIn, number: str, form: PostedForm, chosen: ChosenInForm
) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(ExtendManyForm, form)
    try:
        grants, right, context = _group(request, number, chosen)
    except RuleViolation as error:
        return _list_page(request, person, number, chosen, REFUSED, **refusal(error, CHOSEN))
    try:
        wanted = parse(ExtendManyForm, form)
    except Refused as refused:
        return _action_page(request, person, number, "verleng", grants, values, REFUSED, **problems_shown(refused.problems))
    names = names_in(services.app.institution(number).state)
    try:
        extended = services.app.extend_many(
            services.act(person.person_id), number, [g.person_id for g in grants], right, wanted.einddatum, context
        )
    except RuleViolation as error:
        field = FIELD_OF_RULE["verleng"].get(error.rule)
        return _action_page(
            request, person, number, "verleng", grants, values, REFUSED, **refusal(error, field, names)
        )
    return _done(number, "verlengd", extended)


@router.post("/instellingen/{number}/rechten/meerdere/trek-in", openapi_extra=form_doc(RevokeManyForm))
def revoke_many(
    request: Request, person: SignedIn, number: str, form: PostedForm, chosen: ChosenInForm
) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(RevokeManyForm, form)
    try:
        grants, right, context = _group(request, number, chosen)
    except RuleViolation as error:
        return _list_page(request, person, number, chosen, REFUSED, **refusal(error, CHOSEN))
    try:
        wanted = parse(RevokeManyForm, form)
    except Refused as refused:
        return _action_page(request, person, number, "trek-in", grants, values, REFUSED, **problems_shown(refused.problems))
    names = names_in(services.app.institution(number).state)
    try:
        revoked = services.app.revoke(
            services.act(person.person_id),
            number,
            [g.person_id for g in grants],
            right,
            context,
            wanted.reden,
            wanted.vanaf,
        )
    except RuleViolation as error:
        field = FIELD_OF_RULE["trek-in"].get(error.rule)
        return _action_page(
            request, person, number, "trek-in", grants, values, REFUSED, **refusal(error, field, names)
        )
    return _done(number, "ingetrokken", revoked)


def _grants_named(request: Request, number: str, ids: Sequence[str]) -> list[Any]:
    return grants_named(services_of(request).app.institution(number).state, number, ids)


@router.get("/instellingen/{number}/rechten/meerdere/gedaan", response_class=HTMLResponse)
def many_done(
    request: Request,
    person: SignedIn,
    number: str,
    actie: str = "",
    toekenning: ChosenInQuery = [],  # noqa: B006
) -> Response:
    institution = institution_for(person, number, change=True)
    grants = _grants_named(request, number, toekenning)
    action = actie if actie in {"verlengd", "ingetrokken"} else "verlengd"
    return page(
        request, "many_done.html", institution=institution, number=number, grants=grants, action=action
    )


# -- the school year's rollover ------------------------------------------------------------

ROLLOVER_FIELDS = ("recht", "context", "huidige_einddatum", "nieuwe_einddatum")


def _rollover_page(
    request: Request, person: Any, number: str, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    return page(
        request,
        "rollover.html",
        status,
        institution=institution,
        number=number,
        **right_choices(values),
        **extra,
    )


@router.get("/instellingen/{number}/rechten/schooljaar", response_class=HTMLResponse)
def rollover_form(request: Request, person: SignedIn, number: str) -> Response:
    return _rollover_page(request, person, number, dict.fromkeys(ROLLOVER_FIELDS, ""))


@router.post("/instellingen/{number}/rechten/schooljaar", openapi_extra=form_doc(RolloverForm))
def rollover(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(RolloverForm, form)
    try:
        wanted = parse(RolloverForm, form)
    except Refused as refused:
        return _rollover_page(request, person, number, values, REFUSED, **problems_shown(refused.problems))
    names = names_in(services.app.institution(number).state)
    try:
        done = services.app.extend_ending(
            services.act(person.person_id),
            number,
            wanted.recht,
            wanted.huidige_einddatum,
            wanted.nieuwe_einddatum,
            wanted.context or None,
        )
    except RuleViolation as error:
        target = FIELD_OF_RULE["schooljaar"].get(error.rule)
        return _rollover_page(request, person, number, values, REFUSED, **refusal(error, target, names))
    query = urlencode(
        [
            *((CHOSEN, g.grant_id) for g in done.extended),
            *(("alleen", p.person_id) for p in done.left_alone),
        ]
    )
    return RedirectResponse(f"/instellingen/{number}/rechten/schooljaar/gedaan?{query}", status_code=303)


@router.get("/instellingen/{number}/rechten/schooljaar/gedaan", response_class=HTMLResponse)
def rollover_done(
    request: Request,
    person: SignedIn,
    number: str,
    toekenning: ChosenInQuery = [],  # noqa: B006
    alleen: Annotated[list[str], Query()] = [],  # noqa: B006
) -> Response:
    institution = institution_for(person, number, change=True)
    grants = _grants_named(request, number, toekenning)
    state = services_of(request).app.institution(number).state
    left = [state.persons[p] for p in dict.fromkeys(alleen) if p in state.persons]
    return page(
        request,
        "rollover_done.html",
        institution=institution,
        number=number,
        grants=grants,
        left=left,
        new_end=grants[0].end if grants else None,
    )
