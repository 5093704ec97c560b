"""Schemathesis against the live JSON API, from its own OpenAPI document: every operation, with a
head administrator's token, an auditor's, a read-only token and none. No 5xx, every status, content
type, header and body as documented, and nothing recorded by a refused call (the callers who may not
change anything first, the event count checked after them; then the head, each refused call checked)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from api_helpers import API, Api, api_server
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from web_seed import NUMBER, open_app

EXAMPLES = int(os.environ.get("GRANTBOOK_API_EXAMPLES", "12"))
REAL = {"number": NUMBER, "grant_id": f"{NUMBER}-1", "person_id": "90010"}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    with api_server(store_url) as found:
        yield found


def _run(api: Api, schema: schemathesis.BaseSchema, tokens: list[str | None], head: bool) -> None:
    app = open_app(api.store)
    try:
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def exercise(case: schemathesis.Case) -> None:
                for real in (False, True):
                    if real and not case.path_parameters:
                        continue
                    if real:  # the same request about the seeded institution, grant and person
                        case.path_parameters = {name: REAL[name] for name in case.path_parameters}
                    _each(case, tokens)

            def _each(case: schemathesis.Case, tokens: list[str | None]) -> None:
                for token in tokens:
                    before = app.recorder.max_notification_id() or 0
                    headers = {"Authorization": f"Bearer {token}"} if token else {"Authorization": ""}
                    response = case.call(base_url=api.server.url + API, headers=headers, timeout=30)
                    case.validate_response(response, checks=CHECKS)
                    if response.status_code >= 400 or not head:
                        after = app.recorder.max_notification_id() or 0
                        assert after == before, (case.operation.label, response.status_code, response.text[:300])

            exercise()
    finally:
        app.close()


def test_every_operation_keeps_its_contract_for_every_caller(api: Api) -> None:
    schema = schemathesis.openapi.from_url(api.server.url + API + "/openapi.json")
    _run(api, schema, [None, api.auditor, api.read_only], head=False)
    _run(api, schema, [api.head], head=True)
