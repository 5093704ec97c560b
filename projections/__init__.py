"""The read side: persisted projections of the events in the store's own database (ADR 0005, 0009).

``runner`` keeps them (tracking, locks, catch-up, rebuild), ``projection`` says what one is, ``db``
holds the engine and the dialect corners, and each read model is one module with its tables, how
events change them and the questions asked of them: ``institutions``, ``rights`` (its questions in
``rights_questions``), ``people``, ``audit``, ``chain`` (the hash chains as found), ``access`` (who
works for which institution, for the web pages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection

from .access import AccessProjection
from .audit import AuditProjection
from .chain import ChainProjection
from .institutions import InstitutionsProjection
from .people import PeopleProjection
from .projection import Projection
from .rights import RightsProjection
from .runner import ReadModels

T = TypeVar("T")

PROJECTIONS: tuple[Projection, ...] = (
    InstitutionsProjection(),
    RightsProjection(),
    PeopleProjection(),
    AuditProjection(),
    ChainProjection(),
    AccessProjection(),
)
BY_NAME = {projection.name: projection for projection in PROJECTIONS}


def read_models(app: Any) -> ReadModels:
    """The read models of an application's store: its recorder, mapper and location are all they use."""
    return ReadModels(app.recorder, app.mapper, app.location, PROJECTIONS)


def answer(app: Any, question: Callable[[Connection], T], names: Sequence[str] | None = None) -> T:
    """Opens the store's read models, answers ``question`` from them up to date, closes them."""
    models = read_models(app)
    try:
        return models.answer(question, names)
    finally:
        models.close()
