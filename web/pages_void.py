""" "Ongeldig verklaren": a head administrator voids a grant entered by mistake (``GrantVoided``, as
``grantbook void NUMBER GRANT_ID --reason TEXT``; docs/adr/0016). The grant then counts on no day,
while the audit keeps it. Everyone else is refused (403); the domain's rules decide the rest."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, rules
from grantbook.domain.values import BRUSSELS

from .people import names_in
from .render import page, refusal
from .security import PostedForm, SignedIn, head_institution_for, services_of

router = APIRouter()
REFUSED = 422
# Which field a refusal is about: the reason is the only thing typed (the rest: the summary only).
REASON_RULES = {rules.REASON_REQUIRED, rules.TEXT_CHARACTER, rules.TEXT_LENGTH}


def _head_only(person: Any, number: str) -> dict[str, Any]:
    return head_institution_for(
        person, number, "Alleen een hoofdbeheerder kan een toekenning ongeldig verklaren."
    )


def _form(
    request: Request,
    person: Any,
    number: str,
    values: dict[str, str],
    status: int = 200,
    error: RuleViolation | None = None,
) -> Response:
    """The form, with what the grant is (as the institution holds it now) when there is one."""
    institution = _head_only(person, number)
    state = services_of(request).app.institution(number).state
    grant = state.grants.get(values["toekenning"].strip())
    extra: dict[str, Any] = {}
    if grant is not None and grant.voided_at is not None:  # the day as people in Brussels count it
        extra["voided_on"] = grant.voided_at.astimezone(BRUSSELS).date()
    if error is not None:
        extra.update(refusal(error, "reden" if error.rule in REASON_RULES else None, names_in(state)))
    return page(
        request,
        "void.html",
        status,
        institution=institution,
        number=number,
        values=values,
        grant=grant,
        names=names_in(state),
        **extra,
    )


@router.get("/instellingen/{number}/rechten/ongeldig", response_class=HTMLResponse)
def void_form(request: Request, person: SignedIn, number: str, toekenning: str = "") -> Response:
    _head_only(person, number)
    values = {"toekenning": toekenning, "reden": ""}
    try:  # an unknown or voided grant is said at once, as the command would say it
        services_of(request).app.institution(number).check_grant_to_void(toekenning)
    except RuleViolation as error:
        return _form(request, person, number, values, REFUSED, error)
    return _form(request, person, number, values)


@router.post("/instellingen/{number}/rechten/ongeldig")
def void(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    _head_only(person, number)
    services = services_of(request)
    values = {key: value if isinstance(value, str) else "" for key, value in ((k, form.get(k, "")) for k in ("toekenning", "reden"))}
    try:
        services.app.void(services.act(person.person_id), number, values["toekenning"], values["reden"])
    except RuleViolation as error:
        return _form(request, person, number, values, REFUSED, error)
    return RedirectResponse(f"/instellingen/{number}/rechten?alle=1&gedaan=ongeldig", status_code=303)
