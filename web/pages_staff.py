""" "Voeg gebruiker toe": an administrator adds a support worker (ondersteuner) by national register
number. The number goes straight to the application (which keeps it only encrypted); it is never
echoed back, not even in a refused form, and never put in a URL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, person_id
from grantbook.errors import KeyFileError

from .forms import (
    Field,
    FilledName,
    FilledReason,
    NationalNumberText,
    PageModel,
    Problem,
    Refused,
    form_doc,
    parse,
    typed,
)
from .render import page, refusal, shown
from .security import PostedForm, SignedIn, institution_for, services_of

router = APIRouter()
REFUSED = 422


class SupportWorkerForm(PageModel):
    """Every field checked at once; the number is never shown again, not even in a refused form."""

    rijksregisternummer: NationalNumberText = Field(repr=False, title="het rijksregisternummer")
    voornaam: FilledName = Field(title="de voornaam")
    achternaam: FilledName = Field(title="de achternaam")
    reden: FilledReason = Field(title="een reden")


def _form(
    request: Request, person: Any, number: str, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    return page(
        request, "support_worker.html", status, institution=institution, number=number, values=values, **extra
    )


@router.get("/instellingen/{number}/gebruiker-toevoegen", response_class=HTMLResponse)
def add_form(request: Request, person: SignedIn, number: str) -> Response:
    return _form(request, person, number, {"voornaam": "", "achternaam": "", "reden": ""})


@router.post("/instellingen/{number}/gebruiker-toevoegen", openapi_extra=form_doc(SupportWorkerForm))
def add(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = {k: v for k, v in typed(SupportWorkerForm, form).items() if k != "rijksregisternummer"}
    try:
        wanted = parse(SupportWorkerForm, form)
    except Refused as refused:
        return _form(request, person, number, values, REFUSED, **shown(refused.problems))
    try:
        added = services.app.add_support_worker(
            services.act(person.person_id),
            number,
            wanted.rijksregisternummer,
            wanted.voornaam,
            wanted.achternaam,
            wanted.reden,
        )
    except RuleViolation as error:
        field = "achternaam" if error.rule == "person-name" and "last" in error.message else None
        return _form(request, person, number, values, REFUSED, **refusal(error, field))
    except KeyFileError as error:
        failure = Problem("", "key-file", "Het rijksregisternummer kan nu niet veilig bewaard worden. Vraag de beheerder van de server om de sleutel te herstellen.")
        return _form(request, person, number, values, 409, **shown([failure]))
    return RedirectResponse(f"/instellingen/{number}/gebruiker-toegevoegd?persoon={added.person_id}", 303)


@router.get("/instellingen/{number}/gebruiker-toegevoegd", response_class=HTMLResponse)
def added(request: Request, person: SignedIn, number: str, persoon: str = "") -> Response:
    institution = institution_for(person, number, change=True)
    try:
        pid = person_id(persoon)
    except RuleViolation:
        pid = ""
    found = services_of(request).app.institution(number).state.persons.get(pid)
    return page(request, "support_worker_added.html", institution=institution, number=number, added=found)
