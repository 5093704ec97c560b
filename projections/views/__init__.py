"""The read side as questions people ask (cosmicpython's ``views.py``): one query function per
question, each answering from **one** read-model snapshot who may see it (``access``), whether the
institution's chain is intact (``chain``) and the rows, together. Every entrance (the CLI's reading
commands, the pages, the API) asks these through ``ask``; none puts a question together itself.

    rows = ask(models, rights_on, Reader("jan"), "034793", day)

``NotVisible``: unknown, or not the reader's (404 on pages and in the API, "not registered" in the
CLI); ``BrokenChain`` (a ``TamperEvidenceError``): the chain was found broken, unless
``ignore_integrity=True`` (docs/adr/0023)."""

from __future__ import annotations

from .core import BrokenChain, NotVisible, Page, Reader, ask, intact, one, several, visible
from .institutions import STAFF_COLUMNS, institution, staff, verify_status, visible_institutions
from .registers import every_grant, expiring, leavers, person_rights, rights_on
from .trail import actors, audit

__all__ = [
    "STAFF_COLUMNS",
    "BrokenChain",
    "NotVisible",
    "Page",
    "Reader",
    "actors",
    "ask",
    "audit",
    "every_grant",
    "expiring",
    "institution",
    "intact",
    "leavers",
    "one",
    "person_rights",
    "rights_on",
    "several",
    "staff",
    "verify_status",
    "visible",
    "visible_institutions",
]
