"""An institution's rights ("Rechten": on a day, as registered at a moment; or "Alle toekenningen",
every grant with its status that day, as ``rights --all``), with "Verleng" and "Trek in" (with
"Reden" and "Vanaf") for administrators and "Ongeldig verklaren" (pages_void) for heads."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation, parse_date, rules
from grantbook.domain.values import BRUSSELS
from grantbook.projections.rights_questions import query_every_grant, query_held_on

from .integrity import check_integrity
from .render import page, refusal
from .security import PostedForm, SignedIn, institution_for, services_of

router = APIRouter()
REFUSED = 422
DONE = {
    "verlengd": "De einddatum is verlengd.",
    "ingetrokken": "Het recht is ingetrokken.",
    "ongeldig": "De toekenning is ongeldig verklaard. Ze telt op geen enkele dag meer; de audit toont ze.",
}
# ``rights --all``'s status (projections.rights_questions.status_on), as the page says it.
STATUS = {
    "current": "huidig",
    "future": "toekomstig",
    "ended": "beëindigd",
    "revoked": "ingetrokken",
    "voided": "ongeldig",
}


def end_of_day(day: Any) -> datetime:
    return datetime.combine(day, time.max, tzinfo=BRUSSELS)


@router.get("/instellingen/{number}/rechten", response_class=HTMLResponse)
def rights(
    request: Request,
    person: SignedIn,
    number: str,
    op: str = "",
    geregistreerd_op: str = "",
    alle: str = "",
    gedaan: str = "",
) -> Response:
    institution = institution_for(person, number)
    services = services_of(request)
    values = {"op": op, "geregistreerd_op": geregistreerd_op, "alle": "1" if alle else ""}
    field = "op"
    try:
        day = parse_date(op) if op else services.today()
        field = "geregistreerd_op"
        moment = end_of_day(parse_date(geregistreerd_op)) if geregistreerd_op else None
    except RuleViolation as error:  # the field that was refused is named next to it
        return page(
            request,
            "rights.html",
            REFUSED,
            institution=institution,
            number=number,
            rows=[],
            values=values,
            change=False,
            **refusal(error, field),
        )
    check_integrity(services, [number])
    question = query_every_grant if alle else query_held_on
    rows = services.answer(lambda c: question(c, day, number, as_of=moment), ["institutions", "rights"])
    for row in rows:
        row["query"] = urlencode(
            {"persoon": row["person_id"], "recht": row["right"], "context": row["context"]}
        )
        row["void_query"] = urlencode({"toekenning": row["grant_id"]})
        if alle:
            row["status_nl"] = STATUS[row["status"]]
            row["reason"] = row["void_reason"] if row["status"] == "voided" else row["revoke_reason"]
            # Verleng and Trek in act on what is held now or later; the rest is history.
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
        every=bool(alle),
        change=person.can_change(number) and moment is None,
        head=person.is_head(number) and moment is None,
        notice=DONE.get(gedaan),
    )


def _grant_page(
    request: Request,
    person: Any,
    number: str,
    template: str,
    values: dict[str, str],
    status: int = 200,
    **extra: Any,
) -> Response:
    institution = institution_for(person, number, change=True)
    return page(request, template, status, institution=institution, number=number, values=values, **extra)


def _which(source: Any) -> dict[str, str]:
    return {key: str(source.get(key, "")) for key in ("persoon", "recht", "context")}


@router.get("/instellingen/{number}/rechten/verleng", response_class=HTMLResponse)
def extend_form(request: Request, person: SignedIn, number: str) -> Response:
    return _grant_page(
        request, person, number, "extend.html", {**_which(request.query_params), "einddatum": ""}
    )


@router.post("/instellingen/{number}/rechten/verleng")
def extend(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = {**_which(form), "einddatum": form.get("einddatum", "")}
    try:
        new_end = parse_date(values["einddatum"])
        services.app.extend(
            services.act(person.person_id),
            number,
            values["persoon"],
            values["recht"],
            new_end,
            values["context"] or None,
        )
    except RuleViolation as error:
        field = (
            "einddatum" if error.rule in {"date-format", "maximum-validity", "end-date-not-later"} else None
        )
        return _grant_page(request, person, number, "extend.html", values, REFUSED, **refusal(error, field))
    return RedirectResponse(f"/instellingen/{number}/rechten?gedaan=verlengd", status_code=303)


@router.get("/instellingen/{number}/rechten/trek-in", response_class=HTMLResponse)
def revoke_form(request: Request, person: SignedIn, number: str) -> Response:
    values = {**_which(request.query_params), "reden": "", "vanaf": ""}
    return _grant_page(request, person, number, "revoke.html", values)


@router.post("/instellingen/{number}/rechten/trek-in")
def revoke(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution_for(person, number, change=True)
    services = services_of(request)
    values = {**_which(form), "reden": form.get("reden", ""), "vanaf": form.get("vanaf", "")}
    field = "vanaf"
    try:
        first_day = parse_date(values["vanaf"]) if values["vanaf"].strip() else None  # empty: today
        field = None
        services.app.revoke(
            services.act(person.person_id),
            number,
            values["persoon"],
            values["recht"],
            values["context"] or None,
            values["reden"],
            first_day=first_day,
        )
    except RuleViolation as error:
        if error.rule == rules.REVOKE_DATE:
            field = "vanaf"
        return _grant_page(request, person, number, "revoke.html", values, REFUSED, **refusal(error, field))
    return RedirectResponse(f"/instellingen/{number}/rechten?gedaan=ingetrokken", status_code=303)
