"""``PUT /institutions/{number}/roster``: the whole roster, as JSON rows, a CSV body or an .xlsx
workbook, read by the same code as ``grantbook roster import`` (adapters/roster_file.py) and answered
with the same report."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from grantbook.adapters.roster_emails import roster_emails
from grantbook.adapters.roster_file import read_table, validate
from grantbook.cli.roster_report import report_lines
from grantbook.domain import ACTIVE

from .auth import Authenticated, for_change, services_of
from .models import RosterReport, RosterRequest
from .problems import ApiProblem, etag, responses
from .writes import IfMatch, expected_version

router = APIRouter()
MAX_BYTES = 20_000_000
CSV_TYPES = ("text/csv", "text/plain")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("person_id", "first_name", "last_name", "category", "status", "begin_date", "end_date", "email")

BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/RosterRequest"},
            "example": {
                "rows": [
                    {
                        "person_id": "90001",
                        "first_name": "An",
                        "last_name": "Claes",
                        "category": "Medewerker",
                        "status": "Actief",
                        "begin_date": "2017-03-02",
                        "end_date": "2030-03-02",
                    }
                ]
            },
        },
        "text/csv": {
            "schema": {"type": "string"},
            "example": "person_id,first_name,last_name,category,status,begin_date,end_date\n"
            "90001,An,Claes,Medewerker,Actief,02/03/2017,02/03/2030\n",
        },
        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
}


def _csv_of(rows: RosterRequest) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows.rows:
        writer.writerow([getattr(row, column) or "" for column in HEADER])
    return buffer.getvalue().encode()


async def _file_of(request: Request) -> bytes:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise ApiProblem(413, "too-large", f"a roster is at most {MAX_BYTES:,} bytes")
    if kind == "application/json":
        try:
            rows = RosterRequest.model_validate(json.loads(body))
        except (ValueError, ValidationError) as error:
            detail = (
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
                if isinstance(error, ValidationError)
                else "the body is not JSON"
            )
            raise ApiProblem(422, "validation", f"the request could not be read: {detail}"[:2000]) from None
        return _csv_of(rows)
    if kind in CSV_TYPES or kind == XLSX_TYPE:
        return body
    raise ApiProblem(415, "media-type", f"send application/json, text/csv or {XLSX_TYPE}")


@router.put(
    "/institutions/{number}/roster",
    response_model=RosterReport,
    openapi_extra={"requestBody": BODY},
    responses=responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
    summary="Replace the roster (JSON rows, CSV or .xlsx); persons missing are no longer Actief",
)
async def put_roster(request: Request, number: str, who: Authenticated, if_match: IfMatch = None) -> Any:
    services = services_of(request)
    number = await run_in_threadpool(for_change, services, who, number)
    expected = expected_version(if_match)
    data = await _file_of(request)

    def run() -> dict[str, Any]:
        table = read_table(data)
        entries = validate(table)
        emails, problems = roster_emails(table)
        with services.app.expecting_version(expected):
            changes = services.app.import_roster(services.act(who.person_id), number, entries, emails)
        active = sum(1 for e in entries if e.status == ACTIVE)
        lines = [
            *(f"warning: {p}" for p in problems),
            *report_lines(changes),
            f"imported {len(entries)} persons ({active} {ACTIVE}) into {number}",
        ]
        return {
            "institution": number,
            "version": services.app.institution(number).version,
            "joined": [p.person_id for p in changes.joined],
            "left": [p.person_id for p in changes.left],
            "report": "\n".join(lines),
        }

    answer = await run_in_threadpool(run)
    return JSONResponse(answer, headers={"ETag": etag(answer["version"])})
