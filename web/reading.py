"""How the pages ask the read side: one view of grantbook.projections.views per answer, from one
snapshot (docs/adr/0023), as the signed-in visitor sees the register. An institution they may not
see is a 404 (``NotFound``, the same as an unknown one); a chain the read models found broken is a
409 naming it and pointing to the verify page; nothing of it is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response

from grantbook.errors import TamperEvidenceError
from grantbook.projections import views

from .security import NotFound, Visitor, services_of
from .services import read_models_state

T = TypeVar("T")


def reader_of(request: Request, person: Visitor | None = None) -> views.Reader:
    """The signed-in visitor as a reader (an auditor of every institution: GRANTBOOK_AUDITORS)."""
    person = person if person is not None else request.state.visitor
    return views.Reader(person.person_id, person.person_id in services_of(request).config.auditors)


def dutch(error: views.BrokenChain) -> TamperEvidenceError:
    named = "; ".join(
        f"instelling {b['number']} op positie {b['broken_at']}: {b['problem']}" for b in error.found
    )
    return TamperEvidenceError(f"De hashketen is gebroken ({named}). Controleer de geschiedenis (verify).")


def ask(request: Request, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``view`` answered for the visitor from one snapshot of the server's read models."""
    try:
        return views.ask(services_of(request), view, reader_of(request), *args, **kwargs)
    except views.NotVisible:
        raise NotFound() from None
    except views.BrokenChain as error:
        raise dutch(error) from None


def kept(request: Request, person: Visitor, make: Callable[[], Response]) -> Response:
    """The page ``make`` renders, or the same page kept from an earlier request of this session
    while the read models stand where they stood then (web/services.py ``KeptPages``, checked in a
    snapshot caught up to the latest event; docs/adr/0027). A replica's pages say how old their
    data are, and are made each time."""
    session = person.session
    return kept_answer(request, (session.id_hash, session.csrf), make)


def kept_answer(request: Request, owner: tuple[Any, ...], make: Callable[[], Response]) -> Response:
    """``kept`` for any answer of ``owner`` (a session, or an API caller: docs/adr/0029): the
    response ``make`` gives, kept with its media type under the address, the day and the read
    models' state; only a 200 is kept."""
    services = services_of(request)
    if services.replica:
        return make()
    state = getattr(request.state, "read_state", None)  # read by visitor() with the institutions
    if state is None:
        state = services.answer(read_models_state)
    key = (*owner, request.url.path, request.url.query, services.today(), state)
    pages = services.kept_pages
    found = pages.get(key)
    if found is not None:
        return Response(found[1], media_type=found[0])
    try:
        with pages.making(key):  # one thread makes it; those asking the same meanwhile take its answer
            found = pages.get(key)
            if found is not None:
                return Response(found[1], media_type=found[0])
            response = make()
            if response.status_code == 200 and isinstance(getattr(response, "body", None), bytes):
                pages.put(key, (response.media_type, bytes(response.body)))
    finally:
        pages.made(key)
    return response


def together(*projections: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Marks a page's own question that asks several views in one snapshot (``ask`` it)."""
    return views.core.view(*projections)


def name_of(row: dict[str, Any]) -> str:
    """A staff row (``views.staff``) as the pages name a person: "An Claes", "Dirk Fonteyn
    (ondersteuner)"; the id when the roster gives no name (as web/people.py display_name)."""
    name = f"{row['first_name']} {row['last_name']}".strip() or row["person_id"]
    return f"{name} (ondersteuner)" if row["support_worker"] else name


def names_of(staff: Iterable[dict[str, Any]]) -> Callable[[str], str]:
    """Person id -> the name the institution knows; anyone else (an administrator not on the roster)
    keeps their id."""
    known = {row["person_id"]: name_of(row) for row in staff}
    return lambda pid: known.get(pid, pid)
