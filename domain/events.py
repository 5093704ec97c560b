"""The institution's events, one class per fact, named in the past tense.

Import them from here. They live by topic:

- event_base.py: ``InstitutionEvent``, what every event carries (actor,
  record time, the hash chain link) and how it is shown;
- events_staff.py: who is at the institution (registration, roster,
  support workers, administrators);
- events_naming.py: what the institution is called (renamed);
- events_notices.py: e-mail addresses and expiry notices sent;
- events_workflow.py: granting (search, select, assign, confirm, back,
  cancel, clear the selection, the quick grant, extend, revoke);
- events_changes.py: changes to many grants at once (extend, revoke) and
  voiding a grant entered by mistake;
- events_reviews.py: access reviews (started, decisions, closed, reviewers told).

Stored topics are ``grantbook:<EventName>`` whatever the module, so a class
can move between these modules without changing what is stored.
"""

from __future__ import annotations

from .event_base import EVENT_CLASSES, TOPIC_PREFIX, InstitutionEvent
from .events_changes import EndDatesExtended, ExtendedGrant, GrantVoided, RevokedGrant, RightsRevoked
from .events_naming import InstitutionRenamed
from .events_notices import EmailAddressRecorded, EmailAddressRemoved, NoticedGrant, NoticeSent
from .events_reviews import (
    ClosedItem,
    DecidedGrant,
    ReviewClosed,
    ReviewDecisionRecorded,
    ReviewedGrant,
    ReviewNoticeSent,
    ReviewStarted,
)
from .events_staff import (
    AdministratorAppointed,
    AdministratorRemoved,
    AuditorAppointed,
    AuditorRemoved,
    InstitutionRegistered,
    RosterEntry,
    RosterImported,
    SupportWorkerAdded,
)
from .events_workflow import (
    AssignmentCancelled,
    AssignmentConfirmed,
    EndDateExtended,
    GrantedPerson,
    PersonDeselected,
    PersonSelected,
    RightAssigned,
    RightRevoked,
    SelectionCleared,
    StaffSearched,
)

__all__ = [
    "EVENT_CLASSES",
    "TOPIC_PREFIX",
    "AdministratorAppointed",
    "AdministratorRemoved",
    "AssignmentCancelled",
    "AuditorAppointed",
    "AuditorRemoved",
    "AssignmentConfirmed",
    "ClosedItem",
    "DecidedGrant",
    "ReviewClosed",
    "ReviewDecisionRecorded",
    "ReviewedGrant",
    "ReviewNoticeSent",
    "ReviewStarted",
    "EmailAddressRecorded",
    "EmailAddressRemoved",
    "NoticedGrant",
    "NoticeSent",
    "EndDateExtended",
    "EndDatesExtended",
    "ExtendedGrant",
    "GrantVoided",
    "RevokedGrant",
    "RightsRevoked",
    "GrantedPerson",
    "InstitutionEvent",
    "InstitutionRegistered",
    "InstitutionRenamed",
    "PersonDeselected",
    "PersonSelected",
    "RightAssigned",
    "RightRevoked",
    "RosterEntry",
    "RosterImported",
    "SelectionCleared",
    "StaffSearched",
    "SupportWorkerAdded",
]
