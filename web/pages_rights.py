"""An institution's rights ("Rechten": on a day, as registered at a moment; or "Alle toekenningen",
every grant with its status that day, as ``rights --all``), each grant's detail page, and "Verleng"
and "Trek in" (with "Reden" and "Vanaf") for administrators; "Ongeldig verklaren" (pages_void) for
heads. One row, one grant: a row's actions name its grant and change that grant and no other."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, rules
from grantbook.domain.values import BRUSSELS
from grantbook.projections import views

from .forms import Day, Name, OptionalDay, PageModel, Reason, Refused, form_doc, parse, query_doc, typed
from .pages_grant import grants_named
from .people import names_in
from .reading import ask, kept, names_of, together
from .render import page, refusal, shown
from .security import PostedForm, SignedIn, Visitor, institution_for, services_of

router = APIRouter()
REFUSED = 422
DONE = {
    "verlengd": "De einddatum is verlengd.",
    "ingetrokken": "Het recht is ingetrokken.",
    "ongeldig": "De toekenning is ongeldig verklaard. Ze telt op geen enkele dag meer; de audit toont ze.",
}
# ``rights --all``'s status (projections.rights_questions.status_on), as the page says it.
STATUS = {
    "current": "loopt",
    "future": "begint later",
    "ended": "beëindigd",
    "revoked": "ingetrokken",
    "voided": "ongeldig verklaard",
}


class RightsQuery(PageModel):
    op: OptionalDay = None
    geregistreerd_op: OptionalDay = None
    alle: Name = ""
    gedaan: Name = ""


class GrantQuery(PageModel):
    toekenning: Name = ""


class ExtendForm(PageModel):
    toekenning: Name = ""
    einddatum: Day


class RevokeForm(PageModel):
    toekenning: Name = ""
    reden: Reason = ""
    vanaf: OptionalDay = None


@together("rights", "people")
def _register(c: Any, reader: Any, number: str, day: Any, moment: Any, every: bool) -> Any:
    """The rights on the day (or every grant) and who holds them by name, from one snapshot."""
    rows = (views.every_grant if every else views.rights_on)(c, reader, number, day, moment)
    return rows, names_of(views.staff(c, reader, number))


def end_of_day(day: Any) -> datetime:
    return datetime.combine(day, time.max, tzinfo=BRUSSELS)


@router.get("/instellingen/{number}/rechten", response_class=HTMLResponse, openapi_extra=query_doc(RightsQuery))
def rights(request: Request, person: SignedIn, number: str) -> Response:
    institution = institution_for(person, number)
    return kept(request, person, lambda: _rights_page(request, person, number, institution))


def _rights_page(request: Request, person: Visitor, number: str, institution: Any) -> Response:
    services = services_of(request)
    values = typed(RightsQuery, request.query_params)
    try:
        query = parse(RightsQuery, request.query_params)
    except Refused as refused:
        return page(
            request, "rights.html", REFUSED, institution=institution, number=number, rows=[], values=values,
            change=False, head=False, **shown(refused.problems),
        )
    day = query.op or services.today()
    moment = end_of_day(query.geregistreerd_op) if query.geregistreerd_op else None
    rows, names = ask(request, _register, number, day, moment, bool(query.alle))
    for row in rows:
        row["name"] = names(row["person_id"])
        if query.alle:
            row["status_nl"] = STATUS[row["status"]]
            row["reason"] = row["void_reason"] if row["status"] == "voided" else row["revoke_reason"]
            row["changeable"] = row["status"] in {"current", "future"}
        else:
            row["changeable"] = True
    return page(
        request,
        "rights.html",
        institution=institution,
        number=number,
        rows=rows,
        values=values,
        day=day,
        moment=moment,
        every=bool(query.alle),
        change=person.can_change(number) and moment is None,
        head=person.is_head(number) and moment is None,
        notice=DONE.get(query.gedaan),
    )


def _grant(request: Request, number: str, source: Any) -> Any:
    """The grant a page or form names by ``toekenning``, or None."""
    try:
        wanted = parse(GrantQuery, source).toekenning
    except Refused:
        return None
    found = grants_named(services_of(request).app.institution(number).state, number, [wanted])
    return found[0] if found else None


@router.get("/instellingen/{number}/rechten/toekenning", response_class=HTMLResponse, openapi_extra=query_doc(GrantQuery))
def grant_detail(request: Request, person: SignedIn, number: str) -> Response:
    """One grant in full: who holds it, who granted it and when, its extensions and any revocation."""
    institution = institution_for(person, number)
    grant = _grant(request, number, request.query_params)
    names = names_in(services_of(request).app.institution(number).state)
    status = 200 if grant is not None else 404
    return page(request, "grant_detail.html", status, institution=institution, number=number, grant=grant, names=names)


def _grant_page(
    request: Request, person: Visitor, number: str, template: str, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    grant = _grant(request, number, values)
    names = names_in(services_of(request).app.institution(number).state)
    if grant is None:
        status = 404 if status == 200 else status
    return page(
        request, template, status, institution=institution, number=number, values=values, grant=grant, names=names,
        **extra,
    )


@router.get("/instellingen/{number}/rechten/verleng", response_class=HTMLResponse, openapi_extra=query_doc(GrantQuery))
def extend_form(request: Request, person: SignedIn, number: str) -> Response:
    values = {**typed(GrantQuery, request.query_params), "einddatum": ""}
    return _grant_page(request, person, number, "extend.html", values)


@router.post("/instellingen/{number}/rechten/verleng", openapi_extra=form_doc(ExtendForm))
def extend(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(ExtendForm, form)
    try:
        wanted = parse(ExtendForm, form)
    except Refused as refused:
        return _grant_page(request, person, number, "extend.html", values, REFUSED, **shown(refused.problems))
    state = services.app.institution(number).state
    try:
        services.app.extend_grant(services.act(person.person_id), number, wanted.toekenning, wanted.einddatum)
    except RuleViolation as error:
        field = "einddatum" if error.rule in {rules.MAXIMUM_VALIDITY, rules.END_DATE_NOT_LATER, rules.OVERLAPPING_GRANT} else None
        return _grant_page(request, person, number, "extend.html", values, REFUSED, **refusal(error, field, names_in(state)))
    return RedirectResponse(f"/instellingen/{number}/rechten?gedaan=verlengd", status_code=303)


@router.get("/instellingen/{number}/rechten/trek-in", response_class=HTMLResponse, openapi_extra=query_doc(GrantQuery))
def revoke_form(request: Request, person: SignedIn, number: str) -> Response:
    values = {**typed(GrantQuery, request.query_params), "reden": "", "vanaf": ""}
    return _grant_page(request, person, number, "revoke.html", values)


@router.post("/instellingen/{number}/rechten/trek-in", openapi_extra=form_doc(RevokeForm))
def revoke(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(RevokeForm, form)
    try:
        wanted = parse(RevokeForm, form)
    except Refused as refused:
        return _grant_page(request, person, number, "revoke.html", values, REFUSED, **shown(refused.problems))
    state = services.app.institution(number).state
    try:
        services.app.revoke_grant(
            services.act(person.person_id), number, wanted.toekenning, wanted.reden, first_day=wanted.vanaf
        )
    except RuleViolation as error:
        field = {rules.REVOKE_DATE: "vanaf", rules.REASON_REQUIRED: "reden"}.get(error.rule)
        return _grant_page(request, person, number, "revoke.html", values, REFUSED, **refusal(error, field, names_in(state)))
    return RedirectResponse(f"/instellingen/{number}/rechten?gedaan=ingetrokken", status_code=303)
