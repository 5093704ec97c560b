""" "Toegangsreviews" (docs/adr/0025, issue 24): an institution's access reviews, "Start een
toegangsreview" for head administrators, and a review's page where its reviewers decide "Behouden" or
"Intrekken" per row or for the ticked rows at once. Auditors read every review, also as registered
on an earlier day ("Zoals geregistreerd op"). Closing with its summary and the report's downloads
are web/pages_review_close.py; the rows as the pages show them are web/review_rows.py.

Every form is one typed model (web/forms.py); a refusal records nothing, keeps what was typed and
ticked, and says in Dutch what is missing, naming the person where the rule is about one."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BeforeValidator

from grantbook.domain import RuleViolation, rules
from grantbook.domain.catalogue import default_catalogue
from grantbook.domain.review_state import add_months

from .forms import (
    Day,
    Field,
    FilledName,
    Name,
    PageModel,
    Problem,
    Reason,
    Refused,
    form_doc,
    parse,
    query_doc,
    typed,
)
from .integrity import check_integrity
from .people import names_in
from .render import page, refusal, shown
from .review_rows import (
    EVERY,
    UNDECIDED,
    ReviewQuery,
    as_of_values,
    decision_rows,
    known_review,
    list_rows,
    moment_of,
    notice_for,
    read_review,
    review_page_facts,
)
from .security import PostedForm, SignedIn, Visitor, head_institution_for, institution_for, services_of

router = APIRouter()
REFUSED = 422
HEADS_ONLY = "Alleen een hoofdbeheerder kan een toegangsreview starten."
KEEP_WORD, REVOKE_WORD = "behouden", "intrekken"
DECISIONS = {KEEP_WORD: "keep", REVOKE_WORD: "revoke"}
START_FIELD_OF_RULE = {
    rules.REVIEW_NAME: "naam",
    rules.TEXT_CHARACTER: "naam",
    rules.TEXT_LENGTH: "naam",
    rules.UNKNOWN_RIGHT: "recht",
    rules.AMBIGUOUS_RIGHT: "recht",
    rules.EMPTY_REVIEW: "recht",
    rules.UNKNOWN_CONTEXT: "context",
    rules.REVIEWER_NOT_ADMINISTRATOR: "persoon",
    rules.PERSON_ID: "persoon",
    rules.REVIEW_DUE: "vervaldatum",
    rules.REVIEW_SETTING: "zonder_beslissing",
}
DECIDE_FIELD_OF_RULE = {
    rules.JUSTIFICATION_REQUIRED: "reden",
    rules.TEXT_CHARACTER: "reden",
    rules.TEXT_LENGTH: "reden",
    rules.OWN_RIGHT: "toekenning",
    rules.NOT_IN_REVIEW: "toekenning",
    rules.PERSONS_REFUSED: "toekenning",
}


def _one_of(choices: dict[str, Any]) -> Any:
    def validate(value: Any) -> str:
        text = str(value).strip()
        if text not in choices:
            raise ValueError("not one of the choices")
        return text

    return BeforeValidator(validate)


def _decision(value: Any) -> str:
    """ "behouden" or "intrekken" (the buttons under the table), or "behouden:<toekenning>" (a row's)."""
    text = str(value).strip()
    word, _, grant = text.partition(":")
    if word not in DECISIONS or (":" in text and not grant):
        raise ValueError("not a decision")
    return text


class StartForm(PageModel):
    naam: FilledName = Field(title="de naam")
    recht: Name = ""
    context: Name = ""
    persoon: list[Name] = Field(default_factory=list)
    vervaldatum: Day
    zonder_beslissing: Annotated[str, _one_of(UNDECIDED)] = KEEP_WORD
    motivering: Name = ""
    herhaal: Annotated[str, _one_of(EVERY)] = ""


class DecideForm(PageModel):
    toekenning: list[Name] = Field(default_factory=list)
    reden: Reason = ""
    beslissing: Annotated[str, BeforeValidator(_decision)]


def _base(number: str) -> str:
    return f"/instellingen/{number}/reviews"


# -- the list ------------------------------------------------------------------------------


@router.get(
    "/instellingen/{number}/reviews", response_class=HTMLResponse, openapi_extra=query_doc(ReviewQuery)
)
def reviews(request: Request, person: SignedIn, number: str) -> Response:
    institution = institution_for(person, number)
    number = institution["number"]
    services = services_of(request)
    check_integrity(services, [number])
    values = as_of_values(request.query_params)
    context: dict[str, Any] = {
        "institution": institution,
        "number": number,
        "values": values,
        "head": person.is_head(number),
    }
    try:
        query = parse(ReviewQuery, request.query_params)
        moment = moment_of(query)
        found = services.app.reviews(number, moment)
    except Refused as refused:
        return page(request, "reviews.html", REFUSED, rows=[], **context, **shown(refused.problems))
    except RuleViolation as error:  # not registered yet on that day
        return page(
            request, "reviews.html", REFUSED, rows=[], **context, **refusal(error, "geregistreerd_op")
        )
    return page(
        request,
        "reviews.html",
        rows=list_rows(found),
        moment=moment,
        **context,
        as_of=urlencode({"geregistreerd_op": values["geregistreerd_op"]}) if moment else "",
    )


# -- start a review (heads) ----------------------------------------------------------------


def _start_page(
    request: Request, person: Visitor, number: str, values: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    institution = head_institution_for(person, number, HEADS_ONLY)
    state = services_of(request).app.institution(institution["number"]).state
    name = names_in(state)
    administrators = sorted(state.administrators, key=lambda pid: (name(pid).casefold(), pid))
    catalogue = default_catalogue()
    contexts = list(dict.fromkeys(c for right in catalogue.rights for c in right.contexts))
    return page(
        request,
        "review_start.html",
        status,
        institution=institution,
        number=institution["number"],
        values=values,
        administrators=[(pid, name(pid)) for pid in administrators],
        rights=[r.name for r in catalogue.rights],
        contexts=contexts,
        **extra,
    )


@router.get("/instellingen/{number}/reviews/nieuw", response_class=HTMLResponse)
def start_form(request: Request, person: SignedIn, number: str) -> Response:
    head_institution_for(person, number, HEADS_ONLY)
    state = services_of(request).app.institution(number).state
    values = {
        **dict.fromkeys(("naam", "recht", "context", "vervaldatum", "motivering", "herhaal"), ""),
        "zonder_beslissing": KEEP_WORD,
        "persoon": set(state.administrators),
    }
    return _start_page(request, person, number, values)


def _start_problems(raw: Any, wanted: StartForm | None, today: date) -> list[Problem]:
    """What the page itself sees wrong besides the fields' own checks, so every error shows at once."""
    found: list[Problem] = []
    if not [v for v in raw.getlist("persoon") if isinstance(v, str) and v.strip()]:
        found.append(Problem("persoon", "required", "Kies minstens één beoordelaar."))
    context, right = raw.get("context"), raw.get("recht")
    if isinstance(context, str) and context.strip() and not (isinstance(right, str) and right.strip()):
        found.append(
            Problem(
                "context",
                "required",
                "Kies ook het gebruikersrecht van deze context, of laat de context leeg.",
            )
        )
    if wanted is not None:
        every = EVERY[wanted.herhaal]
        if wanted.vervaldatum < today:
            message = (
                f"De vervaldatum ligt in het verleden. Kies vandaag ({today.strftime('%d/%m/%Y')}) of later."
            )
            found.append(Problem("vervaldatum", rules.REVIEW_DUE, message))
        elif every is not None and wanted.vervaldatum >= add_months(today, every):
            next_start = add_months(today, every).strftime("%d/%m/%Y")
            message = (
                f"Bij een herhaling om de {every} maanden start de volgende review op {next_start}. "
                "Kies een vervaldatum voor die dag."
            )
            found.append(Problem("vervaldatum", rules.REVIEW_DUE, message))
    return found


ORDER = list(StartForm.model_fields)


@router.post("/instellingen/{number}/reviews/nieuw", openapi_extra=form_doc(StartForm))
def start(request: Request, person: SignedIn, number: str, form: PostedForm) -> Response:
    institution = head_institution_for(person, number, HEADS_ONLY)
    number = institution["number"]
    services = services_of(request)
    values: dict[str, Any] = {
        **typed(StartForm, form),
        "persoon": {v for v in form.getlist("persoon") if isinstance(v, str)},
    }
    problems: list[Problem] = []
    wanted: StartForm | None = None
    try:
        wanted = parse(StartForm, form)
    except Refused as refused:
        problems = list(refused.problems)
    problems += [
        p
        for p in _start_problems(form, wanted, services.today())
        if p.field not in {q.field for q in problems}
    ]
    if problems or wanted is None:
        problems.sort(key=lambda p: ORDER.index(p.field) if p.field in ORDER else len(ORDER))
        return _start_page(request, person, number, values, REFUSED, **shown(problems))
    state = services.app.institution(number).state
    try:
        found = services.app.start_review(
            services.act(person.person_id),
            number,
            wanted.naam,
            wanted.vervaldatum,
            wanted.recht or None,
            wanted.context or None,
            list(dict.fromkeys(wanted.persoon)),
            UNDECIDED[wanted.zonder_beslissing],
            bool(wanted.motivering),
            EVERY[wanted.herhaal],
        )
    except RuleViolation as error:
        field = START_FIELD_OF_RULE.get(error.rule)
        return _start_page(request, person, number, values, REFUSED, **refusal(error, field, names_in(state)))
    return RedirectResponse(f"{_base(number)}/{found.review_id}?gedaan=gestart", status_code=303)


# -- one review: read it, decide on its items ----------------------------------------------


def review_page(
    request: Request,
    person: Visitor,
    number: str,
    review_id: str,
    status: int = 200,
    chosen: set[str] | None = None,
    values: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The review's page (``status`` and ``extra``: a refused decision, what was ticked and typed)."""
    institution = institution_for(person, number)
    number = institution["number"]
    services = services_of(request)
    check_integrity(services, [number])
    context: dict[str, Any] = {
        "institution": institution,
        "number": number,
        "values": {**as_of_values(request.query_params), "reden": "", **(values or {})},
        "chosen": chosen or set(),
    }
    try:
        query = parse(ReviewQuery, request.query_params) if request.method == "GET" else ReviewQuery()
        moment = moment_of(query)
        review, report, state = read_review(services, number, review_id, moment)
    except Refused as refused:
        context["review_id"] = known_review(services, number, review_id)
        return page(request, "review.html", REFUSED, review=None, **context, **shown(refused.problems))
    names = names_in(services.app.institution(number).state)
    decides = (
        moment is None
        and review.is_open
        and person.can_change(number)
        and person.person_id in review.reviewers
    )
    return page(
        request,
        "review.html",
        status,
        review=review,
        facts=review_page_facts(review, report, names, state),
        rows=decision_rows(report.rows, review, names, person.person_id),
        decides=decides,
        head=person.is_head(number) and moment is None and review.is_open,
        reviewer=person.person_id in review.reviewers,
        change=person.can_change(number),
        moment=moment,
        notice=notice_for(query.gedaan, query.aantal),
        files=urlencode({"geregistreerd_op": context["values"]["geregistreerd_op"]}) if moment else "",
        **context,
        **extra,
    )


@router.get(
    "/instellingen/{number}/reviews/{review_id}",
    response_class=HTMLResponse,
    openapi_extra=query_doc(ReviewQuery),
)
def review(request: Request, person: SignedIn, number: str, review_id: str) -> Response:
    return review_page(request, person, number, review_id)


def _own_right(error: RuleViolation, items: list[Any], actor: str) -> RuleViolation:
    """The refusal of a decision on one's own right, with the facts a page names the person by."""
    own = next((i for i in items if i.person_id == actor), None)
    if own is None:
        return error
    return RuleViolation(
        error.rule, error.message, person=own.person_id, right=own.right, context=own.context
    )


@router.post("/instellingen/{number}/reviews/{review_id}/beslis", openapi_extra=form_doc(DecideForm))
def decide(request: Request, person: SignedIn, number: str, review_id: str, form: PostedForm) -> Response:
    institution = institution_for(person, number, change=True)
    number = institution["number"]
    services = services_of(request)
    ticked = {v for v in form.getlist("toekenning") if isinstance(v, str)}
    values = {"reden": typed(DecideForm, form)["reden"]}
    review, _, _ = read_review(services, number, review_id, None)  # an unknown review: 404
    try:
        wanted = parse(DecideForm, form)
    except Refused as refused:
        return review_page(
            request, person, number, review_id, REFUSED, ticked, values, **shown(refused.problems)
        )
    word, _, one = wanted.beslissing.partition(":")
    chosen = [one] if one else list(dict.fromkeys(wanted.toekenning))
    if not chosen:
        problem = Problem("toekenning", rules.EMPTY_SELECTION, "Kies eerst één of meer rijen in de lijst.")
        return review_page(request, person, number, review_id, REFUSED, ticked, values, **shown([problem]))
    names = names_in(services.app.institution(number).state)
    try:
        decided = services.app.decide_review(
            services.act(person.person_id),
            number,
            review.review_id,
            chosen,
            DECISIONS[word],
            wanted.reden or None,
        )
    except RuleViolation as error:
        if error.rule == rules.OWN_RIGHT:
            error = _own_right(error, [i for i in review.items if i.grant_id in chosen], person.person_id)
        field = DECIDE_FIELD_OF_RULE.get(error.rule)
        return review_page(
            request, person, number, review_id, REFUSED, ticked, values, **refusal(error, field, names)
        )
    done = "behouden" if word == KEEP_WORD else "ingetrokken"
    query = urlencode({"gedaan": done, "aantal": str(len(decided))})
    return RedirectResponse(f"{_base(number)}/{review.review_id}?{query}#beslissen", status_code=303)
