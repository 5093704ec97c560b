"""The rules' names, and the one exception the domain raises when a command breaks one.

Every refusal names its rule with one of the codes below: short, stable
strings that tests and scripts match on and that the CLI prints before the
message (``error: selection-limit: ...``). A code is never reused for
another rule and never renamed.
"""

from __future__ import annotations


class RuleViolation(Exception):
    """A command was refused; nothing was recorded.

    ``rule`` is a short stable name (for tests and machines), ``message``
    a one-line sentence for people that names the offending value.
    """

    def __init__(self, rule: str, message: str, **facts: object) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        # What the refusal is about, as data (persons' ids, dates, the right, grant ids), so a page can
        # say it in Dutch with names (web/messages.py); the English ``message`` says it for the CLI.
        self.facts = facts


# -- limits ------------------------------------------------------------------

MAX_SELECTION = 25
"""At most this many persons are selected at once (the government UI's limit)."""

# -- what people type (values.py, national_number.py, roster files, the CLI) --

INSTITUTION_NUMBER = "institution-number"
PERSON_ID = "person-id"  # malformed, or already in use at the institution
DATE_FORMAT = "date-format"
NATIONAL_NUMBER = "national-number"
ROSTER_FILE = "roster-file"
ACTOR_REQUIRED = "actor-required"
ACTOR = "actor"
TEXT_CHARACTER = "text-character"  # a control, line-break or bidi character in a name, reason or search
TEXT_LENGTH = "text-length"  # a name, reason or search longer than its limit (text.py)
SEARCH_NATIONAL_NUMBER = "national-number-in-search"  # a search text that is or holds a national number
DATE_RANGE = "date-range"  # a day counted past the calendar, or --since after --until
USAGE = "usage"  # wrong usage: an unknown option, a missing argument, a value of the wrong type
ARGUMENTS = "arguments"  # an argument that is not UTF-8 text

MALFORMED = frozenset({DATE_FORMAT, USAGE, ARGUMENTS})
"""Rules about the form of what was typed: wrong usage, exit code 2 (every other refusal exits 1)."""

# -- outside the domain: the store, the key, files (adapters and the CLI) --------

STORE = "store"
LOCK_TIMEOUT = "lock-timeout"
KEY_FILE = "key-file"
VALUE_RANGE = "value-range"
KEYS = "keys"
CHECKPOINT = "checkpoint"
INTEGRITY = "integrity"

# -- the catalogue -------------------------------------------------------------

UNKNOWN_RIGHT = "unknown-right"
AMBIGUOUS_RIGHT = "ambiguous-right"  # a typed name that several rights' names contain
UNKNOWN_CONTEXT = "unknown-context"
MAXIMUM_VALIDITY = "maximum-validity"

# -- registration and who may act ---------------------------------------------

ALREADY_REGISTERED = "already-registered"
NOT_REGISTERED = "not-registered"
ADMINISTRATOR_REQUIRED = "administrator-required"
INSTITUTION_NAME = "institution-name"
NOT_AN_ADMINISTRATOR = "not-an-administrator"
NOT_A_HEAD_ADMINISTRATOR = "not-a-head-administrator"
ALREADY_ADMINISTRATOR = "already-administrator"
LAST_HEAD_ADMINISTRATOR = "last-head-administrator"
ALREADY_AUDITOR = "already-auditor"
NOT_AN_AUDITOR = "not-an-auditor"

# -- naming an institution (institution rename, docs/adr/0018) --------------------------

SAME_INSTITUTION_NAME = "same-institution-name"  # rename to the name it already has

# -- roster, selection and the three steps -------------------------------------

ROSTER_PERSON_ID = "roster-person-id"
UNKNOWN_PERSON = "unknown-person"
INACTIVE_PERSON = "inactive-person"
ALREADY_SELECTED = "already-selected"
NOT_SELECTED = "not-selected"
SELECTION_LIMIT = "selection-limit"
EMPTY_SELECTION = "empty-selection"
PERIOD = "period"
NO_PENDING_ASSIGNMENT = "no-pending-assignment"
OVERLAPPING_GRANT = "overlapping-grant"

# -- later changes ---------------------------------------------------------------

NO_ACTIVE_GRANT = "no-active-grant"
AMBIGUOUS_GRANT = "ambiguous-grant"
END_DATE_NOT_LATER = "end-date-not-later"
REASON_REQUIRED = "reason-required"
DUPLICATE_SUPPORT_WORKER = "duplicate-support-worker"
PERSON_NAME = "person-name"

# -- changes to many grants at once, and voiding (docs/adr/0016) ---------------------

PERSONS_REFUSED = "persons-refused"  # several persons refused, for different rules (each named)
REVOKE_DATE = "revoke-date"  # revoke --from a day before today
UNKNOWN_GRANT = "unknown-grant"  # void: no grant with that id at the institution
ALREADY_VOIDED = "already-voided"
ONE_RIGHT_AT_A_TIME = "one-right-at-a-time"  # web: chosen grants of several rights or contexts at once

# -- expiry notices (docs/adr/0014) ------------------------------------------------

EMAIL_ADDRESS = "email-address"
THRESHOLDS = "thresholds"
SMTP_URL = "smtp-url"
MAIL_FROM = "mail-from"
NOTIFY_RUNNING = "notify-running"  # another notify is sending for the same store
UNKNOWN_EVENT = "unknown-event"  # audit --event names no kind of event

# -- step 3's buttons, the frozen selection and the quick grant (docs/adr/0015) -----

ASSIGNMENT_PENDING = "assignment-pending"  # select/deselect while step 2 waits for confirm, back or cancel

# -- access reviews ("Toegangsreview", docs/adr/0025) ---------------------------------

UNKNOWN_REVIEW = "unknown-review"  # no review with that id at the institution
REVIEW_CLOSED = "review-closed"  # a decision (or a second close) on a closed review
NOT_A_REVIEWER = "not-a-reviewer"  # a decision by someone who is not one of the review's reviewers
OWN_RIGHT = "own-right"  # nobody decides on their own right
NOT_IN_REVIEW = "not-in-review"  # a grant that is not one of the review's items
JUSTIFICATION_REQUIRED = "justification-required"  # keep without a justification where the review asks one
REVIEWER_NOT_ADMINISTRATOR = "reviewer-not-administrator"  # a reviewer named who is no administrator
REVIEW_NAME = "review-name"  # empty
REVIEW_SETTING = "review-setting"  # a decision, an if-undecided or a recurrence that is not one of the choices
REVIEW_DUE = "review-due"  # a due date before today, or not before the next review of its series starts
EMPTY_REVIEW = "empty-review"  # nothing in scope: no grant current or future today
REVIEW_NOT_DUE = "review-not-due"  # the run closes only past due and starts a series' next review only on its day
REVIEW_RUNNING = "review-running"  # another `review run` is working on the same store
