"""The institution's "Audit" page for auditors (``/instellingen/{number}/audit``): the history as
Dutch sentences (web/audit_text.py), filtered by person, kind of action, period and acting
administrator, 100 per page, and the whole filtered history as CSV or Excel. It records nothing.

The filters are one query model (web/forms.py); a person or administrator is found by name or by
id among the persons the institution knows (its staff list and support workers) and the actors of
its history. The page and its files ask one snapshot of the read models (``_trail``: the views
``staff``, ``actors`` and ``audit`` of projections/views, docs/adr/0023): the count, then one page;
or every row for a file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator
from sqlalchemy import Connection

from grantbook.domain.values import BRUSSELS
from grantbook.projections import views

from . import forms
from .audit_text import KINDS, masked, moment, sentence
from .downloads import CSV_TYPE, XLSX_TYPE, attachment, columns_for, csv_text, xlsx_bytes
from .forms import Name, OptionalDay, PageModel, Problem, Refused
from .pages_reports import refused_file
from .reading import ask, kept, name_of, together
from .render import page, shown
from .security import SignedIn, institution_for

router = APIRouter()
PER_PAGE = 100
REFUSED = 422
FILE_COLUMNS = ("recorded_at", "actor", "action", "sentence", "position")
KIND_OF = {event: label for label, events in KINDS.values() for event in events}


def _kind(value: Any) -> str:
    text = str(value or "").strip()
    if text and text not in KINDS:
        raise ValueError("unknown kind")
    return text


def _page_number(value: Any) -> int:
    text = str(value or "1").strip()
    if not text.isdigit() or len(text) > 7 or int(text) < 1:
        raise ValueError("not a page")
    return int(text)


class AuditQuery(PageModel):
    persoon: Name = ""
    soort: Annotated[str, BeforeValidator(_kind)] = ""
    vanaf: OptionalDay = None
    tot: OptionalDay = None
    door: Name = ""
    pagina: Annotated[int, BeforeValidator(_page_number)] = 1


@dataclass
class Asked:
    query: AuditQuery
    people: dict[str, str]
    about: set[str] | None
    actors: set[str] | None

    def name(self, person_id: str) -> str:
        return self.people.get(person_id, person_id)


def _matching(text: str, people: dict[str, str], ids: set[str]) -> set[str] | None:
    """The person ids meant by ``text``: the id itself, and everyone whose name holds it."""
    if not text:
        return None
    wanted = text.casefold()
    found = {pid for pid, name in people.items() if wanted in name.casefold()}
    return found | {pid for pid in ids if pid.casefold() == wanted} | {text}


def _parsed(request: Request) -> AuditQuery:
    query = forms.parse(AuditQuery, request.query_params)
    if query.vanaf and query.tot and query.tot < query.vanaf:
        message = "De datum 'tot en met' ligt vóór de datum 'vanaf'. Kies een latere datum."
        raise Refused([Problem("tot", "period", message)])
    return query


@together("audit", "people")
def _trail(
    c: Connection, reader: views.Reader, number: str, query: AuditQuery, whole: bool
) -> tuple[Asked, int, int, list[dict[str, Any]]]:
    """From one snapshot: who the filters mean (the persons the institution knows, by name or id, and
    the actors of its history), how many events they let through, the page shown (a page past the
    last shows the last) and its rows; ``whole``: every row (the files)."""
    people = {row["person_id"]: name_of(row) for row in views.staff(c, reader, number)}
    known = set(people) | views.actors(c, reader, number)
    about, by = _matching(query.persoon, people, known), _matching(query.door, people, known)
    asked = Asked(query, people, about, by)
    filters: dict[str, Any] = {
        "actor": asked.actors,
        "about": asked.about,
        "kinds": KINDS[query.soort][1] if query.soort else None,
        "since": datetime.combine(query.vanaf, time.min, BRUSSELS) if query.vanaf else None,
        "until": datetime.combine(query.tot, time.max, BRUSSELS) if query.tot else None,
    }
    if whole:
        found = views.audit(c, reader, number, **filters, limit=None)
        return asked, found.total, 1, found.items
    total = views.audit(c, reader, number, **filters, limit=0).total
    pagina = max(1, min(query.pagina, -(-total // PER_PAGE)))
    found = views.audit(c, reader, number, **filters, offset=(pagina - 1) * PER_PAGE, limit=PER_PAGE)
    return asked, total, pagina, found.items


def _page_problem(problem: Problem) -> Problem:
    """The page number is no field of the form: its problem stands in the summary only, in its words."""
    if problem.field != "pagina":
        return problem
    return Problem("", problem.rule, "Deze pagina bestaat niet. Begin opnieuw bij de eerste pagina.")


def _shown_row(row: dict[str, Any], asked: Asked) -> dict[str, Any]:
    details = dict(row["details"])
    if "name_filter" in details and details["name_filter"]:
        details["name_filter"] = masked(details["name_filter"])
    technical = {
        "Gebeurtenis": row["event"],
        "Positie": row["position"],
        "Door (id)": row["actor"],
        "Geregistreerd op (UTC)": row["recorded_at"],
    }
    technical.update(
        {k: json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for k, v in details.items()}
    )
    return {
        **row,
        "details": details,
        "sentence": sentence({**row, "details": details}, asked.name),
        "action": KIND_OF.get(row["event"], ""),
        "when": moment(row["recorded_at"]),
        "who": asked.name(row["actor"]),
        "technical": technical,
    }


def _values(query: AuditQuery) -> dict[str, str]:
    """The filters as the form shows them (and as the links carry them): days as dd/mm/jjjj."""
    return {
        "persoon": query.persoon,
        "soort": query.soort,
        "door": query.door,
        "vanaf": query.vanaf.strftime("%d/%m/%Y") if query.vanaf else "",
        "tot": query.tot.strftime("%d/%m/%Y") if query.tot else "",
    }


def _link(number: str, query: AuditQuery, pagina: int | None = None, suffix: str = "") -> str:
    """The page (or a file) with the same filters: Vorige, Volgende, the downloads."""
    values = _values(query)
    if pagina is not None:
        values["pagina"] = str(pagina)
    asked = urlencode({k: v for k, v in values.items() if v})
    return f"/instellingen/{number}/audit{suffix}" + (f"?{asked}" if asked else "")


@router.get(
    "/instellingen/{number}/audit", response_class=HTMLResponse, openapi_extra=forms.query_doc(AuditQuery)
)
def audit(request: Request, person: SignedIn, number: str) -> Response:
    institution = institution_for(person, number)
    return kept(request, person, lambda: _audit_page(request, institution))


def _audit_page(request: Request, institution: Any) -> Response:
    number = institution["number"]
    kinds = [(key, label) for key, (label, _) in KINDS.items()]
    try:
        query = _parsed(request)
    except Refused as refused:
        values = forms.typed(AuditQuery, request.query_params)
        return page(
            request,
            "audit.html",
            REFUSED,
            institution=institution,
            number=number,
            rows=[],
            values=values,
            kinds=kinds,
            **shown([_page_problem(p) for p in refused.problems]),
        )
    asked, total, pagina, rows = ask(request, _trail, number, query, False)
    offset = (pagina - 1) * PER_PAGE
    return page(
        request,
        "audit.html",
        institution=institution,
        number=number,
        values=_values(query),
        kinds=kinds,
        rows=[_shown_row(r, asked) for r in rows],
        total=total,
        first=offset + 1,
        last=offset + len(rows),
        previous=_link(number, query, pagina - 1) if pagina > 1 else None,
        next=_link(number, query, pagina + 1) if offset + len(rows) < total else None,
        csv=_link(number, query, suffix=".csv"),
        xlsx=_link(number, query, suffix=".xlsx"),
    )


def _file_rows(request: Request, person: Any, number: str) -> tuple[str, list[dict[str, Any]]]:
    number = institution_for(person, number)["number"]
    asked, _, _, rows = ask(request, _trail, number, _parsed(request), True)
    shown_rows = [_shown_row(r, asked) for r in rows]
    return number, [{**r, "actor": r["who"]} for r in shown_rows]


@router.get("/instellingen/{number}/audit.csv", openapi_extra=forms.query_doc(AuditQuery))
def audit_csv(request: Request, person: SignedIn, number: str) -> Response:
    try:
        number, rows = _file_rows(request, person, number)
    except Refused as refused:
        return refused_file(refused)
    body = csv_text(rows, columns_for(FILE_COLUMNS)).encode("utf-8")
    return Response(body, media_type=CSV_TYPE, headers=attachment(f"geschiedenis-{number}.csv"))


@router.get("/instellingen/{number}/audit.xlsx", openapi_extra=forms.query_doc(AuditQuery))
def audit_xlsx(request: Request, person: SignedIn, number: str) -> Response:
    try:
        number, rows = _file_rows(request, person, number)
    except Refused as refused:
        return refused_file(refused)
    body = xlsx_bytes(rows, columns_for(FILE_COLUMNS), "Geschiedenis")
    return Response(body, media_type=XLSX_TYPE, headers=attachment(f"geschiedenis-{number}.xlsx"))
