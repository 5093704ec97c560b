""" "E-mailadres voor meldingen": the signed-in administrator's own address for expiry notices at an
institution, set or taken away (``EmailAddressRecorded`` / ``EmailAddressRemoved``, as ``grantbook
admin email``; docs/adr/0014). A head sets other administrators' addresses with the CLI."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation

from .render import page, refusal
from .security import PostedForm, SignedIn, institution_for, services_of

router = APIRouter()
REFUSED = 422
DONE = {
    "bewaard": "Je e-mailadres is bewaard: meldingen over vervallende rechten gaan naar dit adres.",
    "verwijderd": "Je e-mailadres is verwijderd: je krijgt voor deze instelling geen meldingen meer.",
}


def _page(
    request: Request, person: Any, number: str, typed: str | None = None, status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    current = services_of(request).app.institution(number).state.emails.get(person.person_id)
    values = {"email": (current or "") if typed is None else typed}
    return page(
        request,
        "email.html",
        status,
        institution=institution,
        number=number,
        current=current,
        values=values,
        **extra,
    )


@router.get("/instellingen/{number}/e-mailadres", response_class=HTMLResponse)
def email_form(request: Request, person: SignedIn, number: str, gedaan: str = "") -> Response:
    return _page(request, person, number, notice=DONE.get(gedaan))


@router.post("/instellingen/{number}/e-mailadres")
def save_email(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    act = services.act(person.person_id)
    typed = form.get("email", "")
    typed = typed if isinstance(typed, str) and len(typed) <= 320 else ""
    try:
        if form.get("actie") == "verwijder":
            services.app.remove_email(act, number, person.person_id)
            done = "verwijderd"
        else:
            services.app.record_email(act, number, person.person_id, typed)
            done = "bewaard"
    except RuleViolation as error:
        return _page(request, person, number, typed, REFUSED, **refusal(error, "email"))
    return RedirectResponse(f"/instellingen/{number}/e-mailadres?gedaan={done}", status_code=303)
