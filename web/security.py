"""Who is asking, and may they: the signed-in visitor from the session cookie, CSRF tokens on
every form POST, the institutions a visitor may see (others answer 404), and the security headers
on every response."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any, Mapping

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from grantbook.domain import RuleViolation, institution_number
from grantbook.projections.access import ADMINISTRATOR, HEAD
from grantbook.projections.freshness import POSITIONS
from grantbook.projections.views.core import Reader, visible

from .services import Services, read_models_state
from .sessions import WebSession

COOKIE = "grantbook_session"
MANY_VALUES = frozenset({"persoon", "een", "toekenning", "schooljaar"})
"""The form fields that take several values (checkboxes); every other field is sent once."""
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class SignInRequired(Exception):
    """No valid session: pages redirect to the sign-in page."""


class NotFound(Exception):
    """An institution the visitor does not work for (or that does not exist): 404, the same either way."""


class Forbidden(Exception):
    """A form without a valid CSRF token, or a change asked by someone who may only read: 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Visitor:
    person_id: str
    session: WebSession
    institutions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def can_change(self, number: str) -> bool:
        roles = self.institutions.get(number, {}).get("roles", set())
        return bool(roles & {HEAD, ADMINISTRATOR})

    def is_head(self, number: str) -> bool:
        return HEAD in self.institutions.get(number, {}).get("roles", set())


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def visitor(request: Request) -> Visitor:
    """The signed-in person (a dependency of every page but the sign-in ones)."""
    services = services_of(request)
    session = services.sessions.find(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired()
    found = Visitor(session.person_id, session)
    every = session.person_id in services.config.auditors
    if request.method in ("GET", "HEAD"):
        # A reading page: every read model caught up once, and where they stand read in the same
        # snapshot, for a kept page's key (web/reading.py kept_answer, docs/adr/0029).
        found.institutions, request.state.read_state = services.answer(
            lambda connection: (
                _remembered(services, connection, session.person_id, every),
                read_models_state(connection),
            )
        )
    else:  # a change: only the access model, without a catch-up when no event since is one it reads
        found.institutions = services.answer(
            lambda connection: _remembered(services, connection, session.person_id, every), ["access"]
        )
    request.state.visitor = found
    return found


REMEMBERED = 2000  # visitors whose institutions a process keeps (forgotten all at once beyond that)


def _remembered(services: Services, connection: Any, person: str, every: bool) -> Mapping[str, Mapping[str, Any]]:
    """The visitor's institutions, read again only when the access read model moved: kept per
    process against its position in the same up-to-date snapshot (read by ``answer``, no query). That position
    moves with every event the access model reads (an appointment, a removal, a registration), and
    ``answer`` catches it up over those first, so a revoked administrator, or an institution
    registered from another worker, is seen at the next request; other events leave it, and the
    kept institutions, as they were (docs/adr/0029). Read-only: shared by the requests."""
    position = connection.info[POSITIONS].get("access")  # read by ReadModels.answer in this snapshot
    cache: dict[tuple[str, bool], tuple[Any, Mapping[str, Mapping[str, Any]]]] = services.__dict__.setdefault(
        "_visitors", {}
    )
    kept = cache.get((person, every))
    if kept is not None and kept[0] == position:
        found = kept[1]
    else:
        found = MappingProxyType(
            {
                number: MappingProxyType({**entry, "roles": frozenset(entry["roles"])})
                for number, entry in visible(connection, Reader(person, every)).items()
            }
        )
        if len(cache) >= REMEMBERED:
            cache.clear()
        cache[(person, every)] = (position, found)
    return found


async def checked_form(request: Request, person: Annotated[Visitor, Depends(visitor)]) -> FormData:
    """The posted form (every value of every field, for web/forms.py to read), once its CSRF token
    matches the session's (else 403, nothing recorded)."""
    form = await request.form()
    tokens = form.getlist("csrf_token")
    token = tokens[0] if len(tokens) == 1 else None
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), person.csrf.encode()):
        raise Forbidden(
            "Dit formulier is verlopen of komt niet van deze site. Open de pagina opnieuw en probeer "
            "het nog eens."
        )
    repeated = [key for key in form.keys() if key not in MANY_VALUES and len(form.getlist(key)) > 1]
    if repeated:  # never silently the last value
        raise StarletteHTTPException(400, "Dit formulier werd niet goed verstuurd: een veld kwam meer dan eens mee. Open de pagina opnieuw en probeer het nog eens.")
    return form


def institution_for(person: Visitor, number: str, change: bool = False) -> dict[str, Any]:
    """The institution if the visitor works for it, else NotFound; ``change``: only administrators."""
    try:
        number = institution_number(number)
    except RuleViolation:
        raise NotFound() from None
    found = person.institutions.get(number)
    if found is None:
        raise NotFound()
    if change and not person.can_change(number):
        raise Forbidden("Als auditor kan je rechten raadplegen, niet wijzigen.")
    return found


def my_institution(person: Visitor, typed: str, change: bool = False) -> dict[str, Any] | None:
    """The institution a form names by number, if the visitor works for it (as an administrator when
    ``change``); None otherwise, so the form says so next to the field instead of a 404 page."""
    found = person.institutions.get(typed)
    if found is None or (change and not person.can_change(typed)):
        return None
    return found


def head_institution_for(person: Visitor, number: str, refused: str) -> dict[str, Any]:
    """The institution if the visitor is one of its head administrators; else NotFound (not theirs)
    or Forbidden with ``refused`` (theirs, but not as head)."""
    institution = institution_for(person, number)
    if not person.is_head(number):
        raise Forbidden(refused)
    return institution


SignedIn = Annotated[Visitor, Depends(visitor)]
PostedForm = Annotated[FormData, Depends(checked_form)]
