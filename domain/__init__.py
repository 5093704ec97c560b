"""The grantbook domain: institutions, their events and rules.

Knows nothing of storage, the CLI or the clock.
"""

from .catalogue import Catalogue, Right, default_catalogue
from .errors import RuleViolation
from .events import EVENT_CLASSES, InstitutionEvent, RosterEntry
from .institution import Institution, ProtectedNumber
from .national_number import NationalNumber
from .state import Grant, PendingAssignment, Person
from .values import Act, institution_number, parse_date, person_id

__all__ = [
    "EVENT_CLASSES",
    "Act",
    "Catalogue",
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
    "person_id",
]
