""" "Snel recht toekennen": one right for one person, at once, without touching the selection (the
same rules as steps 2 and 3; ``Institution.grant``). A period wholly before today is granted, as in
the CLI, but the page that follows says so, so a mistyped year is seen at once (docs/adr/0015)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, rules

from .pages_grant import right_choices
from .forms import Choice, Day, PageModel, Person, Refused, form_doc, parse, typed
from .people import names_in
from .render import dmy, page, refusal, shown
from .security import PostedForm, SignedIn, institution_for, services_of

router = APIRouter()
REFUSED = 422
FIELDS = ("persoon", "recht", "context", "begindatum", "einddatum")


class QuickGrantForm(PageModel):
    persoon: Person
    recht: Choice
    context: Choice
    begindatum: Day
    einddatum: Day
# Which field a refusal of the quick grant is about (the rest: render.FIELD_OF_RULE, or the summary only).
FIELD_OF_RULE = {
    rules.UNKNOWN_PERSON: "persoon",
    rules.INACTIVE_PERSON: "persoon",
    rules.PERSON_ID: "persoon",
    rules.OVERLAPPING_GRANT: "persoon",
    rules.AMBIGUOUS_RIGHT: "recht",
}


def _form(
    request: Request, person: Any, number: str, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    institution = institution_for(person, number, change=True)
    state = services_of(request).app.institution(number).state
    grantable = sorted(
        (p for p in state.persons.values() if p.is_active),
        key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.person_id),
    )
    return page(
        request,
        "quick_grant.html",
        status,
        institution=institution,
        number=number,
        persons=[(p.person_id, _label(p)) for p in grantable],
        **right_choices(values),
        **extra,
    )


def _label(person: Any) -> str:
    kind = "ondersteuner" if person.support_worker else person.category.lower()
    return f"{person.last_name} {person.first_name} ({kind})"


@router.get("/instellingen/{number}/snel-toekennen", response_class=HTMLResponse)
def quick_grant_form(request: Request, person: SignedIn, number: str, persoon: str = "") -> Response:
    today = dmy(services_of(request).today())
    return _form(
        request, person, number, {**dict.fromkeys(FIELDS, ""), "persoon": persoon, "begindatum": today}
    )


@router.post("/instellingen/{number}/snel-toekennen", openapi_extra=form_doc(QuickGrantForm))
def quick_grant(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = typed(QuickGrantForm, form)
    try:
        wanted = parse(QuickGrantForm, form)
    except Refused as refused:
        return _form(request, person, number, values, REFUSED, **shown(refused.problems))
    names = names_in(services.app.institution(number).state)
    try:
        grant = services.app.grant(
            services.act(person.person_id),
            number,
            wanted.persoon,
            wanted.recht,
            wanted.context,
            wanted.begindatum,
            wanted.einddatum,
        )
    except RuleViolation as error:
        target = FIELD_OF_RULE.get(error.rule)
        return _form(request, person, number, values, REFUSED, **refusal(error, target, names))
    query = urlencode({"rechten": grant.grant_id})
    return RedirectResponse(f"/instellingen/{number}/toekennen/bevestigd?{query}", status_code=303)
