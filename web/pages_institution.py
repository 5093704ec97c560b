""" "Naam wijzigen": a head administrator renames their institution (recorded as
``InstitutionRenamed``, as ``grantbook institution rename``); everyone else is refused."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation

from .render import page, refusal
from .security import PostedForm, SignedIn, head_institution_for, institution_for, services_of

router = APIRouter()
REFUSED = 422


def _head_only(person: Any, number: str) -> dict[str, Any]:
    return head_institution_for(
        person, number, "Alleen een hoofdbeheerder kan de naam van de instelling wijzigen."
    )


@router.get("/instellingen/{number}", response_class=HTMLResponse)
def institution_page(request: Request, person: SignedIn, number: str) -> Response:
    """One institution: what the visitor can do there, as a short list of pages."""
    institution = institution_for(person, number)
    return page(
        request,
        "institution.html",
        institution=institution,
        number=number,
        change=person.can_change(number),
        head=person.is_head(number),
    )


@router.get("/instellingen/{number}/naam", response_class=HTMLResponse)
def rename_form(request: Request, person: SignedIn, number: str) -> Response:
    institution = _head_only(person, number)
    values = {"naam": institution["name"]}
    return page(request, "rename.html", institution=institution, number=number, values=values)


@router.post("/instellingen/{number}/naam")
def rename(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution = _head_only(person, number)
    services = services_of(request)
    values = {"naam": form.get("naam", "") if isinstance(form.get("naam"), str) else ""}
    try:
        services.app.rename_institution(services.act(person.person_id), number, values["naam"])
    except RuleViolation as error:
        return page(
            request,
            "rename.html",
            REFUSED,
            institution=institution,
            number=number,
            values=values,
            **refusal(error, "naam"),
        )
    return RedirectResponse(f"/instellingen/{number}?gedaan=naam", status_code=303)
