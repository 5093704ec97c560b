"""The JSON API's request and response bodies (OpenAPI schemas): English snake_case, ISO 8601 dates."""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
NUMBER_EXAMPLE = "034793"
RIGHT_EXAMPLE = "IRIS-Platform (Leerlingenpaspoort) Gebruiker"


class Listing(BaseModel, Generic[T]):
    """One page of a list; ``next`` is the cursor of the following page (null on the last)."""

    items: list[T]
    next: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class InstitutionSummary(BaseModel):
    institution: str = Field(description="The instellingsnummer.", examples=[NUMBER_EXAMPLE])
    name: str = Field(examples=["Basisschool De Linde"])
    role: str | None = Field(description="head, administrator or auditor.", examples=["head"])
    rights_today: int = Field(description="Rights held today.")
    expiring_30d: int = Field(description="Of those, ending within 30 days.")


class InstitutionDetail(BaseModel):
    institution: str = Field(examples=[NUMBER_EXAMPLE])
    name: str = Field(examples=["Basisschool De Linde"])
    role: str | None = Field(examples=["head"])
    version: int = Field(description="The institution's version, also its ETag: send it as If-Match.")


class StaffMember(BaseModel):
    person_id: str = Field(examples=["90001"])
    first_name: str
    last_name: str
    category: str = Field(examples=["Medewerker"])
    status: str = Field(examples=["Actief"])
    begin: date | None = None
    end: date | None = None
    support_worker: bool


class RightRow(BaseModel):
    """A grant as the register shows it (the fields a question knows; others are null)."""

    institution: str = Field(examples=[NUMBER_EXAMPLE])
    grant_id: str | None = Field(default=None, examples=["034793-12"])
    person_id: str = Field(examples=["90001"])
    first_name: str
    last_name: str
    category: str | None = None
    right: str = Field(examples=[RIGHT_EXAMPLE])
    context: str = Field(examples=["Gebruiker"])
    begin: date
    end: date
    granted_by: str | None = None
    granted_at: str | None = Field(default=None, description="ISO 8601 date and time (UTC).")
    revoked_on: date | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None
    status: str | None = Field(
        default=None, description="With all=true: current, future, ended, revoked or voided."
    )
    voided_by: str | None = None
    void_reason: str | None = None
    voided_at: str | None = None
    days_left: int | None = Field(default=None, description="Expiring rights: days until the end date.")


class AuditEntry(BaseModel):
    position: int = Field(description="The event's position in the store.")
    recorded_at: str = Field(description="ISO 8601 date and time (UTC).")
    actor: str
    event: str = Field(examples=["AssignmentConfirmed"])
    institution: str
    details: dict[str, Any] = Field(
        description="The event's recorded facts (national register numbers masked)."
    )


class TaskRow(BaseModel):
    institution: str
    kind: str
    person_id: str | None = None
    name: str | None = None
    right: str | None = None
    detail: str
    due: date | None = None


class GrantRequest(BaseModel):
    """Select, assign and confirm in one: every person gets the right for the same period, in one
    event, or nobody does. The caller's own selection (pages, CLI) is left alone."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "persons": ["90001", "90002", "90003"],
                    "right": RIGHT_EXAMPLE,
                    "context": "Gebruiker",
                    "begin": "2026-12-01",
                    "end": "2027-08-31",
                }
            ]
        },
    )
    persons: list[str] = Field(min_length=1, max_length=25, description="Person ids, at most 25.")
    right: str = Field(
        min_length=1, max_length=300, description="A right's code or name (see the catalogue)."
    )
    context: str = Field(min_length=1, max_length=50, examples=["Gebruiker"])
    begin: date
    end: date


class Grant(BaseModel):
    grant_id: str = Field(examples=["034793-12"])
    person_id: str
    first_name: str
    last_name: str
    right: str
    context: str
    begin: date
    end: date
    revoked_on: date | None = None
    voided: bool = False


class GrantsMade(BaseModel):
    institution: str
    version: int = Field(description="The institution's version after the change (its new ETag).")
    grants: list[Grant]


class ExtendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"end": "2028-08-31"}]})
    end: date = Field(description="The new end date.")


class RevokeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "left the school", "from": "2027-01-01"}]}
    )
    reason: str = Field(min_length=1, max_length=1000)
    from_: date | None = Field(
        default=None, alias="from", description="The first day without the right (default today)."
    )


class VoidRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "entered by mistake"}]}
    )
    reason: str = Field(min_length=1, max_length=1000)


class GrantChanged(BaseModel):
    institution: str
    version: int
    grant: Grant


class SupportWorkerRequest(BaseModel):
    """A support worker (ondersteuner) by national register number: the number is read here only,
    kept encrypted, never returned and never logged."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "national_number": "85073003328",
                    "first_name": "Dirk",
                    "last_name": "Fonteyn",
                    "reason": "speech therapist",
                }
            ]
        },
    )
    national_number: str = Field(min_length=1, max_length=40, json_schema_extra={"writeOnly": True})
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=1000)

    def __repr__(self) -> str:  # never the number
        return f"SupportWorkerRequest(first_name={self.first_name!r}, last_name={self.last_name!r})"

    __str__ = __repr__


class SupportWorkerAdded(BaseModel):
    institution: str
    version: int
    person_id: str
    first_name: str
    last_name: str


class RosterRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(examples=["90001"])
    first_name: str
    last_name: str
    category: str = Field(examples=["Medewerker"])
    status: str = Field(examples=["Actief"], description="Actief or Inactief.")
    begin_date: str = Field(examples=["2017-03-02"], description="yyyy-mm-dd (or dd/mm/yyyy, as in a file).")
    end_date: str | None = Field(default=None, examples=["2030-03-02"])
    email: str | None = Field(default=None, description="Where expiry notices to the holder go.")


class RosterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: list[RosterRow] = Field(max_length=20000)


class RosterReport(BaseModel):
    institution: str
    version: int
    joined: list[str] = Field(description="Person ids new on the roster.")
    left: list[str] = Field(description="Person ids no longer Actief (or no longer on it).")
    report: str = Field(description="The import report the CLI prints.")
