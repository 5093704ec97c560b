"""The grantbook domain: institutions, their events and rules.

Knows nothing of storage, the CLI or the clock.
"""

from . import rules
from .catalogue import Catalogue, Right, default_catalogue
from .events import EVENT_CLASSES, InstitutionEvent, RosterEntry
from .granting import Cleared, past_period_warning
from .institution import Institution
from .national_number import NationalNumber
from .rules import MAX_SELECTION, RuleViolation
from .state import ACTIVE, INACTIVE, SUPPORT_WORKER_CATEGORY, Grant, PendingAssignment, Person
from .values import Act, ProtectedNumber, institution_number, parse_date, person_id

__all__ = [
    "ACTIVE",
    "INACTIVE",
    "MAX_SELECTION",
    "SUPPORT_WORKER_CATEGORY",
    "EVENT_CLASSES",
    "Act",
    "Catalogue",
    "Cleared",
    "Grant",
    "Institution",
    "InstitutionEvent",
    "NationalNumber",
    "PendingAssignment",
    "Person",
    "ProtectedNumber",
    "Right",
    "RosterEntry",
    "RuleViolation",
    "default_catalogue",
    "institution_number",
    "parse_date",
    "past_period_warning",
    "person_id",
    "rules",
]
