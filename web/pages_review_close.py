""" "Sluit de review" (head administrators) and a review's report as CSV and Excel (docs/adr/0025).

Closing first shows what it will do (``close_preview``: the rights to revoke, the rights that stay,
those that ended meanwhile), recording nothing; only the confirm button closes. The report is the
review's rows in Dutch (web/review_rows.py), as the other files are made (web/downloads.py); an auditor
downloads it too, also as registered on an earlier day."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grantbook.domain import RuleViolation
from grantbook.domain.review_state import ALREADY_ENDED, REVOKED

from .downloads import CSV_TYPE, DAY, MOMENT, XLSX_TYPE, Column, attachment, csv_text, xlsx_bytes
from .forms import Name, PageModel, Refused, form_doc, parse, query_doc
from .integrity import check_integrity
from .pages_reports import refused_file
from .people import names_in, right_label
from .render import page, refusal
from .review_rows import WORD, ReviewQuery, decision_rows, moment_of, outcome_text, read_review
from .security import PostedForm, SignedIn, Visitor, head_institution_for, institution_for, services_of

router = APIRouter()
REFUSED = 422
HEADS_ONLY = "Alleen een hoofdbeheerder kan een toegangsreview sluiten."
REPORT_COLUMNS = [
    Column("name", "Naam"),
    Column("person_id", "Persoonsnummer"),
    Column("right", "Gebruikersrecht"),
    Column("context", "Context"),
    Column("end", "Einddatum", DAY),
    Column("recommendation_nl", "Aanbeveling"),
    Column("decision_nl", "Beslissing"),
    Column("decided_by_name", "Beslist door"),
    Column("decided_at", "Beslist op", MOMENT),
    Column("justification", "Motivering of reden"),
    Column("outcome_nl", "Uitkomst"),
    Column("grant_id", "Toekenningsnummer"),
]


class CloseForm(PageModel):
    laatste: Name = ""


def _summary(
    request: Request, person: Visitor, number: str, review_id: str, status: int = 200, **extra: Any
) -> Response:
    institution = head_institution_for(person, number, HEADS_ONLY)
    number = institution["number"]
    services = services_of(request)
    check_integrity(services, [number])
    review, _, state = read_review(services, number, review_id, None)
    names = names_in(state)
    groups: dict[str, list[dict[str, Any]]] = {REVOKED: [], "kept": [], ALREADY_ENDED: []}
    if review.is_open:
        for item in services.app.close_preview(services.act(person.person_id), number, review.review_id):
            found = review.item(item.grant_id)
            assert found is not None
            why = (
                f"beslist: {WORD[item.decision]}"
                if item.decision
                else (f"niet beoordeeld; aanbeveling: {WORD[item.recommendation]}")
            )
            groups[item.outcome].append(
                {
                    "name": names(item.person_id),
                    "right": right_label(found.right, found.context),
                    "why": why,
                    "outcome": outcome_text(item.outcome, services.today(), item.note),
                }
            )
    return page(
        request,
        "review_close.html",
        status,
        institution=institution,
        number=number,
        review=review,
        revoked=groups[REVOKED],
        kept=groups["kept"],
        ended=groups[ALREADY_ENDED],
        today=services.today(),
        **extra,
    )


@router.get("/instellingen/{number}/reviews/{review_id}/sluiten", response_class=HTMLResponse)
def close_summary(request: Request, person: SignedIn, number: str, review_id: str) -> Response:
    return _summary(request, person, number, review_id)


@router.post("/instellingen/{number}/reviews/{review_id}/sluiten", openapi_extra=form_doc(CloseForm))
def close(request: Request, person: SignedIn, number: str, review_id: str, form: PostedForm) -> Response:
    institution = head_institution_for(person, number, HEADS_ONLY)
    number = institution["number"]
    services = services_of(request)
    review, _, state = read_review(services, number, review_id, None)
    try:
        wanted = parse(CloseForm, form)
    except Refused:
        wanted = CloseForm()
    try:
        services.app.close_review(
            services.act(person.person_id), number, review.review_id, bool(wanted.laatste)
        )
    except RuleViolation as error:
        return _summary(request, person, number, review_id, REFUSED, **refusal(error, None, names_in(state)))
    return RedirectResponse(
        f"/instellingen/{number}/reviews/{review.review_id}?gedaan=gesloten", status_code=303
    )


# -- the report ----------------------------------------------------------------------------


def _report(
    request: Request, person: Visitor, number: str, review_id: str
) -> tuple[str, list[dict[str, Any]]]:
    number = institution_for(person, number)["number"]
    services = services_of(request)
    check_integrity(services, [number])
    moment = moment_of(parse(ReviewQuery, request.query_params))
    review, report, _ = read_review(services, number, review_id, moment)
    names = names_in(services.app.institution(number).state)
    return f"toegangsreview-{number}-{review.review_id}", decision_rows(report.rows, review, names, "")


@router.get("/instellingen/{number}/reviews/{review_id}/rapport.csv", openapi_extra=query_doc(ReviewQuery))
def report_csv(request: Request, person: SignedIn, number: str, review_id: str) -> Response:
    try:
        name, rows = _report(request, person, number, review_id)
    except Refused as refused:
        return refused_file(refused)
    body = csv_text(rows, REPORT_COLUMNS).encode("utf-8")
    return Response(body, media_type=CSV_TYPE, headers=attachment(f"{name}.csv"))


@router.get("/instellingen/{number}/reviews/{review_id}/rapport.xlsx", openapi_extra=query_doc(ReviewQuery))
def report_xlsx(request: Request, person: SignedIn, number: str, review_id: str) -> Response:
    try:
        name, rows = _report(request, person, number, review_id)
    except Refused as refused:
        return refused_file(refused)
    body = xlsx_bytes(rows, REPORT_COLUMNS, "Toegangsreview")
    return Response(body, media_type=XLSX_TYPE, headers=attachment(f"{name}.xlsx"))
