""" "API-sleutels": the signed-in person makes personal API tokens for the JSON API (shown once,
only a hash is kept) and revokes their own (``grantbook token``; docs/api.md, docs/adr/0024).
A token never signs anyone in on the pages; a session cookie never works on the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.adapters.tokens import DEFAULT_DAYS, MAX_DAYS, TOKEN_EXPIRY_RULE, TOKEN_NAME_RULE, ApiToken
from grantbook.domain import RuleViolation
from grantbook.domain.values import BRUSSELS

from .forms import FilledName, OptionalDay, PageModel, Problem, Refused, form_doc, parse, typed
from .render import dmy, page, shown
from .security import PostedForm, SignedIn, services_of

router = APIRouter()
REFUSED = 422
SENTENCES = {
    TOKEN_NAME_RULE: "Geef de sleutel een naam van hoogstens 100 tekens, zodat je hem later herkent.",
    TOKEN_EXPIRY_RULE: f"Kies een vervaldatum vanaf vandaag en hoogstens {MAX_DAYS} dagen later.",
}
STATUS = {"active": "Actief", "expired": "Vervallen", "revoked": "Ingetrokken"}
DONE = {"ingetrokken": "De API-sleutel is ingetrokken: hij werkt niet meer."}


class TokenForm(PageModel):
    naam: FilledName
    vervaldatum: OptionalDay = None
    alleen_lezen: str | None = None


def _tokens(request: Request) -> Any:
    return request.app.state.api_tokens


def _moment(text: str) -> str:
    when = datetime.fromisoformat(text).astimezone(BRUSSELS)
    return when.strftime("%d/%m/%Y om %H:%M")


def _rows(tokens: list[ApiToken], today: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": t.token_id,
            "name": t.name,
            "access": "Alleen lezen" if t.read_only else "Lezen en wijzigen",
            "created": _moment(t.created),
            "expires": dmy(t.expires),
            "status": STATUS[t.row(today)["status"]],  # type: ignore[index]
            "active": t.usable_on(today),
        }
        for t in reversed(tokens)
    ]


def _page(
    request: Request, person: Any, status: int = 200, values: dict[str, str] | None = None, **extra: Any
) -> Response:
    services = services_of(request)
    today = services.today()
    found = _tokens(request).of(person.person_id)
    return page(
        request,
        "tokens.html",
        status,
        rows=_rows(found, today),
        values=values or {"naam": "", "vervaldatum": "", "alleen_lezen": ""},
        default_days=DEFAULT_DAYS,
        **extra,
    )


@router.get("/api-sleutels", response_class=HTMLResponse)
def tokens_page(request: Request, person: SignedIn, gedaan: str = "") -> Response:
    return _page(request, person, notice=DONE.get(gedaan))


@router.post("/api-sleutels", response_class=HTMLResponse, openapi_extra=form_doc(TokenForm))
def make_token(request: Request, person: SignedIn, form: PostedForm) -> Response:
    values = typed(TokenForm, form)
    try:
        wanted = parse(TokenForm, form)
    except Refused as refused:
        return _page(request, person, REFUSED, values, **shown(refused.problems))
    services = services_of(request)
    try:
        secret, made = _tokens(request).create(
            person.person_id, wanted.naam, services.today(), wanted.vervaldatum, bool(wanted.alleen_lezen)
        )
    except RuleViolation as error:
        target = "vervaldatum" if error.rule == TOKEN_EXPIRY_RULE else "naam"
        sentence = SENTENCES.get(error.rule, "Wat je invulde kan niet gebruikt worden. Kijk het na.")
        return _page(request, person, REFUSED, values, **shown([Problem(target, error.rule, sentence)]))
    return _page(request, person, 200, made=made, secret=secret, made_expires=dmy(made.expires))


@router.post("/api-sleutels/{token_id}/intrekken")
def revoke_token(request: Request, person: SignedIn, token_id: str, form: PostedForm) -> Response:
    if len(token_id) > 40 or not _tokens(request).revoke(person.person_id, token_id):
        return _page(
            request,
            person,
            404,
            notice=None,
            problems=[Problem("", "unknown-token", "Deze API-sleutel bestaat niet of is al ingetrokken.")],
        )
    return RedirectResponse("/api-sleutels?gedaan=ingetrokken", status_code=303)
